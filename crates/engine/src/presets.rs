//! Published parameter sets of the Chinchilla law, loadable without data.

use crate::optimal::ChinchillaParams;

/// A published parameter set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Stable identifier (goes into share links).
    pub id: &'static str,
    pub name: &'static str,
    pub source: &'static str,
    pub params: ChinchillaParams,
}

/// Hoffmann et al. (2022) as printed, Hoffmann's unrounded values from the
/// paper's source, and the replication by Besiroglu et al. (2024).
pub const PRESETS: [Preset; 3] = [
    Preset {
        id: "hoffmann_rounded",
        name: "Hoffmann 2022 (rounded, as printed)",
        source: "Hoffmann et al. 2022, eq. 10",
        params: ChinchillaParams {
            e: 1.69,
            a: 406.4,
            b: 410.7,
            alpha: 0.34,
            beta: 0.28,
        },
    },
    Preset {
        id: "hoffmann_unrounded",
        name: "Hoffmann 2022 (unrounded)",
        source: "Hoffmann et al. 2022, values in the paper's source",
        params: ChinchillaParams {
            e: 1.69337368,
            a: 406.401018,
            b: 410.722827,
            alpha: 0.33917084,
            beta: 0.2849083,
        },
    },
    Preset {
        id: "besiroglu",
        name: "Besiroglu 2024 (replication)",
        source: "Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt",
        params: ChinchillaParams {
            e: 1.81686,
            a: 482.006,
            b: 2085.434,
            alpha: 0.34781,
            beta: 0.36585,
        },
    },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
