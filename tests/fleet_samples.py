"""Saved results of many made-up machines for the fleet tests and benchmarks/report_scale.py.

Check reports are real: facts judged by the real verdict engine against the default profile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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

GIB = 1024**3
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
_CACHE: dict[str, Any] = {}


def profile_and_places() -> tuple[Any, Any]:
    if not _CACHE:
        _CACHE["pp"] = (parse_profile(PROFILE_DATA, "fleet-test.toml"), load_places())
    return _CACHE["pp"]


def check_report(facts: Facts, anonymized: bool = False) -> dict[str, Any]:
    """A real ``dlcheck check --json`` report of ``facts`` (fixed test profile)."""
    profile, places = profile_and_places()
    return judge(facts, profile, places, anonymized).to_json_dict()


def ready(host: str | None, **kw: Any) -> dict[str, Any]:
    return check_report(facts_for(host, **kw), anonymized=host is None)


def warnings(host: str | None) -> dict[str, Any]:
    """READY WITH WARNINGS: 2 cores, no Graphviz."""
    return ready(host, cores=2, dot=False)


def not_ready(host: str | None) -> dict[str, Any]:
    """NOT READY: no AVX, 3 GiB, nothing installed."""
    return ready(host, avx=False, ram_gib=3, course=False, cpu_model="Intel Pentium N3700")


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


def write(path: Path, data: Any) -> Path:
    """Save ``data`` as dlcheck does: a registered document through the one writer
    (dlcheck.documents: strict JSON); anything else (a broken file on purpose) as given."""
    from dlcheck.documents import KINDS, document_json

    path.parent.mkdir(parents=True, exist_ok=True)
    kind = KINDS.get(data.get("schema")) if isinstance(data, dict) else None
    if kind is not None and data.get("schema_version") == kind.version:
        path.write_text(document_json(data), encoding="utf-8")
    else:
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def write_many(
    folder: Path, n: int, prefix: str = "pc", default_profile: bool = False
) -> list[Path]:
    """``n`` check reports of every verdict (the slow judging is done once per kind).
    ``default_profile``: judged against the packaged profile, as real reports are."""
    kinds = [
        facts_for("x"),
        facts_for("x", cores=2, dot=False),
        facts_for("x", avx=False, ram_gib=3, course=False, cpu_model="Intel Pentium N3700"),
    ]
    if default_profile:
        profile, places = load_profile(), load_places()
        templates = [judge(f, profile, places).to_json_dict() for f in kinds]
    else:
        templates = [check_report(f) for f in kinds]
    out = []
    for i in range(n):
        t = templates[i % 3]
        t["facts"]["platform"]["hostname"] = f"{prefix}{i:05d}"
        p = folder / f"{prefix}{i:05d}.check.json"
        p.write_text(json.dumps(t, indent=2), encoding="utf-8")  # as `check --json` writes
        out.append(p)
    return out


HOSTILE_HOST = (
    "<script>document.title='PWNED'</script><img src=x onerror=\"document.body.dataset.pwned=1\">"
)


def write_demo(folder: Path) -> list[Path]:
    """Example machines of every verdict, one with a hostile host name (no benchmark figures:
    those come only from real runs)."""
    return [
        write(folder / "example-lab01.check.json", ready("example-lab01")),
        write(folder / "example-lab01.env.json", env_result("example-lab01")),
        write(folder / "example-lab02.check.json", warnings("example-lab02")),
        write(folder / "example-lab02.env.json", env_result("example-lab02", False, 3)),
        write(folder / "example-old-laptop.check.json", not_ready("example-old-laptop")),
        write(folder / "example-gpu-node.check.json", ready("example-gpu-node", gpu="NVIDIA A100")),
        write(folder / "laptop-17.check.json", warnings(None)),
        write(folder / "hostile.check.json", ready(HOSTILE_HOST)),
    ]
