use frontier_engine::conventions::{compare_conventions, hoffmann_flops_per_token, Shape};
use frontier_engine::data::{parse_runs, Needs};
use frontier_engine::Dataset;

/// Runs of small models whose loss follows the Chinchilla law in the
/// non-embedding size 12 L d^2, with a 50k vocabulary and 2048 context; the
/// N column counts every parameter (embeddings too), as Hoffmann did.
fn shaped_runs() -> String {
    let mut text = String::from("N,D,loss,n_layer,d_model,vocab_size,seq_len\n");
    for (l, d) in [
        (4.0, 256.0),
        (6.0, 384.0),
        (8.0, 512.0),
        (12.0, 768.0),
        (16.0, 1024.0),
        (24.0, 1536.0),
    ] {
        let n_nonemb: f64 = 12.0 * l * d * d;
        let n_all = n_nonemb + 2.0 * 50257.0 * d;
        for ratio in [5.0, 10.0, 20.0, 40.0, 80.0] {
            let tokens = ratio * n_all;
            let loss = 1.7 + 400.0 / n_nonemb.powf(0.34) + 410.0 / tokens.powf(0.28);
            text += &format!("{n_all},{tokens},{loss},{l},{d},50257,2048\n");
        }
    }
    text
}

#[test]
fn counting_conventions_move_the_exponent() {
    let text = shaped_runs();
    let table = parse_runs(&text);
    let data = Dataset::from_text(&text, Needs::ParamsAndTokens, 0, 5)
        .unwrap()
        .0;
    let rows = compare_conventions(&table, &data, 1e-3, Some(1e21));
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "as_given",
            "kaplan",
            "kaplan_attention",
            "porian",
            "deepseek",
            "hoffmann"
        ]
    );
    for r in &rows {
        if r.id == "kaplan_attention" || r.id == "hoffmann" {
            // Only the compute counted differs from Kaplan's: no separate fit.
            assert!(
                r.a.is_none() && r.note.is_some() && r.a_direct.is_some(),
                "{r:?}"
            );
        } else {
            assert!(r.a.is_some() && r.n_star.is_some(), "{r:?}");
        }
    }
    let a = |id: &str| rows.iter().find(|r| r.id == id).unwrap().a.unwrap();
    // The law is exact in the non-embedding size: that count recovers its
    // a = beta/(alpha + beta) = 0.28/0.62.
    assert!((a("kaplan") - 0.28 / 0.62).abs() < 1e-3, "{}", a("kaplan"));
    // Counting the embeddings bends the small models' sizes and moves a.
    assert!(
        (a("as_given") - a("kaplan")).abs() > 0.01,
        "{} {}",
        a("as_given"),
        a("kaplan")
    );
    // Without shape columns only the N as given is counted.
    let plain = "N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n4e8,8e9,2.8\n8e8,1.6e10,2.7\n1.6e9,3.2e10,2.6\n3.2e9,6.4e10,2.5\n";
    let t = parse_runs(plain);
    let d = Dataset::from_text(plain, Needs::ParamsAndTokens, 0, 5)
        .unwrap()
        .0;
    let rows = compare_conventions(&t, &d, 1e-3, None);
    assert!(rows[0].a.is_some());
    assert!(rows[1].note.as_deref().unwrap().contains("shape columns"));
}

#[test]
fn hoffmanns_full_count_by_hand() {
    // 8 layers of width 512, 8 heads, vocabulary 32,000, context 2048, per
    // token: 3 x (embeddings 2Vd + logits 2Vd + 8 x (attention 6d^2 + 2sd +
    // 3Hs + 2sd + 2d^2, dense 16d^2)).
    let (l, d, v, s, h) = (8.0, 512.0, 32000.0, 2048.0, 8.0);
    let forward = 2.0 * v * d
        + 2.0 * v * d
        + l * (6.0 * d * d + 2.0 * s * d + 3.0 * h * s + 2.0 * s * d + 2.0 * d * d + 16.0 * d * d);
    let shape = Shape {
        layers: Some(l),
        width: Some(d),
        vocab: Some(v),
        context: Some(s),
        heads: Some(h),
    };
    let got = hoffmann_flops_per_token(&shape).unwrap();
    assert!((got / (3.0 * forward) - 1.0).abs() < 1e-14, "{got}");
    // Without a heads column: heads of width 64, the same here.
    let no_heads = Shape {
        heads: None,
        ..shape
    };
    assert_eq!(hoffmann_flops_per_token(&no_heads), Some(got));
    // Against 6N (N = 12 L d^2 + V d): near 1 for a model of billions of
    // parameters (Hoffmann found 0.99 to 1.10 for his 73M to 6.8B models),
    // well above it for a small model with a long context.
    let ratio_to_6n = |shape: &Shape| {
        let (l, d) = (shape.layers.unwrap(), shape.width.unwrap());
        let n = 12.0 * l * d * d + shape.vocab.unwrap() * d;
        hoffmann_flops_per_token(shape).unwrap() / (6.0 * n)
    };
    let big = Shape {
        layers: Some(32.0),
        width: Some(4096.0),
        vocab: Some(32000.0),
        context: Some(2048.0),
        heads: Some(32.0),
    };
    assert!(
        (ratio_to_6n(&big) - 1.0).abs() < 0.11,
        "{}",
        ratio_to_6n(&big)
    );
    assert!(ratio_to_6n(&shape) > 1.5, "{}", ratio_to_6n(&shape));
    // Any shape column missing: no count.
    assert_eq!(
        hoffmann_flops_per_token(&Shape { vocab: None, ..big }),
        None
    );
}

#[test]
fn a_table_recounted_from_its_shape() {
    use frontier_engine::conventions::{recount_table, Counting, FlopsCount, ParamsCount};
    let text = shaped_runs();
    let mut table = parse_runs(&text);
    let before: Vec<(f64, f64)> = table
        .runs
        .iter()
        .map(|r| (r.n().unwrap(), r.d().unwrap()))
        .collect();
    let counting = Counting {
        params: ParamsCount::NonEmbedding,
        flops: FlopsCount::SixNAttention,
    };
    recount_table(&mut table, counting).unwrap();
    for (run, (_, d)) in table.runs.iter().zip(&before) {
        // D kept; N = 12 L d^2 from this line's shape; C = (6N + 6 L s d) D.
        let l: f64 = run.extra[0].parse().unwrap();
        let w: f64 = run.extra[1].parse().unwrap();
        let n = 12.0 * l * w * w;
        assert_eq!(run.n(), Some(n));
        assert_eq!(run.tokens, Some(*d));
        let c = (6.0 * n + 6.0 * l * 2048.0 * w) * d;
        assert!((run.compute.unwrap() / c - 1.0).abs() < 1e-12);
    }
    // k: the median of (6N + 6 L s d)/N over the runs, above 6.
    assert!(table.compute.as_given && table.compute.k > 6.0);
    assert!(table
        .compute_convention_note()
        .unwrap()
        .starts_with("N and C recounted from the models' shape: N non-embedding"));
    // A table without shape columns: every run named.
    let mut bare = parse_runs("N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n");
    let issues = recount_table(&mut bare, counting).unwrap_err();
    assert_eq!(
        issues.iter().map(|i| i.line).collect::<Vec<_>>(),
        [Some(2), Some(3)]
    );
}
