"""The benchmark section of the facts: the predicted training times a saved `dlcheck bench`
result holds (``dlcheck check --bench FILE``, or ``<stem>.bench.json`` next to the report
given to ``--from``). Facts only: the check kind ``training_time`` (dlcheck/bench/checks.py)
grades them against the profile's thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.records import from_dict, read_section, to_dict

SECTION = "benchmark"


@dataclass(frozen=True)
class EpisodeTime:
    workload: str
    episode: int
    seconds: float  # predicted wall time of the lesson's model.fit call
    low: float | None = None  # its prediction interval
    high: float | None = None
    basis: str = "measured"  # measured here, or "scaled" from a reference (bench/transfer.py)


@dataclass(frozen=True)
class BenchmarkFacts:
    source: str | None = None  # the file name it was read from
    created: str | None = None
    dlcheck_version: str | None = None
    interrupted: bool = False
    episodes: list[EpisodeTime] = field(default_factory=list)
    course_seconds: float | None = None
    error: str | None = None
    # The episode that decided the saved run's verdict (the worst; None in older files); the
    # check grades every episode again with the profile's thresholds (bench/checks.py).
    deciding_episode: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = SECTION) -> BenchmarkFacts:
        return from_dict(cls, data, where)

    def episode(self, workload: str) -> EpisodeTime | None:
        return next((e for e in self.episodes if e.workload == workload), None)


def benchmark_facts(sections: Any) -> BenchmarkFacts | None:
    """The typed section from ``Facts.sections``; None when absent, an ``error`` when unreadable."""
    return read_section(BenchmarkFacts, sections, SECTION)


def benchmark_section(path: str | Path) -> dict[str, Any]:
    """The benchmark's probe: read a saved bench result (UserError when unusable) into the
    plain data of ``Facts.sections["benchmark"]``."""
    from dlcheck.bench.results import load_result

    result = load_result(path)
    episodes = [
        EpisodeTime(e.workload, e.episode, e.seconds, e.low, e.high, e.basis)
        for e in result.predictions.episodes
    ]
    return BenchmarkFacts(
        source=Path(path).name,
        created=result.created,
        dlcheck_version=result.dlcheck_version,
        interrupted=result.interrupted,
        episodes=episodes,
        course_seconds=result.predictions.course_seconds,
        deciding_episode=result.verdict.episode,
    ).to_dict()


def sibling_bench(report_path: str | Path) -> Path | None:
    """``me.bench.json`` next to ``me.json`` (same stem), when it exists."""
    p = Path(report_path)
    candidate = p.with_name(p.stem + ".bench.json")
    return candidate if candidate.is_file() else None


def benchmark_line(section: Any) -> str | None:
    """The benchmark's view piece: one line for the machine summary; None without a section."""
    from dlcheck.formats import fmt_seconds

    b = section if isinstance(section, BenchmarkFacts) else benchmark_facts({SECTION: section})
    if b is None:
        return None
    if b.error:
        return f"benchmark unreadable: {b.error}"
    parts = [
        f"episode {e.episode} ({e.workload}) {fmt_seconds(e.seconds)}"
        + (" scaled" if e.basis != "measured" else "")
        for e in b.episodes
    ]
    return f"{b.source or 'benchmark'}: " + (", ".join(parts) or "nothing measured")
