//! The "4. Share" panel: copies a link that holds the inputs, and says what
//! whoever opens it will see.

use crate::browser;
use crate::model::FitOutcome;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

#[component]
pub fn SharePanel(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
    stale: Memo<bool>,
) -> impl IntoView {
    let share_link = RwSignal::new(String::new());
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
    view! {
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
    }
}
