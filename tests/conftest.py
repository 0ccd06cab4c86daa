"""Shared fixtures. In CI (DLCHECK_CI=1) a test that needs a heavy package fails instead of
skipping, so a missing install step cannot hide behind a skip.

Recorded documents (tests/data/, written once by tests/data/make_documents.py through the real
writer) come in through the fixtures below and the readers in tests/recorded.py.
Markers (registered in pyproject.toml): ``slow`` (over about 2 s: framework imports, bench
runs, subprocess CLIs, Hypothesis-heavy runs, Ansible/Slurm), ``e2e`` (the real CLI as a
subprocess or a real framework). ``python -m pytest -m "not slow"`` is the quick loop."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Callable

import longstrings
import pytest
import recorded

from dlcheck.records import Facts


def need(module: str) -> None:
    """Skip (or, in CI, fail) when ``module`` is not importable."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("DLCHECK_CI"):
            pytest.fail(f"{module} is required in CI but not installed")
        pytest.skip(f"{module} not installed")


@pytest.fixture(scope="session")
def recorded_machine() -> Callable[[str], Facts]:
    """``recorded_machine("no-avx-laptop")``: the facts of a recorded machine, read from its
    saved report (tests/data/reports/) by the real ``--from`` reader; with long CPU and GPU
    names in the long-strings mode (tests/longstrings.py)."""
    return lambda slug: longstrings.maybe(recorded.machine_facts(slug))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of tests/data/fleet/lab/: 12 named machines of every verdict (READY,
    READY WITH WARNINGS, NOT READY in turn), 3 anonymised ones, env results of pc00 and of
    pc03 (no host name: merged by file name), bench results of pc00, pc03 and pc06."""
    folder = recorded.copy_lab(recorded.LAB, tmp_path_factory.mktemp("lab"))
    if longstrings.ON:
        longstrings.lengthen_folder(folder)
    return folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The tally of tests/test_robustness.py: hostile inputs and faults thrown, and how many
    ended as promised (one line and exit 2, a skipped file, safe output...), per class:
    "robustness", "nothing-lost" (issue 19), and issue 27's classes from
    tests/test_nothing_lost_3.py ("round 3: closed standard output", "... outputs checked
    before the work", "... a link as the output", "... children die with dlcheck", "... env
    create leaves nothing", "... fixed sets and course flavours", "... --help kept, machine
    text cut", "... terminal glyphs", "... fleet table", "... cloud notebook")."""
    import sys

    helpers = sys.modules.get("robust_helpers")
    if helpers is None or not helpers.TALLY["thrown"]:
        return
    t = helpers.TALLY
    terminalreporter.write_line(
        f"robustness: {t['thrown']} hostile inputs and faults thrown, "
        f"{t['promised']} ended as promised"
    )
    for kind, k in sorted(getattr(helpers, "KINDS", {}).items()):
        terminalreporter.write_line(
            f"  {kind}: {k['thrown']} thrown, {k['promised']} ended as promised"
        )
