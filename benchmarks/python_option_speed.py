"""What `dlcheck check --python PATH` costs over `dlcheck check`, as whole processes, both
without framework probes and measured in the same run, alternated (A B A B ...).

Target (issue 29): the median of `--python` at most 0.1 s more than the median without it.
PATH: the running interpreter by default, so both commands judge the same environment and
the difference is the probe run inside it.

    python benchmarks/python_option_speed.py [--runs 15] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=120,
        env=ENV,
    )
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--python", default=sys.executable, help="The interpreter --python names.")
    ap.add_argument("--target", type=float, default=0.1, help="Most seconds added (median).")
    opts = ap.parse_args()
    base = [sys.executable, "-m", "dlcheck", "check", "--no-frameworks", "--json"]
    commands = {"check": base, "check --python": [*base, "--python", opts.python]}
    for args in commands.values():  # warm the file cache and the bytecode
        once(args)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(opts.runs):
        for name, args in commands.items():
            times[name].append(once(args))
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'max s':>7}  runs={opts.runs}")
    for name, ts in times.items():
        print(f"{name:<16} {med[name]:9.3f} {min(ts):7.3f} {max(ts):7.3f}")
    try:
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        load = "unknown"
    added = med["check --python"] - med["check"]
    print(f"load average: {load}; --python {opts.python}")
    print(f"ratio check --python / check: {med['check --python'] / med['check']:.3f}")
    ok = added <= opts.target
    print(f"added {added:+.3f} s; target <= +{opts.target:.2f} s: {'MET' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
