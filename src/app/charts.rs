//! The plots panel: loss, allocation, residuals and IsoFLOP profiles drawn on
//! canvases with plotters.

use crate::model::{chart_input, law_model, FitOutcome};
use frontier_engine::series::SeriesReport;
use frontier_engine::share::ShareState;
use leptos::html;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// The three plots, redrawn whenever what they show changes.
#[component]
pub fn Charts(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
    series: RwSignal<Option<SeriesReport>>,
) -> impl IntoView {
    let loss_ref: NodeRef<html::Canvas> = NodeRef::new();
    let alloc_ref: NodeRef<html::Canvas> = NodeRef::new();
    let resid_ref: NodeRef<html::Canvas> = NodeRef::new();
    let iso_ref: NodeRef<html::Canvas> = NodeRef::new();
    let fit_ref: NodeRef<html::Canvas> = NodeRef::new();
    let contour_ref: NodeRef<html::Canvas> = NodeRef::new();
    let resized = RwSignal::new(0u32);
    let on_resize =
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || resized.update(|n| *n += 1));
    if let Some(w) = web_sys::window() {
        use wasm_bindgen::JsCast;
        let _ = w.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    }
    on_resize.forget();

    // What the charts show of the page's state: typing in the data box does
    // not redraw them.
    let shown_state =
        Memo::new(move |_| state.with(|s| (s.presets.clone(), s.budget.flops().ok())));
    Effect::new(move |_| {
        resized.track();
        // Read, not only tracked: a memo that is never read never runs, and
        // so never hears of the state it depends on.
        let _ = shown_state.get();
        let mut input = state.with_untracked(|s| outcome.with(|o| chart_input(s, o.as_ref())));
        // Each series' frontier, beside the fit and the published laws.
        if let (Some(r), Ok(model)) = (series.get(), state.with_untracked(law_model)) {
            for (k, s) in r.series.iter().enumerate() {
                input.presets.push(frontier_plots::Curve {
                    label: format!("{} = {}", r.column, s.name),
                    model: model.clone(),
                    params: s.report.params.clone(),
                    color: frontier_plots::RUN_COLORS[k % frontier_plots::RUN_COLORS.len()],
                });
            }
        }
        let shown = [
            input.has_loss(),
            input.has_allocation(),
            input.has_residuals(),
            input
                .isoflop
                .as_ref()
                .is_some_and(|f| !f.budgets.is_empty()),
            input.has_fit_chart(),
            input.has_allocation(),
        ];
        for (r, which) in [
            (fit_ref, 4),
            (loss_ref, 0),
            (alloc_ref, 1),
            (resid_ref, 2),
            (iso_ref, 3),
            (contour_ref, 5),
        ] {
            let Some(canvas) = r.get() else { continue };
            // An empty chart is hidden rather than drawn as a blank box.
            let _ = web_sys::HtmlElement::style(&canvas)
                .set_property("display", if shown[which] { "block" } else { "none" });
            if !shown[which] {
                continue;
            }
            // Draw at the size the canvas is shown, so text stays readable.
            let w = canvas.client_width().max(480) as u32;
            let h = (w as f64 * 0.6).clamp(360.0, 620.0) as u32;
            canvas.set_width(w);
            canvas.set_height(h);
            let Some(backend) = CanvasBackend::with_canvas_object(canvas) else {
                continue;
            };
            let area = backend.into_drawing_area();
            let drawn = match which {
                0 => frontier_plots::loss_chart(&area, &input),
                1 => frontier_plots::allocation_chart(&area, &input),
                2 => frontier_plots::residual_chart(&area, &input),
                3 => frontier_plots::isoflop_chart(&area, &input),
                5 => frontier_plots::contour_chart(&area, &input),
                _ => frontier_plots::fit_chart(&area, &input),
            };
            if let Err(e) = drawn {
                web_sys::console::error_1(&format!("chart {which}: {e:?}").into());
            }
        }
    });
    view! {
        <section class="panel charts">
            <h2>"Plots"</h2>
            <canvas node_ref=fit_ref data-testid="chart-fit"></canvas>
            <canvas node_ref=loss_ref data-testid="chart-loss"></canvas>
            <canvas node_ref=alloc_ref data-testid="chart-allocation"></canvas>
            <canvas node_ref=resid_ref data-testid="chart-residuals"></canvas>
            <canvas node_ref=iso_ref data-testid="chart-isoflop"></canvas>
            <canvas node_ref=contour_ref data-testid="chart-contours"></canvas>
        </section>
    }
}
