"""The benchmark's thresholds: a predicted training time graded PASS, WARN or FAIL against
the profile's [bench] table, BORDERLINE when its interval straddles a threshold. Pure and
light: `dlcheck bench` and the check kind ``training_time`` (dlcheck/bench/checks.py) share it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlcheck.errors import UserError


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


def fmt_seconds(s: float | None) -> str:
    """'45 s', '3.2 min', '1.5 h'."""
    if s is None:
        return "unknown"
    if abs(s) < 0.005:  # not "-0.00 s" (a residual part can come out a hair below zero)
        s = 0.0
    if s < 1:
        return f"{s:.2f} s"
    if s < 10:
        return f"{s:.1f} s"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"
