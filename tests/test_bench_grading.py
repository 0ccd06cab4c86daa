"""One grading of training time with one set of words: `dlcheck bench`'s verdict message and
the check kind ``training_time`` grade through ``grading.grade_training`` and say the same."""

from __future__ import annotations

import math

import pytest

from dlcheck.bench.checks import check_training_time
from dlcheck.bench.facts import SECTION, BenchmarkFacts, EpisodeTime
from dlcheck.bench.grading import ADVICE, BenchSettings, fmt_seconds, grade_training
from dlcheck.bench.predict import decide
from dlcheck.bench.results import EpisodePrediction, Predictions
from dlcheck.places import load_places
from dlcheck.records import Facts

SETTINGS = BenchSettings()
PARAMS = {"workload": "ep4-cnn", "pass_seconds": 60, "warn_seconds": 300}


def _both(seconds: float, low: float, high: float):  # noqa: ANN202
    ep = EpisodePrediction(workload="ep4-cnn", episode=4, epochs=10, seconds=seconds,
                           train_seconds=seconds, validation_seconds=0.0, warmup_seconds=0.0,
                           seconds_per_epoch=seconds / 10, early_stopping=False,
                           verdict="", low=low, high=high)  # fmt: skip
    grade = decide(Predictions(episodes=[ep]), SETTINGS, load_places(), [])
    b = BenchmarkFacts(
        source="x.bench.json", episodes=[EpisodeTime("ep4-cnn", 4, seconds, low, high)]
    )
    outcome = check_training_time(Facts(sections={SECTION: b.to_dict()}), PARAMS)
    return grade, outcome


@pytest.mark.parametrize(
    ("seconds", "low", "high", "grade", "status"),
    [
        (45.0, 40.0, 50.0, "PASS", "met"),
        (120.0, 100.0, 140.0, "WARN", "unmet"),
        (900.0, 800.0, 1000.0, "FAIL", "unmet"),
        (58.0, 50.0, 70.0, "BORDERLINE", "unknown"),
    ],
)
def test_bench_and_check_grade_alike_and_say_the_same(seconds, low, high, grade, status) -> None:  # noqa: ANN001
    g, o = _both(seconds, low, high)
    assert g.verdict == grade and o.status == status
    t = grade_training(seconds, low, high, SETTINGS)
    assert t.about in g.message and t.about in o.observed
    if grade == "PASS":
        assert o.advice is None and "." == g.message[-1] and t.advice is None
        return
    # the same state and the same advice, word for word, in both
    assert t.state in g.message and o.observed.endswith(t.state)
    assert ADVICE[grade] in g.message and o.advice.startswith(ADVICE[grade])
    assert g.between == t.between and (grade == "BORDERLINE") == bool(g.between)
    # the check names the profile's places; bench shows them as pointers instead
    assert ("{places}" in o.advice) == (grade != "BORDERLINE")
    assert "{places}" not in g.message


def test_borderline_names_the_two_grades_and_the_rerun() -> None:
    t = grade_training(58.0, 50.0, 70.0, SETTINGS)
    assert t.state == "too close to call between PASS and WARN"
    assert "quiet machine" in t.advice and t.expected == "<= 60 s (> 5.0 min is too slow)"


def test_a_time_without_an_interval_is_graded_by_itself() -> None:
    t = grade_training(120.0, None, None, SETTINGS)
    assert t.grade == "WARN" and t.about == "about 2.0 min"
    assert grade_training(None, None, None, SETTINGS).grade == "UNKNOWN"


def test_fmt_seconds_is_one_format_with_a_missing_word() -> None:
    assert fmt_seconds(None) == "unknown" and fmt_seconds(None, missing="") == ""
    assert fmt_seconds(math.inf, missing="-") == "-" and fmt_seconds(math.nan) == "unknown"
    assert [fmt_seconds(v) for v in (0.4, 4.8, 45, 150, 5400)] == [
        "0.40 s", "4.8 s", "45 s", "2.5 min", "1.5 h",
    ]  # fmt: skip
