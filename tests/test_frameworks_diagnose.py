"""Each diagnosis on recorded facts from machines dlcheck cannot be run on here, judged
through the default profile like every other requirement."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dlcheck.features import SECTION_NAMES
from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import facts_from_dict
from dlcheck.verdict import Finding, evaluate

DATA = Path(__file__).parent / "data" / "frameworks"


def raw(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def judge(data: dict[str, Any]) -> dict[str, Finding]:
    facts = facts_from_dict(data, SECTION_NAMES)
    return {f.id: f for f in evaluate(facts, load_profile(), load_places())}


def fw_result(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in data["frameworks"]["results"] if r["name"] == name)


def test_windows_laptop_nvidia_tf215_needs_wsl2() -> None:
    f = judge(raw("win-laptop-nvidia-tf215.json"))
    gpu = f["tensorflow-gpu"]
    assert gpu.verdict == "WARN"
    assert "native Windows" in gpu.observed
    assert gpu.advice and "WSL2" in gpu.advice
    # tensorflow + tensorflow-intel of the same version is one TensorFlow, not a conflict.
    assert f["tensorflow-single"].verdict == "PASS"
    assert f["keras3"].verdict == "FAIL" and "2.15" in f["keras3"].observed
    assert f["tensorflow-works"].verdict == "PASS"


def test_linux_driver_cuda_118_with_tf_built_for_125() -> None:
    f = judge(raw("linux-driver-cuda118-tf-cuda125.json"))
    gpu = f["tensorflow-gpu"]
    assert gpu.verdict == "WARN"
    assert "11.8" in gpu.observed and "12.5" in gpu.observed
    assert gpu.advice and "driver" in gpu.advice and "12.5" in gpu.advice


def test_m1_with_x86_python_under_rosetta() -> None:
    f = judge(raw("m1-rosetta-x86-python.json"))
    assert f["python-native"].verdict == "FAIL"
    works = f["tensorflow-works"]
    assert works.verdict == "FAIL" and "SIGILL" in works.observed
    assert works.advice and "Rosetta" in works.advice and "arm64" in works.advice
    assert f["cpu-arch"].verdict == "PASS"  # the hardware is arm64 whatever Rosetta reports
    assert f["keras-works"].verdict == "FAIL"


def test_tensorflow_and_tensorflow_cpu_installed() -> None:
    f = judge(raw("linux-tensorflow-and-tensorflow-cpu.json"))
    single = f["tensorflow-single"]
    assert single.verdict == "FAIL"
    assert "tensorflow-cpu" in single.observed
    assert single.advice and "remove tensorflow-cpu" in single.advice
    assert "uninstall -y tensorflow tensorflow-cpu" in single.advice
    assert f["tensorflow-works"].verdict == "FAIL"
    assert "two TensorFlow distributions" in (f["tensorflow-works"].advice or "")


def _nvidia_linux(**tf: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw("linux-driver-cuda118-tf-cuda125.json"))
    data["gpu"]["gpus"][0]["cuda_driver_version"] = "12.8"
    fw_result(data, "tensorflow").update(tf)
    return data


def test_cpu_only_build_on_nvidia_linux() -> None:
    data = _nvidia_linux(build={"is_cuda_build": False})
    data["packages"]["versions"] = {"tensorflow-cpu": "2.20.0", "keras": "3.11.3"}
    gpu = judge(data)["tensorflow-gpu"]
    assert gpu.verdict == "WARN" and "CPU-only" in gpu.observed
    assert gpu.advice and "tensorflow[and-cuda]" in gpu.advice and "tensorflow-cpu" in gpu.advice


def test_cuda_libraries_missing() -> None:
    data = _nvidia_linux(stderr_tail=["W gpu_device.cc] Cannot dlopen some GPU libraries."])
    for name in ("nvidia-cudnn-cu12", "nvidia-cuda-runtime-cu12"):
        del data["packages"]["versions"][name]
    gpu = judge(data)["tensorflow-gpu"]
    assert gpu.verdict == "WARN" and "no CUDA libraries" in gpu.observed
    assert gpu.advice and 'pip install "tensorflow[and-cuda]"' in gpu.advice


def test_gpu_seen_passes_and_hidden_gpu_named() -> None:
    data = _nvidia_linux()
    fw_result(data, "tensorflow")["devices"].append(
        {"name": "/GPU:0", "kind": "gpu", "model": "NVIDIA GeForce RTX 2070", "matmul": "ok"}
    )
    assert judge(data)["tensorflow-gpu"].verdict == "PASS"
    hidden = _nvidia_linux()
    hidden["frameworks"]["env"] = {"CUDA_VISIBLE_DEVICES": "-1"}
    gpu = judge(hidden)["tensorflow-gpu"]
    assert gpu.verdict == "WARN" and "CUDA_VISIBLE_DEVICES" in (gpu.advice or "")


def test_nvml_driver_library_mismatch_means_reboot() -> None:
    data = raw("linux-driver-cuda118-tf-cuda125.json")
    data["gpu"] = {
        "nvidia_status": "error",
        "nvidia_error": "Driver/library version mismatch",
        "gpus": [],
    }
    gpu = judge(data)["tensorflow-gpu"]
    assert gpu.verdict == "WARN" and gpu.advice and "reboot" in gpu.advice


def test_wrong_product_on_gpu_is_a_failure() -> None:
    data = _nvidia_linux(status="error", reason="matrix product failed or was wrong on /GPU:0")
    fw_result(data, "tensorflow")["devices"].append(
        {"name": "/GPU:0", "kind": "gpu", "matmul": "wrong"}
    )
    works = judge(data)["tensorflow-works"]
    assert works.verdict == "FAIL" and "wrong result" in works.observed
    assert works.advice and "CUDA_VISIBLE_DEVICES=-1" in works.advice


def test_sigill_without_avx_points_elsewhere() -> None:
    data = raw("m1-rosetta-x86-python.json")
    data["platform"] = {"system": "Linux", "machine": "x86_64", "rosetta": False}
    data["cpu"] = {"model": "Intel(R) Pentium(R) CPU N3710", "arch": "x86_64", "avx": False}
    f = judge(data)
    assert f["cpu-arch"].verdict == "FAIL"
    advice = f["tensorflow-works"].advice or ""
    assert "no AVX" in advice and "Colab" in advice  # {places} filled in


@pytest.mark.parametrize(
    ("status", "reason", "needle"),
    [
        ("timeout", "no answer within 60 s", "--framework-timeout"),
        ("import-error", "ImportError: libcudart.so.12: cannot open", "--force-reinstall"),
    ],
)
def test_timeout_and_import_error_advice(status: str, reason: str, needle: str) -> None:
    data = raw("win-laptop-nvidia-tf215.json")
    fw_result(data, "tensorflow").update(status=status, reason=reason, devices=[])
    works = judge(data)["tensorflow-works"]
    assert works.verdict == "FAIL" and needle in (works.advice or "")


def test_keras_backend_not_installed_and_legacy_keras() -> None:
    data = raw("linux-driver-cuda118-tf-cuda125.json")
    data["frameworks"].update(
        keras_backend="torch",
        keras_backend_source="KERAS_BACKEND",
        env={"KERAS_BACKEND": "torch", "TF_USE_LEGACY_KERAS": "1"},
    )
    f = judge(data)
    kb = f["keras-backend"]
    # the TensorFlow flavour needs the TensorFlow backend (issue 26): the variable is named
    assert kb.verdict == "FAIL" and "set by KERAS_BACKEND" in kb.observed
    assert kb.advice and "unset KERAS_BACKEND" in kb.advice
    assert "pip install torch" not in kb.advice  # never install the wrong backend
    k3 = f["keras3"]
    assert k3.verdict == "FAIL" and "TF_USE_LEGACY_KERAS" in k3.observed
    data["packages"]["versions"]["torch"] = "2.13.0"
    data["frameworks"]["env"] = {"KERAS_BACKEND": "torch"}
    f = judge(data)
    # torch installed and chosen: still not this flavour's backend; one fix, or the other
    # flavour's check (episode 5 calls TensorFlow inside the model)
    kb = f["keras-backend"]
    assert kb.verdict == "FAIL" and f["keras3"].verdict == "PASS"
    assert "unset KERAS_BACKEND" in kb.advice and "dlcheck check --course torch" in kb.advice


@pytest.mark.parametrize(
    ("metal", "tf", "verdict"),
    [
        (None, "2.20.0", "PASS"),
        ("1.1.0", "2.16.2", "PASS"),
        ("1.1.0", "2.18.0", "WARN"),
        ("1.2.0", "2.19.0", "PASS"),
        ("1.2.0", "2.20.0", "WARN"),
    ],
)
def test_tensorflow_metal_pairs(metal: str | None, tf: str, verdict: str) -> None:
    data = raw("m1-rosetta-x86-python.json")
    data["platform"]["rosetta"] = False
    data["packages"]["versions"] = {"tensorflow": tf, "keras": "3.11.3"}
    fw_result(data, "tensorflow").update(status="ok", signal=None, version=tf)
    if metal:
        data["packages"]["versions"]["tensorflow-metal"] = metal
    found = judge(data)["tensorflow-metal"]
    assert found.verdict == verdict, found
    if verdict == "WARN":
        assert "uninstall -y tensorflow-metal" in (found.advice or "")


def test_not_probed_is_unknown_not_pass() -> None:
    data = raw("win-laptop-nvidia-tf215.json")
    del data["frameworks"]
    f = judge(data)
    assert f["tensorflow-works"].verdict == "UNKNOWN"
    assert f["keras-backend"].verdict == "UNKNOWN"
    # What the packages and platform prove alone still shows.
    assert f["tensorflow-gpu"].verdict == "WARN" and "WSL2" in (f["tensorflow-gpu"].advice or "")
    assert f["pytorch-works"].verdict == "PASS"  # not installed, not needed
