//! `frontier-fuzz`: run the engine's input readers on seeded random and
//! mutated inputs (see the library's documentation), and fail on
//!
//! - a panic, caught per input (the binary is built with the `fuzz`
//!   profile, which unwinds and checks integer overflow);
//! - a hang: any single input taking more than 1 s (measured here, natively;
//!   a watchdog thread ends the run when one input passes 10 s);
//! - unbounded memory: a counting global allocator fails an input that makes
//!   one allocation over [`MAX_ONE_ALLOCATION`] or grows the heap by more
//!   than [`MAX_PEAK`] (each plus a few bytes per byte of input, for inputs
//!   replayed from a file; generated inputs stay under 256 KiB).
//!
//! Usage:
//!
//! ```text
//! frontier-fuzz [--execs N] [--seconds S] [--seed SEED]
//! frontier-fuzz --replay SEED INDEX      # run one execution again
//! frontier-fuzz --file PATH --target T   # run one saved input
//! ```
//!
//! Each finding is printed with its seed and index and saved under
//! `target/fuzz-findings/`.

use frontier_fuzz::{generate, Target};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The largest buffer the engine makes by design from a small input is one
/// run's learning-rate schedule: `curves::MAX_STEPS` (10^7) rates of 8
/// bytes, 80 MB (a described schedule has as many). One allocation above
/// 96 MiB is more than any limit allows.
const MAX_ONE_ALLOCATION: usize = 96 << 20;
/// Over all runs of a history the schedules hold `MAX_TOTAL_STEPS` (2·10^7)
/// rates, 160 MB; a share link inflates to at most `MAX_STATE_BYTES`
/// (16 MiB) and is parsed once more. 256 MiB of growth during one input
/// is more than the limits allow together.
const MAX_PEAK: usize = 256 << 20;
/// On top of those, per byte of input: a table keeps each field as a
/// `String` (24 bytes, and its bytes rounded up to 16 by the allocator),
/// so a field of one digit and its comma costs about 40 bytes, and the
/// target reads each text several times over (with and without gaps, for
/// two kinds of law, for `prepare`). A list of fields is 24 bytes per field
/// of at least 2 bytes, doubled while it grows.
const PEAK_PER_INPUT_BYTE: usize = 64;
const ONE_ALLOCATION_PER_INPUT_BYTE: usize = 24;
/// An input slower than this is a finding.
const SLOW: Duration = Duration::from_secs(1);
/// The watchdog ends the run when one input runs this long (a loop that
/// never returns would otherwise hang the run).
const STUCK: Duration = Duration::from_secs(10);

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(size: usize) {
        let now = CURRENT.fetch_add(size, Relaxed) + size;
        PEAK.fetch_max(now, Relaxed);
        LARGEST.fetch_max(size, Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Counting::grew(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Counting::grew(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CURRENT.fetch_sub(layout.size(), Relaxed);
        Counting::grew(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What the watchdog sees: the execution under way and when it started.
static BUSY: AtomicBool = AtomicBool::new(false);
static STARTED_MS: AtomicU64 = AtomicU64::new(0);
static SEED: AtomicU64 = AtomicU64::new(0);
static INDEX: AtomicU64 = AtomicU64::new(0);

struct Options {
    execs: u64,
    seconds: Option<f64>,
    seed: u64,
    replay: Option<(u64, u64)>,
    file: Option<(String, Target)>,
}

fn usage() -> ! {
    eprintln!(
        "usage: frontier-fuzz [--execs N] [--seconds S] [--seed SEED]\n       frontier-fuzz --replay SEED INDEX\n       frontier-fuzz --file PATH --target {}",
        Target::ALL.map(|t| t.name()).join("|")
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut o = Options {
        execs: 1_000_000,
        seconds: None,
        seed: 1,
        replay: None,
        file: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    let mut target = None;
    let mut path = None;
    let num = |v: Option<&String>| -> u64 {
        let v = v.unwrap_or_else(|| usage());
        // 1e7 and 10_000_000 both read.
        v.replace('_', "")
            .parse::<u64>()
            .ok()
            .or_else(|| v.parse::<f64>().ok().map(|f| f as u64))
            .unwrap_or_else(|| usage())
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--execs" => o.execs = num(it.next()),
            "--seconds" => o.seconds = Some(num(it.next()) as f64),
            "--seed" => o.seed = num(it.next()),
            "--replay" => o.replay = Some((num(it.next()), num(it.next()))),
            "--file" => path = it.next().cloned(),
            "--target" => {
                target = Some(
                    Target::from_name(it.next().map(String::as_str).unwrap_or(""))
                        .unwrap_or_else(|| usage()),
                )
            }
            _ => usage(),
        }
    }
    match (path, target) {
        (Some(p), Some(t)) => o.file = Some((p, t)),
        (None, None) => {}
        _ => usage(),
    }
    o
}

/// Why an input failed, if it did.
fn execute(target: Target, input: &[u8]) -> Result<Duration, String> {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    LARGEST.store(0, Relaxed);
    let t0 = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| target.run(input)));
    let took = t0.elapsed();
    if let Err(e) = outcome {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        return Err(format!("panic: {msg}"));
    }
    let largest = LARGEST.load(Relaxed);
    let one_limit = MAX_ONE_ALLOCATION + ONE_ALLOCATION_PER_INPUT_BYTE * input.len();
    if largest > one_limit {
        return Err(format!(
            "one allocation of {largest} bytes (limit {one_limit} for {} bytes of input)",
            input.len()
        ));
    }
    let grew = PEAK.load(Relaxed).saturating_sub(base);
    let peak_limit = MAX_PEAK + PEAK_PER_INPUT_BYTE * input.len();
    if grew > peak_limit {
        return Err(format!(
            "the heap grew by {grew} bytes (limit {peak_limit} for {} bytes of input)",
            input.len()
        ));
    }
    if took > SLOW {
        return Err(format!(
            "took {:.2} s (limit {:?})",
            took.as_secs_f64(),
            SLOW
        ));
    }
    Ok(took)
}

fn save(target: Target, seed: u64, index: u64, input: &[u8]) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{}-{seed}-{index}.txt", target.name()));
    let _ = std::fs::write(&path, input);
    path.display().to_string()
}

fn watchdog(epoch: Instant) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(200));
        if !BUSY.load(Relaxed) {
            continue;
        }
        let now = epoch.elapsed().as_millis() as u64;
        if now.saturating_sub(STARTED_MS.load(Relaxed)) > STUCK.as_millis() as u64 {
            let (seed, index) = (SEED.load(Relaxed), INDEX.load(Relaxed));
            eprintln!(
                "STUCK: one input has run for more than {STUCK:?}; replay with: frontier-fuzz --replay {seed} {index}"
            );
            std::process::exit(3);
        }
    });
}

fn main() {
    let o = options();
    // Panics are caught and reported with their input; the default hook
    // would print each one a second time.
    std::panic::set_hook(Box::new(|_| {}));
    if let Some((path, target)) = o.file {
        let input = std::fs::read(&path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(2)
        });
        report_one(target, &input);
        return;
    }
    if let Some((seed, index)) = o.replay {
        let (target, input) = generate(seed, index);
        println!(
            "{} input of {} bytes:\n{}",
            target.name(),
            input.len(),
            String::from_utf8_lossy(&input[..input.len().min(2000)])
        );
        report_one(target, &input);
        return;
    }
    let epoch = Instant::now();
    watchdog(epoch);
    SEED.store(o.seed, Relaxed);
    let mut findings = 0u64;
    let mut per_target = [(0u64, Duration::ZERO); Target::ALL.len()];
    let mut bytes = 0u64;
    let mut done = 0u64;
    let deadline = o.seconds.map(Duration::from_secs_f64);
    let mut last_report = Instant::now();
    while done < o.execs && deadline.is_none_or(|d| epoch.elapsed() < d) {
        let index = done;
        let (target, input) = generate(o.seed, index);
        INDEX.store(index, Relaxed);
        STARTED_MS.store(epoch.elapsed().as_millis() as u64, Relaxed);
        BUSY.store(true, Relaxed);
        let result = execute(target, &input);
        BUSY.store(false, Relaxed);
        bytes += input.len() as u64;
        done += 1;
        let k = Target::ALL.iter().position(|t| *t == target).unwrap();
        match result {
            Ok(took) => {
                per_target[k].0 += 1;
                per_target[k].1 += took;
            }
            Err(why) => {
                findings += 1;
                let path = save(target, o.seed, index, &input);
                println!(
                    "FINDING in {}: {why}\n  replay: frontier-fuzz --replay {} {index}\n  input ({} bytes) saved to {path}",
                    target.name(),
                    o.seed,
                    input.len()
                );
                if findings >= 20 {
                    println!("stopping after 20 findings");
                    break;
                }
            }
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            let s = epoch.elapsed().as_secs_f64();
            eprintln!(
                "{done} executions in {s:.0} s ({:.0}/s), {findings} findings",
                done as f64 / s
            );
        }
    }
    let wall = epoch.elapsed().as_secs_f64();
    println!(
        "{done} executions (seed {}) in {wall:.1} s: {:.0} exec/s, {:.1} MB of input, {findings} findings",
        o.seed,
        done as f64 / wall,
        bytes as f64 / 1e6
    );
    for (t, (n, time)) in Target::ALL.iter().zip(per_target) {
        if n > 0 {
            println!(
                "  {:<10} {n:>10} executions, {:>8.1} µs each",
                t.name(),
                time.as_secs_f64() * 1e6 / n as f64
            );
        }
    }
    let _ = std::io::stdout().flush();
    if findings > 0 {
        std::process::exit(1);
    }
}

fn report_one(target: Target, input: &[u8]) {
    match execute(target, input) {
        Ok(took) => println!(
            "{}: fine in {:.1} ms",
            target.name(),
            took.as_secs_f64() * 1e3
        ),
        Err(why) => {
            println!("{}: {why}", target.name());
            std::process::exit(1);
        }
    }
}
