//! The column mapping under the data box: which header became N, D, C, the
//! loss, the run and the series, each a select the user can change (and the
//! unit of N, D and C), and which rows are fitted ("fit only" one value of a
//! column: one experiment of a table of several). The choices are kept in
//! the state, so links carry them; the pasted text is never edited (see
//! `frontier_engine::columns`).

use frontier_engine::columns::{self, Assignment, Role, RowFilter};
use frontier_engine::share::ShareState;
use leptos::prelude::*;

/// Most columns a table can have for the selects to show.
const MAX_MAPPED: usize = 200;

/// Most values a column can have to choose its rows by one of them.
const MAX_FILTER_VALUES: usize = 50;

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
    // The columns whose rows can be chosen, read once per text (not at
    // every change of another field).
    let renamed = Memo::new(move |_| {
        state.with(|s| columns::rename_headers(&s.data, &s.columns).into_owned())
    });
    let filter_choices =
        Memo::new(move |_| renamed.with(|t| columns::filter_choices(t, MAX_FILTER_VALUES)));
    let only_select = move || {
        let mut choices = filter_choices.get();
        let only = state.with(|s| s.only.clone());
        if choices.is_empty() && only.is_none() {
            return None;
        }
        let col = only.as_ref().map(|f| f.column.clone()).unwrap_or_default();
        // The column chosen is offered even with one value left (a link
        // that carries the rows of that value alone).
        if !col.is_empty() && !choices.iter().any(|(h, _)| *h == col) {
            let values = renamed
                .with(|t| columns::column_values(t, &col, MAX_FILTER_VALUES))
                .unwrap_or_default();
            choices.push((col.clone(), values));
        }
        let value = only.map(|f| f.value).unwrap_or_default();
        let column_options = choices
            .iter()
            .map(|(h, v)| {
                let selected = *h == col;
                view! { <option value=h.clone() selected=selected>{format!("{h} ({})", v.len())}</option> }
            })
            .collect_view();
        let values = choices
            .iter()
            .find(|(h, _)| *h == col)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let value_options = values
            .iter()
            .map(|(v, n)| {
                let selected = *v == value;
                let shown = if v.is_empty() { "(empty)" } else { v.as_str() };
                view! { <option value=v.clone() selected=selected>{format!("{shown} ({n} rows)")}</option> }
            })
            .collect_view();
        let value_select = (!col.is_empty()).then(|| {
            let column = col.clone();
            view! {
                <select data-testid="only-value" aria-label=format!("the value of {col} whose rows are fitted")
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let column = column.clone();
                        state.update(|s| s.only = Some(RowFilter { column, value }));
                    }>
                    {value_options}
                </select>
            }
        });
        Some(view! {
            <label class="column-role" title="fit only the rows of one value of a column: one experiment of several in the table">
                <span>"fit only"</span>
                <select data-testid="only-column" aria-label="fit only the rows where this column has one value"
                    on:change=move |ev| {
                        let column = event_target_value(&ev);
                        let first = filter_choices.with_untracked(|c| {
                            c.iter()
                                .find(|(h, _)| *h == column)
                                .and_then(|(_, v)| v.first().map(|x| x.0.clone()))
                        });
                        state.update(|s| s.only = first.map(|value| RowFilter { column, value }));
                    }>
                    <option value="" selected=col.is_empty()>"all rows"</option>
                    {column_options}
                </select>
                {value_select}
            </label>
        })
    };
    let choose = move |role: Role, header: Option<String>, unit: String| {
        state.update(|s| {
            s.columns = columns::assign(&s.data, &s.columns, role, header.as_deref(), &unit);
            crate::model::forget_lost_filter(s);
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
                    {only_select}
                    {changed.then(|| view! {
                        <button data-testid="columns-reset" on:click=move |_| state.update(|s| {
                            s.columns.clear();
                            crate::model::forget_lost_filter(s);
                        })>
                            "Read by header names"
                        </button>
                    })}
                </div>
            }
        }))}
    }
}
