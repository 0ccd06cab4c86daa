"""GPUs: NVIDIA through NVML (nvidia-smi as fallback), Apple Silicon through system_profiler,
AMD through amd-smi or rocm-smi. A GPU is optional for the course."""

from __future__ import annotations

import glob
import json
import platform
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlcheck.records import Gpu, GpuFacts
from dlcheck.subprocesses import run_command

# NVML failures that only mean "no NVIDIA driver here" (the common case on a laptop without one).
# Every other failure is an "error" whose text is kept as a fact; what it means for a person is
# data (dlcheck/data/nvidia-errors.toml), read by the checks.
_ABSENT_MARKERS = ("librarynotfound", "library not found", "libnvidia-ml", "nvml.dll")


def classify_nvml_error(message: str) -> str:
    """The status an NVML exception name or nvidia-smi message means: absent or error."""
    low = message.lower().replace("_", "")
    return "absent" if any(n.replace("_", "") in low for n in _ABSENT_MARKERS) else "error"


def cuda_version_from_int(value: int) -> str:
    """NVML encodes CUDA 12.4 as 12040."""
    return f"{value // 1000}.{(value % 1000) // 10}"


def parse_nvidia_smi_csv(text: str) -> list[Gpu]:
    """Parse ``--query-gpu=name,memory.total,driver_version[,compute_cap]
    --format=csv,noheader,nounits``; memory is in MiB."""
    gpus = []
    for line in text.strip().splitlines():
        cols = [c.strip() for c in line.split(",")]
        if len(cols) < 3:
            continue
        try:
            mem = int(float(cols[1])) * 1024 * 1024
        except ValueError:
            mem = None
        cc = cols[3] if len(cols) > 3 and re.fullmatch(r"\d+\.\d+", cols[3]) else None
        gpus.append(
            Gpu(
                vendor="nvidia",
                name=cols[0],
                memory_bytes=mem,
                driver_version=cols[2] or None,
                compute_capability=cc,
                source="nvidia-smi",
            )
        )
    return gpus


def parse_nvidia_smi_cuda(text: str) -> str | None:
    """The 'CUDA Version: 12.4' field of nvidia-smi's table header."""
    m = re.search(r"CUDA Version:\s*([0-9]+\.[0-9]+)", text)
    return m.group(1) if m else None


def parse_system_profiler(text: str) -> list[Gpu]:
    """Parse ``system_profiler SPDisplaysDataType -json`` from a Mac."""
    data = json.loads(text)
    gpus = []
    for item in data.get("SPDisplaysDataType", []):
        vendor_raw = str(item.get("spdisplays_vendor") or item.get("sppci_vendor") or "").lower()
        name = item.get("sppci_model") or item.get("_name")
        vendor = (
            "apple"
            if "apple" in vendor_raw or str(name).startswith("Apple")
            else (
                "amd"
                if "amd" in vendor_raw or "ati" in vendor_raw
                else "intel"
                if "intel" in vendor_raw
                else "nvidia"
                if "nvidia" in vendor_raw
                else vendor_raw
            )
        )
        metal_raw = str(
            item.get("spdisplays_mtlgpufamilysupport") or item.get("spdisplays_metal") or ""
        )
        metal = None
        if metal_raw:
            m = re.search(r"metal(\d+)", metal_raw.replace("_", "").lower())
            metal = f"Metal {m.group(1)}" if m else metal_raw.replace("spdisplays_", "")
        try:
            cores = int(item["sppci_cores"])
        except (KeyError, ValueError, TypeError):
            cores = None
        mem = None
        vram = str(item.get("spdisplays_vram") or item.get("spdisplays_vram_shared") or "")
        if m2 := re.match(r"\s*(\d+)\s*(MB|GB)", vram):
            mem = int(m2.group(1)) * (1024**3 if m2.group(2) == "GB" else 1024**2)
        gpus.append(
            Gpu(
                vendor=vendor,
                name=name,
                memory_bytes=mem,
                cores=cores,
                metal=metal,
                source="system_profiler",
            )
        )
    return gpus


def _size_to_bytes(value: Any) -> int | None:
    if isinstance(value, dict):
        num, unit = value.get("value"), str(value.get("unit", "B")).upper()
    else:
        m = re.match(r"\s*([\d.]+)\s*([KMGT]?I?B)?", str(value))
        if not m:
            return None
        num, unit = m.group(1), (m.group(2) or "B").upper()
    try:
        n = float(num)
    except (TypeError, ValueError):
        return None
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
    return int(n * scale.get(unit.replace("I", ""), 1))


def parse_amd_smi(text: str) -> list[Gpu]:
    """Parse ``amd-smi static --asic --vram --json``."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("gpu_data", [data])
    gpus = []
    for item in data:
        asic = item.get("asic", {}) or {}
        vram = item.get("vram", {}) or {}
        gpus.append(
            Gpu(
                vendor="amd",
                name=asic.get("market_name") or asic.get("device_id"),
                memory_bytes=_size_to_bytes(vram.get("size")),
                source="amd-smi",
            )
        )
    return gpus


def parse_rocm_smi(text: str) -> list[Gpu]:
    """Parse ``rocm-smi --showproductname --showmeminfo vram --json``."""
    data = json.loads(text)
    gpus = []
    for key, item in data.items():
        if not key.startswith("card") or not isinstance(item, dict):
            continue
        name = item.get("Card series") or item.get("Card SKU") or item.get("Card model")
        mem = item.get("VRAM Total Memory (B)")
        gpus.append(
            Gpu(
                vendor="amd",
                name=name,
                memory_bytes=_size_to_bytes(mem) if mem else None,
                source="rocm-smi",
            )
        )
    return gpus


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _probe_nvml() -> list[Gpu]:
    import pynvml

    pynvml.nvmlInit()
    try:
        driver = _decode(pynvml.nvmlSystemGetDriverVersion())
        try:
            cuda = cuda_version_from_int(pynvml.nvmlSystemGetCudaDriverVersion_v2())
        except pynvml.NVMLError:
            cuda = None
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            try:
                major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(h)
                cc = f"{major}.{minor}"
            except pynvml.NVMLError:
                cc = None
            try:
                mem = int(pynvml.nvmlDeviceGetMemoryInfo(h).total)
            except pynvml.NVMLError:
                mem = None
            gpus.append(
                Gpu(
                    vendor="nvidia",
                    name=_decode(pynvml.nvmlDeviceGetName(h)),
                    memory_bytes=mem,
                    driver_version=driver,
                    cuda_driver_version=cuda,
                    compute_capability=cc,
                    source="nvml",
                )
            )
        return gpus
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:  # noqa: BLE001 - shutdown failure changes nothing we report
            pass


# Where an NVIDIA driver leaves its NVML library on Linux (distributions, containers, WSL2).
_NVML_GLOBS = (
    "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so*",
    "/usr/lib/aarch64-linux-gnu/libnvidia-ml.so*",
    "/usr/lib64/libnvidia-ml.so*",
    "/usr/lib/libnvidia-ml.so*",
    "/usr/local/nvidia/lib64/libnvidia-ml.so*",
    "/usr/local/cuda/lib64/stubs/libnvidia-ml.so*",
    "/usr/lib/wsl/lib/libnvidia-ml.so*",
)


def nvidia_driver_traces(system: str) -> bool:
    """Is there any sign of an NVIDIA driver? Importing and initialising NVML costs about
    40 ms, which a machine without one should not pay. Non-Linux systems always say yes."""
    if system != "Linux":
        return system == "Windows"
    if Path("/proc/driver/nvidia").exists() or shutil.which("nvidia-smi"):
        return True
    return any(glob.glob(pattern) for pattern in _NVML_GLOBS)


def _probe_nvidia(timeout: float) -> tuple[list[Gpu], str, str | None]:
    """Returns (gpus, status, raw error)."""
    if not nvidia_driver_traces(platform.system()):
        return [], "absent", None
    nvml_error = None
    try:
        gpus = _probe_nvml()
        return gpus, ("ok" if gpus else "absent"), None
    except ImportError as exc:
        nvml_error = f"nvidia-ml-py not importable: {exc}"
    except Exception as exc:  # noqa: BLE001 - every NVMLError subclass and ctypes failures
        nvml_error = f"NVML: {type(exc).__name__}: {exc}"
    if not shutil.which("nvidia-smi"):
        status = classify_nvml_error(nvml_error)
        return [], status, (None if status == "absent" else nvml_error)
    res = run_command(
        [
            "nvidia-smi",
            "--query-gpu=name,memory.total,driver_version,compute_cap",
            "--format=csv,noheader,nounits",
        ],
        timeout=timeout,
    )
    if not res.ok and "compute_cap" in (res.stdout + res.stderr):  # drivers before 510
        res = run_command(
            [
                "nvidia-smi",
                "--query-gpu=name,memory.total,driver_version",
                "--format=csv,noheader,nounits",
            ],
            timeout=timeout,
        )
    if not res.ok:
        message = "; ".join(x for x in (nvml_error, res.error, res.stdout.strip()[:200]) if x)
        # A hung tool tells us nothing about the GPU: unknown, not broken.
        return [], ("unknown" if res.returncode is None else "error"), message
    gpus = parse_nvidia_smi_csv(res.stdout)
    head = run_command(["nvidia-smi"], timeout=timeout)
    cuda = parse_nvidia_smi_cuda(head.stdout) if head.ok else None
    gpus = [Gpu(**{**g.__dict__, "cuda_driver_version": cuda}) for g in gpus]
    return gpus, ("ok" if gpus else "absent"), nvml_error


# The AMD tools, newest first: the first one on PATH is asked (its arguments, its parser).
_AMD_TOOLS: tuple[tuple[str, tuple[str, ...], Callable[[str], list[Gpu]]], ...] = (
    ("amd-smi", ("static", "--asic", "--vram", "--json"), parse_amd_smi),
    ("rocm-smi", ("--showproductname", "--showmeminfo", "vram", "--json"), parse_rocm_smi),
)


def probe_gpu(timeout: float = 5.0) -> GpuFacts:
    """Every GPU we can see, with the reason for each backend that failed."""
    gpus, status, raw = _probe_nvidia(timeout)
    notes: list[str] = []
    system = platform.system()
    if system == "Darwin":
        res = run_command(["system_profiler", "SPDisplaysDataType", "-json"], timeout=timeout)
        if res.ok:
            try:
                gpus += parse_system_profiler(res.stdout)
            except (ValueError, AttributeError) as exc:
                notes.append(f"system_profiler output unreadable: {exc}")
        else:
            notes.append(f"Apple GPU unknown: {res.error}")
    if system == "Linux":
        for tool, args, parse in _AMD_TOOLS:
            if not shutil.which(tool):
                continue
            res = run_command([tool, *args], timeout=timeout)
            try:
                gpus += parse(res.stdout) if res.ok else []
                if not res.ok:
                    notes.append(f"AMD GPU unknown: {res.error}")
            except (ValueError, AttributeError, TypeError) as exc:
                notes.append(f"{tool} output unreadable: {exc}")
            break
    return GpuFacts(gpus=gpus, nvidia_status=status, nvidia_error=raw, notes=notes)
