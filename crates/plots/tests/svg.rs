//! The charts drawn into SVG natively: every chart renders, with its axis
//! titles, legend entries and the right number of run markers.

use frontier_engine::data::Needs;
use frontier_engine::laws::preset;
use frontier_engine::{fit, Dataset, FitOptions, Model};
use frontier_plots::{
    allocation_chart, fit_chart, isoflop_chart, loss_chart, residual_chart, ChartInput, Curve,
    Theme, FIT_COLOR, PRESET_COLORS,
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

fn svg<T>(mut draw: impl FnMut(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> T) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (1200, 800)).into_drawing_area();
        let _ = draw(&area);
    }
    out
}

#[test]
fn loss_chart_shows_runs_frontier_presets_and_axis_titles() {
    let inp = input(true);
    let s = svg(|a| loss_chart(a, &inp, &Theme::LIGHT).unwrap());
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
    let s = svg(|a| allocation_chart(a, &inp, &Theme::LIGHT).unwrap());
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
    let s = svg(|a| residual_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert_eq!(s.matches("<circle").count(), 240);
    assert!(s.contains("residual (log)"));
    keep("residuals", &s);
}

#[test]
fn charts_without_data_draw_presets_or_a_hint() {
    let inp = input(false);
    let s = svg(|a| loss_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(s.contains("Besiroglu 2024"));
    let s = svg(|a| allocation_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(s.contains("N* (parameters), Besiroglu 2024"));
    let s = svg(|a| residual_chart(a, &ChartInput::default(), &Theme::LIGHT).unwrap());
    assert!(s.contains("fit your data"));
    let s = svg(|a| allocation_chart(a, &ChartInput::default(), &Theme::LIGHT).unwrap());
    assert!(s.contains("choose a published law"));
}

#[test]
fn isoflop_chart_draws_profiles_and_minima() {
    let inp = input(true);
    let fit = inp.isoflop.clone().unwrap();
    let s = svg(|a| isoflop_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(s.contains("model size N (parameters)"));
    assert!(s.contains("minimum of each profile"));
    let runs: usize = fit.budgets.iter().map(|b| b.members.len()).sum();
    // Every run of a used budget, plus the legend's marker and a hidden anchor.
    assert_eq!(s.matches("<circle").count(), runs + 2);
    keep("isoflop", &s);
    assert!(s.contains("IsoFLOP profiles (Approach 2): loss against model size per compute budget"));
    // On a phone the title is the words before its colon, never cut off.
    let mut narrow = String::new();
    {
        let area = SVGBackend::with_string(&mut narrow, (340, 360)).into_drawing_area();
        isoflop_chart(&area, &inp, &Theme::LIGHT).unwrap();
    }
    assert!(narrow.contains("IsoFLOP profiles (Approach 2)"));
    assert!(!narrow.contains("per compute budget"));
    let s = svg(|a| isoflop_chart(a, &ChartInput::default(), &Theme::LIGHT).unwrap());
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
    let s = svg(|a| fit_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(s.contains("loss against N"));
    assert!(s.contains("your fit (Kaplan L(N))"));
    assert_eq!(s.matches("<circle").count(), 11);
    keep("fit", &s);
    let s = svg(|a| residual_chart(a, &inp, &Theme::LIGHT).unwrap());
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
        tokens_x: false,
    };
    input.loss.push(Series {
        label: "predicted wsd: final 2.61".into(),
        points: vec![(10.0, 9.0), (1000.0, 2.61)],
        color: RGBColor(0, 0, 0),
        kind: SeriesKind::Predicted,
    });
    for log_x in [false, true] {
        input.log_x = log_x;
        let out = svg(|a| curves_chart(a, &input, &Theme::LIGHT).unwrap());
        assert!(
            out.contains("Loss curves") && out.contains("step"),
            "{log_x}"
        );
        assert!(out.contains("cosine") && out.contains("constant"));
        assert!(out.contains("predicted wsd: final 2.61"));
        // 200 logged losses, the first 2% of steps above the axis excluded
        // only from its range, not from the drawing (but clipped out).
        assert!(out.matches("<circle").count() >= 150);
        let lr = svg(|a| lr_chart(a, &input, &Theme::LIGHT).unwrap());
        assert!(lr.contains("Learning rate"));
        assert!(
            lr.contains("e-4") || lr.contains("e-5"),
            "learning-rate ticks"
        );
    }
    // Against tokens seen: the axis says so, its ticks in B (2e6 tokens a
    // step, 2e9 at step 1000).
    let per_step = |s: &Series| Series {
        points: s.points.iter().map(|&(x, y)| (x * 2e6, y)).collect(),
        ..s.clone()
    };
    let tokens = CurvesInput {
        loss: input.loss.iter().map(per_step).collect(),
        lr: input.lr.iter().map(per_step).collect(),
        log_x: false,
        tokens_x: true,
    };
    let out = svg(|a| curves_chart(a, &tokens, &Theme::LIGHT).unwrap());
    assert!(out.contains("tokens seen"), "the x axis names tokens");
    assert!(out.contains("1B") || out.contains("1.5B"), "ticks in B");
    let lr = svg(|a| lr_chart(a, &tokens, &Theme::LIGHT).unwrap());
    assert!(lr.contains("tokens seen"));
    let empty = svg(|a| curves_chart(a, &CurvesInput::default(), &Theme::LIGHT).unwrap());
    assert!(empty.contains("paste a training history"));
}

#[test]
fn contour_chart_shows_levels_iso_compute_path_runs_and_plan() {
    use frontier_plots::contour_chart;
    let out = svg(|a| contour_chart(a, &input(true), &Theme::LIGHT).unwrap());
    for want in [
        "Iso-loss contours",
        "equal loss",
        "C = 6·N·D, one line per decade",
        "compute-optimal path",
        "plan at the budget",
        "N (parameters)",
        "D (tokens)",
    ] {
        assert!(out.contains(want), "{want}");
    }
    // Every run that fits the region is drawn.
    assert!(out.matches("<circle").count() >= 200);
    let none = svg(|a| contour_chart(a, &ChartInput::default(), &Theme::LIGHT).unwrap());
    assert!(none.contains("fit a law of N and D"));
}

#[test]
fn inference_chart_shows_both_plans_and_the_saving() {
    use frontier_engine::optimal::ChinchillaParams;
    use frontier_plots::inference_chart;
    let law = ChinchillaParams::from_slice(&[1.69, 406.4, 410.7, 0.336, 0.283]);
    let out =
        svg(|a| inference_chart(a, &law, Default::default(), 1e13, 1.9583, &Theme::LIGHT).unwrap());
    assert!(out.contains("Chinchilla plan") && out.contains("inference-aware, 1.0e13 served"));
    // Sardana's worked example: 28% fewer FLOPs.
    assert!(out.contains("28.0% fewer FLOPs"), "saving");
    let bad =
        svg(|a| inference_chart(a, &law, Default::default(), 1e13, 1.5, &Theme::LIGHT).unwrap());
    assert!(bad.contains("above E"));
}

/// The dark theme paints the background dark and every text light; the
/// light theme stays black on white. Both themes' text reads on their
/// background at WCAG AA contrast.
#[test]
fn dark_theme_paints_a_dark_background_and_light_text() {
    use frontier_plots::theme::contrast;
    let inp = input(true);
    let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let light = svg(|a| loss_chart(a, &inp, &Theme::LIGHT).unwrap());
    let dark = svg(|a| loss_chart(a, &inp, &Theme::DARK).unwrap());
    // The first element drawn is the background fill.
    let first_fill = |s: &str| {
        let i = s.find("fill=\"").unwrap() + 6;
        s[i..i + 7].to_string()
    };
    assert_eq!(first_fill(&light), "#FFFFFF");
    assert_eq!(first_fill(&dark), hex(Theme::DARK.background));
    // Text: black on white, the dark theme's light text on dark.
    let text_fills = |s: &str| -> Vec<String> {
        s.split("<text")
            .skip(1)
            .filter_map(|t| {
                let i = t.find("fill=\"")? + 6;
                Some(t[i..i + 7].to_string())
            })
            .collect()
    };
    let lt = text_fills(&light);
    let dt = text_fills(&dark);
    assert!(lt.len() > 10 && lt.iter().all(|f| f == "#000000"), "{lt:?}");
    assert!(
        dt.len() > 10 && dt.iter().all(|f| *f == hex(Theme::DARK.text)),
        "{dt:?}"
    );
    for t in [Theme::LIGHT, Theme::DARK] {
        assert!(contrast(t.text, t.background) >= 4.5);
        assert!(contrast(t.muted, t.background) >= 4.5);
        assert!(
            contrast(t.point, t.background) >= 3.0,
            "points are graphics: 3:1"
        );
    }
    // The darkest run colour on the dark theme still stands out.
    let darkest = Theme::DARK.size_color(1.0, 1.0, 100.0);
    assert!(
        contrast(darkest, Theme::DARK.background) >= 2.0,
        "{darkest:?}"
    );
    assert_eq!(
        Theme::LIGHT.size_color(1.0, 1.0, 100.0),
        RGBColor(68, 1, 84)
    );
    // Every chart follows the theme.
    for s in [
        svg(|a| allocation_chart(a, &inp, &Theme::DARK).unwrap()),
        svg(|a| residual_chart(a, &inp, &Theme::DARK).unwrap()),
        svg(|a| isoflop_chart(a, &inp, &Theme::DARK).unwrap()),
        svg(|a| frontier_plots::contour_chart(a, &inp, &Theme::DARK).unwrap()),
    ] {
        assert_eq!(first_fill(&s), hex(Theme::DARK.background));
        assert!(!text_fills(&s).iter().any(|f| f == "#000000"));
    }
}

/// The loss and residual charts say where they drew each run: one mark a
/// run, inside the chart, higher on the screen for a higher loss.
#[test]
fn charts_return_the_pixel_position_of_every_run() {
    let inp = input(true);
    let mut marks = Vec::new();
    svg(|a| marks = loss_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert_eq!(marks.len(), inp.points.len());
    let mut seen: Vec<usize> = marks.iter().map(|m| m.point).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), inp.points.len());
    assert!(marks
        .iter()
        .all(|m| (0..1200).contains(&m.x) && (0..800).contains(&m.y)));
    // y grows downwards: a higher loss is drawn higher.
    let (lo, hi) = marks.iter().fold((marks[0], marks[0]), |(lo, hi), m| {
        let l = inp.points[m.point].loss;
        (
            if l < inp.points[lo.point].loss {
                *m
            } else {
                lo
            },
            if l > inp.points[hi.point].loss {
                *m
            } else {
                hi
            },
        )
    });
    assert!(hi.y < lo.y);
    // x is log compute: the largest compute is rightmost.
    let right = marks.iter().max_by_key(|m| m.x).unwrap();
    let c_max = inp.points.iter().map(|p| p.c).fold(0.0, f64::max);
    assert_eq!(inp.points[right.point].c, c_max);
    svg(|a| marks = residual_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert_eq!(marks.len(), inp.points.len());
    svg(|a| marks = allocation_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(marks.is_empty(), "the allocation chart draws no runs");
}

/// The text alternatives list what the charts plot: every run, each curve
/// at CURVE_SAMPLES points, under headers none of which is empty.
#[test]
fn text_alternatives_tabulate_the_runs_and_sampled_curves() {
    use frontier_plots::table::*;
    let inp = input(true);
    let loss = loss_tables(&inp);
    // Runs, then the preset's frontier, then the fit's.
    assert_eq!(loss.len(), 3);
    assert_eq!(loss[0].rows.len(), 240);
    assert_eq!(loss[0].columns[4], "loss");
    assert_eq!(loss[1].rows.len(), CURVE_SAMPLES);
    assert!(loss[2].caption.contains("your fit"));
    // The first run's row holds its values.
    let p = &inp.points[0];
    assert_eq!(loss[0].rows[0][0], p.line.to_string());
    assert_eq!(loss[0].rows[0][4], frontier_engine::format::sig(p.loss, 4));
    let alloc = allocation_tables(&inp);
    assert_eq!(alloc.len(), 2);
    assert!(alloc.iter().all(|t| t.rows.len() == CURVE_SAMPLES));
    // N* grows with compute along the sampled frontier.
    let n: Vec<f64> = alloc[1]
        .rows
        .iter()
        .map(|r| r[1].parse().unwrap())
        .collect();
    assert!(n.windows(2).all(|w| w[1] > w[0]), "{n:?}");
    let resid = residual_tables(&inp);
    assert_eq!(resid[0].rows.len(), 240);
    let iso = isoflop_tables(&inp);
    let runs: usize = inp
        .isoflop
        .as_ref()
        .unwrap()
        .budgets
        .iter()
        .map(|b| b.members.len())
        .sum();
    assert_eq!(iso[0].rows.len(), runs);
    assert_eq!(contour_tables(&inp).len(), 2);
    for t in loss.iter().chain(&alloc).chain(&resid).chain(&iso) {
        assert!(
            t.columns.iter().all(|c| !c.trim().is_empty()),
            "{:?}",
            t.columns
        );
        assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
    }
    assert!(residual_tables(&ChartInput::default()).is_empty());
    assert!(loss_tables(&ChartInput::default()).is_empty());
}

#[test]
fn a_run_in_words_names_its_line_and_values() {
    let inp = input(true);
    let p = &inp.points[3];
    let s = frontier_plots::table::run_label(&inp, 3).unwrap();
    assert!(s.starts_with(&format!("line {}, N = ", p.line)), "{s}");
    assert!(
        s.contains(&format!(
            "loss = {}",
            frontier_engine::format::sig(p.loss, 4)
        )),
        "{s}"
    );
    assert!(
        s.contains(&format!("residual = {:+.4}", inp.residuals[3])),
        "{s}"
    );
    assert_eq!(frontier_plots::table::run_label(&inp, 100_000), None);
    let no_fit = input(false);
    assert!(frontier_plots::table::run_label(&no_fit, 0).is_none());
}

/// The loss axis in log scale and the residuals against a linear compute
/// axis: the same runs, drawn where the chosen scale puts them.
#[test]
fn axis_scales_follow_the_readers_choice() {
    let mut inp = input(true);
    let mut linear = Vec::new();
    let mut log = Vec::new();
    svg(|a| linear = loss_chart(a, &inp, &Theme::LIGHT).unwrap());
    inp.axes.loss_log = true;
    let s = svg(|a| log = loss_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(s.contains("final loss (nats/token)"));
    assert_eq!(log.len(), linear.len());
    // Same x, different y: the log axis moves the runs.
    let y_of = |marks: &[frontier_plots::Mark], i: usize| {
        marks
            .iter()
            .find(|m| m.point == i)
            .map(|m| (m.x, m.y))
            .unwrap()
    };
    let moved = (0..inp.points.len())
        .filter(|&i| y_of(&linear, i).1 != y_of(&log, i).1)
        .count();
    assert!(moved > 100, "{moved} runs moved");
    assert!((0..inp.points.len()).all(|i| y_of(&linear, i).0 == y_of(&log, i).0));
    // On a linear compute axis the runs of the smallest budgets crowd at
    // the left: the median x is left of the middle of the chart.
    let mut xs_log = Vec::new();
    let mut xs_lin = Vec::new();
    svg(|a| xs_log = residual_chart(a, &inp, &Theme::LIGHT).unwrap());
    inp.axes.residual_x_linear = true;
    svg(|a| xs_lin = residual_chart(a, &inp, &Theme::LIGHT).unwrap());
    let median = |m: &[frontier_plots::Mark]| {
        let mut x: Vec<i32> = m.iter().map(|m| m.x).collect();
        x.sort();
        x[x.len() / 2]
    };
    assert_eq!(xs_lin.len(), 240);
    assert!(median(&xs_lin) < 300, "{}", median(&xs_lin));
    assert!(median(&xs_log) > 400, "{}", median(&xs_log));
}

/// Series colours stay as chosen on white; on the dark background a
/// near-black or dark one is lightened to 3:1 contrast, a bright one kept.
#[test]
fn series_colours_stay_legible_on_the_dark_theme() {
    use frontier_plots::theme::contrast;
    let near_black = RGBColor(20, 20, 20);
    assert_eq!(Theme::LIGHT.legible(near_black), near_black);
    let on_dark = Theme::DARK.legible(near_black);
    assert!(
        contrast(on_dark, Theme::DARK.background) >= 3.0,
        "{on_dark:?}"
    );
    let purple = Theme::DARK.legible(RGBColor(90, 40, 160));
    assert!(
        contrast(purple, Theme::DARK.background) >= 3.0,
        "{purple:?}"
    );
    let orange = RGBColor(230, 120, 20);
    assert_eq!(Theme::DARK.legible(orange), orange);
}

/// A fit whose compute column is kept as given (C = 2ND): the compute axes
/// and the iso-compute lines name that count, and the lines sit at C/(2N).
#[test]
fn a_kept_compute_column_is_named_on_the_axes_and_the_contours() {
    use frontier_engine::compute::ComputeRule;
    use frontier_plots::contour_chart;
    let mut inp = input(true);
    let rule = ComputeRule::as_given(2.0).unwrap();
    let fitted = inp.fitted.as_mut().unwrap();
    fitted.model = fitted.model.clone().with_compute(rule);
    assert_eq!(inp.compute_rule(), rule);
    let want = "training compute C = 2.00·N·D as in your column (FLOPs)";
    for s in [
        svg(|a| loss_chart(a, &inp, &Theme::LIGHT).unwrap()),
        svg(|a| allocation_chart(a, &inp, &Theme::LIGHT).unwrap()),
    ] {
        assert!(s.contains(want), "no compute title in the chart");
        assert!(!s.contains("training compute C (FLOPs)"));
    }
    let c = svg(|a| contour_chart(a, &inp, &Theme::LIGHT).unwrap());
    assert!(c.contains("C = 2.00·N·D as in your column, one line per decade"));
    // Without a kept column, the usual title.
    let plain = svg(|a| loss_chart(a, &input(false), &Theme::LIGHT).unwrap());
    assert!(plain.contains("training compute C (FLOPs)"));
}

/// The total-cost table counts FLOPs as the data does: with C = 2ND, a
/// third of the 6ND count, for the same plans.
#[test]
fn the_total_cost_table_counts_flops_in_the_datas_convention() {
    use frontier_engine::compute::ComputeRule;
    use frontier_plots::table::inference_tables;
    let law = frontier_engine::ChinchillaParams::from_slice(&[1.69, 406.4, 410.7, 0.336, 0.283]);
    let six = inference_tables(&law, ComputeRule::SIX_ND, 1e13, 1.9583);
    let two = inference_tables(&law, ComputeRule::as_given(2.0).unwrap(), 1e13, 1.9583);
    assert!(!six[0].rows.is_empty());
    for (a, b) in six[0].rows.iter().zip(&two[0].rows) {
        assert_eq!(a[0], b[0]);
        for k in 1..3 {
            let (x, y): (f64, f64) = (a[k].parse().unwrap(), b[k].parse().unwrap());
            assert!((y / (x / 3.0) - 1.0).abs() < 2e-3, "{x} {y}");
        }
    }
}

/// On a phone-sized chart the contours' level labels never run into one
/// another: those that would are left out.
#[test]
fn contour_labels_do_not_overlap_on_a_narrow_chart() {
    use frontier_plots::contour_chart;
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (340, 360)).into_drawing_area();
        contour_chart(&area, &input(true), &Theme::LIGHT).unwrap();
    }
    keep("contours-narrow", &out);
    // The level labels: texts like "2.986" (three decimals).
    let mut labels: Vec<(f64, f64)> = Vec::new();
    for t in out.split("<text").skip(1) {
        let body = t
            .split(">")
            .nth(1)
            .unwrap_or("")
            .split("<")
            .next()
            .unwrap_or("")
            .trim();
        let level = body.len() == 5 && body.as_bytes()[1] == b'.' && body.parse::<f64>().is_ok();
        if !level {
            continue;
        }
        let attr = |name: &str| -> f64 {
            t.split(&format!("{name}=\""))
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        labels.push((attr("x"), attr("y")));
    }
    assert!(labels.len() >= 2, "{labels:?}");
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[..i] {
            assert!(
                (a.0 - b.0).abs() >= 36.0 || (a.1 - b.1).abs() >= 13.0,
                "labels at {a:?} and {b:?} overlap"
            );
        }
    }
}
