"""Stability and speed: N separate runs of `dlcheck bench --quick --json` (each a new process,
TensorFlow import included). Reports the headline's spread and each run's wall time.

    python benchmarks/honesty_stability.py [--rounds 5]

Pass: (max - min) / median of the headline training images/s is at most 5%, and every run
gives its verdict within 30 s of wall time (issue 12). The predicted episode-4 spread against
the lesson's own fit is benchmarks/honesty_prediction.py --episodes 4. Between runs, a bare
model.fit of the same model in a new process (benchmarks/bare_fit.py) gives the noise floor
of the machine at that moment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from _common import load_average

from dlcheck.subprocesses import run_command


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", "--runs", dest="runs", type=int, default=5)
    args = ap.parse_args()
    rates, preds, walls, bare = [], [], [], []
    bare_script = str(Path(__file__).with_name("bare_fit.py"))
    print(f"load average at start: {load_average()}")
    for i in range(args.runs):
        t0 = time.perf_counter()
        res = run_command([sys.executable, "-m", "dlcheck", "bench", "--quick", "--json"], 300)
        wall = time.perf_counter() - t0
        if res.returncode not in (0, 1, 3):
            print(f"run {i + 1} failed: {res.error}")
            return 2
        head = json.loads(res.stdout)["headline"]
        rates.append(head["train_images_per_s"])
        preds.append(head["predicted_episode4_s"])
        walls.append(wall)
        b = run_command([sys.executable, bare_script, "2"], 300)
        if b.returncode != 0:
            print(f"bare run {i + 1} failed: {b.error}")
            return 2
        bare.append(json.loads(b.stdout)["train_images_per_s"])
        print(f"run {i + 1}: {rates[-1]:.1f} img/s, predicted episode 4 {preds[-1]:.1f} s, "
              f"verdict {head['verdict']}, wall {wall:.1f} s; bare model.fit {bare[-1]:.1f} "
              f"img/s; load {load_average()}")  # fmt: skip
    spread = (max(rates) - min(rates)) / statistics.median(rates)
    pspread = (max(preds) - min(preds)) / statistics.median(preds)
    print(f"headline spread (max-min)/median: {spread:.1%} (images/s), {pspread:.1%} "
          f"(predicted seconds); wall max {max(walls):.1f} s, median "
          f"{statistics.median(walls):.1f} s; load average at end: {load_average()}")  # fmt: skip
    bspread = (max(bare) - min(bare)) / statistics.median(bare)
    print(f"baseline (bare model.fit, new process each time) spread: {bspread:.1%}")
    stable, fast = spread <= 0.05, max(walls) <= 30
    print(("PASS" if stable else "FAIL") + ": stability (<= 5%)")
    print(("PASS" if fast else "FAIL") + ": speed (<= 30 s wall, TensorFlow import included)")
    return 0 if stable and fast else 1


if __name__ == "__main__":
    sys.exit(main())
