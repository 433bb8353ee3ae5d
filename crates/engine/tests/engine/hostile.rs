//! Bad and hostile input, one kind per test: every reader of user or link
//! text answers with a message that names the place (line, column, field or
//! the character of a formula) and the problem, never a panic, a hang or
//! gigabytes. The kinds the fuzzer (crates/fuzz) found wrong are named
//! after what broke.

use frontier_engine::curves::{read_curves, read_schedule, schedule::describe, CurveChoices};
use frontier_engine::data::{parse_table, Needs, MAX_COLUMNS, MAX_TABLE_BYTES};
use frontier_engine::formula::{parse::parse, Formula};
use frontier_engine::laws::all_columns;
use frontier_engine::model::LawSpec;
use frontier_engine::optimal::{parse_utilization, BudgetInput};
use frontier_engine::plans::read_field;
use frontier_engine::share::{LinkError, ShareState};
use frontier_engine::{parse_runs, Dataset, InputIssue};

/// Every issue of a pasted table, as the page lists them.
fn issues(text: &str) -> Vec<String> {
    parse_runs(text)
        .issues
        .iter()
        .map(InputIssue::to_string)
        .collect()
}

/// The issues of a table checked for the Chinchilla law, as the page lists
/// them when it cannot fit.
fn fit_issues(text: &str) -> Vec<String> {
    match Dataset::from_text(text, Needs::ParamsAndTokens, 0, 2) {
        Ok((_, skipped)) => skipped.iter().map(InputIssue::to_string).collect(),
        Err(e) => e.iter().map(InputIssue::to_string).collect(),
    }
}

/// Assert that some message holds every one of `parts`.
#[track_caller]
fn has(messages: &[String], parts: &[&str]) {
    assert!(
        messages.iter().any(|m| parts.iter().all(|p| m.contains(p))),
        "no message with {parts:?} in {messages:?}"
    );
}

fn link_error(link: &str) -> String {
    ShareState::decode(link).unwrap_err().to_string()
}

// --- tables -------------------------------------------------------------

#[test]
fn empty_text() {
    has(&issues(""), &["no data", "paste a header row"]);
    assert!(parse_runs("").fatal);
}

#[test]
fn only_whitespace_and_comments() {
    has(&issues("  \n\t\n# N,D,loss\n"), &["no data", "header row"]);
}

#[test]
fn header_only() {
    has(&issues("N,D,loss\n"), &["no data rows", "no run follows"]);
}

#[test]
fn nan_value() {
    has(
        &issues("N,D,loss\n1e8,2e9,NaN\n"),
        &["line 2", "column \"loss\"", "\"NaN\"", "NaN or infinity"],
    );
}

#[test]
fn infinite_values() {
    let m = issues("N,D,loss\n1e8,inf,3\n1e8,2e9,-Infinity\n");
    has(
        &m,
        &["line 2", "column \"D\"", "\"inf\"", "NaN or infinity"],
    );
    has(&m, &["line 3", "column \"loss\"", "NaN or infinity"]);
}

#[test]
fn negative_value() {
    has(
        &issues("N,D,loss\n-5,2e9,3\n"),
        &["line 2", "column \"N\"", "-5 is not positive"],
    );
}

#[test]
fn zero_value() {
    has(
        &issues("N,D,loss\n1e8,0,3\n"),
        &["line 2", "column \"D\"", "0 is not positive"],
    );
}

#[test]
fn a_number_beyond_f64() {
    has(
        &issues("N,D,loss\n1e400,2e9,3\n"),
        &["line 2", "column \"N\"", "\"1e400\"", "NaN or infinity"],
    );
}

#[test]
fn a_number_that_rounds_to_zero() {
    has(
        &issues("N,D,loss\n1e-400,2e9,3\n"),
        &["line 2", "column \"N\"", "\"1e-400\"", "not positive"],
    );
}

#[test]
fn compute_six_n_d_beyond_f64() {
    // 6 x 1e200 x 1e200 is no f64: the run used to pass with C = inf.
    let m = issues("N,D,loss\n1e200,1e200,3\n1e8,2e9,3\n");
    has(
        &m,
        &[
            "line 2",
            "column \"D\"",
            "C = 6·N·D is inf",
            "largest number",
        ],
    );
    assert_eq!(
        parse_runs("N,D,loss\n1e200,1e200,3\n1e8,2e9,3\n")
            .runs
            .len(),
        1
    );
}

#[test]
fn tokens_from_compute_that_round_to_zero() {
    // D = C/(6N) = 1e-300 / 6e300 underflows to 0.
    let m = issues("N,C,loss\n1e300,1e-300,3\n");
    has(
        &m,
        &["line 2", "column \"C\"", "D = C/(6·N) is 0", "too small"],
    );
}

#[test]
fn a_unit_that_takes_a_value_beyond_f64() {
    // 1e308 PF-days used to become C = inf FLOPs.
    let m = issues("compute (PF-days),loss\n1e308,3\n1,3\n");
    has(
        &m,
        &[
            "line 2",
            "column \"compute (PF-days)\"",
            "\"1e308\"",
            "largest number",
        ],
    );
}

#[test]
fn gpu_hours_whose_speed_is_beyond_f64() {
    let m = issues("compute (GPU-hours @ 1e308 100%),loss\n1,3\n");
    has(
        &m,
        &[
            "line 1",
            "column \"compute (GPU-hours @ 1e308 100%)\"",
            "not a usable number",
        ],
    );
}

#[test]
fn gpu_hours_without_the_gpus_speed() {
    has(
        &issues("compute (GPU-hours),loss\n1,3\n"),
        &["line 1", "GPU-hours", "peak FLOP/s"],
    );
}

#[test]
fn a_unit_not_understood() {
    has(
        &issues("compute (furlongs),loss\n1,3\n"),
        &["line 1", "column \"compute (furlongs)\"", "not understood"],
    );
}

#[test]
fn mixed_delimiters() {
    // A header with commas, a row with tabs: one field, where three are needed.
    let m = issues("N,D,loss\n1e8\t2e9\t3\n");
    has(
        &m,
        &["line 2", "column \"D\"", "the line has 1 fields", "field 2"],
    );
}

#[test]
fn byte_order_mark_and_line_endings_keep_line_numbers() {
    for text in [
        "\u{feff}N,D,loss\r\n1e8,2e9,3\r\n1e8,abc,3\r\n",
        "\u{feff}N,D,loss\r1e8,2e9,3\r1e8,abc,3\r",
        "N,D,loss\n1e8,2e9,3\n1e8,abc,3\n",
    ] {
        let t = parse_runs(text);
        assert_eq!(t.headers, ["N", "D", "loss"], "{text:?}");
        assert_eq!(t.runs.len(), 1, "{text:?}");
        has(
            &issues(text),
            &["line 3", "column \"D\"", "\"abc\": not a number"],
        );
    }
}

#[test]
fn a_quoted_newline_splits_the_row_and_both_lines_are_named() {
    let m = issues("run,N,D,loss\n\"a\nb\",1e8,2e9,3\n");
    has(&m, &["line 2", "missing value"]);
    has(&m, &["line 3", "missing value"]);
}

#[test]
fn a_quoted_delimiter_stays_in_its_field() {
    let t = parse_runs("run,N,D,loss\n\"a, b\",1e8,2e9,3\n");
    assert_eq!(t.runs.len(), 1);
    assert_eq!(t.runs[0].group.as_deref(), Some("a, b"));
    // A comma inside a quoted number of CSV, where it could be a thousands
    // separator or a decimal comma ("1,000"), is not guessed.
    has(
        &issues("N,D,loss\n\"1,000\",2e9,3\n"),
        &["line 2", "column \"N\"", "\"1,000\": not a number"],
    );
}

#[test]
fn formatted_numbers_quoted_in_csv_are_read_when_unambiguous() {
    // Google Sheets and Excel quote formatted numbers in CSV.
    let t = parse_runs(
        "params,tokens,loss\n\"70,000,000\",\"1,400,000,000\",3.10\n\"1,000,000,000\",\"20,000,000,000\",\"2,42\"\n",
    );
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].params, Some(7e7));
    assert_eq!(t.runs[1].tokens, Some(2e10));
    assert_eq!(t.runs[1].loss, 2.42);
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "params" && f.contains("thousands")));
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "loss" && f.contains("decimal")));
}

#[test]
fn a_text_column_with_commas_is_not_read_as_numbers() {
    // A run named with a comma in a spreadsheet's TSV keeps its name.
    let t = parse_runs("run\tN\tD\tloss\na, seed 1\t1,000,000\t2e9\t3,1\n");
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].group.as_deref(), Some("a, seed 1"));
    assert_eq!(t.runs[0].params, Some(1e6));
    assert_eq!(t.runs[0].loss, 3.1);
    // Numbers with an exponent or a suffix are still numbers (Excel's
    // scientific format with a decimal comma); a quoted list is not.
    let t = parse_runs("N;D;loss;lr\n7,00E+07;1,5B;2,5;6,0E-05\n");
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].params, Some(7e7));
    assert_eq!(t.runs[0].tokens, Some(1.5e9));
    assert_eq!(t.runs[0].loss, 2.5);
    let t = parse_runs("N,D,loss,betas\n1e8,2e9,3,\"0.9,0.95\"\n");
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert!(t.number_formats.is_empty(), "{:?}", t.number_formats);
}

#[test]
fn unbalanced_quotes_in_the_header() {
    let m = fit_issues("\"N,D,loss\n1e8,2e9,3\n");
    has(&m, &["line 1", "missing column", "no loss column"]);
}

#[test]
fn unbalanced_quotes_in_a_row() {
    let m = issues("N,D,loss\n\"1e8,2e9,3\n");
    has(&m, &["line 2", "the line has 1 fields"]);
}

#[test]
fn binary_garbage() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    let m = fit_issues(&text);
    assert!(!m.is_empty());
    assert!(
        m.iter().all(|i| i.starts_with("line ")
            || i.starts_with("no data")
            || i.starts_with("too few")),
        "{m:?}"
    );
}

#[test]
fn nul_bytes() {
    has(
        &issues("N,D,loss\n1e8\0,2e9,3\n"),
        &["line 2", "column \"N\"", "not a number"],
    );
    let m = fit_issues("N\0,D,loss\n1e8,2e9,3\n");
    has(&m, &["line 1", "missing column"]);
}

#[test]
fn a_megabyte_in_one_cell_is_quoted_short() {
    let text = format!("N,D,loss\n{},2e9,3\n", "7".repeat(1 << 20) + "x");
    let m = issues(&text);
    has(
        &m,
        &[
            "line 2",
            "column \"N\"",
            "(1048577 characters)",
            "not a number",
        ],
    );
    assert!(
        m.iter().all(|i| i.len() < 200),
        "a message quotes the whole cell"
    );
}

#[test]
fn a_very_long_line_of_many_fields() {
    let text = format!("N,D,loss\n1e8,2e9,3{}\n", ",3".repeat(1_000_000));
    has(
        &issues(&text),
        &["line 2", "the line has 1000003 fields but the header has 3"],
    );
}

#[test]
fn a_million_columns() {
    let header: Vec<String> = (0..1_000_000).map(|i| format!("c{i}")).collect();
    let text = header.join(",") + "\n" + &["1"; 1_000_000].join(",") + "\n";
    let t = parse_runs(&text);
    assert!(t.fatal);
    has(
        &issues(&text),
        &["line 1", "1000000 columns", &format!("{MAX_COLUMNS}")],
    );
}

#[test]
fn many_columns_are_listed_in_one_line() {
    let header: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
    let text = header.join(",") + "\n" + &["1"; 5000].join(",") + "\n";
    let m = fit_issues(&text);
    has(&m, &["line 1", "missing column", "and 4988 more"]);
    assert!(m.iter().all(|i| i.len() < 1000), "{}", m[0].len());
}

#[test]
fn duplicate_headers() {
    has(
        &issues("N,D,loss,N\n1,2,3,4\n"),
        &[
            "line 1",
            "column \"N\"",
            "columns 1 and 4 are both named \"N\"",
        ],
    );
    has(
        &issues("Loss,N,D,loss\n3,1,2,3\n"),
        &["line 1", "columns 1 and 4"],
    );
}

#[test]
fn a_fifty_megabyte_paste() {
    let row = "1e8,2e9,3.1\n";
    let text = "N,D,loss\n".to_string() + &row.repeat(50_000_000 / row.len());
    assert!(text.len() > MAX_TABLE_BYTES);
    let t = parse_runs(&text);
    assert!(t.fatal && t.runs.is_empty());
    has(
        &issues(&text),
        &["the text is 50", "MB, more than the 16.8 MB"],
    );
    has(&fit_issues(&text), &["more than the 16.8 MB"]);
    // Just under the limit is read.
    let fits = "N,D,loss\n".to_string() + &row.repeat((MAX_TABLE_BYTES - 9) / row.len());
    assert!(!parse_runs(&fits).fatal);
}

#[test]
fn missing_loss_column() {
    has(
        &fit_issues("size,steps,accuracy\n1,2,3\n"),
        &["line 1", "missing column: no loss column", "\"size\""],
    );
}

#[test]
fn more_fields_than_the_header() {
    has(
        &issues("N,D,loss\n1e8,2e9,3,4\n"),
        &["line 2", "4 fields but the header has 3"],
    );
}

#[test]
fn a_space_inside_a_number_in_a_space_separated_table() {
    has(
        &issues("N D loss\n1e8 2 e9 3\n2e8 4e9 2.9\n"),
        &["line 2", "4 fields but the header has 3"],
    );
}

#[test]
fn hexadecimal_suffix_only_and_fullwidth_digits() {
    let m = issues("N,D,loss\n0x10,2e9,3\nB,2e9,3\n１２,2e9,3\n");
    has(&m, &["line 2", "column \"N\"", "\"0x10\": not a number"]);
    has(&m, &["line 3", "column \"N\"", "\"B\": not a number"]);
    has(&m, &["line 4", "column \"N\"", "not a number"]);
}

#[test]
fn commas_in_a_tab_separated_table_are_reported_per_column() {
    let t = parse_runs("N\tD\tloss\n1,000,000\t2,000,000,000\t2,5\n");
    assert_eq!(t.runs[0].params, Some(1e6));
    assert_eq!(t.runs[0].loss, 2.5);
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "loss" && f.contains("decimal")));
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "N" && f.contains("thousands")));
}

#[test]
fn repeated_headers_are_counted_not_read_as_runs() {
    let t = parse_table("N,D,loss\n1e8,2e9,3\nN,D,loss\n2e8,4e9,2.9\n", false);
    assert_eq!((t.runs.len(), t.repeated_headers), (2, 1));
}

// --- training curves and schedules -------------------------------------

#[test]
fn a_history_without_a_step_column() {
    let e = read_curves("run,lr,loss\na,1,2\n").unwrap_err();
    has(
        &e.iter().map(InputIssue::to_string).collect::<Vec<_>>(),
        &["step column", "found \"run\", \"lr\", \"loss\""],
    );
}

#[test]
fn a_step_that_is_not_whole_or_negative() {
    let c = read_curves("step,lr,loss\n1,0.1,3\n1.5,0.1,3\n-2,0.1,3\n3,0.1,2.9\n").unwrap();
    let m: Vec<String> = c.issues.iter().map(InputIssue::to_string).collect();
    has(
        &m,
        &[
            "line 3",
            "column \"step\"",
            "step 1.5 is not a whole number",
        ],
    );
    has(
        &m,
        &["line 4", "column \"step\"", "a step is a count from 0"],
    );
}

#[test]
fn a_history_that_spans_too_many_steps() {
    let e = read_curves("step,lr,loss\n1,0.1,3\n1e12,0.1,3\n").unwrap_err();
    has(
        &e.iter().map(InputIssue::to_string).collect::<Vec<_>>(),
        &["run \"run\" spans steps 1 to 1000000000000", "more than"],
    );
}

#[test]
fn a_negative_learning_rate() {
    let c = read_curves("step,lr,loss\n1,0.1,3\n2,-1,3\n3,0.1,2.9\n").unwrap();
    has(
        &c.issues
            .iter()
            .map(InputIssue::to_string)
            .collect::<Vec<_>>(),
        &["line 3", "column \"lr\"", "not negative"],
    );
}

#[test]
fn two_losses_at_one_step() {
    let c = read_curves("step,loss\n1,3\n1,2.9\n2,2.8\n").unwrap();
    has(
        &c.issues
            .iter()
            .map(InputIssue::to_string)
            .collect::<Vec<_>>(),
        &["line 3", "second loss at step 1 (line 2)"],
    );
}

#[test]
fn a_schedule_file_without_rates_or_with_a_bad_step() {
    assert!(read_schedule("step,loss\n1,3\n")
        .unwrap_err()
        .contains("learning-rate column (lr); found step, loss"));
    let e = read_schedule("step,lr\n1,1e-3\nx,1e-3\n").unwrap_err();
    assert!(
        e.contains("line 3") && e.contains("\"x\": not a number"),
        "{e}"
    );
}

#[test]
fn schedule_descriptions_name_the_setting() {
    let e = |s: &str, steps: u64| describe(s, steps).unwrap_err();
    assert!(e("ramp:peak=1", 100).contains("\"ramp\" is not a schedule"));
    assert!(e("cosine:peak=1,speed=2", 100).contains("\"speed\" is not a setting"));
    assert!(e("cosine:peak=1e400", 100).contains("peak=\"1e400\": NaN or infinity"));
    assert!(e("cosine:peak=-1", 100).contains("peak=-1: must be a finite number, 0 or more"));
    assert!(e("constant:peak=1", 0).contains("at least one step"));
    assert!(e("constant:peak=1", u64::MAX).contains("at most 10000000"));
    assert!(e("cosine:peak=1,warmup=100", 100).contains("warmup=100"));
    assert!(e("stages:1@5,2@3", 100).contains("\"2@3\": stages must come in order"));
    assert!(
        e("stages:1@500", 100).contains("\"1@500\": the step must be a whole number from 0 to 100")
    );
    assert!(e("wsd:peak=1,decay=200,warmup=10", 100).contains("cooldown (200 steps) is longer"));
    assert!(e("wsd:peak=1,decay=2.5", 100).contains("decay=2.5"));
}

#[test]
fn a_warmup_to_a_peak_near_the_largest_number_stays_finite() {
    // The warmup rate was peak * s / w, and peak * s overflowed.
    let s = describe("wsd:warmup=10,peak=1e308,decay=0.2", 100).unwrap();
    assert!(s.lr.iter().all(|v| v.is_finite()), "{:?}", &s.lr[..10]);
    assert_eq!(s.lr[9], 1e308);
}

// --- share links ----------------------------------------------------------

#[test]
fn links_empty_foreign_and_from_the_future() {
    assert!(ShareState::decode("").is_err());

    assert_eq!(
        ShareState::decode("https://example.org/frontier/#"),
        Err(LinkError::Empty)
    );
    assert_eq!(ShareState::decode("#section-2"), Err(LinkError::Foreign));
    assert!(link_error("#s9.abc").contains("format 9, newer than this page reads"));
}

#[test]
fn a_truncated_link() {
    let state = ShareState {
        data: "N,D,loss\n1e8,2e9,3\n".into(),
        ..ShareState::default()
    };
    let link = state.encode();
    for cut in [link.len() / 2, link.len() - 1, 4] {
        let m = link_error(&link[..cut]);
        assert!(m.contains("damaged or cut short"), "cut at {cut}: {m}");
    }
}

#[test]
fn a_link_with_one_character_changed() {
    let link = ShareState::default().encode();
    let mut seen = 0;
    for i in link.find('.').unwrap() + 1..link.len() {
        let mut b = link.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(b).unwrap();
        // Every change is caught, and says how.
        let m = link_error(&altered);
        assert!(
            m.contains("damaged") || m.contains("cut short"),
            "{altered}: {m}"
        );
        seen += 1;
    }
    assert!(seen > 20);
}

#[test]
fn a_link_with_characters_no_link_holds() {
    assert!(link_error("#s2.ab$cd").contains("characters a link of this page never holds"));
}

#[test]
fn links_that_ask_for_absurd_counts() {
    let ask = |s: ShareState| link_error(&s.encode());
    let m = ask(ShareState {
        bootstrap: 1 << 40,
        ..ShareState::default()
    });
    assert!(
        m.contains("1099511627776 bootstrap resamples; at most"),
        "{m}"
    );
    let m = ask(ShareState {
        grid: Some(vec![vec![0.0; 1000]; 5]),
        ..ShareState::default()
    });
    assert!(
        m.contains("start grid of") && m.contains("at most 200000"),
        "{m}"
    );
    let m = ask(ShareState {
        grid: Some(vec![vec![0.0; 1 << 16]; 5]),
        ..ShareState::default()
    });
    assert!(m.contains("more than 2^64"), "{m}");
    let m = ask(ShareState {
        grid: Some(vec![vec![1.0], vec![]]),
        ..ShareState::default()
    });
    assert!(m.contains("axis 2 has no value"), "{m}");
    let curves = CurveChoices {
        steps: u64::MAX,
        ..CurveChoices::default()
    };
    let m = ask(ShareState {
        curves: Some(curves),
        ..ShareState::default()
    });
    assert!(m.contains("18446744073709551615 steps"), "{m}");
    let m = ask(ShareState {
        series: Some("x".repeat(10_000)),
        ..ShareState::default()
    });
    assert!(m.contains("series column name of more than 200"), "{m}");
    let mut s = ShareState::default();
    s.plan.max_params = "9".repeat(1000);
    assert!(ask(s).contains("plan field of more than 100"));
}

#[test]
fn a_link_with_a_huber_delta_that_is_not_positive() {
    let m = link_error(
        &ShareState {
            delta: -1.0,
            ..ShareState::default()
        }
        .encode(),
    );
    assert!(m.contains("Huber delta -1 is not positive"), "{m}");
}

#[test]
fn a_link_that_drops_more_points_than_it_has() {
    let s = ShareState {
        data: "N,D,loss\n1e8,2e9,3\n2e8,4e9,2.9\n".into(),
        drop_top: usize::MAX,
        ..ShareState::default()
    };
    let back = ShareState::decode(&s.encode()).unwrap();
    let e: Vec<String> = back
        .prepare()
        .unwrap_err()
        .iter()
        .map(InputIssue::to_string)
        .collect();
    has(
        &e,
        &["too few points for the law: 0 usable after dropping 2"],
    );
}

#[test]
fn a_link_to_a_law_that_does_not_exist() {
    let s = ShareState {
        law: LawSpec::catalogue("no-such-law"),
        data: "N,D,loss\n1,2,3\n".into(),
        ..ShareState::default()
    };
    let back = ShareState::decode(&s.encode()).unwrap();
    let e: Vec<String> = back
        .prepare()
        .unwrap_err()
        .iter()
        .map(InputIssue::to_string)
        .collect();
    has(&e, &["no-such-law"]);
}

#[test]
fn a_link_whose_state_inflates_beyond_the_limit() {
    // 20 MB of one letter deflates to a few kilobytes.
    let s = ShareState {
        data: "a".repeat(20 << 20),
        ..ShareState::default()
    };
    let m = link_error(&s.encode());
    assert!(m.contains("larger than 16 MiB"), "{m}");
}

// --- formulas ------------------------------------------------------------

fn formula_error(text: &str) -> String {
    Formula::infer(text, &all_columns(&[]))
        .unwrap_err()
        .to_string()
}

#[test]
fn a_formula_with_an_unknown_function_or_name() {
    let m = formula_error("E + lg(N)");
    assert!(
        m.starts_with("line 1, column 5: unknown function \"lg\""),
        "{m}"
    );
    let params = vec!["E".to_string()];
    let m = Formula::with_params("E + X/N", &params, &all_columns(&[]))
        .unwrap_err()
        .to_string();
    assert!(m.starts_with("line 1, column 5: unknown name \"X\""), "{m}");
}

#[test]
fn a_formula_nested_too_deeply() {
    let deep = "(".repeat(1000) + "N" + &")".repeat(1000);
    let m = formula_error(&deep);
    assert!(
        m.starts_with("line 1, column ") && m.contains("nests too deeply"),
        "{m}"
    );
}

#[test]
fn a_formula_too_long_or_with_too_many_tokens() {
    assert!(formula_error(&"N".repeat(5000)).contains("longer than 4000 characters"));
    let m = formula_error(&vec!["a*N"; 300].join("+"));
    assert!(
        m.starts_with("line 1, column ") && m.contains("more than 600"),
        "{m}"
    );
}

#[test]
fn a_formula_with_an_unclosed_quote_a_huge_number_or_a_nul() {
    assert!(formula_error("E + `train loss * N")
        .starts_with("line 1, column 5: this quoted name has no closing `"));
    assert!(formula_error("E + 1e400*N").starts_with("line 1, column 5: \"1e400\" is not a number"));
    assert!(formula_error("E + A\0*N").starts_with("line 1, column 6: unexpected character"));
    assert!(parse("")
        .unwrap_err()
        .to_string()
        .contains("the formula is empty"));
    assert!(formula_error("x = N;\nx = D; E + x")
        .starts_with("line 2, column 1: \"x\" is defined twice"));
}

// --- fields --------------------------------------------------------------

#[test]
fn plan_fields_name_the_field() {
    assert_eq!(
        read_field("abc", "largest model", false).unwrap_err(),
        "largest model \"abc\": not a number"
    );
    assert_eq!(
        read_field(" -3 ", "most tokens", false).unwrap_err(),
        "most tokens \"-3\": -3 is not positive"
    );
    assert!(read_field("1e400", "unique tokens", false)
        .unwrap_err()
        .starts_with("unique tokens \"1e400\": NaN or infinity"));
    assert_eq!(read_field("", "largest model", false), Ok(None));
    assert_eq!(read_field("0", "inference tokens", true), Ok(Some(0.0)));
}

#[test]
fn a_hardware_budget_beyond_f64_or_that_rounds_to_zero() {
    let hw = |g: &str, p: &str, u: &str| BudgetInput::Hardware {
        gpus: g.into(),
        hours: "1000".into(),
        peak_flops: p.into(),
        utilization: u.into(),
    };
    let m = hw("1e300", "1e300", "0.5").flops().unwrap_err();
    assert!(
        m.starts_with("compute budget:") && m.contains("inf FLOPs, not a usable number"),
        "{m}"
    );
    let m = hw("1e-300", "1e-300", "0.5").flops().unwrap_err();
    assert!(m.contains("is 0 FLOPs, not a usable number"), "{m}");
    assert!(hw("x", "1e15", "0.4")
        .flops()
        .unwrap_err()
        .starts_with("GPUs: \"x\": not a number"));
}

#[test]
fn a_utilization_that_rounds_to_zero_or_passes_one() {
    assert!(parse_utilization("4.9e-324%")
        .unwrap_err()
        .contains("\"4.9e-324%\" is too small to tell from zero"));
    assert!(parse_utilization("150%")
        .unwrap_err()
        .contains("\"150%\" is above 100%"));
    assert!(parse_utilization("0")
        .unwrap_err()
        .contains("\"0\": 0 is not positive"));
}
