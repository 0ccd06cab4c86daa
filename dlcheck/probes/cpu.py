"""CPU model, cores this process may use, and the instruction sets TensorFlow needs.

py-cpuinfo's ``get_cpu_info()`` spends about a second measuring the clock, so the fast
sources are read first (/proc/cpuinfo on Linux, sysctl on macOS, the registry and
IsProcessorFeaturePresent on Windows) and the full py-cpuinfo call is only a bounded fallback.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from dlcheck.probes.cgroup import read_cgroup_limits
from dlcheck.probes.system import normalise_arch
from dlcheck.records import CpuFacts
from dlcheck.subprocesses import call_with_timeout, run_command

# The instruction sets worth reporting; TensorFlow's x86-64 wheels need AVX.
INTERESTING_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "amx_tile",
    "neon",
    "asimd",
    "sve",
)


def parse_proc_cpuinfo(text: str) -> dict[str, Any]:
    """Parse Linux /proc/cpuinfo (x86 and arm64 layouts)."""
    model = vendor = board = None
    flags: set[str] = set()
    logical = 0
    cores: set[tuple[str, str]] = set()
    mhz: float | None = None
    implementer = part = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "processor":
            logical += 1
            physical_id = core_id = None
        elif key in ("model name", "cpu model") and not model:
            model = value
        elif key == "model" and not value.isdigit():
            board = value  # arm boards: "Raspberry Pi 4 Model B Rev 1.1"
        elif key == "hardware":
            board = board or value
        elif key == "vendor_id" and not vendor:
            vendor = value
        elif key in ("flags", "features"):
            flags.update(value.lower().split())
        elif key == "cpu mhz" and mhz is None:
            try:
                mhz = float(value)
            except ValueError:
                pass
        elif key == "cpu implementer" and implementer is None:
            implementer = value
        elif key == "cpu part" and part is None:
            part = value
        elif key == "physical id":
            physical_id = value
        elif key == "core id":
            core_id = value
            if physical_id is not None:
                cores.add((physical_id, core_id))
    if vendor is None and implementer is not None:
        vendor = _ARM_IMPLEMENTERS.get(implementer.lower(), f"ARM implementer {implementer}")
    if model is None and implementer is not None:
        model = f"{vendor} CPU part {part}" if part else vendor
    if board:
        model = f"{model} ({board})" if model else board
    return {
        "model": model,
        "vendor": vendor,
        "flags": flags,
        "logical": logical or None,
        "physical": len(cores) or None,
        "mhz": mhz,
    }


_ARM_IMPLEMENTERS = {
    "0x41": "ARM",
    "0x42": "Broadcom",
    "0x43": "Cavium",
    "0x46": "Fujitsu",
    "0x48": "HiSilicon",
    "0x4e": "NVIDIA",
    "0x51": "Qualcomm",
    "0x61": "Apple",
    "0xc0": "Ampere",
}


def parse_sysctl(text: str) -> dict[str, Any]:
    """Parse ``sysctl machdep.cpu hw`` output from macOS (Intel or Apple Silicon)."""
    kv: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            kv[key.strip()] = value.strip()
    flags: set[str] = set()
    for k in ("machdep.cpu.features", "machdep.cpu.leaf7_features", "machdep.cpu.extfeatures"):
        for f in kv.get(k, "").lower().split():
            # macOS spells AVX "avx1.0"
            flags.add("avx" if f == "avx1.0" else f.replace(".", "_"))
    for key, value in kv.items():
        if key.startswith("hw.optional.") and value == "1":
            name = key.rsplit(".", 1)[-1].lower()
            name = {"avx1_0": "avx", "avx512f": "avx512f", "avx2_0": "avx2", "neon": "neon"}.get(
                name, name
            )
            if name.startswith("arm.feat_"):
                continue
            flags.add(name)

    def _int(k: str) -> int | None:
        try:
            return int(kv[k])
        except (KeyError, ValueError):
            return None

    hz = _int("hw.cpufrequency") or _int("hw.cpufrequency_max")
    model = kv.get("machdep.cpu.brand_string")
    vendor = kv.get("machdep.cpu.vendor") or (
        "Apple" if model and model.startswith("Apple") else None
    )
    return {
        "model": model,
        "vendor": vendor,
        "flags": flags,
        "logical": _int("hw.logicalcpu") or _int("hw.ncpu"),
        "physical": _int("hw.physicalcpu"),
        "mhz": hz / 1e6 if hz else None,
    }


def instruction_sets(flags: set[str], arch: str) -> dict[str, bool | None]:
    """Decide AVX/AVX2/FMA/AVX-512F/NEON from a flag set; None where the flag set is empty."""
    if not flags:
        if arch == "arm64":
            # NEON (Advanced SIMD) is mandatory in ARMv8-A.
            return {"avx": None, "avx2": None, "fma": None, "avx512f": None, "neon": True}
        return {"avx": None, "avx2": None, "fma": None, "avx512f": None, "neon": None}
    if arch == "arm64":
        return {"avx": False, "avx2": False, "fma": False, "avx512f": False, "neon": True}
    return {
        "avx": "avx" in flags,
        "avx2": "avx2" in flags,
        "fma": "fma" in flags,
        "avx512f": "avx512f" in flags,
        "neon": False,
    }


def usable_cores(
    logical: int | None, affinity: int | None, quota: float | None
) -> tuple[float | None, str | None]:
    """Cores this process may use: the smallest of logical CPUs, affinity mask and cgroup quota."""
    candidates: list[tuple[float, str]] = []
    if logical:
        candidates.append((float(logical), "logical CPUs"))
    if affinity:
        candidates.append((float(affinity), "CPU affinity"))
    if quota:
        candidates.append((round(quota, 2), "cgroup CPU quota"))
    if not candidates:
        return None, None
    value, source = min(candidates, key=lambda c: c[0])
    return value, source


def _affinity() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        try:
            return len(os.sched_getaffinity(0))
        except OSError:
            return None
    try:
        import psutil

        aff = psutil.Process().cpu_affinity()
        return len(aff) if aff else None
    except Exception:  # noqa: BLE001 - psutil raises platform-specific errors
        return None


def _windows_features() -> set[str]:
    """AVX/AVX2/AVX-512F through IsProcessorFeaturePresent (Windows 10 and later)."""
    import ctypes

    flags: set[str] = set()
    is_present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
    for code, name in ((39, "avx"), (40, "avx2"), (41, "avx512f"), (19, "neon")):
        if is_present(code):
            flags.add(name)
    return flags


def _pycpuinfo_full(timeout: float) -> dict[str, Any]:
    """The slow, complete py-cpuinfo call, abandoned after ``timeout`` seconds."""
    import cpuinfo

    info = call_with_timeout(cpuinfo.get_cpu_info, timeout)
    return {
        "model": info.get("brand_raw"),
        "vendor": info.get("vendor_id_raw"),
        "flags": set(info.get("flags", [])),
        "logical": info.get("count"),
        "physical": None,
        "mhz": (info.get("hz_advertised") or [0])[0] / 1e6 or None,
    }


def probe_cpu(timeout: float = 3.0, cgroup_root: Path = Path("/")) -> CpuFacts:
    """Describe the CPU and how much of it this process may use."""
    system = platform.system()
    arch = normalise_arch(platform.machine())
    info: dict[str, Any] = {}
    source = None
    notes: list[str] = []
    if system == "Linux":
        try:
            info = parse_proc_cpuinfo(Path("/proc/cpuinfo").read_text(errors="replace"))
            source = "/proc/cpuinfo"
        except OSError as exc:
            notes.append(f"/proc/cpuinfo unreadable: {exc}")
    elif system == "Darwin":
        res = run_command(["sysctl", "machdep.cpu", "hw"], timeout=timeout)
        if res.ok or res.stdout:
            info = parse_sysctl(res.stdout)
            source = "sysctl"
        else:
            notes.append(res.error or "sysctl failed")
    elif system == "Windows":
        try:
            import cpuinfo

            reg = cpuinfo.cpuinfo._get_cpu_info_from_registry()  # fast: registry only
            info = {
                "model": reg.get("brand_raw"),
                "vendor": reg.get("vendor_id_raw"),
                "flags": _windows_features(),
                "logical": os.cpu_count(),
                "physical": None,
                "mhz": (reg.get("hz_advertised") or [0])[0] / 1e6 or None,
            }
            source = "registry"
        except Exception as exc:  # noqa: BLE001 - private API of py-cpuinfo, any failure
            notes.append(f"registry: {exc}")
    if not info.get("flags") and arch not in ("arm64",):
        try:
            info = {**_pycpuinfo_full(timeout), **{k: v for k, v in info.items() if v}}
            source = "py-cpuinfo"
        except Exception as exc:  # noqa: BLE001 - timeout or any py-cpuinfo failure
            notes.append(f"py-cpuinfo: {type(exc).__name__} {exc}".strip())
    logical = info.get("logical") or os.cpu_count()
    physical = info.get("physical")
    try:
        import psutil

        physical = physical or psutil.cpu_count(logical=False)
        freq = psutil.cpu_freq()
        mhz = (freq.max or freq.current) if freq else None
    except Exception:  # noqa: BLE001 - psutil.cpu_freq fails on some VMs
        mhz = None
    mhz = mhz or info.get("mhz")
    quota = read_cgroup_limits(cgroup_root).cpu_quota if system == "Linux" else None
    usable, usable_source = usable_cores(logical, _affinity(), quota)
    flags = set(info.get("flags") or ())
    isa = instruction_sets(flags, arch)
    # Rosetta hides arm64 from an x86-64 Python; its translated CPU has AVX from macOS 15 on
    # only, so the flags are reported as they are and the platform facts say "rosetta".
    error = "; ".join(notes) if notes and not info else None
    return CpuFacts(
        model=info.get("model"),
        vendor=info.get("vendor"),
        arch=arch,
        logical_cores=logical,
        physical_cores=physical,
        usable_cores=usable,
        usable_source=usable_source,
        flags=sorted(f for f in flags if f in INTERESTING_FLAGS),
        avx=isa["avx"],
        avx2=isa["avx2"],
        fma=isa["fma"],
        avx512f=isa["avx512f"],
        neon=isa["neon"],
        freq_mhz=round(mhz, 1) if mhz else None,
        source=source,
        error=error,
    )
