//! Frontier's page: a thin Leptos app on the `frontier-engine` crate.
//!
//! - [`model`]: plain types the components call (tested natively).
//! - [`curves`]: the training-curves panel's logic (tested natively).
//! - [`plans`]: the budget panel's plans under limits (tested natively).
//! - [`app`]: the components.
//! - [`runner`]: fits in a Web Worker; [`worker_fit`] is the worker's entry.
//! - [`browser`]: localStorage, the URL, the clock, the clipboard.

pub mod curves;
pub mod model;
pub mod plans;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod runner;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// Mount the page. Called by index.html after the module loads (not a
/// `start` function: the fit worker loads the same module and must not).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    // The fit workers load the module while the user reads the page, and
    // the page's thread runs once, after the first paint, the code that
    // reads a fit's results (see model::warm_up_page).
    runner::warm();
    browser::after_next_paint(|| {
        if let Some((_, charts)) = model::warm_up_page() {
            app::chart_canvas::warm_up(charts);
        }
    });
}

/// The worker's entry: run this worker's share of a fit or a bootstrap
/// (JSON [`model::Job`]), calling `progress(done, total)` as it goes, and
/// return the JSON reply.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn worker_fit(job: &str, progress: &js_sys::Function) -> String {
    console_error_panic_hook::set_once();
    model::run_job(job, |done, total| {
        let _ = progress.call2(
            &JsValue::NULL,
            &JsValue::from_f64(done as f64),
            &JsValue::from_f64(total as f64),
        );
    })
}

/// The worker's first call once its module is loaded: see
/// [`model::warm_up`].
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn worker_warm_up() {
    model::warm_up();
}

/// Fit `text` (the reference data, 5 highest losses dropped) with Hoffmann's
/// settings on this thread and return the objective: the benchmark's measure
/// of the engine alone in WebAssembly, without workers or the page around it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn bench_engine_fit(text: &str) -> f64 {
    bench_fit(text, frontier_engine::LawSpec::catalogue("chinchilla"))
}

/// [`bench_engine_fit`] with the Chinchilla law typed as a formula: the
/// generic tape instead of the hand-written kernel.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn bench_engine_fit_generic(text: &str) -> f64 {
    bench_fit(
        text,
        frontier_engine::LawSpec::custom("E + A/N^alpha + B/D^beta"),
    )
}

/// Fit a large data set (all rows, none dropped) with the Chinchilla law on
/// this thread and return the objective: the large-data benchmark's measure
/// of the engine alone.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn bench_engine_fit_large(text: &str) -> f64 {
    bench_fit_dropping(text, frontier_engine::LawSpec::catalogue("chinchilla"), 0)
}

/// Parse and check pasted text for the Chinchilla law (what a fit does
/// before it starts) and return the number of points: the benchmark's
/// measure of reading large data in WebAssembly.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn bench_engine_prepare(text: &str) -> usize {
    let state = frontier_engine::share::ShareState {
        data: text.to_string(),
        law: frontier_engine::LawSpec::catalogue("chinchilla"),
        ..Default::default()
    };
    state.prepare().map(|p| p.data.len()).unwrap_or(0)
}

#[cfg(target_arch = "wasm32")]
fn bench_fit(text: &str, law: frontier_engine::LawSpec) -> f64 {
    bench_fit_dropping(text, law, 5)
}

#[cfg(target_arch = "wasm32")]
fn bench_fit_dropping(text: &str, law: frontier_engine::LawSpec, drop_top: usize) -> f64 {
    let state = frontier_engine::share::ShareState {
        data: text.to_string(),
        law,
        drop_top,
        ..Default::default()
    };
    match state.prepare() {
        Ok(p) => frontier_engine::fit(&p.model, &p.data, &p.options)
            .map(|r| r.objective)
            .unwrap_or(f64::NAN),
        Err(_) => f64::NAN,
    }
}
