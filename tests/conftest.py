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
