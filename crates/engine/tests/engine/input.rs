use frontier_engine::data::{Needs, Quantity};
use frontier_engine::{parse_runs, Dataset};

fn messages(text: &str) -> Vec<String> {
    parse_runs(text)
        .issues
        .iter()
        .map(|i| i.to_string())
        .collect()
}

#[test]
fn the_reference_file_pastes_as_it_is() {
    let t = parse_runs(&crate::reference_csv());
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs.len(), 245);
    assert!(t.has(Quantity::Params) && t.has(Quantity::Compute) && t.has(Quantity::Loss));
    assert!(!t.has(Quantity::Tokens));
    assert_eq!(t.ignored, vec!["x", "y", "color", "hex_color"]);
    let d = Dataset::build(&t.runs, Needs::ParamsAndTokens, 5, 5).unwrap();
    assert_eq!(d.len(), 240);
    let mut dropped: Vec<f64> = d.dropped.iter().map(|r| r.loss).collect();
    dropped.sort_by(f64::total_cmp);
    let expect = [3.447, 3.766, 3.794, 4.665, 5.006];
    for (got, want) in dropped.iter().zip(expect) {
        assert!((got - want).abs() < 6e-4, "dropped {dropped:?}");
    }
    // D = C / (6 N) for every point.
    for p in &d.points {
        assert!((6.0 * p.n * p.d / p.c - 1.0).abs() < 1e-12);
    }
}

#[test]
fn tsv_whitespace_and_suffixes() {
    let tsv = "params\ttokens\tval_loss\n70B\t1.4T\t1.94\n400M\t8B\t2.9\n";
    let t = parse_runs(tsv);
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].params, Some(70e9));
    assert_eq!(t.runs[0].tokens, Some(1.4e12));
    assert_eq!(t.runs[0].c(), Some(6.0 * 70e9 * 1.4e12));
    let ws = "N   D   loss\n1e8 2e9 3.1\n\n2e8  4e9  2.9\n";
    let t = parse_runs(ws);
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs.len(), 2);
    assert_eq!(t.runs[1].line, 4);
}

#[test]
fn quoted_csv_and_wandb_style_headers() {
    let csv = "\"Name\",\"n_params\",\"FLOPs\",\"eval/loss\"\n\"run, a\",1e8,6e18,3.2\n";
    let t = parse_runs(csv);
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].compute, Some(6e18));
    assert_eq!(t.runs[0].d(), Some(6e18 / 6e8));
}

#[test]
fn not_a_number_names_line_and_column() {
    let m = messages("N,D,loss\n1e8,2e9,3.1\n1e8,abc,3.0\n");
    assert_eq!(m, vec!["line 3, column \"D\": \"abc\": not a number"]);
}

#[test]
fn not_positive_nan_and_infinity() {
    let m = messages("N,D,loss\n-1e8,2e9,3.1\n1e8,2e9,NaN\n1e8,inf,3\n0,1,1\n");
    assert_eq!(m.len(), 4, "{m:?}");
    assert!(m[0].starts_with("line 2, column \"N\"") && m[0].contains("not positive"));
    assert!(m[1].starts_with("line 3, column \"loss\"") && m[1].contains("NaN or infinity"));
    assert!(m[2].starts_with("line 4, column \"D\"") && m[2].contains("NaN or infinity"));
    assert!(m[3].contains("not positive"));
}

#[test]
fn missing_columns_are_fatal_and_say_what_is_needed() {
    // A table without a loss can still feed a law of another column (a
    // benchmark metric); a law of the loss says what is missing.
    let issues = Dataset::from_text("N,D,acc\n1,2,3\n", Needs::ParamsAndTokens, 0, 1).unwrap_err();
    assert!(issues[0].message.contains("no loss column"), "{issues:?}");
    let issues = Dataset::from_text("N,loss\n1,2\n", Needs::ParamsAndTokens, 0, 1).unwrap_err();
    assert!(issues[0]
        .message
        .contains("tokens column (D) or a compute column (C)"));
    // N and the loss are enough for a law of N alone.
    let t = parse_runs("N,loss\n1e8,3\n1e9,2.8\n");
    assert!(!t.fatal);
    assert!(Dataset::for_law(&t, &["N".into()], "L", 0, 1).is_ok());
}

#[test]
fn short_rows_and_empty_values() {
    let m = messages("N,D,loss\n1e8,2e9\n1e8,,3\n");
    assert!(
        m[0].starts_with("line 2, column \"loss\": missing value"),
        "{m:?}"
    );
    assert!(
        m[1].starts_with("line 3, column \"D\": missing value"),
        "{m:?}"
    );
}

#[test]
fn empty_and_header_only_input() {
    let t = parse_runs("  \n\n");
    assert!(t.fatal);
    assert!(t.issues[0].message.starts_with("no data"));
    let t = parse_runs("N,D,loss\n");
    assert!(t.runs.is_empty());
    assert!(t.issues[0].message.contains("no run follows"));
}

#[test]
fn too_few_points_for_the_law() {
    let t = parse_runs("N,D,loss\n1e8,2e9,3\n2e8,2e9,2.9\n");
    let err = Dataset::build(&t.runs, Needs::ParamsAndTokens, 0, 5).unwrap_err();
    assert!(err[0].message.contains("too few points"), "{err:?}");
    let err = Dataset::build(&t.runs, Needs::ParamsAndTokens, 2, 1).unwrap_err();
    assert!(
        err[0].message.contains("0 usable after dropping 2"),
        "{err:?}"
    );
}

#[test]
fn an_empty_cell_in_a_present_column_is_reported() {
    let t = parse_runs("N,C,loss\n1e8,1e20,3\n,1e21,2.8\n");
    assert_eq!(t.runs.len(), 1);
    assert_eq!(
        t.issues[0].to_string(),
        "line 3, column \"N\": missing value for N (parameters)"
    );
}

#[test]
fn compute_only_data_for_the_two_variable_law_is_one_message() {
    // Regression: every line used to repeat the same complaint.
    let t = parse_runs("C,loss\n1e20,3\n1e21,2.8\n3e21,2.7\n");
    let err = Dataset::build(&t.runs, Needs::ParamsAndTokens, 0, 1).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(
        err[0].message.contains("choose the power law in compute"),
        "{err:?}"
    );
    assert!(Dataset::build(&t.runs, Needs::Compute, 0, 1).is_ok());
}

#[test]
fn a_separator_ending_a_line_adds_no_field() {
    for text in [
        "N,D,loss\n1e8,2e9,3.1,\n2e8,4e9,2.9\n",
        "N;D;loss\n1e8;2e9;3.1;\n",
        "N\tD\tloss\n1e8\t2e9\t3.1\t\n",
    ] {
        let t = parse_runs(text);
        assert!(t.issues.is_empty(), "{text:?}: {:?}", t.issues);
        assert_eq!(t.runs[0].loss, 3.1);
    }
}

#[test]
fn a_line_with_more_fields_than_the_header_is_reported() {
    let t = parse_runs("N,D,loss\n1e8,2e9,3.1\n1e8,2e9,3.0,7\n");
    assert_eq!(t.runs.len(), 1);
    assert_eq!(
        t.issues[0].to_string(),
        "line 3: the line has 4 fields but the header has 3"
    );
}

#[test]
fn garbage_never_panics() {
    for text in [
        "\u{0}\u{1}\u{2}",
        ",,,,\n,,,,",
        "loss\n\"unterminated",
        "N;D;loss\n1;2;3\n1;2",
        "N D loss\n1 2 3 4 5 6\n",
        "N,D,loss\n1e308,1e308,1e308\n",
    ] {
        let _ = parse_runs(text);
    }
}

/// A byte-order mark, CR LF, LF and lone CR line endings read the same.
#[test]
fn bom_and_every_line_ending_read_the_same() {
    let lf = "N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n";
    let want = parse_runs(lf);
    for text in [
        format!("\u{feff}{lf}"),
        lf.replace('\n', "\r\n"),
        lf.replace('\n', "\r"),
        format!("\u{feff}{}", lf.replace('\n', "\r")),
    ] {
        let t = parse_runs(&text);
        assert!(t.issues.is_empty(), "{:?}", t.issues);
        assert_eq!(t.runs, want.runs);
        assert_eq!(t.recognised, want.recognised);
    }
    // Line numbers count CR LF once.
    let t = parse_runs("N,D,loss\r\n1e8,2e9,3.1\r\n1e8,x,3\r\n");
    assert_eq!(t.issues[0].line, Some(3));
}

/// Two columns of one name are an error naming both, not a silent choice.
#[test]
fn duplicate_column_names_are_an_error() {
    let t = parse_runs("N,loss,D,Loss\n1e8,3.1,2e9,3.0\n");
    assert!(t.fatal);
    assert!(
        t.issues[0]
            .message
            .contains("columns 2 and 4 are both named \"Loss\""),
        "{:?}",
        t.issues
    );
}

/// A space inside a number shifts a whitespace-separated row: reported, not
/// read into the wrong columns; a printed index column on every row is not.
#[test]
fn shifted_whitespace_rows_are_reported_and_index_columns_dropped() {
    let t = parse_runs("N D loss\n1e8 2e9 3.1\n70 000 2e9 3.0\n2e8 4e9 2.9\n");
    assert_eq!(t.runs.len(), 2);
    assert!(
        t.issues[0]
            .message
            .contains("4 fields but the header has 3"),
        "{:?}",
        t.issues
    );
    let t = parse_runs("N D loss\n0 1e8 2e9 3.1\n1 2e8 4e9 2.9\n");
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[1].params, Some(2e8));
}

/// A spreadsheet's TSV with thousands separators and decimal commas: read
/// per column, and the choice reported.
#[test]
fn thousands_separators_and_decimal_commas_per_column() {
    let t = parse_runs(
        "Params\tTokens\tLoss\n1,000,000\t2,000,000,000\t3,25\n400,000,000\t8,000,000,000\t2,5\n",
    );
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].params, Some(1e6));
    assert_eq!(t.runs[1].tokens, Some(8e9));
    assert_eq!(t.runs[0].loss, 3.25);
    assert_eq!(t.runs[1].loss, 2.5);
    assert_eq!(t.number_formats.len(), 3);
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "Loss" && f.contains("decimal")));
    assert!(t
        .number_formats
        .iter()
        .any(|(h, f)| h == "Params" && f.contains("thousands")));
    // Semicolons with decimal commas, the European CSV.
    let t = parse_runs("N;D;loss\n1e8;2e9;3,125\n2e8;4e9;2,875\n");
    assert_eq!(t.runs[0].loss, 3.125);
}

/// A compute column in PF-days, named in its header, is read in FLOPs; sizes
/// in millions likewise; an unknown unit is an error that says what to write.
#[test]
fn units_in_headers_are_read() {
    let t = parse_runs("N (M),compute (PF-days),loss\n100,1.0,3.1\n400,4.0,2.9\n");
    assert!(t.issues.is_empty(), "{:?}", t.issues);
    assert_eq!(t.runs[0].params, Some(1e8));
    assert_eq!(t.runs[1].compute, Some(4.0 * 8.64e19));
    assert_eq!(t.units.len(), 2);
    let t = parse_runs("N,flops [PF-days],loss\n1e8,1,3\n");
    assert_eq!(t.runs[0].compute, Some(8.64e19));
    let t = parse_runs("N,compute (kWh),loss\n1e8,1,3\n");
    assert!(t.fatal);
    assert!(t.issues[0].message.contains("PF-days"), "{:?}", t.issues);
}

/// A compute column of 2ND (the forward pass alone) is named, and the runs
/// are placed at C = 6ND, the frontier's convention: plots and answers never
/// mix the two.
#[test]
fn a_compute_column_of_another_convention_is_named_and_not_mixed() {
    let mut text = String::from("N,D,C,loss\n");
    for (n, d) in [(1e8, 2e9), (4e8, 8e9), (1e9, 2e10)] {
        text += &format!("{n},{d},{},3.0\n", 2.0 * n * d);
    }
    let t = parse_runs(&text);
    assert!((t.compute_ratio().unwrap() - 2.0).abs() < 1e-12);
    let note = t.compute_convention_note().unwrap();
    assert!(note.contains("2.00·N·D") && note.contains("6ND"), "{note}");
    let (d, _) = Dataset::for_law(&t, &["C".to_string()], "L", 0, 1).unwrap();
    assert_eq!(d.points[0].c, 6.0 * 1e8 * 2e9);
    assert_eq!(d.column("C").unwrap()[0], 6.0 * 1e8 * 2e9);
    // Within 5% of 6 (attention FLOPs, say): no note.
    let t = parse_runs("N,D,C,loss\n1e8,2e9,1.23e18,3\n");
    assert!(t.compute_convention_note().is_none());
}

#[test]
fn a_compute_column_in_gpu_hours_with_the_gpus_speed() {
    use frontier_engine::data::parse_runs;
    // 1000 GPU-hours at 989e12 FLOP/s and 40%: 1000 * 3600 * 989e12 * 0.4.
    let t = parse_runs("compute (GPU-hours @ 989e12 40%),loss\n1000,3.2\n2000,3.0\n");
    assert!(!t.fatal, "{:?}", t.issues);
    let c = t.runs[0].compute.unwrap();
    assert!(
        (c / (1000.0 * 3600.0 * 989e12 * 0.4) - 1.0).abs() < 1e-12,
        "{c}"
    );
    assert!(t.units[0].1.contains("GPU-hours"), "{:?}", t.units);
    // Without the GPU's speed the unit cannot be read, and the message says how.
    let t = parse_runs("compute (GPU-hours),loss\n1000,3.2\n");
    assert!(t.fatal);
    assert!(t.issues[0].message.contains("989e12 40%"), "{:?}", t.issues);
    let t = parse_runs("compute (GPU-hours @ 989e12 140%),loss\n1000,3.2\n");
    assert!(t.issues[0].message.contains("above 100%"), "{:?}", t.issues);
}

#[test]
fn a_signed_zero_keeps_its_sign() {
    use frontier_engine::data::parse_value;
    assert!(parse_value("-0").unwrap().is_sign_negative());
    assert!(parse_value("0").unwrap().is_sign_positive());
    assert_eq!(parse_value("-2.5").unwrap(), -2.5);
}

/// A unit written twice or left out makes a lone value far beyond the rest
/// of its column: named with its line. A header pasted again is named too.
#[test]
fn implausible_values_and_a_repeated_header_are_named() {
    use frontier_engine::diagnose::implausible_values;
    use frontier_engine::Dataset;
    let mut text = String::from("params,tokens,loss\n");
    for (n, d) in [
        (1e8, 2e9),
        (2e8, 4e9),
        (4e8, 8e9),
        (8e8, 1.6e10),
        (1.6e9, 3.2e10),
    ] {
        text += &format!("{n:e},{d:e},{}\n", 1.8 + 400.0 / f64::powf(n, 0.34));
    }
    let (clean, _) =
        Dataset::from_text(&text, frontier_engine::data::Needs::ParamsAndTokens, 0, 2).unwrap();
    assert!(implausible_values(&clean).is_empty());
    let twice = format!("{text}params,tokens,loss\n1.266e+09B,1.288e10,2.55\n500,2e9,3.0\n");
    let table = frontier_engine::parse_runs(&twice);
    assert!(
        table
            .issues
            .iter()
            .any(|i| i.line == Some(7) && i.message.contains("header again")),
        "{:?}",
        table.issues
    );
    let (data, _) =
        Dataset::from_text(&twice, frontier_engine::data::Needs::ParamsAndTokens, 0, 2).unwrap();
    let w = implausible_values(&data).join("\n");
    assert!(w.contains("N on line 8 is 1.266e18"), "{w}");
    assert!(w.contains("N on line 9 is 500"), "{w}");
    // A wide but even spread is no typo: Kaplan's sizes span 1e3 to 1e9.
    let mut wide = String::from("N,D,loss\n");
    for k in 3..=9 {
        wide += &format!("1e{k},2e10,{}\n", 2.0 + 10.0 / k as f64);
    }
    let (data, _) =
        Dataset::from_text(&wide, frontier_engine::data::Needs::ParamsAndTokens, 0, 2).unwrap();
    assert!(
        implausible_values(&data).is_empty(),
        "{:?}",
        implausible_values(&data)
    );
    // Tokens in billions with no unit said, and perplexities for losses.
    let mut billions = String::from("N,D,loss\n");
    for k in 1..=5 {
        let n = 1e8 * k as f64;
        billions += &format!("{n:e},{},{}\n", 2 * k, 20.0 + 400.0 / f64::powf(n, 0.34));
    }
    let (data, _) = Dataset::from_text(
        &billions,
        frontier_engine::data::Needs::ParamsAndTokens,
        0,
        2,
    )
    .unwrap();
    let w = implausible_values(&data).join("\n");
    assert!(
        w.contains("D on line 2 is 2.000 tokens") && w.contains("\"tokens (B)\""),
        "{w}"
    );
    assert!(
        w.contains("Every loss is above 12") && w.contains("ln(perplexity)"),
        "{w}"
    );
    assert!(!w.contains("N on line"), "{w}");
}
