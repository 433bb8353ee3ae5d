//! One drawing path for every chart on the page: [`Chart`] draws a
//! [`ChartSpec`] on a canvas at the screen's device-pixel ratio, redraws it
//! when its width, the window or the colour scheme changes, exports it as
//! PNG (at 2x) and SVG, shows the run under the pointer, and offers the
//! numbers it plots as tables.
//!
//! Sharpness: the canvas holds (CSS width x devicePixelRatio) pixels, its
//! 2D context is scaled by the ratio, and [`ScaledCanvas`] reports the CSS
//! size to plotters, so the chart is laid out in CSS pixels (text keeps its
//! size) and every line is drawn at the screen's resolution.

use crate::browser;
use frontier_plots::table::{self, DataTable};
use frontier_plots::{chart_size as layout, nearest_mark, ChartInput, CurvesInput, Mark, Theme};
use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use std::sync::Arc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// What a chart draws: the chart function and its input.
#[derive(Clone, Debug, PartialEq)]
pub enum ChartSpec {
    Fit(Arc<ChartInput>),
    Loss(Arc<ChartInput>),
    Allocation(Arc<ChartInput>),
    Residuals(Arc<ChartInput>),
    Isoflop(Arc<ChartInput>),
    Contours(Arc<ChartInput>),
    Curves(Arc<CurvesInput>),
    LearningRate(Arc<CurvesInput>),
    /// The total-cost chart: a Chinchilla law [E, A, B, alpha, beta], the
    /// lifetime inference tokens and the target loss.
    Inference {
        law: Vec<f64>,
        /// How the plan's FLOPs are counted (the law's C = k N D).
        compute: frontier_engine::compute::ComputeRule,
        tokens: f64,
        target: f64,
    },
}

impl ChartSpec {
    /// Draw on any plotters backend: the page's canvas, an offscreen canvas
    /// for PNG, an SVG string.
    pub fn draw<B: DrawingBackend>(
        &self,
        area: &DrawingArea<B, Shift>,
        theme: &Theme,
    ) -> Result<Vec<Mark>, String> {
        use frontier_plots::*;
        let drawn = match self {
            ChartSpec::Fit(i) => fit_chart(area, i, theme),
            ChartSpec::Loss(i) => loss_chart(area, i, theme),
            ChartSpec::Allocation(i) => allocation_chart(area, i, theme),
            ChartSpec::Residuals(i) => residual_chart(area, i, theme),
            ChartSpec::Isoflop(i) => isoflop_chart(area, i, theme),
            ChartSpec::Contours(i) => contour_chart(area, i, theme),
            ChartSpec::Curves(i) => curves_chart(area, i, theme),
            ChartSpec::LearningRate(i) => lr_chart(area, i, theme),
            ChartSpec::Inference {
                law,
                compute,
                tokens,
                target,
            } => inference_chart(
                area,
                &frontier_engine::optimal::ChinchillaParams::from_slice(law),
                *compute,
                *tokens,
                *target,
                theme,
            ),
        };
        drawn.map_err(|e| format!("{e:?}"))
    }

    /// The chart's text alternative: what it plots, as tables.
    pub fn tables(&self) -> Vec<DataTable> {
        match self {
            ChartSpec::Fit(i) => table::fit_tables(i),
            ChartSpec::Loss(i) => table::loss_tables(i),
            ChartSpec::Allocation(i) => table::allocation_tables(i),
            ChartSpec::Residuals(i) => table::residual_tables(i),
            ChartSpec::Isoflop(i) => table::isoflop_tables(i),
            ChartSpec::Contours(i) => table::contour_tables(i),
            ChartSpec::Curves(i) => table::curves_tables(i, false),
            ChartSpec::LearningRate(i) => table::curves_tables(i, true),
            ChartSpec::Inference {
                law,
                compute,
                tokens,
                target,
            } => table::inference_tables(
                &frontier_engine::optimal::ChinchillaParams::from_slice(law),
                *compute,
                *tokens,
                *target,
            ),
        }
    }

    /// The runs a chart draws, for the tooltip over a point.
    fn runs(&self) -> Option<&ChartInput> {
        match self {
            ChartSpec::Fit(i)
            | ChartSpec::Loss(i)
            | ChartSpec::Residuals(i)
            | ChartSpec::Isoflop(i)
            | ChartSpec::Contours(i) => Some(i),
            _ => None,
        }
    }
}

/// A canvas backend whose context is scaled by `scale`, reporting `size`
/// (CSS pixels) to plotters: charts lay out in CSS pixels and draw at the
/// canvas's resolution. Everything else is the canvas backend's.
pub struct ScaledCanvas {
    inner: CanvasBackend,
    size: (u32, u32),
}

type CanvasErr = <CanvasBackend as DrawingBackend>::ErrorType;

impl DrawingBackend for ScaledCanvas {
    type ErrorType = CanvasErr;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasErr>> {
        self.inner.estimate_text_size(text, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasErr>> {
        self.inner.blit_bitmap(pos, (iw, ih), src)
    }
}

/// Draw `spec` on `canvas`, laid out at `size` CSS pixels and drawn at
/// `scale` canvas pixels per CSS pixel.
fn draw_on_canvas(
    canvas: &web_sys::HtmlCanvasElement,
    spec: &ChartSpec,
    theme: &Theme,
    size: (u32, u32),
    scale: f64,
) -> Result<Vec<Mark>, String> {
    // Setting the size clears the canvas and resets its transform.
    canvas.set_width((size.0 as f64 * scale).round() as u32);
    canvas.set_height((size.1 as f64 * scale).round() as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    context
        .set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0)
        .map_err(|e| format!("{e:?}"))?;
    let inner =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let area = ScaledCanvas { inner, size }.into_drawing_area();
    spec.draw(&area, theme)
}

/// Draw a fit's charts once on a canvas that is not in the page, so that
/// the first fit's charts do not pay for compiling the drawing code (see
/// `model::warm_up_page`).
pub fn warm_up(input: ChartInput) {
    let Some(canvas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    let input = Arc::new(input);
    let theme = Theme::for_scheme(false);
    for spec in [
        ChartSpec::Loss(input.clone()),
        ChartSpec::Allocation(input.clone()),
        ChartSpec::Residuals(input.clone()),
        ChartSpec::Isoflop(input.clone()),
        ChartSpec::Contours(input),
    ] {
        let _ = draw_on_canvas(&canvas, &spec, &theme, (640, 400), 1.0);
    }
}

/// What every chart listens to: window resizes (which also change the
/// device-pixel ratio when zooming) and the colour scheme. Reference-counted
/// signals: they belong to no component, so no chart's disposal ends them.
#[derive(Clone)]
struct ChartEnv {
    resized: ArcRwSignal<u32>,
    dark: ArcRwSignal<bool>,
}

thread_local! {
    static ENV: std::cell::OnceCell<ChartEnv> = const { std::cell::OnceCell::new() };
}

/// The listeners, set up once for the page.
fn chart_env() -> ChartEnv {
    ENV.with(|env| {
        env.get_or_init(|| {
            let env = ChartEnv {
                resized: ArcRwSignal::new(0),
                dark: ArcRwSignal::new(false),
            };
            if let Some(w) = web_sys::window() {
                let resized = env.resized.clone();
                let on_resize = Closure::<dyn FnMut()>::new(move || resized.update(|n| *n += 1));
                let _ = w
                    .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
                on_resize.forget();
                if let Ok(Some(query)) = w.match_media("(prefers-color-scheme: dark)") {
                    env.dark.set(query.matches());
                    let (q, dark) = (query.clone(), env.dark.clone());
                    let on_change = Closure::<dyn FnMut()>::new(move || dark.set(q.matches()));
                    let _ = query.add_event_listener_with_callback(
                        "change",
                        on_change.as_ref().unchecked_ref(),
                    );
                    on_change.forget();
                }
            }
            env
        })
        .clone()
    })
}

/// The theme of exported charts: the light one whatever the page shows, as
/// figures go on white pages and slides.
fn export_theme() -> Theme {
    Theme::for_scheme(false)
}

/// Bytes of a `data:...;base64,` URL.
fn data_url_bytes(url: &str) -> Option<Vec<u8>> {
    let b64 = url.split_once(',')?.1;
    let binary = web_sys::window()?.atob(b64).ok()?;
    Some(binary.chars().map(|c| c as u32 as u8).collect())
}

fn export_png(spec: &ChartSpec, size: (u32, u32), file: &str) -> Result<(), String> {
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no canvas for the PNG")?;
    draw_on_canvas(&canvas, spec, &export_theme(), size, 2.0)?;
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| format!("{e:?}"))?;
    let bytes = data_url_bytes(&url).ok_or("the PNG could not be read back")?;
    browser::download(&format!("{file}.png"), "image/png", &bytes);
    Ok(())
}

fn export_svg(spec: &ChartSpec, size: (u32, u32), file: &str) -> Result<(), String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        spec.draw(&area, &export_theme())?;
    }
    browser::download(&format!("{file}.svg"), "image/svg+xml", svg.as_bytes());
    Ok(())
}

/// Pointer distance within which a run is shown, in CSS pixels.
const HOVER_RADIUS: f64 = 8.0;

/// A chart: its canvas (role img, named), PNG and SVG buttons, a tooltip
/// over its runs and its numbers in tables behind a toggle. Hidden while
/// `spec` is None.
#[component]
pub fn Chart(
    #[prop(into)] spec: Signal<Option<ChartSpec>>,
    /// The canvas's data-testid; the buttons, tooltip and tables take it as
    /// a prefix.
    testid: &'static str,
    /// What the chart shows, in words: its accessible name.
    name: &'static str,
    /// Name of the exported files, without extension.
    file: &'static str,
    /// The chart's height for a width, in CSS pixels.
    height: fn(f64) -> f64,
    #[prop(default = 480)] min_width: i32,
) -> impl IntoView {
    let env = chart_env();
    let canvas_ref: NodeRef<html::Canvas> = NodeRef::new();
    let tip_ref: NodeRef<html::Div> = NodeRef::new();
    let marks: StoredValue<Vec<Mark>> = StoredValue::new(Vec::new());
    // The size the chart was last drawn at (CSS pixels), and shown at.
    let drawn_size: StoredValue<((u32, u32), i32)> = StoredValue::new(((0, 0), 0));
    let width_changed = RwSignal::new(0u32);

    // A change of the canvas's own width (a panel shown, the layout
    // reflowed) redraws it; a change of height alone (ours) does not.
    canvas_ref.on_load(move |canvas| {
        let c = canvas.clone();
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            if c.client_width() != drawn_size.get_value().1 {
                width_changed.update(|n| *n += 1);
            }
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&canvas);
        }
        on_resize.forget();
    });

    // Draw `spec` on the canvas at its current width (CSS pixels) and the
    // screen's pixel density, and keep the marks for the tooltips.
    let draw_now =
        move |canvas: &web_sys::HtmlCanvasElement, spec: Option<ChartSpec>, theme: &Theme| {
            let Some(spec) = spec else {
                marks.set_value(Vec::new());
                drawn_size.set_value(((0, 0), 0));
                return;
            };
            let shown = canvas.client_width();
            if shown <= 0 {
                // Not laid out yet (or hidden): the resize observer redraws it
                // when it gets a width.
                drawn_size.set_value(((0, 0), 0));
                return;
            }
            let size = layout(shown, min_width, height);
            // The canvas is shown at its CSS width; its height keeps the
            // drawing's aspect when a narrow canvas shows it scaled down.
            let scale_down = shown as f64 / size.0 as f64;
            let _ = web_sys::HtmlElement::style(canvas)
                .set_property("height", &format!("{:.2}px", size.1 as f64 * scale_down));
            let dpr = web_sys::window()
                .map(|w| w.device_pixel_ratio())
                .filter(|r| r.is_finite() && *r > 0.0)
                .unwrap_or(1.0);
            drawn_size.set_value((size, shown));
            match draw_on_canvas(canvas, &spec, theme, size, dpr * scale_down) {
                Ok(m) => {
                    marks.set_value(m);
                    // Counts the drawings, for tests and benchmarks to see.
                    let drawn = canvas.get_attribute("data-drawn");
                    let n = drawn.and_then(|d| d.parse::<u64>().ok()).unwrap_or(0);
                    let _ = canvas.set_attribute("data-drawn", &(n + 1).to_string());
                }
                Err(e) => {
                    marks.set_value(Vec::new());
                    web_sys::console::error_1(&format!("chart {testid}: {e}").into());
                }
            }
        };

    // Each change queues a drawing after the next paint, so that what
    // changed with it (a fit's numbers) is on screen first and the charts
    // follow a frame later. Only the newest queued drawing runs.
    let queued: StoredValue<u64> = StoredValue::new(0);
    Effect::new(move |_| {
        env.resized.track();
        width_changed.track();
        let theme = Theme::for_scheme(env.dark.get());
        let spec = spec.get();
        let canvas = canvas_ref.get();
        let turn = queued.get_value().wrapping_add(1);
        queued.set_value(turn);
        browser::after_next_paint(move || {
            // A newer drawing replaces this one, or the chart is gone.
            if queued.try_get_value() != Some(turn) {
                return;
            }
            if let Some(canvas) = canvas {
                draw_now(&canvas, spec, &theme);
            }
        });
    });

    let export = move |png: bool| {
        let Some(spec) = spec.get_untracked() else {
            return;
        };
        let size = drawn_size.get_value().0;
        let size = if size.0 == 0 {
            layout(0, min_width, height)
        } else {
            size
        };
        let done = if png {
            export_png(&spec, size, file)
        } else {
            export_svg(&spec, size, file)
        };
        if let Err(e) = done {
            web_sys::console::error_1(&format!("export of {testid}: {e}").into());
        }
    };

    let hide_tip = move || {
        if let Some(tip) = tip_ref.get_untracked() {
            let _ = tip.class_list().add_1("hidden");
        }
    };
    // Chart pixels per CSS pixel, once drawn.
    let chart_scale = move || {
        let ((w, _), shown) = drawn_size.get_value();
        (shown > 0 && w > 0).then(|| w as f64 / shown as f64)
    };
    // The tooltip of a run's mark, beside it; hidden when the mark has no
    // run to name.
    let show_mark = move |m: Option<Mark>| {
        let (Some(canvas), Some(tip), Some(k)) = (
            canvas_ref.get_untracked(),
            tip_ref.get_untracked(),
            chart_scale(),
        ) else {
            return;
        };
        let text = m.and_then(|m| {
            spec.with_untracked(|s| {
                s.as_ref()
                    .and_then(|s| s.runs())
                    .and_then(|i| table::run_label(i, m.point))
            })
        });
        let (Some(m), Some(text)) = (m, text) else {
            hide_tip();
            return;
        };
        tip.set_text_content(Some(&text));
        let style = web_sys::HtmlElement::style(&tip);
        let left = canvas.offset_left() as f64 + m.x as f64 / k + 12.0;
        let top = canvas.offset_top() as f64 + m.y as f64 / k + 12.0;
        let _ = style.set_property("left", &format!("{left:.0}px"));
        let _ = style.set_property("top", &format!("{top:.0}px"));
        let _ = tip.class_list().remove_1("hidden");
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some(k) = chart_scale() else { return };
        // From the pointer's CSS pixels to the chart's.
        let (x, y) = (ev.offset_x() as f64 * k, ev.offset_y() as f64 * k);
        show_mark(marks.with_value(|m| nearest_mark(m, x, y, HOVER_RADIUS * k)));
    };
    // The keyboard walks the runs from left to right: arrows step, Home and
    // End jump to the ends, Escape hides the tooltip.
    let keyed: StoredValue<Option<usize>> = StoredValue::new(None);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let mut order = marks.get_value();
        if order.is_empty() {
            return;
        }
        order.sort_by_key(|m| (m.x, m.y));
        let last = order.len() - 1;
        let now = keyed.get_value().map(|i| i.min(last));
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => now.map_or(0, |i| (i + 1).min(last)),
            "ArrowLeft" | "ArrowUp" => now.map_or(0, |i| i.saturating_sub(1)),
            "Home" => 0,
            "End" => last,
            "Escape" => {
                keyed.set_value(None);
                hide_tip();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        keyed.set_value(Some(next));
        show_mark(Some(order[next]));
    };

    // The tables are built when opened: a few dozen frontier evaluations
    // per curve, not worth doing for a closed toggle.
    let open = RwSignal::new(false);
    let tables = move || {
        if !open.get() {
            return Vec::new();
        }
        spec.with(|s| s.as_ref().map(ChartSpec::tables).unwrap_or_default())
    };

    view! {
        <figure class="chart" data-testid=format!("{testid}-figure")
            class:hidden=move || spec.with(Option::is_none)>
            <div class="chart-tools">
                <button class="small" data-testid=format!("{testid}-png")
                    aria-label=format!("Download the chart “{name}” as PNG")
                    on:click=move |_| export(true)>"PNG"</button>
                <button class="small" data-testid=format!("{testid}-svg")
                    aria-label=format!("Download the chart “{name}” as SVG")
                    on:click=move |_| export(false)>"SVG"</button>
            </div>
            <canvas node_ref=canvas_ref data-testid=testid role="img" aria-label=name tabindex="0"
                on:mousemove=on_move on:mouseleave=move |_| hide_tip()
                on:keydown=on_key on:blur=move |_| { keyed.set_value(None); hide_tip(); }></canvas>
            <div node_ref=tip_ref class="chart-tooltip hidden" data-testid=format!("{testid}-tooltip")></div>
            <details class="chart-data" data-testid=format!("{testid}-data")
                on:toggle=move |ev| {
                    let now = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                        .is_some_and(|d| d.open());
                    open.set(now);
                }>
                <summary>{format!("Data of the chart: {name}")}</summary>
                {move || tables().into_iter().map(|t| view! {
                    <table class="compare chart-table">
                        <caption>{t.caption}</caption>
                        <thead><tr>
                            {t.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {t.rows.into_iter().map(|r| view! {
                                <tr>{r.into_iter().map(|v| view! { <td class="num">{v}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }).collect_view()}
            </details>
        </figure>
    }
}
