//! The cross-check panel: Hoffmann's three approaches to the allocation
//! exponent, shown for a fitted Chinchilla law.

use super::num;
use crate::model::{approach_rows, FitOutcome};
use frontier_engine::format::sig;
use frontier_engine::laws::Answers;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

/// Hoffmann's three estimates of the allocation exponent side by side.
#[component]
pub fn Approaches(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
) -> impl IntoView {
    let cell = |v: Option<(f64, Option<(f64, f64)>)>, f: fn(f64) -> String| match v {
        None => "–".to_string(),
        Some((x, None)) => f(x),
        Some((x, Some((lo, hi)))) => format!("{} [{}, {}]", f(x), f(lo), f(hi)),
    };
    view! {
        {move || outcome.with(|o| o.as_ref().filter(|o| o.model.answers() == Answers::Frontier).map(|o| {
            let budget = state.with(|s| s.budget.flops().ok());
            let (rows, disagreements) = approach_rows(o, budget);
            view! {
                <section class="panel approaches" data-testid="approaches">
                    <h2>"Cross-check: Hoffmann's three approaches"</h2>
                    <p class="hint">
                        "Approach 1 takes the lowest-loss run of each compute budget; Approach 2 fits a parabola in log N to each budget's runs (IsoFLOP profile); both then fit N_opt = k·C^a. Runs within 25% of each other's compute share a budget. "
                        "Intervals: 95%, from the bootstrap for Approach 3 and from the regression across budgets for 1 and 2."
                    </p>
                    <div class="table-scroll"><table class="compare">
                        <tr><th>"approach"</th><th>"a (N* ∝ C^a)"</th><th>{budget.map(|c| format!("N* at {} FLOPs", sig(c, 3))).unwrap_or_else(|| "N* at the budget".into())}</th><th>"budgets used"</th></tr>
                        {rows.into_iter().map(|r| {
                            let used = match (r.name.chars().next(), &o.envelope, &o.isoflop) {
                                (Some('1'), Ok(f), _) | (Some('2'), _, Ok(f)) => format!("{} of {}", f.budgets.len(), f.budgets.len() + f.skipped.len()),
                                _ => "–".into(),
                            };
                            let id = format!("approach-{}", &r.name[..1]);
                            view! {
                                <tr data-testid=id>
                                    <td>{r.name}</td>
                                    <td class="num">{match &r.missing { Some(m) => m.clone(), None => cell(r.a, |v| format!("{v:.3}")) }}</td>
                                    <td class="num">{cell(r.n_at_budget, num)}</td>
                                    <td class="num">{used}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </table></div>
                    {disagreements.into_iter().map(|(warn, m)| view! {
                        <p class=if warn { "status warn" } else { "status ok" }
                           data-testid=if warn { "approaches-warning" } else { "approaches-agree" }>{m}</p>
                    }).collect_view()}
                </section>
            }
        }))}
    }
}
