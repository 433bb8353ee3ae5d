//! The "3. Budget" panel: the compute budget and target loss, the answers for
//! them, and the published laws to compare or answer with.

use super::{find, num};
use crate::model::{comparison, overlay_presets, primary, FitOutcome, LawAnswers};
use frontier_engine::bootstrap::Interval;
use frontier_engine::format::sig;
use frontier_engine::optimal::BudgetInput;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[component]
pub fn BudgetPanel(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
) -> impl IntoView {
    view! {
        <section class="panel budget">
            <h2>"3. Budget"</h2>
            <BudgetInputs state=state />
            <AnswersView state=state outcome=outcome />
            <p class="hint">"Limits, over-training, inference and the next runs: Plan under limits, below."</p>
            <h3>"Published laws"</h3>
            <p class="hint">"Overlay on the plots and compare; with no data, the first one chosen answers the budget questions."</p>
            {overlay_presets().into_iter().map(|(model, p)| {
                let id = p.id;
                let values = model
                    .law
                    .parameter_names()
                    .iter()
                    .zip(&p.values)
                    .map(|(n, v)| format!("{n} {}", sig(*v, 6)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let origin = match p.origin {
                    frontier_engine::laws::Origin::Paper => "the paper's values",
                    frontier_engine::laws::Origin::Replication => "a replication's values",
                };
                view! {
                    <label class="preset">
                        <input type="checkbox"
                            data-testid=format!("preset-{id}")
                            prop:checked=move || state.with(|s| s.presets.iter().any(|x| x == id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                state.update(|s| {
                                    s.presets.retain(|x| x != id);
                                    if on {
                                        s.presets.push(id.to_string());
                                    }
                                });
                            }
                        />
                        {format!(" {} — {origin} of {}: {values}", p.name, model.law.name)}
                    </label>
                }
            }).collect_view()}
            <OwnLaw state=state />
        </section>
    }
}

/// The Chinchilla law with parameters typed by hand (another paper's, or a
/// fit made elsewhere): answered and drawn as a published set is, and
/// first when there is no fit.
#[component]
fn OwnLaw(state: RwSignal<ShareState>) -> impl IntoView {
    let problem = move || {
        state.with(|s| {
            (!s.own.trim().is_empty())
                .then(|| frontier_engine::laws::chinchilla::read_parameters(&s.own).err())
                .flatten()
        })
    };
    view! {
        <label class="preset own">"Your own parameters of the Chinchilla law "
            <input data-testid="own-law" class="wide" spellcheck="false"
                placeholder="E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283"
                prop:value=move || state.with(|s| s.own.clone())
                on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| s.own = v); } />
        </label>
        {move || problem().map(|e| view! { <p class="status error" data-testid="own-law-error">{e}</p> })}
    }
}

#[component]
fn BudgetInputs(state: RwSignal<ShareState>) -> impl IntoView {
    let hardware = move || state.with(|s| matches!(s.budget, BudgetInput::Hardware { .. }));
    let set_mode = move |hw: bool| {
        state.update(|s| {
            let flops = s.budget.flops().ok();
            s.budget = if hw {
                BudgetInput::Hardware {
                    gpus: "1024".into(),
                    hours: "720".into(),
                    peak_flops: "989e12".into(),
                    utilization: "40%".into(),
                }
            } else {
                BudgetInput::Flops {
                    flops: flops
                        .map(|f| format!("{f:e}"))
                        .unwrap_or_else(|| "5.76e23".into()),
                }
            };
        })
    };
    // The text of one budget field, and its input handler.
    let field = move |name: &'static str| {
        (
            move || state.with(|s| s.budget.field(name).unwrap_or_default().to_string()),
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                state.update(|s| {
                    if let Some(f) = s.budget.field_mut(name) {
                        *f = v;
                    }
                });
            },
        )
    };
    let (flops_get, flops_set) = field("flops");
    let (gpus_get, gpus_set) = field("gpus");
    let (hours_get, hours_set) = field("hours");
    let (peak_get, peak_set) = field("peak_flops");
    let (util_get, util_set) = field("utilization");
    view! {
        <div class="row">
            <label><input type="radio" name="budget-mode" prop:checked=move || !hardware() on:change=move |_| set_mode(false) />" FLOPs"</label>
            <label><input type="radio" name="budget-mode" data-testid="budget-hardware" prop:checked=hardware on:change=move |_| set_mode(true) />" GPUs × hours × peak × utilization"</label>
        </div>
        {move || if hardware() {
            view! {
                <div class="hardware">
                    <label>"GPUs "<input class="short" data-testid="budget-gpus" prop:value=gpus_get on:input=gpus_set /></label>
                    <label>"hours "<input class="short" data-testid="budget-hours" prop:value=hours_get on:input=hours_set /></label>
                    <label>"peak FLOP/s per GPU "<input class="short" data-testid="budget-peak" prop:value=peak_get on:input=peak_set /></label>
                    <label>"utilization "<input class="short" data-testid="budget-util" prop:value=util_get on:input=util_set /></label>
                </div>
            }.into_any()
        } else {
            view! {
                <label>"Compute budget C (FLOPs, or with a unit: 100 PF-days) "
                    <input data-testid="budget-input" prop:value=flops_get on:input=flops_set />
                </label>
            }.into_any()
        }}
        <p class=move || if state.with(|s| s.budget.flops().is_err()) { "status error" } else { "hint" } data-testid="budget-flops">
            {move || state.with(|s| match s.budget.flops() {
                Ok(f) => match s.budget.typed_with_unit() {
                    Some(typed) => format!("C = {} FLOPs = {typed}", sig(f, 4)),
                    None => format!("C = {} FLOPs", sig(f, 4)),
                },
                Err(e) => e,
            })}
        </p>
        <label>"Target loss "
            <input class="short" data-testid="target-input" placeholder="e.g. 2.0"
                prop:value=move || state.with(|s| s.target_loss.clone())
                on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| s.target_loss = v); } />
        </label>
    }
}

#[component]
fn AnswersView(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
) -> impl IntoView {
    let headline = move || {
        state.with(|s| {
            outcome.with(|o| {
                primary(s, o.as_ref()).map(|p| {
                    // Answers from the fit are checked against its data.
                    let data = o
                        .as_ref()
                        .filter(|_| p.label == "your fit")
                        .map(|o| &o.dataset);
                    crate::model::answers(&p.label, &p.model, &p.params, s, data)
                })
            })
        })
    };
    let rows = move || state.with(|s| outcome.with(|o| comparison(s, o.as_ref())));
    view! {
        {move || match headline() {
            None => view! {
                <p class="hint" data-testid="answers-empty">"Fit your data, or choose a published law below, to see the optimal allocation."</p>
            }.into_any(),
            Some(a) => {
                let iv = state.with(|s| outcome.with(|o| o.as_ref().and_then(|o| o.intervals(s.budget.flops().ok()))));
                let target_iv = state.with(|s| {
                    let t = crate::model::parse_target(&s.target_loss)?.ok()?;
                    outcome.with(|o| o.as_ref()?.target_interval(t))
                });
                let budget_ok = state.with(|s| s.budget.flops().is_ok());
                headline_view(budget_ok, a, iv, target_iv).into_any()
            }
        }}
        {move || {
            let rows = rows();
            (rows.len() > 1).then(|| view! {
                <div class="table-scroll"><table class="compare">
                    <tr><th>"law"</th><th>"a"</th><th>"N*"</th><th>"D*"</th><th>"D*/N*"</th><th>"L*"</th><th>"C for target"</th></tr>
                    {rows.into_iter().map(|a| {
                        let b = a.budget;
                        view! {
                            <tr>
                                <td>{a.label.clone()}</td>
                                <td class="num">{a.allocation.map(|al| al.a).or(b.and_then(|b| b.a)).map(|v| sig(v, 3)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.n).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.d).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.tokens_per_parameter).map(|v| sig(v, 3)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.map(|b| format!("{:.4}", b.loss)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{match &a.target { Some(Ok((x, v))) if x == "C" => num(*v), Some(Ok((x, v))) => format!("{x} = {}", num(*v)), Some(Err(_)) => "unreachable".into(), None => "–".into() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </table></div>
            })
        }}
    }
}

fn headline_view(
    budget_ok: bool,
    a: LawAnswers,
    iv: Option<Vec<(String, Interval)>>,
    target_iv: Option<((f64, f64), usize)>,
) -> impl IntoView {
    let b = a.budget;
    let absurd = a.notes.iter().any(|n| n.absurd);
    let big = if absurd { "num" } else { "num big" };
    let notes = a.notes.clone();
    let unit = a.compute_unit.clone();
    let in_unit = move |c: f64| unit.as_ref().map(|u| format!(" = {}", u.show(c)));
    let range = move |name: &str, f: fn(f64) -> String| {
        find(&iv, name).map(|i| {
            view! { <span class="ci" data-testid=format!("ci-{name}")>{format!(" [{}, {}]", f(i.lo), f(i.hi))}</span> }
        })
    };
    view! {
        <div class="answers">
            <p class="hint">{format!("Answers from {}:", a.label)}</p>
            {a.compute.as_given.then(|| view! {
                <p class="status warn" data-testid="answers-convention">{format!(
                    "Compute counted {}: the budget is that count, and D* = C/({}·N*).",
                    a.compute.label(),
                    sig(a.compute.k, 3)
                )}</p>
            })}
            {match b {
                None => match a.no_budget.clone() {
                    Some(why) => view! { <p class="hint" data-testid="no-budget-answer">{why}</p> }.into_any(),
                    None if budget_ok => view! { <p class="status error" data-testid="no-budget-answer">"This law has no compute-optimal point at this budget: its loss keeps falling towards an end of the model sizes from 1 to C/k (C = k·N·D)."</p> }.into_any(),
                    None => view! { <p class="status error">"Enter a valid compute budget."</p> }.into_any(),
                },
                Some(b) => view! {
                    <table class="results">
                        {b.n.map(|n| view! { <tr><th>"optimal model size N*"</th><td class=big data-testid="optimal-N" data-value=format!("{n:?}")>{num(n)}" parameters"</td></tr>
                            <tr class="sub"><td></td><td class="num">{range("N*", num)}</td></tr> })}
                        {b.d.map(|d| view! { <tr><th>"optimal tokens D*"</th><td class=big data-testid="optimal-D" data-value=format!("{d:?}")>{num(d)}" tokens"</td></tr>
                            <tr class="sub"><td></td><td class="num">{range("D*", num)}</td></tr> })}
                        {b.tokens_per_parameter.map(|r| view! { <tr><th>"tokens per parameter D*/N*"</th><td class="num" data-testid="optimal-ratio">{sig(r, 3)}{range("D*/N*", |v| sig(v, 3))}</td></tr> })}
                        {a.compute_unit.clone().map(|u| view! { <tr><th>"compute budget C"</th><td class="num" data-testid="optimal-C-unit">{format!("{} FLOPs = {}", num(b.compute), u.show(b.compute))}</td></tr> })}
                        <tr><th>"expected loss L*"</th><td class="num" data-testid="optimal-loss" data-value=format!("{:?}", b.loss)>{format!("{:.4}", b.loss)}{range("L*", |v| format!("{v:.4}"))}</td></tr>
                        {b.a.filter(|_| a.allocation.is_none()).map(|x| view! { <tr><th title="d ln N*/d ln C at this budget, from the numerical frontier">"local exponent a"</th><td class="num" data-testid="optimal-local-a">{sig(x, 4)}{range("a", |v| sig(v, 3))}</td></tr> })}
                    </table>
                }.into_any(),
            }}
            {(!notes.is_empty()).then(|| view! {
                <ul class="answer-notes" data-testid="answer-notes">
                    {notes.into_iter().map(|n| view! {
                        <li class=if n.absurd { "status error" } else { "status warn" }>{n.text}</li>
                    }).collect_view()}
                </ul>
            })}
            {a.target.map(|t| match t {
                Ok((x, v)) if x != "C" => view! { <p data-testid="target-compute">{format!("{x} to reach the target loss: {}", num(v))}</p> }.into_any(),
                Ok((_, c)) => {
                    let spread = target_iv.map(|((lo, hi), unreachable)| {
                        let mut m = format!(" [{}, {}]", num(lo), num(hi));
                        if unreachable > 0 {
                            m += &format!("; {unreachable} bootstrap refits never reach it (their E is higher)");
                        }
                        m
                    });
                    view! { <p data-testid="target-compute">{format!("Compute to reach the target loss: {} FLOPs{}", num(c), in_unit(c).unwrap_or_default())}<span class="ci">{spread}</span></p> }.into_any()
                }
                Err(e) => view! { <p class="status error" data-testid="target-compute">{e}</p> }.into_any(),
            })}
        </div>
    }
}
