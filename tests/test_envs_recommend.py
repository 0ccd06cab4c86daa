"""`dlcheck env recommend` on recorded machines."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from dlcheck.cli import main
from dlcheck.envs.recommend import recommend, recommend_setup
from dlcheck.envs.setups import load_catalog
from dlcheck.records import (
    CpuFacts,
    Facts,
    Gpu,
    GpuFacts,
    OtherPython,
    PlatformFacts,
    PythonFacts,
    to_dict,
)

CATALOG = load_catalog()


def machine(
    system: str,
    arch: str,
    nvidia: str = "absent",
    wsl: bool = False,
    rosetta: bool = False,
    avx: bool | None = True,
) -> Facts:
    gpus = []
    if nvidia == "ok":
        gpus = [Gpu(vendor="nvidia", name="NVIDIA GeForce RTX 3060", cuda_driver_version="12.4")]
    if system == "Darwin" and arch == "arm64":
        gpus = [Gpu(vendor="apple", name="Apple M2", cores=10)]
    return Facts(
        platform=PlatformFacts(
            system=system, machine=arch, wsl=wsl, wsl_version=2 if wsl else None, rosetta=rosetta
        ),
        cpu=CpuFacts(avx=avx),
        gpu=GpuFacts(
            gpus=gpus,
            nvidia_status=nvidia,
            nvidia_error="NVMLError_DriverNotLoaded" if nvidia == "error" else None,
        ),
    )


@pytest.mark.parametrize(
    "facts, setup, platform",
    [
        (machine("Linux", "x86_64", "ok"), "nvidia", "linux-64"),
        (machine("Linux", "x86_64", "ok", wsl=True), "nvidia", "linux-64"),
        (machine("Linux", "x86_64"), "cpu", "linux-64"),
        (machine("Linux", "x86_64", "error"), "cpu", "linux-64"),
        (machine("Windows", "x86_64", "ok"), "cpu", "win-64"),
        (machine("Windows", "x86_64"), "cpu", "win-64"),
        (machine("Darwin", "arm64"), "cpu", "osx-arm64"),
        (machine("Darwin", "arm64", rosetta=True), "cpu", "osx-arm64"),
        (machine("Darwin", "x86_64"), "cpu", "osx-64"),
    ],
)
def test_recorded_machines(facts: Facts, setup: str, platform: str) -> None:
    rec = recommend(facts, CATALOG)
    assert (rec.setup, rec.platform) == (setup, platform)
    pip = next(r for r in rec.routes if r.name == "pip")
    lock_cmd = f"python -m pip install --require-hashes -r envs/{setup}/pylock.txt"
    assert lock_cmd in pip.commands
    assert "python -m pip install --no-deps -e ." in pip.commands
    assert pip.commands[-1] == f"dlcheck env verify --setup {setup}"
    conda = next(r for r in rec.routes if r.name == "conda")
    assert f"conda-lock install --name dl-{setup} envs/{setup}/conda-lock.yml" in conda.commands
    if platform == "win-64":
        assert pip.commands[:2] == ["py -3.12 -m venv .venv-cpu", ".venv-cpu\\Scripts\\activate"]
    else:
        assert pip.commands[0] == f"python3.12 -m venv .venv-{setup}"


def test_reasons_and_notes() -> None:
    win = recommend(machine("Windows", "x86_64", "ok"), CATALOG)
    assert "native Windows has no GPU TensorFlow" in win.reasons[0]
    assert any("WSL2" in a for a in win.alternatives)
    broken = recommend(machine("Linux", "x86_64", "error"), CATALOG)
    assert "not working" in broken.reasons[0]
    assert any("installed but not running: reboot" in n for n in broken.notes)
    intel_mac = recommend(machine("Darwin", "x86_64"), CATALOG)
    assert any("2.16.2" in n for n in intel_mac.notes)
    assert not any("keras-torch" in a for a in intel_mac.alternatives)  # no osx-64 torch lock
    rosetta = recommend(machine("Darwin", "arm64", rosetta=True), CATALOG)
    assert any("Rosetta" in n for n in rosetta.notes)
    old_cpu = recommend(machine("Linux", "x86_64", avx=False), CATALOG)
    assert old_cpu.setup is None and any("AVX" in r for r in old_cpu.reasons)
    assert [r.name for r in old_cpu.routes] == ["cloud notebook"]
    wsl = recommend(machine("Linux", "x86_64", "ok", wsl=True), CATALOG)
    assert "WSL2" in wsl.reasons[0]


def test_every_platform_gets_a_route() -> None:
    arm = recommend(machine("Linux", "arm64"), CATALOG)
    assert arm.setup == "cpu" and arm.platform == "linux-aarch64" and arm.routes
    unknown = recommend(machine("FreeBSD", "x86_64"), CATALOG)
    assert unknown.setup is None and unknown.routes[0].name == "cloud notebook"
    winarm = recommend(machine("Windows", "arm64"), CATALOG)
    assert winarm.setup is None and [r.name for r in winarm.routes] == ["WSL2", "cloud notebook"]
    assert not any("tensorflow" in c for r in winarm.routes for c in r.commands)


def test_conda_route_only_where_its_lock_exists() -> None:
    rec = recommend(machine("Linux", "x86_64"), CATALOG, conda_ready=set())
    assert [r.name for r in rec.routes] == ["one command", "pip"]
    assert rec.routes[0].commands == ["dlcheck env create --setup cpu"]
    ready = recommend(machine("Linux", "x86_64"), CATALOG, conda_ready={"cpu"})
    assert [r.name for r in ready.routes] == ["one command", "pip", "conda"]


def test_gpu_setup_only_where_the_driver_runs_its_build() -> None:
    old = machine("Linux", "x86_64", "ok")
    from dataclasses import replace

    gpu = replace(old.gpu.gpus[0], cuda_driver_version="11.4", driver_version="470.82.01")
    old = replace(old, gpu=replace(old.gpu, gpus=[gpu]))
    rec = recommend(old, CATALOG)
    assert rec.setup == "cpu" and "too old" in rec.reasons[0] and "525.60.13" in rec.reasons[0]
    hpc = replace(old, platform=replace(old.platform, context=["slurm"]))
    notes = " ".join(recommend(hpc, CATALOG).notes)
    assert "HPC support" in notes and "sudo" not in notes


def _report(tmp_path: Path, facts: Facts) -> Path:
    path = tmp_path / "report.json"
    path.write_text(
        json.dumps({"schema": "dlcheck.report", "schema_version": 1, "facts": to_dict(facts)})
    )
    return path


def test_cli_from_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _report(tmp_path, machine("Linux", "x86_64", "ok", wsl=True))
    with pytest.raises(SystemExit) as exc:
        main(["env", "recommend", "--from", str(path), "--json"])
    assert exc.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "dlcheck.env-recommend" and data["setup"] == "nvidia"
    with pytest.raises(SystemExit) as exc:
        main(["env", "recommend", "--from", str(path)])
    out = capsys.readouterr().out
    assert "Setup: nvidia (linux-64)" in out
    assert "pip install --require-hashes -r envs/nvidia/pylock.txt" in out
    with pytest.raises(SystemExit) as exc:
        main(["env", "recommend", "--from", str(path), "--setup", "keras-torch", "--markdown"])
    md = capsys.readouterr().out
    assert md.startswith("## dlcheck env recommend: keras-torch (linux-64)")
    assert "envs/keras-torch/pylock.txt" in md


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for argv in (
        ["env", "recommend", "--from", str(bad)],
        ["env", "recommend", "--from", str(tmp_path / "none.json")],
        ["env", "recommend", "--setup", "gpu-please"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_cli_from_report_takes_its_course(capsys: pytest.CaptureFixture[str]) -> None:
    """A report checked with --course torch is recommended keras-torch (as `check --from`
    judges it), unless --course says otherwise."""
    path = Path(__file__).parent / "data" / "reports" / "torch-linux-laptop.check.json"
    with pytest.raises(SystemExit) as exc:
        main(["env", "recommend", "--from", str(path)])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert out.startswith("Setup: keras-torch (linux-64)")
    assert "dlcheck env create --setup keras-torch" in out and "--course torch" in out
    with pytest.raises(SystemExit) as exc:
        main(["env", "recommend", "--from", str(path), "--course", "tensorflow"])
    assert capsys.readouterr().out.startswith("Setup: cpu (linux-64)")


def _with_python(facts: Facts, version: str, others: list[OtherPython]) -> Facts:
    return dataclasses.replace(facts, python=PythonFacts(version=version, others=others))


@pytest.mark.parametrize("setup", ["keras-torch", "nvidia", "cpu"])
def test_chosen_setup_uses_the_python_already_here(setup: str) -> None:
    """--setup/--course: the venv is made with the running Python when the setup's range
    covers it (stock Debian 12: 3.11, no python3.12), else with another one on the machine."""
    linux = machine("Linux", "x86_64", "ok")
    rec = recommend_setup(_with_python(linux, "3.11.2", []), CATALOG, setup)
    pip = next(r for r in rec.routes if r.name == "pip")
    assert pip.commands[0] == f"python3.11 -m venv .venv-{setup}"
    assert pip.comment is not None and pip.comment.endswith("(use 3.11)")
    assert "from a clone" not in pip.comment  # the heading says it once (route_heading)
    older = _with_python(linux, "3.9.2", [OtherPython("3.11", "python3.11 on PATH")])
    pip = next(r for r in recommend_setup(older, CATALOG, setup).routes if r.name == "pip")
    assert pip.commands[0] == f"python3.11 -m venv .venv-{setup}"
    assert (
        next(r for r in recommend(older, CATALOG).routes if r.name == "pip")
        .commands[0]
        .startswith("python3.11 -m venv")
    )


def test_pip_route_heading_says_where_once() -> None:
    from dlcheck.envs.render import render_recommend_text

    rec = recommend_setup(machine("Linux", "x86_64"), CATALOG, "keras-torch")
    buf = io.StringIO()
    render_recommend_text(rec, file=buf, width=300)
    heading = next(ln for ln in buf.getvalue().splitlines() if "step by step with pip" in ln)
    assert heading.count("from a clone of the dlcheck repository") == 1, heading
