//! The charts drawn into SVG natively: every chart renders, with its axis
//! titles, legend entries and the right number of run markers.

use frontier_engine::data::Needs;
use frontier_engine::laws::preset;
use frontier_engine::{fit, Dataset, FitOptions, Model};
use frontier_plots::{
    allocation_chart, fit_chart, isoflop_chart, loss_chart, residual_chart, ChartInput, Curve,
    FIT_COLOR, PRESET_COLORS,
};

fn chinchilla() -> Model {
    Model::catalogue("chinchilla").unwrap()
}
use plotters::prelude::*;

fn reference() -> Dataset {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../engine/tests/data/chinchilla_svg_extracted.csv"
    ))
    .unwrap();
    Dataset::from_text(&text, Needs::ParamsAndTokens, 5, 5)
        .unwrap()
        .0
}

fn input(with_fit: bool) -> ChartInput {
    let data = reference();
    let mut input = ChartInput {
        budget: Some(5.76e23),
        presets: vec![Curve {
            label: "Besiroglu 2024".into(),
            model: chinchilla(),
            params: preset("besiroglu").unwrap().1.values,
            color: PRESET_COLORS[0],
        }],
        ..ChartInput::default()
    };
    if with_fit {
        // A small grid keeps this test fast; the fit only needs to be sensible.
        let mut opts = FitOptions::hoffmann(&chinchilla());
        opts.grid.axes = vec![
            vec![0.5],
            vec![5.0, 6.0],
            vec![7.0, 8.0],
            vec![0.3],
            vec![0.3],
        ];
        let r = fit(&chinchilla(), &data, &opts).unwrap();
        let r_for_boot = r.clone();
        input.residuals = frontier_engine::fit::residuals(&chinchilla(), &r.params, &data);
        input.fitted = Some(Curve {
            label: "your fit".into(),
            model: chinchilla(),
            params: r.params,
            color: FIT_COLOR,
        });
        input.points = data.points.clone();
        input.dropped = data
            .dropped
            .iter()
            .map(|r| (r.c().unwrap(), r.loss))
            .collect();
        input.isoflop = frontier_engine::approaches::isoflop(
            &data,
            frontier_engine::approaches::DEFAULT_TOLERANCE,
        )
        .ok();
        input.resamples = frontier_engine::bootstrap::run_resamples(
            &chinchilla(),
            &data,
            &opts,
            &r_for_boot,
            &frontier_engine::bootstrap::BootstrapOptions {
                resamples: 20,
                seed: 1,
                restarts: 0,
            },
            &(0..20).collect::<Vec<_>>(),
            |_, _| true,
        )
        .unwrap();
    }
    input
}

/// Keep a drawn chart under target/tmp/charts for looking at.
fn keep(name: &str, svg: &str) {
    let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/charts");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(format!("{dir}/{name}.svg"), svg).unwrap();
}

fn svg(draw: impl Fn(&DrawingArea<SVGBackend, plotters::coord::Shift>)) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (1200, 800)).into_drawing_area();
        draw(&area);
    }
    out
}

#[test]
fn loss_chart_shows_runs_frontier_presets_and_axis_titles() {
    let inp = input(true);
    let s = svg(|a| loss_chart(a, &inp).unwrap());
    assert!(s.contains("training compute C (FLOPs)"));
    assert!(s.contains("final loss (nats/token)"));
    assert!(s.contains("your fit"));
    assert!(s.contains("Besiroglu 2024"));
    assert!(s.contains("95% bootstrap band"));
    assert!(s.contains("left out of the fit (5 highest losses)"));
    // 240 runs and 5 dropped ones, plus two legend markers.
    assert_eq!(s.matches("<circle").count(), 247, "circles");
    keep("loss", &s);
}

#[test]
fn allocation_chart_shades_the_data_range_and_marks_the_budget() {
    let inp = input(true);
    let s = svg(|a| allocation_chart(a, &inp).unwrap());
    assert!(s.contains("compute range of the data"));
    assert!(s.contains("95% bootstrap bands"));
    assert!(s.contains("dashed: extrapolation beyond the data"));
    assert!(s.contains("N* (parameters)") && s.contains("D* (tokens)"));
    assert!(s.contains("budget 5.76e23"), "budget label");
    assert!(s.contains("stroke-dasharray") || s.matches("<polyline").count() > 4);
    keep("allocation", &s);
}

#[test]
fn residual_chart_draws_one_marker_per_point() {
    let inp = input(true);
    let s = svg(|a| residual_chart(a, &inp).unwrap());
    assert_eq!(s.matches("<circle").count(), 240);
    assert!(s.contains("residual (log)"));
    keep("residuals", &s);
}

#[test]
fn charts_without_data_draw_presets_or_a_hint() {
    let inp = input(false);
    let s = svg(|a| loss_chart(a, &inp).unwrap());
    assert!(s.contains("Besiroglu 2024"));
    let s = svg(|a| allocation_chart(a, &inp).unwrap());
    assert!(s.contains("N* (parameters), Besiroglu 2024"));
    let s = svg(|a| residual_chart(a, &ChartInput::default()).unwrap());
    assert!(s.contains("fit your data"));
    let s = svg(|a| allocation_chart(a, &ChartInput::default()).unwrap());
    assert!(s.contains("choose a published law"));
}

#[test]
fn isoflop_chart_draws_profiles_and_minima() {
    let inp = input(true);
    let fit = inp.isoflop.clone().unwrap();
    let s = svg(|a| isoflop_chart(a, &inp).unwrap());
    assert!(s.contains("model size N (parameters)"));
    assert!(s.contains("minimum of each profile"));
    let runs: usize = fit.budgets.iter().map(|b| b.members.len()).sum();
    // Every run of a used budget, plus the legend's marker and a hidden anchor.
    assert_eq!(s.matches("<circle").count(), runs + 2);
    keep("isoflop", &s);
    let s = svg(|a| isoflop_chart(a, &ChartInput::default()).unwrap());
    assert!(s.contains("no IsoFLOP profiles"));
}

/// A law of one variable that is not compute (Kaplan's L(N)): the fit chart
/// draws the runs and the fitted curve against N, the residuals against N.
#[test]
fn fit_chart_draws_a_one_variable_law_against_its_variable() {
    let model = Model::catalogue("kaplan_n").unwrap();
    let mut text = String::from("N,loss\n");
    for i in 0..10 {
        let n = 1e6 * 10f64.powf(i as f64 / 2.0);
        text += &format!(
            "{n},{}\n",
            (8.8e13 / n).powf(0.076) * (1.0 + 0.01 * ((i % 3) as f64 - 1.0))
        );
    }
    let table = frontier_engine::parse_runs(&text);
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 0, 2).unwrap();
    let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
    let inp = ChartInput {
        points: data.points.clone(),
        residuals: model.residuals(&r.params, &data),
        targets: data.target.clone(),
        target_label: "loss".into(),
        xs: data.column("N").unwrap().to_vec(),
        x_label: "N".into(),
        fitted: Some(Curve {
            label: "your fit (Kaplan L(N))".into(),
            model,
            params: r.params,
            color: FIT_COLOR,
        }),
        ..ChartInput::default()
    };
    assert!(inp.has_fit_chart());
    assert!(!inp.has_allocation());
    let s = svg(|a| fit_chart(a, &inp).unwrap());
    assert!(s.contains("loss against N"));
    assert!(s.contains("your fit (Kaplan L(N))"));
    assert_eq!(s.matches("<circle").count(), 11);
    keep("fit", &s);
    let s = svg(|a| residual_chart(a, &inp).unwrap());
    assert_eq!(s.matches("<circle").count(), 10);
}

#[test]
fn curves_and_learning_rate_charts() {
    use frontier_plots::{curves_chart, lr_chart, CurvesInput, Series, SeriesKind, RUN_COLORS};
    let run = |name: &str, k: usize, drop: f64| Series {
        label: name.into(),
        points: (1..=100)
            .map(|s| {
                (
                    s as f64 * 10.0,
                    2.5 + 8.0 / (s as f64).sqrt() - drop * s as f64 / 100.0,
                )
            })
            .collect(),
        color: RUN_COLORS[k],
        kind: SeriesKind::Observed,
    };
    let mut input = CurvesInput {
        loss: vec![run("cosine", 0, 0.2), run("constant", 1, 0.0)],
        lr: vec![Series {
            label: "cosine".into(),
            points: (1..=1000)
                .map(|s| (s as f64, 3e-4 * (1.0 - s as f64 / 2000.0)))
                .collect(),
            color: RUN_COLORS[0],
            kind: SeriesKind::Observed,
        }],
        log_x: false,
    };
    input.loss.push(Series {
        label: "predicted wsd: final 2.61".into(),
        points: vec![(10.0, 9.0), (1000.0, 2.61)],
        color: RGBColor(0, 0, 0),
        kind: SeriesKind::Predicted,
    });
    for log_x in [false, true] {
        input.log_x = log_x;
        let out = svg(|a| curves_chart(a, &input).unwrap());
        assert!(
            out.contains("Loss curves") && out.contains("step"),
            "{log_x}"
        );
        assert!(out.contains("cosine") && out.contains("constant"));
        assert!(out.contains("predicted wsd: final 2.61"));
        // 200 logged losses, the first 2% of steps above the axis excluded
        // only from its range, not from the drawing (but clipped out).
        assert!(out.matches("<circle").count() >= 150);
        let lr = svg(|a| lr_chart(a, &input).unwrap());
        assert!(lr.contains("Learning rate"));
        assert!(
            lr.contains("e-4") || lr.contains("e-5"),
            "learning-rate ticks"
        );
    }
    let empty = svg(|a| curves_chart(a, &CurvesInput::default()).unwrap());
    assert!(empty.contains("paste a training history"));
}

#[test]
fn contour_chart_shows_levels_iso_compute_path_runs_and_plan() {
    use frontier_plots::contour_chart;
    let out = svg(|a| contour_chart(a, &input(true)).unwrap());
    for want in [
        "Iso-loss contours",
        "equal loss",
        "C = 6ND, one line per decade",
        "compute-optimal path",
        "plan at the budget",
        "N (parameters)",
        "D (tokens)",
    ] {
        assert!(out.contains(want), "{want}");
    }
    // Every run that fits the region is drawn.
    assert!(out.matches("<circle").count() >= 200);
    let none = svg(|a| contour_chart(a, &ChartInput::default()).unwrap());
    assert!(none.contains("fit a law of N and D"));
}

#[test]
fn inference_chart_shows_both_plans_and_the_saving() {
    use frontier_engine::optimal::ChinchillaParams;
    use frontier_plots::inference_chart;
    let law = ChinchillaParams::from_slice(&[1.69, 406.4, 410.7, 0.336, 0.283]);
    let out = svg(|a| inference_chart(a, &law, 1e13, 1.9583).unwrap());
    assert!(out.contains("Chinchilla plan") && out.contains("inference-aware, 1.0e13 served"));
    // Sardana's worked example: 28% fewer FLOPs.
    assert!(out.contains("28.0% fewer FLOPs"), "saving");
    let bad = svg(|a| inference_chart(a, &law, 1e13, 1.5).unwrap());
    assert!(bad.contains("above E"));
}
