"""Records of a fleet report: what one file contributes, a machine's row, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from dlcheck.verdict import NOT_READY, NOT_VERIFIED, READY, READY_WITH_WARNINGS

UNKNOWN_VERDICT = "UNKNOWN"
# Worst wins when a machine's check, environment and benchmark results are merged.
# NOT VERIFIED (a check whose required finding is unknown) ranks with UNKNOWN: never ready.
VERDICT_RANK = {
    READY: 0,
    READY_WITH_WARNINGS: 1,
    UNKNOWN_VERDICT: 2,
    NOT_VERIFIED: 2,
    NOT_READY: 3,
}
READY_VERDICTS = (READY, READY_WITH_WARNINGS)


@dataclass(frozen=True)
class CheckPart:
    """The row-sized essence of one ``dlcheck check --json`` report."""

    path: str
    host: str | None
    anonymized: bool
    created: str
    os: str
    cpu: str
    cores: float | None
    ram_bytes: int | None
    gpu: str
    verdict: str
    failing: tuple[str, ...]  # ids of the requirements with verdict FAIL
    warnings: int
    titles: tuple[tuple[str, str], ...] = ()  # (id, title) of the failing requirements
    schema_version: int = 1
    hardware: str = ""  # architecture, CPU, cores, memory, GPUs: tells apart machines of one name
    first_step: str = ""  # the title of the first step of its plan (dlcheck/plan.py)
    course: str = ""  # the course flavour (or profile) its verdict is against
    saved_verdict: str = ""  # the verdict the report was saved with, where today's differs
    environment: str = ""  # the Python environment the check ran in (its folder)
    env_status: str = ""  # what the check found of its locked setup ("cpu: matches its lock")


@dataclass(frozen=True)
class EnvPart:
    """The essence of one ``dlcheck env verify --json`` result."""

    path: str
    host: str | None
    created: str
    status: str  # short text for the table, e.g. "ok (course-cpu)" or "2 mismatches"
    verdict: str  # READY, READY WITH WARNINGS, NOT READY or UNKNOWN
    problems: tuple[str, ...] = ()
    prefix: str = ""  # the environment it verified (its folder)
    repair: str = ""  # the first command of its repair route


@dataclass(frozen=True)
class BenchPart:
    """The essence of one ``dlcheck bench --json`` result: its headline."""

    path: str
    host: str | None
    created: str
    workload: str
    images_per_s: float | None
    ep4_seconds: float | None
    verdict: str  # the benchmark's own verdict text, as written
    overall: str  # that verdict mapped onto READY / READY WITH WARNINGS / NOT READY / UNKNOWN
    # A published reference (its ``machine`` note, e.g. dlcheck/bench/references/): what the
    # lab is compared with, never a machine of the lab. The note's description, or "".
    reference: str = ""
    # The episode that decides the verdict (a result of every episode: the worst one), when
    # the file says it: the verdict is the course's, not the headline workload's.
    deciding: int | None = None


Part = CheckPart | EnvPart | BenchPart


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class MachineRow:
    """One machine of the fleet, merged from all its files."""

    machine: str  # the host name, or an anonymised id
    anonymized: bool
    os: str
    cpu: str
    cores: float | None
    ram_bytes: int | None
    gpu: str
    env: str
    bench: str  # the headline: workload and training images/s
    bench_verdict: str
    ep4_seconds: float | None
    check_verdict: str
    verdict: str  # overall: the worst of check, environment and benchmark
    failing: tuple[str, ...]
    sources: tuple[str, ...]
    shared_name: int = 1  # how many different machines report this host name
    first_step: str = ""  # the first step of the machine's plan
    course: str = ""  # the course flavour (or profile) its check verdict is against
    checked: str = ""  # when its check report was made (UTC, as written)
    saved_verdict: str = ""  # the check report's saved verdict, where today's judgement differs
    repair: str = ""  # the environment's repair command (never wrapped: shown apart)

    @property
    def ready(self) -> bool:
        return self.verdict in READY_VERDICTS


@dataclass(frozen=True)
class FleetSummary:
    """The summary under a fleet table (a check report's summary: render.summary.CheckSummary)."""

    machines: int
    ready: int
    by_verdict: dict[str, int]
    common_failures: list[tuple[str, str, int]]  # (id, title, machines failing it)
    fastest: list[tuple[str, float]]  # (machine, predicted episode-4 seconds)
    slowest: list[tuple[str, float]]
    files_read: int
    skipped: int
    more_failures: int = 0  # failing requirements not in common_failures
    more_failures_most: int = 0  # the most machines any of those fails on
    common_first_steps: list[tuple[str, int]] = field(default_factory=list)  # (step, machines)
    courses: list[tuple[str, int]] = field(default_factory=list)  # (course, machines judged so)


@dataclass(frozen=True)
class Fleet:
    rows: list[MachineRow]
    summary: FleetSummary
    skipped: list[Skipped] = field(default_factory=list)
    profile: str | None = None  # the profile every check report was re-evaluated against
    references: list[BenchPart] = field(default_factory=list)  # "compared with", not machines

    @property
    def exit_code(self) -> int:
        """0 when every machine is ready (warnings allowed), 1 otherwise or when none was read."""
        if not self.rows:
            return 1
        return 0 if all(r.ready for r in self.rows) else 1
