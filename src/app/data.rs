//! The "1. Your runs" panel: the box the runs are pasted in, the example data,
//! and the report of what was read.

use super::columns::ColumnMapping;
use crate::model::{replace_data, DataSummary, Held, SharedPaste, EXAMPLE_DATA};
use frontier_engine::columns::RowFilter;
use frontier_engine::compute::ComputeChoice;
use frontier_engine::data::too_large;
use frontier_engine::share::ShareState;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// What the example, a file or a long paste replaced, for Undo: the text,
/// the drop count, whether it was a held text typed over (whose undo stays
/// while the typing goes on; other undos end at the first edit), and the
/// rows chosen.
type Replaced = (String, usize, bool, Option<RowFilter>);

#[component]
pub fn DataPanel(
    state: RwSignal<ShareState>,
    pasted: Memo<SharedPaste>,
    facts: Memo<(Vec<(String, usize)>, bool)>,
) -> impl IntoView {
    // The report depends on the paste, the law, the drop count and how
    // compute is counted, not on the rest of the state (a budget typed
    // elsewhere).
    let checked_for =
        Memo::new(move |_| state.with(|s| (s.law.clone(), s.drop_top, s.compute, s.counting)));
    let summary = Memo::new(move |_| {
        checked_for.with(|_| ());
        pasted.with(|p| state.with_untracked(|s| DataSummary::of(s, &p.0)))
    });
    // What the example, a file or a long paste replaced, for Undo.
    let undo: RwSignal<Option<Replaced>> = RwSignal::new(None);
    // A paste too large to read, refused before the browser puts it in the
    // box: a textarea of millions of lines takes the browser minutes to lay
    // out (measured in Chromium: 300,000 lines 6 s, 4 million over 2 min),
    // and the engine would refuse the text anyway (data::MAX_TABLE_BYTES).
    // The box keeps what it had.
    let refused: RwSignal<Option<String>> = RwSignal::new(None);
    // A text too long for the box (model::HELD_BYTES) is held and shown by
    // its first lines, unless the user asks to see all of it.
    let show_all = RwSignal::new(false);
    let held = Memo::new(move |_| {
        // A new text is a new reading of the paste.
        pasted.track();
        if show_all.get() {
            return None;
        }
        state.with_untracked(|s| Held::of(&s.data))
    });
    // The text of the last paste into the box, until its input event.
    let last_paste: StoredValue<Option<String>> = StoredValue::new(None);
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
            None if pasted.len() > crate::model::HELD_BYTES => {
                // Held, never put in the box: it replaces the box's text,
                // with an undo.
                ev.prevent_default();
                refused.set(None);
                show_all.set(false);
                state.update(|s| {
                    undo.set(Some((s.data.clone(), s.drop_top, false, s.only.clone())));
                    replace_data(s, pasted, true);
                });
            }
            None => {
                refused.set(None);
                last_paste.set_value(Some(pasted));
            }
        }
    };
    // A file dropped on the box or chosen with "Open a file": read as text
    // unless it is too large (the same limit as a paste), replacing the box
    // with an undo. A dropped selection of text is refused as a paste is.
    let load_file = move |file: web_sys::File| {
        let name = file.name();
        if let Some(m) = too_large(file.size() as usize) {
            refused.set(Some(format!(
                "Not read: {name}: {m}. The box keeps what it had."
            )));
            return;
        }
        let read = Closure::once(move |text: JsValue| match text.as_string() {
            Some(text) => {
                refused.set(None);
                show_all.set(false);
                state.update(|s| {
                    undo.set(Some((s.data.clone(), s.drop_top, false, s.only.clone())));
                    replace_data(s, text, true);
                });
            }
            None => refused.set(Some(format!("Not read: {name} is not text."))),
        });
        let failed = Closure::once(move |_: JsValue| {
            refused.set(Some(
                "Not read: the browser could not read the file.".into(),
            ));
        });
        let _ = file.text().then2(&read, &failed);
        read.forget();
        failed.forget();
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        let Some(dt) = ev.data_transfer() else { return };
        if let Some(file) = dt.files().and_then(|f| f.get(0)) {
            ev.prevent_default();
            load_file(file);
        } else if let Some(m) = dt
            .get_data("text/plain")
            .ok()
            .and_then(|t| too_large(t.len()))
        {
            ev.prevent_default();
            refused.set(Some(format!(
                "Not dropped: {m}. The box keeps what it had."
            )));
        }
    };
    let load_example = move |_| {
        state.update(|s| {
            if s.data != EXAMPLE_DATA {
                undo.set(Some((
                    std::mem::take(&mut s.data),
                    s.drop_top,
                    false,
                    s.only.clone(),
                )));
            }
            s.data = EXAMPLE_DATA.to_string();
            s.drop_top = 5;
            // The example is one experiment: all its rows.
            s.only = None;
        })
    };
    view! {
        <section class="panel data">
            <h2>"1. Your runs"</h2>
            <p class="hint">
                "Paste a table with a header row (CSV, TSV or spaces), or drop its file on the box: model size N, tokens D and/or compute C, and the final loss. "
                "Numbers may use suffixes: 70B, 1.4T, 350M. "
                <strong>"Convention: C = 6·N·D FLOPs"</strong>
                ", so D = C/(6N) when tokens are missing and C = 6ND when compute is missing."
            </p>
            {move || state.with(|s| s.drop_top > 0).then(|| view! {
                <p class="status warn in-force" data-testid="options-in-force">
                    {move || state.with(|s| format!("In force: the {} highest-loss points are left out of the fit (set under 2. Fit).", s.drop_top))}
                </p>
            })}
            {move || state.with(|s| s.only.as_ref().map(|f| f.describe())).map(|rows| view! {
                <p class="status warn in-force" data-testid="rows-in-force">
                    {format!("In force: only the rows where {rows} are fitted (chosen under \"fit only\" below the box).")}
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
                class:held=move || held.with(Option::is_some)
                placeholder=move || if held.with(Option::is_some) {
                    "Paste or type here to replace the text held (its first lines are below)"
                } else {
                    "N,D,loss\n400M,8B,2.93\n1B,20B,2.62\n..."
                }
                prop:value=move || if held.with(Option::is_some) {
                    String::new()
                } else {
                    state.with(|s| s.data.clone())
                }
                on:paste=on_paste
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=on_drop
                on:input=move |ev| {
                    refused.set(None);
                    let v = event_target_value(&ev);
                    // Typing in the empty box of a held text replaces it:
                    // keep it for Undo.
                    let was_held = held.with_untracked(Option::is_some);
                    // A paste that left the box holding just what was
                    // pasted replaced the whole text.
                    let whole = last_paste
                        .try_update_value(Option::take)
                        .flatten()
                        .is_some_and(|p| p.replace("\r\n", "\n").replace('\r', "\n") == v);
                    state.update(|s| {
                        if was_held {
                            undo.set(Some((std::mem::take(&mut s.data), s.drop_top, true, s.only.clone())));
                        }
                        replace_data(s, v, whole);
                    });
                    if !was_held && !undo.with_untracked(|u| u.as_ref().is_some_and(|u| u.2)) {
                        undo.set(None);
                    }
                }
            ></textarea>
            {move || held.get().map(|h| view! {
                <div class="held" data-testid="data-held">
                    <p class="hint" data-testid="data-held-note">{h.note()}</p>
                    <pre data-testid="data-held-head">{h.head}</pre>
                    <button data-testid="data-show-all" on:click=move |_| show_all.set(true)>
                        "Show all of it in the box (the page freezes while the browser lays it out)"
                    </button>
                </div>
            })}
            <div class="row">
                <label class="file-open">"Open a file "
                    <input type="file" data-testid="data-file" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                load_file(file);
                            }
                            // The same file chosen again is read again.
                            input.set_value("");
                        } />
                </label>
                <button data-testid="load-example" on:click=load_example>"Load example data"</button>
                {move || undo.with(|u| u.is_some()).then(|| view! {
                    <button data-testid="undo-example" on:click=move |_| {
                        if let Some((data, drop_top, _, only)) = undo.get_untracked() {
                            state.update(|s| {
                                s.data = data;
                                s.drop_top = drop_top;
                                s.only = only;
                            });
                        }
                        undo.set(None);
                    }>"Undo: bring back what the box had"</button>
                })}
                <span class="hint">
                    "Chinchilla runs read off Hoffmann et al. (2022), Fig. 4, by Besiroglu et al. (2024); the replication drops the 5 highest losses."
                </span>
            </div>
            <ColumnMapping state=state facts=facts />
            <DataReport summary=summary />
            <ComputeChoiceView state=state summary=summary />
        </section>
    }
}

/// Recompute C = 6ND or keep the compute column as given, offered when
/// the column is not 6ND (or is kept).
#[component]
fn ComputeChoiceView(state: RwSignal<ShareState>, summary: Memo<DataSummary>) -> impl IntoView {
    let set = move |choice: ComputeChoice| state.update(|s| s.compute = choice);
    move || {
        summary.with(|s| s.compute_choice).map(|current| {
            view! {
                <fieldset class="options compute-choice" data-testid="compute-choice">
                    <legend>"Compute of the runs"</legend>
                    <label><input type="radio" name="compute-choice" data-testid="compute-recompute"
                        prop:checked=current == ComputeChoice::Recompute
                        on:change=move |_| set(ComputeChoice::Recompute) />
                        " recompute C = 6ND from N and D"</label>
                    <label><input type="radio" name="compute-choice" data-testid="compute-as-given"
                        prop:checked=current == ComputeChoice::AsGiven
                        on:change=move |_| set(ComputeChoice::AsGiven) />
                        " use the column as given (C = k·N·D, k its median C/(N D))"</label>
                </fieldset>
            }
        })
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
