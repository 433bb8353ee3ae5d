//! Colours of a chart's frame: background, text, axes, grid, legend, and the
//! neutral marks (budget line, reference lines, runs without a size). The
//! page picks [`Theme::LIGHT`] or [`Theme::DARK`] from the reader's
//! `prefers-color-scheme`; the data colours (fit, presets, N* and D*, runs
//! by size) are the same in both, but for the darkest end of the size
//! palette, which [`Theme::size_color`] skips on a dark background.

use super::size_color;
use plotters::style::{RGBAColor, RGBColor};
use std::cmp::Ordering;

/// The colours of a chart's frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    /// Behind everything.
    pub background: RGBColor,
    /// Titles, tick labels, axis titles, legend text.
    pub text: RGBColor,
    /// Axis lines and ticks.
    pub axis: RGBColor,
    /// Minor grid lines.
    pub grid: RGBColor,
    /// Major grid lines (translucent, so they darken or lighten what is
    /// under them alike).
    pub grid_bold: RGBAColor,
    /// The legend box.
    pub legend_fill: RGBAColor,
    pub legend_border: RGBColor,
    /// Reference lines and markers drawn black on white: the zero line of
    /// the residuals, the diagonal of observed against predicted, the
    /// IsoFLOP minima, the runs on the contour chart.
    pub ink: RGBColor,
    /// The budget line and other secondary marks.
    pub muted: RGBColor,
    /// Runs left out of the fit.
    pub dropped: RGBColor,
    /// Lines of equal compute on the contour chart.
    pub iso_compute: RGBColor,
    /// The compute range of the data, shaded.
    pub range_fill: RGBColor,
    /// Points that have one colour (no model size to colour them by).
    pub point: RGBColor,
    /// Where the size palette starts (0 the darkest end, 1 the lightest).
    pub size_from: f64,
}

impl Theme {
    /// Dark text on white: the charts as they have always been.
    pub const LIGHT: Theme = Theme {
        background: RGBColor(255, 255, 255),
        text: RGBColor(0, 0, 0),
        axis: RGBColor(0, 0, 0),
        grid: RGBColor(238, 238, 238),
        grid_bold: RGBAColor(0, 0, 0, 0.2),
        legend_fill: RGBAColor(255, 255, 255, 0.85),
        legend_border: RGBColor(200, 200, 200),
        ink: RGBColor(0, 0, 0),
        muted: RGBColor(90, 90, 90),
        dropped: RGBColor(150, 150, 150),
        iso_compute: RGBColor(170, 170, 170),
        range_fill: RGBColor(225, 235, 245),
        point: RGBColor(59, 82, 139),
        size_from: 0.0,
    };

    /// Light text on a near-black background, matching the page's dark
    /// style sheet (--panel: #181b21). Every text colour has a contrast of
    /// at least 4.5:1 with the background (WCAG AA).
    pub const DARK: Theme = Theme {
        background: RGBColor(24, 27, 33),
        text: RGBColor(228, 231, 236),
        axis: RGBColor(190, 195, 204),
        grid: RGBColor(40, 44, 52),
        grid_bold: RGBAColor(255, 255, 255, 0.16),
        legend_fill: RGBAColor(24, 27, 33, 0.88),
        legend_border: RGBColor(88, 94, 106),
        ink: RGBColor(235, 235, 235),
        muted: RGBColor(170, 175, 184),
        dropped: RGBColor(135, 140, 150),
        iso_compute: RGBColor(90, 96, 108),
        range_fill: RGBColor(36, 50, 70),
        point: RGBColor(120, 160, 230),
        size_from: 0.3,
    };

    /// The theme for a colour scheme.
    pub fn for_scheme(dark: bool) -> Theme {
        if dark {
            Theme::DARK
        } else {
            Theme::LIGHT
        }
    }

    /// True for the dark theme.
    pub fn is_dark(&self) -> bool {
        self.size_from > 0.0
    }

    /// A model size's colour on this background: the size palette from
    /// `size_from` to its light end, log scale between lo and hi.
    pub fn size_color(&self, n: f64, lo: f64, hi: f64) -> RGBColor {
        if self.size_from <= 0.0 || hi.partial_cmp(&lo) != Some(Ordering::Greater) || !n.is_finite()
        {
            return size_color(n, lo, hi);
        }
        // Map [lo, hi] onto [lo', hi] where lo' sits at size_from of the
        // palette: t' = size_from + (1 - size_from) t in log space.
        let t = ((n.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0);
        let t = self.size_from + (1.0 - self.size_from) * t;
        size_color((lo.ln() + t * (hi.ln() - lo.ln())).exp(), lo, hi)
    }
}

impl Theme {
    /// A series colour as drawn on this background: unchanged on the light
    /// theme; on the dark one, mixed towards the text colour until it has a
    /// contrast of 3:1 with the background (WCAG's figure for graphics), so
    /// a near-black predicted schedule or a dark purple preset stays
    /// visible.
    pub fn legible(&self, c: RGBColor) -> RGBColor {
        if !self.is_dark() {
            return c;
        }
        let mix = |t: f64| {
            let m = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
            RGBColor(
                m(c.0, self.text.0),
                m(c.1, self.text.1),
                m(c.2, self.text.2),
            )
        };
        (0..=10)
            .map(|k| mix(k as f64 / 10.0))
            .find(|m| contrast(*m, self.background) >= 3.0)
            .unwrap_or(self.text)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::LIGHT
    }
}

/// Relative luminance of an sRGB colour (WCAG 2.1).
pub fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// Contrast ratio of two colours (WCAG 2.1), from 1 to 21.
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
