"""Diagnoses of the framework probes: check kinds for requirement profiles. Each is a pure
function of the facts (``Facts.sections["frameworks"]``, GPU, packages, platform, CPU) and the
requirement's parameters, and names the one next step that fits the evidence."""

from __future__ import annotations

import functools
import string
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dlcheck.checks import Check, Outcome, met, not_installed_yet, skipped, unknown
from dlcheck.frameworks.names import (
    FRAMEWORK_DISTRIBUTIONS,
    KERAS_BACKENDS,
    TF_DISTRIBUTIONS,
    TITLES,
)
from dlcheck.frameworks.records import (
    BAD_OUTPUT,
    CRASHED,
    IMPORT_ERROR,
    OK,
    TIMEOUT,
    FrameworkFacts,
    FrameworkResult,
    framework_facts_from,
)
from dlcheck.records import Facts
from dlcheck.userfiles import load_toml

NOT_PROBED = "frameworks not probed (--no-frameworks, or a report from before they were)"
# Distributions that, with `tensorflow` of the same version, are its platform build, not a
# second TensorFlow: `tensorflow` on Windows and macOS has been a wrapper around them.
_WRAPPED = {"tensorflow-intel", "tensorflow-macos"}


ADVICE_FILE = "framework-advice.toml"


@functools.lru_cache(maxsize=1)
def _advice_table() -> dict[str, Any]:
    data, _ = load_toml(None, ADVICE_FILE)
    return data


def advice(group: str, key: str, **fields: Any) -> str:
    """A next step from dlcheck/data/framework-advice.toml, its $fields filled in."""
    return string.Template(_advice_table()[group][key]).substitute(
        {k: "" if v is None else str(v) for k, v in fields.items()}
    )


def _version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def _fw(facts: Facts) -> FrameworkFacts | None:
    return framework_facts_from(facts.sections)


def _installed(facts: Facts, framework: str) -> list[tuple[str, str]]:
    v = facts.packages.versions
    return [(d, v[d]) for d in FRAMEWORK_DISTRIBUTIONS.get(framework, (framework,)) if d in v]


def _tf_version(facts: Facts, fw: FrameworkFacts | None) -> Version | None:
    r = fw.get("tensorflow") if fw else None
    if r and r.version:
        return _version(r.version)
    found = _installed(facts, "tensorflow")
    return _version(found[0][1]) if found else None


def _native_windows(facts: Facts) -> bool:
    return facts.platform.system == "Windows" and not facts.platform.wsl


def _devices(r: FrameworkResult) -> str:
    return ", ".join(
        d.name + (f" ({d.model})" if d.model else "") for d in r.devices if d.kind != "default"
    )


def _describe_ok(r: FrameworkResult) -> str:
    bits = [f"{TITLES.get(r.name, r.name)} {r.version or '?'}"]
    if r.import_seconds is not None:
        bits.append(f"import {r.import_seconds:.1f} s")
    if r.backend:
        bits.append(f"backend {r.backend}")
    checked = [d.name for d in r.devices if d.matmul == "ok" and d.kind != "default"]
    if checked:
        bits.append("product checked on " + ", ".join(checked))
    elif any(d.matmul == "ok" for d in r.devices):
        bits.append("product checked")
    return "; ".join(bits)


def _crash_advice(facts: Facts, r: FrameworkResult, title: str) -> str:
    if r.signal == "SIGILL":
        if facts.platform.rosetta:
            return advice("crash", "sigill_rosetta", title=title)
        if facts.cpu.arch == "x86_64" and facts.cpu.avx is False:
            return advice("crash", "sigill_no_avx", title=title)
        return advice("crash", "sigill", title=title, name=r.name)
    what = f"died of {r.signal}" if r.signal else "exited before reporting"
    return advice("crash", "other", title=title, what=what)


def _import_advice(
    facts: Facts, fw: FrameworkFacts, r: FrameworkResult, title: str, want: str | None = None
) -> str:
    text = " ".join([r.reason or "", *r.stderr_tail])
    backend = fw.keras_backend or ""
    source = fw.keras_backend_source or "?"
    if r.name in ("keras", "tensorflow") and backend and backend not in KERAS_BACKENDS:
        # KERAS_BACKEND names no backend: every `import keras` (tf.keras too) fails on it.
        # The cause, named; never a reinstall of a framework that is fine.
        return _backend_advice(want or "tensorflow", source, backend)
    if r.name == "keras" and backend in KERAS_BACKENDS and not _installed(facts, backend):
        if want and want != backend:  # the course's backend: set it, not install this one
            return _backend_advice(want, source, backend)
        return advice(
            "import", "keras_backend_missing", backend=backend, source=fw.keras_backend_source
        )
    metal = "tensorflow-metal" in facts.packages.versions
    if "metal_plugin" in text or (metal and r.name in ("tensorflow", "keras")):
        return advice("import", "metal")
    if "NumPy" in text and ("1.x" in text or "2." in text):
        return advice("import", "numpy", title=title, name=r.name)
    return advice("import", "other", name=r.name, reason=r.reason)


def check_framework_works(facts: Facts, p: dict[str, Any]) -> Outcome:
    """The framework imports, lists its devices and computes a correct product on each."""
    name = p["framework"]
    title = TITLES.get(name, name)
    expected = f"{title} imports and computes a correct matrix product on every device"
    installed = _installed(facts, name)
    fw = _fw(facts)
    if not installed and not (fw and fw.get(name)):
        if facts.packages.error and not facts.packages.versions:
            return unknown("installed packages unknown", expected)
        if p.get("expected", False):
            return not_installed_yet("not installed (see the package requirement)", expected)
        return met("not installed (not needed)", expected)
    if fw is None:
        return skipped(NOT_PROBED, expected)
    if fw.error:
        return unknown(fw.error, expected)
    r = fw.get(name)
    keras = fw.get("keras")
    if r is None and name == "tensorflow" and keras is not None and keras.status == OK:
        if keras.backend == "tensorflow":  # what an older report's facts already imply
            return met(
                f"Keras {keras.version or ''} computed on TensorFlow (TensorFlow itself was "
                "not probed: it imports and computes)",
                expected,
            )
    if r is None:
        return unknown(f"{title} was not probed", expected)
    if r.status == OK:
        return met(_describe_ok(r), expected)
    observed = f"{title} {r.version or ''}".strip() + f": {r.status}: {r.reason or 'no reason'}"
    if r.status == CRASHED:
        return Outcome("unmet", observed, expected, _crash_advice(facts, r, title))
    if r.status == TIMEOUT:
        return Outcome(
            "unmet",
            observed,
            expected,
            advice("works", "timeout", title=title, seconds=f"{fw.timeout or 0:g}"),
        )
    if r.status == IMPORT_ERROR:
        want = p.get("backend")
        return Outcome("unmet", observed, expected, _import_advice(facts, fw, r, title, want))
    if r.status == BAD_OUTPUT:
        return Outcome("unknown", observed, expected, advice("works", "bad_output"))
    bad = [d for d in r.devices if d.matmul in ("wrong", "error")]
    if bad:
        d = bad[0]
        what = "gave a wrong result" if d.matmul == "wrong" else f"failed ({d.matmul_error})"
        gpu = d.kind in ("gpu", "mps")
        return Outcome(
            "unmet",
            f"{title} {r.version or ''}: a matrix product on {d.name} {what}",
            expected,
            advice("works", "wrong_on_gpu" if gpu else "wrong_on_cpu", title=title, device=d.name),
        )
    return Outcome(
        "unmet",
        observed,
        expected,
        advice("works", "fails_after_import", title=title, reason=r.reason),
    )


def _cuda_libs_missing(facts: Facts, r: FrameworkResult) -> bool:
    if any("Cannot dlopen some GPU libraries" in ln for ln in r.stderr_tail):
        return True
    names = facts.packages.versions
    return not any(n.startswith(("nvidia-cudnn-cu", "nvidia-cuda-runtime-cu")) for n in names)


def _min_sm(caps: Any) -> float | None:
    """Lowest compute capability in a build's ``cuda_compute_capabilities`` (sm_60 -> 6.0)."""
    if not isinstance(caps, list):
        return None
    found = []
    for c in caps:
        digits = str(c).split("_")[-1]
        if digits.isdigit() and len(digits) >= 2:
            found.append(int(digits[:-1]) + int(digits[-1]) / 10)
    return min(found) if found else None


def _major_minor(text: str | None) -> tuple[int, int] | None:
    v = _version(text)
    return (v.major, v.minor) if v else None


def check_tf_sees_gpu(facts: Facts, p: dict[str, Any]) -> Outcome:
    """When NVML shows an NVIDIA GPU, TensorFlow lists it; if not, the cause by evidence."""
    expected = "TensorFlow uses the NVIDIA GPU"
    g = facts.gpu
    if g.nvidia_status == "error":
        err = g.nvidia_error or "unknown error"
        if "mismatch" in err.lower():
            from dlcheck.support import on_hpc

            return Outcome(
                "unmet",
                f"NVML: {err}",
                expected,
                advice("gpu", "driver_mismatch_hpc" if on_hpc(facts) else "driver_mismatch"),
            )
        from dlcheck.checks import driver_advice

        return Outcome("unmet", f"NVML: {err}", expected, driver_advice(facts))
    nvidia = [x for x in g.gpus if x.vendor == "nvidia"]
    if not nvidia:
        if g.error:
            return unknown(f"GPUs unknown ({g.error})", expected)
        return met("no NVIDIA GPU: nothing to use", expected)
    gpu = nvidia[0]
    label = f"{gpu.name or 'NVIDIA GPU'}"
    fw = _fw(facts)
    tfv = _tf_version(facts, fw)
    dists = {d for d, _ in _installed(facts, "tensorflow")}
    # Causes that the packages and platform alone prove, probed or not.
    if _native_windows(facts) and tfv is not None and tfv >= Version("2.11"):
        return Outcome(
            "unmet",
            f"{label}; TensorFlow {tfv} on native Windows has no GPU support",
            expected,
            advice("gpu", "native_windows"),
        )
    cpu_only = "tensorflow-cpu" in dists
    if fw is None or fw.error:
        if cpu_only:
            return _cpu_only(label, expected, dists)
        if fw is None:
            return skipped(NOT_PROBED, expected)
        return unknown(fw.error or NOT_PROBED, expected)
    r = fw.get("tensorflow")
    if r is None:
        if not dists:
            return not_installed_yet(
                "TensorFlow not installed (see the package requirement)", expected
            )
        return unknown("TensorFlow was not probed", expected)
    gpus = [d for d in r.devices if d.kind == "gpu"]
    if gpus:
        return met(f"TensorFlow sees {', '.join(_devices_of(gpus))}", expected)
    if r.status != OK and not r.devices:
        return unknown(f"TensorFlow does not run ({r.status}): see its own finding", expected)
    build = r.build
    if cpu_only or build.get("is_cuda_build") is False:
        return _cpu_only(label, expected, dists)
    cvd = fw.env.get("CUDA_VISIBLE_DEVICES")
    if cvd is not None and not any(ch.isdigit() or ch.isalpha() for ch in cvd.replace("-1", "")):
        return Outcome(
            "unmet",
            f"{label}; hidden by CUDA_VISIBLE_DEVICES={cvd!r}",
            expected,
            advice("gpu", "hidden"),
        )
    need, have = (
        _major_minor(str(build.get("cuda_version") or "")),
        _major_minor(gpu.cuda_driver_version),
    )
    if need and have and have < need:
        return Outcome(
            "unmet",
            f"{label}; driver supports CUDA {gpu.cuda_driver_version}, TensorFlow {tfv} is built "
            f"for CUDA {build.get('cuda_version')}",
            expected,
            old_driver_advice(facts, gpu.driver_version, f"{need[0]}.{need[1]}"),
        )
    lowest = _min_sm(build.get("cuda_compute_capabilities"))
    cc = _version(gpu.compute_capability)
    if lowest is not None and cc is not None and float(f"{cc.major}.{cc.minor}") < lowest:
        return Outcome(
            "unmet",
            f"{label} (compute capability {gpu.compute_capability}); TensorFlow {tfv} needs "
            f">= {lowest:g}",
            expected,
            advice("gpu", "too_old"),
        )
    if facts.platform.system == "Linux" and _cuda_libs_missing(facts, r):
        return Outcome(
            "unmet",
            f"{label}; TensorFlow {tfv} (CUDA {build.get('cuda_version', '?')} build) finds no "
            "CUDA libraries",
            expected,
            advice("gpu", "no_cuda_libs"),
        )
    hints = "; ".join(r.stderr_tail[:2]) or "no log hint"
    return Outcome(
        "unmet",
        f"{label}; TensorFlow {tfv} lists no GPU ({hints})",
        expected,
        advice("gpu", "unexplained"),
    )


def old_driver_advice(facts: Facts, driver: str | None, cuda: str) -> str:
    """What to do about a driver older than a CUDA build needs: on a cluster node (no root,
    perhaps no Ubuntu) ask HPC support; elsewhere install a newer driver."""
    from dlcheck.support import load_support, on_hpc

    s = load_support()
    full = s.cuda_driver_full.get(cuda)
    least = s.min_driver(cuda)
    need = f"a driver for CUDA {cuda}" + (f" ({full} or newer)" if full else "")
    if least and least != full:
        need += f" (at least {least} through CUDA minor-version compatibility)"
    if on_hpc(facts):
        return advice("gpu", "old_driver_hpc", driver=driver or "installed", need=need)
    # The commands of this OS and distribution (data/commands.toml): no apt on Rocky Linux.
    from dlcheck.support import command_entry

    entry = command_entry("gpu_driver", facts, driver=driver or "installed", need=need)
    if entry is None:
        return advice("gpu", "old_driver", driver=driver or "installed", need=need)
    return entry.text + "".join(f" `{c}`" for c in entry.commands)


def _devices_of(devs: list[Any]) -> list[str]:
    return [d.name + (f" ({d.model})" if d.model else "") for d in devs]


def _cpu_only(label: str, expected: str, dists: set[str]) -> Outcome:
    remove = " ".join(sorted(dists)) or "tensorflow"
    return Outcome(
        "unmet",
        f"{label}; installed TensorFlow is a CPU-only build ({', '.join(sorted(dists)) or '?'})",
        expected,
        advice("gpu", "cpu_only", remove=remove),
    )


def check_tf_distributions(facts: Facts, p: dict[str, Any]) -> Outcome:
    """At most one TensorFlow distribution (they install the same `tensorflow` folder)."""
    expected = "one TensorFlow distribution"
    v = facts.packages.versions
    if facts.packages.error and not v:
        return unknown("installed packages unknown", expected)
    found = [(d, v[d]) for d in TF_DISTRIBUTIONS if d in v]
    if len(found) <= 1:
        return met(", ".join(f"{d} {ver}" for d, ver in found) or "none installed", expected)
    observed = ", ".join(f"{d} {ver}" for d, ver in found)
    main = v.get("tensorflow")
    effective = [
        (d, ver) for d, ver in found if not (d in _WRAPPED and main is not None and ver == main)
    ]
    if len(effective) <= 1:
        return met(f"{observed} (the platform build behind `tensorflow`)", expected)
    keep = "tensorflow"
    names = " ".join(d for d, _ in found)
    nvidia_linux = facts.platform.system == "Linux" and any(
        x.vendor == "nvidia" for x in facts.gpu.gpus
    )
    spec = '"tensorflow[and-cuda]>=2.16"' if nvidia_linux else '"tensorflow>=2.16"'
    others = ", ".join(d for d, _ in effective if d != keep)
    return Outcome(
        "unmet",
        observed,
        expected,
        advice("distributions", "several", others=others, keep=keep, names=names, spec=spec),
    )


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes", "on")


def _in_place_unsafe(facts: Facts) -> bool:
    """An upgrade in place (`pip install -U`) would leave another TensorFlow distribution
    (tensorflow-intel 2.15 beside a new tensorflow) or a plugin that breaks it behind."""
    from dlcheck.frameworks.names import BREAKING_PLUGINS

    v = facts.packages.versions
    return any(d in v for d in (*TF_DISTRIBUTIONS, *BREAKING_PLUGINS) if d != "tensorflow")


def _keras_version(versions: dict[str, str]) -> str | None:
    """The installed Keras's version, whichever distribution installed it (keras-nightly)."""
    from dlcheck.frameworks.names import KERAS_DISTRIBUTIONS

    return next((versions[d] for d in KERAS_DISTRIBUTIONS if d in versions), None)


def check_keras3(facts: Facts, p: dict[str, Any]) -> Outcome:
    """`import keras` and `tf.keras` both give Keras 3 (not Keras 2 / tf-keras)."""
    expected = "Keras 3 from `import keras` and `tf.keras`"
    fw = _fw(facts)
    v = facts.packages.versions
    probed = fw.get("keras") if fw and not fw.error else None
    kv = _version(probed.version if probed and probed.version else _keras_version(v))
    tfv = _tf_version(facts, fw)
    if kv is None and tfv is None:
        if facts.packages.error and not v:
            return unknown("installed packages unknown", expected)
        return not_installed_yet(
            "neither Keras nor TensorFlow installed (see the package requirements)", expected
        )
    if kv is not None and kv.major < 3:
        return Outcome(
            "unmet",
            f"`import keras` gives Keras {kv}",
            expected,
            advice("keras", "fresh" if _in_place_unsafe(facts) else "keras2"),
        )
    if tfv is not None and tfv < Version("2.16"):
        return Outcome(
            "unmet",
            f"TensorFlow {tfv}: tf.keras is Keras 2",
            expected,
            advice("keras", "fresh" if _in_place_unsafe(facts) else "old_tensorflow"),
        )
    legacy = fw.env.get("TF_USE_LEGACY_KERAS") if fw else None
    if _truthy(legacy):
        return Outcome(
            "unmet",
            f"TF_USE_LEGACY_KERAS={legacy}: tf.keras is tf-keras (Keras 2)"
            + (f" {v['tf-keras']}" if "tf-keras" in v else " (not installed)"),
            expected,
            advice("keras", "legacy"),
        )
    parts = [f"keras {kv}" if kv else "keras not installed"]
    if "tf-keras" in v:
        parts.append(f"tf-keras {v['tf-keras']} installed but unused")
    if fw is None:
        parts.append("environment not probed")
    return met("; ".join(parts), expected)


def check_keras_backend(facts: Facts, p: dict[str, Any]) -> Outcome:
    """The backend Keras is told to use (KERAS_BACKEND, keras.json) is installed."""
    allowed = list(p.get("allowed", ["tensorflow", "torch", "jax"]))
    expected = "backend " + " or ".join(allowed) + ", installed"
    fw = _fw(facts)
    if fw is None:
        return skipped(NOT_PROBED, expected)
    if fw.error:
        return unknown(fw.error, expected)
    if _keras_version(facts.packages.versions) is None and not fw.get("keras"):
        return not_installed_yet("Keras not installed (see the package requirement)", expected)
    backend, source = fw.keras_backend, fw.keras_backend_source or "?"
    if not backend:
        return unknown("backend unknown", expected)
    where = _where(source)
    want = allowed[0] if allowed else "tensorflow"  # the course's own backend comes first
    fix = _backend_fix(want, source, backend)
    if backend not in allowed:
        return Outcome(
            "unmet",
            f"Keras backend '{backend}' ({where})",
            expected,
            _backend_advice(want, source, backend),
        )
    if backend in KERAS_BACKENDS and not _installed(facts, backend):
        return Outcome(
            "unmet",
            f"Keras backend '{backend}' ({where}) is not installed",
            expected,
            advice("keras", "backend_missing", backend=backend, fix=fix),
        )
    return met(f"backend '{backend}' ({where})", expected)


def _where(source: str) -> str:
    """Where the backend choice came from, in words: KERAS_BACKEND, a keras.json, or Keras's
    default (with why a keras.json was not used: the probe says it was unusable)."""
    if source == "default":
        return "the default"
    if source.startswith("default ("):  # a keras.json Keras ignores: named, never silent
        return f"the default: {source[len('default (') : -1]}, so Keras ignores it"
    return f"set by {source}"


def _backend_fix(want: str, source: str, have: str | None = None) -> str:
    """How to make Keras load ``want`` when ``source`` (KERAS_BACKEND, a keras.json path, or
    the default) chose ``have``. Never blames a variable that is not set, and never edits the
    shared keras.json (every environment of the user reads it): the per-environment setting,
    KERAS_BACKEND, is the fix."""
    per_env = (
        f"set KERAS_BACKEND={want} for this environment (`conda env config vars set "
        f"KERAS_BACKEND={want}` in conda; in a venv, in its activate script or the Jupyter "
        "kernel's env)"
    )
    if source == "KERAS_BACKEND":
        said = f" (it says '{have}')" if have else ""
        if want == "tensorflow":
            return f"`unset KERAS_BACKEND`{said}, or set it to tensorflow"
        return f"set KERAS_BACKEND={want}{said} before starting Python or Jupyter"
    if source.startswith("default"):
        return f"{per_env}; Keras's own default is tensorflow"
    return f"{per_env}: it overrides {source}, which every environment shares (leave it as it is)"


def _backend_advice(want: str, source: str, have: str | None = None) -> str:
    key = "backend_not_allowed" if want == "tensorflow" else "backend_not_course"
    if have and have not in KERAS_BACKENDS:  # a setting that names no backend: the cause
        key = "backend_unknown"
    other = ""
    if want == "tensorflow" and have == "torch":  # set up for the other flavour, perhaps
        other = (
            " Or, for Keras on PyTorch, check this environment as the course's PyTorch "
            "flavour: `dlcheck check --course torch`."
        )
    return advice(
        "keras",
        key,
        fix=_backend_fix(want, source, have),
        title=TITLES.get(want, want),
        other=other,
        have=have,
        source=source,
    )


def _pairs(params: dict[str, Any]) -> list[tuple[str, SpecifierSet]]:
    out = []
    for item in params.get("known_good", []):
        metal, _, spec = str(item).partition(":")
        out.append((metal.strip(), SpecifierSet(spec.strip())))
    return out


def check_tf_metal(facts: Facts, p: dict[str, Any]) -> Outcome:
    """On a Mac: tensorflow-metal, when installed, is a pair known to work with TensorFlow."""
    expected = "no tensorflow-metal, or a pair known to work"
    if facts.platform.system is None:
        return unknown("platform unknown", expected)
    if facts.platform.system != "Darwin":
        return met("not a Mac", expected)
    v = facts.packages.versions
    metal = v.get("tensorflow-metal")
    if not metal:
        return met("tensorflow-metal not installed: TensorFlow uses the CPU", expected)
    tf_text = v.get("tensorflow") or v.get("tensorflow-macos")
    tfv, mv = _version(tf_text), _version(metal)
    if tfv is None or mv is None:
        return unknown(
            f"tensorflow-metal {metal} with TensorFlow {tf_text or 'not installed'}", expected
        )
    observed = f"tensorflow-metal {metal} with TensorFlow {tfv}"
    fw = _fw(facts)
    r = fw.get("tensorflow") if fw and not fw.error else None
    for prefix, spec in _pairs(p):
        if (str(mv) + ".").startswith(prefix + ".") and spec.contains(tfv, prereleases=True):
            if r is not None and r.status != OK:
                break
            return met(observed + ": a known working pair", expected)
    return Outcome(
        "unmet",
        observed
        + ": not a pair known to work"
        + (f" (import: {r.status})" if r is not None and r.status != OK else ""),
        expected,
        advice("metal", "unknown_pair"),
    )


def _validate_framework(params: dict[str, Any]) -> str | None:
    name = params.get("framework")
    if name not in TITLES:
        return f"'framework' must be one of {', '.join(TITLES)}"
    if "expected" in params and not isinstance(params["expected"], bool):
        return "'expected' must be true or false"
    if "backend" in params and params["backend"] not in KERAS_BACKENDS:
        return f"'backend' must be one of {', '.join(KERAS_BACKENDS)}"
    return None


def _validate_metal(params: dict[str, Any]) -> str | None:
    pairs = params.get("known_good", [])
    if not isinstance(pairs, list):
        return "'known_good' must be a list of \"METAL: TENSORFLOW-SPECIFIER\" strings"
    for item in pairs:
        metal, sep, spec = str(item).partition(":")
        if not sep or not metal.strip():
            return f"'known_good' entry {item!r} is not \"METAL: SPECIFIER\""
        try:
            SpecifierSet(spec.strip())
        except InvalidSpecifier:
            return f"'known_good' entry {item!r} has a bad version specifier"
    return None


def _validate_allowed(params: dict[str, Any]) -> str | None:
    allowed = params.get("allowed", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        return "'allowed' must be a list of strings"
    return None


def _no_params(params: dict[str, Any]) -> str | None:
    return None


FRAMEWORK_CHECKS: dict[str, Check] = {
    "framework_works": Check(check_framework_works, _validate_framework),
    "tf_sees_gpu": Check(check_tf_sees_gpu, _no_params),
    "tf_distributions": Check(check_tf_distributions, _no_params),
    "keras3": Check(check_keras3, _no_params),
    "keras_backend": Check(check_keras_backend, _validate_allowed),
    "tf_metal": Check(check_tf_metal, _validate_metal),
}
