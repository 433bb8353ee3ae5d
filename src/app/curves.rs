//! The training-curves panel: shown when the paste is a training history
//! (a step column, a learning rate and a loss). It draws every run's curve
//! and schedule, fits a schedule law in a worker (one run may be held out
//! and predicted), and predicts the curves of schedules the user describes.

use super::chart_canvas::{Chart, ChartSpec};
use crate::curves::{chart_input, default_choices, predictions, warmup_notes, Predicted};
use crate::model::{curves_job, gather_curves, SharedPaste};
use crate::runner;
use frontier_engine::curves::fit::CurveFit;
use frontier_engine::curves::{CurveChoices, Curves};
use frontier_engine::format::sig;
use frontier_engine::laws::schedule::ScheduleLaw;
use frontier_engine::share::ShareState;
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running,
    Done(f64),
    Failed(String),
}

/// `pasted` is the page's reading of the paste; its history, when it has one
/// (with a learning rate, or with model sizes and tokens: checkpoints for
/// Approach 1), is what this panel shows.
#[component]
pub fn CurvesPanel(
    state: RwSignal<ShareState>,
    pasted: Memo<SharedPaste>,
    autorun: bool,
) -> impl IntoView {
    let curves: Memo<Option<Arc<Curves>>> =
        Memo::new(move |_| pasted.with(|p| p.0.history.clone()));
    let choices = Memo::new(move |_| {
        state.with(|s| {
            s.curves
                .clone()
                .or_else(|| curves.with(|c| c.as_deref().map(default_choices)))
        })
    });
    let edit = move |f: &dyn Fn(&mut CurveChoices)| {
        let mut c = choices.get_untracked().unwrap_or_default();
        f(&mut c);
        state.update(|s| s.curves = Some(c));
    };
    let status = RwSignal::new(Status::Idle);
    // The history replaced by its final losses, for Undo.
    let replaced: RwSignal<Option<(String, Option<frontier_engine::columns::RowFilter>)>> =
        RwSignal::new(None);
    // The final losses' table replaces the history (one row per run).
    let to_final = move |_| {
        let Some(table) = curves.with_untracked(|c| c.as_ref().map(|c| c.final_table(5))) else {
            return;
        };
        state.update(|s| {
            replaced.set(Some((
                std::mem::replace(&mut s.data, table),
                s.only.clone(),
            )));
            crate::model::forget_lost_filter(s);
        });
    };
    // The fit and the inputs it was made from.
    let fitted: RwSignal<Option<(CurveFit, String, CurveChoices)>> = RwSignal::new(None);
    let log_x = Memo::new(move |_| choices.with(|c| c.as_ref().is_some_and(|c| c.log_x)));
    // Tokens seen at every step of every run: the charts can be drawn
    // against them.
    let has_tokens =
        Memo::new(move |_| curves.with(|c| c.as_ref().is_some_and(|c| c.tokens_axes().is_some())));
    let tokens_x = Memo::new(move |_| {
        has_tokens.get() && choices.with(|c| c.as_ref().is_some_and(|c| c.tokens_x))
    });
    let stale = move || {
        fitted.with(|f| {
            f.as_ref().is_some_and(|(_, data, c)| {
                // The rows fitted: the table as read, with the rows chosen
                // (the page's reading holds that text already).
                pasted.with(|p| p.0.text != **data)
                    || choices.with(|now| {
                        now.as_ref().is_some_and(|n| {
                            n.law != c.law || n.holdout != c.holdout || n.min_step != c.min_step
                        })
                    })
            })
        })
    };
    let run = move || {
        let Some(c) = choices.get_untracked() else {
            return;
        };
        let (data, delta) = state.with_untracked(|s| (s.table_text().into_owned(), s.delta));
        status.set(Status::Running);
        let started = crate::browser::now_ms();
        let (data2, c2) = (data.clone(), c.clone());
        let result = runner::start(
            vec![curves_job(&data, &c, delta)],
            |_| {},
            move |replies| match replies.and_then(gather_curves) {
                Ok(fit) => {
                    fitted.set(Some((fit, data2.clone(), c2.clone())));
                    status.set(Status::Done((crate::browser::now_ms() - started) / 1000.0));
                }
                Err(m) => status.set(Status::Failed(m)),
            },
        );
        if let Err(m) = result {
            runner::cancel();
            status.set(Status::Failed(m));
        }
    };
    if autorun && state.with_untracked(|s| s.curves.is_some()) && curves.get_untracked().is_some() {
        run();
    }
    let predicted: Memo<Vec<Predicted>> = Memo::new(move |_| {
        let Some(c) = choices.get() else {
            return Vec::new();
        };
        fitted.with(|f| {
            f.as_ref()
                .map(|(fit, _, _)| predictions(&c, fit))
                .unwrap_or_default()
        })
    });

    // What both charts draw, built once for the two.
    let input = Memo::new(move |_| {
        curves.with(|c| {
            c.as_ref().map(|c| {
                fitted.with(|f| {
                    predicted.with(|p| {
                        Arc::new(chart_input(
                            c,
                            f.as_ref().map(|(fit, _, _)| fit),
                            p,
                            log_x.get(),
                            tokens_x.get(),
                        ))
                    })
                })
            })
        })
    });
    view! {
        <section class="panel curves" data-testid="curves-panel"
            class:hidden=move || curves.with(Option::is_none) && replaced.with(Option::is_none)>
            <h2>"Training curves"</h2>
            {move || curves.with(|c| c.as_ref().map(|c| {
                let notes = c.notes.join("; ");
                view! {
                    <p class="hint" data-testid="curves-summary">
                        {format!("{} runs, {} logged losses, {}{}.",
                            c.runs.len(), c.points(),
                            if c.has_lr { "the learning rate at every step" } else { "no learning rate (the schedule laws below need one)" },
                            if notes.is_empty() { String::new() } else { format!(" ({notes})") })}
                        " A schedule law predicts a run's whole loss curve from its learning-rate schedule; fit it jointly to several runs of one model size."
                    </p>
                }
            }))}
            <div class="row">
                <label>"Law "
                    <select data-testid="curves-law"
                        on:change=move |ev| { let v = event_target_value(&ev); edit(&|c| c.law = v.clone()); }>
                        {ScheduleLaw::ALL.iter().map(|l| {
                            let id = l.id();
                            view! {
                                <option value=id selected=move || choices.with(|c| c.as_ref().is_some_and(|c| c.law == id))>
                                    {format!("{} ({})", l.name(), l.id())}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <label>" Hold out "
                    <select data-testid="curves-holdout"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            edit(&|c| c.holdout = (!v.is_empty()).then(|| v.clone()));
                        }>
                        <option value="">"no run"</option>
                        {move || curves.with(|c| c.as_ref().map(|c| c.names()).unwrap_or_default()).into_iter().map(|n| {
                            let n2 = n.clone();
                            view! {
                                <option value=n.clone() selected=move || choices.with(|c| c.as_ref().is_some_and(|c| c.holdout.as_ref() == Some(&n2)))>{n.clone()}</option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <label>" from step "
                    <input type="number" min="0" class="short" data-testid="curves-min-step"
                        prop:value=move || choices.with(|c| c.as_ref().map_or(0, |c| c.min_step).to_string())
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                                edit(&|c| c.min_step = v);
                            }
                        } />
                </label>
                <button data-testid="curves-fit" disabled=move || status.get() == Status::Running on:click=move |_| run()>"Fit curves"</button>
                {move || match status.get() {
                    Status::Running => view! { <span data-testid="curves-status">"Fitting… (the search runs in a worker; the page stays usable)"</span> }.into_any(),
                    Status::Done(secs) => view! { <span class="status ok" data-testid="curves-status">{format!("Done in {secs:.1} s.")}</span> }.into_any(),
                    Status::Failed(m) => view! { <span class="status error" data-testid="curves-status">{m}</span> }.into_any(),
                    Status::Idle => ().into_any(),
                }}
            </div>
            {move || stale().then(|| view! {
                <p class="status warn">"The history or the choices changed since this fit: press Fit curves to update it."</p>
            })}
            {move || fitted.with(|f| f.as_ref().map(|(fit, _, _)| result_table(fit)))}
            {move || curves.with(|c| c.as_ref().and_then(|c| c.envelopes())).map(|(all, finals)| {
                let say = |r: &Result<frontier_engine::approaches::AllocationFit, String>| match r {
                    Ok(f) => format!("a = {} [{}, {}] over {} compute bands", sig(f.a, 3), sig(f.lo, 3), sig(f.hi, 3), f.budgets.len()),
                    Err(e) => format!("not available ({e})"),
                };
                view! {
                    <p data-testid="curves-envelope">
                        {format!("Approach 1 (Hoffmann's envelope: the lowest loss in each compute band, C = 6ND) on every checkpoint: {}; on the final losses alone: {}.", say(&all), say(&finals))}
                    </p>
                }
            })}
            <div class="row">
                {move || curves.with(Option::is_some).then(|| view! {
                    <button data-testid="curves-to-final" on:click=to_final>"Use final losses as runs"</button>
                    <span class="hint">"One row per run (the mean of its last 5 logged losses, with N and tokens when the history has them), for the laws of final losses above."</span>
                })}
                {move || replaced.with(Option::is_some).then(|| view! {
                    <button data-testid="curves-undo-final" on:click=move |_| {
                        if let Some((h, only)) = replaced.get_untracked() {
                            state.update(|s| {
                                s.data = h;
                                s.only = only;
                            });
                        }
                        replaced.set(None);
                    }>"Undo: bring back the history"</button>
                })}
            </div>
            <h3>"Predict a schedule"</h3>
            <p class="hint">
                "Describe schedules as KIND:key=value,… — constant, cosine or linear (peak, warmup, final as a fraction of the peak), wsd (peak, warmup, decay as a fraction of the steps, shape linear, sqrt, cosine or square, final), or stages:rate@step,… The fitted law predicts each one's curve to the step below."
            </p>
            <div class="row">
                <label>"steps "
                    <input type="number" min="1" class="short" data-testid="curves-steps"
                        prop:value=move || choices.with(|c| c.as_ref().map_or(0, |c| c.steps).to_string())
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                                edit(&|c| c.steps = v);
                            }
                        } />
                </label>
                <label class="check"><input type="checkbox" data-testid="curves-log-x"
                    prop:checked=move || log_x.get()
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|c| c.log_x = on); } />" log step axis"</label>
                {move || has_tokens.get().then(|| view! {
                    <label>" x axis "
                        <select data-testid="curves-x-axis"
                            on:change=move |ev| { let on = event_target_value(&ev) == "tokens"; edit(&|c| c.tokens_x = on); }>
                            <option value="step" selected=move || !tokens_x.get()>"step"</option>
                            <option value="tokens" selected=move || tokens_x.get()>"tokens"</option>
                        </select>
                    </label>
                })}
            </div>
            {(0..2usize).map(|k| view! {
                <div class="row">
                    <label class="wide">{format!("schedule {} ", k + 1)}
                        <input type="text" class="schedule" data-testid=format!("curves-schedule-{k}")
                            prop:value=move || choices.with(|c| c.as_ref().and_then(|c| c.schedules.get(k).cloned()).unwrap_or_default())
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(&|c| {
                                    if c.schedules.len() <= k {
                                        c.schedules.resize(k + 1, String::new());
                                    }
                                    c.schedules[k] = v.trim().to_string();
                                });
                            } />
                    </label>
                    {move || predicted.with(|p| p.get(k).map(|(_, got)| match got {
                        Ok((_, pr)) => view! {
                            <span class="num" data-testid=format!("curves-final-{k}") data-value=format!("{:?}", pr.final_loss)>
                                {format!("final loss {}", sig(pr.final_loss, 5))}
                            </span>
                        }.into_any(),
                        Err(m) => view! { <span class="status error">{m.clone()}</span> }.into_any(),
                    }))}
                </div>
            }).collect_view()}
            {move || predicted.with(|p| match (p.first(), p.get(1)) {
                (Some((a, Ok((_, pa)))), Some((b, Ok((_, pb))))) => Some(view! {
                    <p data-testid="curves-difference">
                        {format!("At step {}, schedule 1 ends {} schedule 2: {} against {} ({:+.2}%).",
                            choices.with_untracked(|c| c.as_ref().map_or(0, |c| c.steps)),
                            if pa.final_loss < pb.final_loss { "below" } else { "above" },
                            sig(pa.final_loss, 5), sig(pb.final_loss, 5),
                            100.0 * (pa.final_loss - pb.final_loss) / pb.final_loss)}
                        <span class="hint">{format!(" ({a} vs {b})")}</span>
                    </p>
                }),
                _ => None,
            })}
            {move || fitted.with(Option::is_none).then(|| view! {
                <p class="hint">"Fit the curves to predict schedules."</p>
            })}
            {move || curves.with(|c| c.as_ref().map(|c| predicted.with(|p| warmup_notes(c, p)))).unwrap_or_default().into_iter().map(|n| view! {
                <p class="status warn" data-testid="curves-warmup-note">{n}</p>
            }).collect_view()}
            <Chart spec=Signal::derive(move || input.get().map(ChartSpec::Curves))
                testid="chart-curves" file="frontier-loss-curves"
                name="Loss against step (or tokens seen) for every run, with the fitted and predicted curves"
                height=|w| (w * 0.55).clamp(340.0, 560.0) />
            <Chart spec=Signal::derive(move || input.get().map(ChartSpec::LearningRate))
                testid="chart-lr" file="frontier-learning-rate"
                name="Learning rate against step (or tokens seen) for every run and predicted schedule"
                height=|w| (w * 0.25).clamp(180.0, 260.0) />
        </section>
    }
}

fn result_table(fit: &CurveFit) -> impl IntoView {
    let params: Vec<(String, f64)> = fit
        .parameter_names
        .iter()
        .cloned()
        .zip(fit.params.iter().cloned())
        .collect();
    let row = |r: &frontier_engine::curves::fit::RunReport, held: bool| {
        view! {
            <tr data-testid=format!("curves-run-{}", r.run)>
                <td>{if held { format!("{} (held out, predicted)", r.run) } else { r.run.clone() }}</td>
                <td class="num">{r.points}</td>
                <td class="num">{sig(r.rmse_log, 3)}</td>
                <td class="num">{sig(r.final_actual, 5)}</td>
                <td class="num" data-value=format!("{:?}", r.final_predicted)>{sig(r.final_predicted, 5)}</td>
                <td class="num">{format!("{:+.2}%", 100.0 * (r.final_predicted - r.final_actual) / r.final_actual)}</td>
            </tr>
        }
    };
    view! {
        <table class="params" data-testid="curves-params">
            <tr><th>"parameter"</th><th>"value"</th></tr>
            {params.into_iter().map(|(n, v)| view! {
                <tr><td>{n.clone()}</td><td class="num" data-testid=format!("curves-param-{n}") data-value=format!("{v:?}")>{sig(v, 5)}</td></tr>
            }).collect_view()}
            <tr><td>"objective"</td><td class="num" data-testid="curves-objective">{format!("{:.6e}", fit.objective)}</td></tr>
        </table>
        <p class="hint">{format!("{} logged losses fitted ({} before learning or the first step left out), {} starts, Huber δ = {} on ln loss{}.",
            fit.points, fit.skipped_points, fit.starts, sig(fit.delta, 2),
            if fit.converged { "" } else { "; the polish hit its iteration limit" })}</p>
        <div class="table-scroll"><table class="compare" data-testid="curves-runs">
            <tr><th>"run"</th><th>"points"</th><th>"RMS log error"</th><th>"final loss"</th><th>"predicted"</th><th>"error"</th></tr>
            {fit.runs.iter().map(|r| row(r, false)).collect_view()}
            {fit.holdout.as_ref().map(|h| row(h, true))}
        </table></div>
        <p class="hint">"Final loss: the mean of the last 5 logged losses, and of the predictions at those steps."</p>
    }
}
