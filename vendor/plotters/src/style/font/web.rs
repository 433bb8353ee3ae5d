use super::{FontData, FontFamily, FontStyle, LayoutBox};
use wasm_bindgen::JsCast;
use web_sys::{window, HtmlElement};

#[derive(Debug, Clone)]
pub enum FontError {
    UnknownError,
}

impl std::fmt::Display for FontError {
    fn fmt(&self, fmt: &mut std::fmt::Formatter) -> Result<(), std::fmt::Error> {
        match self {
            _ => write!(fmt, "Unknown error"),
        }
    }
}

impl std::error::Error for FontError {}

#[derive(Clone)]
pub struct FontDataInternal(String, String);

impl FontData for FontDataInternal {
    type ErrorType = FontError;
    fn new(family: FontFamily, style: FontStyle) -> Result<Self, FontError> {
        Ok(FontDataInternal(
            family.as_str().into(),
            style.as_str().into(),
        ))
    }
    fn estimate_layout(&self, size: f64, text: &str) -> Result<LayoutBox, Self::ErrorType> {
        let window = window().unwrap();
        let document = window.document().unwrap();
        let body = document.body().unwrap();
        let span = document.create_element("span").unwrap();
        span.set_text_content(Some(text));
        // Set through the CSS object model, not a style attribute: a page
        // whose Content-Security-Policy forbids inline styles blocks the
        // attribute (and the measure would use the default font size).
        let elem = JsCast::dyn_into::<HtmlElement>(span).unwrap();
        let css = elem.style();
        let font_size = format!("{}px", size);
        for (k, v) in [
            ("display", "inline-block"),
            ("font-family", self.0.as_str()),
            ("font-style", self.1.as_str()),
            ("font-size", font_size.as_str()),
            ("position", "fixed"),
            ("top", "100%"),
        ] {
            css.set_property(k, v).unwrap();
        }
        body.append_with_node_1(&elem).unwrap();
        let height = elem.offset_height() as i32;
        let width = elem.offset_width() as i32;
        elem.remove();
        Ok(((0, 0), (width, height)))
    }
}
