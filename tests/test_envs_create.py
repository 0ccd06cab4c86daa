"""`dlcheck env create`: choosing a Python, what an existing prefix means, the marker that
`verify` reads, and whole runs offline (a tiny lock of local wheels, pip with no index)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from wheels import make_wheel

from dlcheck.cli import main
from dlcheck.envs import create as create_mod
from dlcheck.envs.create import (
    MARKER,
    CreateError,
    CreateOptions,
    check_prefix,
    create,
    error_line,
    find_python,
    kernel_name,
)
from dlcheck.envs.installed import incomplete_reason
from dlcheck.envs.setups import current_subdir, load_catalog

CATALOG = load_catalog()
SUBDIR = current_subdir()
HERE = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _info(version: str, exe: str = "/x/python", impl: str = "cpython") -> dict[str, object]:
    import platform

    return {
        "executable": exe,
        "version": version,
        "implementation": impl,
        "system": platform.system(),
        "machine": platform.machine(),
    }


def test_find_python_prefers_running_then_candidates() -> None:
    assert SUBDIR is not None
    if HERE in ("3.10", "3.11", "3.12", "3.13"):
        found = find_python([HERE], HERE, SUBDIR, candidates=lambda v: [], probe=lambda c: None)
        assert found.how == "the running Python" and found.executable == sys.executable
    answers = {"/a/python3.9": _info("3.9.1", "/a/python3.9"), "/b/py": _info("3.10.4", "/b/py")}
    found = (
        find_python(
            ["3.10"],
            "3.10",
            SUBDIR,
            candidates=lambda v: [
                (["/a/python3.9"], "python3.9 on PATH"),
                (["/b/py"], "pyenv 3.10.4"),
            ],
            probe=lambda c: answers.get(c[0]),
        )
        if HERE != "3.10"
        else None
    )
    if found is not None:
        assert found.executable == "/b/py" and found.how == "pyenv 3.10.4"


def test_find_python_none_and_wrong_given() -> None:
    assert SUBDIR is not None
    with pytest.raises(CreateError, match=r"no Python 3\.99 for .* found"):
        find_python(["3.99"], "3.99", SUBDIR, candidates=lambda v: [], probe=lambda c: None)
    with pytest.raises(CreateError, match="--python /p: cannot use it: it is Python 3.9"):
        find_python(["3.12"], "3.12", SUBDIR, given="/p", probe=lambda c: _info("3.9.0"))
    with pytest.raises(CreateError, match="not CPython"):
        find_python(
            ["3.12"], "3.12", SUBDIR, given="/p", probe=lambda c: _info("3.12.0", impl="pypy")
        )
    with pytest.raises(CreateError, match="does not run"):
        find_python(["3.12"], "3.12", SUBDIR, given="/p", probe=lambda c: None)


def test_check_prefix(tmp_path: Path) -> None:
    assert check_prefix(tmp_path / "new", False, "h", "cpu") == "new"
    (tmp_path / "empty").mkdir()
    assert check_prefix(tmp_path / "empty", False, "h", "cpu") == "fill"  # kept, filled
    (tmp_path / "file").write_text("x")
    with pytest.raises(CreateError, match="not a folder"):
        check_prefix(tmp_path / "file", False, "h", "cpu")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.tex").write_text("x")
    for force in (False, True):  # never removed, not even with --force
        with pytest.raises(CreateError, match="is not an environment"):
            check_prefix(docs, force, "h", "cpu")
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyvenv.cfg").write_text("version = 3.12.1\n")
    for force in (False, True):  # another tool's environment: never removed (issue 19)
        with pytest.raises(CreateError, match="not made by `dlcheck env create`; dlcheck never"):
            check_prefix(other, force, "h", "cpu")
    # a marker without dlcheck's proof (a saved result, a copy): never a reason to remove
    (other / MARKER).write_text(json.dumps({"state": "incomplete"}))
    for force in (False, True):
        with pytest.raises(CreateError, match="cannot prove it made this folder"):
            check_prefix(other, force, "h", "cpu")
    (other / MARKER).write_text(
        json.dumps({"state": "complete", "setup": "cpu", "lock_sha256": "h"})
    )
    assert check_prefix(other, False, "h", "cpu") == "done"
    with pytest.raises(CreateError, match="cannot prove it made this folder"):
        check_prefix(other, True, "h", "cpu")
    with pytest.raises(CreateError, match="made from another lock"):
        check_prefix(other, False, "other-hash", "cpu")


def test_marker_and_kernel_name(tmp_path: Path) -> None:
    assert incomplete_reason(tmp_path) is None
    (tmp_path / MARKER).write_text("{not json")
    assert "did not finish" in (incomplete_reason(tmp_path) or "")
    (tmp_path / MARKER).write_text(json.dumps({"state": "complete"}))
    assert incomplete_reason(tmp_path) is None
    assert kernel_name(None, "cpu") == "dlcheck-cpu"
    assert kernel_name("none", "cpu") is None
    assert kernel_name("course-2026", "cpu") == "course-2026"
    with pytest.raises(CreateError, match="a kernel name has only"):
        kernel_name("bad name/..", "cpu")


def test_error_line_takes_pips_error() -> None:
    lines = [
        "Collecting six==1.17.0",
        "ERROR: Could not find a version that satisfies the requirement six==1.17.0",
        "ERROR: No matching distribution found for six==1.17.0\x1b[31m",
    ]
    assert error_line(lines, "?") == "ERROR: No matching distribution found for six==1.17.0"
    assert error_line([], "exit status 1") == "exit status 1"


# ------------------------------------------------------------------ whole runs, offline ---


@pytest.fixture()
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """envs/cpu/pylock.txt pinning one local wheel; pip without config or index; dlcheck
    itself from a local wheel; kernels into a temporary Jupyter folder."""
    if SUBDIR not in CATALOG.setups["cpu"].pip_platforms or HERE not in CATALOG.pythons:
        pytest.skip("needs a platform and Python the cpu lock is made for")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    tiny = make_wheel(wheels, "tinypkg", "1.0")
    me = make_wheel(wheels, "dlcheck", "0.1.0")
    digest = hashlib.sha256(tiny.read_bytes()).hexdigest()
    envs = tmp_path / "envs" / "cpu"
    envs.mkdir(parents=True)
    platforms = ",".join(CATALOG.setups["cpu"].pip_platforms)
    lock = envs / "pylock.txt"
    lock.write_text(
        f"# dlcheck-lock: setup=cpu platforms={platforms} pythons={','.join(CATALOG.pythons)}\n"
        f"tinypkg==1.0 \\\n    --hash=sha256:{digest}\n"
    )
    monkeypatch.setenv("DLCHECK_ENVS_DIR", str(tmp_path / "envs"))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null" if sys.platform != "win32" else "nul")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    monkeypatch.setattr(create_mod, "dlcheck_source", lambda: ([str(me)], "a test wheel"))
    monkeypatch.setattr(create_mod, "setup_disk_gib", lambda name: 0.01)
    return {"lock": lock, "wheels": wheels, "root": tmp_path}


def _opts(prefix: Path, **kw: object) -> CreateOptions:
    base = {"setup": "cpu", "prefix": str(prefix), "python": sys.executable, "kernel": "none"}
    base.update(kw)
    base.setdefault("installer", "pip")
    return CreateOptions(**base)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.e2e
def test_create_verify_rerun_and_force(
    offline: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = offline["root"] / "course-env"
    assert create(_opts(prefix)) == 0
    out = capsys.readouterr().out
    assert "MATCH: 1 locked packages" in out and "Activate it:" in out
    marker = json.loads((prefix / MARKER).read_text())
    assert marker["state"] == "complete" and marker["setup"] == "cpu"
    assert list(prefix.glob("lib*/python*/site-packages/tinypkg")) or (prefix / "Lib").exists()
    # verify, as a learner runs it, agrees
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", str(offline["lock"]), "--prefix", str(prefix), "--json"])
    assert exc.value.code == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "MATCH"
    # a second run changes nothing and says so
    stamp = (prefix / MARKER).stat().st_mtime_ns
    assert create(_opts(prefix)) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert (prefix / MARKER).stat().st_mtime_ns == stamp
    # --force rebuilds
    assert create(_opts(prefix, force=True)) == 0
    assert (prefix / MARKER).stat().st_mtime_ns != stamp
    capsys.readouterr()
    # a folder a killed create left behind (marker still 'incomplete') never verifies
    (prefix / MARKER).write_text(json.dumps({"state": "incomplete"}))
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", str(offline["lock"]), "--prefix", str(prefix), "--json"])
    assert exc.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "INCOMPLETE" and "did not finish" in data["notes"][0]


@pytest.mark.slow
@pytest.mark.e2e
def test_create_failure_removes_the_half_environment(offline: dict[str, Path]) -> None:
    lock = offline["lock"]
    lock.write_text(lock.read_text().replace("sha256:", "sha256:0"))  # a wrong hash
    prefix = offline["root"] / "broken"
    with pytest.raises(CreateError) as exc:
        create(_opts(prefix))
    msg = str(exc.value)
    assert "installing the locked packages (pip) failed: ERROR:" in msg
    assert "removed the unfinished environment" in msg and "\n" not in msg
    assert not prefix.exists()


def test_create_interrupted_leaves_nothing_verify_would_pass(
    offline: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Path] = []

    def interrupt(cmd, progress, timeout, env=None, log=None):  # noqa: ANN001, ANN202
        if "venv" in cmd:  # the first step: Ctrl-C while the venv is being made
            prefix = offline["root"] / "stopped"
            seen.append(prefix)
            # at this moment the folder exists and says it is unfinished
            assert "did not finish" in (incomplete_reason(prefix) or "")
            raise KeyboardInterrupt
        raise AssertionError("no step after the interrupted one")

    monkeypatch.setattr(create_mod, "run_step", interrupt)
    prefix = offline["root"] / "stopped"
    assert create(_opts(prefix)) == 130
    assert seen and not prefix.exists()
    assert "interrupted; removed the unfinished environment" in capsys.readouterr().err


def test_cli_faults_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        main(["env", "create", "--setup", "cpu", "--prefix", str(docs), "--kernel", "none"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "not an environment" in err
    assert (docs / "notes.txt").read_text() == "keep me"
    with pytest.raises(SystemExit) as exc:
        main(["env", "create", "--setup", "nope"])
    assert exc.value.code == 2 and "unknown setup 'nope'" in capsys.readouterr().err


def test_create_refuses_before_touching_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock for this platform, a conda route without its lock, too little disk: one line
    each, and no folder is made."""
    prefix = tmp_path / "env"
    monkeypatch.setattr("dlcheck.envs.setups.current_subdir", lambda: "osx-64")
    with pytest.raises(CreateError, match="PyPI's torch stops at 2.2.2"):
        create(CreateOptions(setup="keras-torch", prefix=str(prefix), kernel="none"))
    monkeypatch.setattr("dlcheck.envs.setups.current_subdir", lambda: "win-arm64")
    with pytest.raises(CreateError, match="no TensorFlow wheels"):
        create(CreateOptions(setup="cpu", prefix=str(prefix), kernel="none"))
    monkeypatch.undo()
    running = "{}.{}".format(*sys.version_info[:2])
    if SUBDIR not in CATALOG.setups["cpu"].pip_platforms or running not in CATALOG.pythons:
        pytest.skip("the rest needs a platform and Python the cpu lock is made for")
    empty = tmp_path / "envs"
    (empty / "cpu").mkdir(parents=True)
    monkeypatch.setenv("DLCHECK_ENVS_DIR", str(empty))
    with pytest.raises(CreateError, match="conda-lock.yml: not generated yet"):
        create(CreateOptions(setup="cpu", prefix=str(prefix), conda=True))
    monkeypatch.delenv("DLCHECK_ENVS_DIR")

    class Usage:
        free = 2**30 // 2

    monkeypatch.setattr(create_mod.shutil, "disk_usage", lambda p: Usage())
    with pytest.raises(CreateError, match=r"0\.5 GiB free; the environment needs about 3 GiB"):
        create(CreateOptions(setup="cpu", prefix=str(prefix), python=sys.executable, kernel="none"))
    assert not prefix.exists()
