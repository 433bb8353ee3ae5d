//! Properties over seeded random inputs (the fuzzer's generator, so a
//! failure names the case to replay):
//! - a share link round trip: any valid state encodes and decodes to itself;
//! - a table round trip: a random table printed as CSV, TSV, semicolons or
//!   spaces, with any line ending, reads back to the same rows, lines and
//!   f64 bits.

use frontier_engine::bootstrap::MAX_RESAMPLES;
use frontier_engine::curves::{schedule::MAX_DESCRIBED_STEPS, CurveChoices};
use frontier_engine::data::parse_table;
use frontier_engine::model::LawSpec;
use frontier_engine::optimal::BudgetInput;
use frontier_engine::share::ShareState;
use frontier_fuzz::Rng;

const CASES: u64 = 3000;

/// Characters a pasted text or a typed field may hold, the awkward ones
/// over-represented.
const CHARS: &[char] = &[
    'a', 'Z', '0', '9', '.', 'e', '-', ',', ';', '\t', ' ', '\n', '\r', '"', '\'', '\\', '/', '#',
    '%', '{', '}', '[', ']', '\0', '\u{1}', '\u{7f}', 'é', 'ß', '∞', '\u{feff}', '\u{200b}',
    '\u{2028}', '😀', '𝔘',
];

/// A random string of at most `max_bytes` bytes.
fn text(rng: &mut Rng, max_bytes: usize) -> String {
    let mut s = String::new();
    let n = rng.below(max_bytes + 1);
    while s.len() < n {
        let c = *rng.pick(CHARS);
        if s.len() + c.len_utf8() > max_bytes {
            break;
        }
        s.push(c);
    }
    s
}

/// Any finite f64 from random bits: subnormals, -0, extremes.
fn finite(rng: &mut Rng) -> f64 {
    loop {
        let v = f64::from_bits(rng.next_u64());
        if v.is_finite() {
            return v;
        }
    }
}

/// Log-uniform in [10^lo, 10^hi].
fn magnitude(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    10f64.powf(lo + (hi - lo) * rng.unit())
}

fn random_law(rng: &mut Rng) -> LawSpec {
    let ids = [
        "chinchilla",
        "kaplan_n",
        "data_constrained",
        "no-such-law",
        "",
    ];
    if rng.one_in(2) {
        let id: &&str = rng.pick(&ids);
        return LawSpec::catalogue(id);
    }
    let mut law = LawSpec::custom(&text(rng, 200));
    if rng.one_in(2) {
        law.target = Some(text(rng, 10));
    }
    if rng.one_in(2) {
        law.positive = Some((0..rng.below(4)).map(|_| text(rng, 8)).collect());
    }
    law.fix = (0..rng.below(3))
        .map(|_| (text(rng, 8), finite(rng)))
        .collect();
    law.free = (0..rng.below(3)).map(|_| text(rng, 8)).collect();
    law.tie = (0..rng.below(3))
        .map(|_| (text(rng, 8), text(rng, 8)))
        .collect();
    law
}

/// A random state that passes `ShareState::check`.
fn random_state(rng: &mut Rng) -> ShareState {
    let data_bytes = if rng.one_in(10) { 20_000 } else { 500 };
    let mut s = ShareState {
        data: text(rng, data_bytes),
        law: random_law(rng),
        compare: (0..rng.below(4)).map(|_| text(rng, 12)).collect(),
        drop_top: if rng.one_in(4) {
            rng.next_u64() as usize
        } else {
            rng.below(10)
        },
        delta: magnitude(rng, -300.0, 300.0),
        grid: rng.one_in(2).then(|| {
            (0..1 + rng.below(5))
                .map(|_| (0..1 + rng.below(6)).map(|_| finite(rng)).collect())
                .collect()
        }),
        budget: if rng.one_in(2) {
            BudgetInput::Flops {
                flops: text(rng, 20),
            }
        } else {
            BudgetInput::Hardware {
                gpus: text(rng, 10),
                hours: text(rng, 10),
                peak_flops: text(rng, 10),
                utilization: text(rng, 10),
            }
        },
        target_loss: text(rng, 12),
        presets: (0..rng.below(3)).map(|_| text(rng, 12)).collect(),
        bootstrap: rng.below(MAX_RESAMPLES + 1),
        seed: rng.next_u64(),
        curves: rng.one_in(2).then(|| CurveChoices {
            law: rng.pick(&["multi_power", "lr_annealing"]).to_string(),
            holdout: rng.one_in(2).then(|| text(rng, 20)),
            min_step: rng.next_u64(),
            schedules: (0..rng.below(5)).map(|_| text(rng, 400)).collect(),
            steps: rng.next_u64() % (MAX_DESCRIBED_STEPS + 1),
            log_x: rng.one_in(2),
            tokens_x: rng.one_in(2),
        }),
        series: rng.one_in(2).then(|| text(rng, 200)),
        ..ShareState::default()
    };
    let p = &mut s.plan;
    for f in [
        &mut p.max_params,
        &mut p.max_tokens,
        &mut p.unique_tokens,
        &mut p.tokens_per_parameter,
        &mut p.inference_tokens,
        &mut p.price_per_gpu_hour,
        &mut p.experiment_budget,
    ] {
        if rng.one_in(2) {
            *f = text(rng, 100);
        }
    }
    s
}

#[test]
fn a_share_link_gives_back_the_state_it_was_made_from() {
    for case in 0..CASES {
        let mut rng = Rng::new(0x5EED_0001 ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let state = random_state(&mut rng);
        state
            .check()
            .unwrap_or_else(|e| panic!("case {case}: the generator made an invalid state: {e}"));
        let link = state.encode();
        let back = ShareState::decode(&link)
            .unwrap_or_else(|e| panic!("case {case}: {e}\nstate: {state:?}"));
        assert_eq!(back, state, "case {case}");
        // Bit for bit: -0 stays -0, and every float keeps its last bit.
        assert_eq!(back.delta.to_bits(), state.delta.to_bits(), "case {case}");
        let bits = |s: &ShareState| -> Vec<u64> {
            s.grid
                .iter()
                .flatten()
                .flatten()
                .map(|v| v.to_bits())
                .collect()
        };
        assert_eq!(bits(&back), bits(&state), "case {case}");
        // And as a whole URL, as the page reads it.
        let url = format!("https://example.org/frontier/?x=1#{link}");
        assert_eq!(ShareState::decode(&url).unwrap(), state, "case {case}");
    }
}

/// How a number is printed: Rust's shortest round-trip forms.
fn print(rng: &mut Rng, v: f64) -> String {
    match rng.below(3) {
        0 => format!("{v}"),
        1 => format!("{v:?}"),
        _ => format!("{v:e}"),
    }
}

#[test]
fn a_printed_table_reads_back_to_the_same_bits() {
    // (separator, header spellings without spaces, header spellings with)
    let params = ["N", "params", "n_params", "Parameters", "model size"];
    let tokens = ["D", "tokens", "n_tokens", "data", "training tokens"];
    let losses = ["loss", "val_loss", "eval/loss", "Loss", "final loss"];
    for case in 0..CASES {
        let mut rng = Rng::new(0x7AB1_E000 ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (sep, name) = *rng.pick(&[
            (",", "CSV"),
            ("\t", "TSV"),
            (";", "semicolons"),
            ("  ", "spaces"),
        ]);
        let spaces_ok = sep != "  ";
        let pick_header = |rng: &mut Rng, options: &[&'static str]| loop {
            let h = *rng.pick(options);
            if spaces_ok || !h.contains(' ') {
                return h;
            }
        };
        let mut headers = vec![
            pick_header(&mut rng, &params),
            pick_header(&mut rng, &tokens),
            pick_header(&mut rng, &losses),
        ];
        let with_run = rng.one_in(2);
        if with_run {
            headers.push("run");
        }
        // Columns in any order.
        let mut order: Vec<usize> = (0..headers.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let quote = sep == "," && rng.one_in(3);
        let cell = |s: String| if quote { format!("\"{s}\"") } else { s };
        let eol = *rng.pick(&["\n", "\r\n", "\r"]);
        let mut out = String::new();
        if rng.one_in(4) {
            out.push('\u{feff}');
        }
        let mut line = 1;
        let mut expect: Vec<(usize, f64, f64, f64, String)> = Vec::new();
        let row_text = |cells: Vec<String>| -> String {
            order
                .iter()
                .map(|&k| cells[k].clone())
                .collect::<Vec<_>>()
                .join(sep)
        };
        out += &row_text(headers.iter().map(|h| cell(h.to_string())).collect());
        out += eol;
        for r in 0..1 + rng.below(30) {
            line += 1;
            if rng.one_in(8) {
                // A blank line or a comment: skipped, but counted.
                out += if rng.one_in(2) { "" } else { "# note" };
                out += eol;
                line += 1;
            }
            // N and D in 1e±150, so that C = 6ND is a number; the loss any
            // positive finite f64, subnormals too.
            let n = magnitude(&mut rng, -150.0, 150.0);
            let d = magnitude(&mut rng, -150.0, 150.0);
            let loss = finite(&mut rng).abs().max(f64::from_bits(1));
            let run = format!("r{r}x{}", rng.below(1000));
            let mut cells = vec![
                cell(print(&mut rng, n)),
                cell(print(&mut rng, d)),
                cell(print(&mut rng, loss)),
            ];
            if with_run {
                cells.push(cell(run.clone()));
            }
            out += &row_text(cells);
            out += eol;
            expect.push((line, n, d, loss, run));
        }
        let t = parse_table(&out, false);
        assert!(
            t.issues.is_empty(),
            "case {case} ({name}): {:?}\n{out:?}",
            t.issues
        );
        assert_eq!(t.runs.len(), expect.len(), "case {case} ({name})\n{out:?}");
        for (run, (line, n, d, loss, id)) in t.runs.iter().zip(&expect) {
            assert_eq!(run.line, *line, "case {case} ({name})\n{out:?}");
            assert_eq!(
                run.params.map(f64::to_bits),
                Some(n.to_bits()),
                "case {case}, line {line}"
            );
            assert_eq!(
                run.tokens.map(f64::to_bits),
                Some(d.to_bits()),
                "case {case}, line {line}"
            );
            assert_eq!(
                run.loss.to_bits(),
                loss.to_bits(),
                "case {case}, line {line}"
            );
            if with_run {
                assert_eq!(
                    run.group.as_deref(),
                    Some(id.as_str()),
                    "case {case}, line {line}"
                );
            }
        }
    }
}
