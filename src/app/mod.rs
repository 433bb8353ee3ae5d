//! The page's components: [`App`] holds the state and runs the fits, and lays
//! out the panels, each a component in its own module.

mod approaches;
mod budget;
pub mod chart_canvas;
mod charts;
mod columns;
mod compare;
mod conventions;
mod curves;
mod data;
mod export;
mod fit;
mod law;
mod plan;
mod series;
mod share;

use crate::browser;
use crate::model::{
    bootstrap_jobs, fit_jobs, gather_bootstrap, gather_fit_prepared, law_model, FitInputs,
    FitOutcome, FitStatus, SavedFit, SharedPaste, LARGE_LINK,
};
use crate::runner;
use approaches::Approaches;
use budget::BudgetPanel;
use charts::Charts;
use compare::ComparePanel;
use conventions::ConventionsPanel;
use curves::CurvesPanel;
use data::DataPanel;
use fit::FitPanel;
use frontier_engine::bootstrap::{Interval, DEFAULT_RESAMPLES};
use frontier_engine::fit::Grid;
use frontier_engine::format::sig;
use frontier_engine::share::ShareState;
use leptos::prelude::*;
use series::SeriesPanel;
use share::SharePanel;

/// The state the page starts from: a share link in the fragment wins, then
/// what was saved in localStorage, then an empty page. Returns the state,
/// whether it came from a link, and the link's problem if it had one.
///
/// The address bar follows the state, so a reload finds the page's own
/// link there: then the saved state is used, which is that link's state
/// with the text exactly as pasted (a format 3 link carries only the
/// columns in use) and any edit made since the address bar last caught up.
fn initial_state() -> (ShareState, bool, Option<String>) {
    let fragment = browser::fragment();
    let saved =
        || browser::load_saved().and_then(|json| serde_json::from_str::<ShareState>(&json).ok());
    if !fragment.is_empty() {
        if browser::load_link().as_deref() == Some(fragment.as_str()) {
            if let Some(s) = saved() {
                return (s, true, None);
            }
        }
        return match ShareState::decode(&fragment) {
            Ok(s) => {
                // The page now holds the link's state: save it.
                if let Ok(json) = serde_json::to_string(&s) {
                    browser::save(&json);
                }
                (s, true, None)
            }
            Err(e) => (ShareState::default(), false, Some(e.to_string())),
        };
    }
    let saved = saved().unwrap_or_else(|| ShareState {
        bootstrap: DEFAULT_RESAMPLES,
        ..ShareState::default()
    });
    (saved, false, None)
}

/// How long the address bar waits for the state to settle before it
/// follows (encoding a large table takes a moment).
const ADDRESS_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

fn grid_texts(state: &ShareState) -> Vec<String> {
    let axes = state.grid.clone().unwrap_or_else(|| {
        law_model(state)
            .map(|m| m.default_grid().axes)
            .unwrap_or_default()
    });
    axes.iter().map(|a| Grid::axis_text(a)).collect()
}

fn num(v: f64) -> String {
    sig(v, 4)
}

/// Standard error and 95% interval cells of a quantity, blank without a bootstrap.
fn interval_cells(iv: Option<&Interval>, id: &str) -> impl IntoView {
    match iv {
        Some(i) => view! {
            <td class="num se" data-testid=format!("se-{id}") data-value=format!("{:?}", i.se)>{sig(i.se, 2)}</td>
            <td class="num ci" data-testid=format!("ci-{id}")>{format!("[{}, {}]", sig(i.lo, 4), sig(i.hi, 4))}</td>
        }
        .into_any(),
        None => view! { <td></td><td></td> }.into_any(),
    }
}

fn find<'a>(iv: &'a Option<Vec<(String, Interval)>>, name: &str) -> Option<&'a Interval> {
    iv.as_ref()?.iter().find(|(n, _)| n == name).map(|(_, i)| i)
}

#[component]
pub fn App() -> impl IntoView {
    let (initial, from_link, link_problem) = initial_state();
    let state = RwSignal::new(initial.clone());
    let status = RwSignal::new(FitStatus::Idle);
    let outcome: RwSignal<Option<FitOutcome>> = RwSignal::new(None);
    let link_error = RwSignal::new(link_problem);
    let delta_text = RwSignal::new(format!("{}", initial.delta));
    let grid_text = RwSignal::new(grid_texts(&initial));
    let option_error: RwSignal<Option<String>> = RwSignal::new(None);
    // Option fields whose text is not a valid value (they block the fit).
    let field_errors: RwSignal<Vec<(&'static str, String)>> = RwSignal::new(Vec::new());
    let series = RwSignal::new(None);
    // The paste read once per change of its text, for every panel that
    // looks at it; the previous reading is kept while the text is the same.
    let pasted =
        Memo::new(move |prev: Option<&SharedPaste>| state.with(|s| SharedPaste::of(s, prev)));
    // What the series and conventions panels need of it.
    let facts = Memo::new(move |_| pasted.with(|p| crate::model::table_facts(&p.0.table)));

    // Save every change (not the first run: a damaged link's empty page must
    // not overwrite what the user had saved).
    // Whether localStorage holds the state as it is now (it refuses a state
    // over its quota).
    let saved_ok = RwSignal::new(true);
    Effect::new(move |prev: Option<()>| {
        let json = state.with(|s| serde_json::to_string(s).unwrap_or_default());
        if prev.is_some() {
            let ok = browser::save(&json);
            if ok != saved_ok.get_untracked() {
                saved_ok.set(ok);
            }
        }
    });

    // The address bar follows the state, 500 ms after the last change:
    // reload and copying the address both give the page as it is. A link
    // too long for an address bar leaves the fragment empty (the state is
    // in localStorage). After a damaged link the address is left as it was
    // until the first change.
    let link = RwSignal::new(String::new());
    let generation = StoredValue::new(0u64);
    Effect::new(move |prev: Option<()>| {
        state.track();
        if prev.is_none() && link_error.get_untracked().is_some() {
            return;
        }
        let g = generation.get_value().wrapping_add(1);
        generation.set_value(g);
        set_timeout(
            move || {
                if generation.get_value() != g {
                    return;
                }
                let base = browser::base_url();
                if state.with_untracked(|s| s.data.len()) > crate::model::AUTO_LINK_BYTES {
                    // Too large to encode at every change (see
                    // AUTO_LINK_BYTES): the share panel does it on demand.
                    browser::replace_url(&base);
                    browser::save_link("");
                    link.set(String::new());
                    return;
                }
                let fragment = state.with_untracked(|s| s.encode());
                if fragment.len() <= LARGE_LINK {
                    browser::replace_url(&format!("{base}#{fragment}"));
                    // A reload of this address then reads the saved state,
                    // when it is the current one.
                    browser::save_link(if saved_ok.get_untracked() {
                        &fragment
                    } else {
                        ""
                    });
                } else {
                    browser::replace_url(&base);
                    browser::save_link("");
                }
                link.set(fragment);
            },
            ADDRESS_DELAY,
        );
    });

    // Keep the last finished fit, so a reload with the same inputs shows
    // it without fitting again.
    Effect::new(move |_| {
        if status.get() != FitStatus::Done {
            return;
        }
        let json = outcome.with_untracked(|o| {
            o.as_ref()
                .filter(|o| !o.restored)
                .and_then(|o| serde_json::to_string(&SavedFit::of(o)).ok())
        });
        if let Some(json) = json {
            browser::save_fit(&json);
        }
    });

    // A new law (or new choices about its parameters) brings its own grid.
    let law_key = Memo::new(move |_| state.with(|s| s.law.clone()));
    Effect::new(move |prev: Option<()>| {
        law_key.with(|_| ());
        if prev.is_some() {
            grid_text.set(state.with_untracked(grid_texts));
        }
    });

    // A failure message is about the inputs it was given: clear it when they change.
    let fit_inputs = Memo::new(move |_| state.with(FitInputs::of));
    Effect::new(move |prev: Option<()>| {
        fit_inputs.with(|_| ());
        if prev.is_some() && matches!(status.get_untracked(), FitStatus::Failed(_)) {
            status.set(FitStatus::Idle);
        }
    });
    let stale = Memo::new(move |_| {
        fit_inputs.with(|now| outcome.with(|o| o.as_ref().is_some_and(|o| &o.inputs != now)))
    });

    let run_bootstrap = move |jobs: Vec<String>, total: usize| {
        status.set(FitStatus::Bootstrapping {
            done: 0,
            total,
            left: None,
        });
        let started = browser::now_ms();
        let result = runner::start(
            jobs,
            move |done| {
                let elapsed = (browser::now_ms() - started) / 1000.0;
                let left = crate::model::seconds_left(done, total, elapsed);
                status.set(FitStatus::Bootstrapping { done, total, left })
            },
            move |replies| match replies.and_then(gather_bootstrap) {
                Ok(rs) => {
                    let seconds = (browser::now_ms() - started) / 1000.0;
                    outcome.update(|o| {
                        if let Some(o) = o {
                            o.resamples = Some(rs);
                            o.boot_seconds = seconds;
                        }
                    });
                    status.set(FitStatus::Done);
                }
                Err(m) => status.set(FitStatus::Failed(format!("bootstrap: {m}"))),
            },
        );
        if let Err(m) = result {
            runner::cancel();
            status.set(FitStatus::Failed(m));
        }
    };

    let run_fit = move || {
        if field_errors.with_untracked(|f| !f.is_empty()) {
            option_error.set(Some(
                "Fix the option fields marked above before fitting.".into(),
            ));
            return;
        }
        // Read the option fields first: a typo there should not start a fit.
        let delta = match delta_text.with(|t| crate::model::read_delta(t)) {
            Ok(d) => d,
            Err(m) => {
                option_error.set(Some(m));
                return;
            }
        };
        let model = match state.with_untracked(law_model) {
            Ok(m) => m,
            Err(e) => {
                outcome.set(None);
                status.set(FitStatus::Failed(
                    e.lines().next().unwrap_or_default().to_string(),
                ));
                return;
            }
        };
        let mut axes = Vec::new();
        let names = model.coordinate_names();
        for (i, text) in grid_text.get_untracked().iter().enumerate() {
            match Grid::parse_axis(text) {
                Ok(a) => axes.push(a),
                Err(e) => {
                    option_error.set(Some(format!("grid axis {}: {e}", names[i])));
                    return;
                }
            }
        }
        option_error.set(None);
        state.update(|s| {
            // A fit of the data replaces a fit that came without data.
            s.fitted = None;
            s.delta = delta;
            s.grid = if axes == model.default_grid().axes {
                None
            } else {
                Some(axes)
            };
        });
        let inputs = state.with_untracked(FitInputs::of);
        let prepared = match inputs.prepare() {
            Ok(p) => p,
            Err(issues) => {
                // The last results belong to other inputs: leave none on screen.
                outcome.set(None);
                // A training history is not a table of final losses: say
                // where it is fitted rather than which row is not one.
                let history = pasted.with_untracked(|p| {
                    p.0.history
                        .as_ref()
                        .map(|c| crate::model::history_not_fitted_here(c))
                });
                status.set(FitStatus::Failed(history.unwrap_or_else(|| {
                    issues.first().map(|i| i.to_string()).unwrap_or_default()
                        + if issues.len() > 1 {
                            " (see the problems listed under the data)"
                        } else {
                            ""
                        }
                })));
                return;
            }
        };
        if let Err(e) = prepared.options.check(prepared.model.dim()) {
            status.set(FitStatus::Failed(e.to_string()));
            return;
        }
        let total = prepared.options.grid.len();
        let workers = runner::worker_count().min(total);
        status.set(FitStatus::Running { done: 0, total });
        let started = browser::now_ms();
        // Read once: on large data each reading of the text costs a tenth
        // of a second or more. The callback runs once and takes it.
        let prepared = std::cell::RefCell::new(Some(prepared));
        let result = runner::start(
            fit_jobs(&inputs, workers),
            move |done| status.set(FitStatus::Running { done, total }),
            move |replies| {
                let p = match prepared.borrow_mut().take() {
                    Some(p) => Ok(p),
                    None => inputs
                        .prepare()
                        .map_err(|i| frontier_engine::data::issues_text(&i)),
                };
                let report = p.and_then(|p| {
                    let report = replies.and_then(|r| gather_fit_prepared(&p, r))?;
                    Ok((p, report))
                });
                let seconds = (browser::now_ms() - started) / 1000.0;
                match report.and_then(|(p, r)| {
                    FitOutcome::from_prepared(inputs.clone(), p, r, seconds, workers)
                }) {
                    Ok(o) => {
                        let boot = o.inputs.boot();
                        let jobs = boot.map(|b| {
                            bootstrap_jobs(&o.inputs, &o.report, &b, workers.min(b.resamples))
                        });
                        outcome.set(Some(o));
                        status.set(match boot {
                            Some(b) => FitStatus::Bootstrapping {
                                done: 0,
                                total: b.resamples,
                                left: None,
                            },
                            None => FitStatus::Done,
                        });
                        if let (Some(b), Some(jobs)) = (boot, jobs) {
                            // Start the bootstrap after this callback returns:
                            // starting workers stops these ones, whose
                            // callback this is.
                            set_timeout(
                                move || run_bootstrap(jobs, b.resamples),
                                std::time::Duration::ZERO,
                            );
                        }
                    }
                    Err(m) => status.set(FitStatus::Failed(m)),
                }
            },
        );
        if let Err(m) = result {
            runner::cancel();
            status.set(FitStatus::Failed(m));
        }
    };

    // The last fit of these very inputs is shown at once, not fitted
    // again. Otherwise a link fits its data, except a link to a training
    // history (its curve fit runs in the curves panel) and a link that
    // carries a fit without data (it answers from the fitted parameters).
    let restored = browser::load_fit()
        .and_then(|json| serde_json::from_str::<SavedFit>(&json).ok())
        .and_then(|saved| saved.restore(&state.with_untracked(FitInputs::of)));
    if let Some(o) = restored {
        outcome.set(Some(o));
        status.set(FitStatus::Done);
    } else if from_link
        && state.with_untracked(|s| {
            s.curves.is_none() && !(s.data.trim().is_empty() && s.fitted.is_some())
        })
    {
        run_fit();
    }

    let on_fit = Callback::new(move |()| run_fit());
    let on_cancel = Callback::new(move |()| {
        runner::cancel();
        status.set(FitStatus::Cancelled);
    });

    view! {
        <header>
            <h1>"Frontier"</h1>
            <p class="tagline">
                "Fit scaling laws to your training runs and plan compute-optimal budgets, in your browser."
            </p>
        </header>
        {move || link_error.get().map(|m| view! {
            <div class="banner error" data-testid="link-error">
                <strong>"This link could not be opened: "</strong>{m}
                " The page below starts empty and works as usual."
                <button on:click=move |_| link_error.set(None)>"Dismiss"</button>
            </div>
        })}
        {move || (!saved_ok.get()).then(|| view! {
            <div class="banner warn" role="status" data-testid="not-saved">
                "This browser did not keep the page's state (its storage is full or turned off): a reload will lose what is in the boxes. Keep your file, or copy the link under 4. Share."
            </div>
        })}
        <main>
          <div class="top-panels">
            <DataPanel state=state pasted=pasted facts=facts />
            <FitPanel
                state=state
                status=status
                outcome=outcome
                delta_text=delta_text
                grid_text=grid_text
                option_error=option_error
                stale=stale
                field_errors=field_errors
                on_fit=on_fit
                on_cancel=on_cancel
            />
            <BudgetPanel state=state outcome=outcome />
          </div>
        <section class="panel plan-panel" data-testid="plan-panel">
            <plan::PlanSection state=state outcome=outcome />
        </section>
        <CurvesPanel state=state pasted=pasted autorun=from_link />
        <ComparePanel state=state pasted=pasted status=status />
        <SeriesPanel state=state result=series facts=facts inputs=fit_inputs />
        <ConventionsPanel state=state facts=facts inputs=fit_inputs />
        <Approaches state=state outcome=outcome />
        <Charts state=state outcome=outcome series=series />
        <SharePanel state=state outcome=outcome stale=stale link=link />
        </main>
        <footer>
            "Fits: Hoffmann et al. (2022) Approach 3 as replicated by Besiroglu et al. (2024), for every law: log-space residuals, Huber loss (δ = 10⁻³) summed over points, L-BFGS with exact gradients from a grid of starts. "
            "Everything runs in this page; nothing is sent anywhere."
        </footer>
    }
}
