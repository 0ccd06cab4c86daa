"""The framework probe with real subprocesses: stand-in packages that crash, hang and fail
to import (none may stop the report), the real TensorFlow/Keras and PyTorch on this machine,
and the CLI end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import need

from dlcheck.frameworks.probe import FrameworkProbe

pytestmark = pytest.mark.e2e  # the real CLI or the framework child, as processes

FAKE = str(Path(__file__).parent / "data" / "fake_pkgs")


def env_with_fakes() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = FAKE + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("KERAS_BACKEND", None)
    return env


def dlcheck(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "dlcheck", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )


def by_name(facts_fw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in facts_fw["results"]}


@pytest.mark.slow
def test_crash_hang_and_import_error_are_records() -> None:
    start = time.perf_counter()
    probe = FrameworkProbe(
        [["tensorflow", "keras"], ["torch"], ["jax"]], timeout=3, env=env_with_fakes()
    )
    res = {r.name: r for r in probe.result().results}
    took = time.perf_counter() - start
    assert res["tensorflow"].status == "crashed" and res["tensorflow"].signal == "SIGILL"
    assert res["tensorflow"].returncode == -4
    assert "Illegal instruction" in (res["tensorflow"].reason or "")
    assert res["keras"].status == "crashed"  # never reached: shared the crashed process
    assert res["torch"].status == "import-error"
    assert "libtorch_cpu.so" in (res["torch"].reason or "")
    assert res["jax"].status == "timeout"
    assert took < 15, f"the hung probe held the report for {took:.1f} s"


def test_a_module_in_the_current_folder_does_not_stand_in(tmp_path: Path) -> None:
    (tmp_path / "torch.py").write_text("raise SystemExit(7)\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        (res,) = FrameworkProbe([["torch"]], timeout=30, env=env_with_fakes()).result().results
    finally:
        os.chdir(old)
    assert res.status == "import-error" and "libtorch_cpu.so" in (res.reason or "")


@pytest.mark.slow
def test_real_tensorflow_keras_and_torch() -> None:
    need("tensorflow")
    need("torch")
    import importlib.metadata as md

    probe = FrameworkProbe([["tensorflow", "keras"], ["torch"]], timeout=240)
    res = {r.name: r for r in probe.result().results}
    tf = res["tensorflow"]
    assert tf.status == "ok", tf
    assert tf.version == md.version("tensorflow")
    assert "is_cuda_build" in tf.build
    cpu = [d for d in tf.devices if d.name == "/CPU:0"]
    assert cpu and cpu[0].matmul == "ok"
    assert res["keras"].status == "ok" and res["keras"].backend == "tensorflow"
    assert (res["keras"].version or "").startswith("3.")
    torch = res["torch"]
    assert torch.status == "ok", torch
    assert torch.version == md.version("torch")
    assert [d.name for d in torch.devices][:1] == ["cpu"] and torch.devices[0].matmul == "ok"


@pytest.mark.slow
def test_keras_on_a_backend_that_is_not_installed(tmp_path: Path) -> None:
    need("keras")
    from dlcheck.frameworks.probe import installed_frameworks
    from dlcheck.probes.packages import installed_distributions

    if "jax" in installed_frameworks(installed_distributions()):
        pytest.skip("jax is installed here")
    env = dict(os.environ, KERAS_BACKEND="jax")
    (res,) = FrameworkProbe([["keras"]], timeout=120, env=env).result().results
    assert res.status == "import-error" and "jax" in (res.reason or "")
    proc = dlcheck("--json", "--framework-timeout", "120", env=env, cwd=tmp_path)
    findings = {f["id"]: f for f in json.loads(proc.stdout)["findings"]}
    assert findings["keras-backend"]["verdict"] == "FAIL"
    assert "pip install jax" in findings["keras-works"]["advice"]


@pytest.mark.slow
def test_cli_with_stand_ins_still_reports(tmp_path: Path) -> None:
    proc = dlcheck("--json", "--framework-timeout", "3", env=env_with_fakes(), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    res = by_name(report["facts"]["frameworks"])
    assert res["tensorflow"]["signal"] == "SIGILL"
    assert res["torch"]["status"] == "import-error"
    assert res["jax"]["status"] == "timeout"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["tensorflow-works"]["verdict"] == "FAIL"
    assert findings["pytorch-works"]["verdict"] == "WARN"
    assert findings["jax-works"]["verdict"] == "WARN"


@pytest.mark.slow
def test_cli_end_to_end_and_from(tmp_path: Path) -> None:
    need("tensorflow")
    env = dict(os.environ)
    env.pop("KERAS_BACKEND", None)
    proc = dlcheck("--json", "--framework-timeout", "240", env=env, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    res = by_name(report["facts"]["frameworks"])
    assert res["tensorflow"]["status"] == "ok" and res["keras"]["status"] == "ok"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["tensorflow-works"]["verdict"] == "PASS"

    # --from re-evaluates the saved facts without probing: change them, the verdict follows.
    saved = tmp_path / "me.json"
    tf = next(r for r in report["facts"]["frameworks"]["results"] if r["name"] == "tensorflow")
    tf.update(status="crashed", signal="SIGILL", reason="the process died of SIGILL", devices=[])
    saved.write_text(json.dumps(report))
    start = time.perf_counter()
    again = dlcheck("--from", str(saved), "--json", cwd=tmp_path)
    assert time.perf_counter() - start < 20
    assert again.returncode == 1, again.stderr
    re_eval = json.loads(again.stdout)
    assert {f["id"]: f for f in re_eval["findings"]}["tensorflow-works"]["verdict"] == "FAIL"
    assert re_eval["facts"]["frameworks"] == report["facts"]["frameworks"]

    # The text report names the frameworks in the machine summary.
    text = dlcheck("--from", str(saved), cwd=tmp_path)
    assert "Frameworks" in text.stdout and "SIGILL" in text.stdout


def test_no_frameworks_has_none(tmp_path: Path) -> None:
    proc = dlcheck("--json", "--no-frameworks", cwd=tmp_path)
    report = json.loads(proc.stdout)
    assert "frameworks" not in report["facts"]
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["tensorflow-works"]["verdict"] == "UNKNOWN"


def test_bad_framework_timeout_is_one_line(tmp_path: Path) -> None:
    proc = dlcheck("--framework-timeout", "0", "--no-frameworks", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "framework-timeout" in proc.stderr
    assert "Traceback" not in proc.stderr
