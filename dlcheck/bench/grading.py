"""The benchmark's thresholds: a predicted training time graded PASS, WARN or FAIL against
the profile's [bench] table, BORDERLINE when its interval straddles a threshold. Pure and
light: `dlcheck bench` and the check kind ``training_time`` (dlcheck/bench/checks.py) share it,
its words included (``grade_training``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from dlcheck.errors import UserError
from dlcheck.formats import fmt_seconds


@dataclass(frozen=True)
class BenchSettings:
    """The profile's [bench] table."""

    workload: str = "ep4-cnn"
    pass_seconds: float = 60.0
    warn_seconds: float = 300.0
    places: tuple[str, ...] = ("colab", "kaggle", "studiolab", "hpc")


def bench_settings(settings: dict[str, Any], where: str = "profile") -> BenchSettings:
    """Read a profile's [bench] table (``Profile.settings['bench']``); defaults when absent."""
    table = settings.get("bench", {})
    if not isinstance(table, dict):
        raise UserError(where, "[bench] must be a table")
    try:
        s = BenchSettings(
            workload=str(table.get("workload", "ep4-cnn")),
            pass_seconds=float(table.get("pass_seconds", 60)),
            warn_seconds=float(table.get("warn_seconds", 300)),
            places=tuple(
                str(p) for p in table.get("places", ("colab", "kaggle", "studiolab", "hpc"))
            ),
        )
    except (TypeError, ValueError) as exc:
        raise UserError(where, f"[bench]: {exc}") from None
    if not 0 < s.pass_seconds <= s.warn_seconds:
        raise UserError(where, "[bench]: need 0 < pass_seconds <= warn_seconds")
    return s


BORDERLINE = "BORDERLINE"


def grade(seconds: float | None, settings: BenchSettings) -> str:
    if seconds is None:
        return "UNKNOWN"
    if seconds <= settings.pass_seconds:
        return "PASS"
    return "WARN" if seconds <= settings.warn_seconds else "FAIL"


def grade_interval(
    low: float | None, high: float | None, settings: BenchSettings
) -> tuple[str, list[str]]:
    """PASS, WARN or FAIL when the whole interval lies on one side of each threshold, else
    BORDERLINE and the two grades it straddles (the nearest ones: PASS/WARN or WARN/FAIL)."""
    lo, hi = grade(low, settings), grade(high, settings)
    if lo == hi:
        return lo, []
    return BORDERLINE, [lo, hi]


# The one set of words for a graded training time: `dlcheck bench`'s verdict message and the
# check kind ``training_time`` (dlcheck/bench/checks.py) both say these. The advice has no
# final stop: the check adds the profile's places, bench shows them as pointers below.
STATE = {"WARN": "slow but usable", "FAIL": "too slow"}
ADVICE = {
    BORDERLINE: "Re-run `dlcheck bench` on a quiet machine (other programs closed, on mains "
    "power) for a firm verdict",
    "WARN": "Keep a cloud notebook ready",
    "FAIL": "Run the training episodes elsewhere",
}


@dataclass(frozen=True)
class TrainingTime:
    """A predicted training time graded against the thresholds, with its words."""

    grade: str  # PASS, WARN, FAIL, BORDERLINE or UNKNOWN
    between: list[str]  # BORDERLINE: the two grades the interval straddles
    about: str  # "about 45 s (40 s to 50 s)"
    limits: str  # "at most 60 s is fine, more than 5.0 min is too slow"
    expected: str  # "<= 60 s (> 5.0 min is too slow)"
    state: str  # "too close to call between PASS and WARN", "too slow", ... ("" for PASS)
    advice: str | None  # what to do (None for PASS)


def grade_training(
    seconds: float | None, low: float | None, high: float | None, settings: BenchSettings
) -> TrainingTime:
    """Grade a predicted time and its interval (``low``/``high``; None: the time alone)."""
    lo = low if low is not None else seconds
    hi = high if high is not None else seconds
    verdict, between = grade_interval(lo, hi, settings)
    about = f"about {fmt_seconds(seconds)}"
    if low is not None and high is not None:
        about += f" ({fmt_seconds(lo)} to {fmt_seconds(hi)})"
    if verdict == BORDERLINE:
        state = f"too close to call between {between[0]} and {between[1]}"
    else:
        state = STATE.get(verdict, "")
    return TrainingTime(
        grade=verdict,
        between=between,
        about=about,
        limits=(
            f"at most {fmt_seconds(settings.pass_seconds)} is fine, "
            f"more than {fmt_seconds(settings.warn_seconds)} is too slow"
        ),
        expected=(
            f"<= {fmt_seconds(settings.pass_seconds)} "
            f"(> {fmt_seconds(settings.warn_seconds)} is too slow)"
        ),
        state=state,
        advice=ADVICE.get(verdict),
    )


# The course's verdict is its worst episode's: grades from best to worst (BORDERLINE by the
# grades it straddles).
_RANK = {"PASS": 0, "PASS/WARN": 1, "WARN": 2, "WARN/FAIL": 3, "PASS/FAIL": 3, "FAIL": 4}

T = TypeVar("T")


def worst_episode(episodes: Sequence[T], settings: BenchSettings) -> T | None:
    """The episode that decides the course's verdict: the worst graded (its ``low``/``high``
    interval against the thresholds), the longest of those. Any records with ``seconds``,
    ``low`` and ``high`` (bench's predictions, the check's facts)."""

    def rank(e: Any) -> tuple[int, float]:
        lo = e.low if e.low is not None else e.seconds
        hi = e.high if e.high is not None else e.seconds
        verdict, between = grade_interval(lo, hi, settings)
        key = "/".join(between) if verdict == BORDERLINE else verdict
        return _RANK.get(key, -1), e.seconds

    usable = [e for e in episodes if getattr(e, "seconds", None) is not None]
    return max(usable, key=rank) if usable else None
