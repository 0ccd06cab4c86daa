"""Parse functions on recorded inputs from several machines."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.probes.cgroup import (
    parse_cfs,
    parse_cpu_max,
    parse_memory_max,
    parse_proc_self_cgroup,
    read_cgroup_limits,
)
from dlcheck.probes.cpu import instruction_sets, parse_proc_cpuinfo, parse_sysctl, usable_cores
from dlcheck.probes.gpu import (
    classify_nvml_error,
    cuda_version_from_int,
    parse_amd_smi,
    parse_nvidia_smi_csv,
    parse_nvidia_smi_cuda,
    parse_rocm_smi,
    parse_system_profiler,
)
from dlcheck.probes.packages import canonical_name, parse_dot_version, parse_metadata_dirnames
from dlcheck.probes.python import classify_environment
from dlcheck.probes.system import (
    detect_container,
    detect_hypervisor,
    detect_wsl,
    normalise_arch,
    parse_os_release,
)

DATA = Path(__file__).parent / "data"


def read(rel: str) -> str:
    return (DATA / rel).read_text()


# --- CPU ---------------------------------------------------------------------------------


def test_cpuinfo_intel_laptop_with_avx2():
    info = parse_proc_cpuinfo(read("cpuinfo/intel-i7-8550u.txt"))
    assert info["model"] == "Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz"
    assert info["vendor"] == "GenuineIntel"
    assert info["logical"] == 4
    assert info["physical"] == 2  # two distinct (physical id, core id) pairs
    assert info["mhz"] == pytest.approx(1992.0)
    isa = instruction_sets(info["flags"], "x86_64")
    assert isa == {"avx": True, "avx2": True, "fma": True, "avx512f": False, "neon": False}


def test_cpuinfo_old_pentium_has_no_avx():
    info = parse_proc_cpuinfo(read("cpuinfo/pentium-n3700-noavx.txt"))
    assert info["logical"] == 2
    isa = instruction_sets(info["flags"], "x86_64")
    assert isa["avx"] is False and isa["avx2"] is False and isa["fma"] is False
    assert "sse4_2" in info["flags"]


def test_cpuinfo_epyc_avx512():
    info = parse_proc_cpuinfo(read("cpuinfo/amd-epyc-vm-avx512.txt"))
    assert info["vendor"] == "AuthenticAMD"
    assert "hypervisor" in info["flags"]
    assert instruction_sets(info["flags"], "x86_64")["avx512f"] is True


def test_cpuinfo_raspberry_pi_arm64():
    info = parse_proc_cpuinfo(read("cpuinfo/raspberry-pi4-arm64.txt"))
    assert info["logical"] == 4
    assert info["vendor"] == "ARM"
    assert "Raspberry Pi 4" in info["model"]
    assert "asimd" in info["flags"]
    isa = instruction_sets(info["flags"], "arm64")
    assert isa["neon"] is True and isa["avx"] is False


def test_instruction_sets_unknown_without_flags():
    assert instruction_sets(set(), "x86_64")["avx"] is None
    assert instruction_sets(set(), "arm64")["neon"] is True  # mandatory in ARMv8-A


def test_sysctl_apple_m1():
    info = parse_sysctl(read("sysctl/macbook-air-m1.txt"))
    assert info["model"] == "Apple M1"
    assert info["vendor"] == "Apple"
    assert info["logical"] == 8 and info["physical"] == 8
    assert "neon" in info["flags"]
    assert instruction_sets(info["flags"], "arm64")["neon"] is True


def test_sysctl_intel_mac_spells_avx_as_avx1_0():
    info = parse_sysctl(read("sysctl/macbook-pro-2015-intel.txt"))
    assert info["vendor"] == "GenuineIntel"
    assert info["mhz"] == pytest.approx(2700.0)
    isa = instruction_sets(info["flags"], "x86_64")
    assert isa["avx"] is True and isa["avx2"] is True and isa["fma"] is True
    assert isa["avx512f"] is False  # hw.optional.avx512f: 0


def test_usable_cores_takes_the_smallest_limit():
    assert usable_cores(16, 16, None) == (16.0, "logical CPUs")
    assert usable_cores(16, 4, None) == (4.0, "CPU affinity")
    assert usable_cores(16, 16, 1.5) == (1.5, "cgroup CPU quota")
    assert usable_cores(None, None, None) == (None, None)


# --- cgroups -----------------------------------------------------------------------------


def test_parse_cgroup_values():
    assert parse_memory_max("max\n") is None
    assert parse_memory_max("2147483648\n") == 2 * 1024**3
    assert parse_memory_max("9223372036854771712\n") is None  # v1 "unlimited"
    assert parse_cpu_max("max 100000") is None
    assert parse_cpu_max("150000 100000") == 1.5
    assert parse_cfs("-1", "100000") is None
    assert parse_cfs("200000", "100000") == 2.0
    assert parse_proc_self_cgroup("0::/user.slice/app.scope\n") == {"": "/user.slice/app.scope"}
    v1 = parse_proc_self_cgroup("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")
    assert v1["memory"] == "/docker/abc" and v1["cpuacct"] == "/docker/abc"


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_cgroup_v2_tree(tmp_path):
    _write(tmp_path, "proc/self/cgroup", "0::/kubepods/pod1/ctr\n")
    _write(tmp_path, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    _write(tmp_path, "sys/fs/cgroup/memory.max", "max\n")
    _write(tmp_path, "sys/fs/cgroup/kubepods/pod1/memory.max", "4294967296\n")
    _write(tmp_path, "sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "2147483648\n")
    _write(tmp_path, "sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", "150000 100000\n")
    limits = read_cgroup_limits(tmp_path)
    assert limits.version == 2
    assert limits.memory_bytes == 2 * 1024**3
    assert limits.cpu_quota == 1.5


def test_cgroup_v2_namespaced_path_falls_back_to_mount(tmp_path):
    # Inside a container /proc/self/cgroup names a host path that is not mounted here.
    _write(tmp_path, "proc/self/cgroup", "0::/system.slice/docker-abc.scope\n")
    _write(tmp_path, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
    _write(tmp_path, "sys/fs/cgroup/memory.max", "1073741824\n")
    _write(tmp_path, "sys/fs/cgroup/cpu.max", "max 100000\n")
    limits = read_cgroup_limits(tmp_path)
    assert limits.memory_bytes == 1024**3
    assert limits.cpu_quota is None


def test_cgroup_v1_tree(tmp_path):
    _write(tmp_path, "proc/self/cgroup", "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n")
    _write(tmp_path, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
    _write(tmp_path, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "2147483648\n")
    _write(tmp_path, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "100000\n")
    _write(tmp_path, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n")
    limits = read_cgroup_limits(tmp_path)
    assert limits.version == 1
    assert limits.memory_bytes == 2 * 1024**3
    assert limits.cpu_quota == 1.0


def test_no_cgroup_fs(tmp_path):
    assert read_cgroup_limits(tmp_path).version is None


# --- GPU ---------------------------------------------------------------------------------


def test_nvidia_smi_csv_and_header():
    (gpu,) = parse_nvidia_smi_csv(read("gpu/nvidia-smi-query.csv"))
    assert gpu.name == "NVIDIA GeForce RTX 3060 Laptop GPU"
    assert gpu.memory_bytes == 6144 * 1024**2
    assert gpu.driver_version == "551.86"
    assert gpu.compute_capability == "8.6"
    assert parse_nvidia_smi_cuda(read("gpu/nvidia-smi-table.txt")) == "12.4"


def test_nvidia_smi_old_driver_without_compute_cap():
    gpus = parse_nvidia_smi_csv(read("gpu/nvidia-smi-query-2gpu-old.csv"))
    assert len(gpus) == 2
    assert gpus[0].compute_capability is None
    assert gpus[1].driver_version == "470.82.01"


@pytest.mark.parametrize(
    ("message", "status", "advice_word"),
    [
        ("NVML: NVMLError_LibraryNotFound: NVML Shared Library Not Found", "absent", None),
        ("NVML: NVMLError_DriverNotLoaded: Driver Not Loaded", "error", "reboot"),
        (
            "NVMLError_LibRmVersionMismatch: RM has detected an NVML/RM version mismatch",
            "error",
            "reboot",
        ),
        (read("gpu/nvidia-smi-mismatch.txt"), "error", "reboot"),
        (read("gpu/nvidia-smi-nodriver.txt"), "error", "driver"),
        ("NVMLError_NoPermission: Insufficient Permissions", "error", "permission"),
        ("nvidia-smi timed out after 4 s", "error", "reboot"),
        ("NVMLError_Unknown: Unknown Error", "error", "update"),
    ],
)
def test_nvml_errors_are_explained(message, status, advice_word):
    """The probe classifies (a fact); the advice comes from data, for the person who can act."""
    from dlcheck.support import nvidia_error_advice

    assert classify_nvml_error(message) == status
    if advice_word is not None:
        assert advice_word in nvidia_error_advice(message).lower()
        on_cluster = nvidia_error_advice(message, hpc=True)
        assert "HPC support" in on_cluster and "sudo" not in on_cluster


def test_cuda_version_from_nvml_int():
    assert cuda_version_from_int(12040) == "12.4"
    assert cuda_version_from_int(11080) == "11.8"


def test_system_profiler_m1():
    (gpu,) = parse_system_profiler(read("gpu/system-profiler-m1.json"))
    assert gpu.vendor == "apple" and gpu.name == "Apple M1"
    assert gpu.cores == 7 and gpu.metal == "Metal 3"


def test_system_profiler_intel_mac():
    (gpu,) = parse_system_profiler(read("gpu/system-profiler-intel-mac.json"))
    assert gpu.vendor == "intel" and gpu.memory_bytes == 1536 * 1024**2
    assert gpu.metal == "Metal 2"


def test_amd_tools():
    (rocm,) = parse_rocm_smi(read("gpu/rocm-smi.json"))
    assert rocm.name == "Radeon RX 7900 XTX" and rocm.memory_bytes == 25753026560
    (amd,) = parse_amd_smi(read("gpu/amd-smi.json"))
    assert amd.name == "AMD Instinct MI210" and amd.memory_bytes == 65520 * 1024**2


@pytest.mark.parametrize("garbled", [False, True])
@pytest.mark.parametrize(
    ("on_path", "asked", "note"),
    [
        ({"amd-smi", "rocm-smi"}, "amd-smi", "amd-smi output unreadable"),
        ({"rocm-smi"}, "rocm-smi", "rocm-smi output unreadable"),
        (set(), None, None),
    ],
)
def test_probe_gpu_asks_the_first_amd_tool_on_the_path(
    monkeypatch: pytest.MonkeyPatch,
    on_path: set[str],
    asked: str | None,
    note: str | None,
    garbled: bool,
) -> None:
    """amd-smi before rocm-smi, only one of them, its own arguments and parser; an answer
    that cannot be parsed is a note naming the tool, an answer from the tool its GPUs."""
    from dlcheck.probes import gpu as gpu_probe
    from dlcheck.subprocesses import CommandResult

    answers = {"amd-smi": read("gpu/amd-smi.json"), "rocm-smi": read("gpu/rocm-smi.json")}
    calls: list[tuple[str, ...]] = []

    def run(args: list[str], timeout: float = 5.0) -> CommandResult:
        calls.append(tuple(args))
        out = "{not json" if garbled else answers[args[0]]
        return CommandResult(tuple(args), 0, out, "", None)

    monkeypatch.setattr(gpu_probe, "_probe_nvidia", lambda timeout: ([], "absent", None))
    monkeypatch.setattr(gpu_probe.platform, "system", lambda: "Linux")
    monkeypatch.setattr(gpu_probe.shutil, "which", lambda name: name if name in on_path else None)
    monkeypatch.setattr(gpu_probe, "run_command", run)
    facts = gpu_probe.probe_gpu()
    assert [c[0] for c in calls] == ([asked] if asked else [])
    if asked is None:
        assert not facts.gpus and not facts.notes
    elif garbled:
        assert not facts.gpus and len(facts.notes) == 1 and facts.notes[0].startswith(note)
    else:
        expected = parse_amd_smi if asked == "amd-smi" else parse_rocm_smi
        assert facts.gpus == expected(answers[asked]) and not facts.notes
        assert calls[0][-1] == "--json"


# --- platform, python, packages ------------------------------------------------------------


def test_os_release_and_arch():
    rel = parse_os_release('NAME="Ubuntu"\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n')
    assert rel["PRETTY_NAME"] == "Ubuntu 24.04.1 LTS" and rel["VERSION_ID"] == "24.04"
    assert normalise_arch("AMD64") == "x86_64"
    assert normalise_arch("aarch64") == "arm64"
    assert normalise_arch("i686") == "x86"


def test_wsl_detection():
    assert detect_wsl("5.15.153.1-microsoft-standard-WSL2", {}) == (True, 2)
    assert detect_wsl("4.4.0-19041-Microsoft", {}) == (True, 1)
    assert detect_wsl("6.8.0-45-generic", {}) == (False, None)


def test_container_detection():
    assert detect_container("0::/\n", {}, dockerenv=True, containerenv=False) == "docker"
    assert detect_container("0::/\n", {}, dockerenv=False, containerenv=True) == "podman"
    k8s = detect_container("", {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, False, False)
    assert k8s == "kubernetes"
    assert detect_container("12:cpu:/kubepods/burstable/pod1\n", {}, False, False) == "kubernetes"
    assert detect_container("0::/init.scope\n", {}, False, False) is None


def test_hypervisor_detection():
    assert detect_hypervisor("QEMU Standard PC (Q35 + ICH9, 2009)", True) == "QEMU"
    assert detect_hypervisor("innotek GmbH VirtualBox", True) == "VirtualBox"
    assert detect_hypervisor("LENOVO 20KH", False) is None
    assert detect_hypervisor("", True) == "unknown hypervisor"


def test_environment_kind():
    assert classify_environment("/p/venv", "/usr", {}, False) == ("venv", "venv")
    assert classify_environment("/o/envs/dl", "/o/envs/dl", {"CONDA_DEFAULT_ENV": "dl"}, True) == (
        "conda",
        "dl",
    )
    assert classify_environment("/usr", "/usr", {}, False) == ("system", None)


def test_metadata_dirnames():
    found = parse_metadata_dirnames(
        [
            "scikit_learn-1.5.2.dist-info",
            "tensorflow_cpu-2.21.0.dist-info",
            "keras-3.15.1.dist-info",
            "pydot-3.0.2-py3.11.egg-info",
            "keras-2.15.0.dist-info",  # shadowed: the first on the path wins
            "README.txt",
        ]
    )
    assert found == {
        "scikit-learn": "1.5.2",
        "tensorflow-cpu": "2.21.0",
        "keras": "3.15.1",
        "pydot": "3.0.2",
    }
    assert canonical_name("Keras_Tuner") == "keras-tuner"
    assert parse_dot_version("dot - graphviz version 2.43.0 (0)\n") == "2.43.0"


def test_detect_context() -> None:
    from dlcheck.probes.context import detect_context

    assert detect_context({"SLURM_JOB_ID": "123"}) == ["slurm"]
    assert detect_context({}, "0::/system.slice/slurmstepd.scope/job_42/step_0") == ["slurm"]
    assert detect_context({"PBS_JOBID": "9.pbs"}) == ["pbs"]
    assert detect_context({"COLAB_RELEASE_TAG": "r1"}, container="docker") == ["colab", "docker"]
    assert detect_context({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}) == ["kaggle"]
    assert detect_context({}, files={"/opt/ml/metadata/resource-metadata.json": True}) == [
        "sagemaker"
    ]
    assert detect_context({"JUPYTERHUB_USER": "pat"}, container="kubernetes") == [
        "jupyterhub",
        "kubernetes",
    ]
    assert detect_context({}, wsl=True) == ["wsl"]
    assert detect_context({"HOME": "/home/x"}, "0::/user.slice/user-1000.slice") == []


def test_normalize_report_is_pure_and_lists_what_it_did() -> None:
    from dlcheck.normalize import normalize_report

    data = {
        "facts": {
            "platform": {"system": "Linux", "machine": "AMD64"},
            "cpu": {"flags": ["AVX", "SSE4_2"]},
            "memory": {"total_bytes": 8, "cgroup_limit_bytes": 4},
            "packages": {"versions": {"Scikit_Learn": "1.7.2"}},
            "shoe_size": 44,
        }
    }
    out, notes = normalize_report(data)
    assert data["facts"]["platform"]["machine"] == "AMD64"  # the input is not changed
    f = out["facts"]
    assert f["platform"]["machine"] == "x86_64" and f["platform"]["rosetta"] is False
    assert f["cpu"]["avx"] is True and f["cpu"]["avx2"] is False
    assert f["memory"]["effective_bytes"] == 4
    assert f["packages"]["versions"] == {"scikit-learn": "1.7.2"}
    assert f["disk"] == {"error": "not in the saved report"}
    assert any("unknown key facts.shoe_size" in n for n in notes)
    assert any("missing section facts.disk" in n for n in notes)
    assert not any("rosetta" in n for n in notes)  # a Mac-only key is not demanded on Linux
