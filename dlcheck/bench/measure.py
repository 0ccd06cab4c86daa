"""The timing harness: how the lesson's own ``model.fit`` spends time on this machine.

One fit of the full training set (``steps_per_epoch=k``, ``k`` dividing the epoch's batch count,
``k`` = the whole epoch when it is short enough) records when each epoch and each training batch
starts (``on_train_batch_begin``: batch-end hooks would turn off Keras's asynchronous callback
dispatch, and the lesson's fit keeps it on). From those stamps: full-batch step times (grouped
into windows of at least ``window_seconds``), the epoch's start and end costs, the last (partial)
batch. Warm-up and repeated short fits give the first epoch's tracing; a fit with
``validation_data`` gives the validation pass fit runs at each epoch end. Each phase stops when
the 95% confidence interval of its median reaches the plan's target or its time budget is spent
(``calibrate.py``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dlcheck.bench.breakdown import Components, Cost, anchored
from dlcheck.bench.calibrate import (
    BUDGET,
    LIMIT,
    MIN_WINDOWS,
    TARGET,
    StopRule,
    epoch_stop_reason,
    stop_reason,
)
from dlcheck.bench.memory import RssSampler
from dlcheck.bench.models import build_model, count_params, model_cost
from dlcheck.bench.results import (
    Phase,
    Window,
    WorkloadResult,
    make_phase,
    throttling_of,
)
from dlcheck.bench.stamps import EpochSeries, EpochStamps, WindowBuilder, epoch_walls, split
from dlcheck.bench.stats import median_ci, median_or
from dlcheck.bench.synthetic import make_arrays
from dlcheck.bench.workloads import Workload
from dlcheck.errors import UserError

BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}

Progress = Callable[[str, str, int, int], None]  # workload id, stage, done, total


@dataclass(frozen=True)
class Plan:
    name: str
    windows: int = 6  # at least this many windows per phase (the budget may cut it to 3)
    window_seconds: float = 1.0  # minimum length of a training window
    budget_seconds: float = 120.0  # wall time of the run, framework import included
    target: float = 0.03  # stop when the median's 95% CI is within +-3%
    per_workload: bool = False  # --all: the budget is for each workload, not the whole run


# When the validation pass is measured apart (models too slow for three whole epochs in the
# budget), it gets this share of the time left after warm-up.
VALIDATION_SHARE = 0.3

# A validation image costs about this share of a training image (forward pass only): the
# guess that decides, before measuring, whether three whole epochs with validation fit.
VALIDATION_COST = 0.4

# A fit of whole epochs stops mid-epoch when it has run this many times its budget.
OVERRUN = 1.25

# Whole lesson epochs measured before the precision target may end training (the first one
# is partly one-off cost; the others give the epoch's start and end).
MIN_EPOCHS = 3

# --quick: at most about 15 s of wall time, import included (issue 28: 25 s before; on the
# 2-core VM TensorFlow's import takes about 3 s, the context 0.6 s, episode 4's warm-up 1 s,
# which leaves about 8 s for six or so whole epochs).
QUICK = Plan("quick", windows=6, window_seconds=0.4, budget_seconds=13.0)
DEFAULT = Plan("default", windows=6, window_seconds=1.0, budget_seconds=120.0)


def require_backend(backend: str) -> None:
    """UserError unless Keras and ``backend``'s package are installed (nothing imported)."""
    if backend not in BACKEND_PACKAGES:
        raise UserError(None, f"unknown backend '{backend}' (tensorflow, jax or torch)")
    pkg = BACKEND_PACKAGES[backend]
    if importlib.util.find_spec(pkg) is None:
        raise UserError(
            None,
            f"the {backend} backend needs the '{pkg}' package, which is not installed here "
            "(the course environment has it: `dlcheck env recommend` gives the one command; "
            f"or `python -m pip install {pkg}`)",
        )
    if importlib.util.find_spec("keras") is None:
        raise UserError(
            None,
            "dlcheck bench needs Keras 3 (the course environment has it: `dlcheck env "
            'recommend` gives the one command; or `python -m pip install "keras>=3"`)',
        )


def setup_backend(backend: str) -> Any:
    """Import Keras on ``backend`` (KERAS_BACKEND is set before the import); UserError when the
    backend's package or Keras is missing, or Keras was already imported on another backend."""
    require_backend(backend)
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        current = keras.backend.backend()
        if current != backend:
            raise UserError(None, f"Keras is already loaded on the {current} backend here")
        return keras
    os.environ["KERAS_BACKEND"] = backend
    # TensorFlow's C++ start-up notices are noise for a learner; errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    keras = importlib.import_module("keras")
    major = int(str(keras.__version__).split(".")[0])
    if major < 3:
        raise UserError(None, f"Keras {keras.__version__} found; dlcheck bench needs Keras 3")
    return keras


def _divisor_at_least(n: int, k: int) -> int:
    for d in range(max(1, k), n + 1):
        if n % d == 0:
            return d
    return n


def _recorder_class(keras: Any) -> type:
    """A Keras callback that stamps epoch starts and ends, training batch starts and the start
    of each validation pass; with ``on_step`` it is told of each full-step interval and with
    ``on_epoch`` of each epoch's end, and either may stop the fit."""

    class Recorder(keras.callbacks.Callback):
        def __init__(
            self,
            batches: int,
            partial: bool,
            offset: int = 0,
            on_step: Callable[[float], bool] | None = None,
            on_epoch: Callable[[list[EpochStamps]], bool] | None = None,
        ) -> None:
            super().__init__()
            self.nb, self.partial, self.g = batches, partial, offset
            self.on_step, self.on_epoch = on_step, on_epoch
            self.epochs: list[EpochStamps] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            now = time.perf_counter()
            if self.epochs:
                self.epochs[-1].next_begin = now
            self.epochs.append(EpochStamps(now))

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            now = time.perf_counter()
            b = self.epochs[-1].batches
            if b and self.on_step is not None:
                pos = (self.g - 1) % self.nb
                if not (self.partial and pos == self.nb - 1) and self.on_step(now - b[-1]):
                    self.model.stop_training = True
            b.append(now)
            self.g += 1

        # No batch-end hook: a user callback with one turns off Keras's asynchronous dispatch
        # of batch ends (CallbackList looks at the user's callbacks only, not at the progress
        # bar it adds), and the lesson's fit keeps it on, so the measured fit keeps it on too
        # (on the 2-core VM the difference was within the noise: honesty_overhead.py
        # --batch-end-hook). The training part of an epoch ends where fit starts its
        # validation pass, or at the epoch's end.

        def on_test_begin(self, logs: Any = None) -> None:
            if self.epochs and self.epochs[-1].end is None:
                self.epochs[-1].validated = True
                self.epochs[-1].train_end = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.epochs[-1].end = time.perf_counter()
            if self.on_epoch is not None and self.on_epoch(self.epochs):
                self.model.stop_training = True

    return Recorder


def _fit(model: Any, x: Any, y: Any, bs: int, callbacks: list[Any], **kw: Any) -> None:
    """``model.fit`` with the default progress bar, as the lesson runs it (its per-batch
    updates cost time too), written to nowhere."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        model.fit(x, y, batch_size=bs, verbose=1, callbacks=callbacks, **kw)


def _timed_fit(model: Any, x: Any, y: Any, bs: int, callbacks: list[Any], **kw: Any) -> float:
    t0 = time.perf_counter()
    _fit(model, x, y, bs, callbacks, **kw)
    return time.perf_counter() - t0


def _fit_setup(rec: Any, called: float, returned: float) -> float:
    """model.fit's time outside its epochs: start (data adapter, callbacks) and end."""
    inside = 0.0
    for e in rec.epochs:
        if e.end is not None:
            inside += (e.next_begin or e.end) - e.begin
    return max(0.0, returned - called - inside)


@dataclass(frozen=True)
class _Train:
    phase: Phase
    components: Components
    inference: Phase | None = None  # the validation pass, when measured in the same epochs


def _measure_training(
    workload: Workload, keras: Any, model: Any, data: Any, plan: Plan, deadline: float,
    share: float, tell: Callable[[str, float], None],
) -> _Train:  # fmt: skip
    """Warm-up, calibration, then the adaptive fit of the training set."""
    Recorder = _recorder_class(keras)
    warm = _warm_up(workload, model, data, deadline, Recorder, tell)
    fit = _adaptive_fit(workload, model, data, plan, deadline, share, warm.step, Recorder, tell)
    phase, comps = _training_costs(workload, warm, fit)
    inference = None
    if fit.inline and fit.passes:
        inference, comps = _inline_validation(workload, data, fit.passes, phase, comps)
    walls = epoch_walls(fit.rec.epochs, fit.nb) if fit.whole else []
    if len(walls) >= 2:
        nv = len(data.x_val) if fit.inline else 0
        comps = anchored(comps, Cost.of_mean(walls), fit.nb, nv)  # type: ignore[arg-type]
    return _Train(phase, comps, inference)


@dataclass(frozen=True)
class _Warmup:
    """The warm-up fit and the short calibration fits after it."""

    seconds: float  # the warm-up fit (it traces the full and the partial batch shapes)
    images: int
    tracing: float  # the warm-up beyond the same fit traced: the first epoch's tracing
    fits: list[Any]  # the calibration fits' recorders
    splits: list[Any]  # their stamps split into parts (stamps.split)
    step: float  # the step time they suggest


def _warm_up(
    workload: Workload, model: Any, data: Any, deadline: float, Recorder: Any,
    tell: Callable[[str, float], None],
) -> _Warmup:  # fmt: skip
    """A fresh model's first fit traces the full and the partial batch shapes, as the lesson's
    first epoch does; the same fit again, traced, is the baseline of that cost."""
    bs, n = workload.batch_size, workload.train
    partial = n % bs != 0
    warm_n = min(n, bs + (n % bs or bs))
    xw, yw = data.x_train[:warm_n], data.y_train[:warm_n]
    tell("warm-up", 0.0)
    warm_s = _timed_fit(model, xw, yw, bs, [])
    cal_recs, cal_s = [], []
    for _ in range(3):
        rec = Recorder(2 if warm_n > bs else 1, partial)
        cal_s.append(_timed_fit(model, xw, yw, bs, [rec]))
        cal_recs.append(rec)
        if sum(cal_s) > 0.1 * max(1.0, deadline - time.monotonic()):
            break  # a slow model: one or two are enough
    tracing = max(0.0, warm_s - median_or(cal_s, warm_s))
    cal_batches = 2 if warm_n > bs else 1
    cal = [split(r.epochs, cal_batches, partial and warm_n > bs, cal_batches) for r in cal_recs]
    step_est = median_or([v for c in cal for v in c.full] or [r.epochs[0].end - r.epochs[0].begin
                          for r in cal_recs], 0.1)  # fmt: skip
    return _Warmup(warm_s, warm_n, tracing, cal_recs, cal, max(step_est, 1e-5))


class _Stopper:
    """When the adaptive fit stops: each full-step interval joins a window (``on_step``);
    whole lesson epochs stop at an epoch's end (``on_epoch``), k-batch fits when the windows'
    median is known within the target or the budget is spent."""

    def __init__(
        self, plan: Plan, bs: int, nb: int, budget: float, whole: bool,
        tell: Callable[[str, float], None],
    ) -> None:  # fmt: skip
        self.rule = StopRule(target=plan.target, min_windows=max(plan.windows, MIN_WINDOWS))
        self.builder = WindowBuilder(plan.window_seconds)
        self.bs, self.budget, self.whole, self.tell = bs, budget, whole, tell
        self.series = EpochSeries(nb)
        self.windows: list[Window] = []
        self.values: list[float] = []
        self.reason: list[str] = []
        self.rec: Any = None  # the fit's recorder, set once it exists
        self.t_start = time.monotonic()

    def _stop(self, why: str | None) -> bool:
        if why:
            self.reason.append(why)
        return why is not None

    def on_step(self, interval: float) -> bool:
        done = self.builder.add(interval)
        if done is None:
            return False
        seconds, steps = done
        self.windows.append(Window(seconds, steps * self.bs, steps))
        self.values.append(seconds / steps)
        elapsed = time.monotonic() - self.t_start
        self.tell("training", min(1.0, elapsed / max(self.budget, 1e-6)))
        epochs = self.rec.epochs
        if self.whole:  # whole epochs stop at an epoch's end (on_epoch); mid-epoch only at
            # the window limit or when the epochs are far slower than the warm-up said
            over = elapsed > OVERRUN * self.budget and any(e.end is not None for e in epochs)
            full = len(self.values) >= self.rule.max_windows
            return self._stop(LIMIT if full else (BUDGET if over else None))
        why = stop_reason(self.rule, self.values, elapsed, self.budget, seconds)
        if why == TARGET and sum(1 for e in epochs if e.end is not None) < 2:
            why = None
        return self._stop(why)

    def on_epoch(self, epochs: list[EpochStamps]) -> bool:
        if not self.whole:
            return False
        self.series.add(epochs)
        elapsed = time.monotonic() - self.t_start
        self.tell("training", min(1.0, elapsed / max(self.budget, 1e-6)))
        s = self.series
        return self._stop(epoch_stop_reason(self.rule, self.values, s.walls, s.passes, s.ended,
                                            MIN_EPOCHS, elapsed, self.budget))  # fmt: skip


@dataclass(frozen=True)
class _Fit:
    """The adaptive fit: its recorder's stamps, windows and why it stopped."""

    rec: Any
    nb: int  # full-size batches of a lesson epoch
    k: int  # batches per fit epoch
    whole: bool  # whole lesson epochs
    inline: bool  # with the lesson's validation_data (the validation passes measured here)
    windows: list[Window]
    values: list[float]  # the windows' step times
    reason: list[str]
    setup: float  # model.fit's time outside its epochs
    passes: list[float]  # the validation passes (inline)


def _adaptive_fit(
    workload: Workload, model: Any, data: Any, plan: Plan, deadline: float, share: float,
    step_est: float, Recorder: Any, tell: Callable[[str, float], None],
) -> _Fit:  # fmt: skip
    """Whole lesson epochs, with the lesson's validation_data, when three fit in the whole
    budget (the validation pass is then measured in the same epochs, as the lesson pays it);
    else k batches per fit epoch in the training share of the budget, and the validation pass
    apart."""
    bs, n, nb = workload.batch_size, workload.train, workload.train_batches()
    left = max(0.0, deadline - time.monotonic())
    val_factor = 1.0 + (VALIDATION_COST * len(data.x_val) / n if data.x_val is not None else 0.0)
    whole = 3 * nb * step_est * val_factor <= left
    budget = left if whole else left * share
    k = nb if whole else _divisor_at_least(nb, max(2, int(budget / 4 / step_est)))
    inline = whole and data.x_val is not None
    stopper = _Stopper(plan, bs, nb, budget, whole, tell)
    rec = Recorder(nb, n % bs != 0, 0, stopper.on_step, stopper.on_epoch)
    stopper.rec = rec
    # Whole lesson epochs run with the lesson's validation_data: an epoch's start costs more
    # after a validation pass (about half such epochs pay about a second more on the 2-core
    # VM; without validation almost none do), so it is measured the way the lesson pays it.
    kw: dict[str, Any] = {}
    if inline:
        kw["validation_data"] = (data.x_val, data.y_val)
    called = time.perf_counter()
    _fit(model, data.x_train, data.y_train, bs, [rec], epochs=10**6,
         steps_per_epoch=None if k == nb else k, **kw)  # fmt: skip
    setup = _fit_setup(rec, called, time.perf_counter())
    passes = [e.end - e.train_end for e in rec.epochs
              if e.validated and e.end is not None and e.train_end is not None]  # fmt: skip
    return _Fit(rec, nb, k, whole, inline, stopper.windows, stopper.values, stopper.reason,
                setup, passes)  # fmt: skip


def _training_costs(workload: Workload, warm: _Warmup, fit: _Fit) -> tuple[Phase, Components]:
    """The training phase and the parts of an epoch from the fits' stamps; the short
    calibration fits stand in where the adaptive fit saw too few of a part."""
    bs, partial, rec, cal = (
        workload.batch_size,
        workload.train % workload.batch_size != 0,
        fit.rec,
        warm.splits,
    )
    # The first epoch's start also builds the full data set's first iterator, as the lesson's
    # first epoch does: beyond a later epoch's start it counts with the tracing.
    first_extra = 0.0
    if len(rec.epochs) > 2 and rec.epochs[0].batches:
        head0 = rec.epochs[0].batches[0] - rec.epochs[0].begin
        later = [e.batches[0] - e.begin for e in rec.epochs[1:] if e.batches]
        first_extra = max(0.0, head0 - median_or(later, head0))
        rec.epochs[0].begin = rec.epochs[0].batches[0] - median_or(later, head0)
    main = split(rec.epochs, fit.nb, partial, fit.k)
    windows, values = fit.windows, fit.values
    if not values and main.full:  # fewer steps than one window: each step is one window
        windows = [Window(v, bs, 1) for v in main.full]
        values = list(main.full)
    step = Cost.of(values) or Cost(warm.step, warm.step, warm.step, 0)
    s = step.value
    parts = main.partial or [v for c in cal for v in c.partial]
    last = list(main.last)
    for v in main.full_last:  # a full batch and the end: stands for the last batch and the end
        last.append(v - s + (median_or(parts, s) if partial else s))
    if len(last) < 2:  # the short fits' last batch and end stand in (small data, same shapes)
        last += [v for c in cal for v in c.last]
    starts = list(main.epoch_start)
    if len(starts) < 2:  # the short fits' starts stand in (smaller data: they cost less)
        starts += [v for c in cal for v in c.epoch_start]
    if not starts:  # one-epoch fits: the start is the first batch's stamp minus nothing else
        starts = [r.epochs[0].batches[0] - r.epochs[0].begin for r in warm.fits if r.epochs
                  and r.epochs[0].batches]  # fmt: skip
    phase = make_phase("train", bs, warm.seconds, warm.images, windows, "train")
    ci = list(median_ci(values)) if values else []
    phase = replace(phase, stop_reason=(fit.reason or [BUDGET])[0], step_ci=ci)
    comps = Components(
        step=step,
        last_batch=Cost.of(last),
        epoch_start=Cost.of_mean(starts),
        validation_pass=None,
        fit_setup=round(fit.setup, 6),
        train_tracing=round(warm.tracing + first_extra, 6),
        steps_per_fit_epoch=fit.k,
    )
    return phase, comps


def _inline_validation(
    workload: Workload, data: Any, passes: list[float], phase: Phase, comps: Components
) -> tuple[Phase, Components]:
    """The validation phase and pass cost from the passes fit ran in whole lesson epochs;
    the first pass also traces the test step and builds fit's validation iterator."""
    bs = workload.batch_size
    values_v = passes[1:] or passes
    nv = len(data.x_val)
    extra = max(0.0, passes[0] - median_or(values_v, passes[0])) if len(passes) > 1 else 0.0
    nbv = -(-nv // bs)
    vphase = make_phase("inference", bs, passes[0], nv,
                        [Window(v, nv, nbv) for v in values_v], "validation")  # fmt: skip
    vci = list(median_ci(values_v))
    inference = replace(vphase, stop_reason=phase.stop_reason, step_ci=[c / nbv for c in vci])
    comps = replace(comps, validation_pass=Cost.of(values_v), validation_images=nv,
                    validation_tracing=round(extra, 6))  # fmt: skip
    return inference, comps


def _measure_validation(
    workload: Workload, keras: Any, model: Any, data: Any, plan: Plan, deadline: float,
    tell: Callable[[str, float], None],
) -> tuple[Phase, Cost | None, int, float]:  # fmt: skip
    """The validation pass as the lesson pays for it: fit epochs of one training batch with
    ``validation_data``, timed from the end of the training batch to the end of the epoch
    (the pass, its set-up and its callbacks). A subset of whole batches stands in for the
    validation set when one pass would be long (episode 5 on a CPU). Returns the phase, the
    pass's cost, the images per measured pass and the first validation's extra cost."""
    Recorder = _recorder_class(keras)
    bs = workload.batch_size
    xv, yv = data.x_val, data.y_val
    nv = len(xv)
    nbv = -(-nv // bs)
    tell("validation", 0.0)
    warm_v = min(nv, bs + (nv % bs or bs))
    t0 = time.perf_counter()
    model.evaluate(xv[:warm_v], yv[:warm_v], batch_size=bs, verbose=0)
    vwarm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.evaluate(xv[:warm_v], yv[:warm_v], batch_size=bs, verbose=0)
    vagain = time.perf_counter() - t0
    budget = max(0.0, deadline - time.monotonic())
    vstep = vagain / max(1, -(-warm_v // bs))
    kv = nbv
    if nbv * vstep * 4 > budget:  # fewer than four whole passes fit: a subset of batches
        kv = int(min(nbv, max(2, budget / 4 // max(vstep, 1e-6))))
    if kv < nbv:
        xv, yv = xv[: kv * bs], yv[: kv * bs]
    images = len(xv)
    rule = StopRule(target=plan.target, min_windows=max(plan.windows, MIN_WINDOWS))
    passes: list[float] = []
    reason: list[str] = []
    t_start = time.monotonic()

    def on_epoch(epochs: list[EpochStamps]) -> bool:
        e = epochs[-1]
        if e.end is None or e.train_end is None:
            return False
        passes.append(e.end - e.train_end)
        values = passes[1:]  # the first pass also creates fit's validation iterator
        elapsed = time.monotonic() - t_start
        tell("validation", min(1.0, elapsed / max(budget, 1e-6)))
        why = stop_reason(rule, values, elapsed, budget, passes[-1] + vstep) if values else None
        if why:
            reason.append(why)
        return why is not None

    rec = Recorder(1, False, 0, None, on_epoch)
    _fit(model, data.x_train[:bs], data.y_train[:bs], bs, [rec], epochs=10**6,
         validation_data=(xv, yv))  # fmt: skip
    values = passes[1:] or passes
    extra = max(0.0, passes[0] - median_or(values, passes[0])) if len(passes) > 1 else 0.0
    tracing = max(0.0, vwarm_s - vagain) + extra
    windows = [Window(v, images, kv) for v in values]
    phase = make_phase("inference", bs, vwarm_s, warm_v, windows, "validation")
    ci = list(median_ci(values)) if values else []
    phase = replace(phase, stop_reason=(reason or [BUDGET])[0], step_ci=[c / kv for c in ci])
    return phase, Cost.of(values), images, tracing


def measure_workload(
    workload: Workload,
    keras: Any,
    plan: Plan,
    matmul: float | None,
    progress: Progress | None = None,
    deadline: float | None = None,
) -> WorkloadResult:
    """Time ``workload`` until the plan's target precision or ``deadline`` (time.monotonic();
    default: the plan's budget from now), whichever comes first."""
    tell_raw = progress or (lambda *a: None)
    deadline = deadline if deadline is not None else time.monotonic() + plan.budget_seconds

    def tell(stage: str, fraction: float) -> None:
        tell_raw(workload.id, stage, int(100 * fraction), 100)

    sampler = RssSampler()
    try:
        t0 = time.perf_counter()
        keras.utils.set_random_seed(0)
        model = build_model(workload, keras)
        build_seconds = time.perf_counter() - t0
        params, trainable = count_params(model)
        cost = model_cost(model)
        data = make_arrays(workload)
        validates = data.x_val is not None
        share = 1.0 - VALIDATION_SHARE if validates else 1.0
        tr = _measure_training(workload, keras, model, data, plan, deadline, share, tell)
        train, comps, inference = tr.phase, tr.components, tr.inference
        if validates and inference is None:
            inference, vcost, vimages, vtrace = _measure_validation(
                workload, keras, model, data, plan, deadline, tell
            )
            comps = replace(comps, validation_pass=vcost, validation_images=vimages,
                            validation_tracing=round(vtrace, 6))  # fmt: skip
    finally:
        peak, increase = sampler.stop()
    achieved = cost.train_flops * train.images_per_s.median
    tell("done", 1.0)
    return WorkloadResult(
        workload=workload.id,
        episode=workload.episode,
        title=workload.title,
        params=params,
        trainable_params=trainable,
        build_seconds=build_seconds,
        train=train,
        inference=inference,
        forward_flops_per_image=cost.forward_flops,
        train_flops_per_image=cost.train_flops,
        achieved_train_flops=achieved,
        utilisation=achieved / matmul if matmul else None,
        peak_rss_bytes=peak,
        rss_increase_bytes=increase,
        throttling=throttling_of(train.windows),
        components=comps,
    )
