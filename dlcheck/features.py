"""The plug-ins of the spine, registered here and only here (``FEATURES``).

The spine is probe -> facts -> profile -> findings -> view. The core probes (platform,
Python, CPU, memory, disk, GPU, packages) fill the typed fields of ``Facts``; each feature
below adds one named section to the facts (``Facts.sections[name]``; in the report's JSON,
the key ``name`` of the facts object), the check kinds that judge it, and one view piece
(a line for the machine summary). A feature has:

- ``start(options)``: its probe. Called before the core probes run; returns a function that
  is given the core facts once they are in and returns the section's plain data (or None when
  there is nothing to record), or returns None when the feature does not probe this run;
- ``section``: the typed record of its facts (``to_dict``/``from_dict`` through records.py);
- ``checks``: the check kinds a profile's requirements can name;
- ``view``: its view piece, a function of the facts giving one summary line (None: nothing
  to show); the views call it and escape it.

Importing this module starts nothing and registers nothing elsewhere: the list below is
the registration. Heavy modules (the framework process machinery, lock readers, the bench
result reader) are imported by the probes only when they run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from dlcheck.bench.checks import BENCHMARK_CHECKS
from dlcheck.bench.facts import BenchmarkFacts, benchmark_line
from dlcheck.checks import CORE_CHECKS, Check
from dlcheck.envs.checks import ENVIRONMENT_CHECKS
from dlcheck.envs.facts import EnvironmentFacts, environment_line
from dlcheck.frameworks.diagnose import FRAMEWORK_CHECKS
from dlcheck.frameworks.records import FrameworkFacts
from dlcheck.records import Facts, facts_keys

# typing's Callable: collections.abc.Callable[...] needs Python 3.9 outside annotations
Pending = Callable[[Facts], Optional[Dict[str, Any]]]


@dataclass(frozen=True)
class ProbeOptions:
    """What the user asked of this run (``dlcheck check`` options)."""

    frameworks: bool = False
    framework_timeout: float = 60.0
    bench_path: str | None = None  # a saved `dlcheck bench` result
    setup: str | None = None  # `--setup`: compare the environment with this setup's lock


@dataclass(frozen=True)
class Feature:
    name: str  # its key in Facts.sections and in the facts object of the report's JSON
    title: str
    section: type
    checks: Mapping[str, Check]
    start: Callable[[ProbeOptions], Pending | None]
    view: Callable[[Facts], str | None]


def _start_frameworks(options: ProbeOptions) -> Pending | None:
    if not options.frameworks:
        return None
    from dlcheck.frameworks import start_frameworks
    from dlcheck.probes.packages import installed_distributions
    from dlcheck.records import to_dict

    running = start_frameworks(installed_distributions(), timeout=options.framework_timeout)
    return lambda facts: to_dict(running.result())


def _start_environment(options: ProbeOptions) -> Pending:
    def finish(facts: Facts) -> dict | None:
        from dlcheck.envs.detect import environment_section

        return environment_section(installed=facts.packages.versions, setup=options.setup)

    return finish


def _start_benchmark(options: ProbeOptions) -> Pending | None:
    if options.bench_path is None:
        return None
    from dlcheck.bench.facts import benchmark_section

    section = benchmark_section(options.bench_path)  # a bad file fails before probing
    return lambda facts: section


def _frameworks_view(facts: Facts) -> str | None:
    from dlcheck.frameworks.summary import frameworks_line

    return frameworks_line(facts)


def _environment_view(facts: Facts) -> str | None:
    return environment_line(facts.sections.get("environment"))


def _benchmark_view(facts: Facts) -> str | None:
    return benchmark_line(facts.sections.get("benchmark"))


# THE registration list. Probes start in this order: the benchmark first, since it reads a
# user's file, which must fail before any framework process starts.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "benchmark",
        "benchmark",
        BenchmarkFacts,
        BENCHMARK_CHECKS,
        _start_benchmark,
        _benchmark_view,
    ),
    Feature(
        "frameworks",
        "frameworks",
        FrameworkFacts,
        FRAMEWORK_CHECKS,
        _start_frameworks,
        _frameworks_view,
    ),
    Feature(
        "environment",
        "setup",
        EnvironmentFacts,
        ENVIRONMENT_CHECKS,
        _start_environment,
        _environment_view,
    ),
)


def _all_checks() -> dict[str, Check]:
    out = dict(CORE_CHECKS)
    names = [f.name for f in FEATURES]
    for name in names:
        if name in facts_keys():
            raise RuntimeError(f"feature {name!r} is named like a typed field of Facts")
        if names.count(name) > 1:
            raise RuntimeError(f"feature {name!r} registered twice")
    for feature in FEATURES:
        for kind, check in feature.checks.items():
            if kind in out:
                raise RuntimeError(f"check kind {kind!r} registered twice ({feature.name})")
            out[kind] = check
    return out


# Every check kind a requirement can name: the core's and the features'.
CHECKS: dict[str, Check] = _all_checks()
# The keys of the features' sections (Facts.sections, the report's facts object).
SECTION_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


def feature(name: str) -> Feature:
    return next(f for f in FEATURES if f.name == name)


def section(facts: Facts, name: str) -> Any:
    """The typed section ``name`` of ``facts`` (None when absent)."""
    data = facts.sections.get(name)
    return feature(name).section.from_dict(data) if isinstance(data, dict) else None
