//! Runs fits in a Web Worker (worker.js, which loads this same module and
//! calls [`crate::worker_fit`]), so the page stays responsive. Cancel
//! terminates the worker; the next fit starts a fresh one.

use crate::model::WorkerReply;
use frontier_engine::fit::FitReport;
use js_sys::Reflect;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

struct Running {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// Start a fit of `request` (JSON fit inputs). Any fit already running is
/// stopped first.
pub fn start(
    request: String,
    on_progress: impl Fn(usize, usize) + 'static,
    on_done: impl Fn(Result<FitReport, String>) + 'static,
) -> Result<(), String> {
    cancel();
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./worker.js", &options)
        .map_err(|e| format!("cannot start the fit worker: {e:?}"))?;
    let on_done = std::rc::Rc::new(on_done);
    let done_on_error = on_done.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let field =
            |k: &str| Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        match field("type").as_string().as_deref() {
            Some("progress") => {
                let done = field("done").as_f64().unwrap_or(0.0) as usize;
                let total = field("total").as_f64().unwrap_or(0.0) as usize;
                on_progress(done, total);
            }
            Some("done") => {
                let text = field("result").as_string().unwrap_or_default();
                let reply = match serde_json::from_str::<WorkerReply>(&text) {
                    Ok(WorkerReply::Ok(r)) => Ok(r),
                    Ok(WorkerReply::Err(m)) => Err(m),
                    Err(e) => Err(format!("unreadable reply from the fit worker: {e}")),
                };
                on_done(reply);
            }
            Some("failed") => {
                let m = field("message").as_string().unwrap_or_default();
                on_done(Err(format!("the fit worker failed: {m}")));
            }
            _ => {}
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
        done_on_error(Err(format!("the fit worker failed: {}", e.message())));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker
        .post_message(&JsValue::from_str(&request))
        .map_err(|e| format!("cannot send the fit to the worker: {e:?}"))?;
    RUNNING.with(|r| {
        *r.borrow_mut() = Some(Running {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    Ok(())
}

/// Stop the running fit, if any. Called from user events, never from inside
/// the worker's own callbacks (which would drop a closure while it runs).
pub fn cancel() {
    RUNNING.with(|r| {
        if let Some(running) = r.borrow_mut().take() {
            running.worker.terminate();
        }
    });
}
