//! The column mapping under the data box: which header became N, D, C, the
//! loss, the run and the series, each a select the user can change (and the
//! unit of N, D and C). The choice is kept in the state, so links carry it;
//! the pasted text is never edited (see `frontier_engine::columns`).

use frontier_engine::columns::{self, Assignment, Role};
use frontier_engine::share::ShareState;
use leptos::prelude::*;

/// Most columns a table can have for the selects to show.
const MAX_MAPPED: usize = 200;

#[component]
pub fn ColumnMapping(
    state: RwSignal<ShareState>,
    facts: Memo<(Vec<(String, usize)>, bool)>,
) -> impl IntoView {
    // Only the header line is read: cheap on any paste.
    let current = Memo::new(move |_| {
        state.with(|s| {
            let headers = columns::headers(&s.data);
            let roles = if headers.len() <= MAX_MAPPED {
                columns::assignments(&s.data, &s.columns)
            } else {
                Vec::new()
            };
            (headers, roles)
        })
    });
    let choose = move |role: Role, header: Option<String>, unit: String| {
        state.update(|s| {
            s.columns = columns::assign(&s.data, &s.columns, role, header.as_deref(), &unit);
        });
    };
    let role_select = move |a: Assignment, headers: Vec<String>| {
        let role = a.role;
        let label = role.label();
        let short = role.header();
        let chosen = a.header.clone().unwrap_or_default();
        let unit = a.unit.clone();
        let options = headers
            .iter()
            .map(|h| {
                let selected = *h == chosen;
                view! { <option value=h.clone() selected=selected>{h.clone()}</option> }
            })
            .collect_view();
        let units = role.units();
        let unit_select = (units.len() > 1).then(|| {
            let header = a.header.clone();
            let unit_options = units
                .iter()
                .map(|u| {
                    let selected = *u == unit;
                    let text = if u.is_empty() { "unit" } else { u };
                    view! { <option value=*u selected=selected>{text}</option> }
                })
                .collect_view();
            view! {
                <select data-testid=format!("unit-{}", role.header()) aria-label=format!("unit of {label}")
                    disabled=header.is_none()
                    on:change=move |ev| choose(role, header.clone(), event_target_value(&ev))>
                    {unit_options}
                </select>
            }
        });
        view! {
            <label class="column-role" title=format!("the column read as {label}")>
                <span>{short}</span>
                <select data-testid=format!("column-{}", role.header())
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        choose(role, (!v.is_empty()).then_some(v), String::new());
                    }>
                    <option value="" selected=chosen.is_empty()>"none"</option>
                    {options}
                </select>
                {unit_select}
            </label>
        }
    };
    view! {
        // Not for a header of hundreds of columns (no table of runs has
        // them; the reader refuses beyond 10,000): 6 selects of that many
        // options would stall the page.
        {move || current.with(|(headers, roles)| (headers.len() > 1 && headers.len() <= MAX_MAPPED).then(|| {
            let series = state.with(|s| s.series.clone()).unwrap_or_default();
            // Series: the columns with a few distinct values (as the
            // series panel offers them).
            let series_options = facts.with(|(cols, _)| cols.iter().map(|(h, n)| {
                let selected = *h == series;
                view! { <option value=h.clone() selected=selected>{format!("{h} ({n})")}</option> }
            }).collect_view());
            let changed = state.with(|s| !s.columns.is_empty());
            view! {
                <div class="column-mapping" data-testid="column-mapping" role="group" aria-label="Which column is which">
                    <span class="hint">"Columns:"</span>
                    {roles.iter().map(|a| role_select(a.clone(), headers.clone())).collect_view()}
                    <label class="column-role">
                        <span>"series"</span>
                        <select data-testid="column-series"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                state.update(|s| s.series = (!v.is_empty()).then_some(v));
                            }>
                            <option value="" selected=series.is_empty()>"none"</option>
                            {series_options}
                        </select>
                    </label>
                    {changed.then(|| view! {
                        <button data-testid="columns-reset" on:click=move |_| state.update(|s| s.columns.clear())>
                            "Read by header names"
                        </button>
                    })}
                </div>
            }
        }))}
    }
}
