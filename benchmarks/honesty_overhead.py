"""Harness overhead: does dlcheck's instrumentation slow the fit it measures? The same model
and data, in one process, alternately: a bare ``model.fit`` as the lesson writes it (default
progress bar), and the same fit with dlcheck's recording callback doing all it does while it
measures (stamping every batch and epoch, grouping windows, evaluating its stopping rule at
every window and epoch end, never stopping). The order alternates every round (AB, BA, ...).

    python benchmarks/honesty_overhead.py [--workload ep4-cnn] [--rounds 8] [--epochs 2]
        [--validation]

Prints each round's two wall times and their ratio, then the ratio of the medians, the
median of the per-round ratios, and the time spent inside the callback's own hooks (its direct
cost, which the machine's noise does not blur). Pass (issue 12): the median ratio dlcheck /
bare within 1% of 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from typing import Any

from _common import load_average, load_keras

from dlcheck.bench.calibrate import StopRule, epoch_stop_reason, stop_reason
from dlcheck.bench.measure import _recorder_class
from dlcheck.bench.models import build_model
from dlcheck.bench.stamps import EpochSeries, WindowBuilder
from dlcheck.bench.synthetic import make_arrays
from dlcheck.bench.workloads import find_workload


def _timed(f: Any, inside: list[float]) -> Any:
    def timed(self: object, *a: object, **k: object) -> None:
        t0 = time.perf_counter()
        f(self, *a, **k)
        inside[0] += time.perf_counter() - t0

    return timed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workload", default="ep4-cnn")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=2, help="epochs per timed fit")
    ap.add_argument("--validation", action="store_true", help="fit with validation_data")
    ap.add_argument("--batch-end-hook", action="store_true",
                    help="the recorder with the batch-end hook it had before")  # fmt: skip
    args = ap.parse_args()
    keras = load_keras()
    w = find_workload(args.workload)
    keras.utils.set_random_seed(0)
    model, data = build_model(w, keras), make_arrays(w)
    bs, nb = w.batch_size, w.train_batches()
    partial = w.train % bs != 0
    Base = _recorder_class(keras)
    inside = [0.0]  # seconds spent in the callback's own hooks, all fits with it

    class Recorder(Base):  # type: ignore[misc, valid-type]
        """dlcheck's recorder, timing its own hooks (the instrumentation's direct cost)."""

    # Only the hooks the recorder defines: wrapping one of Keras's default (empty) hooks would
    # make it look user-defined, and a batch-end one turns off Keras's asynchronous dispatch.
    for hook in ("on_epoch_begin", "on_train_batch_begin", "on_test_begin", "on_epoch_end"):
        setattr(Recorder, hook, _timed(getattr(Base, hook), inside))
    if args.batch_end_hook:  # the previous recorder's hook, for comparison

        def on_train_batch_end(self: object, batch: int, logs: object = None) -> None:
            self.epochs[-1].train_end = time.perf_counter()  # type: ignore[attr-defined]

        Recorder.on_train_batch_end = on_train_batch_end
    val = (data.x_val, data.y_val) if args.validation and data.x_val is not None else None
    rule = StopRule()

    def harness() -> object:
        builder = WindowBuilder(0.4)
        values: list[float] = []

        def on_step(interval: float) -> bool:
            done = builder.add(interval)
            if done is not None:
                values.append(done[0] / done[1])
                stop_reason(rule, values, 0.0, float("inf"), done[0])
            return False

        series = EpochSeries(nb)

        def on_epoch(epochs: list) -> bool:
            series.add(epochs)
            epoch_stop_reason(rule, values, series.walls, series.passes, series.ended, 10**9,
                              0.0, float("inf"))  # fmt: skip
            return False

        return Recorder(nb, partial, 0, on_step, on_epoch)

    def fit(callbacks: list) -> float:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            t0 = time.perf_counter()
            model.fit(data.x_train, data.y_train, batch_size=bs, epochs=args.epochs,
                      validation_data=val, callbacks=callbacks)  # fmt: skip
            return time.perf_counter() - t0

    fit([])  # warm-up: tracing, first iterators
    fit([harness()])
    inside[0] = 0.0
    ours: list[float] = []
    bare: list[float] = []
    ratios: list[float] = []
    print(f"{args.workload}: {args.epochs} epochs per fit, validation {'on' if val else 'off'}, "
          f"batch-end hook {'on' if args.batch_end_hook else 'off'}; "
          f"load average at start: {load_average()}")  # fmt: skip
    for i in range(args.rounds):
        for side in ("dlcheck", "bare") if i % 2 == 0 else ("bare", "dlcheck"):
            if side == "dlcheck":
                ours.append(fit([harness()]))
            else:
                bare.append(fit([]))
        ratios.append(ours[-1] / bare[-1])
        print(f"round {i + 1}: with dlcheck's callback {ours[-1]:.3f} s, bare {bare[-1]:.3f} s, "
              f"ratio {ratios[-1]:.3f}")  # fmt: skip
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"time inside dlcheck's callback hooks: {inside[0]:.4f} s of {sum(ours):.2f} s of fits "
          f"with it ({inside[0] / sum(ours):.3%})")  # fmt: skip
    per_round = statistics.median(ratios)
    ok = abs(ratio - 1) <= 0.01
    print(f"median with dlcheck {statistics.median(ours):.3f} s, median bare "
          f"{statistics.median(bare):.3f} s: ratio of medians {ratio:.4f}, median of per-round "
          f"ratios {per_round:.4f}; load average at end: {load_average()}")  # fmt: skip
    print("PASS: harness overhead within 1%" if ok else
          "FAIL: the instrumented fit and a bare model.fit differ by more than 1%")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
