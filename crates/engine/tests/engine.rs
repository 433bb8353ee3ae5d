//! Engine integration tests, one module per concern:
//! - `input`: pasted text to runs, every kind of bad input, the reference file.
//! - `hostile`: bad and hostile input of every reader (tables, curves,
//!   schedules, links, formulas, fields), each message naming its place.
//! - `gradients`: every analytic gradient against central finite differences.
//! - `recovery`: fits recover known parameters from synthetic data.
//! - `large`: the large-data search against the exhaustive fit, and split over workers.
//! - `reference`: the 4500-start fit of the reference data matches the published replication.
//! - `optimal`: the compute-optimal fixture table and presets.
//! - `inference`: the inference-aware plan, Sardana et al.'s worked example.
//! - `share`: share-link round trips and damaged links.
//! - `bootstrap`: seeded bootstrap intervals on the reference data.
//! - `approaches`: Hoffmann's Approaches 1 and 2, synthetic and reference data.
//! - `curves`: training histories, schedule laws recovered and predicting.
//! - `series`: one fit per series, a known compute multiplier recovered.
//! - `design`: the proposed next runs against evenly spread IsoFLOP runs.
//! - `conventions`: the same runs counted the ways of the field.
//! - `compute`: a compute column kept as given (C = k N D) or recomputed as 6ND.
//! - `laws`: every catalogue law and typed formulas, fixes, ties, comparison.
//! - `export`: results and frontier as CSV and JSON, the Python script.

#[path = "engine/approaches.rs"]
mod approaches;
#[path = "engine/bootstrap.rs"]
mod bootstrap;
#[path = "engine/compute.rs"]
mod compute;
#[path = "engine/conventions.rs"]
mod conventions;
#[path = "engine/curves.rs"]
mod curves;
#[path = "engine/design.rs"]
mod design;
#[path = "engine/export.rs"]
mod export;
#[path = "engine/gradients.rs"]
mod gradients;
#[path = "engine/hostile.rs"]
mod hostile;
#[path = "engine/inference.rs"]
mod inference;
#[path = "engine/input.rs"]
mod input;
#[path = "engine/large.rs"]
mod large;
#[path = "engine/laws.rs"]
mod laws;
#[path = "engine/optimal.rs"]
mod optimal;
#[path = "engine/recovery.rs"]
mod recovery;
#[path = "engine/reference.rs"]
mod reference;
#[path = "engine/series.rs"]
mod series;
#[path = "engine/share.rs"]
mod share;

/// The reference data file, as shipped in tests/data.
pub fn reference_csv() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/chinchilla_svg_extracted.csv"
    ))
    .expect("reference data is in tests/data")
}

/// A deterministic stream of numbers in [-1, 1) (xorshift), for synthetic noise.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Noise(seed.max(1))
    }
    pub fn uniform(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// The Chinchilla law from the catalogue, as it comes.
pub fn chinchilla() -> frontier_engine::Model {
    model("chinchilla")
}

/// A catalogue law with its defaults.
pub fn model(id: &str) -> frontier_engine::Model {
    frontier_engine::Model::catalogue(id).unwrap()
}
