//! The "1. Your runs" panel: the box the runs are pasted in, the example data,
//! and the report of what was read.

use super::columns::ColumnMapping;
use crate::model::{DataSummary, SharedPaste, EXAMPLE_DATA};
use frontier_engine::data::too_large;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[component]
pub fn DataPanel(
    state: RwSignal<ShareState>,
    pasted: Memo<SharedPaste>,
    facts: Memo<(Vec<(String, usize)>, bool)>,
) -> impl IntoView {
    // The report depends on the paste, the law and the drop count, not on
    // the rest of the state (a budget typed elsewhere).
    let checked_for = Memo::new(move |_| state.with(|s| (s.law.clone(), s.drop_top)));
    let summary = Memo::new(move |_| {
        checked_for.with(|_| ());
        pasted.with(|p| state.with_untracked(|s| DataSummary::of(s, &p.0)))
    });
    // What the example replaced, for Undo: the text and the drop count.
    let undo: RwSignal<Option<(String, usize)>> = RwSignal::new(None);
    // A paste too large to read, refused before the browser puts it in the
    // box: a textarea of millions of lines takes the browser minutes to lay
    // out (measured in Chromium: 300,000 lines 6 s, 4 million over 2 min),
    // and the engine would refuse the text anyway (data::MAX_TABLE_BYTES).
    // The box keeps what it had.
    let refused: RwSignal<Option<String>> = RwSignal::new(None);
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        let pasted = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
            .unwrap_or_default();
        match too_large(pasted.len()) {
            Some(m) => {
                ev.prevent_default();
                refused.set(Some(format!("Not pasted: {m}. The box keeps what it had.")));
            }
            None => refused.set(None),
        }
    };
    let load_example = move |_| {
        state.update(|s| {
            if s.data != EXAMPLE_DATA {
                undo.set(Some((std::mem::take(&mut s.data), s.drop_top)));
            }
            s.data = EXAMPLE_DATA.to_string();
            s.drop_top = 5;
        })
    };
    view! {
        <section class="panel data">
            <h2>"1. Your runs"</h2>
            <p class="hint">
                "Paste a table with a header row (CSV, TSV or spaces): model size N, tokens D and/or compute C, and the final loss. "
                "Numbers may use suffixes: 70B, 1.4T, 350M. "
                <strong>"Convention: C = 6·N·D FLOPs"</strong>
                ", so D = C/(6N) when tokens are missing and C = 6ND when compute is missing."
            </p>
            {move || state.with(|s| s.drop_top > 0).then(|| view! {
                <p class="status warn in-force" data-testid="options-in-force">
                    {move || state.with(|s| format!("In force: the {} highest-loss points are left out of the fit (set under 2. Fit).", s.drop_top))}
                </p>
            })}
            {move || refused.get().map(|m| view! {
                <p class="status error" data-testid="paste-refused">{m}</p>
            })}
            // autocomplete="off": Chromium otherwise copies the box's text
            // into the history entry at every history.replaceState (the
            // address follows the state), 120 to 320 ms with 100,000 rows
            // in it; the page restores the text itself (localStorage).
            <textarea
                data-testid="data-input"
                autocomplete="off"
                spellcheck="false"
                wrap="off"
                placeholder="N,D,loss\n400M,8B,2.93\n1B,20B,2.62\n..."
                prop:value=move || state.with(|s| s.data.clone())
                on:paste=on_paste
                on:input=move |ev| {
                    refused.set(None);
                    let v = event_target_value(&ev);
                    state.update(|s| {
                        // The example's "drop the 5 highest" belongs to the
                        // example: the user's own runs start without it.
                        if s.data == EXAMPLE_DATA && v != EXAMPLE_DATA && s.drop_top == 5 {
                            s.drop_top = 0;
                        }
                        s.data = v;
                    });
                    undo.set(None);
                }
            ></textarea>
            <div class="row">
                <button data-testid="load-example" on:click=load_example>"Load example data"</button>
                {move || undo.with(|u| u.is_some()).then(|| view! {
                    <button data-testid="undo-example" on:click=move |_| {
                        if let Some((data, drop_top)) = undo.get_untracked() {
                            state.update(|s| { s.data = data; s.drop_top = drop_top; });
                        }
                        undo.set(None);
                    }>"Undo: bring back my runs"</button>
                })}
                <span class="hint">
                    "Chinchilla runs read off Hoffmann et al. (2022), Fig. 4, by Besiroglu et al. (2024); the replication drops the 5 highest losses."
                </span>
            </div>
            <ColumnMapping state=state facts=facts />
            <DataReport summary=summary />
        </section>
    }
}

#[component]
fn DataReport(summary: Memo<DataSummary>) -> impl IntoView {
    view! {
        <div class="data-report" data-testid="data-report">
            {move || summary.with(|s| {
                let head = if s.runs == 0 && s.issues.is_empty() {
                    "No data yet.".to_string()
                } else {
                    let mut t = format!(
                        "{} {} read",
                        s.runs,
                        if s.history.is_some() { "rows with a loss" } else if s.runs == 1 { "run" } else { "runs" }
                    );
                    if let Some(p) = s.points {
                        t += &format!(", {p} used in the fit");
                    }
                    if !s.recognised.is_empty() {
                        t += &format!(". Columns: {}", s.recognised);
                    }
                    if !s.ignored.is_empty() && s.history.is_none() {
                        t += &format!("; ignored: {}", s.ignored);
                    }
                    if !s.formats.is_empty() {
                        t += &format!(". Numbers: {}", s.formats);
                    }
                    t + "."
                };
                let convention = s.convention.clone();
                let history = s.history.clone();
                view! {
                    <p>{head}</p>
                    {history.map(|n| view! { <p class="status ok" data-testid="history-note">{n}</p> })}
                    {convention.map(|n| view! { <p class="status warn" data-testid="convention-note">{n}</p> })}
                    {(!s.issues.is_empty()).then(|| view! {
                        <div class=if s.fatal && s.history.is_none() { "issues error" } else { "issues warn" }>
                            <p>{if s.history.is_some() {
                                format!("{} line(s) of the history are left out:", s.issues.len())
                            } else if s.fatal {
                                "These problems stop the fit:".to_string()
                            } else {
                                format!("{} line(s) will be skipped:", s.issues.len())
                            }}</p>
                            <ul data-testid="input-issues">
                                {s.issues.iter().take(50).map(|i| view! { <li>{i.clone()}</li> }).collect_view()}
                            </ul>
                            {(s.issues.len() > 50).then(|| view! { <p>{format!("… and {} more", s.issues.len() - 50)}</p> })}
                        </div>
                    })}
                }
            })}
        </div>
    }
}
