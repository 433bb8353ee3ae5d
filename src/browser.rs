//! Small shims over the browser: localStorage, the URL fragment, the clock,
//! the clipboard, downloads. Each fails quietly (returning None) where the browser says
//! no, e.g. localStorage in a private window.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

const STORAGE_KEY: &str = "frontier.state.v1";
/// The fragment this page last wrote into the address bar.
const LINK_KEY: &str = "frontier.link.v1";
/// The last fit and what it was computed from (see `model::SavedFit`).
const FIT_KEY: &str = "frontier.fit.v1";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn load_saved() -> Option<String> {
    get_item(STORAGE_KEY)
}

const CHART_AXES_KEY: &str = "frontier.chart-axes.v1";

/// The reader's axis scales for the charts, as saved (JSON).
pub fn load_chart_axes() -> Option<String> {
    get_item(CHART_AXES_KEY)
}

pub fn save_chart_axes(json: &str) {
    set_item(CHART_AXES_KEY, json);
}

/// Save the state; false when the browser refused it.
pub fn save(json: &str) -> bool {
    set_item(STORAGE_KEY, json)
}

fn get_item(key: &str) -> Option<String> {
    window()?.local_storage().ok()??.get_item(key).ok()?
}

/// Store a value; false when the browser refuses (no storage, over quota).
fn set_item(key: &str, value: &str) -> bool {
    match window().map(|w| w.local_storage()) {
        Some(Ok(Some(s))) => s.set_item(key, value).is_ok(),
        _ => false,
    }
}

fn remove_item(key: &str) {
    if let Some(Ok(Some(s))) = window().map(|w| w.local_storage()) {
        let _ = s.remove_item(key);
    }
}

/// The fragment the page last put in the address bar.
pub fn load_link() -> Option<String> {
    get_item(LINK_KEY)
}

pub fn save_link(fragment: &str) {
    set_item(LINK_KEY, fragment);
}

/// The last fit, as saved by [`save_fit`].
pub fn load_fit() -> Option<String> {
    get_item(FIT_KEY)
}

/// Over the quota, the older fit is dropped rather than left to stand for
/// inputs it no longer matches (its key would refuse it anyway).
pub fn save_fit(json: &str) {
    if !set_item(FIT_KEY, json) {
        remove_item(FIT_KEY);
    }
}

/// The URL fragment, without '#'; empty when there is none.
pub fn fragment() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub fn base_url() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Replace the address bar's URL (no new history entry, no reload); nothing
/// when it is the URL already (the address of a large paste stays the
/// page's own at every edit, and a call is never free: see the data box's
/// autocomplete="off").
pub fn replace_url(url: &str) {
    let w = window();
    if w.as_ref().and_then(|w| w.location().href().ok()).as_deref() == Some(url) {
        return;
    }
    if let Some(Ok(h)) = w.map(|w| w.history()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Run `f` after the browser has painted the current changes: in a task
/// queued from the next animation frame (which runs before that frame's
/// paint).
pub fn after_next_paint(f: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(f, std::time::Duration::ZERO)
    });
}

/// Milliseconds from a fixed origin (performance.now()).
pub fn now_ms() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Copy text to the clipboard; the page shows the link too, so a refusal
/// (no permission, insecure context) is not an error.
pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Offer `bytes` as a file named `filename` of media type `mime`: a Blob
/// behind an object URL, followed through a link with a `download`
/// attribute that is never added to the document. The URL is revoked a
/// minute later, once the download has read it. Nothing is inserted as
/// HTML and nothing leaves the machine.
pub fn download(filename: &str, mime: &str, bytes: &[u8]) {
    let Some(w) = window() else { return };
    let Some(doc) = w.document() else { return };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(link) = doc.create_element("a") {
        let link: web_sys::HtmlAnchorElement = link.unchecked_into();
        link.set_href(&url);
        link.set_download(filename);
        link.click();
    }
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
}
