"""Prediction: dlcheck's predicted episode-4 training time against actually running the
lesson's 10-epoch model.fit with validation on data of the same shape, in the same process.

    python benchmarks/honesty_prediction.py [--rounds 2] [--quick]

Pass: the median ratio predicted / actual is within 10% of 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from _common import bare_fit_seconds, load_average, load_keras, reference_cnn

from dlcheck.bench.measure import DEFAULT, QUICK, measure_workload
from dlcheck.bench.predict import BenchSettings, predict_episode
from dlcheck.bench.workloads import find_workload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="predict from the --quick plan")
    args = ap.parse_args()
    keras = load_keras()
    w = find_workload("ep4-cnn")
    plan = QUICK if args.quick else DEFAULT
    ratios = []
    print(f"plan {plan.name}; load average at start: {load_average()}")
    for i in range(args.rounds):
        r = measure_workload(w, keras, plan, None)
        predicted = predict_episode(w, r, BenchSettings()).seconds
        model, data = reference_cnn(keras)  # a new model: tracing again, as in the lesson
        actual = bare_fit_seconds(model, data, w.epochs, validation=True)
        ratios.append(predicted / actual)
        print(f"round {i + 1}: predicted {predicted:.1f} s, actual model.fit(epochs=10, "
              f"validation_data=...) {actual:.1f} s, ratio {ratios[-1]:.3f}")  # fmt: skip
    ratio = statistics.median(ratios)
    ok = abs(ratio - 1) <= 0.10
    print(f"median ratio predicted/actual {ratio:.3f}; load average at end: {load_average()}")
    print("PASS: prediction within 10%" if ok else "FAIL: prediction off by more than 10%")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
