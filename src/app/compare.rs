//! The comparison panel: several catalogue laws fitted to the same runs, side
//! by side by objective, AIC, BIC and the error predicting the runs of the
//! largest compute from a fit without them.

use crate::model::{
    comparable_laws, compare_jobs, gather_compare, FitInputs, FitStatus, SharedPaste,
};
use crate::runner;
use frontier_engine::compare::{CompareRow, DEFAULT_HOLDOUT};
use frontier_engine::format::sig;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    Running { done: usize, total: usize },
    Done(Vec<CompareRow>, f64),
    Failed(String),
}

/// `status` is the fit's: a comparison waits while a fit runs (they share
/// the workers), and a fit started later stops a comparison.
#[component]
pub fn ComparePanel(
    state: RwSignal<ShareState>,
    pasted: Memo<SharedPaste>,
    status: RwSignal<FitStatus>,
) -> impl IntoView {
    // The laws offered depend on the paste, the chosen law and how it is
    // checked (a formula of one's own is offered when it fits the paste),
    // not on the rest.
    let checked_for =
        Memo::new(move |_| state.with(|s| (s.law.clone(), s.drop_top, s.compute, s.counting)));
    let laws = Memo::new(move |_| {
        checked_for.with(|_| ());
        pasted.with(|p| state.with_untracked(|s| comparable_laws(s, &p.0.table)))
    });
    let progress = RwSignal::new(Progress::Idle);
    let compared: RwSignal<Option<(FitInputs, Vec<String>)>> = RwSignal::new(None);
    let busy = move || {
        matches!(
            status.get(),
            FitStatus::Running { .. } | FitStatus::Bootstrapping { .. }
        ) || matches!(progress.get(), Progress::Running { .. })
    };
    let stale = move || {
        compared.with(|c| {
            c.as_ref().is_some_and(|(inputs, ids)| {
                state.with(|s| &FitInputs::of(s) != inputs || &s.compare != ids)
            })
        })
    };
    let run = move |_| {
        let ids = state.with_untracked(|s| s.compare.clone());
        if ids.is_empty() {
            progress.set(Progress::Failed("tick at least one law to compare".into()));
            return;
        }
        let inputs = state.with_untracked(FitInputs::of);
        let workers = runner::worker_count().min(ids.len());
        let total = ids.len();
        progress.set(Progress::Running { done: 0, total });
        let started = crate::browser::now_ms();
        let (ids_done, inputs_done) = (ids.clone(), inputs.clone());
        let result = runner::start(
            compare_jobs(&inputs, &ids, workers),
            move |done| progress.set(Progress::Running { done, total }),
            move |replies| match replies.and_then(|r| gather_compare(&ids_done, r)) {
                Ok(rows) => {
                    compared.set(Some((inputs_done.clone(), ids_done.clone())));
                    progress.set(Progress::Done(
                        rows,
                        (crate::browser::now_ms() - started) / 1000.0,
                    ));
                }
                Err(m) => progress.set(Progress::Failed(m)),
            },
        );
        if let Err(m) = result {
            runner::cancel();
            progress.set(Progress::Failed(m));
        }
    };
    view! {
        <section class="panel compare-laws" data-testid="compare-panel">
            <h2>"Compare laws"</h2>
            <p class="hint">
                "Fit several laws to the same runs and compare them honestly: the objective, AIC and BIC (Gaussian on the log residuals: n ln(RSS/n) + 2k, and + k ln n; lower is better, differences under about 2 mean little), and the extrapolation error: each law refitted without the "
                {format!("{:.0}%", DEFAULT_HOLDOUT * 100.0)}
                " of runs with the largest compute (or, without compute, of the law's first column) predicts them (RMS of the log error; 0.01 is about 1% of the loss). k counts fitted parameters only. The laws listed are those your table has the columns for."
            </p>
            <div class="law-ticks">
                {move || laws.get().into_iter().map(|(id, name)| {
                    let id2 = id.clone();
                    view! {
                        <label class="preset">
                            <input type="checkbox" data-testid=format!("compare-{id}")
                                prop:checked=move || state.with(|s| s.compare.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let id = id2.clone();
                                    state.update(|s| {
                                        s.compare.retain(|x| *x != id);
                                        if on {
                                            s.compare.push(id);
                                        }
                                    });
                                } />
                            {format!(" {name}")}
                        </label>
                    }
                }).collect_view()}
                {move || laws.with(|l| l.is_empty()).then(|| view! {
                    <p class="hint">"Paste runs first: the laws your columns can feed appear here."</p>
                })}
            </div>
            <div class="row">
                <button data-testid="compare-button" disabled=busy on:click=run>"Compare"</button>
                {move || match progress.get() {
                    Progress::Running { done, total } => view! {
                        <span data-testid="compare-status">{format!("Fitting {total} law{}: {done} done…", if total == 1 { "" } else { "s" })}</span>
                    }.into_any(),
                    Progress::Failed(m) => view! { <span class="status error" data-testid="compare-status">{m}</span> }.into_any(),
                    Progress::Done(_, secs) => view! { <span class="status ok" data-testid="compare-status">{format!("Done in {secs:.1} s.")}</span> }.into_any(),
                    Progress::Idle => ().into_any(),
                }}
            </div>
            {move || stale().then(|| view! {
                <p class="status warn">"The runs, options or laws changed since this comparison: press Compare to update it."</p>
            })}
            {move || match progress.get() {
                Progress::Done(rows, _) => Some(table(rows)),
                _ => None,
            }}
        </section>
    }
}

fn table(rows: Vec<CompareRow>) -> impl IntoView {
    let best_aic = rows
        .iter()
        .filter_map(|r| r.aic)
        .fold(f64::INFINITY, f64::min);
    let best_err = rows
        .iter()
        .filter_map(|r| r.extrapolation_error)
        .fold(f64::INFINITY, f64::min);
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or_else(|| "–".into());
    view! {
        <div class="table-scroll"><table class="compare" data-testid="compare-table">
            <tr><th>"law"</th><th>"k"</th><th>"points"</th><th>"objective"</th><th>"AIC"</th><th>"ΔAIC"</th><th>"BIC"</th><th>"extrapolation error"</th></tr>
            {rows.into_iter().map(|r| {
                let best = r.aic == Some(best_aic);
                let best_x = r.extrapolation_error == Some(best_err);
                view! {
                    <tr data-testid=format!("compare-row-{}", r.law) class=if best { "best" } else { "" }>
                        <td>{r.name.clone()}{r.note.clone().map(|n| view! { <div class="hint">{n}</div> })}</td>
                        <td class="num">{r.parameters}</td>
                        <td class="num">{r.points}</td>
                        <td class="num">{opt(r.objective, &|v| format!("{v:.6}"))}</td>
                        <td class="num" data-testid=format!("aic-{}", r.law)>{opt(r.aic, &|v| format!("{v:.1}"))}</td>
                        <td class="num">{opt(r.aic, &|v| format!("{:+.1}", v - best_aic))}</td>
                        <td class="num">{opt(r.bic, &|v| format!("{v:.1}"))}</td>
                        <td class=if best_x { "num best" } else { "num" } data-testid=format!("extrap-{}", r.law)>
                            {opt(r.extrapolation_error, &|v| format!("{} ({} runs)", sig(v, 3), r.held_out))}
                            {(r.extrapolation_error.is_some() && r.held_out_by != "C").then(|| view! {
                                <div class="hint">{format!("largest {}", r.held_out_by)}</div>
                            })}
                        </td>
                    </tr>
                }
            }).collect_view()}
        </table></div>
    }
}
