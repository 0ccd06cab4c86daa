"""Recorded documents under tests/data/, read back by dlcheck's real readers.

The documents were written once by ``tests/data/make_documents.py`` through the real pipeline
and the one JSON writer; this module only reads them (``dlcheck.documents.read_document``,
the reader behind ``--from`` and ``dlcheck report``). The fixtures in ``conftest.py`` use it;
tests that need a document at collection time import it directly.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from dlcheck.documents import document_json, read_document
from dlcheck.records import Facts, Gpu, GpuFacts

DATA = Path(__file__).resolve().parent / "data"
REPORTS = DATA / "reports"  # one `dlcheck check --json` report per recorded machine
FLEET = DATA / "fleet"
SAMPLES = FLEET / "samples"
LAB = FLEET / "lab"  # 12 named machines of every verdict, 3 anonymised, env and bench results
DEMO = FLEET / "demo"  # the demo lab of .ci/steps/60-html.sh
FLEET_PROFILE = FLEET / "fleet-test.toml"  # the fixed profile the fleet samples were judged by
GIB = 1024**3

# name in the tests -> (class of wrong advice, recorded report under tests/data/reports/)
MACHINES = {
    "no-AVX laptop (Pentium N3700)": ("no AVX", "no-avx-laptop"),
    "Fedora laptop, Python 3.14": ("Python too new", "fedora-python-314"),
    "Mac M2, Xcode Python 3.9.6": ("Python too old", "mac-xcode-python-39"),
    "Ubuntu 20.04 lab PC, Python 3.8": ("Python too old", "ubuntu-2004-python-38"),
    "Intel Mac, Python 3.13": ("no wheel for this Python", "intel-mac-python-313"),
    "Windows on ARM (Snapdragon X)": ("Windows on ARM", "windows-on-arm"),
    "Raspberry Pi 5": ("Linux arm64 board", "raspberry-pi-5"),
    "AWS Graviton VM": ("Linux arm64 server", "graviton-vm"),
    "Docker on Apple Silicon": ("Linux arm64 container", "docker-on-apple-silicon"),
    "GPU cloud VM (T4, 2 vCPU)": ("GPU cloud VM", "gpu-cloud-vm-t4"),
    "Colab GPU runtime": ("cloud notebook", "colab-gpu"),
    "Kaggle CPU notebook": ("cloud notebook", "kaggle-cpu"),
    "HPC node, driver 470": ("HPC old driver", "hpc-node-driver-470"),
    "HPC node, driver 550": ("HPC current driver", "hpc-node-driver-550"),
    "Slurm CPU job (1 core, 3 GiB)": ("Slurm job", "slurm-cpu-job"),
    "JupyterHub pod (2 GiB)": ("container limits", "jupyterhub-pod-2gib"),
    "32-bit Python on Windows": ("32-bit Python", "windows-python-32bit"),
    "M1, Python under Rosetta": ("Rosetta", "m1-rosetta"),
    "MacBook Air M1": ("ready laptop", "macbook-air-m1"),
    "Windows NVIDIA laptop": ("native Windows GPU", "windows-nvidia-laptop"),
    # issue 18: platforms and environments the plan must get right
    "Alpine container (musl)": ("musl libc", "alpine-musl"),
    "CentOS 7 server (glibc 2.17)": ("old glibc", "centos7-old-glibc"),
    "PyPy 3.10 laptop": ("not CPython", "pypy-laptop"),
    "Free-threaded Python 3.13t": ("free-threaded build", "free-threaded-313t"),
    "Environment made by env create (cpu)": ("tensorflow-cpu", "env-create-cpu"),
    "Lesson's own pip line": ("no lock", "lesson-pip-line"),
    # issue 29 (issue 26 item 4): dlcheck from its own pipx environment
    "dlcheck run with pipx": ("dlcheck as a tool", "pipx-tool"),
    "ROCm workstation (tensorflow-rocm)": ("tensorflow-rocm", "rocm-workstation"),
    "Windows, TensorFlow 2.15 (tensorflow-intel)": ("stale distribution", "windows-tf215-intel"),
    "Windows, DirectML plugin": ("breaking plugin", "windows-directml"),
    "Mac, tensorflow-metal on 2.20": ("breaking plugin", "mac-metal-tf220"),
    "Fresh Windows laptop": ("Windows install", "windows-fresh"),
    "openSUSE, Python 3.14": ("zypper", "opensuse-python-314"),
    "Rocky Linux GPU workstation, driver 470": ("dnf, not apt", "rocky-gpu-old-driver"),
    "conda environment on Ubuntu": ("conda", "conda-ubuntu-no-dot"),
    "Fresh Debian laptop": ("apt", "debian-fresh"),
    "JupyterHub server (1 core, 1 GiB)": ("hub without sudo", "hub-pod-1gib"),
    # issue 26
    "Course environment made, not activated": ("made, not active", "env-made-not-active"),
    "Debian container as root, Python 3.14": ("root in a container", "debian-root-container"),
    "SageMaker Studio Lab, Python 3.9": ("hosted notebook with conda", "studiolab-python-39"),
    "tf-nightly and keras-nightly": ("nightly distributions", "nightly-builds"),
    "WSL 2 on an 8 GB laptop": ("WSL memory cap", "wsl2-memory-cap"),
    "Raspberry Pi, 32-bit OS on a 64-bit kernel": ("32-bit userland", "raspberry-pi-32bit-os"),
    "TensorFlow course, Keras on torch (KERAS_BACKEND)": ("wrong Keras backend", "keras-on-torch"),
    "KERAS_BACKEND=nonsense": ("broken Keras setting", "keras-backend-nonsense"),
}


# issue 22: the course's PyTorch flavour, recorded with `dlcheck check --course torch`
# name in the tests -> (class, recorded report under tests/data/reports/)
TORCH_MACHINES = {
    "PyTorch flavour: Fedora, Python 3.14": ("torch on Python 3.14", "torch-fedora-python-314"),
    "PyTorch flavour: Linux laptop": ("torch ready", "torch-linux-laptop"),
    "PyTorch flavour: MacBook Air M2": ("torch on Apple Silicon", "torch-apple-silicon"),
    "PyTorch flavour: Intel Mac": ("no torch for Intel Macs", "torch-intel-mac"),
    "PyTorch flavour: Windows on ARM": ("no torch for Windows on Arm", "torch-windows-on-arm"),
}


def machine_course(slug: str) -> str:
    """The course flavour a recorded machine was checked against (its report's profile)."""
    data = read_document(report_path(slug), ["dlcheck.report"]).data
    return str((data.get("profile") or {}).get("course") or "tensorflow")


def report_path(slug: str) -> Path:
    """The saved report of a recorded machine (a real `dlcheck check --json` file)."""
    path = REPORTS / f"{slug}.check.json"
    if not path.is_file():
        raise LookupError(f"no recorded machine {slug!r} under {REPORTS}")
    return path


def machine_facts(slug: str) -> Facts:
    """The facts of a recorded machine, read as `dlcheck check --from` reads them."""
    return read_document(report_path(slug), ["dlcheck.report"]).record()


# ---- fleet samples -----------------------------------------------------------------------


def document(path: Path) -> dict[str, Any]:
    """A stored document as a fresh dictionary (header and ranges checked by the reader)."""
    return read_document(path).data


def _with_host(data: dict[str, Any], host: str | None) -> dict[str, Any]:
    if data.get("schema") == "dlcheck.report":
        data["facts"]["platform"]["hostname"] = host
    else:
        data["hostname"] = host
    return data


def sample(name: str, host: str | None = "pc1") -> dict[str, Any]:
    """The stored sample ``fleet/samples/<name>.json`` with its host name set to ``host``."""
    return _with_host(document(SAMPLES / f"{name}.json"), host)


def _check(kind: str, host: str | None) -> dict[str, Any]:
    # None: the anonymised report of the same machine (as `check --anonymize` writes it)
    return sample(f"{kind}.anon.check", None) if host is None else sample(f"{kind}.check", host)


def ready(host: str | None) -> dict[str, Any]:
    """A READY check report (fleet test profile): 8 cores, 16 GiB, the course installed."""
    return _check("ready", host)


def warnings(host: str | None) -> dict[str, Any]:
    """READY WITH WARNINGS: 2 cores, no Graphviz."""
    return _check("warnings", host)


def not_ready(host: str | None) -> dict[str, Any]:
    """NOT READY: no AVX, 3 GiB, nothing installed."""
    return _check("not-ready", host)


def env_result(host: str | None, ok: bool = True) -> dict[str, Any]:
    """An `env verify --json` result: MATCH, or MISMATCH with 2 missing packages."""
    return sample("match.env" if ok else "mismatch.env", host)


def bench_result(
    host: str | None, images_per_s: float, ep4_seconds: float, verdict: str = "PASS"
) -> dict[str, Any]:
    """A `bench --json` result, its headline set to the given figures (test inputs)."""
    data = sample("pass.bench", host)
    data["headline"].update(
        train_images_per_s=images_per_s, predicted_episode4_s=ep4_seconds, verdict=verdict
    )
    return data


def sample_facts(name: str = "ready.check") -> Facts:
    """The facts of a stored check sample, read by the `--from` reader."""
    return read_document(SAMPLES / f"{name}.json", ["dlcheck.report"]).record()


def vary(
    facts: Facts,
    host: str | None = None,
    *,
    gpu: str | None = None,
    cpu_model: str | None = None,
    os_name: str | None = None,
    ram_gib: float | None = None,
) -> Facts:
    """``facts`` with another host name, an NVIDIA GPU, CPU model, OS name or RAM size."""
    platform = replace(facts.platform, hostname=host)
    if os_name is not None:
        platform = replace(platform, os_name=os_name)
    facts = replace(facts, platform=platform)
    if cpu_model is not None:
        facts = replace(facts, cpu=replace(facts.cpu, model=cpu_model))
    if gpu is not None:
        gpus = [Gpu(vendor="nvidia", name=gpu, memory_bytes=16 * GIB)]
        facts = replace(facts, gpu=GpuFacts(gpus=gpus, nvidia_status="ok"))
    if ram_gib is not None:
        size = int(ram_gib * GIB)
        memory = replace(
            facts.memory, total_bytes=size, available_bytes=size // 2, effective_bytes=size
        )
        facts = replace(facts, memory=memory)
    return facts


def fleet_profile_and_places() -> tuple[Any, Any]:
    """The fixed fleet test profile (fleet/fleet-test.toml) and the packaged places."""
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile

    return replace(load_profile(FLEET_PROFILE), source="fleet-test.toml"), load_places()


def judged(facts: Facts, anonymized: bool = False) -> dict[str, Any]:
    """A real `dlcheck check --json` report of ``facts`` against the fleet test profile."""
    from dlcheck.report import judge

    profile, places = fleet_profile_and_places()
    return judge(facts, profile, places, anonymized).to_json_dict()


def write(path: Path, data: Any) -> Path:
    """Save ``data`` as dlcheck does: a registered document through the one writer
    (dlcheck.documents: strict JSON); anything else (a broken file on purpose) as given."""
    from dlcheck.documents import KINDS

    path.parent.mkdir(parents=True, exist_ok=True)
    kind = KINDS.get(data.get("schema")) if isinstance(data, dict) else None
    if kind is not None and data.get("schema_version") == kind.version:
        path.write_text(document_json(data), encoding="utf-8")
    else:
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def copy_lab(source: Path, target: Path) -> Path:
    """A writable copy of a stored lab folder (tests may add files to it)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def write_many(
    folder: Path, n: int, prefix: str = "pc", default_profile: bool = False
) -> list[Path]:
    """``n`` check reports of every verdict, copies of the three stored samples with their
    own host names. ``default_profile``: the samples judged against the packaged profile, as
    real reports are."""
    suffix = ".default-profile.check" if default_profile else ".check"
    templates = [sample(k + suffix) for k in ("ready", "warnings", "not-ready")]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        t = templates[i % 3]
        t["facts"]["platform"]["hostname"] = f"{prefix}{i:05d}"
        p = folder / f"{prefix}{i:05d}.check.json"
        p.write_text(json.dumps(t, indent=2), encoding="utf-8")  # as `check --json` writes
        out.append(p)
    return out


def hostile_host() -> str:
    """The hostile host name of the demo lab (a script tag), as stored."""
    return document(DEMO / "hostile.check.json")["facts"]["platform"]["hostname"]
