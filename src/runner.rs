//! Runs jobs in Web Workers (worker.js, which loads this same module and
//! calls [`crate::worker_fit`]), so the page stays responsive: one job per
//! worker, one worker per core; the model joins their replies into the same
//! result one worker would give. Workers are kept between runs (loading the
//! module in a new worker costs a few hundred milliseconds), and [`warm`]
//! starts them when the page opens, so the first fit does not wait for
//! them either; Cancel terminates them all and the next run starts fresh
//! ones.

use js_sys::Reflect;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Event, MessageEvent, Worker, WorkerOptions, WorkerType};

struct Running {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    /// Set when the worker reported an error (its script did not load):
    /// it would never answer a job, so it is not reused.
    failed: Rc<std::cell::Cell<bool>>,
}

fn new_worker() -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    Worker::new_with_options("./worker.js", &options)
        .map_err(|e| format!("cannot start a fit worker: {e:?}"))
}

/// Start one idle worker per core (see [`worker_count`]), which load and
/// compile the module now, while the user reads the page: the first fit
/// then runs on ready workers. Does nothing when workers are there already.
pub fn warm() {
    if RUNNING.with(|r| !r.borrow().is_empty()) {
        return;
    }
    let mut pool = Vec::new();
    for _ in 0..worker_count() {
        let Ok(worker) = new_worker() else { break };
        let failed = Rc::new(std::cell::Cell::new(false));
        let flag = failed.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| flag.set(true));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|_: MessageEvent| {});
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        pool.push(Running {
            worker,
            _on_message: on_message,
            _on_error: on_error,
            failed,
        });
    }
    RUNNING.with(|r| *r.borrow_mut() = pool);
    IDLE.with(|i| i.set(true));
}

thread_local! {
    static RUNNING: RefCell<Vec<Running>> = const { RefCell::new(Vec::new()) };
    /// True when every worker in RUNNING has answered its last job.
    static IDLE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What the workers have sent so far.
struct Gather {
    done: Vec<usize>,
    replies: Vec<Option<String>>,
    over: bool,
    /// When progress was last passed on (milliseconds, `browser::now_ms`).
    shown_at: f64,
}

/// Progress is passed on at most once in this many milliseconds. Each update
/// re-renders the status; the workers report about a hundred times per
/// job, and on a two-core machine the page's thread rendering them all
/// takes time from the fit itself.
const PROGRESS_EVERY_MS: f64 = 50.0;

/// Run `jobs` (JSON, one per worker). Any run in progress is stopped first.
/// `on_progress(done)` follows all workers together; `on_done` is called
/// once, with every worker's reply in job order, or the first failure.
pub fn start(
    jobs: Vec<String>,
    on_progress: impl Fn(usize) + 'static,
    on_done: impl Fn(Result<Vec<String>, String>) + 'static,
) -> Result<(), String> {
    let workers = jobs.len();
    // Reuse the workers when there are enough, all idle and none failed;
    // otherwise start afresh (a busy worker would answer its old job to
    // the new handlers). Idle workers beyond the jobs stay for later runs.
    let reuse = IDLE.with(|i| i.get())
        && RUNNING.with(|r| {
            let r = r.borrow();
            r.len() >= workers && r.iter().all(|w| !w.failed.get())
        });
    if !reuse {
        cancel();
    }
    IDLE.with(|i| i.set(false));
    let gather = Rc::new(RefCell::new(Gather {
        done: vec![0; workers],
        replies: vec![None; workers],
        over: false,
        shown_at: f64::NEG_INFINITY,
    }));
    let on_progress = Rc::new(on_progress);
    let on_done = Rc::new(on_done);
    // Called once: with the parts when every worker has finished, or with the
    // first failure.
    let finish = {
        let gather = gather.clone();
        let on_done = on_done.clone();
        Rc::new(move |w: usize, result: Result<String, String>| {
            let mut g = gather.borrow_mut();
            if g.over {
                return;
            }
            match result {
                Err(m) => {
                    g.over = true;
                    drop(g);
                    on_done(Err(m));
                }
                Ok(reply) => {
                    g.replies[w] = Some(reply);
                    if g.replies.iter().all(Option::is_some) {
                        g.over = true;
                        IDLE.with(|i| i.set(true));
                        let all = g.replies.iter_mut().map(|r| r.take().unwrap()).collect();
                        drop(g);
                        on_done(Ok(all));
                    }
                }
            }
        })
    };

    let (mut kept, spare): (Vec<Worker>, Vec<Running>) = if reuse {
        RUNNING.with(|r| {
            let mut all = std::mem::take(&mut *r.borrow_mut());
            let spare = all.split_off(workers);
            (all.into_iter().map(|x| x.worker).collect(), spare)
        })
    } else {
        (Vec::new(), Vec::new())
    };
    kept.reverse();
    let mut running = Vec::with_capacity(workers + spare.len());
    for (w, job) in jobs.into_iter().enumerate() {
        let worker = match kept.pop() {
            Some(worker) => worker,
            None => new_worker()?,
        };
        let failed = Rc::new(std::cell::Cell::new(false));
        let failed_flag = failed.clone();
        let (gather, on_progress, finish_msg, finish_err) = (
            gather.clone(),
            on_progress.clone(),
            finish.clone(),
            finish.clone(),
        );
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let field =
                |k: &str| Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
            match field("type").as_string().as_deref() {
                Some("progress") => {
                    let done = field("done").as_f64().unwrap_or(0.0) as usize;
                    let total = {
                        let mut g = gather.borrow_mut();
                        g.done[w] = done;
                        let now = crate::browser::now_ms();
                        if now - g.shown_at < PROGRESS_EVERY_MS {
                            None
                        } else {
                            g.shown_at = now;
                            Some(g.done.iter().sum())
                        }
                    };
                    if let Some(total) = total {
                        on_progress(total);
                    }
                }
                Some("done") => {
                    finish_msg(w, Ok(field("result").as_string().unwrap_or_default()));
                }
                Some("failed") => {
                    let m = field("message").as_string().unwrap_or_default();
                    finish_msg(w, Err(format!("a worker failed: {m}")));
                }
                _ => {}
            }
        });
        // A module worker whose script cannot load (offline, a 404, a
        // security policy) fires a plain Event with no message: read the
        // message only if the event has one.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            failed_flag.set(true);
            let message = Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .filter(|m| !m.is_empty());
            finish_err(
                w,
                Err(match message {
                    Some(m) => format!("a worker failed: {m}"),
                    None => "the fit worker could not start: worker.js or the page's WebAssembly did not load (offline, or blocked?). Reload the page to try again.".into(),
                }),
            );
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker
            .post_message(&JsValue::from_str(&job))
            .map_err(|e| format!("cannot send the fit to a worker: {e:?}"))?;
        running.push(Running {
            worker,
            _on_message: on_message,
            _on_error: on_error,
            failed,
        });
    }
    running.extend(spare);
    RUNNING.with(|r| *r.borrow_mut() = running);
    Ok(())
}

/// Stop the running fit, if any. Called from user events, never from inside
/// the workers' own callbacks (which would drop a closure while it runs).
pub fn cancel() {
    RUNNING.with(|r| {
        for running in r.borrow_mut().drain(..) {
            running.worker.terminate();
        }
    });
}

/// Workers to use: `?workers=N` in the page's address if given (for
/// benchmarks), else one per core, at most 8.
pub fn worker_count() -> usize {
    let from_query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("workers=").map(|v| v.parse::<usize>().ok()))
                .flatten()
        });
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(1);
    from_query.unwrap_or(cores).clamp(1, 8)
}
