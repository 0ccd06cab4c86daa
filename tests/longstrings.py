"""The long-strings mode of the recorded machines (``DLCHECK_LONG_STRINGS=1``).

CI runs the view and fleet tests a second time with it (.ci/steps/25-long-strings.sh): every
recorded machine then has a 60-character CPU model, long GPU names and a 40-character host
name (the recorded lab's check reports get the long CPU and GPU names but keep their host
names, by which the fleet tests merge and name machines; the view tests' own fleets get
40-character host names). A view that only passed because the machine it ran
on had short names fails here. The documents under tests/data/ are not changed: the long
strings are derived from them when a fixture reads them."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from dlcheck.records import Facts

ON = os.environ.get("DLCHECK_LONG_STRINGS", "") not in ("", "0")

CPU = "Intel(R) Xeon(R) Platinum 8480+ Processor @ 2.00GHz (Sapphire)"[:60]
GPUS = (
    "NVIDIA GeForce RTX 4090 Laptop GPU with Max-Q Design (Ada Lovelace)",
    "NVIDIA RTX A6000 Ada Generation Professional Workstation Graphics",
)
HOST_LENGTH = 40
assert len(CPU) == 60


def long_host(host: str) -> str:
    """``host`` padded to ``HOST_LENGTH`` characters with a domain, its own name first."""
    tail = ".physics-teaching-lab.university.example"
    return (host + tail)[:HOST_LENGTH] if len(host) < HOST_LENGTH else host


def lengthen(facts: Facts) -> Facts:
    """``facts`` with the long CPU model, GPU names and host name."""
    host = facts.platform.hostname
    gpus = [dataclasses.replace(g, name=GPUS[i % len(GPUS)]) for i, g in enumerate(facts.gpu.gpus)]
    return dataclasses.replace(
        facts,
        platform=dataclasses.replace(facts.platform, hostname=long_host(host) if host else host),
        cpu=dataclasses.replace(facts.cpu, model=CPU),
        gpu=dataclasses.replace(facts.gpu, gpus=gpus),
    )


def maybe(facts: Facts) -> Facts:
    """``lengthen(facts)`` in the long-strings mode, else ``facts`` unchanged."""
    return lengthen(facts) if ON else facts


def maybe_host(host: str) -> str:
    return long_host(host) if ON else host


def maybe_name(name: str | None) -> str | None:
    """A GPU name: the first long one in the long-strings mode (Apple's names stay)."""
    return GPUS[0] if ON and name and name.startswith("NVIDIA") else name


def lengthen_folder(folder: Path) -> int:
    """Rewrite the check reports under ``folder`` (a test's own copy) with the long CPU model
    and GPU names; returns how many were rewritten."""
    done = 0
    for path in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(data, dict) or data.get("schema") != "dlcheck.report":
            continue
        facts = data.get("facts") or {}
        if isinstance(facts.get("cpu"), dict):
            facts["cpu"]["model"] = CPU
        for i, gpu in enumerate((facts.get("gpu") or {}).get("gpus") or []):
            gpu["name"] = GPUS[i % len(GPUS)]
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        done += 1
    return done
