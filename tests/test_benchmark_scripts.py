"""The scripts under benchmarks/ name only what dlcheck has: every `from dlcheck.X import Y`
(function bodies included) resolves. A refactor that renames a function the honesty or
reference scripts call fails here, not months later when someone measures (make_reference.py
once read `run.result` after run_suite's record changed)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py"))


def dlcheck_imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dlcheck")
        for alias in node.names
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_every_dlcheck_name_a_script_imports_exists(script: Path) -> None:
    missing = []
    for module, name in dlcheck_imports(script):
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"{module}.{name}")
    assert not missing, f"{script.name} imports what dlcheck no longer has: {missing}"


def test_the_check_sees_a_missing_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from dlcheck.bench.suite import no_such_function\n")
    assert dlcheck_imports(bad) == [("dlcheck.bench.suite", "no_such_function")]
    assert not hasattr(importlib.import_module("dlcheck.bench.suite"), "no_such_function")


def test_make_reference_judges_the_run_it_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    """make_reference.measure turns the suite's run into a judged result (no Keras needed:
    the backend, the suite and the judge are stood in for; the call shape is what is tested)."""
    import sys

    sys.path.insert(0, str(SCRIPTS[0].parent))
    try:
        import make_reference
    finally:
        sys.path.pop(0)
    from dlcheck.bench import measure, suite

    class Run:
        interrupted = False

    judged = object()
    monkeypatch.setattr(measure, "setup_backend", lambda backend: "keras")
    monkeypatch.setattr(suite, "run_suite", lambda *a, **k: Run())
    monkeypatch.setattr(suite, "judge_bench", lambda run: judged if isinstance(run, Run) else None)
    assert make_reference.measure("torch") is judged
