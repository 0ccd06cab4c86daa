"""Harness overhead: dlcheck's training throughput of the reference CNN against a bare,
hand-written model.fit of the same model and data, measured in the same process, interleaved.

    python benchmarks/honesty_overhead.py [--rounds 3] [--epochs 3]

Pass: the median ratio dlcheck / bare is within 3% of 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from _common import bare_fit_seconds, load_average, load_keras, reference_cnn

from dlcheck.bench.measure import DEFAULT, measure_workload
from dlcheck.bench.workloads import find_workload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs of the bare fit")
    args = ap.parse_args()
    keras = load_keras()
    w = find_workload("ep4-cnn")
    ratios, ours, bare, pooled = [], [], [], []
    print(f"load average at start: {load_average()}")
    for i in range(args.rounds):
        # Alternate the order (AB, BA, ...) so that a change of load favours neither side.
        for side in ("dlcheck", "bare") if i % 2 == 0 else ("bare", "dlcheck"):
            if side == "dlcheck":
                r = measure_workload(w, keras, DEFAULT, None)
                ours.append(r.train.images_per_s.median)
                cv = r.train.images_per_s.cv
                # all windows pooled (images / seconds), the statistic a single fit timing is
                pooled.append(
                    sum(x.images for x in r.train.windows) / sum(x.seconds for x in r.train.windows)
                )
            else:
                model, data = reference_cnn(keras)
                bare_fit_seconds(model, data, 1, validation=False)  # warm-up epoch: tracing
                seconds = bare_fit_seconds(model, data, args.epochs, validation=False)
                bare.append(args.epochs * w.train / seconds)
        ratios.append(ours[-1] / bare[-1])
        print(f"round {i + 1}: dlcheck {ours[-1]:.1f} img/s (CV of windows {cv:.1%}), "
              f"bare model.fit {bare[-1]:.1f} img/s ({args.epochs} epochs in {seconds:.1f} s), "
              f"ratio {ratios[-1]:.3f} (pooled windows {pooled[-1] / bare[-1]:.3f}), "
              f"load {load_average()}")  # fmt: skip
    ratio = statistics.median(ours) / statistics.median(bare)
    ok = abs(ratio - 1) <= 0.03
    print(f"median dlcheck {statistics.median(ours):.1f} img/s, median bare "
          f"{statistics.median(bare):.1f} img/s, ratio {ratio:.3f} "
          f"(per-round ratios {', '.join(f'{x:.3f}' for x in ratios)}); pooled windows / bare "
          f"{statistics.median(pooled) / statistics.median(bare):.3f}; "
          f"load average at end: {load_average()}")  # fmt: skip
    print("PASS: harness overhead within 3%" if ok else
          "FAIL: dlcheck and a bare model.fit differ by more than 3%")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
