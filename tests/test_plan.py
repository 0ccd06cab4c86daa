"""The plan (issue 18): the next steps as data, built once, right for the machine's OS,
distribution and context. The rules of item 7 hold over every recorded machine (the advice
table's machines, tests/advice_table.py); the new classes each get the step they need."""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from advice_table import all_reports, torch_reports  # noqa: E402
from recorded import machine_facts  # noqa: E402

from dlcheck.frameworks.names import BREAKING_PLUGINS, TF_DISTRIBUTIONS  # noqa: E402
from dlcheck.places import load_places  # noqa: E402
from dlcheck.plan import KINDS, Plan, quote_path, step_advice  # noqa: E402
from dlcheck.profile import load_profile  # noqa: E402
from dlcheck.records import Facts, PlatformFacts  # noqa: E402
from dlcheck.report import Report, judge  # noqa: E402
from dlcheck.verdict import Finding  # noqa: E402

REPORTS = all_reports()
IDS = [name for name, _, _ in REPORTS]
_CODE = re.compile(r"`([^`\n]+)`")

# A command word and the machines it belongs to (keys of data/commands.toml, machine_keys).
OWNERS = {
    "apt ": {"ubuntu", "debian"},
    "add-apt-repository": {"ubuntu"},
    "ubuntu-drivers": {"ubuntu"},
    "dnf ": {"fedora", "rhel"},
    "pacman ": {"arch"},
    "zypper ": {"suse"},
    "apk ": {"alpine"},
    "brew ": {"macos"},
    "winget ": {"windows"},
    "wsl --install": {"windows"},
    "module load": {"hpc"},
    "srun ": {"hpc"},
    "conda install": {"conda"},
}
NO_SUDO = {"hub", "notebook", "hpc", "windows"}


def _keys(report: Report) -> set[str]:
    from dlcheck.support import machine_keys

    keys = set(machine_keys(report.facts))
    family = {"ubuntu": "debian", "linuxmint": "debian"}
    keys |= {family[k] for k in keys if k in family}
    return keys


def _commands_here(step) -> list[str]:
    """Every command a step tells to run on this machine: its commands and the code spans of
    its text (a route's ``then`` commands run where it leads)."""
    return list(step.action.commands) + _CODE.findall(step.action.text)


@pytest.mark.parametrize(("name", "cls", "report"), REPORTS, ids=IDS)
def test_commands_are_for_this_machine_only(name: str, cls: str, report: Report) -> None:
    keys = _keys(report)
    for step in report.plan.steps:
        for cmd in _commands_here(step):
            for word, owners in OWNERS.items():
                if word in cmd + " ":
                    assert keys & owners, f"{name}: `{cmd}` in step {step.id} ({sorted(keys)})"
            if cmd.startswith("sudo "):
                assert not keys & NO_SUDO, f"{name}: `{cmd}` where nobody has sudo"


ALL_REPORTS = REPORTS + torch_reports()
ALL_IDS = [name for name, _, _ in ALL_REPORTS]


@pytest.mark.parametrize(("name", "cls", "report"), ALL_REPORTS, ids=ALL_IDS)
def test_one_voice_every_finding_says_its_step(name: str, cls: str, report: Report) -> None:
    """Issue 26: a finding's advice (the JSON's, the CSV's) is the text of the plan step that
    answers it, linked by the step's id; never another OS's command, never "see that step"."""
    steps = {s.id: s for s in (*report.plan.steps, *report.plan.later)}
    keys = _keys(report)
    for f in report.findings:
        if f.advice is None:
            assert f.step is None, f
            continue
        assert f.step in steps and f.id in steps[f.step].resolves, f
        assert f.advice == step_advice(steps[f.step]), f
        assert "see that step" not in f.advice and "{" not in f.advice, f
        here = [*steps[f.step].action.commands, *_CODE.findall(steps[f.step].action.text)]
        for cmd in here:
            for word, owners in OWNERS.items():
                if word in cmd + " ":
                    assert keys & owners, f"{name}: `{cmd}` in {f.id}'s advice"


@pytest.mark.parametrize(("name", "cls", "report"), ALL_REPORTS, ids=ALL_IDS)
def test_a_reworded_advice_leaves_the_plan_unchanged(name: str, cls: str, report: Report) -> None:
    """No code recognises a finding by the words of its advice: every finding's raw advice
    reworded (and one that used to be recognised by its first words planted), the plan has
    the same steps, kinds, findings and commands."""
    from dlcheck.plan import build_plan
    from dlcheck.verdict import evaluate

    def shape(plan: Plan) -> list[tuple]:
        return [
            (s.id, s.kind, s.resolves, s.after, s.because, s.action.commands)
            for s in (*plan.steps, *plan.later)
        ]

    findings = evaluate(report.facts, report.profile, report.places)
    reworded = [
        replace(f, advice=f"In other words: {f.advice[::-1]}") if f.advice else f for f in findings
    ]
    planted = [  # the first words the plan once recognised, each finding its own sentence
        replace(f, advice=f"No action needed. Not checked until the package is installed {i}")
        if f.advice
        else f
        for i, f in enumerate(findings)
    ]
    want = shape(build_plan(findings, report.facts, report.profile, report.places))
    for other in (reworded, planted):
        got = shape(build_plan(other, report.facts, report.profile, report.places))
        # findings that shared their words shared a step: the planted words are all distinct,
        # so compare what answers each finding, and the commands
        assert _answered(got) == _answered(want) or other is planted
        assert [c for *_, c in got if c] == [c for *_, c in want if c]
    got = shape(build_plan(reworded, report.facts, report.profile, report.places))
    assert got == want


def _answered(shape: list[tuple]) -> dict[str, str]:
    return {r: sid for sid, _k, resolves, *_ in shape for r in resolves}


@pytest.mark.parametrize(("name", "cls", "report"), REPORTS, ids=IDS)
def test_steps_in_order_one_action_each(name: str, cls: str, report: Report) -> None:
    steps = report.plan.steps
    ranks = [KINDS.index(s.kind) for s in steps]
    assert ranks == sorted(ranks), f"{name}: {[s.kind for s in steps]}"
    for s in steps:
        text = s.action.text.lower()
        assert not re.search(r"see that step|same cause|see step|the step for", text), s
        assert s.title and s.resolves, s
        assert all(a in [p.id for p in steps] for a in s.after)
    assert len({s.id for s in steps}) == len(steps)
    # one cause, one step: a finding is resolved by one step only
    resolved = [r for s in steps for r in s.resolves]
    assert len(resolved) == len(set(resolved))


@pytest.mark.parametrize(("name", "cls", "report"), REPORTS, ids=IDS)
def test_step_count_limits(name: str, cls: str, report: Report) -> None:
    n = len(report.plan.steps)
    if report.plan.elsewhere:
        assert 1 <= n <= 2 and report.plan.steps[0].kind == "route"
    elif report.verdict == "READY":
        assert n <= 1
    else:
        assert n <= 3
    if report.verdict in ("NOT READY",):
        assert n >= 1, f"{name}: NOT READY without a step"


@pytest.mark.parametrize(("name", "cls", "report"), REPORTS, ids=IDS)
def test_no_local_install_after_a_route_elsewhere(name: str, cls: str, report: Report) -> None:
    if not report.plan.elsewhere:
        return
    for s in report.plan.steps[1:]:
        assert s.kind not in ("install", "fix", "blocker"), s
        cmds = " ".join(_commands_here(s))
        assert "pip install" not in cmds and "env create" not in cmds, s


@pytest.mark.parametrize(("name", "cls", "report"), REPORTS, ids=IDS)
def test_no_upgrade_in_place_over_a_conflicting_distribution(
    name: str, cls: str, report: Report
) -> None:
    v = report.facts.packages.versions
    others = [d for d in (*TF_DISTRIBUTIONS, *BREAKING_PLUGINS) if d in v and d != "tensorflow"]
    if not others:
        return
    for s in report.plan.steps:
        for cmd in _commands_here(s):
            assert " -U " not in f" {cmd} " and "--upgrade" not in cmd, (name, cmd)


# -- the classes of the issue ------------------------------------------------------------------


def plan_of(slug: str) -> tuple[Report, Plan]:
    r = judge(machine_facts(slug), load_profile(), load_places())
    return r, r.plan


def _all_text(plan: Plan) -> str:
    return json.dumps(plan.to_dict())


@pytest.mark.parametrize(
    ("slug", "first", "kind"),
    [
        ("no-avx-laptop", "route-cloud", "route"),
        ("windows-on-arm", "route-wsl", "route"),
        ("alpine-musl", "route-glibc", "route"),
        ("centos7-old-glibc", "route-glibc", "route"),
        ("slurm-cpu-job", "route-bigger", "route"),
        ("hub-pod-1gib", "route-bigger", "route"),
        ("jupyterhub-pod-2gib", "route-bigger", "route"),
        ("pypy-laptop", "python", "blocker"),
        ("free-threaded-313t", "python", "blocker"),
        ("m1-rosetta", "python", "blocker"),
        ("fedora-python-314", "python", "blocker"),
        ("windows-python-32bit", "python", "blocker"),
        ("windows-tf215-intel", "fresh-environment", "fix"),
        ("windows-directml", "fresh-environment", "fix"),
        ("mac-metal-tf220", "fresh-environment", "recommended"),
        ("fresh-linux-laptop", "install", "install"),
        ("windows-fresh", "install", "install"),
    ],
)
def test_the_first_step_of_each_class(slug: str, first: str, kind: str) -> None:
    _, plan = plan_of(slug)
    assert plan.steps[0].id == first and plan.steps[0].kind == kind


def test_a_route_says_what_to_do_there() -> None:
    _, plan = plan_of("windows-on-arm")
    route = plan.steps[0]
    assert route.action.commands == ["wsl --install"]
    assert "Ubuntu on WSL2" in (route.action.then or "")
    assert route.action.then_commands == ["dlcheck env create --setup cpu"]
    assert len(plan.steps) == 1  # no pip install for native Windows after it
    _, plan = plan_of("centos7-old-glibc")
    assert "glibc 2.17" in plan.steps[0].action.text and "2.27" in plan.steps[0].action.text


def test_the_no_avx_laptop_gets_one_step_not_eleven() -> None:
    report, plan = plan_of("no-avx-laptop")
    assert len(plan.steps) == 1 and plan.elsewhere
    # the findings stay for --all, and the route names the one that caused it
    assert plan.steps[0].because == ["cpu-arch"]
    assert {f.id for f in report.findings if f.verdict == "FAIL"} <= set(plan.steps[0].resolves)


def test_a_hub_user_is_never_told_to_sudo_and_one_cause_is_one_step() -> None:
    _, plan = plan_of("hub-pod-1gib")
    assert len(plan.steps) == 1 and "admins" in plan.steps[0].action.text
    assert {"cores", "memory"} <= set(plan.steps[0].because)
    assert "sudo" not in _all_text(plan)


def test_distribution_commands() -> None:
    assert "sudo dnf install python3.12" in plan_of("fedora-python-314")[1].steps[0].action.commands
    assert "deadsnakes" not in _all_text(plan_of("fedora-python-314")[1])
    rocky = _all_text(plan_of("rocky-gpu-old-driver")[1])
    assert "ubuntu-drivers" not in rocky and "apt" not in rocky
    assert "sudo zypper install python312" in _all_text(plan_of("opensuse-python-314")[1])
    assert "sudo apt install graphviz" in _all_text(plan_of("debian-fresh")[1])
    assert "winget install --id Graphviz.Graphviz -e" in _all_text(plan_of("windows-fresh")[1])
    conda = _all_text(plan_of("conda-ubuntu-no-dot")[1])
    assert "conda install -c conda-forge graphviz" in conda and "sudo" not in conda


def test_tensorflow_cpu_made_by_env_create_counts_as_tensorflow() -> None:
    report, plan = plan_of("env-create-cpu")
    f = {x.id: x for x in report.findings}
    assert f["tensorflow"].verdict == "PASS" and "tensorflow-cpu 2.21.0" in f["tensorflow"].observed
    assert f["environment-lock"].verdict == "PASS"
    assert report.verdict == "READY" and plan.steps == []
    text = " ".join(x.advice or "" for x in report.findings)
    assert "once the course packages are installed" not in text


def test_the_lessons_own_pip_line_is_not_judged_against_a_lock() -> None:
    report, plan = plan_of("lesson-pip-line")
    f = {x.id: x for x in report.findings}
    assert f["environment-lock"].input_missing
    assert "--force" not in _all_text(plan) and "env verify" not in _all_text(plan)


def test_a_working_rocm_tensorflow_is_respected() -> None:
    report, plan = plan_of("rocm-workstation")
    f = {x.id: x for x in report.findings}
    assert f["tensorflow"].verdict == "PASS" and "tensorflow-rocm" in f["tensorflow"].observed
    assert "pip install" not in _all_text(plan)


def test_commands_embedding_a_path_are_quoted_for_the_shell() -> None:
    posix = Facts(platform=PlatformFacts(system="Linux"))
    win = Facts(platform=PlatformFacts(system="Windows"))
    assert quote_path(posix, "/home/a b/bin/python") == "'/home/a b/bin/python'"
    assert quote_path(posix, "/x/it's") == "'/x/it'\"'\"'s'"
    assert quote_path(win, r"C:\Python312\python.exe") == r"C:\Python312\python.exe"
    # the one quoting rule (dlcheck/shellquote.py): double quotes on Windows, single ones
    # where PowerShell would expand a `$`
    assert quote_path(win, r"C:\Program Files\Py's\python.exe", first=True) == (
        '& "C:\\Program Files\\Py\'s\\python.exe"'
    )
    assert quote_path(win, r"C:\Users\$me\python.exe", first=True) == (
        r"& 'C:\Users\$me\python.exe'"
    )
    # in a plan: a fresh environment where no setup fits uses this Python, quoted
    facts = machine_facts("windows-directml")
    facts = replace(
        facts,
        python=replace(facts.python, executable=r"C:\Users\Ann Lee\py\python.exe"),
    )
    from dlcheck.plan import _Builder

    b = _Builder([], facts, load_profile(), load_places())
    b.setup = lambda: None  # type: ignore[method-assign]
    b.todo = [
        f for f in judge(facts, load_profile(), load_places()).findings if f.verdict != "PASS"
    ]
    b.fresh_environment()
    assert (
        b.steps[0].action.commands[0] == r'& "C:\Users\Ann Lee\py\python.exe" -m venv .venv-course'
    )


# -- stored in the report ------------------------------------------------------------------


def test_the_report_stores_its_plan_and_from_replans(tmp_path: Path) -> None:
    from dlcheck.documents import read_document

    report, plan = plan_of("fedora-python-314")
    data = report.to_json_dict()
    assert data["schema_version"] == 3 and data["plan"]["steps"][0]["kind"] == "blocker"
    step = data["plan"]["steps"][0]
    assert set(step) >= {"id", "kind", "title", "action", "resolves", "after"}
    assert set(step["action"]) >= {"text", "commands"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    again = judge(read_document(path, ["dlcheck.report"]).record(), load_profile(), load_places())
    assert again.plan == plan


def test_older_reports_are_replanned_on_reading() -> None:
    from dlcheck.documents import read_document

    old = Path(__file__).parent / "data" / "old-versions"
    files = sorted(old.glob("*.json"))
    assert files
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != "dlcheck.report":
            continue
        assert data["schema_version"] < 3 and "plan" not in data
        r = judge(read_document(path, ["dlcheck.report"]).record(), load_profile(), load_places())
        assert isinstance(r.plan, Plan) and "plan" in r.to_json_dict()


def test_the_old_distribution_name_gives_the_distribution() -> None:
    from dlcheck.normalize import normalize_report

    data = {"facts": {"platform": {"system": "Linux", "os_name": "Rocky Linux 9.4"}}}
    out, notes = normalize_report(data)
    assert out["facts"]["platform"]["distro_id"] == "rocky"
    assert "rhel" in out["facts"]["platform"]["distro_like"] and notes


def test_every_view_formats_the_plan() -> None:
    from dlcheck.render.csvview import render_csv
    from dlcheck.render.html import render_html
    from dlcheck.render.markdown import render_markdown

    report, plan = plan_of("fedora-python-314")
    cmd = "sudo dnf install python3.12"
    assert cmd in render_markdown(report) and cmd in render_html(report)
    assert cmd in report._repr_html_()
    rows = render_csv(report).splitlines()
    assert rows[0].endswith(",step") and any(r.endswith(",1") for r in rows[1:])


# -- facts --------------------------------------------------------------------------------


def test_libc_and_free_threaded_facts() -> None:
    from dlcheck.probes.python import is_free_threaded
    from dlcheck.probes.system import detect_libc

    assert detect_libc(("glibc", "2.17"), []) == ("glibc", "2.17")
    assert detect_libc(("", ""), [Path("/lib/ld-musl-x86_64.so.1")]) == ("musl", None)
    assert detect_libc(("", ""), []) == (None, None)
    assert is_free_threaded("t", None) and is_free_threaded("", 1)
    assert not is_free_threaded("", None) and not is_free_threaded("d", 0)


# -- the plan is linear ---------------------------------------------------------------------


def test_plan_and_links_are_linear_in_the_findings() -> None:
    """30,000 failing requirements of one kind: the plan and the links are built without a
    scan of every finding per finding (a quadratic key took minutes)."""
    from dlcheck.plan import build_plan, link
    from dlcheck.profile import Requirement

    n = 30_000
    reqs = [Requirement(f"r{i}", "t", "required", "memory", "do it") for i in range(n)]
    profile = replace(load_profile(), requirements=reqs)
    findings = [Finding(f"r{i}", "t", "required", "FAIL", "", "", "do it") for i in range(n)]
    facts = machine_facts("debian-fresh")
    start = time.perf_counter()
    plan = build_plan(findings, facts, profile, load_places())
    linked = link(findings, plan)
    assert time.perf_counter() - start < 5.0
    assert all(f.step for f in linked)


def test_check_setup_names_the_lock_or_fails_in_one_line(capsys, tmp_path: Path) -> None:
    from dlcheck.cli import main

    for argv, problem in (
        (["check", "--setup", "nope", "--no-frameworks"], "unknown setup 'nope'"),
        (
            ["check", "--setup", "cpu", "--from", str(tmp_path / "me.json")],
            "--setup compares the running environment",
        ),
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and problem in err and len(err.strip().splitlines()) == 1


def test_the_oldest_glibc_of_each_lock_comes_from_its_wheel_tags() -> None:
    """envs/lock.py --wheel-tags reads the manylinux tags of the wheels a lock pins (found on
    PyPI by their hashes); dlcheck reads what it wrote, per setup and platform."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "envs"))
    import lock

    assert lock.wheel_glibc(
        "tensorflow_cpu-2.20.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ) == {"linux-64": (2, 17)}
    assert lock.wheel_glibc("tensorflow-2.21.0-cp312-cp312-manylinux_2_27_aarch64.whl") == {
        "linux-aarch64": (2, 27)
    }
    assert lock.wheel_glibc("tensorflow-2.21.0-cp312-cp312-win_amd64.whl") == {}
    text = (
        "tensorflow-cpu==2.21.0 ; sys_platform == 'linux' \\\n"
        f"    --hash=sha256:{'a' * 64} \\\n    --hash=sha256:{'b' * 64}\n"
        f"six==1.17.0 \\\n    --hash=sha256:{'c' * 64}\n"
    )
    assert lock.tensorflow_pins(text) == [("tensorflow-cpu", "2.21.0", {"a" * 64, "b" * 64})]
    from dlcheck.envs.locks import wheel_glibc

    assert wheel_glibc("cpu", "linux-64") == "2.27" and wheel_glibc("cpu", "osx-arm64") is None


def test_the_fleet_shows_each_first_step_and_the_most_common_ones() -> None:
    from dlcheck.fleet.build import build_fleet
    from dlcheck.fleet.render import render_csv, summary_lines, to_json_dict

    lab = Path(__file__).parent / "data" / "fleet" / "lab"
    fleet = build_fleet([str(lab)])
    data = to_json_dict(fleet)
    firsts = {m["machine"]: m["first_step"] for m in data["machines"]}
    assert firsts["pc02"] == "No AVX: run the course in a cloud notebook"  # a Pentium, no AVX
    common = data["summary"]["common_first_steps"]
    assert {"step": "No AVX: run the course in a cloud notebook", "machines": 5} in common
    assert any("machines: No AVX: run the course" in line for line in summary_lines(fleet))
    assert render_csv(fleet).splitlines()[0].endswith(",first_step")
    # re-judged against another profile, the plan is built again
    again = to_json_dict(build_fleet([str(lab)], str(lab.parent / "fleet-test.toml")))
    assert {m["machine"]: m["first_step"] for m in again["machines"]} == firsts


def test_a_python_already_on_the_machine_is_used_not_installed() -> None:
    """Issue 20: on Python 3.8 with pyenv's 3.12 beside it, the plan says that a suitable
    Python is already here (`dlcheck env create` finds it), never to install one."""
    from dlcheck.probes.python import find_other_pythons
    from dlcheck.records import OtherPython

    facts = machine_facts("ubuntu-2004-python-38")
    found = find_other_pythons(
        {}, lambda n: "/usr/bin/python3.8" if n == "python3.8" else None, ["3.12.1", "3.8.18"]
    )
    assert found == [
        OtherPython("3.8", "python3.8 on PATH", "/usr/bin/python3.8"),
        OtherPython("3.12.1", "pyenv 3.12.1", None),
        OtherPython("3.8.18", "pyenv 3.8.18", None),
    ]
    with_312 = replace(facts, python=replace(facts.python, others=found))
    plan = judge(with_312, load_profile(), load_places()).plan
    first = plan.steps[0]
    assert first.title == "Use the Python 3.12 already on this machine", first.title
    assert "pyenv 3.12.1" in first.action.text
    assert first.action.commands == ["dlcheck env create --setup cpu"]
    assert "deadsnakes" not in _all_text(plan) and "apt install python" not in _all_text(plan)
    # only a 3.8 (its own version) beside it: install one, as before
    only_38 = replace(facts, python=replace(facts.python, others=found[:1]))
    first = judge(only_38, load_profile(), load_places()).plan.steps[0]
    assert first.title.startswith("Install Python 3.12")


def test_pyenv_shims_are_not_taken_for_pythons() -> None:
    from dlcheck.probes.python import find_other_pythons

    shim = "/home/u/.pyenv/shims/python3.13"  # a shim runs only the versions pyenv selects
    assert find_other_pythons({}, lambda n: shim if n == "python3.13" else None, []) == []


def test_root_is_never_told_to_sudo() -> None:
    """A learner who is root (a container, often without sudo) gets `apt install graphviz`;
    anyone else on Debian gets `sudo apt install graphviz`."""
    facts = machine_facts("debian-fresh")
    for root, want in ((True, "apt install graphviz"), (False, "sudo apt install graphviz")):
        f = replace(facts, platform=replace(facts.platform, root=root))
        plan = judge(f, load_profile(), load_places()).plan
        graphviz = next(s for s in plan.steps if "Graphviz" in s.title)
        assert graphviz.action.commands == [want]


def test_a_32bit_os_on_a_64bit_kernel_is_told_to_install_a_64bit_os() -> None:
    """Raspberry Pi OS's 32-bit image: uname says aarch64, the interpreter is 32-bit ARM (a
    fact beside the kernel's). No wheel exists and no 64-bit Python installs there: the plan
    says "install a 64-bit OS", never `env create --setup cpu` on this OS."""
    from dlcheck.probes.python import interpreter_machine

    assert interpreter_machine("aarch64", 32, "arm-linux-gnueabihf") == "arm"
    assert interpreter_machine("aarch64", 32, None) == "arm"
    assert interpreter_machine("aarch64", 64, "aarch64-linux-gnu") == "arm64"
    assert interpreter_machine("x86_64", 64, "x86_64-linux-gnu") == "x86_64"
    r, plan = plan_of("raspberry-pi-32bit-os")
    assert r.facts.platform.machine == "arm64" and r.facts.python.machine == "arm"
    assert r.verdict == "NOT READY" and plan.elsewhere
    first = plan.steps[0]
    assert first.id == "route-64bit-os" and first.title == "Install a 64-bit OS"
    assert "64-bit edition of the OS" in first.action.text
    assert not first.action.commands  # nothing to run on this OS; env create runs there
    f = {x.id: x for x in r.findings}
    assert f["python-64bit"].step == "route-64bit-os" and "winget" not in f["python-64bit"].advice


def test_wsl2_below_the_memory_is_told_about_wslconfig_not_a_bigger_machine() -> None:
    """WSL 2 gives Linux half of Windows' memory by default: an 8 GB laptop's Ubuntu sees 3.8
    GiB. The fix is .wslconfig and a restart of WSL (run in Windows), never another machine;
    the memory finding's advice is that step."""
    r, plan = plan_of("wsl2-memory-cap")
    assert r.facts.platform.wsl and r.verdict == "NOT READY"
    first = plan.steps[0]
    assert first.id == "route-bigger" and "WSL" in first.title
    assert ".wslconfig" in first.action.text and "memory=" in first.action.text
    assert "wsl --shutdown" in first.action.then_commands and not first.action.commands
    assert "bigger machine" not in _all_text(plan) and "cloud notebook" not in first.title
    f = {x.id: x for x in r.findings}
    assert f["memory"].step == "route-bigger" and ".wslconfig" in f["memory"].advice


def test_nightly_distributions_are_tensorflow_and_keras_3() -> None:
    """tf-nightly and keras-nightly are TensorFlow and Keras 3 under other names: the course
    requirements are met, and Keras is probed when keras-nightly alone is installed."""
    from dlcheck.frameworks.probe import installed_frameworks

    assert installed_frameworks({"tf-nightly": "2.22.0.dev1", "keras-nightly": "3.13.0.dev1"}) == [
        "tensorflow",
        "keras",
    ]
    r, plan = plan_of("nightly-builds")
    f = {x.id: x for x in r.findings}
    assert r.verdict == "READY" and not plan.steps
    assert f["tensorflow"].verdict == "PASS" and "tf-nightly" in f["tensorflow"].observed
    assert f["keras"].verdict == "PASS" and "keras-nightly" in f["keras"].observed
    assert f["keras3"].verdict == "PASS"


def test_a_hosted_notebook_with_conda_gets_another_python_from_conda() -> None:
    """SageMaker Studio Lab (and a hub): no sudo, no installer; a conda environment is how a
    learner gets another Python there."""
    r, plan = plan_of("studiolab-python-39")
    first = plan.steps[0]
    assert first.id == "python" and first.action.commands[0].startswith("conda create")
    assert "python=3.12" in first.action.commands[0]
    assert not [c for c in first.action.commands if c.startswith(("sudo", "brew", "winget"))]
    hub = replace(
        r.facts,
        platform=replace(r.facts.platform, context=["jupyterhub"], container="kubernetes"),
    )
    hub_plan = judge(hub, load_profile(), load_places()).plan
    assert hub_plan.steps[0].action.commands[0].startswith("conda create")


@pytest.mark.parametrize(
    ("slug", "strip", "want_first"),
    [
        # an Alpine report from before dlcheck recorded the C library: musl, the glibc route
        (
            "alpine-musl",
            ("platform", ("libc_family", "libc_version", "libc", "distro_id")),
            "route-glibc",
        ),
        # a python3.13t report from before dlcheck recorded free_threaded: the standard build
        ("free-threaded-313t", ("python", ("free_threaded",)), "python"),
    ],
)
def test_older_reports_are_judged_with_what_their_facts_imply(
    slug: str, strip: tuple, want_first: str
) -> None:
    from recorded import report_path

    from dlcheck.report import facts_from_report_dict

    data = json.loads(report_path(slug).read_text(encoding="utf-8"))
    section, keys = strip
    for k in keys:
        data["facts"][section].pop(k, None)
    if slug == "free-threaded-313t":
        data["facts"]["python"]["executable"] = "/home/ann/.venv/bin/python3.13t"
    facts = facts_from_report_dict(data, "old.json")
    derived = "libc_family 'musl'" if slug == "alpine-musl" else "free_threaded derived"
    assert any(derived in n for n in facts.normalized), facts.normalized
    plan = judge(facts, load_profile(), load_places()).plan
    assert plan.steps[0].id == want_first, [s.id for s in plan.steps]


def test_keras_computing_on_tensorflow_proves_tensorflow_imports() -> None:
    """An older report whose framework probe ran Keras on TensorFlow but did not probe
    TensorFlow itself: never "reinstall tensorflow" over a working tensorflow-rocm."""
    facts = machine_facts("rocm-workstation")
    fw = dict(facts.sections["frameworks"])
    fw["results"] = [r for r in fw["results"] if r["name"] != "tensorflow"]
    assert any(r["name"] == "keras" and r["status"] == "ok" for r in fw["results"])
    facts = replace(facts, sections={**facts.sections, "frameworks": fw})
    r = judge(facts, load_profile(), load_places())
    f = {x.id: x for x in r.findings}
    assert f["tensorflow-works"].verdict == "PASS", f["tensorflow-works"]
    assert "reinstall" not in _all_text(r.plan).lower() and r.verdict == "READY"


def test_advice_from_the_profile_the_machine_and_what_was_done(tmp_path: Path) -> None:
    """Issue 26, item 6: a route's numbers are the profile's; an optional install names its
    packages; after `check --bench FILE` the cores step does not ask for `dlcheck bench`."""
    from dlcheck.profile import load_profile as load

    # an instructor's profile asking for 4 cores and 8 GiB: the hub's route says so
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[profile]\nname = "strict"\n\n'
        '[[requirement]]\nid = "cores"\ntitle = "4 cores"\nlevel = "required"\n'
        'check = "usable_cores"\nmin = 4\nadvice = "More cores."\n\n'
        '[[requirement]]\nid = "memory"\ntitle = "8 GiB"\nlevel = "required"\n'
        'check = "memory"\nmin_gib = 8\nadvice = "More memory."\n'
    )
    r = judge(machine_facts("jupyterhub-pod-2gib"), load(str(strict)), load_places())
    assert "at least 4 cores and 8 GiB" in r.plan.steps[0].action.text
    # the lesson's pip line: the optional install names keras-tuner
    _, plan = plan_of("lesson-pip-line")
    assert "keras-tuner" in plan.steps[0].action.text and "episodes 2 and 4" not in _all_text(plan)
    # two cores, a benchmark given: the cores step does not send to `dlcheck bench`
    facts = machine_facts("graviton-vm")
    facts = replace(
        facts,
        cpu=replace(facts.cpu, usable_cores=2.0, logical_cores=2),
        sections={**facts.sections, "benchmark": {"error": "given"}},
    )
    r = judge(facts, load_profile(), load_places())
    cores = {f.id: f for f in r.findings}["cores-recommended"]
    assert cores.verdict == "WARN" and "dlcheck bench" not in (cores.advice or "")
    assert "benchmark you gave" in (cores.advice or "")


def test_a_debian_root_container_gets_one_voice_without_sudo_or_deadsnakes() -> None:
    """The issue's first example: Debian as root in a container, its Python too new, Debian's
    own 3.11 on PATH. The plan uses that Python; every finding says the same, and no advice
    names an Ubuntu PPA or sudo."""
    r, plan = plan_of("debian-root-container")
    assert plan.steps[0].id == "python" and "3.11 already on this machine" in plan.steps[0].title
    texts = [f.advice or "" for f in r.findings]
    assert not [t for t in texts if "deadsnakes" in t or "sudo " in t or "add-apt" in t]
    assert {f.step for f in r.findings if f.id in ("python-version", "tensorflow-wheel")} == {
        "python"
    }
    assert "apt install graphviz" in _all_text(plan) and "sudo" not in _all_text(plan)


def test_tensorflow_215_with_keras_2_gets_one_step_not_two() -> None:
    """TensorFlow 2.15 and Keras 2, no other distribution: "create the course environment"
    answers the outdated Keras too; never a second step upgrading in place beside it."""
    facts = machine_facts("windows-tf215-intel")
    versions = {k: v for k, v in facts.packages.versions.items() if k != "tensorflow-intel"}
    facts = replace(facts, packages=replace(facts.packages, versions=versions))
    r = judge(facts, load_profile(), load_places())
    f = {x.id: x for x in r.findings}
    assert f["tensorflow"].verdict != "PASS" and f["keras3"].verdict == "FAIL"
    install = [s for s in r.plan.steps if "tensorflow" in s.resolves]
    assert len(install) == 1 and "keras3" in install[0].resolves
    assert f["keras3"].step == f["tensorflow"].step
    assert "-U" not in _all_text(r.plan) and "--upgrade" not in _all_text(r.plan)


def test_a_drifted_environment_is_repaired_in_place_from_its_lock() -> None:
    """`check --setup cpu` in an environment dlcheck did not make: the repair says what it
    does (this environment, from the lock), never a rebuild of another folder."""
    from dlcheck.envs.facts import EnvironmentFacts
    from dlcheck.records import to_dict

    env = EnvironmentFacts(
        setup="cpu",
        lock="/home/ann/dlcheck/envs/cpu/pylock linux-64.txt",
        counts={"checked": 40, "missing": 0, "different": 2, "extra": 0},
        different=["numpy", "pandas"],
    )
    facts = machine_facts("env-create-cpu")
    facts = replace(facts, sections={**facts.sections, "environment": to_dict(env)})
    r = judge(facts, load_profile(), load_places())
    f = {x.id: x for x in r.findings}["environment-lock"]
    assert f.verdict != "PASS" and "--force" not in (f.advice or "")
    assert "in place" in f.advice and "'/home/ann/dlcheck/envs/cpu/pylock linux-64.txt'" in f.advice


def test_an_environment_env_create_made_is_activated_not_made_again(tmp_path: Path) -> None:
    """`dlcheck env create` made .venv-cpu here; `dlcheck check` outside it says "activate
    it", never "create it" again. The fact: finished environments dlcheck made in this folder
    (their marker), read without raising."""
    from dlcheck.probes.python import made_environments

    done = tmp_path / ".venv-cpu"
    done.mkdir()
    (done / "dlcheck-env.json").write_text('{"setup": "cpu", "state": "complete"}')
    half = tmp_path / ".venv-nvidia"
    half.mkdir()
    (half / "dlcheck-env.json").write_text('{"setup": "nvidia", "state": "incomplete"}')
    (tmp_path / ".venv-other").mkdir()  # no marker: not dlcheck's
    found = made_environments(tmp_path, str(tmp_path / "elsewhere"))
    assert [(m.folder, m.setup) for m in found] == [(".venv-cpu", "cpu")]
    assert made_environments(tmp_path, str(done)) == []  # the running one is not "another"
    assert made_environments(tmp_path / "missing", "/") == []
    r, plan = plan_of("env-made-not-active")
    first = plan.steps[0]
    assert first.id == "activate" and first.action.commands == [
        ". .venv-cpu/bin/activate",
        "dlcheck check",
    ]
    assert "env create" not in " ".join(first.action.commands) and r.install_command() is None
