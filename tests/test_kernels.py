"""The Jupyter kernels as facts, their check kinds and `--kernel NAME`, on real kernel specs:
venvs made here registered with ipykernel's own `install --prefix`, one whose environment
was deleted, two with one display name, one with KERAS_BACKEND in its env; broken specs (not
JSON, a folder that loops) are facts in a report and one line, exit 2, when named."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlcheck.errors import UserError
from dlcheck.kernels.checks import (
    check_kernel_runs_course,
    check_kernels_sane,
    kernel_choice,
    why_not,
)
from dlcheck.kernels.specs import (
    KernelFacts,
    KernelSpec,
    data_paths,
    find_kernel,
    find_kernels,
    kernels_line,
)
from dlcheck.records import Facts, PackageFacts, PythonFacts
from tests.test_python_option import _cli, course_venv

PARAMS = {"packages": ["tensorflow", "keras"], "min": "3.10", "max": "3.13"}


def _register(py: Path, root: Path, name: str, display: str) -> Path:
    """`python -m ipykernel install --prefix ROOT`: the spec ipykernel itself writes."""
    subprocess.run(
        [str(py), "-m", "ipykernel", "install", "--prefix", str(root), "--name", name]
        + ["--display-name", display],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return root / "share" / "jupyter" / "kernels" / name


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A Jupyter data root with: 'course' (a venv seeing this checkout's packages), 'gone'
    (its venv deleted), 'twin-a'/'twin-b' (one display name), 'torchy' (KERAS_BACKEND)."""
    base = tmp_path_factory.mktemp("kernels")
    root = base / "data"
    course = course_venv(base / "course")
    doomed = course_venv(base / "doomed")
    specs = {
        "course": _register(course, root, "course", "Python (dl-course, cpu)"),
        "gone": _register(doomed, root, "gone", "Python (old workshop)"),
        "twin-a": _register(course, root, "twin-a", "Python 3 (twins)"),
        "twin-b": _register(course, root, "twin-b", "Python 3 (twins)"),
        "torchy": _register(course, root, "torchy", "Python (torch)"),
    }
    spec = specs["torchy"] / "kernel.json"
    data = json.loads(spec.read_text())
    data["env"] = {"KERAS_BACKEND": "torch"}
    spec.write_text(json.dumps(data))
    shutil.rmtree(base / "doomed")
    return {"root": root / "share" / "jupyter", "course_py": course, "home": base, **specs}


def _env(jupyter: dict[str, Path], extra: Path | None = None) -> dict[str, str]:
    paths = [str(jupyter["root"])] + ([str(extra)] if extra else [])
    return {
        "JUPYTER_PATH": os.pathsep.join(paths),
        "JUPYTER_DATA_DIR": str(jupyter["home"] / "user-data"),
        "HOME": str(jupyter["home"]),
    }


def _ours(facts: KernelFacts, jupyter: dict[str, Path]) -> dict[str, KernelSpec]:
    root = str(jupyter["root"])
    return {k.name: k for k in facts.kernels if k.spec_dir.startswith(root)}


def test_data_paths_follow_jupyters_order(tmp_path: Path) -> None:
    env = {"JUPYTER_PATH": f"/a{os.pathsep}/b", "XDG_DATA_HOME": "/x"}
    got = data_paths(env, "Linux", Path("/home/ann"), ["/env"])
    assert [str(p) for p in got] == [
        "/a",
        "/b",
        "/x/jupyter",
        "/env/share/jupyter",
        "/usr/local/share/jupyter",
        "/usr/share/jupyter",
    ]
    mac = data_paths({}, "Darwin", Path("/Users/ann"), [])
    assert mac[0] == Path("/Users/ann/Library/Jupyter")


def test_real_kernel_specs_are_read_as_facts(jupyter: dict[str, Path]) -> None:
    facts = find_kernels(env=_env(jupyter), prefixes=[])
    ours = _ours(facts, jupyter)
    assert set(ours) == {"course", "gone", "twin-a", "twin-b", "torchy"}
    course = ours["course"]
    assert course.display_name == "Python (dl-course, cpu)" and course.exists
    assert course.interpreter == str(jupyter["course_py"])
    assert course.python_version == ".".join(map(str, sys.version_info[:3]))
    assert ours["gone"].exists is False and ours["gone"].python_version is None
    assert ours["torchy"].env == {"KERAS_BACKEND": "torch"}
    assert not course.by_dlcheck
    assert str(jupyter["root"] / "kernels") in facts.searched


def test_packages_are_read_from_site_packages_metadata(
    jupyter: dict[str, Path], tmp_path: Path
) -> None:
    """The course venv sees this checkout's packages through a .pth line, which metadata
    reading does not follow: a kernel has what its own site-packages holds."""
    facts = find_kernels(env=_env(jupyter), prefixes=[])
    course = _ours(facts, jupyter)["course"]
    assert "tensorflow" not in course.packages
    site = next(Path(course.prefix or "").glob("lib/python3*/site-packages"))
    fake = site / "tensorflow-2.21.0.dist-info"
    fake.mkdir()
    (site / "keras-3.12.0.dist-info").mkdir()
    try:
        again = _ours(find_kernels(env=_env(jupyter), prefixes=[]), jupyter)["course"]
        assert again.packages == {"keras": "3.12.0", "tensorflow": "2.21.0"}
        assert why_not(again, PARAMS) is None
        assert why_not(again, {**PARAMS, "backend": "torch"}) is None
    finally:
        shutil.rmtree(fake)
        shutil.rmtree(site / "keras-3.12.0.dist-info")


def _facts(kernels: KernelFacts, versions: dict[str, str] | None = None) -> Facts:
    return Facts(
        python=PythonFacts(executable="/home/ann/dl_workshop/bin/python", prefix="/x"),
        packages=PackageFacts(versions=versions or {}),
        sections={"kernels": kernels.to_dict()},
    )


def test_the_checks_name_the_kernel_and_warn(jupyter: dict[str, Path]) -> None:
    facts = find_kernels(env=_env(jupyter), prefixes=[])
    ours = KernelFacts(kernels=list(_ours(facts, jupyter).values()))
    sane = check_kernels_sane(_facts(ours), {})
    assert sane.status == "unmet"
    assert "'Python (old workshop)' (kernel gone)" in sane.observed
    assert "2 kernels are shown as 'Python 3 (twins)' (twin-a, twin-b)" in sane.observed
    runs = check_kernel_runs_course(_facts(ours), PARAMS)
    assert runs.status == "unmet" and "none of 5 kernels" in runs.observed
    assert "'Python (old workshop)': interpreter gone" in runs.observed
    # the interpreter checked has the course: the one command that registers it
    have = {"tensorflow": "2.21.0", "keras": "3.12.0"}
    runs = check_kernel_runs_course(_facts(ours, have), PARAMS)
    assert "/home/ann/dl_workshop/bin/python has the course's packages" in runs.observed
    choice = kernel_choice(_facts(ours, have), PARAMS)
    assert choice is not None and choice.register_exe == "/home/ann/dl_workshop/bin/python"
    assert choice.needs_ipykernel  # the plan's step installs it first (test below)
    # a kernel that has the packages is named, by display name
    fit = KernelSpec(
        "dl",
        "/k/dl",
        display_name="Python (dl-course, cpu)",
        interpreter="/e/bin/python",
        exists=True,
        python_version="3.12.1",
        packages={"tensorflow-cpu": "2.21.0", "keras": "3.12.0"},
    )
    runs = check_kernel_runs_course(_facts(KernelFacts([*ours.kernels, fit])), PARAMS)
    assert runs.status == "met" and "choose 'Python (dl-course, cpu)'" in runs.observed
    torch_set = KernelSpec(**{**fit.__dict__, "env": {"KERAS_BACKEND": "torch"}})
    assert why_not(torch_set, PARAMS) is None  # the TensorFlow profile names no backend
    assert why_not(torch_set, {**PARAMS, "backend": "jax"}) == "KERAS_BACKEND=torch in its spec"


def test_no_kernels_section_is_not_judged_and_a_bad_one_is_unknown() -> None:
    out = check_kernel_runs_course(Facts(), PARAMS)
    assert out.input_missing and out.status == "unknown"
    assert check_kernels_sane(Facts(), {}).input_missing
    bad = Facts(sections={"kernels": {"kernels": [{"name": 3}]}})
    for out in (check_kernel_runs_course(bad, PARAMS), check_kernels_sane(bad, {})):
        assert out.status == "unknown" and not out.input_missing
        assert "could not be read" in out.observed


def test_the_view_line(jupyter: dict[str, Path]) -> None:
    ours = KernelFacts(
        kernels=list(_ours(find_kernels(env=_env(jupyter), prefixes=[]), jupyter).values())
    )
    line = kernels_line(ours.to_dict())
    assert line is not None and line.startswith("5: ") and "(interpreter gone)" in line


def test_find_kernel_by_name_or_display_name(jupyter: dict[str, Path]) -> None:
    facts = KernelFacts(
        kernels=list(_ours(find_kernels(env=_env(jupyter), prefixes=[]), jupyter).values())
    )
    assert find_kernel("COURSE", facts).name == "course"
    assert find_kernel("Python (dl-course, cpu)", facts).name == "course"
    with pytest.raises(Exception, match="2 kernels have that display name"):
        find_kernel("Python 3 (twins)", facts)
    with pytest.raises(Exception, match="which is gone"):
        find_kernel("gone", facts)
    with pytest.raises(Exception, match="no such Jupyter kernel"):
        find_kernel("nope", facts)


def test_kernel_errors_name_the_fix(
    jupyter: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two kernels of one display name: the folder names that select one. A kernel whose
    interpreter is gone: the command that removes it by name, or its folder without Jupyter."""
    kernels = list(_ours(find_kernels(env=_env(jupyter), prefixes=[]), jupyter).values())
    with pytest.raises(UserError) as exc:
        find_kernel("Python 3 (twins)", KernelFacts(kernels=kernels))
    assert "--kernel twin-a or --kernel twin-b" in str(exc.value)
    assert find_kernel("twin-b", KernelFacts(kernels=kernels)).name == "twin-b"
    with pytest.raises(UserError) as exc:
        find_kernel("gone", KernelFacts(kernels=kernels, jupyters=["/env/with/jupyter"]))
    assert "`jupyter kernelspec remove gone`" in str(exc.value)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(UserError) as exc:
        find_kernel("gone", KernelFacts(kernels=kernels))
    assert "jupyter kernelspec" not in str(exc.value)
    assert f"deleting its folder {jupyter['gone']}" in str(exc.value)


def test_check_kernel_judges_that_kernels_interpreter(
    jupyter: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for k, v in _env(jupyter).items():
        monkeypatch.setenv(k, v)
    code, out, err = _cli(["check", "--no-frameworks", "--json", "--kernel", "torchy"], capsys)
    data = json.loads(out)
    py = data["facts"]["python"]
    assert py["executable"] == str(jupyter["course_py"]) and py["chosen"] == "--kernel torchy"
    kernels = data["facts"]["kernels"]["kernels"]
    assert any(k["name"] == "gone" and k["exists"] is False for k in kernels)
    by_id = {f["id"]: f for f in data["findings"]}
    assert by_id["jupyter-kernels-sane"]["verdict"] == "WARN"


def test_the_kernels_env_reaches_the_interpreter_checked(
    jupyter: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dlcheck.features import kernel_to_check
    from dlcheck.probes.interpreter import probe_interpreter

    for k, v in _env(jupyter).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    exe, env = kernel_to_check("torchy")
    interp = probe_interpreter(exe, "--kernel torchy", env)
    assert interp.answer["env"]["KERAS_BACKEND"] == "torch"  # seen inside the interpreter
    assert interp.startup_env()["KERAS_BACKEND"] == "torch"


@pytest.mark.parametrize("name", ["gone", "Python 3 (twins)", "nope"])
def test_bad_kernel_names_are_one_line_exit_2(
    name: str,
    jupyter: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for k, v in _env(jupyter).items():
        monkeypatch.setenv(k, v)
    code, out, err = _cli(["check", "--no-frameworks", "--kernel", name], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_a_kernel_json_that_is_not_json(
    jupyter: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "extra" / "kernels" / "broken"
    bad.mkdir(parents=True)
    (bad / "kernel.json").write_text('{"argv": ["python", ')
    env = _env(jupyter, tmp_path / "extra")
    facts = find_kernels(env=env, prefixes=[])
    broken = next(k for k in facts.kernels if k.name == "broken")
    assert broken.error and "JSON" in broken.error
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    # named: one line, exit 2
    code, out, err = _cli(["check", "--no-frameworks", "--kernel", "broken"], capsys)
    assert code == 2 and err.count("\n") == 1 and "kernel.json" in err and "Traceback" not in err
    # not named: a report still arrives, the spec a warning
    code, out, err = _cli(["check", "--no-frameworks", "--json"], capsys)
    by_id = {f["id"]: f for f in json.loads(out)["findings"]}
    assert by_id["jupyter-kernels-sane"]["verdict"] == "WARN"
    assert "broken" in by_id["jupyter-kernels-sane"]["observed"]


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_kernel_folder_that_loops(
    jupyter: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "kernels").symlink_to(extra / "kernels")  # a link to itself
    loop = tmp_path / "extra2" / "kernels"
    loop.mkdir(parents=True)
    (loop / "looped").symlink_to(loop / "looped")
    env = _env(jupyter, extra)
    env["JUPYTER_PATH"] += os.pathsep + str(tmp_path / "extra2")
    facts = find_kernels(env=env, prefixes=[])
    errors = [k.error for k in facts.kernels if k.error]
    assert any("loops" in e for e in errors), errors
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code, out, err = _cli(["check", "--no-frameworks", "--kernel", "looped"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    code, out, err = _cli(["check", "--no-frameworks", "--json"], capsys)
    assert code in (0, 1, 3)
    by_id = {f["id"]: f for f in json.loads(out)["findings"]}
    assert "loops" in by_id["jupyter-kernels-sane"]["observed"]


def test_a_venvs_own_kernel_is_not_offered_by_anacondas_jupyter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lesson's `dl_workshop` venv with its kernel in its own share/jupyter (ipykernel
    `--sys-prefix`): offered by the venv's Jupyter only. With a conda base that has a Jupyter
    of its own (Anaconda Navigator's), the finding says the venv has no kernel there and gives
    the one command that registers it for every Jupyter."""
    work = course_venv(tmp_path / "dl_workshop")
    prefix = work.parent.parent
    subprocess.run(
        [str(work), "-m", "ipykernel", "install", "--sys-prefix"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    site = next(prefix.glob("lib/python3*/site-packages"))
    for dist in ("tensorflow-2.21.0", "keras-3.12.0"):
        (site / f"{dist}.dist-info").mkdir()
    (prefix / "bin" / "jupyter").write_text("#!/bin/sh\n")
    env = {"HOME": str(tmp_path), "JUPYTER_DATA_DIR": str(tmp_path / "user")}
    facts = find_kernels(env=env, prefixes=[str(prefix)])
    mine = [k for k in facts.kernels if k.offered_by == str(prefix)]
    assert mine and mine[0].interpreter == str(work) and why_not(mine[0], PARAMS) is None
    checked = Facts(
        python=PythonFacts(executable=str(work), prefix=str(prefix)),
        sections={"kernels": facts.to_dict()},
    )
    alone = check_kernel_runs_course(checked, PARAMS)
    assert alone.status == "met" and f"in the JupyterLab of {prefix}" in alone.observed
    base = tmp_path / "anaconda3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "bin").mkdir()
    (base / "bin" / "jupyter").write_text("#!/bin/sh\n")
    (base / "bin" / "conda").write_text("#!/bin/sh\n")
    env["CONDA_EXE"] = str(base / "bin" / "conda")
    facts = find_kernels(env=env, prefixes=[str(prefix)])
    assert str(base) in facts.jupyters
    two = check_kernel_runs_course(
        Facts(python=checked.python, sections={"kernels": facts.to_dict()}), PARAMS
    )
    assert two.status == "unmet" and f"the Jupyter of {base} does not see it" in two.observed
    choice = kernel_choice(
        Facts(python=checked.python, sections={"kernels": facts.to_dict()}), PARAMS
    )
    assert choice is not None and choice.register_exe == str(work) and choice.local is not None


# ---- the plan's step (by check kind and the kernels' facts, never by advice words) ----------

PROFILE = """
[profile]
name = "kernels-only"
title = "t"
version = "1"

[[requirement]]
id = "jupyter-kernel"
title = "A Jupyter kernel runs the course"
level = "recommended"
check = "kernel_runs_course"
packages = ["tensorflow", "keras"]
min = "3.10"
max = "3.13"
advice = "{advice}"
"""


def _plan(tmp_path: Path, facts: Facts, advice: str = "Register a kernel.") -> list:
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import judge

    path = tmp_path / f"p{abs(hash(advice))}.toml"
    path.write_text(PROFILE.replace("{advice}", advice))
    return judge(facts, load_profile(str(path)), load_places()).plan.steps


def _kernel(name: str, display: str, **kw: object) -> KernelSpec:
    base = dict(interpreter=f"/e/{name}/bin/python", exists=True, python_version="3.12.1")
    return KernelSpec(name, f"/k/{name}", display_name=display, **{**base, **kw})  # type: ignore[arg-type]


def test_the_plan_names_the_kernel_to_choose(tmp_path: Path) -> None:
    course = _kernel(
        "dl", "Python (dl-course, cpu)", packages={"tensorflow": "2.21.0", "keras": "3.12.0"}
    )
    other = _kernel("python3", "Python 3 (ipykernel)")
    facts = _facts(KernelFacts([other, course]))
    steps = _plan(tmp_path, facts)
    assert [s.id for s in steps] == ["choose-kernel"]
    assert steps[0].title == "Choose the kernel 'Python (dl-course, cpu)'"
    assert steps[0].resolves == ["jupyter-kernel"]
    # the profile's advice words change nothing
    assert _plan(tmp_path, facts, "Something else entirely.") == steps
    # one kernel only: nothing to choose
    assert _plan(tmp_path, _facts(KernelFacts([course]))) == []


def test_the_plan_gives_the_one_command_that_registers_this_python(tmp_path: Path) -> None:
    facts = _facts(
        KernelFacts([_kernel("python3", "Python 3 (ipykernel)")]),
        {"tensorflow": "2.21.0", "keras": "3.12.0", "ipykernel": "6.29.0"},
    )
    steps = _plan(tmp_path, facts)
    assert [s.id for s in steps] == ["register-kernel"]
    assert steps[0].action.commands == [
        "/home/ann/dl_workshop/bin/python -m ipykernel install --user --name dl-course "
        "--display-name 'Python (dl-course)'"
    ]
    assert "choose 'Python (dl-course)' in JupyterLab" in steps[0].action.text
    assert _plan(tmp_path, facts, "Reworded advice.") == steps


def test_the_register_step_installs_ipykernel_first_where_it_lacks(tmp_path: Path) -> None:
    facts = _facts(
        KernelFacts([_kernel("python3", "Python 3 (ipykernel)")]),
        {"tensorflow": "2.21.0", "keras": "3.12.0"},
    )
    steps = _plan(tmp_path, facts)
    assert steps[0].action.commands == [
        "/home/ann/dl_workshop/bin/python -m pip install ipykernel",
        "/home/ann/dl_workshop/bin/python -m ipykernel install --user --name dl-course "
        "--display-name 'Python (dl-course)'",
    ]
    # the finding's advice is the step's text (one voice), the observed says what was found
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import judge

    path = tmp_path / "p.toml"
    path.write_text(PROFILE.replace("{advice}", "Words."))
    report = judge(facts, load_profile(str(path)), load_places())
    (f,) = report.findings
    assert f.step == "register-kernel" and "register it for every Jupyter" in (f.advice or "")


def test_no_second_kernel_where_env_create_is_the_install_step(tmp_path: Path) -> None:
    """The install step is `dlcheck env create` (it registers the new environment's kernel):
    the kernel finding says to choose that kernel, never to register another one."""
    import dataclasses

    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import judge, load_report_facts

    recorded = load_report_facts(
        Path(__file__).parent / "data" / "reports" / "fresh-linux-laptop.check.json"
    )
    kernels = KernelFacts([_kernel("python3", "Python 3 (ipykernel)")]).to_dict()
    for have in ({"tensorflow": "2.15.0", "keras": "2.15.0"}, {}):  # outdated, missing
        facts = dataclasses.replace(
            recorded,
            packages=dataclasses.replace(recorded.packages, versions=have),
            sections={**recorded.sections, "kernels": kernels},
        )
        report = judge(facts, load_profile(), load_places())
        steps = report.plan.steps + report.plan.later
        assert steps[0].action.commands == ["dlcheck env create --setup cpu"]
        commands = [c for s in steps for c in s.action.commands]
        assert not any("ipykernel install" in c for c in commands), commands
        # said in the step that makes the environment: one step, not a second one after it
        (kernel,) = [s for s in steps if "jupyter-kernel" in s.resolves]
        assert kernel is steps[0] and len([s for s in steps if "kernel" in s.id]) == 0
        assert "Python (cpu, .venv-cpu" in kernel.action.text and "choose" in kernel.action.text
