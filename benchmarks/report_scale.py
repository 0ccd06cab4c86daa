"""How `dlcheck report` scales: 1,000 and 10,000 generated check reports.

Prints wall time (whole command in a fresh process, and the library call in this one), the
cost per report, and peak memory at 1k and 10k files: peak RSS of the subprocess and the
tracemalloc peak of the library call. Target (issue 6): 10,000 reports in <= 3 s wall on the
2-core development machine, memory growing with the table only.

    python benchmarks/report_scale.py [--n 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from recorded import write_many  # noqa: E402

from dlcheck.fleet import read  # noqa: E402
from dlcheck.fleet.build import build_fleet  # noqa: E402
from dlcheck.fleet.render import render_csv, render_html  # noqa: E402

CHILD = """
import resource, sys, time
t = time.perf_counter()
from dlcheck.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
# VmHWM: peak RSS of this process since exec (ru_maxrss would include the parent's before exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{time.perf_counter() - t:.3f} {hwm} {workers}", file=sys.stderr)
sys.exit(code)
"""


def run_cli(args: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds (process start to exit), seconds inside main(), peak RSS of the command
    and of its biggest reading worker (0: none), in KiB."""
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        raise SystemExit(f"dlcheck report failed ({p.returncode}): {p.stderr[-2000:]}")
    inner, rss, workers = p.stderr.strip().splitlines()[-1].split()
    return wall, float(inner), int(rss), int(workers)


def traced(folder: Path) -> tuple[float, int, int]:
    """Library call in this process: seconds, tracemalloc peak bytes, rows."""
    cpus = read._usable_cpus
    read._usable_cpus = lambda: 1  # one process, so that tracemalloc sees every allocation
    tracemalloc.start()
    t = time.perf_counter()
    fleet = build_fleet([str(folder)])
    render_csv(fleet)
    dt = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    read._usable_cpus = cpus
    return dt, peak, len(fleet.rows)


def bare_json(folder: Path) -> float:
    """Baseline in the same run: read and json.loads every file, nothing else (one process)."""
    import json

    t = time.perf_counter()
    for p in folder.iterdir():
        json.loads(p.read_bytes())
    return time.perf_counter() - t


def history(folder: Path, n: int, machines: int) -> None:
    """``n`` files for only ``machines`` machines (repeated checks): the table stays small."""
    write_many(folder, n, default_profile=True)
    for i, p in enumerate(sorted(folder.iterdir())):
        text = p.read_text(encoding="utf-8")
        p.write_text(text.replace(f"pc{i:05d}", f"pc{i % machines:05d}"), encoding="utf-8")


def measure(folder: Path, out: Path) -> tuple[tuple[float, float, int, int], float, int, int, int]:
    best = None
    for _ in range(3):  # the machine is shared: keep the best of three
        r = run_cli(["report", str(folder), "--format", "csv", "-o", str(out)])
        best = r if best is None or r[0] < best[0] else best
    assert best is not None
    lib_s, lib_peak, rows = traced(folder)  # tracemalloc slows this run several times
    size = sum(p.stat().st_size for p in folder.iterdir())
    return best, lib_s, lib_peak, rows, size


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    ap.add_argument("--limit", type=float, default=3.0, help="seconds allowed for --n reports")
    a = ap.parse_args()
    base = a.keep or Path(tempfile.mkdtemp(prefix="dlcheck-scale-"))
    cases = [
        (f"{a.small} files, {a.small} machines", base / f"n{a.small}", a.small, a.small),
        (f"{a.n} files, {a.n} machines", base / f"n{a.n}", a.n, a.n),
        (f"{a.small} files, 100 machines", base / f"h{a.small}", a.small, 100),
        (f"{a.n} files, 100 machines", base / f"h{a.n}", a.n, 100),
    ]
    results = []
    for label, folder, n, machines in cases:
        if not folder.exists():
            folder.mkdir(parents=True)
            if machines == n:
                write_many(folder, n, default_profile=True)
            else:
                history(folder, n, machines)
        (wall, inner, rss, wrss), lib_s, peak, rows, size = measure(folder, base / "out.csv")
        base_s = bare_json(folder)
        results.append((wall, rss, peak))
        print(
            f"{label:>28} ({size / 1e6:5.1f} MB): wall {wall:.2f} s, in main {inner:.2f} s "
            f"= {inner / n * 1e6:.0f} us/file; peak RSS {rss / 1024:.1f} MiB"
            + (f" (workers {wrss / 1024:.1f} MiB each at most); " if wrss else "; ")
            + f"1 process: {lib_s:.2f} s, tracemalloc peak {peak / 1e6:.2f} MB ({rows} rows); "
            f"baseline read+json.loads of the files {base_s:.2f} s: wall x{wall / base_s:.2f}"
        )
    fleet = build_fleet([str(base / f"n{a.n}")])
    t = time.perf_counter()
    html = render_html(fleet)
    print(
        f"HTML page of {a.n} machines: {len(html) / 1e6:.1f} MB in {time.perf_counter() - t:.2f} s"
    )
    r = results
    print(
        f"10x files, 10x machines: wall x{r[1][0] / r[0][0]:.1f}, RSS x{r[1][1] / r[0][1]:.2f}, "
        f"tracemalloc peak x{r[1][2] / r[0][2]:.1f}"
    )
    print(
        f"10x files, same 100 machines: wall x{r[3][0] / r[2][0]:.1f}, "
        f"RSS x{r[3][1] / r[2][1]:.2f}, tracemalloc peak x{r[3][2] / r[2][2]:.2f}"
    )
    ok = r[1][0] <= a.limit
    print(f"{'PASS' if ok else 'OVER'}: {a.n} reports in {r[1][0]:.2f} s (limit {a.limit:g} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
