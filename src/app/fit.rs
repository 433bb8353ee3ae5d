//! The "2. Fit" panel: the law, the fit's options and start grid, the Fit and
//! Cancel buttons with progress and status, and the fitted law.

use super::export::ExportButtons;
use super::law::LawChooser;
use super::{find, grid_texts, interval_cells};
use crate::model::{law_model, FitOutcome, FitStatus};
use frontier_engine::bootstrap::MAX_RESAMPLES;
use frontier_engine::fit::Grid;
use frontier_engine::format::sig;
use frontier_engine::model::Source;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

/// `delta_text` and `grid_text` are the option fields as typed, which
/// `on_fit` reads; `option_error` is what it found wrong with them.
#[component]
pub fn FitPanel(
    state: RwSignal<ShareState>,
    status: RwSignal<FitStatus>,
    outcome: RwSignal<Option<FitOutcome>>,
    delta_text: RwSignal<String>,
    grid_text: RwSignal<Vec<String>>,
    option_error: RwSignal<Option<String>>,
    stale: Memo<bool>,
    field_errors: RwSignal<Vec<(&'static str, String)>>,
    on_fit: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let running = move || {
        matches!(
            status.get(),
            FitStatus::Running { .. } | FitStatus::Bootstrapping { .. }
        )
    };
    let announcement =
        Memo::new(move |_| outcome.with(|o| status.with(|s| s.announcement(o.as_ref()))));
    // A button that is disabled loses the keyboard's focus to the page's
    // body: Fit, disabled while the fit runs, hands it to Cancel, and
    // Cancel, disabled once the fit ends, hands it back to Fit.
    let fit_button: NodeRef<leptos::html::Button> = NodeRef::new();
    let cancel_button: NodeRef<leptos::html::Button> = NodeRef::new();
    let is_running = Memo::new(move |_| running());
    Effect::new(move |prev: Option<bool>| {
        let now = is_running.get();
        if prev.is_some_and(|p| p != now) {
            let (from, to) = if now {
                (fit_button, cancel_button)
            } else {
                (cancel_button, fit_button)
            };
            // Once the buttons are enabled and disabled on screen.
            crate::browser::after_next_paint(move || {
                let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                    return;
                };
                let lost = match (
                    document.active_element(),
                    from.try_get_untracked().flatten(),
                ) {
                    (None, _) => true,
                    (Some(e), from) => {
                        e.tag_name() == "BODY"
                            || from.is_some_and(|b| {
                                let b: &web_sys::Element = b.as_ref();
                                *b == e
                            })
                    }
                };
                if lost {
                    if let Some(b) = to.try_get_untracked().flatten() {
                        // Without scrolling: the user may be reading the
                        // charts further down when a long fit ends.
                        let options = web_sys::FocusOptions::new();
                        options.set_prevent_scroll(true);
                        let _ = b.focus_with_options(&options);
                    }
                }
            });
        }
        now
    });
    view! {
        <section class="panel fit">
            <h2>"2. Fit"</h2>
            <LawChooser state=state />
            <div class="options">
                <label>
                    "Drop the "
                    <input
                        type="number" min="0" step="1" class="short"
                        data-testid="drop-top"
                        prop:value=move || state.with(|s| s.drop_top.to_string())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            match whole(&v, u32::MAX as u64) {
                                Ok(k) => { field_ok(field_errors, "drop-top"); state.update(|s| s.drop_top = k as usize); }
                                Err(e) => field_bad(field_errors, "drop-top", format!("drop: {e}")),
                            }
                        }
                    />
                    " highest-loss points"
                </label>
                <label>
                    "Huber δ "
                    <input
                        class="short"
                        data-testid="delta"
                        prop:value=move || delta_text.get()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            match crate::model::read_delta(&v) {
                                Ok(_) => field_ok(field_errors, "delta"),
                                Err(m) => field_bad(field_errors, "delta", m),
                            }
                            delta_text.set(v);
                        }
                    />
                </label>
                <label>
                    "Bootstrap "
                    <input
                        type="number" min="0" max="10000" step="100" class="short"
                        data-testid="bootstrap-resamples"
                        prop:value=move || state.with(|s| s.bootstrap.to_string())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            match whole(&v, MAX_RESAMPLES as u64) {
                                Ok(1) => field_bad(field_errors, "bootstrap", "bootstrap: 0 for none, or at least 2 resamples".into()),
                                Ok(k) => { field_ok(field_errors, "bootstrap"); state.update(|s| s.bootstrap = k as usize); }
                                Err(e) => field_bad(field_errors, "bootstrap", format!("bootstrap: {e}")),
                            }
                        }
                    />
                    " resamples (0: none), seed "
                    <input
                        type="number" min="0" step="1" class="short"
                        data-testid="bootstrap-seed"
                        prop:value=move || state.with(|s| s.seed.to_string())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            match whole(&v, u64::MAX) {
                                Ok(k) => { field_ok(field_errors, "seed"); state.update(|s| s.seed = k); }
                                Err(e) => field_bad(field_errors, "seed", format!("seed: {e}")),
                            }
                        }
                    />
                </label>
            </div>
            <details>
                <summary>{move || {
                    let n: usize = grid_text.with(|g| g.iter().map(|t| Grid::parse_axis(t).map(|a| a.len()).unwrap_or(0)).product());
                    format!("Start grid: {n} L-BFGS starts (log-space coordinates)")
                }}</summary>
                <p class="hint">"The law's default grid (Hoffmann's for the Chinchilla law). Values separated by spaces or commas, in ln of the value for positive parameters; the best of all starts is kept."</p>
                {move || {
                    let names = state.with(|s| law_model(s).map(|m| m.coordinate_names()).unwrap_or_default());
                    (0..names.len()).map(|i| view! {
                        <label class="axis">
                            <span>{names[i].clone()}</span>
                            <input
                                prop:value=move || grid_text.with(|g| g.get(i).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    grid_text.update(|g| if let Some(t) = g.get_mut(i) { *t = v });
                                }
                            />
                        </label>
                    }).collect_view()
                }}
                <button on:click=move |_| {
                    state.update(|s| s.grid = None);
                    grid_text.set(state.with_untracked(grid_texts));
                }>"Reset grid"</button>
            </details>
            <div class="row">
                <button class="primary" data-testid="fit-button" node_ref=fit_button
                    disabled=running
                    on:click=move |_| on_fit.run(())>"Fit"</button>
                <button data-testid="cancel-button" node_ref=cancel_button disabled=move || !running() on:click=move |_| on_cancel.run(())>"Cancel"</button>
                {move || match status.get() {
                    FitStatus::Running { done, total } | FitStatus::Bootstrapping { done, total, .. } => view! {
                        <progress data-testid="fit-progress" aria-label="fit progress" max=total value=done></progress>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
            <p
                data-testid="fit-status"
                class=move || match status.get() { FitStatus::Failed(_) => "status error", FitStatus::Done => "status ok", _ => "status" }
            >{move || outcome.with(|o| status.with(|s| s.message(o.as_ref())))}</p>
            // Announced to screen readers once per phase (the status above
            // changes with every start and is not live).
            <p class="sr-only" role="status" aria-live="polite" data-testid="fit-announce">
                {move || announcement.get()}
            </p>
            {move || field_errors.with(|f| (!f.is_empty()).then(|| view! {
                <p class="status error" data-testid="field-errors">{f.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("; ")}</p>
            }))}
            {move || option_error.get().map(|m| view! { <p class="status error" data-testid="option-error">{m}</p> })}
            {move || delta_text.with(|t| t.trim().parse::<f64>().ok().filter(|d| *d > 0.0 && !(1e-8..=1.0).contains(d))).map(|d| view! {
                <p class="status warn" data-testid="delta-warning">{format!("Huber δ = {d:e} is implausible: on log-loss residuals 10⁻³ is the usual choice; below 10⁻⁸ the loss is a plain absolute deviation, above 1 a plain least squares.")}</p>
            })}
            {move || stale.get().then(|| view! {
                <p class="status warn" data-testid="stale">"The inputs changed since this fit: press Fit to update the results."</p>
            })}
            <FitResults state=state outcome=outcome />
            <ExportButtons state=state outcome=outcome />
        </section>
    }
}

#[component]
fn FitResults(state: RwSignal<ShareState>, outcome: RwSignal<Option<FitOutcome>>) -> impl IntoView {
    view! {
        {move || outcome.with(|o| o.as_ref().map(|o| {
            let r = &o.report;
            let iv = o.intervals(state.with(|s| s.budget.flops().ok()));
            let has_iv = iv.is_some();
            let model = &o.model;
            let rows = r.parameter_names.iter().zip(&r.params).enumerate().map(|(k, (name, v))| {
                let symbol = match name.as_str() { "alpha" => "α", "beta" => "β", n => n }.to_string();
                let role = match model.sources[k] {
                    Source::Fixed(_) => " (fixed)".to_string(),
                    Source::Free(j) if model.free[j] != k => format!(" (= {})", model.law.params[model.free[j]].name),
                    _ => String::new(),
                };
                let fitted = role.is_empty();
                view! {
                    <tr>
                        <th>{symbol}{role}</th>
                        <td class="num" data-testid=format!("result-{name}") data-value=format!("{v:?}")>{sig(*v, 6)}</td>
                        {if fitted { interval_cells(find(&iv, name), name).into_any() } else { view! { <td></td><td></td> }.into_any() }}
                    </tr>
                }
            }).collect_view();
            // G in the count of compute the fit answers in: C/k, k = 6 unless
            // the compute column is kept.
            let per = format!("C/{}", frontier_engine::format::sig(o.model.compute.k, 3).trim_end_matches(".00"));
            let alloc = frontier_engine::answers::allocation(&o.model, &r.params).map(|al| view! {
                <tr><th>"a (N* ∝ C^a)"</th><td class="num" data-testid="result-a">{sig(al.a, 4)}</td>{interval_cells(find(&iv, "a"), "a")}</tr>
                <tr><th>"b (D* ∝ C^b)"</th><td class="num" data-testid="result-b">{sig(al.b, 4)}</td>{interval_cells(find(&iv, "b"), "b")}</tr>
                <tr><th title=format!("N* = G·({per})^a, D* = ({per})^b / G")>{format!("G (N* = G·({per})^a)")}</th><td class="num">{sig(al.g, 4)}</td><td></td><td></td></tr>
            });
            let warnings = o.warnings(state.with(|s| s.budget.flops().ok())).into_iter().map(|w| view! {
                <p class="status warn" data-testid="fit-warning">{w}</p>
            }).collect_view();
            let skipped = (!o.skipped.is_empty()).then(|| view! {
                <p class="status warn">{format!("{} line(s) with bad values were skipped (listed under the data).", o.skipped.len())}</p>
            });
            let boot_note = o.resamples.as_ref().map(|rs| {
                let unit = if o.dataset.grouped_by_run { "runs" } else { "points" };
                format!(
                    "Intervals: {} bootstrap resamples of {unit} (seed {}), each refitted from the optimum and the {} best grid starts; SE and 2.5–97.5th percentiles.",
                    rs.len(), o.inputs.seed, frontier_engine::bootstrap::DEFAULT_RESTARTS
                )
            });
            // The abandon rule is the law's own (FitOptions::hoffmann): no
            // need to read the data again for it.
            let abandon_after = frontier_engine::FitOptions::hoffmann(&o.model)
                .abandon
                .map(|a| a.after)
                .unwrap_or(0);
            let starts_note = match r.search_points {
                None => format!(
                    "L-BFGS from {} grid starts: {} converged, {} were abandoned as hopeless after {} iterations, {} ended within 10⁻⁶ of the best; the 8 best were polished. ",
                    r.starts, r.converged, r.abandoned, abandon_after, r.near_best
                ),
                Some(k) => format!(
                    "L-BFGS from {} grid starts on a stratified sample of {k} of the {} points: {} converged, {} were abandoned as hopeless after {} iterations, {} ended within 10⁻⁶ of the best on the sample; the best distinct end points were polished on all points. ",
                    r.starts, r.points, r.converged, r.abandoned, abandon_after, r.near_best
                ),
            };
            view! {
                <h3 data-testid="fitted-law">{format!("Fitted law: {}", o.model.law.display())}</h3>
                <p class="hint" data-testid="fit-conventions">{format!("{}. Conventions: {}.", o.model.law.name, o.model.law.conventions)}</p>
                {warnings}
                <table class="results">
                    <tr class="head"><th>"quantity"</th><th>"estimate"</th>
                        {has_iv.then(|| view! { <th>"SE"</th><th>"95% interval"</th> })}
                    </tr>
                    {rows}
                    {alloc}
                </table>
                {boot_note.map(|n| view! { <p class="fit-stats">{n}</p> })}
                <p class="fit-stats" data-testid="fit-stats">
                    {format!("Objective (sum of Huber losses): {:.10}. ", r.objective)}
                    {format!("{} points ({} dropped). ", r.points, o.dataset.dropped.len())}
                    {starts_note}
                    {(!r.at_grid_edge.is_empty()).then(|| format!("At the grid's edge: {}. ", r.at_grid_edge.join(", ")))}
                    "Fit took "<span data-testid="fit-time">{format!("{:.2}", o.seconds)}</span>
                    {format!(" s on {} worker{}.", o.workers, if o.workers == 1 { "" } else { "s" })}
                </p>
                {skipped}
            }
        }))}
    }
}

/// A whole number from 0 to `max` as typed, or why not.
fn whole(text: &str, max: u64) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("enter a whole number".into());
    }
    match t.parse::<u64>() {
        Ok(k) if k <= max => Ok(k),
        Ok(_) => Err(format!("at most {max}")),
        // Written with an exponent (1e3), or beyond u64. Read as a float
        // only where every whole number is exact (up to 2^53): a larger
        // seed so written would change without a word.
        Err(_) => match t.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 && v > max as f64 => {
                Err(format!("at most {max}"))
            }
            Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 => Ok(v as u64),
            _ => Err(format!(
                "\"{t}\" is not a whole number of 0 or more, written in digits"
            )),
        },
    }
}

fn field_ok(errors: RwSignal<Vec<(&'static str, String)>>, field: &'static str) {
    if errors.with_untracked(|e| e.iter().any(|(f, _)| *f == field)) {
        errors.update(|e| e.retain(|(f, _)| *f != field));
    }
}

fn field_bad(errors: RwSignal<Vec<(&'static str, String)>>, field: &'static str, message: String) {
    errors.update(|e| {
        e.retain(|(f, _)| *f != field);
        e.push((field, message));
    });
}
