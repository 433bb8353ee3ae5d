//! The export buttons beside the fit's results: the results and the
//! compute-optimal frontier as CSV and JSON, and a Python script that
//! reproduces the fit, each downloaded as a file (see
//! `frontier_engine::export` for what each holds). Every button is disabled,
//! with its reason as a tooltip, until there is a fit it can export.

use crate::browser;
use crate::model::FitOutcome;
use frontier_engine::export::Export;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[component]
pub fn ExportButtons(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
) -> impl IntoView {
    // A failure to make a file (none is expected once a button is enabled),
    // shown as text.
    let failure = RwSignal::new(None::<String>);
    let budget = move || state.with(|s| s.budget.flops().ok());
    let buttons = Export::ALL
        .iter()
        .map(|&kind| {
            let why_not = move || {
                outcome.with(|o| match o {
                    None => Some("Fit first: the exports hold a fit's numbers.".to_string()),
                    Some(o) => o.export_available(kind, budget()).err(),
                })
            };
            let title = move || {
                why_not().unwrap_or_else(|| {
                    outcome.with(|o| {
                        let id = o.as_ref().map(|o| o.model.law.id.as_str()).unwrap_or("");
                        format!("Download {}", kind.file_name(id))
                    })
                })
            };
            let download = move |_| {
                let made = outcome.with_untracked(|o| {
                    o.as_ref()
                        .ok_or_else(|| "no fit to export".to_string())
                        .and_then(|o| {
                            o.export(kind, state.with_untracked(|s| s.budget.flops().ok()))
                        })
                });
                match made {
                    Ok((name, text)) => {
                        failure.set(None);
                        browser::download(&name, kind.mime(), text.as_bytes());
                    }
                    Err(e) => failure.set(Some(format!("{}: {e}", kind.label()))),
                }
            };
            view! {
                <button
                    data-testid=format!("export-{}", kind.id())
                    disabled=move || why_not().is_some()
                    title=title
                    on:click=download
                >{kind.label()}</button>
            }
        })
        .collect_view();
    view! {
        <div class="exports" data-testid="exports">
            <span class="label">"Export:"</span>
            {buttons}
            {move || outcome.with(|o| o.is_none()).then(|| view! {
                <p class="hint" data-testid="export-reason">"The export buttons come alive after a fit: its results, its compute-optimal frontier and a Python script (NumPy and SciPy) that refits the same points."</p>
            })}
            {move || failure.get().map(|m| view! { <p class="status error" data-testid="export-error">{m}</p> })}
        </div>
    }
}
