"""Writes the recorded documents under tests/data/ ONCE, through dlcheck's real pipeline and
its one JSON writer. The tests never import this file: they read what it wrote, through the
real readers (tests/recorded.py). Kept so the documents can be regenerated and reviewed:

    python tests/data/make_documents.py          # rewrite tests/data/reports/ and fleet/
    python tests/data/make_documents.py --check  # only compare with what is stored

- tests/data/reports/<machine>.check.json: the `dlcheck check --json` report of each recorded
  machine (facts written by hand from what their probes would report, below), judged against
  the packaged default profile and places.
- tests/data/fleet/: saved results for the fleet tests: check reports judged against the fixed
  test profile fleet/fleet-test.toml (so they do not move when the default profile grows),
  `env verify` and `bench` results (made-up bodies in their documented shape: benchmark
  figures here are test inputs, not measurements), a lab, a demo lab and single samples.

After writing, every check report is read back with the `--from` reader and its facts must
equal the facts it was made from (a lossless round trip), and every sample must equal what
the old in-Python builders returned once its host name is set.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from dlcheck.documents import document_json, read_document
from dlcheck.places import load_places
from dlcheck.profile import load_profile, parse_profile
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
from dlcheck.report import judge

HERE = Path(__file__).resolve().parent
GIB = 1024**3

# ---- the recorded machines (formerly tests/machines.py) ---------------------------------


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
            context=["jupyterhub", "kubernetes"],
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


# --- Machines for the advice tests (issue 13): one or more per class of wrong advice. ---

FULL = {**COURSE_OK, "tensorflow": "2.21.0", "keras": "3.15.1", "graphviz": "0.20"}


def _fw(tf_status: str = "ok", gpu: str | None = None, version: str = "2.21.0", **kw) -> dict:
    """A frameworks section: TensorFlow (and Keras on it) as the probe would record them."""
    from dlcheck.frameworks.records import FrameworkDevice, FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    devices = [FrameworkDevice("/CPU:0", "cpu", None, None, "ok")]
    if gpu:
        devices.append(FrameworkDevice("/GPU:0", "gpu", gpu, kw.pop("cc", "8.6"), "ok"))
    build = kw.pop("build", {"cuda_version": "12.5.1", "is_cuda_build": True} if gpu else {})
    tf = FrameworkResult(
        "tensorflow",
        tf_status,
        version=version,
        devices=devices if tf_status == "ok" else [],
        build=build,
        **kw,
    )
    keras = FrameworkResult("keras", "ok", version="3.15.1", backend="tensorflow")
    return to_dict(FrameworkFacts(results=[tf, keras], keras_backend="tensorflow"))


def _linux(
    machine: str = "x86_64",
    os_name: str = "Ubuntu 24.04.1 LTS",
    python: str = "3.12.3",
    cores: float = 8.0,
    mem_gib: float = 16,
    avx: bool = True,
    packages: dict | None = None,
    gpus: list | None = None,
    nvidia: str = "absent",
    context: list | None = None,
    container: str | None = None,
    hypervisor: str | None = None,
    limit_gib: float | None = None,
    usable_source: str = "logical CPUs",
    frameworks: dict | None = None,
    host: str = "linux",
) -> Facts:
    arm = machine == "arm64"
    return Facts(
        platform=PlatformFacts(
            system="Linux",
            os_name=os_name,
            machine=machine,
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            container=container,
            hypervisor=hypervisor,
            hostname=host,
            context=list(context or []) + ([container] if container else []),
        ),
        python=PythonFacts(
            version=python, implementation="CPython", bits=64, machine=machine, env_kind="venv"
        ),
        cpu=CpuFacts(
            model="Cortex-A76" if arm else "Intel(R) Xeon(R)",
            arch=machine,
            logical_cores=int(max(cores, 1)),
            usable_cores=cores,
            usable_source=usable_source,
            flags=["neon"] if arm else (["avx", "avx2", "fma"] if avx else ["sse4_2"]),
            avx=False if arm else avx,
            avx2=False if arm else avx,  # what a probe derives from the flags
            fma=False if arm else avx,
            avx512f=False,
            neon=arm,
        ),
        memory=MemoryFacts(
            total_bytes=int(mem_gib * GIB),
            effective_bytes=int(min(mem_gib, limit_gib or mem_gib) * GIB),
            cgroup_limit_bytes=int(limit_gib * GIB) if limit_gib else None,
        ),
        disk=DiskFacts(path="/home/u", measured_path="/home/u", free_bytes=50 * GIB),
        gpu=GpuFacts(gpus=list(gpus or []), nvidia_status=nvidia),
        packages=PackageFacts(
            versions=dict(FULL if packages is None else packages), graphviz_dot="/usr/bin/dot"
        ),
        sections={"frameworks": frameworks} if frameworks else {},
    )


def _nvidia(name: str, cuda: str, driver: str, cc: str = "8.0") -> Gpu:
    return Gpu(
        vendor="nvidia",
        name=name,
        memory_bytes=16 * GIB,
        driver_version=driver,
        cuda_driver_version=cuda,
        compute_capability=cc,
        source="nvml",
    )


def linux_python_314() -> Facts:
    """Fedora 43 laptop whose python3 is 3.14: TensorFlow has no wheel for it yet."""
    return _linux(os_name="Fedora Linux 43", python="3.14.0", packages={"numpy": "2.3.4"})


def mac_clt_python_39() -> Facts:
    """MacBook Air M2 whose only python3 is the Xcode command-line tools' 3.9.6."""
    base = m1_air_8gb()
    from dataclasses import replace

    return replace(
        base,
        python=replace(base.python, version="3.9.6", env_kind="system", env_name=None),
        packages=PackageFacts(versions={}),
    )


def ubuntu_2004_python_38() -> Facts:
    """A lab PC on Ubuntu 20.04 with its system Python 3.8."""
    return _linux(os_name="Ubuntu 20.04.6 LTS", python="3.8.10", packages={})


def intel_mac_python_313() -> Facts:
    """An Intel MacBook Pro with Homebrew's Python 3.13: TensorFlow stops at 2.16.2 (<= 3.12)."""
    base = m1_air_8gb()
    from dataclasses import replace

    return replace(
        base,
        platform=replace(base.platform, machine="x86_64"),
        python=replace(base.python, version="3.13.1", machine="x86_64"),
        cpu=replace(
            base.cpu,
            model="Intel Core i7-9750H",
            arch="x86_64",
            flags=["avx", "avx2"],
            avx=True,
            avx2=True,
            neon=False,
        ),
        gpu=GpuFacts(nvidia_status="absent"),
        packages=PackageFacts(versions={}),
    )


def windows_on_arm() -> Facts:
    """A Snapdragon X Elite laptop, Windows 11 on ARM, native arm64 Python 3.12."""
    base = windows_nvidia_laptop()
    from dataclasses import replace

    return replace(
        base,
        platform=replace(base.platform, machine="arm64", hostname="SURFACE-7"),
        python=replace(base.python, version="3.12.7", machine="arm64"),
        cpu=replace(
            base.cpu,
            model="Snapdragon X Elite X1E78100",
            vendor="Qualcomm",
            arch="arm64",
            flags=["neon"],
            avx=False,
            avx2=False,
            fma=False,
            neon=True,
        ),
        gpu=GpuFacts(nvidia_status="absent"),
        packages=PackageFacts(versions={}),
    )


def raspberry_pi_5() -> Facts:
    """Raspberry Pi 5, 8 GB, Raspberry Pi OS (Debian 12, 64-bit), Python 3.11, nothing installed."""
    return _linux(
        machine="arm64",
        os_name="Debian GNU/Linux 12 (bookworm)",
        python="3.11.2",
        cores=4,
        mem_gib=7.9,
        packages={},
        host="pi5",
    )


def graviton_vm() -> Facts:
    """AWS c7g.xlarge (Graviton3, 4 vCPUs, 8 GiB), Ubuntu 24.04, the course installed."""
    return _linux(machine="arm64", cores=4, mem_gib=7.6, hypervisor="Amazon EC2", host="ip-10-0")


def docker_on_apple_silicon() -> Facts:
    """python:3.12 container under Docker Desktop on an M3 Mac (Linux arm64, 4 CPUs, 6 GiB)."""
    return _linux(
        machine="arm64",
        os_name="Debian GNU/Linux 12 (bookworm)",
        cores=4,
        mem_gib=7.7,
        limit_gib=6,
        container="docker",
        packages={},
        host="3f2a9c",
    )


def gpu_cloud_vm() -> Facts:
    """A 2-vCPU cloud VM with an NVIDIA T4 that TensorFlow computes on."""
    return _linux(
        cores=2,
        mem_gib=13,
        gpus=[_nvidia("Tesla T4", "12.8", "570.124.06", "7.5")],
        nvidia="ok",
        hypervisor="Google Compute Engine",
        frameworks=_fw(gpu="Tesla T4", cc="7.5"),
        host="gce-t4",
    )


def colab_notebook() -> Facts:
    """Google Colab, GPU runtime: 2 cores, 12.7 GiB, a T4 TensorFlow uses."""
    base = gpu_cloud_vm()
    from dataclasses import replace

    return replace(
        base,
        platform=replace(
            base.platform,
            context=["colab", "docker"],
            container="docker",
            os_name="Ubuntu 22.04.4 LTS",
        ),
        python=replace(base.python, version="3.12.12"),
    )


def kaggle_cpu_notebook() -> Facts:
    """A Kaggle CPU notebook: 4 cores, 30 GiB, no GPU, container."""
    return _linux(cores=4, mem_gib=31, context=["kaggle"], container="docker", host="kaggle")


def hpc_node_old_driver() -> Facts:
    """A cluster GPU node (Slurm job) with a V100 and driver 470 (CUDA 11.4); TensorFlow 2.21
    (CUDA 12.5 build) is installed and lists no GPU."""
    return _linux(
        os_name="Rocky Linux 8.9 (Green Obsidian)",
        cores=8,
        mem_gib=32,
        limit_gib=32,
        gpus=[_nvidia("Tesla V100-SXM2-32GB", "11.4", "470.82.01", "7.0")],
        nvidia="ok",
        context=["slurm"],
        usable_source="cgroup CPU quota",
        frameworks=_fw(build={"cuda_version": "12.5.1", "is_cuda_build": True}),
        host="gpu017",
    )


def hpc_node_current_driver() -> Facts:
    """A cluster GPU node (Slurm job) with an A100, driver 550 (CUDA 12.4), 4 cores allocated;
    TensorFlow computes on the GPU."""
    return _linux(
        os_name="Rocky Linux 9.4 (Blue Onyx)",
        cores=4,
        mem_gib=512,
        limit_gib=32,
        gpus=[_nvidia("NVIDIA A100-SXM4-80GB", "12.4", "550.54.15")],
        nvidia="ok",
        context=["slurm"],
        usable_source="cgroup CPU quota",
        frameworks=_fw(gpu="NVIDIA A100-SXM4-80GB"),
        host="gpu101",
    )


def slurm_cpu_job() -> Facts:
    """A Slurm CPU job given 1 core and 3 GiB on a 256 GiB node, course installed, no dot."""
    f = _linux(
        os_name="Rocky Linux 9.4 (Blue Onyx)",
        cores=1,
        mem_gib=256,
        limit_gib=3,
        context=["slurm"],
        usable_source="cgroup CPU quota",
        host="cn042",
    )
    from dataclasses import replace

    return replace(f, packages=replace(f.packages, graphviz_dot=None))


# What each distribution's /etc/os-release (ID, ID_LIKE) and glibc say, as the probe records
# them (dlcheck.probes.system): the plan's commands follow the distribution.
OS_RELEASE = {
    "Ubuntu 24.04.1 LTS": ("ubuntu", ["debian"], "2.39"),
    "Ubuntu 22.04.4 LTS": ("ubuntu", ["debian"], "2.35"),
    "Ubuntu 20.04.6 LTS": ("ubuntu", ["debian"], "2.31"),
    "Debian GNU/Linux 12 (bookworm)": ("debian", [], "2.36"),
    "Fedora Linux 43 (Workstation Edition)": ("fedora", [], "2.42"),
    "Fedora Linux 43": ("fedora", [], "2.42"),
    "Rocky Linux 8.9 (Green Obsidian)": ("rocky", ["rhel", "centos", "fedora"], "2.28"),
    "Rocky Linux 9.4 (Blue Onyx)": ("rocky", ["rhel", "centos", "fedora"], "2.34"),
    "CentOS Linux 7 (Core)": ("centos", ["rhel", "fedora"], "2.17"),
    "openSUSE Tumbleweed": ("opensuse-tumbleweed", ["opensuse", "suse"], "2.40"),
    "Arch Linux": ("arch", [], "2.40"),
}


def with_os_release(facts: Facts) -> Facts:
    """The os-release ID, ID_LIKE and the glibc of a Linux machine's distribution."""
    from dataclasses import replace

    p = facts.platform
    if p.system != "Linux" or p.distro_id or p.os_name not in OS_RELEASE:
        return facts
    did, like, glibc = OS_RELEASE[p.os_name]
    return replace(
        facts,
        platform=replace(
            p,
            distro_id=did,
            distro_like=list(like),
            libc=f"glibc {glibc}",
            libc_family="glibc",
            libc_version=glibc,
        ),
    )


# ---- machines of issue 18: platforms and environments the plan must get right ----------


def _replace(facts: Facts, **kw: Any) -> Facts:
    from dataclasses import replace

    records = ("platform", "python", "cpu", "memory", "disk", "gpu", "packages")
    parts = {k: replace(getattr(facts, k), **v) for k, v in kw.items() if k in records}
    rest = {k: v for k, v in kw.items() if k not in records}
    return replace(facts, **parts, **rest)


def alpine_musl_container() -> Facts:
    """python:3.12-alpine container (musl libc) on a laptop: no TensorFlow wheel installs."""
    f = _linux(os_name="Alpine Linux v3.20", packages={}, container="docker", host="alpine")
    return _replace(
        f,
        platform={"distro_id": "alpine", "libc": "musl", "libc_family": "musl"},
    )


def centos7_old_glibc() -> Facts:
    """A CentOS 7 lab server (glibc 2.17) with a self-built Python 3.11, nothing installed:
    the locked TensorFlow 2.21 needs glibc 2.27."""
    return _linux(os_name="CentOS Linux 7 (Core)", python="3.11.9", packages={}, host="lab-c7")


def pypy_laptop() -> Facts:
    """An Ubuntu laptop whose venv runs PyPy 3.10: TensorFlow has wheels for CPython only."""
    f = _linux(python="3.10.14", packages={}, host="pypy")
    return _replace(f, python={"implementation": "PyPy"})


def free_threaded_python() -> Facts:
    """A Fedora laptop whose venv runs the free-threaded CPython 3.13t (no GIL)."""
    f = _linux(os_name="Fedora Linux 43 (Workstation Edition)", python="3.13.1", packages={})
    return _replace(f, python={"free_threaded": True})


def env_create_cpu_env() -> Facts:
    """Inside the environment `dlcheck env create --setup cpu` made: tensorflow-cpu 2.21,
    every package at its locked version, TensorFlow and Keras compute (issue 18)."""
    pkgs = {k: v for k, v in FULL.items() if k != "tensorflow"}
    pkgs.update({"tensorflow-cpu": "2.21.0", "keras": "3.15.1"})
    f = _linux(packages=pkgs, frameworks=_fw(), host="laptop")
    env = {
        "setup": "cpu",
        "lock": "envs/cpu/pylock.txt",
        "lock_format": "pip",
        "platform": "linux-64",
        "share_at_locked_version": 1.0,
        "counts": {"checked": 96, "missing": 0, "different": 0, "extra": 0},
    }
    return _replace(f, sections={**f.sections, "environment": env})


def lesson_pip_line_env() -> Facts:
    """A learner who ran the lesson's own line (`python3 -m pip install jupyter seaborn
    scikit-learn pandas tensorflow pydot`) in a venv: no lock made it; TensorFlow computes."""
    pkgs = {k: v for k, v in FULL.items() if k != "keras-tuner"}
    pkgs.update({"tensorflow": "2.21.0", "keras": "3.15.1", "jupyter": "1.1.1"})
    return _linux(packages=pkgs, frameworks=_fw(), host="learner")


def pipx_tool_laptop() -> Facts:
    """dlcheck installed with pipx and run with no course environment active and no kernel
    that runs the course: it checked its own pipx environment (Python 3.13, its own deps)."""
    facts = _linux(
        python="3.13.1", packages={"click": "8.1.8", "rich": "14.0.0", "packaging": "25.0"}
    )
    prefix = "/home/u/.local/share/pipx/venvs/dlcheck"
    py = dataclasses.replace(
        facts.python,
        executable=f"{prefix}/bin/python",
        prefix=prefix,
        env_name="dlcheck",
        dlcheck_tool="pipx",
    )
    kernels = {"kernels": [], "searched": ["/home/u/.local/share/jupyter/kernels"]}
    return dataclasses.replace(facts, python=py, sections={**facts.sections, "kernels": kernels})


def rocm_workstation() -> Facts:
    """A Linux workstation with an AMD GPU and tensorflow-rocm 2.18, which computes on it."""
    pkgs = {k: v for k, v in FULL.items() if k != "tensorflow"}
    pkgs["tensorflow-rocm"] = "2.18.1"
    return _linux(
        packages=pkgs,
        gpus=[Gpu(vendor="amd", name="AMD Radeon RX 7900 XTX", source="rocm-smi")],
        frameworks=_fw(
            version="2.18.1",
            gpu="AMD Radeon RX 7900 XTX",
            cc="gfx1100",
            build={"is_rocm_build": True},
        ),
        host="rocm",
    )


def windows_intel_tf215() -> Facts:
    """Windows 11 laptop with TensorFlow 2.15 (tensorflow and tensorflow-intel 2.15, Keras 2):
    `pip install -U tensorflow` would leave tensorflow-intel 2.15 beside 2.21."""
    f = windows_nvidia_laptop()
    pkgs = dict(f.packages.versions)
    pkgs.update({"tensorflow": "2.15.1", "tensorflow-intel": "2.15.1", "keras": "2.15.0"})
    return _replace(
        f,
        gpu={"gpus": [], "nvidia_status": "absent"},
        packages={"versions": pkgs},
        sections={},
    )


def windows_directml() -> Facts:
    """Windows 10 PC with tensorflow-cpu 2.10 and the DirectML plugin (the old GPU route)."""
    f = windows_nvidia_laptop()
    pkgs = dict(f.packages.versions)
    pkgs.pop("tensorflow", None)
    pkgs.update(
        {"tensorflow-cpu": "2.10.0", "tensorflow-directml-plugin": "0.4.0", "keras": "2.10.0"}
    )
    return _replace(
        f,
        platform={"os_name": "Windows 10"},
        gpu={"gpus": [], "nvidia_status": "absent"},
        packages={"versions": pkgs},
        sections={},
    )


def mac_metal_tf220() -> Facts:
    """MacBook Pro M2 with tensorflow 2.20 and tensorflow-metal 1.2 (which fails to load on
    TensorFlow 2.20)."""
    f = m1_air_8gb()
    pkgs = dict(f.packages.versions)
    pkgs.update({"tensorflow": "2.20.0", "tensorflow-metal": "1.2.0"})
    return _replace(f, packages={"versions": pkgs}, cpu={"model": "Apple M2"})


def fresh_windows_laptop() -> Facts:
    """A Windows 11 laptop with python.org's Python 3.12 (64-bit) and nothing installed."""
    f = windows_nvidia_laptop()
    return _replace(
        f,
        gpu={"gpus": [], "nvidia_status": "absent"},
        packages={"versions": {}, "graphviz_dot": None},
        sections={},
    )


def opensuse_python_314() -> Facts:
    """An openSUSE Tumbleweed laptop whose python3 is 3.14."""
    return _linux(os_name="openSUSE Tumbleweed", python="3.14.0", packages={}, host="suse")


def rocky_gpu_workstation() -> Facts:
    """A Rocky Linux 9 GPU workstation (no batch job) with a V100 on driver 470: TensorFlow 2.21
    lists no GPU; the driver step must use this distribution's tools, not Ubuntu's."""
    f = hpc_node_old_driver()
    return _replace(
        f,
        platform={"os_name": "Rocky Linux 9.4 (Blue Onyx)", "context": [], "hostname": "ws-gpu"},
        cpu={"usable_source": "logical CPUs"},
        memory={"cgroup_limit_bytes": None},
    )


def conda_ubuntu_no_dot() -> Facts:
    """Ubuntu laptop, a conda environment with the course installed, no Graphviz."""
    f = _linux(frameworks=_fw(), host="conda")
    return _replace(
        f,
        python={"env_kind": "conda", "env_name": "dl"},
        packages={"graphviz_dot": None},
    )


def debian_fresh_laptop() -> Facts:
    """A Debian 12 laptop with its own Python 3.11 and nothing installed, probes run."""
    from dlcheck.frameworks.records import FrameworkFacts
    from dlcheck.records import to_dict

    f = _linux(
        os_name="Debian GNU/Linux 12 (bookworm)",
        python="3.11.2",
        packages={},
        frameworks=to_dict(FrameworkFacts(results=[])),
        host="deb",
    )
    return _replace(f, packages={"graphviz_dot": None})


def hub_pod_1gib() -> Facts:
    """A JupyterHub server with 1 core and 1 GiB (the hub's smallest profile)."""
    f = container_2gib()
    return _replace(
        f,
        platform={"context": ["jupyterhub", "kubernetes"], "hostname": "jupyter-sam"},
        cpu={"usable_cores": 1.0},
        memory={"effective_bytes": 1 * GIB, "cgroup_limit_bytes": 1 * GIB},
        disk={"free_bytes": 3 * GIB},
        packages={"graphviz_dot": None},
    )


# slug -> (name in the tests, class of wrong advice, builder)
MACHINES = {
    "no-avx-laptop": ("no-AVX laptop (Pentium N3700)", "no AVX", old_laptop_no_avx),
    "fedora-python-314": ("Fedora laptop, Python 3.14", "Python too new", linux_python_314),
    "mac-xcode-python-39": ("Mac M2, Xcode Python 3.9.6", "Python too old", mac_clt_python_39),
    "ubuntu-2004-python-38": (
        "Ubuntu 20.04 lab PC, Python 3.8",
        "Python too old",
        ubuntu_2004_python_38,
    ),
    "intel-mac-python-313": (
        "Intel Mac, Python 3.13",
        "no wheel for this Python",
        intel_mac_python_313,
    ),
    "windows-on-arm": ("Windows on ARM (Snapdragon X)", "Windows on ARM", windows_on_arm),
    "raspberry-pi-5": ("Raspberry Pi 5", "Linux arm64 board", raspberry_pi_5),
    "graviton-vm": ("AWS Graviton VM", "Linux arm64 server", graviton_vm),
    "docker-on-apple-silicon": (
        "Docker on Apple Silicon",
        "Linux arm64 container",
        docker_on_apple_silicon,
    ),
    "gpu-cloud-vm-t4": ("GPU cloud VM (T4, 2 vCPU)", "GPU cloud VM", gpu_cloud_vm),
    "colab-gpu": ("Colab GPU runtime", "cloud notebook", colab_notebook),
    "kaggle-cpu": ("Kaggle CPU notebook", "cloud notebook", kaggle_cpu_notebook),
    "hpc-node-driver-470": ("HPC node, driver 470", "HPC old driver", hpc_node_old_driver),
    "hpc-node-driver-550": (
        "HPC node, driver 550",
        "HPC current driver",
        hpc_node_current_driver,
    ),
    "slurm-cpu-job": ("Slurm CPU job (1 core, 3 GiB)", "Slurm job", slurm_cpu_job),
    "jupyterhub-pod-2gib": ("JupyterHub pod (2 GiB)", "container limits", container_2gib),
    "windows-python-32bit": ("32-bit Python on Windows", "32-bit Python", python_32bit),
    "m1-rosetta": ("M1, Python under Rosetta", "Rosetta", m1_rosetta),
    "macbook-air-m1": ("MacBook Air M1", "ready laptop", m1_air_8gb),
    "windows-nvidia-laptop": ("Windows NVIDIA laptop", "native Windows GPU", windows_nvidia_laptop),
    "alpine-musl": ("Alpine container (musl)", "musl libc", alpine_musl_container),
    "centos7-old-glibc": ("CentOS 7 server (glibc 2.17)", "old glibc", centos7_old_glibc),
    "pypy-laptop": ("PyPy 3.10 laptop", "not CPython", pypy_laptop),
    "free-threaded-313t": (
        "Free-threaded Python 3.13t",
        "free-threaded build",
        free_threaded_python,
    ),
    "env-create-cpu": (
        "Environment made by env create (cpu)",
        "tensorflow-cpu",
        env_create_cpu_env,
    ),
    "lesson-pip-line": ("Lesson's own pip line", "no lock", lesson_pip_line_env),
    "pipx-tool": ("dlcheck run with pipx", "dlcheck as a tool", pipx_tool_laptop),
    "rocm-workstation": ("ROCm workstation (tensorflow-rocm)", "tensorflow-rocm", rocm_workstation),
    "windows-tf215-intel": (
        "Windows, TensorFlow 2.15 (tensorflow-intel)",
        "stale distribution",
        windows_intel_tf215,
    ),
    "windows-directml": ("Windows, DirectML plugin", "breaking plugin", windows_directml),
    "mac-metal-tf220": ("Mac, tensorflow-metal on 2.20", "breaking plugin", mac_metal_tf220),
    "windows-fresh": ("Fresh Windows laptop", "Windows install", fresh_windows_laptop),
    "opensuse-python-314": ("openSUSE, Python 3.14", "zypper", opensuse_python_314),
    "rocky-gpu-old-driver": (
        "Rocky Linux GPU workstation, driver 470",
        "dnf, not apt",
        rocky_gpu_workstation,
    ),
    "conda-ubuntu-no-dot": ("conda environment on Ubuntu", "conda", conda_ubuntu_no_dot),
    "debian-fresh": ("Fresh Debian laptop", "apt", debian_fresh_laptop),
    "hub-pod-1gib": ("JupyterHub server (1 core, 1 GiB)", "hub without sudo", hub_pod_1gib),
}


def keras_on_torch_tf_course() -> Facts:
    """An Ubuntu laptop with the TensorFlow course installed and working, and torch too, where
    the learner exported KERAS_BACKEND=torch for another course: Keras runs on torch, and the
    lesson's episode 5 calls tf.image.resize_with_pad inside the model (issue 26)."""
    from dlcheck.frameworks.records import FrameworkDevice, FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    tf = FrameworkResult(
        "tensorflow",
        "ok",
        version="2.21.0",
        devices=[FrameworkDevice("/CPU:0", "cpu", None, None, "ok")],
    )
    torch = FrameworkResult(
        "torch",
        "ok",
        version="2.13.0+cpu",
        devices=[FrameworkDevice("cpu", "cpu", None, None, "ok")],
    )
    keras = FrameworkResult(
        "keras",
        "ok",
        version="3.15.1",
        backend="torch",
        devices=[FrameworkDevice("default", "default", None, None, "ok")],
    )
    fw = FrameworkFacts(
        results=[tf, torch, keras],
        keras_backend="torch",
        keras_backend_source="KERAS_BACKEND",
        env={"KERAS_BACKEND": "torch"},
    )
    return _linux(packages={**FULL, "torch": "2.13.0"}, frameworks=to_dict(fw), host="ubuntu")


def keras_backend_nonsense() -> Facts:
    """The course installed and working, but KERAS_BACKEND=nonsense exported: `import keras`
    (and tf.keras) raises ValueError, TensorFlow itself is fine (issue 26/27: never a
    force-reinstall of frameworks that are fine; the cause named)."""
    from dlcheck.frameworks.records import FrameworkDevice, FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    tf = FrameworkResult(
        "tensorflow",
        "ok",
        version="2.21.0",
        devices=[FrameworkDevice("/CPU:0", "cpu", None, None, "ok")],
    )
    keras = FrameworkResult(
        "keras",
        "import-error",
        version=None,
        reason="ValueError: Unable to import backend : nonsense",
    )
    fw = FrameworkFacts(
        results=[tf, keras],
        keras_backend="nonsense",
        keras_backend_source="KERAS_BACKEND",
        env={"KERAS_BACKEND": "nonsense"},
    )
    return _linux(frameworks=to_dict(fw), host="ubuntu")


def raspberry_pi_32bit_os() -> Facts:
    """A Raspberry Pi 4 with Raspberry Pi OS's 32-bit image (Debian 12): the kernel is 64-bit
    (uname -m: aarch64), the userland and its Python 3.11 are 32-bit ARM (armhf): no
    TensorFlow or torch wheel exists for it (issue 26)."""
    f = with_os_release(_linux(machine="arm64", python="3.11.2", packages={}, host="raspberrypi"))
    return _replace(
        f,
        platform={
            "os_name": "Raspbian GNU/Linux 12 (bookworm)",
            "distro_id": "raspbian",
            "distro_like": ["debian"],
        },
        python={"bits": 32, "machine": "arm"},
    )


def wsl2_memory_cap() -> Facts:
    """Ubuntu 24.04 in WSL 2 on an 8 GB Windows laptop: WSL gives Linux half of Windows'
    memory by default, so Python sees 3.8 GiB; the course is installed (issue 26: the fix is
    .wslconfig, never "a bigger machine")."""
    f = with_os_release(_linux(mem_gib=3.8, cores=8.0, host="laptop-wsl"))
    return _replace(
        f,
        platform={
            "wsl": True,
            "wsl_version": 2,
            "kernel": "5.15.167.4-microsoft-standard-WSL2",
            "hypervisor": "Hyper-V",
            "context": ["wsl"],
        },
    )


def nightly_builds() -> Facts:
    """An Ubuntu laptop with tf-nightly and keras-nightly (TensorFlow and Keras 3 under other
    names), both working, and the other course packages (issue 26)."""
    from dlcheck.frameworks.records import FrameworkDevice, FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    versions = {k: v for k, v in FULL.items() if k not in ("tensorflow", "keras")}
    versions.update({"tf-nightly": "2.22.0.dev20251130", "keras-nightly": "3.13.0.dev2025113003"})
    tf = FrameworkResult(
        "tensorflow",
        "ok",
        version="2.22.0-dev20251130",
        devices=[FrameworkDevice("/CPU:0", "cpu", None, None, "ok")],
    )
    keras = FrameworkResult(
        "keras",
        "ok",
        version="3.13.0.dev2025113003",
        backend="tensorflow",
        devices=[FrameworkDevice("default", "default", None, None, "ok")],
    )
    fw = FrameworkFacts(
        results=[tf, keras], keras_backend="tensorflow", keras_backend_source="default"
    )
    return with_os_release(_linux(packages=versions, frameworks=to_dict(fw), host="nightly"))


def studiolab_python_39() -> Facts:
    """SageMaker Studio Lab (a hosted notebook service), its conda environment "default" with
    Python 3.9, nothing of the course installed: conda is how a learner gets another Python
    there (issue 26)."""
    f = with_os_release(
        _linux(
            os_name="Ubuntu 22.04.4 LTS",
            python="3.9.19",
            cores=4,
            mem_gib=16,
            packages={},
            context=["sagemaker"],
            container="docker",
            host="studiolab",
        )
    )
    return _replace(f, python={"env_kind": "conda", "env_name": "default"})


def debian_root_container() -> Facts:
    """The python:3.14-bookworm image run as root (Docker): its Python is 3.14 (no TensorFlow
    wheel), Debian's own python3.11 is on PATH too, nothing installed, no Graphviz. Issue 26:
    the plan said "use the Python already here" while the finding's advice said deadsnakes
    (an Ubuntu PPA) with sudo."""
    from dlcheck.frameworks.records import FrameworkFacts
    from dlcheck.records import OtherPython, to_dict

    f = with_os_release(
        _linux(
            os_name="Debian GNU/Linux 12 (bookworm)",
            python="3.14.0",
            packages={},
            frameworks=to_dict(FrameworkFacts(results=[])),
            container="docker",
            host="3f2a9c1d",
        )
    )
    return _replace(
        f,
        platform={"root": True},
        python={
            "env_kind": "system",
            "executable": "/usr/local/bin/python3.14",
            "others": [OtherPython("3.11", "python3.11 on PATH", "/usr/bin/python3.11")],
        },
        packages={"graphviz_dot": None},
    )


def env_made_not_active() -> Facts:
    """A fresh Debian laptop where the learner ran `dlcheck env create --setup cpu` (it made
    .venv-cpu in this folder) and then ran `dlcheck check` again without activating it:
    "activate it", not "create it" again (issue 26, item 6)."""
    from dlcheck.records import MadeEnvironment

    f = with_os_release(debian_fresh_laptop())
    return _replace(f, python={"made": [MadeEnvironment(".venv-cpu", "cpu")]})


MACHINES.update(
    {  # issue 26
        "env-made-not-active": (
            "Course environment made, not activated",
            "made, not active",
            env_made_not_active,
        ),
        "debian-root-container": (
            "Debian container as root, Python 3.14",
            "root in a container",
            debian_root_container,
        ),
        "studiolab-python-39": (
            "SageMaker Studio Lab, Python 3.9",
            "hosted notebook with conda",
            studiolab_python_39,
        ),
        "nightly-builds": ("tf-nightly and keras-nightly", "nightly distributions", nightly_builds),
        "wsl2-memory-cap": ("WSL 2 on an 8 GB laptop", "WSL memory cap", wsl2_memory_cap),
        "raspberry-pi-32bit-os": (
            "Raspberry Pi, 32-bit OS on a 64-bit kernel",
            "32-bit userland",
            raspberry_pi_32bit_os,
        ),
        "keras-on-torch": (
            "TensorFlow course, Keras on torch (KERAS_BACKEND)",
            "wrong Keras backend",
            keras_on_torch_tf_course,
        ),
        "keras-backend-nonsense": (
            "KERAS_BACKEND=nonsense",
            "broken Keras setting",
            keras_backend_nonsense,
        ),
    }
)


def fresh_linux_laptop() -> Facts:
    """A learner's Linux laptop with nothing installed yet, its framework probes run (none
    found)."""
    from dlcheck.frameworks.records import FrameworkFacts
    from dlcheck.records import to_dict

    return _linux(packages={}, frameworks=to_dict(FrameworkFacts(results=[])))


# Machines that only some tests use (not part of the advice table).
OTHER_MACHINES = {"fresh-linux-laptop": fresh_linux_laptop}

# ---- the course's PyTorch flavour (issue 22): judged against `--course torch` -------------

TORCH_COURSE = {
    "torch": "2.13.0",
    "keras": "3.15.1",
    "scikit-learn": "1.7.2",
    "pandas": "2.3.3",
    "seaborn": "0.13.2",
    "jupyterlab": "4.4.9",
    "pydot": "4.0.1",
    "keras-tuner": "1.4.8",
    "numpy": "2.3.5",
}


def _torch_fw(
    version: str = "2.13.0",
    source: str = "KERAS_BACKEND",
    mps: str | None = None,
    cuda: str | None = None,
) -> dict:
    """A frameworks section: PyTorch (and Keras on it) in the shape the probe records them
    (a real `dlcheck check --json` on torch 2.13: build keys, Keras's "default" device)."""
    from dlcheck.frameworks.records import FrameworkDevice, FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    devices = [FrameworkDevice("cpu", "cpu", None, None, "ok")]
    if mps:
        devices.append(FrameworkDevice("mps", "mps", mps, None, "ok"))
    build = {
        "cuda_version": cuda,
        "hip_version": None,
        "is_cuda_build": cuda is not None,
        "is_rocm_build": False,
        "mps_built": mps is not None,
    }
    torch = FrameworkResult(
        "torch", "ok", version=version, import_seconds=2.1, build=build, devices=devices
    )
    default = FrameworkDevice("default", "default", None, None, "ok")
    keras = FrameworkResult("keras", "ok", version="3.15.1", backend="torch", devices=[default])
    env = {"KERAS_BACKEND": "torch"} if source == "KERAS_BACKEND" else {}
    return to_dict(
        FrameworkFacts(
            results=[torch, keras], keras_backend="torch", keras_backend_source=source, env=env
        )
    )


def torch_linux_laptop() -> Facts:
    """An Ubuntu 24.04 laptop, Python 3.12 venv with keras, torch 2.13 (the CUDA build from
    PyPI, no NVIDIA GPU) and the course packages, KERAS_BACKEND=torch exported."""
    return _linux(
        packages=TORCH_COURSE,
        frameworks=_torch_fw(version="2.13.0+cu130", cuda="13.0"),
        host="ubuntu-laptop",
    )


def torch_apple_silicon() -> Facts:
    """MacBook Air M2, macOS 15, Python 3.12 venv with keras, torch 2.13 (computes on the CPU
    and on MPS), "backend": "torch" in ~/.keras/keras.json, no Graphviz."""
    from dataclasses import replace

    base = m1_air_8gb()
    return replace(
        base,
        cpu=replace(base.cpu, model="Apple M2"),
        gpu=GpuFacts(
            gpus=[Gpu(vendor="apple", name="Apple M2", cores=10, metal="Metal 3")],
            nvidia_status="absent",
        ),
        packages=PackageFacts(versions=dict(TORCH_COURSE)),
        sections={"frameworks": _torch_fw(source="/Users/anna/.keras/keras.json", mps="Apple M2")},
    )


def torch_intel_mac() -> Facts:
    """An Intel MacBook Pro, python.org Python 3.12: `pip install keras torch` gave torch
    2.2.2, the last torch PyPI has for Intel Macs (March 2024, before NumPy 2)."""
    from dataclasses import replace

    base = intel_mac_python_313()
    return replace(
        base,
        python=replace(base.python, version="3.12.8"),
        packages=PackageFacts(versions={**TORCH_COURSE, "torch": "2.2.2"}),
        sections={"frameworks": _torch_fw(version="2.2.2")},
    )


def torch_windows_on_arm() -> Facts:
    """A Snapdragon X Elite laptop, Windows 11 on ARM, native arm64 Python 3.12, nothing
    installed: PyPI has no torch for Windows on Arm."""
    return windows_on_arm()


def torch_fedora_python_314() -> Facts:
    """A Fedora 43 laptop whose python3 is 3.14, a venv with torch 2.9.0 (PyPI has cp314
    wheels from torch 2.9.0 on: `pip index versions torch --python-version 3.14`), Keras and
    the course packages, all working, KERAS_BACKEND=torch exported (issue 26: the PyTorch
    flavour is judged by torch's own limits, not TensorFlow's)."""
    return _linux(
        os_name="Fedora Linux 43 (Workstation Edition)",
        python="3.14.0",
        packages={**TORCH_COURSE, "torch": "2.9.0"},
        frameworks=_torch_fw(version="2.9.0+cu128", cuda="12.8"),
        host="fedora-laptop",
    )


# slug -> (name in the tests, class, builder); judged against the packaged torch profile
TORCH_MACHINES = {
    "torch-fedora-python-314": (
        "PyTorch flavour: Fedora, Python 3.14",
        "torch on Python 3.14",
        torch_fedora_python_314,
    ),
    "torch-linux-laptop": ("PyTorch flavour: Linux laptop", "torch ready", torch_linux_laptop),
    "torch-apple-silicon": (
        "PyTorch flavour: MacBook Air M2",
        "torch on Apple Silicon",
        torch_apple_silicon,
    ),
    "torch-intel-mac": ("PyTorch flavour: Intel Mac", "no torch for Intel Macs", torch_intel_mac),
    "torch-windows-on-arm": (
        "PyTorch flavour: Windows on ARM",
        "no torch for Windows on Arm",
        torch_windows_on_arm,
    ),
}

# ---- fleet samples (formerly tests/fleet_samples.py) ------------------------------------

COURSE = {
    "tensorflow": "2.20.0",
    "keras": "3.11.3",
    "scikit-learn": "1.7.2",
    "pandas": "2.3.3",
    "seaborn": "0.13.2",
    "jupyterlab": "4.4.9",
    "pydot": "4.0.1",
    "keras-tuner": "1.4.7",
}


def facts_for(
    host: str | None,
    *,
    cores: float = 8.0,
    ram_gib: float = 16,
    course: bool = True,
    avx: bool = True,
    dot: bool = True,
    gpu: str | None = None,
    os_name: str = "Ubuntu 24.04.1 LTS",
    cpu_model: str = "Intel(R) Core(TM) i7-1165G7",
) -> Facts:
    """Facts of one machine; the defaults make a READY one."""
    return Facts(
        created="2026-11-20T09:00:00+00:00",
        dlcheck_version="0.1.0",
        platform=PlatformFacts(
            system="Linux",
            os_name=os_name,
            machine="x86_64",
            is_64bit_os=True,
            wsl=False,
            rosetta=False,
            hostname=host,
        ),
        python=PythonFacts(
            version="3.12.7",
            implementation="CPython",
            bits=64,
            machine="x86_64",
            env_kind="venv",
            env_name="dl-course",
            executable="/opt/dl/bin/python",
        ),
        cpu=CpuFacts(
            model=cpu_model,
            vendor="GenuineIntel",
            arch="x86_64",
            logical_cores=int(cores),
            physical_cores=max(1, int(cores) // 2),
            usable_cores=cores,
            usable_source="logical CPUs",
            flags=["avx", "avx2", "fma"] if avx else [],
            avx=avx,
            avx2=avx,
            fma=avx,
            avx512f=False,
            neon=False,
        ),
        memory=MemoryFacts(
            total_bytes=int(ram_gib * GIB),
            available_bytes=int(ram_gib * GIB) // 2,
            effective_bytes=int(ram_gib * GIB),
        ),
        disk=DiskFacts(
            path="/home/x", measured_path="/home/x", total_bytes=500 * GIB, free_bytes=100 * GIB
        ),
        gpu=GpuFacts(
            gpus=[Gpu(vendor="nvidia", name=gpu, memory_bytes=16 * GIB)] if gpu else [],
            nvidia_status="ok" if gpu else "absent",
        ),
        packages=PackageFacts(
            versions=dict(COURSE) if course else {},
            graphviz_dot="/usr/bin/dot" if dot else None,
        ),
    )


def _req(
    rid: str, title: str, check: str, level: str = "required", **params: object
) -> dict[str, object]:
    return {
        "id": rid,
        "title": title,
        "level": level,
        "check": check,
        "advice": f"fix {rid}",
        **params,
    }


# A fixed profile, so that these tests do not move when the default profile grows.
PROFILE_DATA = {
    "profile": {"name": "fleet-test", "title": "Fleet test profile", "version": "1"},
    "requirement": [
        _req(
            "cpu-arch",
            "64-bit CPU: x86-64 with AVX, or arm64",
            "cpu_arch",
            allowed=["x86_64", "arm64"],
            x86_needs=["avx"],
        ),
        _req("cores", "At least 2 usable CPU cores", "usable_cores", min=2),
        _req("cores-recommended", "4 or more cores", "usable_cores", "recommended", min=4),
        _req("memory", "At least 4 GiB RAM", "memory", min_gib=4),
        _req(
            "tensorflow", "TensorFlow 2.16 or newer", "package", any_of=["tensorflow"], min="2.16"
        ),
        _req("keras", "Keras 3", "package", any_of=["keras"], min="3.0"),
        _req("graphviz", "Graphviz dot", "command", "recommended", command="dot"),
        _req("gpu", "GPU (optional)", "gpu", "optional"),
    ],
}


def env_result(host: str | None, ok: bool = True, problems: int = 0) -> dict[str, Any]:
    """An ``env verify --json`` result (as dlcheck.envs.verify writes it)."""
    missing = [{"name": f"pkg{i}", "manager": "pip", "locked": "1.0"} for i in range(problems)]
    return {
        "schema": "dlcheck.env-verify",
        "schema_version": 1,
        "kind": "env-verify",
        "created": "2026-11-20T09:05:00+00:00",
        "hostname": host,
        "setup": "cpu",
        "verdict": "MATCH" if ok and not problems else "MISMATCH",
        "exit_code": 0 if ok else 1,
        "counts": {"checked": 120, "missing": problems, "different": 0, "extra": 0},
        "missing": missing,
        "different": [],
        "extra": [],
    }


def bench_result(
    host: str | None, images_per_s: float, ep4_seconds: float, verdict: str = "PASS"
) -> dict[str, Any]:
    """A ``bench --json`` result with its headline."""
    return {
        "schema": "dlcheck.bench",
        "schema_version": 1,
        "created": "2026-11-20T09:10:00+00:00",
        "hostname": host,
        "headline": {
            "workload": "ep4-cnn",
            "train_images_per_s": images_per_s,
            "predicted_episode4_s": ep4_seconds,
            "verdict": verdict,
        },
    }


HOSTILE_HOST = (
    "<script>document.title='PWNED'</script><img src=x onerror=\"document.body.dataset.pwned=1\">"
)

# ---- the documents ----------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string for this text
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def profile_toml() -> str:
    """PROFILE_DATA as the TOML file the tests load (fleet/fleet-test.toml)."""
    lines = [
        "# The fixed profile of the fleet tests (written by tests/data/make_documents.py).",
        "",
    ]
    lines.append("[profile]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in PROFILE_DATA["profile"].items()]
    for req in PROFILE_DATA["requirement"]:
        lines += ["", "[[requirement]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in req.items()]
    return "\n".join(lines) + "\n"


def documents() -> dict[str, tuple[str, Facts | None]]:
    """relative path -> (text, the facts it was made from, for check reports)."""
    out: dict[str, tuple[str, Facts | None]] = {}
    profile, places = load_profile(), load_places()
    torch_profile = load_profile(course="torch")
    fleet_profile = parse_profile(PROFILE_DATA, "fleet-test.toml")

    def report(rel: str, facts: Facts, prof: Any = profile, anonymized: bool = False) -> None:
        facts = with_os_release(facts)  # what the probe records of a Linux distribution
        data = judge(facts, prof, places, anonymized).to_json_dict()
        out[rel] = (document_json(data), facts)

    def fleet(rel: str, facts: Facts, anonymized: bool = False) -> None:
        report(rel, facts, fleet_profile, anonymized)

    def other(rel: str, data: dict[str, Any]) -> None:
        out[rel] = (document_json(data), None)

    # One `dlcheck check --json` report per recorded machine (default profile).
    rows = ["| file | name in the tests | class | machine |", "|---|---|---|---|"]
    for slug, (name, cls, build) in MACHINES.items():
        report(f"reports/{slug}.check.json", build())
        rows.append(f"| `{slug}.check.json` | {name} | {cls} | {build.__doc__.split(chr(10))[0]} |")
    for slug, build in OTHER_MACHINES.items():
        report(f"reports/{slug}.check.json", build())
        rows.append(f"| `{slug}.check.json` | | | {build.__doc__.split(chr(10))[0]} |")
    for slug, (name, cls, build) in TORCH_MACHINES.items():  # `dlcheck check --course torch`
        report(f"reports/{slug}.check.json", build(), torch_profile)
        rows.append(f"| `{slug}.check.json` | {name} | {cls} | {build.__doc__.split(chr(10))[0]} |")
    out["reports/README.md"] = (
        "# Recorded machines\n\n"
        "`dlcheck check --json` reports of machines dlcheck cannot be run on here, judged\n"
        "against the default profile when they were written (the `torch-*` ones against the\n"
        "course's PyTorch flavour, `--course torch`). The tests read their facts back\n"
        "with the `--from` reader (`tests/recorded.py`) and judge them again. Written by\n"
        "`python tests/data/make_documents.py`; the facts are typed by hand from what each\n"
        "machine's probes report.\n\n" + "\n".join(rows) + "\n",
        None,
    )

    # Fleet: the fixed profile, single samples, a lab and a demo lab.
    out["fleet/README.md"] = (
        "# Saved results for the fleet tests\n\n"
        "Written by `python tests/data/make_documents.py` through dlcheck's one JSON writer;\n"
        "read by the tests through `tests/recorded.py` and the `lab` fixture.\n\n"
        "- `fleet-test.toml`: the fixed profile the check reports here were judged against.\n"
        "- `samples/`: one document per kind: `ready`, `warnings` (2 cores, no Graphviz),\n"
        "  `not-ready` (no AVX, 3 GiB, nothing installed), each also `.anon` (anonymised) and\n"
        "  `.default-profile` (judged against the packaged profile); `ready-no-course`,\n"
        "  `ready-32-cores`, `ready-rtx4090`; `match`/`mismatch` env results; a bench result.\n"
        "  The tests set the host name.\n"
        "- `lab/`: 12 named machines (READY, READY WITH WARNINGS, NOT READY in turn), 3\n"
        "  anonymised ones, env results of pc00 and pc03, bench results of pc00, pc03, pc06.\n"
        "- `demo/` and `example-lab01.bench.json`: the browser step's lab\n"
        "  (`.ci/steps/60-html.sh`), one machine with a hostile host name.\n\n"
        "The env and bench bodies are test inputs in their documented shape, not measurements.\n",
        None,
    )
    out["fleet/fleet-test.toml"] = (profile_toml(), None)
    s = "fleet/samples/"
    pentium = {"avx": False, "ram_gib": 3, "course": False, "cpu_model": "Intel Pentium N3700"}
    kinds = {"ready": {}, "warnings": {"cores": 2, "dot": False}, "not-ready": pentium}
    for kind, kw in kinds.items():
        fleet(f"{s}{kind}.check.json", facts_for("pc1", **kw))
        fleet(f"{s}{kind}.anon.check.json", facts_for(None, **kw), anonymized=True)
        report(f"{s}{kind}.default-profile.check.json", facts_for("pc1", **kw))
    fleet(f"{s}ready-no-course.check.json", facts_for("pc1", course=False))
    fleet(f"{s}ready-32-cores.check.json", facts_for("pc1", cores=32))
    fleet(f"{s}ready-rtx4090.check.json", facts_for("pc1", gpu="NVIDIA RTX 4090"))
    other(f"{s}match.env.json", env_result("pc1"))
    other(f"{s}mismatch.env.json", env_result("pc1", ok=False, problems=2))
    other(f"{s}pass.bench.json", bench_result("pc1", 500.0, 20.0, "PASS"))

    lab = "fleet/lab/"  # 12 named machines of every verdict, 3 anonymised, env and bench
    makers = [{}, {"cores": 2, "dot": False}, pentium]
    for i in range(12):
        fleet(f"{lab}pc{i:02d}.check.json", facts_for(f"pc{i:02d}", **makers[i % 3]))
    for i in range(3):
        fleet(f"{lab}anon/laptop{i}.json", facts_for(None, **makers[i % 3]), anonymized=True)
    # pc03's env has no host name: merged by file name.
    other(f"{lab}pc00.env.json", env_result("pc00"))
    other(f"{lab}pc03.env.json", env_result(None, ok=False, problems=2))
    other(f"{lab}pc00.bench.json", bench_result("pc00", 850.0, 12.0, "PASS"))
    other(f"{lab}pc03.bench.json", bench_result("pc03", 20.0, 520.0, "FAIL"))
    other(f"{lab}pc06.bench.json", bench_result("pc06", 90.0, 110.0, "WARN"))

    # The demo lab of the browser step (.ci/steps/60-html.sh): every verdict, one hostile
    # host name; no benchmark here (the step adds its own).
    demo = "fleet/demo/"
    fleet(f"{demo}example-lab01.check.json", facts_for("example-lab01"))
    other(f"{demo}example-lab01.env.json", env_result("example-lab01"))
    fleet(f"{demo}example-lab02.check.json", facts_for("example-lab02", cores=2, dot=False))
    other(f"{demo}example-lab02.env.json", env_result("example-lab02", False, 3))
    fleet(f"{demo}example-old-laptop.check.json", facts_for("example-old-laptop", **pentium))
    fleet(f"{demo}example-gpu-node.check.json", facts_for("example-gpu-node", gpu="NVIDIA A100"))
    fleet(f"{demo}laptop-17.check.json", facts_for(None, cores=2, dot=False), anonymized=True)
    fleet(f"{demo}hostile.check.json", facts_for(HOSTILE_HOST))
    other("fleet/example-lab01.bench.json", bench_result("example-lab01", 100.0, 50.0, "PASS"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    ap.add_argument("--root", default=str(HERE), help="where to write (default: tests/data)")
    args = ap.parse_args(argv)
    root = Path(args.root)
    docs = documents()
    if args.check:
        differ = [
            r
            for r, (t, _) in docs.items()
            if not (root / r).is_file() or (root / r).read_text(encoding="utf-8") != t
        ]
        for rel in differ:
            print(f"differs: {rel}")
        return 1 if differ else 0
    for folder in ("reports", "fleet"):
        if (root / folder).exists():
            shutil.rmtree(root / folder)
    for rel, (text, _) in docs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # Read back through the real readers: header, ranges, then the `--from` reader's facts.
    for rel, (_, facts) in docs.items():
        if rel.endswith(".json"):
            doc = read_document(root / rel)
            if facts is not None:
                again = doc.record()
                assert again == facts, f"{rel}: the facts did not survive the round trip"
    print(f"wrote {len(docs)} files under {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
