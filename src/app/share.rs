//! The "4. Share" panel: copies a link that holds the inputs, and says what
//! whoever opens it will see. When the link with the data is too long to
//! share comfortably, it says how long, and offers a link of the fit alone.

use crate::browser;
use crate::model::{fit_only_state, FitOutcome, AUTO_LINK_BYTES, LARGE_LINK};
use frontier_engine::format::thousands;
use frontier_engine::share::ShareState;
use leptos::prelude::*;

/// Which link was copied last.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Nothing,
    WithData,
    FitOnly,
}

#[component]
pub fn SharePanel(
    state: RwSignal<ShareState>,
    outcome: RwSignal<Option<FitOutcome>>,
    stale: Memo<bool>,
    /// The current state's link (fragment), as the address bar last caught up.
    link: RwSignal<String>,
) -> impl IntoView {
    let share_link = RwSignal::new(String::new());
    let copied = RwSignal::new(Copied::Nothing);
    let copy = move |kind: Copied| {
        let fragment = match kind {
            Copied::FitOnly => outcome.with_untracked(|o| {
                o.as_ref()
                    .map(|o| state.with_untracked(|s| fit_only_state(s, o)).encode())
            }),
            _ => Some(state.with_untracked(|s| s.encode())),
        };
        let Some(fragment) = fragment else { return };
        let url = format!("{}#{fragment}", browser::base_url());
        browser::copy_to_clipboard(&url);
        share_link.set(url);
        copied.set(kind);
    };
    // Text too large to encode at every change: its link is made when
    // copied, and is long whatever it holds.
    let deferred = Memo::new(move |_| state.with(|s| s.data.len() > AUTO_LINK_BYTES));
    let large = move || deferred.get() || link.with(|l| l.len() > LARGE_LINK);
    let size_note = move || {
        if deferred.get() {
            let bytes = state.with(|s| s.data.len());
            return format!(
                "The data is {:.1} MB of text: a link with it runs to megabytes, too long for chats and for some browsers (it is made when you copy it). \
                 The link with the fit only carries the fitted parameters and the options, not the data: \
                 it opens with the fitted law's answers and curves.",
                bytes as f64 / 1e6
            );
        }
        let n = link.with(|l| l.len());
        format!(
            "The link with the data is {} characters ({:.1} MB): too long for chats and for some browsers. \
             The link with the fit only carries the fitted parameters and the options, not the data: \
             it opens with the fitted law's answers and curves.",
            thousands(n as u64),
            n as f64 / 1e6
        )
    };
    let share_note = move || {
        match copied.get() {
        Copied::Nothing => String::new(),
        Copied::FitOnly => "Copied the fit without its data: whoever opens the link sees the fitted law's answers and curves, not the runs.".to_string(),
        Copied::WithData if stale.get() || outcome.with(|o| o.is_none()) => {
            "Copied. The link holds the inputs as they are now, which have not been fitted: whoever opens it will see them fitted.".to_string()
        }
        Copied::WithData => {
            "Copied. Whoever opens the link sees these inputs fitted, with the same numbers."
                .to_string()
        }
    }
    };
    let no_fit = move || stale.get() || outcome.with(|o| o.is_none());
    view! {
        <section class="panel share">
            <h2>"4. Share"</h2>
            <p class="hint">"The link holds the columns of the data that are in use and every option; opening it refits and shows the same numbers. The address bar holds it too."</p>
            <p class="hint" data-testid="link-size" class:hidden=move || !large()>{size_note}</p>
            <div class="row">
                <button data-testid="copy-link" on:click=move |_| copy(Copied::WithData)>
                    {move || if large() { "Copy link with the data" } else { "Copy link" }}
                </button>
                <button data-testid="copy-fit-link" class:hidden=move || !large() disabled=no_fit
                    title="Fit first: this link carries the fitted parameters"
                    on:click=move |_| copy(Copied::FitOnly)>
                    "Copy link with the fit only"
                </button>
                <input readonly class="link" data-testid="share-link" prop:value=move || share_link.get()
                    placeholder="press Copy link" />
            </div>
            <p class="hint" data-testid="share-note">{share_note}</p>
        </section>
    }
}
