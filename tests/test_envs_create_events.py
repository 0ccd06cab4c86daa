"""Issue 21, environments: `env create` builds (a plan, then steps) and tells a view what
happens in event records; the view prints them. One platform record chosen once; the disk a
setup needs is data (setups.toml); `env verify`'s repair route is a field of its result, in
its JSON and in `dlcheck report`; the facts line says what was found, not what to do."""

from __future__ import annotations

import ast
import io
import json
import sys
from pathlib import Path

import pytest
from test_envs_create import _opts, offline  # noqa: F401 - the fixture, used by name

from dlcheck.envs import create as create_mod
from dlcheck.envs.create import (
    MACOS,
    POSIX,
    WINDOWS,
    AlreadyMade,
    Finished,
    PythonChosen,
    PythonFound,
    SelfInstallFailed,
    Starting,
    StepOutput,
    StepsOver,
    StepStarted,
    Stopped,
    create,
)
from dlcheck.envs.render import CreateView
from dlcheck.envs.verify import PackageDiff, Repair, VerifyResult

CREATE_PY = Path(create_mod.__file__)
PREFIX = Path("/home/a/course env")


# ------------------------------------------------------------------ the view prints ---


def _recorded_run() -> list[object]:
    """A run's events as recorded (not this machine's): Python, steps, a warning, the end."""
    python = PythonFound("/usr/bin/python3.12", "3.12.3", "python3.12 on PATH")
    return [
        PythonChosen(python),
        Starting("cpu", PREFIX, Path("/x/envs/cpu/pylock.txt"), "uv"),
        StepStarted("creating the venv with Python 3.12.3"),
        StepOutput("Collecting pip"),
        StepStarted("installing dlcheck itself from PyPI (dlcheck 0.1.0) (--no-deps)"),
        SelfInstallFailed("installing dlcheck itself from PyPI (--no-deps)", "ERROR: no index"),
        StepsOver(),
        Finished(
            "MATCH: 136 locked packages; 0 missing, 0 different, 0 extra",
            "pylock.txt",
            "dlcheck-cpu-abc123",
            "Python (cpu, course env abc123)",
            "source '/home/a/course env/bin/activate'",
        ),
    ]


def test_the_view_prints_a_recorded_run_as_plain_lines() -> None:
    out = io.StringIO()
    view = CreateView(out, live=False)
    for event in _recorded_run():
        view(event)
    assert out.getvalue().splitlines() == [
        "Python: /usr/bin/python3.12 (3.12.3, python3.12 on PATH)",
        "Creating the cpu environment in /home/a/course env from /x/envs/cpu/pylock.txt with uv",
        "... creating the venv with Python 3.12.3",
        "... installing dlcheck itself from PyPI (dlcheck 0.1.0) (--no-deps)",
        "warning: installing dlcheck itself from PyPI (--no-deps) failed (ERROR: no index); the "
        "environment is complete without it: install dlcheck into it later with "
        "`python -m pip install --no-deps dlcheck`",
        "MATCH: 136 locked packages; 0 missing, 0 different, 0 extra (pylock.txt)",
        'Jupyter kernel: "Python (cpu, course env abc123)" (dlcheck-cpu-abc123)',
        "Done. Activate it: source '/home/a/course env/bin/activate'",
    ]


def test_the_view_says_nothing_to_do_and_a_stop_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    view = CreateView(out, live=False)
    view(AlreadyMade("cpu", PREFIX, "pylock.txt", "source x"))
    view(Stopped("interrupted", "removed the unfinished environment /p"))
    assert out.getvalue() == (
        "/home/a/course env is already the finished cpu environment (from pylock.txt); nothing "
        "to do (--force rebuilds it).\nActivate it: source x\n"
    )
    assert (
        capsys.readouterr().err == "dlcheck: interrupted; removed the unfinished environment /p\n"
    )


def test_the_live_view_keeps_one_status_line_and_ends_it() -> None:
    out = io.StringIO()
    view = CreateView(out, live=True)
    view(StepStarted("installing the locked packages (uv)"))
    assert view._status is not None  # the status line runs
    view(StepOutput("Resolved 136 packages"))
    view(StepsOver())
    assert view._status is None
    assert "... installing" not in out.getvalue()  # no plain step lines on a terminal


# ------------------------------------------------------------ the build only tells ---


@pytest.mark.slow
@pytest.mark.e2e
def test_create_gives_its_events_to_any_view_and_prints_nothing(
    offline: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = offline["root"] / "course-env"
    events: list[object] = []
    assert create(_opts(prefix), view=events.append) == 0
    assert capsys.readouterr() == ("", "")  # the build itself prints nothing
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["PythonChosen", "Starting"]
    assert kinds[-2:] == ["StepsOver", "Finished"]
    steps = [e.what for e in events if isinstance(e, StepStarted)]
    assert steps == [
        f"creating the venv with Python {'.'.join(map(str, sys.version_info[:3]))}",
        "installing the locked packages (pip)",
        "installing dlcheck itself from a test wheel (--no-deps)",
        "checking the environment against its lock (dlcheck env verify)",
    ]
    done = events[-1]
    assert isinstance(done, Finished) and done.summary.startswith("MATCH: 1 locked packages")
    assert kinds.count("StepsOver") == 1
    again: list[object] = []
    assert create(_opts(prefix), view=again.append) == 0
    assert [type(e) for e in again] == [AlreadyMade]


def test_a_stopped_create_ends_with_one_stop_event(
    offline: dict[str, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupt(cmd, on_line, timeout, env=None, log=None):  # noqa: ANN001, ANN202
        on_line("Collecting pip")
        raise KeyboardInterrupt

    monkeypatch.setattr(create_mod, "run_step", interrupt)
    prefix = offline["root"] / "stopped"
    events: list[object] = []
    assert create(_opts(prefix), view=events.append) == 130
    assert capsys.readouterr() == ("", "")
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["PythonChosen", "Starting"]
    assert kinds[2:] == ["StepStarted", "StepOutput", "StepsOver", "Stopped"]
    stop = events[-1]
    assert isinstance(stop, Stopped) and stop.why == "interrupted"
    assert stop.cleanup.startswith("removed the unfinished environment") and not prefix.exists()


# ------------------------------------------------------------------ one platform switch ---


def test_one_platform_switch_in_the_creating_code() -> None:
    text = CREATE_PY.read_text(encoding="utf-8")
    assert text.count("os.name") == 1 and text.count("sys.platform") == 1
    assert create_mod.OS in (POSIX, MACOS, WINDOWS)
    env = {"APPDATA": "C:/Users/a/AppData/Roaming", "XDG_DATA_HOME": "/h/.data"}
    home = Path("/h")
    assert WINDOWS.kernels(env, home) == Path("C:/Users/a/AppData/Roaming/jupyter/kernels")
    assert POSIX.kernels(env, home) == Path("/h/.data/jupyter/kernels")
    assert POSIX.kernels({}, home) == Path("/h/.local/share/jupyter/kernels")
    assert MACOS.kernels(env, home) == Path("/h/Library/Jupyter/kernels")
    assert (WINDOWS.venv_python, POSIX.venv_python) == ("Scripts/python.exe", "bin/python")
    assert create_mod.env_python(Path("/p")) == Path("/p") / create_mod.OS.venv_python


def test_no_long_function_in_the_creating_code_without_a_reason() -> None:
    """Issue 21: a function a reader can hold (about 60 lines), or a reason at its top."""
    tree = ast.parse(CREATE_PY.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and (node.end_lineno or 0) - node.lineno + 1 > 60
        and "long because" not in (ast.get_docstring(node) or "")
    ]
    assert long == []


# --------------------------------------------------------------- disk per setup is data ---


def test_disk_per_setup_comes_from_setups_toml(tmp_path: Path) -> None:
    from dlcheck.envs.setups import load_catalog
    from dlcheck.errors import UserError

    catalog = load_catalog()
    assert {n: s.disk_gib for n, s in catalog.setups.items()} == {
        "cpu": 3.0,
        "nvidia": 9.0,
        "keras-torch": 9.0,
    }
    assert create_mod.setup_disk_gib("keras-torch") == 9.0
    assert "9.0" not in CREATE_PY.read_text(encoding="utf-8")  # no copy left in the code
    text = (Path(create_mod.__file__).parent / "setups.toml").read_text(encoding="utf-8")
    bad = tmp_path / "setups.toml"
    bad.write_text(text.replace("disk_gib = 3.0\n", "", 1), encoding="utf-8")
    with pytest.raises(UserError, match="malformed setups file"):
        load_catalog(bad)
    bad.write_text(text.replace("disk_gib = 3.0", 'disk_gib = "lots"', 1), encoding="utf-8")
    with pytest.raises(UserError, match="malformed setups file"):
        load_catalog(bad)


# ------------------------------------------------------ the repair route is a judgement ---


def _result(**kw: object) -> VerifyResult:
    base: dict[str, object] = {
        "lock_path": "/srv/course/envs/cpu/pylock.txt",
        "lock_format": "pip",
        "setup": "cpu",
        "platform": "linux-64",
        "prefix": "/home/a/.venv",
        "python_version": "3.12.3",
        "lock_python": None,
        "checked": 2,
    }
    base.update(kw)
    return VerifyResult(**base)  # type: ignore[arg-type]


def test_the_repair_route_is_a_field_of_the_result_and_in_its_json() -> None:
    assert _result().repair is None and _result().to_json_dict()["repair"] is None
    r = _result(missing=[PackageDiff("numpy", "pip", locked="2.1.3")])
    assert r.repair == Repair(
        "make a fresh environment from the lock, or repair this one in place:",
        [
            "dlcheck env create --setup cpu",
            "python -m pip install --require-hashes -r /srv/course/envs/cpu/pylock.txt",
        ],
    )
    data = json.loads(json.dumps(r.to_json_dict()))
    assert data["repair"] == {"why": r.repair.why, "commands": r.repair.commands}
    extra = _result(extra=[PackageDiff("rich", "pip", installed="13")], setup=None)
    assert extra.repair == Repair("only extra packages: add --allow-extra if you want them.", [])
    unfinished = _result(incomplete="`dlcheck env create` did not finish")
    assert unfinished.repair is not None
    assert unfinished.repair.commands[0] == "dlcheck env create --setup cpu --force"


def test_the_views_print_the_results_route_not_their_own() -> None:
    from dlcheck.envs.render import render_verify_markdown, render_verify_text

    r = _result(
        missing=[PackageDiff("numpy", "pip", locked="2.1.3")],
        repair=Repair("a route the judgement chose:", ["dlcheck env create --setup nvidia"]),
    )
    buf = io.StringIO()
    render_verify_text(r, file=buf, width=100)
    assert "Fix: a route the judgement chose:" in buf.getvalue()
    assert "    dlcheck env create --setup nvidia" in buf.getvalue().splitlines()
    md = render_verify_markdown(r)
    assert "Fix: a route the judgement chose:" in md and "--setup cpu" not in md


def test_report_shows_the_repair_in_the_environment_status(tmp_path: Path) -> None:
    from dlcheck.fleet.parts import env_part

    r = _result(missing=[PackageDiff("numpy", "pip", locked="2.1.3")], hostname="pc01")
    part = env_part(r.to_json_dict(), "pc01.env.json")
    assert part.status == "MISMATCH: 1 missing (cpu)"
    assert part.repair == "dlcheck env create --setup cpu"  # the table shows it apart, unwrapped
    old = r.to_json_dict()
    del old["repair"]  # a result saved before the route was in it
    assert env_part(old, "pc01.env.json").status == "MISMATCH: 1 missing (cpu)"
    assert env_part(_result().to_json_dict(), "ok.json").status == "MATCH (cpu)"


def test_env_verify_json_carries_the_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dlcheck.cli import main
    from dlcheck.envs.setups import current_subdir

    prefix = tmp_path / "env"
    site = prefix / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text("version = 3.12.3\n")
    lock = tmp_path / "pylock.txt"
    lock.write_text(
        f"# dlcheck-lock: setup=cpu platform={current_subdir()} python=3.12\nsix==1.17.0\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", str(lock), "--prefix", str(prefix), "--json"])
    assert exc.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "MISMATCH" and data["counts"]["missing"] == 1
    assert data["repair"]["commands"] == [
        "dlcheck env create --setup cpu",
        "python -m pip install --require-hashes -r pylock.txt",
    ]


# ------------------------------------------------------- facts say what was found ---


def test_the_environment_facts_line_holds_no_advice() -> None:
    from dlcheck.envs.facts import EnvironmentFacts, environment_line

    env = EnvironmentFacts(
        setup="cpu",
        platform="linux-64",
        counts={"checked": 136, "missing": 1, "different": 1, "extra": 0},
        missing=["keras 3.12.0"],
        different=["six 1.16.0 (lock 1.17.0)"],
    )
    line = environment_line(env) or ""
    assert line == (
        "setup cpu (linux-64 lock): DIFFERS from the lock (1 missing, 1 different: "
        "six 1.16.0 (lock 1.17.0); keras 3.12.0)"
    )
    facts_py = Path(create_mod.__file__).parent / "facts.py"
    assert "dlcheck env verify" not in facts_py.read_text(encoding="utf-8")
