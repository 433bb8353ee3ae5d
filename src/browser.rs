//! Small shims over the browser: localStorage, the URL fragment, the clock,
//! the clipboard. Each fails quietly (returning None) where the browser says
//! no, e.g. localStorage in a private window.

use wasm_bindgen::JsValue;

const STORAGE_KEY: &str = "frontier.state.v1";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn load_saved() -> Option<String> {
    window()?
        .local_storage()
        .ok()??
        .get_item(STORAGE_KEY)
        .ok()?
}

pub fn save(json: &str) {
    if let Some(Ok(Some(s))) = window().map(|w| w.local_storage()) {
        let _ = s.set_item(STORAGE_KEY, json);
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

/// Replace the address bar's URL (no new history entry, no reload).
pub fn replace_url(url: &str) {
    if let Some(Ok(h)) = window().map(|w| w.history()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
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
