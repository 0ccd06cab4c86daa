"""Harness overhead: the training epoch of the reference CNN as dlcheck measures and models it
(full batches + last batch and epoch end + epoch start, each measured) against a bare,
hand-written model.fit of the same model and data, in the same process, interleaved.

    python benchmarks/honesty_overhead.py [--rounds 4] [--epochs 3] [--budget 30]

Pass (issue 12): the median ratio dlcheck / bare is within 1% of 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys

from _common import bare_fit_seconds, load_average, load_keras, reference_cnn

from dlcheck.bench.measure import DEFAULT, measure_workload
from dlcheck.bench.workloads import find_workload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs of the bare fit")
    ap.add_argument("--budget", type=float, default=30.0, help="dlcheck's budget per round (s)")
    args = ap.parse_args()
    keras = load_keras()
    w = find_workload("ep4-cnn")
    nb = w.train_batches()
    plan = dataclasses.replace(DEFAULT, budget_seconds=args.budget)
    ratios, ours, bare = [], [], []
    print(f"load average at start: {load_average()}")
    for i in range(args.rounds):
        # Alternate the order (AB, BA, ...) so that a change of load favours neither side.
        for side in ("dlcheck", "bare") if i % 2 == 0 else ("bare", "dlcheck"):
            if side == "dlcheck":
                r = measure_workload(w, keras, plan, None)
                c = r.components
                last = c.last_batch.value if c.last_batch else c.step.value
                start = c.epoch_start.value if c.epoch_start else 0.0
                ours.append((nb - 1) * c.step.value + last + start)
                why = r.train.stop_reason
            else:
                model, data = reference_cnn(keras)
                bare_fit_seconds(model, data, 1, validation=False)  # warm-up epoch: tracing
                bare.append(bare_fit_seconds(model, data, args.epochs, validation=False)
                            / args.epochs)  # fmt: skip
        ratios.append(ours[-1] / bare[-1])
        print(f"round {i + 1}: dlcheck epoch {ours[-1]:.3f} s (stopped: {why}), bare "
              f"model.fit epoch {bare[-1]:.3f} s, ratio {ratios[-1]:.3f}, "
              f"load {load_average()}")  # fmt: skip
    ratio = statistics.median(ours) / statistics.median(bare)
    ok = abs(ratio - 1) <= 0.01
    print(f"median dlcheck epoch {statistics.median(ours):.3f} s, median bare epoch "
          f"{statistics.median(bare):.3f} s, ratio {ratio:.3f} (per round "
          f"{', '.join(f'{x:.3f}' for x in ratios)}); load average at end: "
          f"{load_average()}")  # fmt: skip
    print("PASS: harness overhead within 1%" if ok else
          "FAIL: dlcheck and a bare model.fit differ by more than 1%")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
