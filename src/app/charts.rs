//! The plots panel: loss, allocation, residuals and IsoFLOP profiles drawn on
//! canvases with plotters through [`Chart`].

use super::chart_canvas::{Chart, ChartSpec};
use crate::browser;
use crate::model::{chart_input, law_model, page_compute, FitOutcome};
use frontier_engine::series::SeriesReport;
use frontier_engine::share::ShareState;
use frontier_plots::{Axes, ChartInput};
use leptos::prelude::*;
use std::sync::Arc;

/// The three plots, redrawn whenever what they show changes.
#[component]
pub fn Charts(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
    series: RwSignal<Option<SeriesReport>>,
) -> impl IntoView {
    // What the charts show of the page's state: typing in the data box does
    // not redraw them.
    let shown_state =
        Memo::new(move |_| state.with(|s| (s.presets.clone(), s.budget.flops().ok())));
    // Log or linear axes: the reader's choice, kept in this browser.
    let axes = RwSignal::new(load_axes());
    Effect::new(move |_| save_axes(axes.get()));
    let input = Memo::new(move |_| {
        // Read, not only tracked: a memo that is never read never runs, and
        // so never hears of the state it depends on.
        let _ = shown_state.get();
        let mut input = state.with_untracked(|s| outcome.with(|o| chart_input(s, o.as_ref())));
        // Each series' frontier, beside the fit and the published laws.
        if let (Some(r), Ok(model)) = (series.get(), state.with_untracked(law_model)) {
            // The series count compute as the fit does.
            let model = model.with_compute(
                state.with_untracked(|s| outcome.with(|o| page_compute(s, o.as_ref()))),
            );
            // Fitted apart before any fit of all the runs: the runs are
            // drawn all the same, and the axes cover them.
            if input.fitted.is_none() && input.points.is_empty() {
                if let Ok(p) = state.with_untracked(|s| s.prepare()) {
                    input.points = p.data.points;
                    input.targets = p.data.target;
                }
            }
            for (k, s) in r.series.iter().enumerate() {
                input.presets.push(frontier_plots::Curve {
                    label: format!("{} = {}", r.column, s.name),
                    model: model.clone(),
                    params: s.report.params.clone(),
                    color: frontier_plots::RUN_COLORS[k % frontier_plots::RUN_COLORS.len()],
                });
            }
        }
        input.axes = axes.get();
        Arc::new(input)
    });
    // An empty chart is hidden rather than drawn as a blank box.
    let when = move |shown: fn(&ChartInput) -> bool, spec: fn(Arc<ChartInput>) -> ChartSpec| {
        Signal::derive(move || {
            let i = input.get();
            shown(&i).then(|| spec(i))
        })
    };
    let height = |w: f64| (w * 0.6).clamp(360.0, 620.0);
    view! {
        <section class="panel charts">
            <h2>"Plots"</h2>
            <p class="hint" data-testid="plots-compute">{move || format!(
                "Compute on these plots, in FLOPs: {}, for the runs and the laws alike. Point at a run, or Tab to a chart and use the arrow keys, to read its values.",
                input.with(|i| i.compute_rule().label())
            )}</p>
            <div class="options axes">
                <label><input type="checkbox" data-testid="axis-loss-log"
                    prop:checked=move || axes.with(|a| a.loss_log)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        axes.update(|a| a.loss_log = on);
                    } />" loss axis of the loss chart in log scale"</label>
                <label><input type="checkbox" data-testid="axis-residual-linear"
                    prop:checked=move || axes.with(|a| a.residual_x_linear)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        axes.update(|a| a.residual_x_linear = on);
                    } />" x axis of the residuals in linear scale"</label>
            </div>
            <Chart spec=when(ChartInput::has_fit_chart, ChartSpec::Fit) testid="chart-fit"
                name="The fitted column against the law's variable, with the fitted curve"
                file="frontier-fit" height=height />
            <Chart spec=when(ChartInput::has_loss, ChartSpec::Loss) testid="chart-loss"
                name="Loss against training compute: the runs and the compute-optimal frontier"
                file="frontier-loss" height=height />
            <Chart spec=when(ChartInput::has_allocation, ChartSpec::Allocation) testid="chart-allocation"
                name="Compute-optimal model size N* and tokens D* against compute"
                file="frontier-allocation" height=height />
            <Chart spec=when(ChartInput::has_residuals, ChartSpec::Residuals) testid="chart-residuals"
                name="Residuals of the fit, log predicted minus log observed, for every run"
                file="frontier-residuals" height=height />
            <Chart spec=when(|i| i.isoflop.as_ref().is_some_and(|f| !f.budgets.is_empty()), ChartSpec::Isoflop)
                testid="chart-isoflop"
                name="IsoFLOP profiles: loss against model size for each compute budget"
                file="frontier-isoflop" height=height />
            <Chart spec=when(ChartInput::has_allocation, ChartSpec::Contours) testid="chart-contours"
                name="Iso-loss contours in model size and tokens, with the compute-optimal path"
                file="frontier-contours" height=height />
        </section>
    }
}

/// The saved axis scales; the defaults when none are saved or they cannot
/// be read.
fn load_axes() -> Axes {
    let saved = browser::load_chart_axes()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok());
    let flag = |name: &str| {
        saved
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    };
    Axes {
        loss_log: flag("loss_log"),
        residual_x_linear: flag("residual_x_linear"),
    }
}

fn save_axes(axes: Axes) {
    let json = serde_json::json!({
        "loss_log": axes.loss_log,
        "residual_x_linear": axes.residual_x_linear,
    });
    browser::save_chart_axes(&json.to_string());
}
