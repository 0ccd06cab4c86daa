"""Shared fixtures. In CI (DLCHECK_CI=1) a test that needs a heavy package fails instead of
skipping, so a missing install step cannot hide behind a skip."""

from __future__ import annotations

import importlib.util
import os

import pytest


def need(module: str) -> None:
    """Skip (or, in CI, fail) when ``module`` is not importable."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("DLCHECK_CI"):
            pytest.fail(f"{module} is required in CI but not installed")
        pytest.skip(f"{module} not installed")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The tally of tests/test_robustness.py: hostile inputs and faults thrown, and how many
    ended as promised (one line and exit 2, a skipped file, safe output...)."""
    import sys

    helpers = sys.modules.get("robust_helpers")
    if helpers is None or not helpers.TALLY["thrown"]:
        return
    t = helpers.TALLY
    terminalreporter.write_line(
        f"robustness: {t['thrown']} hostile inputs and faults thrown, "
        f"{t['promised']} ended as promised"
    )
