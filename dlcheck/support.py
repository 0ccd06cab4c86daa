"""The support matrix (dlcheck/data/support.toml) and what it says about one machine: can
TensorFlow be installed here, what blocks it, which GPU route exists, which setup serves it.

Pure functions of facts and data. The setups catalogue (envs/setups.toml) stays the one
source of which lock serves which platform; this module only reads it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

from dlcheck.errors import UserError
from dlcheck.records import Facts
from dlcheck.userfiles import load_toml

SUPPORT_FILE = "support.toml"
HPC_CONTEXTS = ("slurm", "pbs", "lsf")
NOTEBOOK_CONTEXTS = ("colab", "kaggle", "sagemaker")


@dataclass(frozen=True)
class PlatformSupport:
    subdir: str
    title: str
    cpu_needs: list[str]
    gpu: str  # cuda, metal or none
    gpu_note: str
    route: str | None = None  # where to go without a wheel: a key of commands.toml [route.*]
    source: str = ""


@dataclass(frozen=True)
class Support:
    checked: str
    updated: str  # date of the generated wheel table
    platforms: dict[str, PlatformSupport]
    wheels: dict[str, dict[str, dict[str, str]]]  # package -> subdir -> python -> version
    tensorflow_cuda: dict[str, str]  # "2.21" -> "12.5"
    cuda_driver_full: dict[str, str]
    cuda_driver_minor_compat: dict[str, str]
    # package -> python -> a pre-release with wheels for it (none of the releases has)
    prereleases: dict[str, dict[str, str]] | None = None

    def newest(self, package: str, subdir: str | None, python: str | None) -> str | None:
        """The newest release of ``package`` with a wheel for this platform and Python."""
        if not subdir or not python:
            return None
        return self.wheels.get(package, {}).get(subdir, {}).get(python)

    def pythons_with(self, package: str, subdir: str | None, at_least: str = "0") -> list[str]:
        """The Python versions (major.minor) that get ``package`` >= ``at_least`` here."""
        row = self.wheels.get(package, {}).get(subdir or "", {})
        out = [py for py, v in row.items() if _v(v) is not None and _v(v) >= Version(at_least)]
        return sorted(out, key=lambda p: tuple(int(x) for x in p.split(".")))

    def tf_cuda(self, tf_version: str | None) -> str | None:
        v = _v(tf_version)
        return self.tensorflow_cuda.get(f"{v.major}.{v.minor}") if v else None

    def min_driver(self, cuda: str | None) -> str | None:
        """The oldest Linux driver a CUDA build runs on (minor-version compatibility)."""
        if not cuda:
            return None
        return self.cuda_driver_minor_compat.get(cuda.split(".")[0])


@lru_cache(maxsize=4096)
def _v(text: str | None) -> Version | None:
    # Versions are immutable and the support table's few strings are compared per finding.
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def parse_support(data: dict[str, Any], where: str) -> Support:
    from dlcheck.errors import UserError

    try:
        platforms = {
            k: PlatformSupport(
                k,
                str(v["title"]),
                [str(x) for x in v.get("cpu_needs", [])],
                str(v.get("gpu", "none")),
                str(v.get("gpu_note", "")),
                v.get("route"),
                str(v.get("source", "")),
            )
            for k, v in data["platform"].items()
        }
        gen = data.get("generated", {})
        cuda = data.get("cuda_driver", {})
        return Support(
            checked=str(data.get("checked", "")),
            updated=str(gen.get("updated", "")),
            platforms=platforms,
            wheels={
                str(p): {str(s): {str(py): str(v) for py, v in row.items()} for s, row in t.items()}
                for p, t in gen.get("wheels", {}).items()
            },
            tensorflow_cuda={str(k): str(v) for k, v in gen.get("tensorflow_cuda", {}).items()},
            cuda_driver_full={str(k): str(v) for k, v in cuda.get("full", {}).items()},
            cuda_driver_minor_compat={
                str(k): str(v) for k, v in cuda.get("minor_compat", {}).items()
            },
            prereleases={
                str(p): {str(py): str(v) for py, v in row.items()}
                for p, row in data.get("prerelease", {}).items()
                if isinstance(row, dict)
            },
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise UserError(where, f"malformed support matrix ({exc!r})") from None


@lru_cache(maxsize=1)
def load_support() -> Support:
    """The packaged support matrix (read once)."""
    data, where = load_toml(None, SUPPORT_FILE)
    return parse_support(data, where)


NVIDIA_ERRORS_FILE = "nvidia-errors.toml"


@lru_cache(maxsize=1)
def _nvidia_errors() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data, where = load_toml(None, NVIDIA_ERRORS_FILE)
    try:
        errors = [dict(e) for e in data["error"]]
        for e in errors:
            if not (isinstance(e["match"], list) and isinstance(e["advice"], str)):
                raise TypeError(f"error {e.get('id')!r}: match must be a list, advice a string")
        fallback = dict(data["fallback"])
        str(fallback["advice"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(where, f"malformed NVIDIA error table ({exc})") from None
    return errors, fallback


def nvidia_error_advice(error: str | None, hpc: bool = False) -> str:
    """What an NVIDIA driver error (NVML or nvidia-smi text, a fact) means for a person, from
    dlcheck/data/nvidia-errors.toml; on a cluster node the advice for HPC support."""
    errors, fallback = _nvidia_errors()
    low = (error or "").lower().replace("_", "")
    entry = next(
        (e for e in errors if any(str(m).replace("_", "") in low for m in e["match"])),
        fallback,
    )
    return str(entry.get("advice_hpc") or entry["advice"]) if hpc else str(entry["advice"])


# --- what the matrix says about one machine -------------------------------------------


def contexts(facts: Facts) -> list[str]:
    """Where this runs: slurm, pbs, jupyterhub, colab, kaggle, sagemaker, wsl, docker..."""
    ctx = list(getattr(facts.platform, "context", None) or [])
    if facts.platform.wsl and "wsl" not in ctx:
        ctx.append("wsl")
    if facts.platform.container and facts.platform.container not in ctx:
        ctx.append(facts.platform.container)
    return ctx


def on_hpc(facts: Facts) -> bool:
    return any(c in HPC_CONTEXTS for c in contexts(facts))


def on_cloud_notebook(facts: Facts) -> bool:
    return any(c in NOTEBOOK_CONTEXTS for c in contexts(facts))


def machine_subdir(facts: Facts) -> str | None:
    """The conda platform of this machine's hardware and OS (Rosetta: osx-arm64)."""
    from dlcheck.formats import conda_subdir

    return conda_subdir(facts.platform.system, facts.platform.machine)


def python_mm(facts: Facts) -> str | None:
    v = _v(facts.python.version)
    return f"{v.major}.{v.minor}" if v else None


@dataclass(frozen=True)
class Blocker:
    """Something that stops TensorFlow from being installed with this Python on this machine."""

    id: str  # cpu, os, python-bits, rosetta, platform, python-version
    reason: str
    fix: str
    fixable_here: bool  # True: the learner can fix it on this machine (another Python)


# The frameworks a course flavour runs Keras on: their names for people and the setup whose
# lock installs them (the glibc its wheels need is recorded per setup).
FRAMEWORK_NAMES = {"tensorflow": "TensorFlow", "torch": "PyTorch"}
FRAMEWORK_SETUPS = {"tensorflow": "cpu", "torch": "keras-torch"}
DEFAULT_MINIMUM = {"tensorflow": "2.16", "torch": "2.4"}


def framework_name(package: str) -> str:
    return FRAMEWORK_NAMES.get(package, package)


def tensorflow_blockers(facts: Facts, minimum: str = "2.16") -> list[Blocker]:
    """Why `pip install "tensorflow>=minimum"` cannot work here, most fundamental first;
    empty when nothing known blocks it (unknown facts block nothing)."""
    return framework_blockers(facts, "tensorflow", minimum)


def framework_blockers(
    facts: Facts, package: str = "tensorflow", minimum: str | None = None
) -> list[Blocker]:
    """Why `pip install "<package>>=minimum"` (TensorFlow or torch) cannot work here, most
    fundamental first; empty when nothing known blocks it (unknown facts block nothing)."""
    minimum = minimum or DEFAULT_MINIMUM.get(package, "0")
    name = framework_name(package)
    s = load_support()
    out: list[Blocker] = []
    subdir = machine_subdir(facts)
    p, py, cpu = facts.platform, facts.python, facts.cpu
    if p.is_64bit_os is False:
        out.append(Blocker("os", "a 32-bit operating system", "use a 64-bit machine", False))
    arch = cpu.arch or p.machine
    plat = s.platforms.get(subdir or "")
    avx_needed = package == "tensorflow" and plat is not None and "avx" in plat.cpu_needs
    if arch == "x86_64" and not p.rosetta and avx_needed:
        if cpu.avx is False:
            out.append(
                Blocker(
                    "cpu",
                    "this CPU has no AVX, which every TensorFlow wheel needs",
                    "use another machine",
                    False,
                )
            )
    if subdir is None and p.system and p.machine:
        out.append(
            Blocker(
                "platform",
                f"{name} has no wheels for {p.system} on {p.machine}",
                "use another machine",
                False,
            )
        )
    elif subdir is not None and not s.pythons_with(package, subdir, minimum):
        route = "use another machine"
        if plat and plat.route:
            route = str(load_commands()["route"].get(plat.route, {}).get("text", route))
        last = max(s.wheels.get(package, {}).get(subdir, {}).values(), key=_v, default=None)
        stops = f" (PyPI's {package} stops at {last} there)" if last else ""
        out.append(
            Blocker(
                "platform",
                f"{name} {minimum}+ has no wheels for {plat.title if plat else subdir}{stops}",
                route,
                False,
            )
        )
    if p.system == "Linux" and p.libc_family == "musl":
        out.append(
            Blocker(
                "libc",
                f"this Linux uses the musl C library (Alpine); {name} has only manylinux "
                "(glibc) wheels",
                "use a glibc-based system or container",
                False,
            )
        )
    need = lock_min_glibc(subdir, FRAMEWORK_SETUPS.get(package, "cpu"))
    if p.system == "Linux" and p.libc_family == "glibc" and need and _older(p.libc_version, need):
        out.append(
            Blocker(
                "glibc",
                f"this system's glibc {p.libc_version} is older than the locked {name}'s "
                f"wheel accepts (glibc {need})",
                "use a newer system or a container with one",
                False,
            )
        )
    impl = (py.implementation or "CPython").strip()
    if impl and impl != "CPython":
        out.append(
            Blocker(
                "interpreter",
                f"this Python is {impl}; {name} has wheels for CPython only",
                "install CPython " + recommended_python(facts, package),
                True,
            )
        )
    if py.free_threaded:
        out.append(
            Blocker(
                "free-threaded",
                f"this Python is a free-threaded build (no GIL); {name} has no wheels for it",
                "install the standard (GIL) build of Python " + recommended_python(facts, package),
                True,
            )
        )
    # A 32-bit interpreter on a 64-bit Linux kernel: the OS image is 32-bit (Raspberry Pi
    # OS's 32-bit edition: uname says aarch64); no 64-bit Python installs there.
    userland = (
        p.system == "Linux"
        and p.machine in ("arm64", "x86_64")
        and py.bits is not None
        and py.bits < 64
    )
    if userland:
        out.append(
            Blocker(
                "userland",
                f"this is a 32-bit OS on a 64-bit kernel (its Python is {py.bits}-bit "
                f"{py.machine or 'ARM'}; the kernel reports {p.machine}), and {name} has only "
                "64-bit wheels",
                "install the 64-bit edition of the OS",
                False,
            )
        )
    if py.bits is not None and py.bits < 64 and not userland:
        out.append(
            Blocker(
                "python-bits",
                f"this Python is {py.bits}-bit and {name} has only 64-bit wheels",
                "install a 64-bit Python: " + python_how(facts, "3.12"),
                True,
            )
        )
    if p.rosetta:
        out.append(
            Blocker(
                "rosetta",
                "this Python is an x86-64 build under Rosetta",
                "install an arm64 Python: " + python_how(facts, "3.12"),
                True,
            )
        )
    mm = python_mm(facts)
    if mm and subdir and not any(b.id == "platform" for b in out):
        pys = s.pythons_with(package, subdir, minimum)
        if pys and mm not in pys:
            want = recommended_python(facts, package)
            pre = (s.prereleases or {}).get(package, {}).get(mm)
            rc = f"; only the pre-release {pre} has, which a course does not install" if pre else ""
            out.append(
                Blocker(
                    "python-version",
                    f"{name} {minimum}+ has no wheels for Python {mm} here "
                    f"(it has for {pys[0]} to {pys[-1]}{rc})",
                    f"install Python {want}: " + python_how(facts, want),
                    True,
                )
            )
    return out


def _older(have: str | None, need: str) -> bool:
    a, b = _v(have), _v(need)
    return a is not None and b is not None and a < b


def lock_min_glibc(subdir: str | None, setup: str = "cpu") -> str | None:
    """The oldest glibc the locked TensorFlow wheel of ``setup`` accepts on ``subdir``
    (recorded per lock by envs/lock.py from the wheel tags); None when not recorded."""
    if not subdir or not subdir.startswith("linux"):
        return None
    try:
        from dlcheck.envs.facts import wheel_glibc

        return wheel_glibc(setup, subdir)
    except Exception:  # noqa: BLE001 - no lock metadata: nothing known blocks
        return None


def _pythons(facts: Facts, package: str) -> tuple[str, list[str], list[str]]:
    """(the setups' preferred Python, the locked Pythons the framework has wheels for on this
    platform, the Pythons it has wheels for)."""
    try:
        from dlcheck.envs.setups import load_catalog

        catalog = load_catalog()
        preferred = str(catalog.python)
        pythons = list(getattr(catalog, "pythons", None) or [preferred])
    except Exception:  # noqa: BLE001 - the catalogue is optional for this answer
        preferred, pythons = "3.12", ["3.12"]
    minimum = DEFAULT_MINIMUM.get(package, "0")
    have = load_support().pythons_with(package, machine_subdir(facts), minimum)
    return preferred, [py for py in pythons if not have or py in have], have


def python_already_here(facts: Facts, package: str = "tensorflow") -> Any:
    """Another CPython found on this machine (``facts.python.others``) that the course's locks
    cover and the framework has wheels for here, the setups' preferred one first; None when
    there is none. `dlcheck env create` finds such a Python by itself."""
    preferred, usable, _ = _pythons(facts, package)
    own = python_mm(facts)
    fits = [
        o
        for o in facts.python.others
        if ".".join(o.version.split(".")[:2]) in usable
        and ".".join(o.version.split(".")[:2]) != own
    ]
    fits.sort(key=lambda o: (not o.version.startswith(preferred + "."), o.version != preferred))
    return fits[0] if fits else None


def recommended_python(facts: Facts, package: str = "tensorflow") -> str:
    """The Python the course environment should use here: the learner's own when the locks
    cover it and TensorFlow has wheels for it on this platform (nothing new to install), else
    the setups' preferred one, else the newest covered one (``package``: the course's
    framework, tensorflow or torch)."""
    preferred, usable, have = _pythons(facts, package)
    own = python_mm(facts)
    if own in usable:
        return own
    if preferred in usable:
        return preferred
    if usable:
        return usable[-1]
    return have[-1] if have else preferred


# --- commands for this machine (dlcheck/data/commands.toml) ----------------------------

COMMANDS_FILE = "commands.toml"


@dataclass(frozen=True)
class CommandEntry:
    """What to do on this machine: one sentence and the commands, in order."""

    key: str  # the table key that matched: hpc, conda, ubuntu, rhel, windows, any...
    text: str
    commands: list[str]
    then: str | None = None
    sudo: bool = False


@lru_cache(maxsize=1)
def load_commands() -> dict[str, Any]:
    """The packaged commands table (read once)."""
    data, where = load_toml(None, COMMANDS_FILE)
    if not isinstance(data.get("family"), dict):
        raise UserError(where, "malformed commands table (no [family])")
    return data


def machine_keys(facts: Facts) -> list[str]:
    """The keys of commands.toml that describe this machine, most specific first: context
    (hpc, hub, notebook), conda, os-release ID and ID_LIKE with their families, the OS, any."""
    family = load_commands()["family"]
    p = facts.platform
    ctx = contexts(facts)
    keys: list[str] = []
    if on_hpc(facts):
        keys.append("hpc")
    if "jupyterhub" in ctx:
        keys.append("hub")
    if "sagemaker" in ctx:  # a hosted service with conda: its conda makes another Python
        keys.append("sagemaker")
    if on_cloud_notebook(facts):
        keys.append("notebook")
    if facts.python.env_kind == "conda":
        keys.append("conda")
    if p.system == "Linux":
        for word in [p.distro_id, *(p.distro_like or [])]:
            if word:
                keys += [word, str(family.get(word, word))]
    elif p.system == "Windows":
        keys.append("windows")
    elif p.system == "Darwin":
        keys.append("macos")
    keys.append("any")
    return list(dict.fromkeys(keys))


def command_entry(table: str, facts: Facts, **fields: str) -> CommandEntry | None:
    """The entry of ``table`` for this machine (``fields`` filled into its text and commands);
    None when the table has no entry for any of its keys."""
    entries = load_commands().get(table) or {}
    values = {**fields, "nodot": fields.get("version", "").replace(".", "")}
    for key in machine_keys(facts):
        e = entries.get(key)
        if isinstance(e, dict):
            fill = _filler(values)
            sudo = bool(e.get("sudo", False))
            commands = [fill(str(c)) for c in e.get("commands", [])]
            if sudo and facts.platform.root:  # root needs no sudo (a container may lack it)
                commands = [c[len("sudo ") :] if c.startswith("sudo ") else c for c in commands]
            return CommandEntry(
                key,
                fill(str(e.get("text", ""))),
                commands,
                fill(str(e["then"])) if e.get("then") else None,
                sudo,
            )
    return None


def _filler(values: dict[str, str]) -> Any:
    def fill(text: str) -> str:
        for k, v in values.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    return fill


# --- where the course runs when it cannot run here: one function for `dlcheck check`'s plan
# and `dlcheck env recommend` ------------------------------------------------------------


@dataclass(frozen=True)
class Elsewhere:
    """The route elsewhere for a machine the framework cannot run on: ``key`` names its entry
    in commands.toml's [route.*] (``wsl``, ``glibc_container``, ``old_glibc``,
    ``old_glibc_hpc``, ``cloud``), with that entry's text (filled in), commands and ``then``."""

    key: str
    blocker: Blocker
    text: str
    commands: list[str]
    then: str | None


def route_elsewhere(
    facts: Facts, package: str = "tensorflow", minimum: str | None = None
) -> Elsewhere | None:
    """Where to run the course when nothing on this machine can give it ``package`` (a CPU,
    OS, platform or C library blocks it); None when nothing known blocks it here."""
    blockers = [b for b in framework_blockers(facts, package, minimum) if not b.fixable_here]
    if not blockers:
        return None
    first = blockers[0]
    routes = load_commands()["route"]
    subdir = machine_subdir(facts)
    plat = load_support().platforms.get(subdir or "")
    if first.id == "platform" and plat is not None and plat.route in routes:
        key = str(plat.route)
    elif first.id == "userland":
        key = "os64"
    elif first.id == "libc":
        key = "glibc_container"
    elif first.id == "glibc":
        key = "old_glibc_hpc" if on_hpc(facts) else "old_glibc"
    else:
        key = "cloud"
    entry = routes[key]
    need = lock_min_glibc(subdir, FRAMEWORK_SETUPS.get(package, "cpu")) or "?"
    tf = load_support().newest("tensorflow", subdir, "3.12") or "2.21"
    fill = _filler(
        {
            "version": "3.12",
            "have": facts.platform.libc_version or "?",
            "need": need,
            "tensorflow": tf,
        }
    )
    return Elsewhere(
        key,
        first,
        fill(str(entry.get("text", ""))),
        [fill(str(c)) for c in entry.get("commands", [])],
        fill(str(entry["then"])) if entry.get("then") else None,
    )


def python_how(facts: Facts, version: str) -> str:
    """How to get Python ``version`` on this machine, in one sentence with its commands: the
    commands table's [python.*] entry for its OS, distribution and context (the one table of
    how to install Python)."""
    entry = command_entry("python", facts, version=version)
    if entry is None:
        return f"Python {version} from https://www.python.org/downloads/"
    cmds = " then ".join(f"`{c}`" for c in entry.commands)
    return f"{entry.text} {cmds}".strip() if cmds else entry.text
