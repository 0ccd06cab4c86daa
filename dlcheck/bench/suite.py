"""Run a set of workloads and turn the measurements into a BenchResult with a verdict."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from dlcheck.bench.context import collect_context
from dlcheck.bench.load import LoadReport, LoadSampler, read_clock
from dlcheck.bench.measure import Plan, Progress, measure_workload
from dlcheck.bench.predict import (
    BenchSettings,
    decide,
    headline_of,
    predict_all,
)
from dlcheck.bench.results import BenchResult, Context, WorkloadResult, reference_results
from dlcheck.bench.workloads import Workload
from dlcheck.places import Places
from dlcheck.version import __version__


@dataclass(frozen=True)
class Run:
    result: BenchResult
    interrupted: bool


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
) -> BenchResult:
    """Predictions, verdict and headline from measurements (pure but for the defaults); the
    load seen during the run widens every interval."""
    refs = reference_results() if references is None else references
    predictions = predict_all(workloads, results, settings, load.widen if load else 0.0)
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
    )


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
) -> Run:
    """Measure ``chosen`` in order until ``deadline`` (time.monotonic(); default: the plan's
    budget from now; with ``plan.per_workload`` each workload gets the budget). ``sampler``
    (started before the framework import) watches the machine; ``started`` is the monotonic
    time the run began, for the wall time. Ctrl-C stops the run; what finished is kept."""
    measure = measure or measure_workload
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
        for w in chosen:
            if plan.per_workload:
                end = time.monotonic() + plan.budget_seconds
            results[w.id] = measure(w, keras, plan, peak, progress, end)
    except KeyboardInterrupt:
        interrupted = True
    load = sampler.stop(context.usable_cores) if sampler is not None else None
    wall = round(time.monotonic() - started, 2) if started is not None else None
    context = replace(context, cpu_freq_mhz_end=read_clock().current, wall_seconds=wall)
    result = assemble(workloads, context, results, settings, places, interrupted, load=load)
    return Run(result, interrupted)
