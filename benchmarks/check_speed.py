"""Speed of `dlcheck check` as a whole process, against baselines measured in the same run.

Target (issue 2): median <= 0.5 s on the 2-core development machine, without framework probes.
Baselines: `python -c pass` (interpreter start-up) and `python -m torch.utils.collect_env`
(the tool people use today), when torch is installed.

    python benchmarks/check_speed.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time

# As on a learner's machine, compiled bytecode is cached: pip writes it at install time, and
# Python on first import. Some sandboxes set PYTHONDONTWRITEBYTECODE, which would make every
# run recompile dlcheck's sources; it is dropped for the timed commands (the warm-up runs
# write the cache).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_command(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=120,
            env=ENV,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--target", type=float, default=0.5)
    opts = ap.parse_args()
    py = sys.executable
    help_text = subprocess.run(
        [py, "-m", "dlcheck", "check", "--help"], capture_output=True, text=True, check=False
    ).stdout
    check = [py, "-m", "dlcheck", "check", "--json"]
    if "--no-frameworks" in help_text:
        check.append("--no-frameworks")
    commands = {"dlcheck check": check, "python -c pass": [py, "-c", "pass"]}
    if importlib.util.find_spec("torch") is not None:
        commands["torch collect_env"] = [py, "-m", "torch.utils.collect_env"]
    time_command(check, 2)  # warm the file cache
    # Interleave the commands so that noise from other processes hits all of them alike.
    results: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(opts.runs):
        for name, args in commands.items():
            results[name] += time_command(args, 1)
    medians = {name: statistics.median(ts) for name, ts in results.items()}
    print(f"{'command':<20} {'median s':>9} {'min s':>7} {'max s':>7}  runs={opts.runs}")
    for name, ts in results.items():
        print(f"{name:<20} {medians[name]:9.3f} {min(ts):7.3f} {max(ts):7.3f}")
    ours = medians["dlcheck check"]
    print(f"\ncommand timed: {' '.join(check[1:])}")
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        print("note: PYTHONDONTWRITEBYTECODE was set here and is dropped for the timed runs")
    for name in commands:
        if name != "dlcheck check":
            print(f"ratio dlcheck check / {name}: {ours / medians[name]:.2f}")
    ok = ours <= opts.target
    print(f"target median <= {opts.target:.2f} s: {'MET' if ok else 'MISSED'} ({ours:.3f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
