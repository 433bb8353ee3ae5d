//! The counting-conventions panel: shown when the table gives the models'
//! shape; the Chinchilla law refitted (in a worker) with N and C counted each
//! way of the field, and how much the exponent a and N* move.

use super::num;
use crate::model::{conventions_job, gather_conventions, FitInputs};
use crate::runner;
use frontier_engine::conventions::ConventionRow;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running,
    Done(Vec<ConventionRow>),
    Failed(String),
}

#[component]
pub fn ConventionsPanel(
    state: RwSignal<ShareState>,
    facts: Memo<(Vec<(String, usize)>, bool)>,
    // A comparison belongs to the runs, law and options it was made with.
    inputs: Memo<FitInputs>,
) -> impl IntoView {
    let shaped = Memo::new(move |_| facts.with(|f| f.1));
    let status = RwSignal::new(Status::Idle);
    Effect::new(move |prev: Option<()>| {
        // Read, not only tracked: a memo nobody reads never recomputes.
        inputs.with(|_| ());
        if prev.is_some() {
            status.set(Status::Idle);
        }
    });
    let run = move |_| {
        let (inputs, compute) = state.with_untracked(|s| (FitInputs::of(s), s.budget.flops().ok()));
        status.set(Status::Running);
        let r = runner::start(
            vec![conventions_job(&inputs, compute)],
            |_| {},
            move |replies| match replies.and_then(gather_conventions) {
                Ok(rows) => status.set(Status::Done(rows)),
                Err(m) => status.set(Status::Failed(m)),
            },
        );
        if let Err(m) = r {
            runner::cancel();
            status.set(Status::Failed(m));
        }
    };
    view! {
        <section class="panel conventions" data-testid="conventions-panel" class:hidden=move || !shaped.get()>
            <h2>"Counting conventions"</h2>
            <p class="hint">
                "What N and C count moves the answer (Porian et al. 2024 trace most of Kaplan's a = 0.73 against Hoffmann's 0.5 to it). Your runs give the models' shape, so the Chinchilla law can be refitted with N and C counted each way: a = β/(α+β) of the fit, N* at the budget, and a measured straight from the runs."
            </p>
            <div class="row">
                <button data-testid="conventions-run" disabled=move || status.get() == Status::Running on:click=run>"Compare conventions"</button>
                {move || match status.get() {
                    Status::Running => view! { <span data-testid="conventions-status">"Refitting…"</span> }.into_any(),
                    Status::Failed(m) => view! { <span class="status error" data-testid="conventions-status">{m}</span> }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
            {move || match status.get() {
                Status::Done(rows) => Some(view! {
                    <div class="table-scroll"><table class="compare" data-testid="conventions-table">
                        <tr><th>"N and FLOPs per token"</th><th>"a (fit)"</th><th>"N* at the budget"</th><th>"a (from the runs)"</th></tr>
                        {rows.into_iter().map(|r| view! {
                            <tr data-testid=format!("convention-{}", r.id)>
                                <td>{r.name.clone()}{r.note.clone().map(|n| view! { <div class="hint">{n}</div> })}</td>
                                <td class="num" data-value=format!("{:?}", r.a.unwrap_or(f64::NAN))>{r.a.map(|v| format!("{v:.3}")).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{r.n_star.map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{match (r.a_direct, r.direct_method.clone()) {
                                    (Some(v), Some(m)) => format!("{v:.3} ({m})"),
                                    _ => "–".into(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </table></div>
                }),
                _ => None,
            }}
        </section>
    }
}
