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
        extra={"frameworks": frameworks} if frameworks else {},
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


def advice_machines() -> dict:
    """name -> (class, facts builder) for every recorded machine of the advice tests."""
    return {
        "no-AVX laptop (Pentium N3700)": ("no AVX", old_laptop_no_avx),
        "Fedora laptop, Python 3.14": ("Python too new", linux_python_314),
        "Mac M2, Xcode Python 3.9.6": ("Python too old", mac_clt_python_39),
        "Ubuntu 20.04 lab PC, Python 3.8": ("Python too old", ubuntu_2004_python_38),
        "Intel Mac, Python 3.13": ("no wheel for this Python", intel_mac_python_313),
        "Windows on ARM (Snapdragon X)": ("Windows on ARM", windows_on_arm),
        "Raspberry Pi 5": ("Linux arm64 board", raspberry_pi_5),
        "AWS Graviton VM": ("Linux arm64 server", graviton_vm),
        "Docker on Apple Silicon": ("Linux arm64 container", docker_on_apple_silicon),
        "GPU cloud VM (T4, 2 vCPU)": ("GPU cloud VM", gpu_cloud_vm),
        "Colab GPU runtime": ("cloud notebook", colab_notebook),
        "Kaggle CPU notebook": ("cloud notebook", kaggle_cpu_notebook),
        "HPC node, driver 470": ("HPC old driver", hpc_node_old_driver),
        "HPC node, driver 550": ("HPC current driver", hpc_node_current_driver),
        "Slurm CPU job (1 core, 3 GiB)": ("Slurm job", slurm_cpu_job),
        "JupyterHub pod (2 GiB)": ("container limits", container_2gib),
        "32-bit Python on Windows": ("32-bit Python", python_32bit),
        "M1, Python under Rosetta": ("Rosetta", m1_rosetta),
        "MacBook Air M1": ("ready laptop", m1_air_8gb),
        "Windows NVIDIA laptop": ("native Windows GPU", windows_nvidia_laptop),
    }
