"""The kinds of test a requirement can name. Each is a pure function of the facts and the
requirement's parameters; it says met, unmet or unknown and what it observed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from dlcheck.formats import GIB, canonical_name, fmt_gib
from dlcheck.records import Facts


@dataclass(frozen=True)
class Outcome:
    status: str  # met, unmet, unknown
    observed: str
    expected: str = ""
    advice: str | None = None  # overrides the requirement's advice when the cause is specific
    skipped: bool = False  # unknown because the probe was not run (--no-frameworks)
    # unknown because its input was not given (no benchmark file, no environment made from a
    # setup): not judged, so it does not count towards the overall verdict
    input_missing: bool = False
    # unknown only because the package it tests is not installed yet: the install step
    # answers it (the plan links it there)
    waits: bool = False


def met(observed: str, expected: str = "") -> Outcome:
    return Outcome("met", observed, expected)


def unmet(observed: str, expected: str = "") -> Outcome:
    return Outcome("unmet", observed, expected)


def unknown(reason: str, expected: str = "") -> Outcome:
    return Outcome("unknown", reason, expected)


def skipped(reason: str, expected: str = "") -> Outcome:
    """Unknown because that probe was not run on purpose (``--no-frameworks``)."""
    return Outcome("unknown", reason, expected, skipped=True)


NOT_INSTALLED_YET = (
    "Not checked until the package is installed: install the course packages first, then "
    "run `dlcheck check` again to prove it works."
)


def not_given(reason: str, expected: str = "") -> Outcome:
    """Unknown because the input this check judges was not given (a benchmark file, an
    environment made from a setup): shown without a step, and not counted in the verdict."""
    return Outcome("unknown", reason, expected, skipped=True, input_missing=True)


def not_installed_yet(observed: str, expected: str = "") -> Outcome:
    """A test of something that is not installed: nothing to repair, so no repair advice;
    the package requirement carries the install step."""
    return Outcome("unknown", observed, expected, NOT_INSTALLED_YET, skipped=True, waits=True)


# What a requirement needs before it can be met (``Check.needs``): an environment to install
# into (a usable Python on a usable machine), or TensorFlow installed and runnable there. The
# plan puts such requirements under the step that solves the blocking problem (plan.py).
NEEDS_PYTHON, NEEDS_TENSORFLOW = "python", "tensorflow"


def _needs_nothing(params: dict[str, Any]) -> str | None:
    return None


@dataclass(frozen=True)
class Check:
    evaluate: Callable[[Facts, dict[str, Any]], Outcome]
    validate: Callable[[dict[str, Any]], str | None]
    # the requirement's parameters -> NEEDS_PYTHON, NEEDS_TENSORFLOW or None
    needs: Callable[[dict[str, Any]], str | None] = _needs_nothing


def _needs(
    *spec: tuple[str, type | tuple[type, ...], bool],
) -> Callable[[dict[str, Any]], str | None]:
    """A validator: each (key, type, required) must hold."""

    def validate(params: dict[str, Any]) -> str | None:
        for key, tp, required in spec:
            if key not in params:
                if required:
                    return f"missing '{key}'"
                continue
            value = params[key]
            if isinstance(value, bool) and tp is not bool:
                return f"'{key}' has the wrong type"
            if not isinstance(value, tp):
                return f"'{key}' has the wrong type"
            if tp is list and not all(isinstance(v, str) for v in value):
                return f"'{key}' must be a list of strings"
        for key in ("min", "max"):
            if key in params and isinstance(params[key], str):
                try:
                    Version(params[key])
                except InvalidVersion:
                    return f"'{key}' = {params[key]!r} is not a version"
        return None

    return validate


def _why(section: Any) -> str:
    return f"unknown ({section.error})" if getattr(section, "error", None) else "unknown"


def check_cpu_arch(facts: Facts, p: dict[str, Any]) -> Outcome:
    allowed = p.get("allowed", ["x86_64", "arm64"])
    needs = p.get("x86_needs", ["avx"])
    expected = " or ".join(allowed) + (
        f" (x86-64 with {', '.join(needs).upper()})" if needs else ""
    )
    # Under Rosetta the hardware is arm64 whatever the translated CPU reports.
    arch = (
        facts.platform.machine
        if facts.platform.rosetta
        else (facts.cpu.arch or facts.platform.machine)
    )
    if not arch:
        return unknown(_why(facts.cpu), expected)
    model = facts.cpu.model or "unknown model"
    if arch not in allowed:
        return unmet(f"{arch} ({model})", expected)
    if arch == "x86_64" and not facts.platform.rosetta:
        missing = []
        for flag in needs:
            value = (
                getattr(facts.cpu, flag, None)
                if hasattr(facts.cpu, flag)
                else (flag in facts.cpu.flags if facts.cpu.flags else None)
            )
            if value is None:
                return unknown(f"x86_64 ({model}), instruction sets unknown", expected)
            if not value:
                missing.append(flag.upper())
        if missing:
            return unmet(f"x86_64 without {', '.join(missing)} ({model})", expected)
        return met(f"x86_64 with {', '.join(n.upper() for n in needs)} ({model})", expected)
    return met(f"{arch} ({model})", expected)


def check_os_64bit(facts: Facts, p: dict[str, Any]) -> Outcome:
    v = facts.platform.is_64bit_os
    if v is None:
        return unknown(_why(facts.platform), "64-bit")
    return (met if v else unmet)("64-bit" if v else "32-bit", "64-bit")


def check_python_native(facts: Facts, p: dict[str, Any]) -> Outcome:
    system = facts.platform.system
    if system and system != "Darwin" and not facts.platform.rosetta:
        return met(f"native {facts.python.machine or ''}".strip(), "native")
    if facts.platform.rosetta is None:
        return unknown(_why(facts.platform), "native")
    if facts.platform.rosetta:
        return unmet(f"{facts.python.machine or 'x86_64'} Python under Rosetta", "native arm64")
    return met(f"native {facts.python.machine or ''}".strip(), "native")


def check_python_bits(facts: Facts, p: dict[str, Any]) -> Outcome:
    want = int(p.get("bits", 64))
    bits = facts.python.bits
    if bits is None:
        return unknown(_why(facts.python), f"{want}-bit")
    return (met if bits >= want else unmet)(f"{bits}-bit", f"{want}-bit")


def _cmp_version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def check_python_version(facts: Facts, p: dict[str, Any]) -> Outcome:
    lo, hi = p.get("min"), p.get("max")
    expected = f"{lo or 'any'} to {hi}" if hi else f"{lo or 'any'} or newer"
    v = _cmp_version(facts.python.version)
    if v is None:
        return unknown(_why(facts.python), expected)
    impl = facts.python.implementation or "Python"
    observed = f"{impl} {facts.python.version}"
    if (lo and v.release[:2] < Version(lo).release[:2]) or (
        hi and v.release[:2] > Version(hi).release[:2]
    ):
        if p.get("locked"):  # the range the course's locks cover: the profile says what then
            return unmet(observed, expected)
        package = str(p.get("package", "tensorflow"))
        return Outcome("unmet", observed, expected, _python_advice(facts, lo, hi, package))
    return met(observed, expected)


def _python_advice(facts: Facts, lo: str | None, hi: str | None, package: str) -> str:
    """Which Python to install and how, on this OS (support matrix)."""
    from dlcheck.support import framework_name, python_how, recommended_python

    want = recommended_python(facts, package)
    span = f"{lo or 'any'} to {hi}" if hi else f"{lo or 'any'} or newer"
    return (
        f"{framework_name(package)} publishes wheels for Python {span} only. "
        f"{python_how(facts, want)} Then create the course environment with it."
    )


def check_tf_wheel(facts: Facts, p: dict[str, Any]) -> Outcome:
    """TensorFlow (>= ``min``) publishes a wheel for this platform and this Python
    (the support matrix, dlcheck/data/support.toml)."""
    return _wheel(facts, "tensorflow", str(p.get("min", "2.16")))


def check_framework_wheel(facts: Facts, p: dict[str, Any]) -> Outcome:
    """The course's framework ``package`` (tensorflow or torch, >= ``min``) publishes a wheel
    for this platform and this Python (the support matrix, dlcheck/data/support.toml)."""
    from dlcheck.support import DEFAULT_MINIMUM

    package = str(p["package"])
    return _wheel(facts, package, str(p.get("min", DEFAULT_MINIMUM.get(package, "0"))))


def _wheel(facts: Facts, package: str, lo: str) -> Outcome:
    from dlcheck.support import (
        framework_blockers,
        framework_name,
        load_support,
        machine_subdir,
        python_mm,
    )

    name = framework_name(package)
    expected = f"a {name} >= {lo} wheel for this OS, CPU and Python"
    subdir, mm = machine_subdir(facts), python_mm(facts)
    if not facts.platform.system or not facts.platform.machine:
        return unknown(_why(facts.platform), expected)
    for b in framework_blockers(facts, package, lo):
        if b.id in (
            "platform",
            "libc",
            "glibc",
            "userland",
            "interpreter",
            "free-threaded",
            "python-version",
        ):
            return Outcome("unmet", b.reason, expected, f"{b.fix[:1].upper()}{b.fix[1:]}.")
    if mm is None:
        return unknown(_why(facts.python), expected)
    newest = load_support().newest(package, subdir, mm)
    return met(f"{name} {newest} for Python {mm} on {subdir}", expected)


def _validate_wheel_package(params: dict[str, Any]) -> str | None:
    from dlcheck.support import FRAMEWORK_NAMES

    problem = _needs(("package", str, True), ("min", str, False))(params)
    if problem is None and params["package"] not in FRAMEWORK_NAMES:
        return f"'package' must be one of {', '.join(sorted(FRAMEWORK_NAMES))}"
    return problem


def framework_gpu(facts: Facts) -> str | None:
    """The GPU TensorFlow (or Keras's backend) computed on correctly, from the framework
    probe; None when none did or frameworks were not probed."""
    fw = facts.sections.get("frameworks")
    if not isinstance(fw, dict):
        return None
    for r in fw.get("results") or []:
        if not isinstance(r, dict) or r.get("status") != "ok":
            continue
        for d in r.get("devices") or []:
            if isinstance(d, dict) and d.get("kind") == "gpu" and d.get("matmul") == "ok":
                return f"{r.get('name')} on {d.get('model') or d.get('name')}"
    return None


def check_usable_cores(facts: Facts, p: dict[str, Any]) -> Outcome:
    want = float(p["min"])
    expected = f">= {want:g} cores"
    n = facts.cpu.usable_cores
    if n is None:
        return unknown(_why(facts.cpu), expected)
    detail = f"{n:g} usable"
    if facts.cpu.usable_source and facts.cpu.usable_source != "logical CPUs":
        source = facts.cpu.usable_source
        from dlcheck.support import contexts

        if "slurm" in contexts(facts) and "cgroup" in source:
            source = "the Slurm job's CPU allocation"
        detail += f" (limited by {source}; {facts.cpu.logical_cores} logical)"
    gpu = framework_gpu(facts)
    if gpu and "with_gpu_min" in p and n < want:
        low = float(p["with_gpu_min"])
        if n >= low:
            return met(f"{detail}; enough since {gpu} does the training", expected)
    return (met if n >= want else unmet)(detail, expected)


def _gib_at_least(
    p: dict[str, Any],
    section: Any,
    measured: int | None,
    describe: Callable[[int], str],
    unit: str = "GiB",
    share: float = 1.0,
) -> Outcome:
    """The profile's ``min_gib`` against ``measured`` bytes of ``section`` (unknown, with the
    section's reason, when it was not measured); ``share`` of the minimum is enough."""
    want = float(p["min_gib"])
    expected = f">= {want:g} {unit}"
    if measured is None:
        return unknown(_why(section), expected)
    return (met if measured >= want * GIB * share else unmet)(describe(measured), expected)


def check_memory(facts: Facts, p: dict[str, Any]) -> Outcome:
    m = facts.memory

    def describe(effective: int) -> str:
        observed = fmt_gib(effective)
        limit = m.cgroup_limit_bytes
        if limit is not None and m.total_bytes and limit < m.total_bytes:
            observed += f" ({limit_label(facts)}; host has {fmt_gib(m.total_bytes)})"
        return observed

    # Installed RAM is sold as "8 GB" but the OS reports a little less: allow 5 %.
    return _gib_at_least(p, m, m.effective_bytes, describe, share=0.95)


def limit_label(facts: Facts) -> str:
    """What a cgroup memory limit is here: a batch job's allocation is not a container."""
    from dlcheck.support import contexts

    ctx = contexts(facts)
    for name, label in (
        ("slurm", "Slurm job limit"),
        ("pbs", "PBS job limit"),
        ("lsf", "LSF job limit"),
    ):
        if name in ctx:
            return label
    if facts.platform.container or any(c in ctx for c in ("docker", "podman", "kubernetes")):
        return "container limit"
    return "cgroup limit"


def check_disk(facts: Facts, p: dict[str, Any]) -> Outcome:
    d = facts.disk
    return _gib_at_least(
        p,
        d,
        d.free_bytes,
        lambda free: f"{fmt_gib(free)} free at {d.measured_path or d.path}",
        unit="GiB free",
    )


# Course packages that are TensorFlow or run on it (with every ``tensorflow*`` distribution).
TF_PACKAGES = ("tensorflow", "keras", "keras-tuner")


def package_needs(p: dict[str, Any]) -> str:
    """A package requirement needs a Python to install into; TensorFlow's and those that run
    on it need TensorFlow installable there too."""
    names = [str(n).lower() for n in p.get("any_of", [])]
    tf = any(n.startswith("tensorflow") or n in TF_PACKAGES for n in names)
    return NEEDS_TENSORFLOW if tf else NEEDS_PYTHON


def check_package(facts: Facts, p: dict[str, Any]) -> Outcome:
    names = [canonical_name(n) for n in p["any_of"]]
    if "tensorflow" in names:  # every distribution of the `tensorflow` module is TensorFlow
        from dlcheck.frameworks.names import TF_DISTRIBUTIONS

        names += [d for d in TF_DISTRIBUTIONS if d not in names]
    if "keras" in names:  # keras-nightly is Keras 3 under another name
        from dlcheck.frameworks.names import KERAS_DISTRIBUTIONS

        names += [d for d in KERAS_DISTRIBUTIONS if d not in names]
    lo, hi = p.get("min"), p.get("max")
    shown = " or ".join(names) if len(names) <= 2 else f"{names[0]} (or {len(names) - 1} others)"
    expected = shown + (f" >= {lo}" if lo else "") + (f" <= {hi}" if hi else "")
    if facts.packages.error and not facts.packages.versions:
        return unknown(_why(facts.packages), expected)
    found = [(n, facts.packages.versions[n]) for n in names if n in facts.packages.versions]
    if not found:
        return unmet("not installed", expected)
    observed = ", ".join(f"{n} {v}" for n, v in found)
    for _, text in found:
        v = _cmp_version(text)
        if v is None:
            return unknown(f"{observed} (version unreadable)", expected)
        if (lo is None or v >= Version(lo)) and (hi is None or v <= Version(hi)):
            return met(observed, expected)
    return unmet(observed, expected)


def check_command(facts: Facts, p: dict[str, Any]) -> Outcome:
    cmd = p["command"]
    if cmd != "dot":
        return unknown(f"dlcheck only probes `dot`, not `{cmd}`", f"`{cmd}` on PATH")
    pk = facts.packages
    if pk.error and pk.graphviz_dot is None:
        return unknown(_why(pk), "`dot` on PATH")
    if pk.graphviz_dot:
        version = f" {pk.graphviz_version}" if pk.graphviz_version else ""
        return met(f"Graphviz{version} at {pk.graphviz_dot}", "`dot` on PATH")
    return unmet("`dot` not on PATH", "`dot` on PATH")


def driver_advice(facts: Facts) -> str | None:
    """What the NVIDIA driver's error means, for the person who can act on it: on a cluster
    node that is HPC support, not the user with a reboot or a root command."""
    from dlcheck.support import nvidia_error_advice, on_hpc

    if facts.gpu.nvidia_status not in ("error", "unknown"):
        return None
    return nvidia_error_advice(facts.gpu.nvidia_error, hpc=on_hpc(facts))


def check_gpu(facts: Facts, p: dict[str, Any]) -> Outcome:
    g = facts.gpu
    if g.gpus:
        parts = []
        for gpu in g.gpus:
            mem = f", {fmt_gib(gpu.memory_bytes)}" if gpu.memory_bytes else ""
            extra = f", CUDA {gpu.cuda_driver_version} driver" if gpu.cuda_driver_version else ""
            extra += f", compute {gpu.compute_capability}" if gpu.compute_capability else ""
            extra += f", {gpu.metal}" if gpu.metal else ""
            parts.append(f"{gpu.name or gpu.vendor}{mem}{extra}")
        return met("; ".join(parts), "optional")
    if g.nvidia_status == "unknown":
        return Outcome(
            "unknown", f"NVIDIA GPU unknown: {g.nvidia_error}", "optional", driver_advice(facts)
        )
    if g.nvidia_status == "error":
        return Outcome(
            "unmet", f"NVIDIA GPU unusable: {g.nvidia_error}", "optional", driver_advice(facts)
        )
    if g.error:
        return unknown(_why(g), "optional")
    return met("no GPU (not required for this course)", "optional")


# The core's check kinds; the plug-ins add theirs in dlcheck/features.py (``CHECKS``).
CORE_CHECKS: dict[str, Check] = {
    "cpu_arch": Check(check_cpu_arch, _needs(("allowed", list, False), ("x86_needs", list, False))),
    "os_64bit": Check(check_os_64bit, _needs()),
    "python_native": Check(check_python_native, _needs()),
    "python_bits": Check(check_python_bits, _needs(("bits", int, False))),
    "python_version": Check(
        check_python_version,
        _needs(
            ("min", str, False),
            ("max", str, False),
            ("package", str, False),
            ("locked", bool, False),
        ),
    ),
    "tf_wheel": Check(check_tf_wheel, _needs(("min", str, False))),
    "framework_wheel": Check(check_framework_wheel, _validate_wheel_package),
    "usable_cores": Check(
        check_usable_cores,
        _needs(("min", (int, float), True), ("with_gpu_min", (int, float), False)),
    ),
    "memory": Check(check_memory, _needs(("min_gib", (int, float), True))),
    "disk": Check(check_disk, _needs(("min_gib", (int, float), True))),
    "package": Check(
        check_package,
        _needs(
            ("any_of", list, True), ("min", str, False), ("max", str, False), ("pip", str, False)
        ),
        package_needs,
    ),
    "command": Check(check_command, _needs(("command", str, True))),
    "gpu": Check(check_gpu, _needs()),
}
