"""`dlcheck check --python PATH`: the interpreter's facts from a probe run in it, the hardware's
from this machine; bad interpreters are one line, exit 2. Real interpreters: venvs made here,
pyenv's 3.8 and 2.7 where this machine has them (CI's oldest-Python step installs 3.8), a fake
Python 2 (a script that runs the probe's boot line as Python 2 would) where it has none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from dlcheck.errors import UserError
from dlcheck.probes.interpreter import (
    MARKER,
    parse_answer,
    probe_interpreter,
    tool_environment,
)

ROOT = Path(__file__).resolve().parents[1]
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from dlcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def _pyenv(glob: str) -> Path | None:
    found = sorted(PYENV.glob(glob))
    return found[-1] if found else None


def course_venv(where: Path) -> Path:
    """A real venv of this Python whose site-packages sees this checkout and its packages
    (a `.pth` file: no install, seconds not minutes); its interpreter."""
    venv.EnvBuilder(with_pip=False).create(where)
    py = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    Path(site, "course.pth").write_text(
        f"{sysconfig.get_path('purelib')}\n{ROOT}\n", encoding="utf-8"
    )
    return py


@pytest.fixture(scope="module")
def env_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return course_venv(tmp_path_factory.mktemp("pyopt") / "env")


def fake_python2(where: Path) -> Path:
    """A script that runs what it is given as a Python 2.7 would report itself: the running
    interpreter with sys.version and sys.version_info of 2.7.18."""
    script = where / "python2"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "sys.version_info = (2, 7, 18, 'final', 0)\n"
        "sys.version = '2.7.18 (default, fake)'\n"
        "code = sys.argv[2]\n"
        "sys.argv = ['-c'] + sys.argv[3:]\n"
        "exec(code)\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


# ---- pure ---------------------------------------------------------------------------------


def test_parse_answer_reads_the_record_and_refuses_the_rest() -> None:
    data = {"version": "3.12.1", "prefix": "/x"}
    assert parse_answer("p", f"noise\n{MARKER} {json.dumps(data)}\n", "", 0) == data
    with pytest.raises(UserError, match="is Python 2.7.18; dlcheck checks Python 3.8"):
        parse_answer("p", f"{MARKER} old 2.7.18\n", "", 3)
    with pytest.raises(UserError, match="not a working Python interpreter: it exited with status"):
        parse_answer("p", "", "Traceback\nSyntaxError: bad\n", 1)
    with pytest.raises(UserError, match="printed no answer"):
        parse_answer("p", "-c something\n", "", 0)
    with pytest.raises(UserError, match="not a working"):
        parse_answer("p", f"{MARKER} [1, 2]\n", "", 0)


@pytest.mark.parametrize(
    ("prefix", "tool"),
    [
        ("/home/ann/.local/share/pipx/venvs/dlcheck", "pipx"),
        ("/home/ann/.local/pipx/venvs/dlcheck", "pipx"),
        ("/home/ann/.local/share/uv/tools/dlcheck", "uv tool"),
        ("/home/ann/.cache/uv/archive-v0/Xy12ab", "uvx"),
        ("/home/ann/.cache/uv/environments-v2/dlcheck-1a2b", "uvx"),
        ("C:\\Users\\ann\\AppData\\Roaming\\uv\\tools\\dlcheck", "uv tool"),
        ("/home/ann/dl_workshop", None),
        ("/home/ann/uv/project/.venv", None),
    ],
)
def test_tool_environment_from_the_path(prefix: str, tool: str | None) -> None:
    if "\\" in prefix and os.name != "nt":
        prefix = prefix.replace("\\", "/")
    assert tool_environment(prefix) == tool


# ---- real interpreters --------------------------------------------------------------------


def test_a_venv_is_probed_in_itself(env_python: Path) -> None:
    interp = probe_interpreter(str(env_python), "--python")
    assert interp.answer["prefix"] == str(env_python.parent.parent)
    assert interp.answer["base_prefix"] != interp.answer["prefix"]
    from dlcheck.probes.interpreter import package_versions

    versions = package_versions(interp)
    assert "click" in versions  # through the .pth file: what `import` would see


def test_a_folder_names_its_interpreter(env_python: Path) -> None:
    interp = probe_interpreter(str(env_python.parent.parent), "--python")
    assert interp.path == str(env_python)


def test_check_python_gives_that_interpreters_facts_and_this_machines_hardware(
    env_python: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(["check", "--no-frameworks", "--json", "--python", str(env_python)], capsys)
    data = json.loads(out)
    py = data["facts"]["python"]
    assert py["executable"] == str(env_python) and py["chosen"] == "--python"
    assert py["prefix"] == str(env_python.parent.parent) and py["env_kind"] == "venv"
    code2, out2, _ = _cli(["check", "--no-frameworks", "--json"], capsys)
    here = json.loads(out2)
    assert here["facts"]["python"]["chosen"] is None
    assert data["facts"]["cpu"]["model"] == here["facts"]["cpu"]["model"]
    assert data["facts"]["memory"]["total_bytes"] == here["facts"]["memory"]["total_bytes"]


@pytest.mark.skipif(_pyenv("3.8.*/bin/python3.8") is None, reason="no Python 3.8 (pyenv)")
def test_python_38_is_checked_and_judged_too_old(capsys: pytest.CaptureFixture[str]) -> None:
    py38 = _pyenv("3.8.*/bin/python3.8")
    code, out, _ = _cli(["check", "--no-frameworks", "--json", "--python", str(py38)], capsys)
    data = json.loads(out)
    assert data["facts"]["python"]["version"].startswith("3.8.")
    by_id = {f["id"]: f for f in data["findings"]}
    assert by_id["python-version"]["verdict"] == "FAIL" and code == 1


@pytest.mark.parametrize("kind", ["real", "fake"])
def test_python_2_is_one_line_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    py2 = _pyenv("2.7*/bin/python2.7") if kind == "real" else fake_python2(tmp_path)
    if py2 is None:
        pytest.skip("no Python 2.7 here (the fake one stands in)")
    code, out, err = _cli(["check", "--no-frameworks", "--python", str(py2)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is Python 2.7.18" in err and "Traceback" not in err


@pytest.mark.parametrize("what", ["missing", "text", "folder", "not-python", "crashes"])
def test_not_an_interpreter_is_one_line_exit_2(
    what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / what
    if what == "text":
        target.write_text("hello\n")
    elif what == "folder":
        target.mkdir()
    elif what == "not-python":
        target = Path("/bin/echo") if Path("/bin/echo").exists() else Path(sys.executable)
        if target == Path(sys.executable):
            pytest.skip("no /bin/echo")
    elif what == "crashes":
        target.write_text("#!/bin/sh\necho 'boom' >&2\nexit 7\n")
        target.chmod(0o755)
    code, out, err = _cli(["check", "--no-frameworks", "--python", str(target)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "Traceback" not in err and "not a Python interpreter" in err or "not a working" in err


def test_python_with_from_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(["check", "--from", "x.json", "--python", sys.executable], capsys)
    assert code == 2 and "not with --from" in err


def test_the_api_takes_python(env_python: Path) -> None:
    import dlcheck

    report = dlcheck.check(python=str(env_python), frameworks=False)
    assert report.facts.python.chosen == "--python"
    assert report.facts.python.executable == str(env_python)


def test_the_text_view_says_which_interpreter_was_checked(
    env_python: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = _cli(["check", "--no-frameworks", "--python", str(env_python)], capsys)
    assert "chosen by --python" in out


# ---- the comparison CI runs against the environment `env create` made ----------------------


def _run_json(argv: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode in (0, 1, 3) and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def _same_judgement(inside: dict, outside: dict, backend_source: bool = True) -> None:
    """Same verdict, same findings (verdict and what was observed). ``backend_source`` False:
    the keras-backend finding's observed text may name another source of the same backend (a
    kernel's spec sets KERAS_BACKEND itself, where the environment's default sets it inside)."""
    import re

    def seen(f: dict) -> tuple[str, str]:  # measured times and free space vary run to run
        text = re.sub(r"import [0-9.]+ s", "import ? s", f["observed"])
        return f["verdict"], re.sub(r"[0-9.]+ GiB (free|available)", r"? GiB \1", text)

    assert outside["verdict"] == inside["verdict"]
    a = {f["id"]: seen(f) for f in inside["findings"]}
    b = {f["id"]: seen(f) for f in outside["findings"]}
    if not backend_source and "keras-backend" in a:
        assert a.pop("keras-backend")[1].split(" (")[0] == b.pop("keras-backend")[1].split(" (")[0]
    assert a == b


@pytest.mark.slow
def test_check_python_judges_as_dlcheck_inside_that_environment(env_python: Path) -> None:
    """`dlcheck check --python ENV/bin/python` (and `--kernel K`) from this install gives the
    verdict and the findings `dlcheck check` gives inside ENV. ENV: $DLCHECK_COMPARE_ENV (CI:
    the environment `dlcheck env create` made, with its own dlcheck, and its kernel
    $DLCHECK_COMPARE_KERNEL; $DLCHECK_COMPARE_ARGS: `--course torch`), else a venv made here."""
    given = os.environ.get("DLCHECK_COMPARE_ENV")
    py = Path(given) / "bin" / "python" if given else env_python
    flags = os.environ.get("DLCHECK_COMPARE_ARGS", "").split()
    flags += [] if given else ["--no-frameworks"]  # CI: the framework probes too
    inside = _run_json([str(py), "-m", "dlcheck", "check", "--json", *flags])
    outside = _run_json(
        [sys.executable, "-m", "dlcheck", "check", "--json", *flags, "--python", str(py)]
    )
    assert outside["facts"]["python"]["chosen"] == "--python"
    assert outside["facts"]["python"]["executable"] == inside["facts"]["python"]["executable"]
    _same_judgement(inside, outside)
    kernel = os.environ.get("DLCHECK_COMPARE_KERNEL")
    if kernel:
        by_kernel = _run_json(
            [sys.executable, "-m", "dlcheck", "check", "--json", *flags, "--kernel", kernel]
        )
        assert by_kernel["facts"]["python"]["chosen"] == f"--kernel {kernel}"
        _same_judgement(inside, by_kernel, backend_source=False)


# ---- bench --python and env verify --python ------------------------------------------------


def test_bench_args_round_trip() -> None:
    from dlcheck.bench.elsewhere import bench_args

    args = bench_args(
        {"quick": True, "names": ("ep4-cnn",), "backend": "torch", "fmt": "json", "budget": 30.0}
    )
    assert args == [
        "--quick",
        "--workload",
        "ep4-cnn",
        "--backend",
        "torch",
        "--budget",
        "30.0",
        "--format",
        "json",
    ]


def test_bench_python_runs_in_that_interpreter(env_python: Path) -> None:
    """`bench --python` runs `PATH -m dlcheck bench` there: its own output and status."""
    proc = subprocess.run(
        [sys.executable, "-m", "dlcheck", "bench", "--python", str(env_python), "--list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "ep4-cnn" in proc.stdout


def test_bench_python_without_dlcheck_there_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    code, out, err = _cli(["bench", "--python", str(bare / "bin" / "python"), "--quick"], capsys)
    assert code == 2 and err.count("\n") == 1 and "has no dlcheck" in err


def test_env_verify_python_verifies_that_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    code, out, err = _cli(
        ["env", "verify", "--setup", "cpu", "--json", "--python", str(bare / "bin" / "python")],
        capsys,
    )
    data = json.loads(out)
    assert code == 1 and data["counts"]["missing"] == data["counts"]["checked"] > 0
    assert data["prefix"] == str(bare) or str(bare) in json.dumps(data)


# ---- dlcheck as a tool ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipx_dlcheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dlcheck in a venv laid out as pipx lays out its tools (~/.local/pipx/venvs/dlcheck)."""
    return course_venv(tmp_path_factory.mktemp("tool") / "pipx" / "venvs" / "dlcheck")


def _tool_check(tool_py: Path, env: dict[str, str]) -> dict:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "JUPYTER_PATH", "JUPYTER_DATA_DIR")
    }
    proc = subprocess.run(
        [str(tool_py), "-m", "dlcheck", "check", "--no-frameworks", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**base, **env},
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    return json.loads(proc.stdout)["facts"]["python"]


def test_as_a_tool_it_checks_the_active_environment(
    pipx_dlcheck: Path, env_python: Path, tmp_path: Path
) -> None:
    py = _tool_check(pipx_dlcheck, {"VIRTUAL_ENV": str(env_python.parent.parent)})
    assert py["dlcheck_tool"] == "pipx" and py["chosen"] == "VIRTUAL_ENV"
    assert py["executable"] == str(env_python)


def test_as_a_tool_without_an_environment_it_checks_a_kernel(
    pipx_dlcheck: Path, env_python: Path, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    subprocess.run(
        [str(sys.executable), "-m", "ipykernel", "install", "--prefix", str(root)]
        + ["--name", "dl", "--display-name", "Python (dl-course)"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    spec = root / "share/jupyter/kernels/dl/kernel.json"
    doc = json.loads(spec.read_text())
    doc["argv"][0] = str(env_python)
    spec.write_text(json.dumps(doc))
    env = {"JUPYTER_PATH": str(root / "share/jupyter"), "JUPYTER_DATA_DIR": str(tmp_path / "u")}
    py = _tool_check(pipx_dlcheck, env)
    assert py["dlcheck_tool"] == "pipx"
    assert py["chosen"].startswith("the Jupyter kernel '")
    # with no kernel and no environment: its own, said
    alone = _tool_check(pipx_dlcheck, {"JUPYTER_DATA_DIR": str(tmp_path / "none")})
    assert alone["dlcheck_tool"] == "pipx"


def test_a_hostile_answer_never_raises_past_the_records(tmp_path: Path) -> None:
    """An interpreter whose probe answer has the wrong shapes (a stand-in printing it) still
    gives records, never a traceback."""
    from dlcheck.probes.interpreter import Interpreter, package_versions, python_facts

    odd = {
        "version": "3.12.1",
        "prefix": ["x"],
        "conda_meta": True,
        "env": ["KERAS_BACKEND"],
        "metadata": [["/x", "not a list"], "junk", [1, [2, "numpy-2.0.dist-info"]]],
        "bits": "64",
    }
    interp = Interpreter("/p", "--python", odd)
    facts = python_facts(interp, [], None)
    assert facts.version == "3.12.1" and facts.bits is None and facts.env_kind == "conda"
    assert package_versions(interp) == {"numpy": "2.0"}
    assert "KERAS_BACKEND" not in interp.startup_env() or os.environ.get("KERAS_BACKEND")


def test_the_plan_of_dlcheck_run_with_pipx_checks_the_courses_python() -> None:
    """Recorded (tests/data/reports/pipx-tool.check.json, by the real writer): dlcheck from
    its pipx environment with nothing else to check. The first step sends the learner to the
    course's Python; no step installs the course into pipx's private environment."""
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import judge
    from tests.recorded import machine_facts

    facts = machine_facts("pipx-tool")
    assert facts.python.dlcheck_tool == "pipx" and facts.python.chosen is None
    steps = judge(facts, load_profile(), load_places()).plan.steps
    assert steps[0].id == "tool-environment" and steps[0].kind == "blocker"
    assert steps[0].action.commands == ["dlcheck check --python PATH"]
    assert "tensorflow" in " ".join(steps[0].resolves) or "keras" in steps[0].resolves
    assert not any("pip install" in " ".join(s.action.commands) for s in steps)
    # checked through --python (chosen), the same facts get the usual plan
    import dataclasses

    chosen = dataclasses.replace(facts.python, chosen="--python")
    usual = judge(dataclasses.replace(facts, python=chosen), load_profile(), load_places())
    assert usual.plan.steps[0].id != "tool-environment"


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--no-frameworks", "--python", ""],
        ["check", "--no-frameworks", "--kernel", ""],
        ["check", "--no-frameworks", "--kernel", "  "],
        ["env", "verify", "--python", ""],
        ["env", "create", "--python", ""],
        ["env", "create", "--kernel", ""],
        ["bench", "--python", ""],
    ],
)
def test_an_empty_interpreter_is_one_line_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Empty is not "the running one": refused, never silently ignored."""
    code, out, err = _cli(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "empty" in err and "Traceback" not in err


def test_a_program_given_the_probe_never_shows_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A program that echoes or complains about its arguments (`ls -c BOOT CHILD`): the one
    line of any non-interpreter, none of the probe's source."""
    fake = tmp_path / "lister"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do echo "lister: cannot access \'$a\'" >&2; done\nexit 2\n'
    )
    fake.chmod(0o755)
    code, out, err = _cli(["check", "--no-frameworks", "--python", str(fake)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.rstrip().endswith("is not a Python interpreter (it exited with status 2)"), err
    assert "import" not in err and "sys." not in err


def test_the_interpreter_probe_honours_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--timeout, given, bounds the probe of --python too (a hanging interpreter)."""
    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nexec sleep 60\n")
    hang.chmod(0o755)
    code, out, err = _cli(
        ["check", "--no-frameworks", "--python", str(hang), "--timeout", "0.5"], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "gave no answer within 0.5 s" in err, err


def test_a_venv_with_a_dangling_python_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A venv whose base Python was removed: its bin/python is a link to nothing; say that."""
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    gone = tmp_path / "python3.99"
    (env / "bin" / "python").symlink_to(gone)
    for given in (env, env / "bin" / "python"):
        code, out, err = _cli(["check", "--no-frameworks", "--python", str(given)], capsys)
        assert code == 2 and err.count("\n") == 1, err
        assert "dangling link" in err and str(gone) in err, err
