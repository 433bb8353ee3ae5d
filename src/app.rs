//! The page's components. They read and write signals and call the model;
//! the maths lives in the engine.

use crate::browser;
use crate::model::{
    approach_rows, bootstrap_jobs, chart_input, comparison, fit_jobs, gather_bootstrap, gather_fit,
    primary, Answers, DataSummary, FitInputs, FitOutcome, FitStatus, EXAMPLE_DATA,
};
use crate::runner;
use frontier_engine::bootstrap::{Interval, DEFAULT_RESAMPLES, MAX_RESAMPLES};
use frontier_engine::fit::Grid;
use frontier_engine::format::sig;
use frontier_engine::optimal::BudgetInput;
use frontier_engine::presets::PRESETS;
use frontier_engine::share::ShareState;
use frontier_engine::LawKind;
use leptos::html;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// The state the page starts from: a share link in the fragment wins, then
/// what was saved in localStorage, then an empty page. Returns the state,
/// whether it came from a link, and the link's problem if it had one.
fn initial_state() -> (ShareState, bool, Option<String>) {
    let fragment = browser::fragment();
    if !fragment.is_empty() {
        return match ShareState::decode(&fragment) {
            Ok(s) => {
                // The page now holds the link's state: save it, and drop the
                // fragment so a reload after edits keeps the edits.
                if let Ok(json) = serde_json::to_string(&s) {
                    browser::save(&json);
                }
                browser::replace_url(&browser::base_url());
                (s, true, None)
            }
            Err(e) => (ShareState::default(), false, Some(e.to_string())),
        };
    }
    let saved = browser::load_saved()
        .and_then(|json| serde_json::from_str::<ShareState>(&json).ok())
        .unwrap_or_else(|| ShareState {
            bootstrap: DEFAULT_RESAMPLES,
            ..ShareState::default()
        });
    (saved, false, None)
}

fn grid_texts(state: &ShareState) -> Vec<String> {
    let axes = state
        .grid
        .clone()
        .unwrap_or_else(|| state.law.default_grid().axes);
    axes.iter().map(|a| Grid::axis_text(a)).collect()
}

fn num(v: f64) -> String {
    sig(v, 4)
}

#[component]
pub fn App() -> impl IntoView {
    let (initial, from_link, link_problem) = initial_state();
    let state = RwSignal::new(initial.clone());
    let status = RwSignal::new(FitStatus::Idle);
    let outcome: RwSignal<Option<FitOutcome>> = RwSignal::new(None);
    let link_error = RwSignal::new(link_problem);
    let share_link = RwSignal::new(String::new());
    let delta_text = RwSignal::new(format!("{}", initial.delta));
    let grid_text = RwSignal::new(grid_texts(&initial));
    let option_error: RwSignal<Option<String>> = RwSignal::new(None);

    // Save every change (not the first run: a damaged link's empty page must
    // not overwrite what the user had saved).
    Effect::new(move |prev: Option<()>| {
        let json = state.with(|s| serde_json::to_string(s).unwrap_or_default());
        if prev.is_some() {
            browser::save(&json);
        }
    });

    let summary = Memo::new(move |_| state.with(DataSummary::of));
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
        status.set(FitStatus::Bootstrapping { done: 0, total });
        let started = browser::now_ms();
        let result = runner::start(
            jobs,
            move |done| status.set(FitStatus::Bootstrapping { done, total }),
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
        // Read the option fields first: a typo there should not start a fit.
        let delta = delta_text.with(|t| t.trim().parse::<f64>());
        let delta = match delta {
            Ok(d) if d > 0.0 && d.is_finite() => d,
            _ => {
                option_error.set(Some(format!(
                    "Huber delta \"{}\" must be a positive number",
                    delta_text.get_untracked()
                )));
                return;
            }
        };
        let mut axes = Vec::new();
        let names = state.with_untracked(|s| s.law.grid_axis_names());
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
            s.delta = delta;
            s.grid = if axes == s.law.default_grid().axes {
                None
            } else {
                Some(axes)
            };
        });
        let inputs = state.with_untracked(FitInputs::of);
        if let Err(issues) = inputs.dataset() {
            // The last results belong to other inputs: leave none on screen.
            outcome.set(None);
            status.set(FitStatus::Failed(
                issues.first().map(|i| i.to_string()).unwrap_or_default()
                    + if issues.len() > 1 {
                        " (see the problems listed under the data)"
                    } else {
                        ""
                    },
            ));
            return;
        }
        if let Err(e) = inputs.options().check(inputs.law.dim()) {
            status.set(FitStatus::Failed(e.to_string()));
            return;
        }
        let total = inputs.options().grid.len();
        let workers = runner::worker_count().min(total);
        status.set(FitStatus::Running { done: 0, total });
        let started = browser::now_ms();
        let result = runner::start(
            fit_jobs(&inputs, workers),
            move |done| status.set(FitStatus::Running { done, total }),
            move |replies| {
                let report = replies.and_then(|r| gather_fit(&inputs, r));
                let seconds = (browser::now_ms() - started) / 1000.0;
                match report.and_then(|r| FitOutcome::new(inputs.clone(), r, seconds, workers)) {
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

    if from_link {
        run_fit();
    }

    let cancel = move |_| {
        runner::cancel();
        status.set(FitStatus::Cancelled);
    };

    let copy_link = move |_| {
        let url = format!(
            "{}#{}",
            browser::base_url(),
            state.with_untracked(|s| s.encode())
        );
        browser::copy_to_clipboard(&url);
        share_link.set(url);
    };
    let share_note = move || {
        if share_link.with(|l| l.is_empty()) {
            return String::new();
        }
        if stale.get() || outcome.with(|o| o.is_none()) {
            "Copied. The link holds the inputs as they are now, which have not been fitted: whoever opens it will see them fitted.".to_string()
        } else {
            "Copied. Whoever opens the link sees these inputs fitted, with the same numbers."
                .to_string()
        }
    };

    let running = move || {
        matches!(
            status.get(),
            FitStatus::Running { .. } | FitStatus::Bootstrapping { .. }
        )
    };

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
        <main>
            <section class="panel data">
                <h2>"1. Your runs"</h2>
                <p class="hint">
                    "Paste a table with a header row (CSV, TSV or spaces): model size N, tokens D and/or compute C, and the final loss. "
                    "Numbers may use suffixes: 70B, 1.4T, 350M. "
                    <strong>"Convention: C = 6·N·D FLOPs"</strong>
                    ", so D = C/(6N) when tokens are missing and C = 6ND when compute is missing."
                </p>
                <textarea
                    data-testid="data-input"
                    spellcheck="false"
                    wrap="off"
                    placeholder="N,D,loss\n400M,8B,2.93\n1B,20B,2.62\n..."
                    prop:value=move || state.with(|s| s.data.clone())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.update(|s| s.data = v);
                    }
                ></textarea>
                <div class="row">
                    <button on:click=move |_| state.update(|s| {
                        s.data = EXAMPLE_DATA.to_string();
                        s.drop_top = 5;
                    })>"Load example data"</button>
                    <span class="hint">
                        "Chinchilla runs read off Hoffmann et al. (2022), Fig. 4, by Besiroglu et al. (2024); the replication drops the 5 highest losses."
                    </span>
                </div>
                <DataReport summary=summary />
            </section>

            <section class="panel fit">
                <h2>"2. Fit"</h2>
                <label>
                    "Law "
                    <select
                        data-testid="law-select"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(k) = LawKind::from_id(&v) {
                                state.update(|s| {
                                    s.law = k;
                                    s.grid = None;
                                });
                                grid_text.set(state.with_untracked(grid_texts));
                            }
                        }
                    >
                        {LawKind::ALL.into_iter().map(|k| view! {
                            <option value=k.id() selected=move || state.with(|s| s.law == k)>
                                {format!("{}: {}", k.name(), k.formula())}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <div class="options">
                    <label>
                        "Drop the "
                        <input
                            type="number" min="0" step="1" class="short"
                            data-testid="drop-top"
                            prop:value=move || state.with(|s| s.drop_top.to_string())
                            on:input=move |ev| {
                                if let Ok(k) = event_target_value(&ev).trim().parse::<usize>() {
                                    state.update(|s| s.drop_top = k);
                                }
                            }
                        />
                        " highest-loss points"
                    </label>
                    <label>
                        "Huber δ "
                        <input
                            class="short"
                            data-testid="delta"
                            prop:value=move || delta_text.get()
                            on:input=move |ev| delta_text.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        "Bootstrap "
                        <input
                            type="number" min="0" max="10000" step="100" class="short"
                            data-testid="bootstrap-resamples"
                            prop:value=move || state.with(|s| s.bootstrap.to_string())
                            on:input=move |ev| {
                                if let Ok(k) = event_target_value(&ev).trim().parse::<usize>() {
                                    state.update(|s| s.bootstrap = k.min(MAX_RESAMPLES));
                                }
                            }
                        />
                        " resamples (0: none), seed "
                        <input
                            type="number" min="0" step="1" class="short"
                            data-testid="bootstrap-seed"
                            prop:value=move || state.with(|s| s.seed.to_string())
                            on:input=move |ev| {
                                if let Ok(k) = event_target_value(&ev).trim().parse::<u64>() {
                                    state.update(|s| s.seed = k);
                                }
                            }
                        />
                    </label>
                </div>
                <details>
                    <summary>{move || {
                        let n: usize = grid_text.with(|g| g.iter().map(|t| Grid::parse_axis(t).map(|a| a.len()).unwrap_or(0)).product());
                        format!("Start grid: {n} L-BFGS starts (log-space coordinates)")
                    }}</summary>
                    <p class="hint">"Hoffmann's grid. Values separated by spaces or commas; the best of all starts is kept."</p>
                    {move || {
                        let names = state.with(|s| s.law.grid_axis_names());
                        (0..names.len()).map(|i| view! {
                            <label class="axis">
                                <span>{names[i]}</span>
                                <input
                                    prop:value=move || grid_text.with(|g| g.get(i).cloned().unwrap_or_default())
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        grid_text.update(|g| if let Some(t) = g.get_mut(i) { *t = v });
                                    }
                                />
                            </label>
                        }).collect_view()
                    }}
                    <button on:click=move |_| {
                        state.update(|s| s.grid = None);
                        grid_text.set(state.with_untracked(grid_texts));
                    }>"Reset grid"</button>
                </details>
                <div class="row">
                    <button class="primary" data-testid="fit-button"
                        disabled=running
                        on:click=move |_| run_fit()>"Fit"</button>
                    <button data-testid="cancel-button" disabled=move || !running() on:click=cancel>"Cancel"</button>
                    {move || match status.get() {
                        FitStatus::Running { done, total } | FitStatus::Bootstrapping { done, total } => view! {
                            <progress data-testid="fit-progress" max=total value=done></progress>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                </div>
                <p
                    data-testid="fit-status"
                    class=move || match status.get() { FitStatus::Failed(_) => "status error", FitStatus::Done => "status ok", _ => "status" }
                >{move || outcome.with(|o| status.with(|s| s.message(o.as_ref())))}</p>
                {move || option_error.get().map(|m| view! { <p class="status error">{m}</p> })}
                {move || stale.get().then(|| view! {
                    <p class="status warn" data-testid="stale">"The inputs changed since this fit: press Fit to update the results."</p>
                })}
                <FitResults state=state outcome=outcome />
            </section>

            <section class="panel budget">
                <h2>"3. Budget"</h2>
                <BudgetInputs state=state />
                <AnswersView state=state outcome=outcome />
                <h3>"Published laws"</h3>
                <p class="hint">"Overlay on the plots and compare; with no data, the first one chosen answers the budget questions."</p>
                {PRESETS.iter().map(|p| {
                    let id = p.id;
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
                            {format!(" {} — E {}, A {}, B {}, α {}, β {}", p.name, p.params.e, p.params.a, p.params.b, p.params.alpha, p.params.beta)}
                        </label>
                    }
                }).collect_view()}
            </section>
        </main>
        <Approaches state=state outcome=outcome />
        <Charts state=state outcome=outcome />
        <section class="panel share">
            <h2>"4. Share"</h2>
            <p class="hint">"The link holds the data as pasted and every option; opening it refits and shows the same numbers."</p>
            <div class="row">
                <button data-testid="copy-link" on:click=copy_link>"Copy link"</button>
                <input readonly class="link" data-testid="share-link" prop:value=move || share_link.get()
                    placeholder="press Copy link" />
            </div>
            <p class="hint" data-testid="share-note">{share_note}</p>
        </section>
        <footer>
            "Fits: Hoffmann et al. (2022) Approach 3 as replicated by Besiroglu et al. (2024): log-space model, Huber loss (δ = 10⁻³) summed over points, L-BFGS from a grid of starts. "
            "Everything runs in this page; nothing is sent anywhere."
        </footer>
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
                    let mut t = format!("{} runs read", s.runs);
                    if let Some(p) = s.points {
                        t += &format!(", {p} used in the fit");
                    }
                    if !s.recognised.is_empty() {
                        t += &format!(". Columns: {}", s.recognised);
                    }
                    if !s.ignored.is_empty() {
                        t += &format!("; ignored: {}", s.ignored);
                    }
                    t + "."
                };
                view! {
                    <p>{head}</p>
                    {(!s.issues.is_empty()).then(|| view! {
                        <div class=if s.fatal { "issues error" } else { "issues warn" }>
                            <p>{if s.fatal {
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
fn FitResults(state: RwSignal<ShareState>, outcome: RwSignal<Option<FitOutcome>>) -> impl IntoView {
    view! {
        {move || outcome.with(|o| o.as_ref().map(|o| {
            let r = &o.report;
            let iv = o.intervals(state.with(|s| s.budget.flops().ok()));
            let has_iv = iv.is_some();
            let rows = r.parameter_names.iter().zip(&r.params).map(|(name, v)| {
                let symbol = match name.as_str() { "alpha" => "α", "beta" => "β", n => n }.to_string();
                view! {
                    <tr>
                        <th>{symbol}</th>
                        <td class="num" data-testid=format!("result-{name}") data-value=format!("{v:?}")>{sig(*v, 6)}</td>
                        {interval_cells(find(&iv, name), name)}
                    </tr>
                }
            }).collect_view();
            let alloc = frontier_engine::answers::allocation(r.law, &r.params).map(|al| view! {
                <tr><th>"a (N* ∝ C^a)"</th><td class="num" data-testid="result-a">{sig(al.a, 4)}</td>{interval_cells(find(&iv, "a"), "a")}</tr>
                <tr><th>"b (D* ∝ C^b)"</th><td class="num" data-testid="result-b">{sig(al.b, 4)}</td>{interval_cells(find(&iv, "b"), "b")}</tr>
                <tr><th title="N* = G·(C/6)^a, D* = (C/6)^b / G">"G (N* = G·(C/6)^a)"</th><td class="num">{sig(al.g, 4)}</td><td></td><td></td></tr>
            });
            let warnings = o.warnings().into_iter().map(|w| view! {
                <p class="status warn" data-testid="fit-warning">{w}</p>
            }).collect_view();
            let skipped = (!o.skipped.is_empty()).then(|| view! {
                <p class="status warn">{format!("{} line(s) with bad values were skipped (listed under the data).", o.skipped.len())}</p>
            });
            let boot_note = o.resamples.as_ref().map(|rs| {
                let unit = if o.dataset.grouped_by_run { "runs" } else { "points" };
                format!(
                    "Intervals: {} bootstrap resamples of {unit} (seed {}), each refitted from the optimum and the {} best grid starts; SE and 2.5–97.5th percentiles.",
                    rs.len(), o.inputs.seed, frontier_engine::bootstrap::DEFAULT_RESTARTS
                )
            });
            view! {
                <h3>{format!("Fitted law: {}", r.law.formula())}</h3>
                <table class="results">
                    <tr class="head"><th></th><th>"estimate"</th>
                        {has_iv.then(|| view! { <th>"SE"</th><th>"95% interval"</th> })}
                    </tr>
                    {rows}
                    {alloc}
                </table>
                {boot_note.map(|n| view! { <p class="fit-stats">{n}</p> })}
                <p class="fit-stats" data-testid="fit-stats">
                    {format!("Objective (sum of Huber losses): {:.10}. ", r.objective)}
                    {format!("{} points ({} dropped). ", r.points, o.dataset.dropped.len())}
                    {format!(
                        "{} of {} starts converged, {} were abandoned as hopeless after {} iterations, {} ended within 10⁻⁶ of the best. ",
                        r.converged, r.starts, r.abandoned,
                        o.inputs.options().abandon.map(|a| a.after).unwrap_or(0), r.near_best
                    )}
                    "Fit took "<span data-testid="fit-time">{format!("{:.2}", o.seconds)}</span>
                    {format!(" s on {} worker{}.", o.workers, if o.workers == 1 { "" } else { "s" })}
                </p>
                {warnings}
                {skipped}
            }
        }))}
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
                <label>"Compute budget C (FLOPs) "
                    <input data-testid="budget-input" prop:value=flops_get on:input=flops_set />
                </label>
            }.into_any()
        }}
        <p class=move || if state.with(|s| s.budget.flops().is_err()) { "status error" } else { "hint" } data-testid="budget-flops">
            {move || state.with(|s| match s.budget.flops() {
                Ok(f) => format!("C = {} FLOPs", sig(f, 4)),
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
                primary(s, o.as_ref())
                    .map(|p| crate::model::answers(&p.label, p.kind, &p.params, s))
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
                headline_view(a, iv, target_iv).into_any()
            }
        }}
        {move || {
            let rows = rows();
            (rows.len() > 1).then(|| view! {
                <table class="compare">
                    <tr><th>"law"</th><th>"a"</th><th>"N*"</th><th>"D*"</th><th>"D*/N*"</th><th>"L*"</th><th>"C for target"</th></tr>
                    {rows.into_iter().map(|a| {
                        let b = a.budget;
                        view! {
                            <tr>
                                <td>{a.label.clone()}</td>
                                <td class="num">{a.allocation.map(|al| sig(al.a, 3)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.n).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.d).map(num).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.and_then(|b| b.tokens_per_parameter).map(|v| sig(v, 3)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{b.map(|b| format!("{:.4}", b.loss)).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{match &a.target { Some(Ok(c)) => num(*c), Some(Err(_)) => "unreachable".into(), None => "–".into() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </table>
            })
        }}
    }
}

fn headline_view(
    a: Answers,
    iv: Option<Vec<(String, Interval)>>,
    target_iv: Option<((f64, f64), usize)>,
) -> impl IntoView {
    let b = a.budget;
    let range = move |name: &str, f: fn(f64) -> String| {
        find(&iv, name).map(|i| {
            view! { <span class="ci" data-testid=format!("ci-{name}")>{format!(" [{}, {}]", f(i.lo), f(i.hi))}</span> }
        })
    };
    view! {
        <div class="answers">
            <p class="hint">{format!("Answers from {}:", a.label)}</p>
            {match b {
                None => view! { <p class="status error">"Enter a valid compute budget."</p> }.into_any(),
                Some(b) => view! {
                    <table class="results">
                        {b.n.map(|n| view! { <tr><th>"optimal model size N*"</th><td class="num big" data-testid="optimal-N" data-value=format!("{n:?}")>{num(n)}" parameters"</td></tr>
                            <tr class="sub"><td></td><td class="num">{range("N*", num)}</td></tr> })}
                        {b.d.map(|d| view! { <tr><th>"optimal tokens D*"</th><td class="num big" data-testid="optimal-D" data-value=format!("{d:?}")>{num(d)}" tokens"</td></tr>
                            <tr class="sub"><td></td><td class="num">{range("D*", num)}</td></tr> })}
                        {b.tokens_per_parameter.map(|r| view! { <tr><th>"tokens per parameter D*/N*"</th><td class="num" data-testid="optimal-ratio">{sig(r, 3)}{range("D*/N*", |v| sig(v, 3))}</td></tr> })}
                        <tr><th>"expected loss L*"</th><td class="num" data-testid="optimal-loss" data-value=format!("{:?}", b.loss)>{format!("{:.4}", b.loss)}{range("L*", |v| format!("{v:.4}"))}</td></tr>
                    </table>
                }.into_any(),
            }}
            {a.target.map(|t| match t {
                Ok(c) => {
                    let spread = target_iv.map(|((lo, hi), unreachable)| {
                        let mut m = format!(" [{}, {}]", num(lo), num(hi));
                        if unreachable > 0 {
                            m += &format!("; {unreachable} bootstrap refits never reach it (their E is higher)");
                        }
                        m
                    });
                    view! { <p data-testid="target-compute">{format!("Compute to reach the target loss: {} FLOPs", num(c))}<span class="ci">{spread}</span></p> }.into_any()
                }
                Err(e) => view! { <p class="status error" data-testid="target-compute">{e}</p> }.into_any(),
            })}
        </div>
    }
}

/// Hoffmann's three estimates of the allocation exponent side by side.
#[component]
fn Approaches(state: RwSignal<ShareState>, outcome: RwSignal<Option<FitOutcome>>) -> impl IntoView {
    let cell = |v: Option<(f64, Option<(f64, f64)>)>, f: fn(f64) -> String| match v {
        None => "–".to_string(),
        Some((x, None)) => f(x),
        Some((x, Some((lo, hi)))) => format!("{} [{}, {}]", f(x), f(lo), f(hi)),
    };
    view! {
        {move || outcome.with(|o| o.as_ref().filter(|o| o.report.law == LawKind::Chinchilla).map(|o| {
            let budget = state.with(|s| s.budget.flops().ok());
            let (rows, disagreements) = approach_rows(o, budget);
            view! {
                <section class="panel approaches" data-testid="approaches">
                    <h2>"Cross-check: Hoffmann's three approaches"</h2>
                    <p class="hint">
                        "Approach 1 takes the lowest-loss run of each compute budget; Approach 2 fits a parabola in log N to each budget's runs (IsoFLOP profile); both then fit N_opt = k·C^a. Runs within 25% of each other's compute share a budget. "
                        "Intervals: 95%, from the bootstrap for Approach 3 and from the regression across budgets for 1 and 2."
                    </p>
                    <table class="compare">
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
                    </table>
                    {disagreements.into_iter().map(|(warn, m)| view! {
                        <p class=if warn { "status warn" } else { "status ok" }
                           data-testid=if warn { "approaches-warning" } else { "approaches-agree" }>{m}</p>
                    }).collect_view()}
                </section>
            }
        }))}
    }
}

/// The three plots, redrawn whenever what they show changes.
#[component]
fn Charts(state: RwSignal<ShareState>, outcome: RwSignal<Option<FitOutcome>>) -> impl IntoView {
    let loss_ref: NodeRef<html::Canvas> = NodeRef::new();
    let alloc_ref: NodeRef<html::Canvas> = NodeRef::new();
    let resid_ref: NodeRef<html::Canvas> = NodeRef::new();
    let iso_ref: NodeRef<html::Canvas> = NodeRef::new();
    let resized = RwSignal::new(0u32);
    let on_resize =
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || resized.update(|n| *n += 1));
    if let Some(w) = web_sys::window() {
        use wasm_bindgen::JsCast;
        let _ = w.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    }
    on_resize.forget();

    // What the charts show of the page's state: typing in the data box does
    // not redraw them.
    let shown_state =
        Memo::new(move |_| state.with(|s| (s.presets.clone(), s.budget.flops().ok())));
    Effect::new(move |_| {
        resized.track();
        // Read, not only tracked: a memo that is never read never runs, and
        // so never hears of the state it depends on.
        let _ = shown_state.get();
        let input = state.with_untracked(|s| outcome.with(|o| chart_input(s, o.as_ref())));
        let shown = [
            true,
            input.has_allocation(),
            input.has_residuals(),
            input
                .isoflop
                .as_ref()
                .is_some_and(|f| !f.budgets.is_empty()),
        ];
        for (r, which) in [(loss_ref, 0), (alloc_ref, 1), (resid_ref, 2), (iso_ref, 3)] {
            let Some(canvas) = r.get() else { continue };
            // An empty chart is hidden rather than drawn as a blank box.
            let _ = web_sys::HtmlElement::style(&canvas)
                .set_property("display", if shown[which] { "block" } else { "none" });
            if !shown[which] {
                continue;
            }
            // Draw at the size the canvas is shown, so text stays readable.
            let w = canvas.client_width().max(480) as u32;
            let h = (w as f64 * 0.6).clamp(360.0, 620.0) as u32;
            canvas.set_width(w);
            canvas.set_height(h);
            let Some(backend) = CanvasBackend::with_canvas_object(canvas) else {
                continue;
            };
            let area = backend.into_drawing_area();
            let drawn = match which {
                0 => frontier_plots::loss_chart(&area, &input),
                1 => frontier_plots::allocation_chart(&area, &input),
                2 => frontier_plots::residual_chart(&area, &input),
                _ => frontier_plots::isoflop_chart(&area, &input),
            };
            if let Err(e) = drawn {
                web_sys::console::error_1(&format!("chart {which}: {e:?}").into());
            }
        }
    });
    view! {
        <section class="panel charts">
            <h2>"Plots"</h2>
            <canvas node_ref=loss_ref data-testid="chart-loss"></canvas>
            <canvas node_ref=alloc_ref data-testid="chart-allocation"></canvas>
            <canvas node_ref=resid_ref data-testid="chart-residuals"></canvas>
            <canvas node_ref=iso_ref data-testid="chart-isoflop"></canvas>
        </section>
    }
}
