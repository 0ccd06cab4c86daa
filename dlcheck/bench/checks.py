"""The benchmark's check kind ``training_time``: the predicted wall time of the course's
training (a saved `dlcheck bench` result, dlcheck/bench/facts.py) against the thresholds: the
worst episode decides and is named in the finding's observed (episode, workload, whether it
was timed or scaled, its time and interval).
PASS is met; WARN and FAIL are unmet (the requirement's level decides how loud); BORDERLINE
(the interval straddles a threshold) is unknown; no benchmark given is not judged."""

from __future__ import annotations

from typing import Any

from dlcheck.bench.facts import benchmark_facts
from dlcheck.bench.grading import BORDERLINE, BenchSettings, grade_training, worst_episode
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
    b = benchmark_facts(facts.sections)
    # the course's training: its worst episode decides (every episode the saved run
    # predicted); a section of an older dlcheck (no deciding episode) keeps its verdict,
    # the headline workload's
    e = None
    if b is not None and not b.error:
        e = (
            worst_episode(b.episodes, s)
            if b.deciding_episode is not None
            else b.episode(s.workload)
        )
    t = grade_training(e.seconds if e else None, e.low if e else None, e.high if e else None, s)
    if b is None:
        return not_given(
            "not measured (`dlcheck bench --save me.bench.json`, then "
            "`dlcheck check --bench me.bench.json`)",
            t.expected,
        )
    if b.error:
        return unknown(f"unknown ({b.error})", t.expected)
    if e is None:
        where = b.source or "the benchmark"
        return unknown(f"{s.workload} was not measured in {where}", t.expected)
    how = ", not timed: scaled" if e.basis != "measured" else ""
    observed = f"{t.about} for episode {e.episode} ({e.workload}{how}; {b.source or 'benchmark'})"
    if t.grade == "PASS":
        return met(observed, t.expected)
    if t.advice is None:  # no time in the section: nothing to grade
        return unknown(observed, t.expected)
    # the words of bench's own verdict (grading.grade_training), with the profile's places
    places = "" if t.grade == BORDERLINE else " ({places})"
    status = "unknown" if t.grade == BORDERLINE else "unmet"
    return Outcome(status, f"{observed}: {t.state}", t.expected, f"{t.advice}{places}.")


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
