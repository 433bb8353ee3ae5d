"""Format scripts/bench's measurements as BENCHMARKS.md (stdout)."""

import datetime
import json
import os
import platform
import subprocess
import sys


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def chromium():
    try:
        return subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


LARGE_HEADING = "## Large data: 100,000 points"


def large_section(native, page):
    """The large-data rows: the search on a stratified sample, natively and
    in the page, against the exhaustive fit (every start on every point)."""
    pages = {s["file"]: s for s in page["sets"]}
    out = [LARGE_HEADING, ""]
    out.append(
        "Written by `scripts/bench` (or `scripts/bench large`, which re-measures only this section) on %s; "
        "median of %d runs, the exhaustive fit once. Three synthetic data sets of %d rows "
        "(`frontier_engine::synthetic::Synthetic::three`, written to `target/large/`), the Chinchilla law, "
        "Hoffmann's 4500-start grid and delta 1e-3. Above %s points every start runs on a stratified sample "
        "of %s points and the best distinct basins are polished on all points; the exhaustive fit runs every "
        "start on every point (`FitOptions::large_data = None`). Timings are of a 2-core machine; "
        "anything else running at the time slows them."
        % (datetime.date.today().isoformat(), native["repeat"], native["points"], "4,000", "2,000")
    )
    out.append("")
    out.append(
        "| data set | native fit, 1 core (s) | page fit, %d workers, click to numbers (s) | page, cold first click (s) "
        "| engine alone in WebAssembly, main thread (s) | exhaustive fit, native, 1 core (s) | objective | exhaustive objective | relative difference |"
        % page["cores"]
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for s in native["sets"]:
        p = pages.get("large-%s.csv" % s["name"], {})
        out.append(
            "| %s | %.2f | %s | %s | %s | %s | %.10f | %s | %s |"
            % (
                s["name"],
                s["fit_seconds"],
                "%.2f" % p["fit_seconds"] if p else "—",
                "%.2f" % p["cold_fit_seconds"] if p else "—",
                "%.2f" % p["engine_seconds"] if p else "—",
                "%.1f" % s["exhaustive_seconds"] if "exhaustive_seconds" in s else "—",
                s["objective"],
                "%.10f" % s["exhaustive_objective"] if "exhaustive_objective" in s else "—",
                "%.1e" % s["relative_difference"] if "relative_difference" in s else "—",
            )
        )
    out.append("")
    worst = max((p["fit_seconds"] for p in page["sets"]), default=float("nan"))
    out.append("| measure | measured | target |")
    out.append("|---|---|---|")
    out.append("| page fit of 100,000 points, all workers, slowest data set | %.2f s | at most 5 s |" % worst)
    diffs = [abs(s["relative_difference"]) for s in native["sets"] if "relative_difference" in s]
    if diffs:
        out.append(
            "| objective against the exhaustive fit, largest relative difference | %.1e | at most 1e-9 |" % max(diffs)
        )
    out.append("")
    out.append("Reading the pasted rows (parse, then the checks for the law), median seconds:")
    out.append("")
    out.append("| data set | native (CLI) | WebAssembly, engine alone | page: input event to the data report |")
    out.append("|---|---|---|---|")
    for s in native["sets"]:
        p = pages.get("large-%s.csv" % s["name"], {})
        out.append(
            "| %s | %.3f | %s | %s |"
            % (
                s["name"],
                s["parse_seconds"],
                "%.3f" % p["parse_seconds"] if p else "—",
                "%.3f" % p["paste_seconds"] if p else "—",
            )
        )
    out.append("")
    out.append(
        "The page's fit time includes reading the text on the click and in each worker, the polish on all "
        "points (on the page's thread, when the workers' parts are joined), and drawing the results and "
        "charts of 100,000 points; the page's own \"Fit took\" figure stops before the drawing."
    )
    return out


FIRST_HEADING = "## The first fit after the page opens, and the page's size"


def first_section(first, wasm_bytes, gzip_bytes):
    """What a user meets on opening the page: the first fit (cold) and the
    next (warm), with the default options, and the WebAssembly downloaded."""
    return [
        FIRST_HEADING,
        "",
        "Written by `scripts/bench first` (`tests/e2e/page-bench-first.mjs`, median of %d fresh browser "
        "profiles). The reference data pasted, its 5 highest losses dropped, the default 1000 bootstrap "
        "resamples and all workers; the click on Fit comes right after the paste, while the workers "
        "started at load may still be compiling the module. Measured in the page from the click to the "
        "animation frame that paints the fitted numbers, to every chart on screen drawn anew (the page "
        "draws the charts after the numbers are painted), and to the end of the bootstrap. Before "
        "the first click, the page's thread and each worker have run a small fit of synthetic data "
        "once (when the workers are ready and after the first paint), so that the first fit does not "
        "pay for compiling its code."
        % first["repeat"],
        "",
        "| run | click to numbers | click to charts | click to bootstrap done | target (numbers) |",
        "|---|---|---|---|---|",
        "| first fit after the page opens (cold) | %.3f s | %.3f s | %.2f s | at most 0.4 s |"
        % (first["cold"]["numbers_seconds"], first["cold"]["charts_seconds"],
           first["cold"]["bootstrap_done_seconds"]),
        "| the next fit (warm) | %.3f s | %.3f s | %.2f s | at most 0.3 s |"
        % (first["warm"]["numbers_seconds"], first["warm"]["charts_seconds"],
           first["warm"]["bootstrap_done_seconds"]),
        "",
        "The page's WebAssembly (`pkg/frontier_web_bg.wasm`, as scripts/build writes it): %d bytes, %d bytes "
        "gzipped (gzip -9); target at most 350 KB gzipped." % (wasm_bytes, gzip_bytes),
    ]


def replace_section(text, heading, lines):
    """`text` with the section under `heading` (to the next "## " heading
    or the end) replaced by `lines`, or with them appended."""
    if heading in text:
        before, after = text.split(heading, 1)
        rest = after.split("\n## ", 1)
        tail = ("\n## " + rest[1]) if len(rest) > 1 else ""
        return before.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + tail
    return text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


if len(sys.argv) > 1 and sys.argv[1] == "--first":
    path, first = sys.argv[2], json.load(open(sys.argv[3]))
    wasm_bytes, gzip_bytes = int(sys.argv[4]), int(sys.argv[5])
    print(replace_section(open(path).read(), FIRST_HEADING, first_section(first, wasm_bytes, gzip_bytes)), end="")
    sys.exit(0)

if len(sys.argv) > 1 and sys.argv[1] == "--large-only":
    # Replace (or add) the large-data section of an existing BENCHMARKS.md.
    path, native_large, page_large = sys.argv[2], json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
    print(replace_section(open(path).read(), LARGE_HEADING, large_section(native_large, page_large)), end="")
    sys.exit(0)

native, page, scipy = (json.load(open(p)) for p in sys.argv[1:4])
fits = {(r["build"], r["workers"]): r["fit_seconds"] for r in page["fits"]}
cores = page["cores"]
simd_all = fits[("simd", cores)]
engine = page["engine"]
rows = [
    ("native (CLI, 1 core)", native["fit_seconds"], native["objective"]),
    ("WebAssembly SIMD, engine alone (main thread)", engine["simd"], None),
    ("WebAssembly scalar, engine alone (main thread)", engine["scalar"], None),
    ("WebAssembly SIMD, generic formula tape, engine alone", engine["simd_generic"], None),
    ("native generic formula tape (CLI, 1 core)", native["generic_fit_seconds"], native["generic_objective"]),
    ("WebAssembly SIMD, 1 worker", fits[("simd", 1)], None),
    (f"WebAssembly SIMD, {cores} workers", simd_all, None),
    ("WebAssembly scalar, 1 worker", fits[("scalar", 1)], None),
    (f"WebAssembly scalar, {cores} workers", fits[("scalar", cores)], None),
    ("SciPy L-BFGS-B (Python, 1 core)", scipy["seconds"], scipy["objective"]),
]
out = []
out.append("# Benchmarks\n")
out.append(
    "Written by `scripts/bench` (median of %d runs; SciPy once). The 4500-start fit of the 240 reference "
    "points (`crates/engine/tests/data`, 5 highest losses dropped), Hoffmann's objective and grid; "
    "in the browser from the click on Fit to the numbers on screen.\n" % page["repeat"]
)
out.append(
    "Machine: %s, %d cores, %s; %s; %s.\n"
    % (cpu(), os.cpu_count(), platform.platform(), chromium(), datetime.date.today().isoformat())
)
out.append("| run | seconds | vs SciPy |")
out.append("|---|---|---|")
for name, s, _ in rows:
    ratio = "—" if name.startswith("SciPy") else "%.1fx faster" % (scipy["seconds"] / s)
    out.append("| %s | %.3f | %s |" % (name, s, ratio))
out.append("")
out.append("| ratio | measured | target |")
out.append("|---|---|---|")
out.append("| SIMD over scalar WebAssembly, engine alone | %.2fx | at least 1.5x |" % (engine["scalar"] / engine["simd"]))
out.append("| SIMD over scalar WebAssembly, page with 1 worker | %.2fx | |" % (fits[("scalar", 1)] / fits[("simd", 1)]))
out.append("| WebAssembly SIMD engine alone over native | %.2fx slower | within 1.5x |" % (engine["simd"] / native["fit_seconds"]))
out.append("| page with 1 worker over native | %.2fx slower | |" % (fits[("simd", 1)] / native["fit_seconds"]))
out.append("| fit, all workers | %.3f s | at most 0.5 s |" % simd_all)
out.append(
    "| generic formula tape over the hand-written kernel, WebAssembly SIMD engine alone | %.2fx | within 2x |"
    % (engine["simd_generic"] / engine["simd"])
)
out.append(
    "| generic formula tape over the hand-written kernel, native | %.2fx | within 2x |"
    % (native["generic_fit_seconds"] / native["fit_seconds"])
)
out.append(
    "| %d bootstrap resamples, SIMD, %d workers | %.2f s (native, 1 core: %.2f s) | at most 5 s |"
    % (page["bootstrap"]["resamples"], page["bootstrap"]["workers"], page["bootstrap"]["seconds"], native["bootstrap_seconds"])
)
out.append("")
out.append(
    "Best objective: Frontier %.10f over %d objective evaluations; SciPy %.10f over %d evaluations "
    "(reference: 0.0010182740)."
    % (native["objective"], native["evaluations"], scipy["objective"], scipy["evaluations"])
)
out.append("")
out.append(
    "The generic formula tape fits the typed formula `E + A/N^alpha + B/D^beta` (parameters and "
    "Hoffmann's grid from their names) to objective %.10f natively and %.10f in WebAssembly, "
    "the hand-written kernel to %.10f: the same optimum."
    % (native["generic_objective"], engine["simd_generic_objective"], native["objective"])
)
out.append("")
out.append(
    "Frontier's figures include its shortcuts: every start searches with SciPy's L-BFGS-B tolerances, "
    "starts still above 5 times a pilot sample's best objective after 6 iterations are abandoned, and "
    "the 8 best end points are polished with tight tolerances (the engine test "
    "`the_shortcuts_find_the_same_best_objective` shows the same best objective with and without them "
    "on three data sets). SciPy runs every start to its default tolerances."
)
if len(sys.argv) > 5:
    out.append("")
    out.extend(large_section(json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))))
print("\n".join(out))
