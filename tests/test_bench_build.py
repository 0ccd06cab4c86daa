"""`dlcheck bench` as three calls: build_bench (measure: a BenchRun record), judge_bench (the
predictions and the graded headline) and the views; the command only wires them."""

from __future__ import annotations

from typing import Any

import pytest
from test_bench_results import fake_workload_result

import dlcheck.bench.measure as measure
import dlcheck.bench.suite as suite
from dlcheck.bench.results import Context
from dlcheck.bench.suite import BenchOptions, build_bench, choose_workloads, judge_bench, make_plan
from dlcheck.bench.workloads import load_workloads
from dlcheck.errors import UserError


def test_the_options_make_the_plan() -> None:
    plan = make_plan(BenchOptions(quick=True, all_=True, budget=10.0, target=5.0, windows=7,
                                  window_seconds=0.2))  # fmt: skip
    assert (plan.name, plan.per_workload, plan.budget_seconds) == ("quick+all", True, 10.0)
    assert (plan.target, plan.windows, plan.window_seconds) == (0.05, 7, 0.2)
    assert make_plan(BenchOptions()) == measure.DEFAULT


def test_the_workloads_chosen() -> None:
    ws = load_workloads()
    assert [w.id for w in choose_workloads(BenchOptions(), ws, "ep4-cnn")] == ["ep4-cnn"]
    every = choose_workloads(BenchOptions(all_=True), ws, "ep4-cnn")
    assert every[0].headline and len(every) == len(ws)
    named = choose_workloads(BenchOptions(names=("ep2-dense",)), ws, "ep4-cnn")
    assert [w.id for w in named] == ["ep2-dense"]


class Recorder:
    """A display that records what it was told."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.lines, self.stages = stream, [], []

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def say(self, text: str) -> None:
        self.lines.append(text)

    def update(self, task: str, stage: str, done: float, total: float) -> None:
        self.stages.append((task, stage))


def test_build_measures_and_judge_grades(monkeypatch) -> None:
    def fake(w: Any, keras: Any, plan: Any, peak: Any, progress: Any, end: Any) -> Any:
        progress(w.id, "training", 50, 100)
        return fake_workload_result(w.id, 200.0, 600.0)

    monkeypatch.setattr(measure, "setup_backend", lambda backend: object())
    monkeypatch.setattr(suite, "collect_context", lambda keras, plan: Context(plan=plan.name))
    monkeypatch.setattr(suite, "measure_workload", fake)
    displays: list[Recorder] = []

    def display(stream: Any) -> Recorder:
        displays.append(Recorder(stream))
        return displays[-1]

    run = build_bench(BenchOptions(quick=True), display)
    assert list(run.results) == ["ep4-cnn"] and not run.interrupted
    assert run.context.plan == "quick" and run.settings.workload == "ep4-cnn"
    (shown,) = displays
    assert shown.lines == ["Loading Keras on tensorflow..."]
    assert shown.stages == [("ep4-cnn", "training")]
    result = judge_bench(run, references=[])
    assert result.verdict.verdict in ("PASS", "WARN", "FAIL", "BORDERLINE")
    assert result.predictions.episodes[0].workload == "ep4-cnn"
    assert result.headline.predicted_episode4_s == result.verdict.seconds


def test_a_bad_profile_fails_before_keras_is_loaded(monkeypatch, tmp_path) -> None:
    loaded = []
    monkeypatch.setattr(measure, "setup_backend", lambda backend: loaded.append(backend))
    bad = tmp_path / "bad.toml"
    bad.write_text("[bench\n")
    with pytest.raises(UserError):
        build_bench(BenchOptions(profile=str(bad)))
    assert loaded == []
