//! The law chooser: a catalogue law or a typed formula (with templates one
//! click away and its error pointed at the character), what the law needs
//! and assumes, and each parameter fitted, fixed or tied.

use crate::model::{law_model, role_of, set_formula, set_role, Role};
use frontier_engine::laws::{self, Law};
use frontier_engine::model::LawSpec;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

const CUSTOM: &str = "custom";

#[component]
pub fn LawChooser(state: RwSignal<ShareState>) -> impl IntoView {
    let catalogue = laws::catalogue();
    let model = Memo::new(move |_| state.with(law_model));
    let is_custom = move || state.with(|s| s.law.id == CUSTOM);
    let extra = move || state.with(crate::model::table_headers);
    let options = catalogue
        .iter()
        .map(|l| {
            let id = l.id.clone();
            let label = format!("{}: {}", l.name, l.display().replace('\n', " "));
            let selected = {
                let id = id.clone();
                move || state.with(|s| s.law.id == id)
            };
            view! { <option value=id selected=selected>{label}</option> }
        })
        .collect_view();
    let templates = move || {
        laws::catalogue()
            .into_iter()
            .map(|l| view! { <option value=l.id.clone()>{l.name.clone()}</option> })
            .collect_view()
    };
    view! {
        <label>
            "Law "
            <select
                data-testid="law-select"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    state.update(|s| {
                        if v == CUSTOM {
                            // Start the formula box from the law in use.
                            let text = law_model(s)
                                .map(|m| m.law.formula.clone())
                                .unwrap_or_else(|_| "E + A/N^alpha + B/D^beta".into());
                            let target = law_model(s).map(|m| m.law.target.clone()).ok();
                            s.law = LawSpec { target, ..LawSpec::custom(&text) };
                        } else {
                            s.law = LawSpec::catalogue(&v);
                        }
                        s.grid = None;
                    });
                }
            >
                {options}
                <option value=CUSTOM selected=is_custom>"Your formula…"</option>
            </select>
        </label>
        {move || is_custom().then(|| view! {
            <div class="formula">
                <label class="block">"Formula (names of columns: N, D, C, M = D/N, L, U, R, step, lr, … or any header; every other name is a parameter)"
                    <textarea
                        data-testid="formula-input"
                        class="formula-text"
                        spellcheck="false"
                        rows="3"
                        prop:value=move || state.with(|s| s.law.formula.clone().unwrap_or_default())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            let extra = extra();
                            state.update(|s| {
                                set_formula(&mut s.law, &v, &extra);
                                s.grid = None;
                            });
                        }
                    ></textarea>
                </label>
                <div class="row">
                    <label>"Start from "
                        <select data-testid="formula-template" on:change=move |ev| {
                            let id = event_target_value(&ev);
                            if let Some(l) = laws::find(&id) {
                                state.update(|s| {
                                    s.law = LawSpec {
                                        target: Some(l.target.clone()).filter(|t| t != "L"),
                                        ..LawSpec::custom(&l.formula)
                                    };
                                    s.grid = None;
                                });
                            }
                        }>
                            <option value="" selected=true>"a template…"</option>
                            {templates()}
                        </select>
                    </label>
                    <label>"predicts the column "
                        <input class="short" data-testid="formula-target"
                            prop:value=move || state.with(|s| s.law.target.clone().unwrap_or_else(|| "L".into()))
                            on:input=move |ev| {
                                let v = event_target_value(&ev).trim().to_string();
                                state.update(|s| s.law.target = (!v.is_empty() && v != "L").then_some(v));
                            } />
                    </label>
                </div>
                <p class="hint">"Functions: exp, ln (log), sqrt, min, max, sigmoid; + − * / ^ and parentheses; definitions first, each ended by ';' (x = N/D; E + A*x^a). The fit compares logarithms, so the predicted column must stay positive."</p>
            </div>
        })}
        {move || {
            // The law before the user's choices: its table stays on screen
            // even when a choice is wrong, so the choice can be undone.
            let headers = state.with(crate::model::table_headers);
            let law = state.with(|s| s.law.law(&headers));
            model.with(|m| match (law, m) {
                (Err(e), _) => view! {
                    <pre class="status error formula-error" data-testid="formula-error">{e}</pre>
                }.into_any(),
                (Ok(law), m) => {
                    let about = match m {
                        Ok(m) => format!(
                            "{} — reads {}; fits {} on a log scale. {}",
                            law.source,
                            m.formula.columns.join(", "),
                            law.target,
                            law.conventions
                        ),
                        Err(_) => format!("{}. {}", law.source, law.conventions),
                    };
                    let problem = m.as_ref().err().cloned();
                    let presets = law.presets.iter().map(|p| {
                        let origin = match p.origin {
                            laws::Origin::Paper => "the paper's values",
                            laws::Origin::Replication => "a replication's values",
                        };
                        let values = law.parameter_names().iter().zip(&p.values)
                            .map(|(n, v)| format!("{n} = {}", frontier_engine::format::sig(*v, 6)))
                            .collect::<Vec<_>>().join(", ");
                        view! { <li>{format!("{} ({origin}; {}): {values}", p.name, p.source)}</li> }
                    }).collect_view();
                    let has_presets = !law.presets.is_empty();
                    view! {
                        <p class="hint law-about" data-testid="law-about">{about}</p>
                        {has_presets.then(|| view! {
                            <div class="hint law-presets" data-testid="law-presets">"Published constants:"<ul>{presets}</ul></div>
                        })}
                        <ParameterTable state=state law=law />
                        {problem.map(|e| view! {
                            <p class="status error" data-testid="choice-error">{e}</p>
                        })}
                    }.into_any()
                }
            })
        }}
    }
}

/// One row per parameter: fitted, fixed at a value, or tied to another;
/// for a typed formula, whether it is positive (fitted as its logarithm).
#[component]
fn ParameterTable(state: RwSignal<ShareState>, law: Law) -> impl IntoView {
    let names = law.parameter_names();
    let custom = law.id == CUSTOM;
    let rows = law
        .params
        .iter()
        .map(|p| {
            let name = p.name.clone();
            let law_r = law.clone();
            let role = {
                let (name, law) = (name.clone(), law.clone());
                move || state.with(|s| role_of(&s.law, &law, &name))
            };
            let others: Vec<String> = names.iter().filter(|n| **n != name).cloned().collect();
            let on_role = {
                let (name, law) = (name.clone(), law_r.clone());
                move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    state.update(|s| {
                        let r = match v.as_str() {
                            "fitted" => Role::Fitted,
                            "fixed" => Role::Fixed(default_value(&law, &name)),
                            other => Role::Tied(other.trim_start_matches("tie:").to_string()),
                        };
                        set_role(&mut s.law, &law, &name, r);
                        s.grid = None;
                    });
                }
            };
            let on_value = {
                let (name, law) = (name.clone(), law_r.clone());
                move |ev: leptos::ev::Event| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        if v.is_finite() {
                            state.update(|s| set_role(&mut s.law, &law, &name, Role::Fixed(v)));
                        }
                    }
                }
            };
            let on_positive = {
                let name = name.clone();
                let all: Vec<String> = law.params.iter().filter(|p| p.positive).map(|p| p.name.clone()).collect();
                move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    state.update(|s| {
                        let mut pos = s.law.positive.clone().unwrap_or_else(|| all.clone());
                        pos.retain(|n| *n != name);
                        if on {
                            pos.push(name.clone());
                        }
                        s.law.positive = Some(pos);
                        s.grid = None;
                    });
                }
            };
            let role_value = {
                let role = role.clone();
                move || match role() {
                    Role::Fitted => "fitted".to_string(),
                    Role::Fixed(_) => "fixed".to_string(),
                    Role::Tied(o) => format!("tie:{o}"),
                }
            };
            let fixed_value = {
                let role = role.clone();
                move || match role() {
                    Role::Fixed(v) => Some(format!("{v}")),
                    _ => None,
                }
            };
            let tie_options = others
                .iter()
                .map(|o| view! { <option value=format!("tie:{o}")>{format!("= {o}")}</option> })
                .collect_view();
            let positive = p.positive;
            let id = name.clone();
            let (row_id, role_id) = (format!("param-{id}"), format!("role-{id}"));
            view! {
                <tr data-testid=row_id>
                    <th>{name.clone()}</th>
                    <td>
                        <select data-testid=role_id aria-label=format!("role of {name}") prop:value=role_value on:change=on_role>
                            <option value="fitted">"fitted"</option>
                            <option value="fixed">"fixed at"</option>
                            {tie_options}
                        </select>
                    </td>
                    <td>{move || fixed_value().map(|v| view! {
                        <input class="short" data-testid=format!("fix-{}", id.clone()) aria-label=format!("fixed value of {}", id.clone()) prop:value=v on:change=on_value.clone() />
                    })}</td>
                    <td>{if custom {
                        view! { <label><input type="checkbox" prop:checked=positive on:change=on_positive />" positive (log scale)"</label> }.into_any()
                    } else if positive {
                        view! { <span class="hint">"positive (log scale)"</span> }.into_any()
                    } else {
                        ().into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="params" data-testid="param-table">
            {rows}
        </table>
    }
}

/// A starting value for a parameter being fixed: the law's default fix or
/// its first preset's value, else 1.
fn default_value(law: &Law, name: &str) -> f64 {
    let k = law.params.iter().position(|p| p.name == name);
    law.fixed
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .or_else(|| k.and_then(|k| law.presets.first().map(|p| p.values[k])))
        .unwrap_or(1.0)
}
