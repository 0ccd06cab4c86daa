"""`dlcheck bench` as build, judge, render: ``build_bench(options)`` measures (profile, plan,
deadline, the framework's standard error kept out, the progress display) and returns a
:class:`BenchRun`, the record of what was measured; ``judge_bench(run)`` (pure but for the
packaged references and the clock) predicts each episode and grades the headline into a
``BenchResult``; the views (dlcheck/bench/render.py) only format that."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import IO, Any, Protocol

from dlcheck.bench.context import collect_context
from dlcheck.bench.load import LoadReport, LoadSampler, process_age, read_clock
from dlcheck.bench.measure import DEFAULT, QUICK, Plan, Progress, measure_workload
from dlcheck.bench.predict import (
    BenchSettings,
    bench_settings,
    decide,
    headline_of,
    predict_all,
)
from dlcheck.bench.results import BenchResult, Context, WorkloadResult, reference_results
from dlcheck.bench.workloads import Workload, find_workload, load_workloads
from dlcheck.places import Places
from dlcheck.version import __version__


@dataclass(frozen=True)
class BenchOptions:
    """What `dlcheck bench` was asked to measure (its options, None: the plan's default)."""

    quick: bool = False
    all_: bool = False
    names: tuple[str, ...] = ()
    backend: str | None = None  # None: the course's, else this environment's Keras backend
    profile: str | None = None  # a requirement profile (TOML): its [bench] table
    places: str | None = None  # a where-to-run-instead list
    windows: int | None = None
    window_seconds: float | None = None
    budget: float | None = None  # seconds
    target: float | None = None  # per cent
    course: str | None = None  # a packaged course flavour (--course): its profile


@dataclass(frozen=True)
class BenchRun:
    """What a run measured, and the thresholds and places to judge it by."""

    workloads: list[Workload]
    settings: BenchSettings
    places: Places
    context: Context
    results: dict[str, WorkloadResult]
    load: LoadReport | None
    interrupted: bool
    chosen: list[str] = field(default_factory=list)  # the workloads asked for, in order


def assemble(
    workloads: list[Workload],
    context: Context,
    results: dict[str, WorkloadResult],
    settings: BenchSettings,
    places: Places,
    interrupted: bool = False,
    references: list[BenchResult] | None = None,
    created: str | None = None,
    hostname: str | None = None,
    load: LoadReport | None = None,
    not_measured: list[str] | None = None,
) -> BenchResult:
    """Predictions, verdict and headline from measurements (pure but for the defaults); the
    load seen during the run widens every interval."""
    refs = reference_results() if references is None else references
    predictions = predict_all(workloads, results, settings, load.widen if load else 0.0,
                              refs, context, shared_host(load))  # fmt: skip
    verdict = decide(predictions, settings, places, refs)
    return BenchResult(
        dlcheck_version=__version__,
        created=created or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        hostname=hostname if hostname is not None else socket.gethostname(),
        context=context,
        results=results,
        predictions=predictions,
        verdict=verdict,
        headline=headline_of(results, predictions, verdict, workloads),
        interrupted=interrupted,
        load=load,
        not_measured=list(not_measured or []),
    )


def shared_host(load: LoadReport | None) -> bool:
    """Whether the run saw steal time: a VM whose hypervisor gives CPU time to other guests,
    so that the next fit's speed depends on them (predict.SHARED_HOST)."""
    return bool(load is not None and load.steal_share)


def run_suite(
    keras: Any,
    chosen: list[Workload],
    workloads: list[Workload],
    plan: Plan,
    settings: BenchSettings,
    places: Places,
    progress: Progress | None = None,
    measure: Callable[..., WorkloadResult] | None = None,
    deadline: float | None = None,
    sampler: LoadSampler | None = None,
    started: float | None = None,
    notify: Callable[[str], None] | None = None,
) -> BenchRun:
    """Measure ``chosen`` in order until ``deadline`` (time.monotonic(); default: the plan's
    budget from now; with ``plan.per_workload`` each workload gets the budget). ``sampler``
    (started before the framework import) watches the machine; ``started`` is the monotonic
    time the run began, for the wall time. Ctrl-C stops the run; what finished is kept.
    With several workloads each given the budget (--all), ``notify`` is told the expected
    total before the first and a line as each finishes, and ``progress`` shows one bar for the
    whole run (its total elapsed and left)."""
    measure = measure or measure_workload
    t_run = time.monotonic()
    several = plan.per_workload and len(chosen) > 1
    if several and notify is not None:
        notify(expected_line(chosen, plan))
    results: dict[str, WorkloadResult] = {}
    interrupted = False
    context = Context(plan=plan.name)
    end = deadline if deadline is not None else time.monotonic() + plan.budget_seconds
    try:
        context = collect_context(keras, plan)
        peak = context.matmul.peak if context.matmul else None
        if sampler is None:
            sampler = LoadSampler(context.usable_cores)
        sampler.mark()
        for k, w in enumerate(chosen):
            if plan.per_workload:
                end = time.monotonic() + plan.budget_seconds
            tell = whole_run(progress, k, len(chosen)) if several else progress
            t0 = time.monotonic()
            results[w.id] = measure(w, keras, plan, peak, tell, end)
            if several and notify is not None:
                notify(done_line(w, k, chosen, plan, time.monotonic() - t0,
                                 time.monotonic() - t_run))  # fmt: skip
    except KeyboardInterrupt:
        interrupted = True
    load = sampler.stop(context.usable_cores) if sampler is not None else None
    wall = round(time.monotonic() - started, 2) if started is not None else None
    context = replace(context, cpu_freq_mhz_end=read_clock().current, wall_seconds=wall)
    return BenchRun(workloads, settings, places, context, results, load, interrupted,
                    [w.id for w in chosen])  # fmt: skip


def expected_line(chosen: list[Workload], plan: Plan) -> str:
    """What a run of several workloads will take, said before it starts."""
    from dlcheck.formats import fmt_seconds

    total = len(chosen) * plan.budget_seconds
    names = ", ".join(w.id for w in chosen)
    each = fmt_seconds(plan.budget_seconds)
    return (f"Timing {len(chosen)} workloads ({names}), each until +-{plan.target:.0%} or "
            f"{each}: at most about {fmt_seconds(total)} in all.")  # fmt: skip


def done_line(w: Workload, k: int, chosen: list[Workload], plan: Plan, took: float,
              elapsed: float) -> str:  # fmt: skip
    """One line as a workload of several finishes: its time, the run's, what is left."""
    from dlcheck.formats import fmt_seconds

    left = (len(chosen) - k - 1) * plan.budget_seconds
    more = f", at most about {fmt_seconds(left)} left" if left else ", all done"
    return (f"{w.id} measured ({k + 1}/{len(chosen)}) in {fmt_seconds(took)}; "
            f"{fmt_seconds(elapsed)} so far{more}.")  # fmt: skip


def whole_run(progress: Progress | None, k: int, n: int) -> Progress | None:
    """A workload's progress as part of the whole run: one bar, the run's fraction done."""
    if progress is None:
        return None

    def tell(workload: str, stage: str, done: int, total: int) -> None:
        frac = (k + (done / total if total else 0.0)) / n
        progress("all workloads", f"{workload} ({k + 1}/{n}) {stage}", int(1000 * frac), 1000)

    return tell


def judge_bench(run: BenchRun, references: list[BenchResult] | None = None) -> BenchResult:
    """The predictions, the graded headline and the verdict of a run (``assemble``)."""
    missing = [w for w in run.chosen if w not in run.results]
    return assemble(run.workloads, run.context, run.results, run.settings, run.places,
                    run.interrupted, references=references, load=run.load,
                    not_measured=missing)  # fmt: skip


# The budget counts from the process start, as the framework import is part of the wait; a
# process older than this (a notebook, a test run calling main()) counts from now.
PROCESS_START_MAX_S = 30.0


def choose_workloads(
    options: BenchOptions, workloads: list[Workload], headline: str
) -> list[Workload]:
    """The workloads to measure: --all (the headline first), --workload, or the headline."""
    if options.all_:
        return sorted(workloads, key=lambda w: (not w.headline, w.episode))
    if options.names:
        return [find_workload(n, workloads) for n in options.names]
    return [find_workload(headline, workloads)]


def make_plan(options: BenchOptions) -> Plan:
    """--quick or the default plan, with the options that change it."""
    plan = QUICK if options.quick else DEFAULT
    if options.all_:
        plan = replace(plan, name=f"{plan.name}+all", per_workload=True)
    if options.budget is not None:
        plan = replace(plan, budget_seconds=options.budget)
    if options.target is not None:
        plan = replace(plan, target=options.target / 100.0)
    if options.windows is not None:
        plan = replace(plan, windows=options.windows)
    if options.window_seconds is not None:
        plan = replace(plan, window_seconds=options.window_seconds)
    return plan


class Display(Protocol):
    """A progress display (dlcheck/render/progress.py's ``Bars``): a context manager."""

    def __enter__(self) -> Display: ...
    def __exit__(self, *exc: Any) -> None: ...
    def say(self, text: str) -> None: ...
    def update(self, task: str, stage: str, done: float, total: float) -> None: ...


def build_bench(
    options: BenchOptions,
    display: Callable[[IO[str] | None], Display] | None = None,
    lines: bool = False,
) -> BenchRun:
    """Measure as ``options`` ask: the profile and places read first (a bad file is one line,
    exit 2, before anything is imported), then Keras imported on the backend and the chosen
    workloads timed within the plan's budget. The framework's own log on standard error is
    kept in ``context.stderr_tail``; ``display(stream)`` makes the progress display, given the
    real standard error when it is a terminal (else None). ``lines``: a run of several
    workloads says its expected total first and a line as each finishes (above the progress
    on a terminal, on standard error when it is not one)."""
    from dlcheck.bench import measure
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile

    workloads = load_workloads()
    prof = load_profile(options.profile, options.course)
    settings = bench_settings(prof.settings, prof.source)
    places = load_places(options.places)
    chosen = choose_workloads(options, workloads, settings.workload)
    plan = make_plan(options)
    backend = options.backend or default_backend(
        prof.settings if (options.course or options.profile) else {}
    )
    measure.require_backend(backend)
    age = process_age()
    started = time.monotonic() - (age if age < PROCESS_START_MAX_S else 0.0)
    sampler = LoadSampler(None)  # started before the import: it sees the load before the run
    with CapturedStderr() as captured:
        with (display or _NoDisplay)(captured.terminal) as bars:
            bars.say(f"Loading Keras on {backend}...")
            keras = measure.setup_backend(backend)
            notify = None
            if lines:
                notify = bars.say if captured.terminal is not None else captured.line
            run = run_suite(
                keras, chosen, workloads, plan, settings, places, progress=bars.update,
                deadline=None if plan.per_workload else started + plan.budget_seconds,
                sampler=sampler, started=started, notify=notify,
            )  # fmt: skip
    if captured.tail:
        run = replace(run, context=replace(run.context, stderr_tail=captured.tail))
    return run


def default_backend(settings: dict[str, Any]) -> str:
    """The course's backend ([bench] backend of --course/--profile), else this environment's
    Keras backend (KERAS_BACKEND, keras.json, else the framework installed)."""
    table = settings.get("bench")
    if isinstance(table, dict) and table.get("backend") in ("tensorflow", "jax", "torch"):
        return str(table["backend"])
    import importlib.util

    from dlcheck.frameworks.probe import environment_backend

    have = [n for n in ("tensorflow", "torch", "jax") if importlib.util.find_spec(n) is not None]
    return environment_backend(os.environ, have)[0]


class _NoDisplay:
    def __init__(self, stream: Any) -> None:
        pass

    def __enter__(self) -> _NoDisplay:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def say(self, text: str) -> None:
        pass

    def update(self, task: str, stage: str, done: float, total: float) -> None:
        pass


class CapturedStderr:
    """File descriptor 2 sent to a temporary file while TensorFlow imports and fits, so that
    its C++ log (absl: ``E0000 ... failed call to cuInit ... UNKNOWN ERROR (303)``), which a
    learner reads as a failure, stays out of the output; ``tail`` keeps its last lines
    (shown with ``--verbose``). ``terminal`` is a stream on the real standard error for the
    progress line, or None when standard error is not a terminal."""

    TAIL = 20

    def __init__(self) -> None:
        self.tail: list[str] = []
        self.terminal: Any = None
        self._saved = -1
        self._tmp: Any = None

    def __enter__(self) -> CapturedStderr:
        import sys
        import tempfile

        try:
            sys.stderr.flush()
            tty = os.isatty(2)
            self._tmp = tempfile.TemporaryFile(mode="w+b")
            self._saved = os.dup(2)
            os.dup2(self._tmp.fileno(), 2)
        except (OSError, ValueError):  # no fd 2 (a pythonw host): nothing to keep out
            self._saved = -1
            return self
        if tty:
            self.terminal = os.fdopen(os.dup(self._saved), "w", encoding="utf-8", errors="replace")
        return self

    def line(self, text: str) -> None:
        """``text`` as a line on the real standard error (piped: a log of the run)."""
        fd = self._saved if self._saved >= 0 else 2
        try:
            os.write(fd, (text + "\n").encode("utf-8", "replace"))
        except OSError:
            pass

    def __exit__(self, *exc: Any) -> None:
        import sys

        if self._saved < 0:
            return
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._saved = -1
        if self.terminal is not None:
            self.terminal.close()
        from dlcheck.sanitize import clean

        try:
            self._tmp.seek(0, os.SEEK_END)
            size = self._tmp.tell()
            self._tmp.seek(max(0, size - 64 * 1024))
            text = self._tmp.read().decode("utf-8", "replace")
        finally:
            self._tmp.close()
        lines = [clean(line, 300) for line in text.splitlines() if line.strip()]
        self.tail = lines[-self.TAIL :]
