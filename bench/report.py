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
print("\n".join(out))
