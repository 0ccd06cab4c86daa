"""Normalise a saved report before it is judged again (``dlcheck check --from``).

A report written by an older dlcheck, or by another tool, says the same things in other
words: ``aarch64`` or ``AMD64`` for an architecture, ``Keras`` or ``scikit_learn`` for a
package, ``OK`` for a status; it may lack a field that follows from another (effective memory
from total memory, AVX from the CPU flags), a whole section, or a key that only means
something on another OS (Rosetta off a Mac). ``normalize_report`` turns all of that into the
current form and lists what it did, for ``--strict``. A report of an older schema version is
first brought to the current one (``upgrade_facts``). Pure: no I/O."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from typing import Any

from dlcheck.formats import canonical_name
from dlcheck.records import facts_keys

ABSENT = "not in the saved report"
_ARCH_KEYS = (("platform", "machine"), ("cpu", "arch"), ("python", "machine"))
_FLAGS = ("avx", "avx2", "fma", "avx512f", "neon")
_OS_ONLY = {"rosetta": "Darwin", "wsl": "Linux", "wsl_version": "Linux"}
_SYSTEMS = {"linux": "Linux", "darwin": "Darwin", "macos": "Darwin", "windows": "Windows"}
_STATUSES = ("ok", "import-error", "crashed", "timeout", "error", "bad-output")


def _fields(cls: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def upgrade_facts(facts: dict[str, Any], version: Any) -> None:
    """Bring the facts object of a report of schema ``version`` to the current form, in place.
    Version 1 kept the feature sections (frameworks, environment, benchmark), the sections of
    newer writers and the reader's notes (``normalized``) under ``facts.extra``; version 2 has
    each of them as a key of the facts object. A key of the old ``extra`` named like a typed
    field (no dlcheck wrote one) stays under ``extra``."""
    if version != 1 or not isinstance(facts.get("extra"), dict):
        return
    extra = facts.pop("extra")
    if "normalized" in extra:
        facts["normalized"] = extra.pop("normalized")
    typed = facts_keys()
    for key, value in extra.items():
        if key not in typed and key not in facts:
            facts[key] = value
        else:
            facts.setdefault("extra", {})[key] = value


def _copied(value: Any) -> Any:
    """A copy of parsed JSON (dicts and lists copied, scalars shared): what deepcopy gives
    for it at a fraction of the cost (no memo), which a fleet of 10,000 reports pays."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


def normalize_report(
    data: dict[str, Any], sections: Collection[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """A normalised copy of a parsed report and the notes on what was changed, derived,
    missing or unknown; ``sections`` are the names of the registered features' sections
    (dlcheck/features.py). Never raises on odd content: what it cannot read it leaves alone."""
    from dlcheck.probes.system import normalise_arch

    out = _copied(data)
    notes: list[str] = []
    facts = out.get("facts")
    if not isinstance(facts, dict):
        return out, notes
    upgrade_facts(facts, out.get("schema_version"))
    typed = facts_keys()
    section_cls = _section_classes()
    for key in list(facts):
        if key not in typed and key not in sections:
            notes.append(f"unknown key facts.{key} (kept as it is, not judged)")
    for name, cls in section_cls.items():
        sec = facts.get(name)
        if sec is None:
            facts[name] = {"error": ABSENT}
            notes.append(f"missing section facts.{name}: its findings are UNKNOWN")
            continue
        if not isinstance(sec, dict):
            continue
        known = set(_fields(cls))
        for key in sorted(sec):
            if key not in known:
                notes.append(f"unknown key facts.{name}.{key} (ignored)")
    plat = facts.get("platform") if isinstance(facts.get("platform"), dict) else {}
    system = plat.get("system")
    if (
        isinstance(system, str)
        and system.lower() in _SYSTEMS
        and system != _SYSTEMS[system.lower()]
    ):
        plat["system"] = _SYSTEMS[system.lower()]
        notes.append(f"facts.platform.system {system!r} read as {plat['system']!r}")
        system = plat["system"]
    for sec_name, key in _ARCH_KEYS:
        sec = facts.get(sec_name)
        if isinstance(sec, dict) and isinstance(sec.get(key), str):
            new = normalise_arch(sec[key])
            if new != sec[key]:
                notes.append(f"facts.{sec_name}.{key} {sec[key]!r} read as {new!r}")
                sec[key] = new
    # Keys that mean something on one OS only: absent elsewhere means "no".
    if isinstance(system, str) and plat.get("error") is None:
        for key, only in _OS_ONLY.items():
            if key not in plat or plat[key] is None:
                if system != only:
                    plat[key] = False if key != "wsl_version" else None
                elif key not in plat:
                    notes.append(f"missing key facts.platform.{key}")
    _derive_platform(plat, notes)
    _derive_python(facts.get("python"), notes)
    _derive_cpu(facts.get("cpu"), notes)
    _derive_memory(facts.get("memory"), notes)
    _packages(facts.get("packages"), notes)
    _frameworks(facts.get("frameworks"), notes)
    return out, notes


def _section_classes() -> dict[str, Any]:
    from dlcheck.records import (
        CpuFacts,
        DiskFacts,
        GpuFacts,
        MemoryFacts,
        PackageFacts,
        PlatformFacts,
        PythonFacts,
    )

    return {
        "platform": PlatformFacts,
        "python": PythonFacts,
        "cpu": CpuFacts,
        "memory": MemoryFacts,
        "disk": DiskFacts,
        "gpu": GpuFacts,
        "packages": PackageFacts,
    }


# An os-release ID from the distribution's name, for reports written before dlcheck recorded
# ID and ID_LIKE (schema 1 and 2): the plan's commands follow the distribution.
_DISTROS = (
    ("ubuntu", "ubuntu", ["debian"]),
    ("debian", "debian", []),
    ("raspbian", "debian", []),
    ("raspberry pi os", "debian", []),
    ("linux mint", "linuxmint", ["ubuntu", "debian"]),
    ("fedora", "fedora", []),
    ("rocky", "rocky", ["rhel", "centos", "fedora"]),
    ("almalinux", "almalinux", ["rhel", "centos", "fedora"]),
    ("red hat", "rhel", ["fedora"]),
    ("centos", "centos", ["rhel", "fedora"]),
    ("arch", "arch", []),
    ("opensuse", "opensuse", ["suse"]),
    ("alpine", "alpine", []),
)


def _derive_platform(plat: Any, notes: list[str]) -> None:
    if not isinstance(plat, dict) or plat.get("system") != "Linux":
        return
    name = str(plat.get("os_name") or "").lower()
    if not plat.get("distro_id") and name:
        for needle, did, like in _DISTROS:
            if needle in name:
                plat["distro_id"] = did
                plat.setdefault("distro_like", like)
                notes.append(
                    f"facts.platform.distro_id {did!r} derived from facts.platform.os_name"
                )
                break
    libc = plat.get("libc")
    if not plat.get("libc_family") and isinstance(libc, str) and libc.strip():
        family, _, version = libc.strip().partition(" ")
        plat["libc_family"] = family.lower()
        plat["libc_version"] = version.strip() or None
        notes.append("facts.platform.libc_family derived from facts.platform.libc")
    if not plat.get("libc_family") and "alpine" in name:  # Alpine is musl, always
        plat["libc_family"] = "musl"
        notes.append("facts.platform.libc_family 'musl' derived from facts.platform.os_name")


# A free-threaded interpreter's name: python3.13t (python3.13t.exe on Windows).
_FREE_THREADED_EXE = re.compile(r"python3\.\d+t(\.exe)?$", re.IGNORECASE)


def _derive_python(py: Any, notes: list[str]) -> None:
    """What an older report's Python facts already imply: a ``python3.13t`` executable is a
    free-threaded build (before dlcheck recorded ``free_threaded``)."""
    if not isinstance(py, dict) or py.get("free_threaded") is not None:
        return
    exe = str(py.get("executable") or "").replace("\\", "/").rsplit("/", 1)[-1]
    if _FREE_THREADED_EXE.search(exe):
        py["free_threaded"] = True
        notes.append("facts.python.free_threaded derived from facts.python.executable")


def _derive_cpu(cpu: Any, notes: list[str]) -> None:
    if not isinstance(cpu, dict):
        return
    flags = cpu.get("flags")
    if isinstance(flags, str):
        flags = flags.split()
    if isinstance(flags, list):
        low = [str(f).lower() for f in flags]
        if low != flags:
            cpu["flags"] = low
        for flag in _FLAGS:
            if cpu.get(flag) is None and low:
                cpu[flag] = flag in low
                notes.append(f"facts.cpu.{flag} derived from facts.cpu.flags")
    for key in ("usable_cores",):
        if cpu.get(key) is None and isinstance(cpu.get("logical_cores"), int):
            cpu[key] = float(cpu["logical_cores"])
            cpu.setdefault("usable_source", "logical CPUs")
            notes.append(f"facts.cpu.{key} derived from facts.cpu.logical_cores")


def _derive_memory(mem: Any, notes: list[str]) -> None:
    if not isinstance(mem, dict) or mem.get("effective_bytes") is not None:
        return
    total, limit = mem.get("total_bytes"), mem.get("cgroup_limit_bytes")
    if isinstance(total, int) and not isinstance(total, bool):
        eff = min(total, limit) if isinstance(limit, int) and limit > 0 else total
        mem["effective_bytes"] = eff
        notes.append("facts.memory.effective_bytes derived from total_bytes and cgroup_limit_bytes")


def _packages(pk: Any, notes: list[str]) -> None:
    if not isinstance(pk, dict):
        return
    versions = pk.get("versions")
    if versions is None and pk.get("error") is None:
        pk["error"] = ABSENT
        notes.append("missing key facts.packages.versions: package findings are UNKNOWN")
        return
    if not isinstance(versions, dict):
        return
    fixed: dict[str, Any] = {}
    for name, ver in versions.items():
        canon = canonical_name(str(name))
        if canon != name:
            notes.append(f"package name {name!r} read as {canon!r}")
        fixed[canon] = ver
    pk["versions"] = fixed


def _frameworks(section: Any, notes: list[str]) -> None:
    if not isinstance(section, dict) or not isinstance(section.get("results"), list):
        return
    for r in section["results"]:
        if not isinstance(r, dict) or not isinstance(r.get("status"), str):
            continue
        low = r["status"].strip().lower().replace("_", "-")
        if low != r["status"] and low in _STATUSES:
            notes.append(f"framework {r.get('name')!r} status {r['status']!r} read as {low!r}")
            r["status"] = low
        if isinstance(r.get("name"), str) and r["name"] != r["name"].lower():
            notes.append(f"framework name {r['name']!r} read as {r['name'].lower()!r}")
            r["name"] = r["name"].lower()
