"""The benchmark's check kind ``training_time``: the predicted wall time of a lesson's
training (a saved `dlcheck bench` result, dlcheck/bench/facts.py) against the thresholds.
PASS is met; WARN and FAIL are unmet (the requirement's level decides how loud); BORDERLINE
(the interval straddles a threshold) is unknown; no benchmark given is not judged."""

from __future__ import annotations

from typing import Any

from dlcheck.bench.facts import benchmark_facts
from dlcheck.bench.grading import BORDERLINE, BenchSettings, fmt_seconds, grade_interval
from dlcheck.checks import Check, Outcome, met, not_given, unknown
from dlcheck.records import Facts


def _settings(p: dict[str, Any]) -> BenchSettings:
    return BenchSettings(
        workload=str(p.get("workload", "ep4-cnn")),
        pass_seconds=float(p.get("pass_seconds", 60)),
        warn_seconds=float(p.get("warn_seconds", 300)),
    )


def check_training_time(facts: Facts, p: dict[str, Any]) -> Outcome:
    s = _settings(p)
    expected = f"<= {fmt_seconds(s.pass_seconds)} (> {fmt_seconds(s.warn_seconds)} is too slow)"
    b = benchmark_facts(facts.sections)
    if b is None:
        return not_given(
            "not measured (`dlcheck bench --save me.bench.json`, then "
            "`dlcheck check --bench me.bench.json`)",
            expected,
        )
    if b.error:
        return unknown(f"unknown ({b.error})", expected)
    e = b.episode(s.workload)
    if e is None:
        return unknown(f"{s.workload} was not measured in {b.source or 'the benchmark'}", expected)
    low = e.low if e.low is not None else e.seconds
    high = e.high if e.high is not None else e.seconds
    grade, between = grade_interval(low, high, s)
    observed = f"about {fmt_seconds(e.seconds)}"
    if e.low is not None and e.high is not None:
        observed += f" ({fmt_seconds(low)} to {fmt_seconds(high)})"
    observed += f" for episode {e.episode} ({b.source or 'benchmark'})"
    if grade == "PASS":
        return met(observed, expected)
    if grade == BORDERLINE:
        return Outcome(
            "unknown",
            f"{observed}: too close to call between {between[0]} and {between[1]}",
            expected,
            "Re-run `dlcheck bench` on a quiet machine (other programs closed, on mains "
            "power) for a firm verdict.",
        )
    if grade == "WARN":
        return Outcome(
            "unmet",
            observed,
            expected,
            "Training is slow here but usable: keep a cloud notebook ready ({places}).",
        )
    return Outcome(
        "unmet",
        observed + ": too slow",
        expected,
        "Run the training episodes elsewhere: {places}.",
    )


def _validate(params: dict[str, Any]) -> str | None:
    if "workload" in params and not isinstance(params["workload"], str):
        return "'workload' has the wrong type"
    for key in ("pass_seconds", "warn_seconds"):
        v = params.get(key, 1)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            return f"'{key}' must be a number of seconds > 0"
    if float(params.get("pass_seconds", 60)) > float(params.get("warn_seconds", 300)):
        return "need pass_seconds <= warn_seconds"
    return None


BENCHMARK_CHECKS: dict[str, Check] = {
    "training_time": Check(check_training_time, _validate),
}
