//! The series panel: the chosen law fitted to each series of a column
//! (architecture, dataset, tokenizer, ...), in a worker; each series' answer
//! at the budget, and for every pair the compute ratio and the crossover.
//! The series' frontiers are drawn on the loss plot.

use super::num;
use crate::model::{gather_series, series_job, FitInputs};
use crate::runner;
use frontier_engine::format::sig;
use frontier_engine::series::SeriesReport;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running,
    Done(f64),
    Failed(String),
}

#[component]
pub fn SeriesPanel(
    state: RwSignal<ShareState>,
    result: RwSignal<Option<SeriesReport>>,
    facts: Memo<(Vec<(String, usize)>, bool)>,
    // Results belong to the runs, law and options they were fitted with.
    inputs: Memo<FitInputs>,
) -> impl IntoView {
    let columns = Memo::new(move |_| facts.with(|f| f.0.clone()));
    let status = RwSignal::new(Status::Idle);
    Effect::new(move |prev: Option<()>| {
        // Read, not only tracked: a memo nobody reads never recomputes.
        inputs.with(|_| ());
        if prev.is_some() {
            result.set(None);
            status.set(Status::Idle);
        }
    });
    let chosen = move || {
        state
            .with(|s| s.series.clone())
            .or_else(|| columns.with(|c| c.first().map(|(h, _)| h.clone())))
    };
    let run = move |_| {
        let Some(column) = chosen() else { return };
        let (inputs, compute) = state.with_untracked(|s| (FitInputs::of(s), s.budget.flops()));
        let Ok(compute) = compute else {
            status.set(Status::Failed(
                "enter a valid compute budget under 3. Budget".into(),
            ));
            return;
        };
        status.set(Status::Running);
        let started = crate::browser::now_ms();
        let r = runner::start(
            vec![series_job(&inputs, &column, compute)],
            |_| {},
            move |replies| match replies.and_then(gather_series) {
                Ok(rep) => {
                    result.set(Some(rep));
                    status.set(Status::Done((crate::browser::now_ms() - started) / 1000.0));
                }
                Err(m) => status.set(Status::Failed(m)),
            },
        );
        if let Err(m) = r {
            runner::cancel();
            status.set(Status::Failed(m));
        }
    };
    view! {
        <section class="panel series" data-testid="series-panel"
            class:hidden=move || columns.with(Vec::is_empty) && result.with(Option::is_none)>
            <h2>"Series"</h2>
            <p class="hint">
                "Fit the law above to each series of a column apart (architectures, datasets, tokenizers) and compare them at the budget. The compute ratio of a to b is how many times the budget series a needs to reach the loss series b reaches with it (above 1: b is the more compute-efficient); its 95% interval comes from paired bootstrap resamples of both series (the resamples and seed set under the fit's options; 0 resamples: no interval)."
            </p>
            <div class="row">
                <label>"Series column "
                    <select data-testid="series-column"
                        on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.series = Some(v)); }>
                        {move || columns.get().into_iter().map(|(h, n)| {
                            let h2 = h.clone();
                            view! {
                                <option value=h.clone() selected=move || chosen().as_ref() == Some(&h2)>{format!("{h} ({n} series)")}</option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="series-fit" disabled=move || status.get() == Status::Running on:click=run>"Fit each series"</button>
                {move || match status.get() {
                    Status::Running => view! { <span data-testid="series-status">"Fitting each series…"</span> }.into_any(),
                    Status::Done(secs) => view! { <span class="status ok" data-testid="series-status">{format!("Done in {secs:.1} s.")}</span> }.into_any(),
                    Status::Failed(m) => view! { <span class="status error" data-testid="series-status">{m}</span> }.into_any(),
                    Status::Idle => ().into_any(),
                }}
            </div>
            {move || result.get().map(|r| view! {
                <div class="table-scroll"><table class="compare" data-testid="series-table">
                    <tr><th>"series"</th><th>"points"</th><th>"N*"</th><th>"D*"</th><th>"D*/N*"</th><th>"L*"</th><th>"objective"</th></tr>
                    {r.series.iter().map(|s| {
                        let b = s.budget;
                        view! {
                            <tr data-testid=format!("series-row-{}", s.name)>
                                <td>{s.name.clone()}</td>
                                <td class="num">{s.points}</td>
                                <td class="num">{b.and_then(|b| b.n).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.d).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.tokens_per_parameter).map(|v| sig(v, 3)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num" data-value=format!("{:?}", b.map(|b| b.loss).unwrap_or(f64::NAN))>{b.map(|b| format!("{:.4}", b.loss)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{format!("{:.4e}", s.report.objective)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </table></div>
                {r.series.iter().any(|s| !s.notes.is_empty()).then(|| view! {
                    <ul class="issues warn" data-testid="series-notes">
                        {r.series.iter().flat_map(|s| s.notes.iter().map(move |n| view! {
                            <li>{format!("{}: {}", s.name, n.text)}</li>
                        })).collect_view()}
                    </ul>
                })}
                <div class="table-scroll"><table class="compare" data-testid="series-pairs">
                    <tr><th>"a"</th><th>"b"</th><th>"compute ratio"</th><th>"95% interval"</th><th>"frontiers cross at"</th></tr>
                    {r.pairs.iter().map(|p| view! {
                        <tr data-testid=format!("series-pair-{}-{}", p.a, p.b)>
                            <td>{p.a.clone()}</td>
                            <td>{p.b.clone()}</td>
                            <td class="num" data-value=format!("{:?}", p.compute_ratio.unwrap_or(f64::NAN))>{p.compute_ratio.map(|v| format!("{}×", sig(v, 3))).unwrap_or_else(|| format!("none: {} never reaches the loss {} reaches", p.a, p.b))}</td>
                            <td class="num" data-testid="series-interval">{p.interval.map(|(lo, hi)| format!("{}–{}", sig(lo, 3), sig(hi, 3))).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{p.crossover.map(|c| format!("{} FLOPs", num(c))).unwrap_or_else(|| "no crossing in 1e15–1e30".into())}</td>
                        </tr>
                    }).collect_view()}
                </table></div>
                {(!r.failed.is_empty()).then(|| view! {
                    <ul class="issues warn">
                        {r.failed.iter().map(|(n, e)| view! { <li>{format!("{n}: {e}")}</li> }).collect_view()}
                    </ul>
                })}
            })}
        </section>
    }
}
