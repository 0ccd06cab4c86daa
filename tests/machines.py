"""Facts of distinct machines, written by hand from what their probes would report."""

from __future__ import annotations

from dlcheck.records import (
    CpuFacts,
    DiskFacts,
    Facts,
    Gpu,
    GpuFacts,
    MemoryFacts,
    PackageFacts,
    PlatformFacts,
    PythonFacts,
)

GIB = 1024**3

COURSE_OK = {
    "tensorflow": "2.20.0",
    "keras": "3.11.3",
    "scikit-learn": "1.7.2",
    "pandas": "2.3.3",
    "seaborn": "0.13.2",
    "jupyterlab": "4.4.9",
    "pydot": "4.0.1",
    "keras-tuner": "1.4.7",
    "numpy": "2.1.3",
}


def m1_air_8gb() -> Facts:
    """MacBook Air M1, 8 GB, arm64 Python 3.12 from python.org, course installed, no Graphviz."""
    return Facts(
        created="2026-11-20T09:00:00+00:00",
        dlcheck_version="0.1.0",
        platform=PlatformFacts(
            system="Darwin",
            os_name="macOS 15.1",
            os_version="15.1",
            machine="arm64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            hostname="Annas-MacBook-Air.local",
        ),
        python=PythonFacts(
            version="3.12.7",
            implementation="CPython",
            bits=64,
            machine="arm64",
            env_kind="venv",
            env_name="dl-course",
            prefix="/Users/anna/dl-course",
            executable="/Users/anna/dl-course/bin/python",
        ),
        cpu=CpuFacts(
            model="Apple M1",
            vendor="Apple",
            arch="arm64",
            logical_cores=8,
            physical_cores=8,
            usable_cores=8.0,
            usable_source="logical CPUs",
            flags=["neon"],
            avx=False,
            avx2=False,
            fma=False,
            avx512f=False,
            neon=True,
        ),
        memory=MemoryFacts(total_bytes=8 * GIB, available_bytes=3 * GIB, effective_bytes=8 * GIB),
        disk=DiskFacts(
            path="/Users/anna",
            measured_path="/Users/anna",
            total_bytes=245 * GIB,
            free_bytes=40 * GIB,
        ),
        gpu=GpuFacts(
            gpus=[
                Gpu(
                    vendor="apple",
                    name="Apple M1",
                    cores=7,
                    metal="Metal 3",
                    source="system_profiler",
                )
            ],
            nvidia_status="absent",
        ),
        packages=PackageFacts(versions={**COURSE_OK, "tensorflow": "2.18.0"}),
    )


def old_laptop_no_avx() -> Facts:
    """A 2016 budget laptop with a Pentium N3700 (no AVX), 4 GB, Ubuntu, nothing installed."""
    return Facts(
        platform=PlatformFacts(
            system="Linux",
            os_name="Ubuntu 22.04.4 LTS",
            machine="x86_64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            hostname="old-lenovo",
        ),
        python=PythonFacts(
            version="3.10.12",
            implementation="CPython",
            bits=64,
            machine="x86_64",
            env_kind="system",
        ),
        cpu=CpuFacts(
            model="Intel(R) Pentium(R) CPU  N3700  @ 1.60GHz",
            vendor="GenuineIntel",
            arch="x86_64",
            logical_cores=4,
            physical_cores=4,
            usable_cores=4.0,
            flags=["sse4_2"],
            avx=False,
            avx2=False,
            fma=False,
            avx512f=False,
            neon=False,
        ),
        memory=MemoryFacts(total_bytes=int(3.7 * GIB), effective_bytes=int(3.7 * GIB)),
        disk=DiskFacts(path="/home/pat", measured_path="/home/pat", free_bytes=12 * GIB),
        gpu=GpuFacts(nvidia_status="absent"),
        packages=PackageFacts(versions={"numpy": "1.26.4"}),
    )


def windows_nvidia_laptop() -> Facts:
    """A gaming laptop on native Windows 11 with an RTX 3060 and the course installed."""
    return Facts(
        platform=PlatformFacts(
            system="Windows",
            os_name="Windows 11",
            os_version="10.0.22631",
            machine="x86_64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            hostname="DESKTOP-7QK2",
        ),
        python=PythonFacts(
            version="3.11.9",
            implementation="CPython",
            bits=64,
            machine="x86_64",
            env_kind="venv",
            prefix="C:\\Users\\kim\\dl\\.venv",
        ),
        cpu=CpuFacts(
            model="AMD Ryzen 7 5800H",
            vendor="AuthenticAMD",
            arch="x86_64",
            logical_cores=16,
            physical_cores=8,
            usable_cores=16.0,
            flags=["avx", "avx2", "fma"],
            avx=True,
            avx2=True,
            fma=True,
            avx512f=False,
            neon=False,
        ),
        memory=MemoryFacts(total_bytes=16 * GIB, effective_bytes=16 * GIB),
        disk=DiskFacts(path="C:\\Users\\kim", measured_path="C:\\Users\\kim", free_bytes=200 * GIB),
        gpu=GpuFacts(
            gpus=[
                Gpu(
                    vendor="nvidia",
                    name="NVIDIA GeForce RTX 3060 Laptop GPU",
                    memory_bytes=6 * GIB,
                    driver_version="551.86",
                    cuda_driver_version="12.4",
                    compute_capability="8.6",
                    source="nvml",
                )
            ],
            nvidia_status="ok",
        ),
        packages=PackageFacts(
            versions=COURSE_OK,
            graphviz_dot="C:\\Program Files\\Graphviz\\bin\\dot.exe",
            graphviz_version="12.2.1",
        ),
    )


def container_2gib() -> Facts:
    """A JupyterHub pod on a 64 GiB host, limited to 2 GiB and 1.5 CPUs by its cgroup."""
    return Facts(
        platform=PlatformFacts(
            system="Linux",
            os_name="Ubuntu 24.04.1 LTS",
            machine="x86_64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            container="kubernetes",
            hostname="jupyter-pat",
        ),
        python=PythonFacts(
            version="3.12.3",
            implementation="CPython",
            bits=64,
            machine="x86_64",
            env_kind="conda",
            env_name="base",
        ),
        cpu=CpuFacts(
            model="Intel(R) Xeon(R) Gold 6248R",
            arch="x86_64",
            logical_cores=48,
            usable_cores=1.5,
            usable_source="cgroup CPU quota",
            flags=["avx", "avx2"],
            avx=True,
            avx2=True,
            fma=True,
            avx512f=True,
            neon=False,
        ),
        memory=MemoryFacts(
            total_bytes=64 * GIB,
            effective_bytes=2 * GIB,
            cgroup_limit_bytes=2 * GIB,
            cgroup_version=2,
        ),
        disk=DiskFacts(path="/home/jovyan", measured_path="/home/jovyan", free_bytes=9 * GIB),
        gpu=GpuFacts(nvidia_status="absent"),
        packages=PackageFacts(versions=COURSE_OK, graphviz_dot="/usr/bin/dot"),
    )


def python_32bit() -> Facts:
    """A 64-bit Windows 10 machine where a 32-bit Python 3.11 was installed by mistake."""
    return Facts(
        platform=PlatformFacts(
            system="Windows",
            os_name="Windows 10",
            machine="x86_64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            hostname="LAB-PC-12",
        ),
        python=PythonFacts(
            version="3.11.4", implementation="CPython", bits=32, machine="x86", env_kind="system"
        ),
        cpu=CpuFacts(
            model="Intel(R) Core(TM) i5-8250U",
            arch="x86_64",
            logical_cores=8,
            usable_cores=8.0,
            flags=["avx", "avx2", "fma"],
            avx=True,
            avx2=True,
            fma=True,
            avx512f=False,
            neon=False,
        ),
        memory=MemoryFacts(total_bytes=8 * GIB, effective_bytes=8 * GIB),
        disk=DiskFacts(path="C:\\Users\\lab", free_bytes=50 * GIB),
        gpu=GpuFacts(nvidia_status="absent"),
        packages=PackageFacts(versions={}),
    )


def m1_rosetta() -> Facts:
    """An M1 whose Python is an x86-64 build running under Rosetta."""
    base = m1_air_8gb()
    from dataclasses import replace

    return replace(
        base,
        platform=replace(base.platform, rosetta=True),
        python=replace(base.python, machine="x86_64"),
        cpu=replace(base.cpu, arch="x86_64", flags=["avx", "avx2"], avx=True, avx2=True),
    )
