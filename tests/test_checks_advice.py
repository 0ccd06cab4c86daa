"""Advice that is true for the machine it is given to (issue 13): on recorded machines of
every class, the verdict, that every next step can work there, and that `env recommend`
names a route."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from advice_table import REPORTS, all_machines, row
from packaging.version import Version

from dlcheck.envs.setups import load_catalog
from dlcheck.plan import step_advice
from dlcheck.records import Facts
from dlcheck.support import load_support, on_cloud_notebook, on_hpc, tensorflow_blockers

DATA = Path(__file__).parent / "data" / "machines"


@pytest.fixture(scope="module")
def machines() -> dict[str, tuple[str, Facts]]:
    """name -> (class, facts) of every recorded machine and saved report, read back by the
    `--from` reader (tests/data/reports/ and tests/data/machines/)."""
    return {name: (cls, facts) for name, cls, facts in all_machines()}


EXPECTED = {  # machine -> (verdict, id of the plan's first step or None, recommended setup)
    "no-AVX laptop (Pentium N3700)": ("NOT READY", "route-cloud", None),
    "Fedora laptop, Python 3.14": ("NOT READY", "python", "cpu"),
    "Mac M2, Xcode Python 3.9.6": ("NOT READY", "python", "cpu"),
    "Ubuntu 20.04 lab PC, Python 3.8": ("NOT READY", "python", "cpu"),
    "Intel Mac, Python 3.13": ("NOT READY", "python", "cpu"),
    "Windows on ARM (Snapdragon X)": ("NOT READY", "route-wsl", None),
    "Raspberry Pi 5": ("NOT READY", "install", "cpu"),
    "AWS Graviton VM": ("READY WITH WARNINGS", "test-frameworks", "cpu"),
    "Docker on Apple Silicon": ("NOT READY", "install", "cpu"),
    "GPU cloud VM (T4, 2 vCPU)": ("READY", None, "nvidia"),
    "Colab GPU runtime": ("READY", None, "nvidia"),
    "Kaggle CPU notebook": ("READY WITH WARNINGS", "test-frameworks", "cpu"),
    "HPC node, driver 470": ("READY WITH WARNINGS", "tensorflow-gpu", "cpu"),
    "HPC node, driver 550": ("READY", None, "nvidia"),
    "Slurm CPU job (1 core, 3 GiB)": ("NOT READY", "route-bigger", "cpu"),
    "JupyterHub pod (2 GiB)": ("NOT READY", "route-bigger", "cpu"),
    "32-bit Python on Windows": ("NOT READY", "python", "cpu"),
    "M1, Python under Rosetta": ("NOT READY", "python", "cpu"),
    "MacBook Air M1": ("READY WITH WARNINGS", "test-frameworks", "cpu"),
    "Windows NVIDIA laptop": ("READY WITH WARNINGS", "test-frameworks", "cpu"),
    "older dlcheck, Windows AMD64": ("READY WITH WARNINGS", "test-frameworks", "cpu"),
    "other tool, Linux aarch64": ("READY", None, "cpu"),
    "report without packages": ("NOT VERIFIED", "tensorflow", "cpu"),
    # issue 18
    "Alpine container (musl)": ("NOT READY", "route-glibc", None),
    "CentOS 7 server (glibc 2.17)": ("NOT READY", "route-glibc", None),
    "PyPy 3.10 laptop": ("NOT READY", "python", "cpu"),
    "Free-threaded Python 3.13t": ("NOT READY", "python", "cpu"),
    "Environment made by env create (cpu)": ("READY", None, "cpu"),
    "Lesson's own pip line": ("READY WITH WARNINGS", "install", "cpu"),
    # its own pipx environment judged: the plan's first step is tool-environment
    "dlcheck run with pipx": ("NOT READY", "tool-environment", "cpu"),
    "ROCm workstation (tensorflow-rocm)": ("READY", None, "cpu"),
    "Windows, TensorFlow 2.15 (tensorflow-intel)": ("NOT READY", "fresh-environment", "cpu"),
    "Windows, DirectML plugin": ("NOT READY", "fresh-environment", "cpu"),
    "Mac, tensorflow-metal on 2.20": ("READY WITH WARNINGS", "fresh-environment", "cpu"),
    "Fresh Windows laptop": ("NOT READY", "install", "cpu"),
    "openSUSE, Python 3.14": ("NOT READY", "python", "cpu"),
    "Rocky Linux GPU workstation, driver 470": ("READY WITH WARNINGS", "tensorflow-gpu", "cpu"),
    "conda environment on Ubuntu": ("READY WITH WARNINGS", "graphviz", "cpu"),
    "Fresh Debian laptop": ("NOT READY", "install", "cpu"),
    "JupyterHub server (1 core, 1 GiB)": ("NOT READY", "route-bigger", "cpu"),
    # issue 26
    "Course environment made, not activated": ("NOT READY", "activate", "cpu"),
    "Debian container as root, Python 3.14": ("NOT READY", "python", "cpu"),
    "SageMaker Studio Lab, Python 3.9": ("NOT READY", "python", "cpu"),
    "tf-nightly and keras-nightly": ("READY", None, "cpu"),
    "WSL 2 on an 8 GB laptop": ("NOT READY", "route-bigger", "cpu"),
    "Raspberry Pi, 32-bit OS on a 64-bit kernel": ("NOT READY", "route-64bit-os", None),
    "TensorFlow course, Keras on torch (KERAS_BACKEND)": ("NOT READY", "keras-backend", "cpu"),
    "KERAS_BACKEND=nonsense": ("NOT READY", "keras-works", "cpu"),
}
TF_INSTALL = re.compile(r"pip install[^`]*tensorflow(?!-metal)|env create|tensorflow\[and-cuda\]")


def test_every_machine_has_an_expectation_and_the_classes_are_covered(machines) -> None:
    assert set(EXPECTED) == set(machines)
    classes = {cls for cls, _ in machines.values()}
    for needed in (
        "no AVX",
        "Python too new",
        "Windows on ARM",
        "Linux arm64 board",
        "Linux arm64 container",
        "GPU cloud VM",
        "HPC old driver",
        "HPC current driver",
        "Slurm job",
        "older report",
        "odd spellings",
        "dlcheck as a tool",
    ):
        assert needed in classes


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_first_step_and_setup(machines, name: str) -> None:
    _, facts = machines[name]
    report, steps, rec, _first, _setup = row(name, facts)
    verdict, first, setup = EXPECTED[name]
    assert report.verdict == verdict, [(f.id, f.verdict, f.observed) for f in report.findings]
    plan = report.plan.steps
    assert (plan[0].id if plan else None) == first, [x.id for x in plan]
    assert rec.setup == setup, rec
    assert rec.routes, "env recommend must always name a route"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_next_step_can_work_there(machines, name: str) -> None:
    _, facts = machines[name]
    report, steps, rec, _first, _setup = row(name, facts)
    texts = [f.advice or "" for f in steps]
    install = report.install_command()
    blockers = tensorflow_blockers(facts)
    here = [c for st in report.plan.steps for c in st.action.commands]  # run on this machine
    if any(not b.fixable_here for b in blockers):
        # No wheel, or a CPU that cannot run one: no TensorFlow install on this machine (a
        # route's `then` commands run where it leads).
        assert install is None
        assert not [c for c in here if TF_INSTALL.search(c)], here
        assert report.plan.steps[0].kind == "route"
        assert not [c for r in rec.routes for c in r.commands if TF_INSTALL.search(c)]
    elif blockers:
        # Another Python first: installing TensorFlow only after it, in the same step.
        assert install is None
        first = report.plan.steps[0]
        assert first.id == "python" and first.kind == "blocker", first
        assert not [
            c for st in report.plan.steps[1:] for c in st.action.commands if TF_INSTALL.search(c)
        ]
        for f in report.findings:  # one voice: every finding it answers says that step
            if f.step == "python":
                assert f.advice == step_advice(first)
                assert f.blocked_by is None or f.blocked_by in first.because
    if on_hpc(facts):
        assert not [t for t in texts if "sudo" in t], texts
        assert not [n for n in rec.notes if "sudo" in n]
    if on_cloud_notebook(facts):
        assert not [t for t in texts if "Colab" in t or "Kaggle" in t or "cloud" in t], texts
    if rec.setup == "nvidia":  # the GPU setup only where the driver runs its build
        gpu = next(g for g in facts.gpu.gpus if g.vendor == "nvidia")
        s = load_support()
        cuda = s.tf_cuda(s.newest("tensorflow", "linux-64", "3.12"))
        assert int(gpu.cuda_driver_version.split(".")[0]) >= int(cuda.split(".")[0])


def test_gpu_makes_two_cores_enough_and_slurm_limits_are_not_containers(machines) -> None:
    report, *_ = row("", machines["GPU cloud VM (T4, 2 vCPU)"][1])
    f = {x.id: x for x in report.findings}
    assert (
        f["cores-recommended"].verdict == "PASS" and "Tesla T4" in f["cores-recommended"].observed
    )
    report, *_ = row("", machines["Slurm CPU job (1 core, 3 GiB)"][1])
    f = {x.id: x for x in report.findings}
    assert "Slurm job limit" in f["memory"].observed and "container" not in f["memory"].observed
    assert "--mem=" in f["memory"].advice and "--cpus-per-task" in f["cores"].advice
    assert "Slurm job's CPU allocation" in f["cores"].observed


def test_hpc_old_driver_is_told_to_ask_support(machines) -> None:
    report, _steps, rec, *_ = row("", machines["HPC node, driver 470"][1])
    f = {x.id: x for x in report.findings}
    assert "HPC support" in f["tensorflow-gpu"].advice and "525.60.13" in f["tensorflow-gpu"].advice
    assert rec.setup == "cpu" and any("HPC support" in n for n in rec.notes)


def test_too_old_python_says_where_to_get_one(machines) -> None:
    mac = {x.id: x for x in row("", machines["Mac M2, Xcode Python 3.9.6"][1])[0].findings}
    assert (
        "Homebrew" in mac["python-version"].advice and "python.org" in mac["python-version"].advice
    )
    ubuntu = {x.id: x for x in row("", machines["Ubuntu 20.04 lab PC, Python 3.8"][1])[0].findings}
    # one voice: the plan's step for Ubuntu (deadsnakes), never another OS's way
    assert "deadsnakes" in ubuntu["python-version"].advice
    assert "brew" not in ubuntu["python-version"].advice
    assert "winget" not in ubuntu["python-version"].advice


def test_setup_is_the_install_step_where_one_fits(machines) -> None:
    from dataclasses import replace

    facts = machines["MacBook Air M1"][1]
    bare = replace(facts, packages=replace(facts.packages, versions={}))
    report, *_ = row("", bare)
    assert report.install_command() == "dlcheck env create --setup cpu"
    f = {x.id: x for x in report.findings}
    assert "dlcheck env create --setup cpu" in f["tensorflow"].advice
    # No lock for Linux arm64 (yet): the unpinned pip line, which works there.
    pi, *_ = row("", machines["Raspberry Pi 5"][1])
    cmd = pi.install_command() or ""
    catalog = load_catalog()
    if "linux-aarch64" not in catalog.setups["cpu"].pip_platforms:
        assert cmd.startswith("python -m pip install") and '"tensorflow>=2.16"' in cmd


def test_normalised_reports(machines) -> None:
    old = machines["older dlcheck, Windows AMD64"][1]
    assert old.platform.machine == "x86_64" and old.cpu.avx is True
    assert old.memory.effective_bytes == 17179869184
    assert "keras-tuner" in old.packages.versions and "scikit-learn" in old.packages.versions
    notes = old.normalized
    assert any("'AMD64' read as 'x86_64'" in n for n in notes)
    other = machines["other tool, Linux aarch64"][1]
    assert other.platform.system == "Linux" and other.platform.machine == "arm64"
    assert any("unknown key facts.platform.collector" in n for n in other.normalized)
    report, *_ = row("", other)
    f = {x.id: x for x in report.findings}
    assert f["tensorflow-works"].verdict == "PASS" and f["python-native"].verdict == "PASS"
    nopk = machines["report without packages"][1]
    report, *_ = row("", nopk)
    assert {x.verdict for x in report.findings if x.id in ("tensorflow", "pandas")} == {"UNKNOWN"}


def test_support_matrix_covers_every_lock() -> None:
    """Every platform and Python the setups catalogue locks for is in the matrix, with a
    TensorFlow >= 2.16 wheel (the matrix does not list locks: the catalogue does)."""
    s = load_support()
    catalog = load_catalog()
    assert s.checked and s.updated
    for setup in catalog.setups.values():
        for subdir in setup.pip_platforms:
            assert subdir in s.platforms, subdir
            for py in setup.pythons_for(subdir, catalog):
                v = s.newest("tensorflow", subdir, py)
                assert v is not None and Version(v) >= Version("2.16"), (setup.name, subdir, py)
    lock = Path(__file__).parents[1] / "envs" / "nvidia" / "pylock.txt"
    assert lock.is_file()
    if lock.is_file():
        m = re.search(r"^tensorflow==(\S+)", lock.read_text(), re.M)
        assert m and s.tf_cuda(m.group(1)), (
            "the nvidia lock's TensorFlow needs its CUDA in the matrix"
        )


def test_report_files_are_listed() -> None:
    assert {f for _, f in REPORTS.values()} == {p.name for p in DATA.glob("*.json")}
    for p in DATA.glob("*.json"):
        json.loads(p.read_text())


def test_recorded_reports_are_listed_and_read_by_the_real_reader() -> None:
    from recorded import MACHINES, REPORTS, TORCH_MACHINES, machine_facts

    stems = {p.name[: -len(".check.json")] for p in REPORTS.glob("*.check.json")}
    recorded = {slug for _, slug in [*MACHINES.values(), *TORCH_MACHINES.values()]}
    assert stems == recorded | {"fresh-linux-laptop"}
    for slug in sorted(stems):
        assert isinstance(machine_facts(slug), Facts), slug


def test_facts_type(machines) -> None:
    assert all(isinstance(f, Facts) for _, f in machines.values())


def test_cloud_notebook_is_not_sent_to_the_cloud(machines) -> None:
    from dataclasses import replace

    colab = machines["Colab GPU runtime"][1]
    small = replace(colab, cpu=replace(colab.cpu, usable_cores=1.0), sections={})
    report, steps, *_ = row("", small)
    f = {x.id: x for x in report.findings}
    assert f["cores"].verdict == "FAIL" and "runtime" in f["cores"].advice
    assert not [x for x in steps if "Colab" in (x.advice or "") or "Kaggle" in (x.advice or "")]


def _cli(argv, capsys):
    from dlcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_exit_status_not_verified_and_strict(capsys, tmp_path) -> None:
    code, out, _ = _cli(
        ["check", "--from", str(DATA / "no-packages-section.json"), "--json"], capsys
    )
    data = json.loads(out)
    assert code == 3 and data["verdict"] == "NOT VERIFIED" and data["exit_code"] == 3
    code, _, err = _cli(
        ["check", "--from", str(DATA / "other-tool-linux-aarch64.json"), "--strict"], capsys
    )
    assert code == 0 and "facts.platform.machine 'aarch64' read as 'arm64'" in err
    assert "package name 'Keras' read as 'keras'" in err
    # A report without framework facts (like --no-frameworks): hardware-only, still exit 0;
    # --strict counts the unprobed framework checks as not verified.
    code, out, _ = _cli(["check", "--from", str(DATA / "old-dlcheck-windows-amd64.json")], capsys)
    assert code == 0 and "Test TensorFlow and Keras" in out and "Not tested yet" in out
    code, *_ = _cli(
        ["check", "--from", str(DATA / "old-dlcheck-windows-amd64.json"), "--strict"], capsys
    )
    assert code == 3


def test_platforms_workflow_runs_check_on_each_platform() -> None:
    """Structure of .github/workflows/platforms.yml (actionlint validates it in full where
    its binary can be installed)."""
    yaml = pytest.importorskip("yaml")
    path = Path(__file__).parents[1] / ".github" / "workflows" / "platforms.yml"
    wf = yaml.safe_load(path.read_text())
    job = wf["jobs"]["check"]
    oses = {m["os"] for m in job["strategy"]["matrix"]["include"]}
    assert oses == {"windows-latest", "macos-latest", "macos-15-intel", "ubuntu-24.04-arm"}
    runs = " ".join(str(s.get("run", "")) for s in job["steps"])
    assert "dlcheck check --json" in runs and "pytest" in runs
    assert any(str(s.get("uses", "")).startswith("actions/upload-artifact") for s in job["steps"])


def test_fresh_laptop_gets_one_install_route_and_no_repair_advice(recorded_machine) -> None:
    """A learner's laptop with nothing installed yet, frameworks probed: every missing package
    points to the course environment, and no test of an uninstalled framework says "reinstall"
    (issue 10/13: advice is never contradictory)."""
    fresh = recorded_machine("fresh-linux-laptop")
    report, steps, rec, _first, _setup = row("fresh", fresh)
    assert report.verdict == "NOT READY" and rec.setup == "cpu"
    by_id = {f.id: f for f in report.findings}
    missing = [f for f in report.findings if f.observed == "not installed" and f.advice]
    assert len(missing) >= 5
    for f in missing:
        assert "dlcheck env create --setup cpu" in f.advice, f
    for fid in ("tensorflow-works", "keras-works", "keras3", "keras-backend"):
        f = by_id[fid]
        assert f.verdict != "PASS", f
        assert "einstall" not in (f.advice or ""), f
        assert f.step == "install" and f.advice == by_id["tensorflow"].advice, f
    assert report.install_command() == "dlcheck env create --setup cpu"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_unprobed_finding_asks_for_the_probe_not_a_repair(machines, name: str) -> None:
    """A framework test that was not run (--no-frameworks, an older report) is not known to
    be broken: its step says how to test it, never "reinstall" or "unset"."""
    _, facts = machines[name]
    report, steps, *_ = row(name, facts)
    for f in steps:
        if f.skipped and f.verdict == "UNKNOWN":
            assert "einstall" not in f.advice and "Unset" not in f.advice, f
            step = next(s for s in (*report.plan.steps, *report.plan.later) if s.id == f.step)
            # the step that answers it tests it: the probe itself, or a step that makes the
            # environment (or goes elsewhere) and is checked there
            assert step.id == "test-frameworks" or step.kind in (
                "route",
                "blocker",
                "install",
                "fix",
                "recommended",
            ), step
