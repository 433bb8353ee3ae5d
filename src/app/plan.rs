//! "Plan under limits", in the budget panel: the best plan when memory,
//! tokens or unique data are limited, the price of training off the optimal
//! ratio, the inference-aware plan, and the money a GPU budget costs.

use super::chart_canvas::{Chart, ChartSpec};
use super::num;
use crate::model::FitOutcome;
use crate::plans::plan_view;
use frontier_engine::format::sig;
use frontier_engine::plans::{Binding, Plan, PlanInputs};
use frontier_engine::share::ShareState;
use leptos::prelude::*;

fn plan_row(what: &str, p: &Plan, testid: &str) -> impl IntoView {
    view! {
        <tr data-testid=testid.to_string()>
            <td>{what.to_string()}</td>
            <td class="num" data-value=format!("{:?}", p.n)>{num(p.n)}</td>
            <td class="num" data-value=format!("{:?}", p.d)>{num(p.d)}</td>
            <td class="num">{sig(p.tokens_per_parameter, 3)}</td>
            <td class="num">{num(p.c)}</td>
            <td class="num" data-value=format!("{:?}", p.loss)>{format!("{:.4}", p.loss)}</td>
        </tr>
    }
}

#[component]
pub fn PlanSection(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
) -> impl IntoView {
    let view_now = Memo::new(move |_| state.with(|s| outcome.with(|o| plan_view(s, o.as_ref()))));
    // The total-cost chart of the inference-aware plan, when there is one.
    let shown = move || {
        view_now.with(|v| {
            v.as_ref()
                .and_then(|v| match (&v.inference, &v.inference_law) {
                    (Some(Ok(p)), Some(law)) => Some(ChartSpec::Inference {
                        law: law.clone(),
                        compute: v.compute,
                        tokens: p.inference_tokens,
                        target: p.target_loss,
                    }),
                    _ => None,
                })
        })
    };
    let field = move |label: &'static str,
                      testid: &'static str,
                      placeholder: &'static str,
                      get: fn(&PlanInputs) -> &String,
                      set: fn(&mut PlanInputs, String)| {
        view! {
            <label>{label}
                <input class="short" data-testid=testid placeholder=placeholder
                    prop:value=move || state.with(|s| get(&s.plan).clone())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.update(|s| set(&mut s.plan, v));
                    } />
            </label>
        }
    };
    view! {
        <details class="plan" data-testid="plan-section" open=move || state.with_untracked(|s| !s.plan.is_empty())>
            <summary>"Plan under limits: memory, data, over-training, inference, price, next runs"</summary>
            <p class="hint">"Leave a field empty for no limit. Sizes take suffixes (70B, 1.4T)."</p>
            <div class="plan-fields">
                {field("largest model (memory) ", "plan-max-params", "e.g. 13B", |p| &p.max_params, |p, v| p.max_params = v)}
                {field("most tokens ", "plan-max-tokens", "e.g. 2T", |p| &p.max_tokens, |p, v| p.max_tokens = v)}
                {field("unique tokens ", "plan-unique", "e.g. 500B", |p| &p.unique_tokens, |p, v| p.unique_tokens = v)}
                {field("tokens per parameter ", "plan-ratio-input", "e.g. 200", |p| &p.tokens_per_parameter, |p, v| p.tokens_per_parameter = v)}
                {field("lifetime inference tokens ", "plan-inference-input", "e.g. 1e13", |p| &p.inference_tokens, |p, v| p.inference_tokens = v)}
                {field("price per GPU-hour ", "plan-price", "e.g. 2.50", |p| &p.price_per_gpu_hour, |p, v| p.price_per_gpu_hour = v)}
                {field("FLOPs for new experiments ", "plan-experiments", "e.g. 1e21", |p| &p.experiment_budget, |p, v| p.experiment_budget = v)}
            </div>
            <Chart spec=Signal::derive(shown) testid="chart-inference" file="frontier-total-flops"
                name="Training plus inference FLOPs against the target loss, the inference-aware plan beside the Chinchilla plan"
                height=|w| (w * 0.7).clamp(240.0, 420.0) min_width=320 />
            {move || view_now.get().map(|v| {
                let err = |m: String, id: &str| view! { <p class="status error" data-testid=id.to_string()>{m}</p> }.into_any();
                view! {
                    <p class="hint">{format!("Plans from {}, at the budget above, along {}.", v.label, v.compute.label())}</p>
                    {v.limited.map(|r| match r {
                        Err(m) => err(m, "plan-limited-error"),
                        Ok(lp) => {
                            let why = match lp.binding {
                                Binding::None => "No limit binds: the compute-optimal plan fits.".to_string(),
                                Binding::ModelSize => "The model-size limit binds: a smaller model trained on more tokens.".to_string(),
                                Binding::Tokens => "The token limit binds: a larger model trained on fewer tokens.".to_string(),
                                Binding::Both => format!("Both limits bind: only {} of the budget can be spent.", num(lp.plan.c)),
                                Binding::UniqueData => match lp.epochs {
                                    Some(e) => format!("The unique data binds: {}.", frontier_engine::plans::epochs_text(e)),
                                    None => format!("The unique data binds: it caps the tokens at the unique tokens, seen once. The plans' law ({}) does not model repeated data; for a plan over several epochs, fit the data-constrained law (Muennighoff 2023) to runs with a unique-tokens column U.", v.label),
                                },
                            };
                            view! {
                                <p data-testid="plan-binding">{why}</p>
                                <div class="table-scroll"><table class="compare" data-testid="plan-limited">
                                    <tr><th>"plan"</th><th>"N"</th><th>"D"</th><th>"D/N"</th><th>"C"</th><th>"loss"</th></tr>
                                    {plan_row("under the limits", &lp.plan, "plan-limited-row")}
                                    {lp.unconstrained.map(|u| plan_row("without limits", &u, "plan-free-row"))}
                                </table></div>
                                {lp.unconstrained.map(|u| view! {
                                    <p class="hint">{format!("The limits cost {:+.4} in loss.", lp.plan.loss - u.loss)}</p>
                                })}
                                {lp.repetition_cost.map(|r| view! {
                                    <p class="hint" data-testid="plan-repetition">{format!("Repeating the data costs {r:+.4} in loss against fresh data at the same N and D.")}</p>
                                })}
                            }.into_any()
                        }
                    })}
                    {v.ratio.map(|r| match r {
                        Err(m) => err(m, "plan-ratio-error"),
                        Ok(rp) => view! {
                            <div class="table-scroll"><table class="compare" data-testid="plan-ratio">
                                <tr><th>"plan"</th><th>"N"</th><th>"D"</th><th>"D/N"</th><th>"C"</th><th>"loss"</th></tr>
                                {plan_row("at the chosen ratio", &rp.plan, "plan-ratio-row")}
                                {rp.optimal.map(|o| plan_row("compute-optimal", &o, "plan-optimal-row"))}
                            </table></div>
                            {rp.compute_penalty.zip(rp.optimal_compute_for_same_loss).map(|(p, c)| view! {
                                <p data-testid="plan-penalty">{format!("A compute-optimal plan reaches the same loss with {} FLOPs: this ratio spends {:.3}× as much compute for it.", num(c), p)}</p>
                            })}
                        }.into_any(),
                    })}
                    {v.inference.map(|r| match r {
                        Err(m) => err(m, "plan-inference-error"),
                        Ok(ip) => view! {
                            <p data-testid="plan-inference">
                                {format!("Inference-aware (Sardana et al. 2024), for loss {} serving {} tokens: N* = {}, D_tr* = {} ({} tokens per parameter); training plus inference {} FLOPs, {:.3}× the Chinchilla plan's {} (N = {}, D = {}): {:.1}% saved.",
                                    ip.target_loss, num(ip.inference_tokens), num(ip.n), num(ip.d_train), sig(ip.tokens_per_parameter, 3),
                                    num(ip.total_flops), ip.flops_ratio, num(ip.chinchilla_total_flops), num(ip.chinchilla.n), num(ip.chinchilla.d),
                                    ((1.0 - ip.flops_ratio) * 100.0).max(0.0))}
                            </p>
                        }.into_any(),
                    })}
                    {v.design.map(|r| match r {
                        Err(m) => err(m, "plan-design-error"),
                        Ok(d) => view! {
                            <p data-testid="plan-design">
                                {format!("Which runs next: N* at the budget is {} now, 95% interval [{}, {}] by the delta method (the answers above give the bootstrap's, which need not agree); after the {} runs below ({} FLOPs), expected [{}, {}].",
                                    num(d.n_star), num(d.interval_now.0), num(d.interval_now.1), d.runs.len(), num(d.compute),
                                    num(d.interval_expected.0), num(d.interval_expected.1))}
                            </p>
                            <div class="table-scroll"><table class="compare" data-testid="plan-design-runs">
                                <tr><th>"N"</th><th>"D"</th><th>"D/N"</th><th>"C"</th></tr>
                                {d.runs.iter().map(|r| view! {
                                    <tr><td class="num">{num(r.n)}</td><td class="num">{num(r.d)}</td><td class="num">{sig(r.d / r.n, 3)}</td><td class="num">{num(r.c)}</td></tr>
                                }).collect_view()}
                            </table></div>
                            <p class="hint">"IsoFLOP runs chosen by the fit's Fisher information (the delta method): expected intervals, not guaranteed ones."</p>
                        }.into_any(),
                    })}
                    {v.cost.map(|r| match r {
                        Err(m) => err(m, "plan-cost-error"),
                        Ok(c) => view! { <p data-testid="plan-cost">{format!("The budget costs {} in the price's currency (GPUs × hours × price per GPU-hour).", frontier_engine::format::amount(c))}</p> }.into_any(),
                    })}
                }
            })}
        </details>
    }
}
