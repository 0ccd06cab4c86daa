"""The Jupyter kernels a learner's Jupyter would offer, as facts, read without importing Jupyter
and without running any interpreter.

Where Jupyter looks (``jupyter kernelspec list``, jupyter_core's ``jupyter_path``), first
found wins for a kernel name: each folder of ``JUPYTER_PATH``, the user's data folder
(``JUPYTER_DATA_DIR``, else ~/.local/share/jupyter (XDG), ~/Library/Jupyter, %APPDATA%\\jupyter),
the environments' ``share/jupyter`` (the running Python's, the checked one's, the active
``VIRTUAL_ENV``'s and ``CONDA_PREFIX``'s), then the system's (/usr/local/share/jupyter,
/usr/share/jupyter; %PROGRAMDATA%\\jupyter). For each kernel: its display name, its interpreter
(``argv[0]``, resolved), whether that exists, its Python version (``pyvenv.cfg``, conda-meta, the
``lib/python3.X`` folder) and the course's packages in its site-packages (metadata folder names,
nothing imported), and the variables its spec sets (``KERAS_BACKEND``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.records import from_dict, read_section, to_dict

SECTION = "kernels"
# the variables of a kernel spec's env recorded (others may hold what is not ours to keep)
ENV_KEYS = ("KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "CUDA_VISIBLE_DEVICES")
SPEC_LIMIT = 1 << 20
MAX_KERNELS = 200  # a folder of thousands of specs is not a learner's: the first ones are enough
_BARE_PYTHON = re.compile(r"^python(\d(\.\d+)?)?(\.exe)?$", re.IGNORECASE)


@dataclass(frozen=True)
class KernelSpec:
    name: str  # the spec's folder name (what `jupyter kernelspec list` shows)
    spec_dir: str
    display_name: str | None = None
    language: str | None = None
    argv0: str | None = None  # as the spec says
    interpreter: str | None = None  # argv0 resolved (a bare `python`: the environment's own)
    exists: bool | None = None  # the interpreter is there
    python_version: str | None = None
    prefix: str | None = None  # the interpreter's environment
    packages: dict[str, str] = field(default_factory=dict)  # course packages found there
    env: dict[str, str] = field(default_factory=dict)  # ENV_KEYS the spec sets
    by_dlcheck: bool = False  # `dlcheck env create` registered it (metadata.dlcheck)
    # found in an environment's own share/jupyter: only the Jupyter of that environment offers
    # it (None: a user, JUPYTER_PATH or system folder, which every Jupyter reads)
    offered_by: str | None = None
    shadowed_by: str | None = None  # a spec of the same name found earlier wins
    error: str | None = None  # the spec could not be read


@dataclass(frozen=True)
class KernelFacts:
    kernels: list[KernelSpec] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)  # the kernels folders looked in, in order
    # environments with a Jupyter of their own (bin/jupyter): the running one, the checked one,
    # the active ones, conda's base (Anaconda Navigator's Jupyter)
    jupyters: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = SECTION) -> KernelFacts:
        return from_dict(cls, data, where)

    def offered(self) -> list[KernelSpec]:
        """The kernels Jupyter offers (a shadowed spec is not offered)."""
        return [k for k in self.kernels if k.shadowed_by is None]


def kernel_facts(sections: Any) -> KernelFacts | None:
    return read_section(KernelFacts, sections, SECTION)


# ------------------------------------------------------------------------- where ---


def user_data_dir(env: Mapping[str, str], system: str, home: Path) -> Path:
    """Jupyter's user data folder (jupyter_core's ``jupyter_data_dir``)."""
    if env.get("JUPYTER_DATA_DIR"):
        return Path(env["JUPYTER_DATA_DIR"])
    if system == "Darwin":
        return home / "Library" / "Jupyter"
    if system == "Windows":
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "jupyter"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "jupyter"


def data_paths(
    env: Mapping[str, str], system: str, home: Path, prefixes: Iterable[str]
) -> list[Path]:
    """Jupyter's data folders in its order of precedence, each once (pure)."""
    out: list[Path] = []
    for part in (env.get("JUPYTER_PATH") or "").split(os.pathsep):
        if part:
            out.append(Path(part))
    out.append(user_data_dir(env, system, home))
    for prefix in prefixes:
        if prefix:
            out.append(Path(prefix) / "share" / "jupyter")
    if system == "Windows":
        if env.get("PROGRAMDATA"):
            out.append(Path(env["PROGRAMDATA"]) / "jupyter")
    else:
        out += [Path("/usr/local/share/jupyter"), Path("/usr/share/jupyter")]
    seen: set[str] = set()
    unique = []
    for p in out:
        key = os.path.normcase(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --------------------------------------------------------------- an interpreter ---


def _bin_dir_prefix(exe: Path) -> Path:
    """The environment of an interpreter: the folder above ``bin`` (POSIX) or the folder of
    ``python.exe`` (Windows, ``Scripts`` for a venv)."""
    parent = exe.parent
    return parent.parent if parent.name.lower() in ("bin", "scripts") else parent


def _cfg(prefix: Path) -> dict[str, str]:
    from dlcheck.userfiles import read_text

    try:
        text = read_text(prefix / "pyvenv.cfg", 64 * 1024)
    except UserError:
        return {}
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip().lower()] = value.strip()
    return out


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def python_version_of(exe: Path, prefix: Path) -> str | None:
    """The Python version of the interpreter ``exe`` in ``prefix``, read from files only."""
    cfg = _cfg(prefix)
    for key in ("version_info", "version"):
        m = re.match(r"(\d+\.\d+\.\d+)", cfg.get(key, ""))
        if m:
            return m.group(1)
    for name in _listdir(prefix / "conda-meta"):
        m = re.match(r"^python-(\d+\.\d+\.\d+)-", name)
        if m:
            return m.group(1)
    libs = [n for n in _listdir(prefix / "lib") if re.match(r"^python\d\.\d+t?$", n)]
    if len(libs) == 1:
        return libs[0][len("python") :].rstrip("t")
    m = re.match(r"^python(\d\.\d+)", Path(os.path.realpath(exe)).name)
    return m.group(1) if m else None


def site_dirs(prefix: Path, version: str | None, home: Path) -> list[Path]:
    """The site-packages folders the interpreter of ``prefix`` imports from (user site for an
    interpreter that is not a venv, or a venv that includes the system's packages)."""
    short = ".".join((version or "").split(".")[:2])
    out: list[Path] = []
    if (prefix / "Lib" / "site-packages").is_dir():
        out.append(prefix / "Lib" / "site-packages")
    names = [f"python{short}", f"python{short}t"] if short else []
    if not names:
        names = [n for n in _listdir(prefix / "lib") if n.startswith("python3")]
    for lib in ("lib", "lib64"):
        for n in names:
            p = prefix / lib / n / "site-packages"
            if p.is_dir() and p not in out:
                out.append(p)
    cfg = _cfg(prefix)
    venv = bool(cfg)
    if (not venv or cfg.get("include-system-site-packages", "").lower() == "true") and short:
        user = home / ".local" / "lib" / f"python{short}" / "site-packages"
        if user.is_dir():
            out.append(user)
    return out


def course_packages(dirs: Iterable[Path]) -> dict[str, str]:
    """The course's packages (``probes.packages.COURSE_PACKAGES``) found in ``dirs``."""
    from dlcheck.probes.packages import COURSE_PACKAGES, parse_metadata_dirnames

    found: dict[str, str] = {}
    for d in dirs:
        for name, version in parse_metadata_dirnames(_listdir(d)).items():
            if name in COURSE_PACKAGES or name in ("ipykernel", "tf-nightly", "keras-nightly"):
                found.setdefault(name, version)
    return dict(sorted(found.items()))


# ----------------------------------------------------------------------- a spec ---


def read_spec(name: str, spec_dir: Path, home: Path, env_prefix: Path | None) -> KernelSpec:
    """One kernel spec's facts; UserError when its kernel.json cannot be read as a spec
    (the caller makes that a fact, or refuses it when the user named this kernel)."""
    from dlcheck.userfiles import read_json

    data = read_json(spec_dir / "kernel.json", limit=SPEC_LIMIT)
    if not isinstance(data, dict):
        raise UserError(spec_dir / "kernel.json", "is not a kernel spec (not a JSON object)")
    argv = data.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise UserError(spec_dir / "kernel.json", "is not a kernel spec (no argv list)")
    display = data.get("display_name")
    language = data.get("language")
    raw_env = data.get("env") if isinstance(data.get("env"), dict) else {}
    env = {k: str(raw_env[k]) for k in ENV_KEYS if k in raw_env}
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    mine = isinstance(meta.get("dlcheck"), dict)
    argv0 = argv[0]
    exe: Path | None = None
    if _BARE_PYTHON.match(argv0):
        # Jupyter starts a bare `python` as the Python Jupyter itself runs in: the
        # environment this spec was found in, when it lies in one
        if env_prefix is not None:
            for inner in ("bin/python", "Scripts/python.exe", "python.exe"):
                if (env_prefix / inner).exists():
                    exe = env_prefix / inner
                    break
    elif os.path.isabs(argv0):
        exe = Path(argv0)
    base = KernelSpec(
        name=name,
        spec_dir=str(spec_dir),
        display_name=display if isinstance(display, str) else None,
        language=language if isinstance(language, str) else None,
        argv0=argv0,
        env=env,
        by_dlcheck=mine,
    )
    if exe is None:
        return base
    exists = exe.is_file()
    interp = os.path.realpath(exe) if exists else str(exe)
    if not exists:
        return dataclasses.replace(base, interpreter=interp, exists=False)
    prefix = _bin_dir_prefix(exe)
    version = python_version_of(exe, prefix)
    return dataclasses.replace(
        base,
        interpreter=str(exe),
        exists=True,
        python_version=version,
        prefix=str(prefix),
        packages=course_packages(site_dirs(prefix, version, home)),
    )


def _spec_names(kernels: Path) -> list[str]:
    """The spec folders of ``kernels``; OSError when it cannot be listed (a loop)."""
    return sorted(os.listdir(kernels))


def find_kernels(
    env: Mapping[str, str] | None = None,
    prefixes: Iterable[str] | None = None,
    system: str | None = None,
    home: Path | None = None,
) -> KernelFacts:
    """Every kernel spec Jupyter would find (module docstring), with the environments'
    folders of ``prefixes`` (default: the running Python's) and the active ones; never
    raises: a spec that cannot be read is a fact with its ``error``."""
    import platform

    env = dict(os.environ if env is None else env)
    system = system or platform.system()
    home = home or Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    given = [sys.prefix] if prefixes is None else list(prefixes)
    envs = list(dict.fromkeys(p for p in (*given, *_active(env), *_conda_bases(env, home)) if p))
    paths = data_paths(env, system, home, envs)
    env_data = {os.path.normcase(os.path.abspath(Path(p) / "share" / "jupyter")): p for p in envs}
    kernels: list[KernelSpec] = []
    first: dict[str, str] = {}
    searched = []
    for data in paths:
        folder = data / "kernels"
        searched.append(str(folder))
        try:
            names = _spec_names(folder)
        except FileNotFoundError:
            continue
        except OSError as exc:  # a loop, no permission
            kernels.append(KernelSpec("?", str(folder), error=_why(exc)))
            continue
        in_env = env_data.get(os.path.normcase(os.path.abspath(data)))
        env_prefix = Path(in_env) if in_env else None
        for name in names[:MAX_KERNELS]:
            spec_dir = folder / name
            key = name.lower()
            try:
                os.stat(spec_dir)  # OSError for a link that loops (or leads nowhere)
                if not spec_dir.is_dir():
                    continue
                spec = read_spec(name, spec_dir, home, env_prefix)
            except UserError as exc:
                spec = KernelSpec(name, str(spec_dir), error=exc.problem)
            except OSError as exc:
                spec = KernelSpec(name, str(spec_dir), error=_why(exc))
            if env_prefix is not None:
                spec = dataclasses.replace(spec, offered_by=str(env_prefix))
            if key in first:
                spec = dataclasses.replace(spec, shadowed_by=first[key])
            else:
                first[key] = str(spec_dir)
            kernels.append(spec)
    jupyters = [p for p in envs if _has_jupyter(Path(p))]
    return KernelFacts(kernels=kernels, searched=searched, jupyters=jupyters)


def _has_jupyter(prefix: Path) -> bool:
    return any(
        (prefix / inner).is_file()
        for inner in ("bin/jupyter", "Scripts/jupyter.exe", "Scripts/jupyter-lab.exe")
    )


# where Anaconda, Miniconda and Miniforge put their base environment by default
_CONDA_HOMES = ("anaconda3", "miniconda3", "miniforge3", "mambaforge")


def _conda_bases(env: Mapping[str, str], home: Path) -> list[str]:
    """conda's base environments (its Jupyter is the one Anaconda Navigator starts): the one
    CONDA_EXE names, else those at their default places."""
    found = []
    exe = env.get("CONDA_EXE")
    if exe:
        base = Path(exe).parent.parent  # <base>/bin/conda, <base>/Scripts/conda.exe
        if (base / "conda-meta").is_dir():
            found.append(str(base))
    for name in _CONDA_HOMES:
        for root in (home, Path("/opt")):
            if (root / name / "conda-meta").is_dir():
                found.append(str(root / name))
    if (Path("/opt/conda") / "conda-meta").is_dir():
        found.append("/opt/conda")
    return found


def _active(env: Mapping[str, str]) -> list[str]:
    return [env[v] for v in ("VIRTUAL_ENV", "CONDA_PREFIX") if env.get(v)]


def _why(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "the folder loops (a symbolic link to itself or a parent)"
    return str(exc.strerror or exc)


def find_kernel(name: str, facts: KernelFacts) -> KernelSpec:
    """The kernel ``name`` (its folder name, or its display name) as Jupyter would start it;
    UserError (one line) when there is none, it cannot be read, or its interpreter is gone."""
    wanted = name.strip().lower()
    offered = facts.offered()
    match = [k for k in offered if k.name.lower() == wanted]
    if not match:
        match = [k for k in offered if (k.display_name or "").strip().lower() == wanted]
    if not match:
        broken = [k.error for k in facts.kernels if k.name == "?" and k.error]
        known = ", ".join(sorted({repr(k.name) for k in offered if k.name != "?"})) or "none"
        extra = f"; {broken[0]}" if broken else ""
        raise UserError(None, f"--kernel {name!r}: no such Jupyter kernel (found: {known}){extra}")
    if len(match) > 1:
        from dlcheck.shellquote import quote

        names = ", ".join(k.name for k in match)
        pick = " or ".join(f"--kernel {quote(k.name)}" for k in match)
        raise UserError(
            None,
            f"--kernel {name!r}: {len(match)} kernels have that display name ({names}): "
            f"name one by its folder name instead ({pick})",
        )
    spec = match[0]
    if spec.error:
        spec_json = Path(spec.spec_dir) / "kernel.json"
        raise UserError(spec_json if os.path.lexists(spec_json) else spec.spec_dir, spec.error)
    if spec.interpreter is None:
        raise UserError(
            spec.spec_dir,
            f"kernel {spec.name!r} starts {spec.argv0!r}, not an interpreter dlcheck can locate "
            "(a bare name means the Python Jupyter runs in): pass --python instead",
        )
    if not spec.exists:
        raise UserError(
            spec.spec_dir,
            f"kernel {spec.name!r} starts {spec.interpreter}, which is gone (its environment "
            f"was removed): {_removal(spec, facts)}",
        )
    return spec


def _removal(spec: KernelSpec, facts: KernelFacts) -> str:
    """How to remove a kernel spec: Jupyter's command where a Jupyter is here, else its
    folder (a spec is only a folder with a kernel.json)."""
    import shutil

    from dlcheck.shellquote import quote

    if facts.jupyters or shutil.which("jupyter"):
        return f"remove it with `jupyter kernelspec remove {quote(spec.name)}`"
    return f"remove it by deleting its folder {spec.spec_dir} (no Jupyter found here)"


def kernels_line(section: Any) -> str | None:
    """The kernels' view piece: one line for the machine summary (plain text)."""
    facts = section if isinstance(section, KernelFacts) else kernel_facts({SECTION: section})
    if facts is None:
        return None
    if facts.error:
        return f"kernel search failed: {facts.error}"
    offered = [k for k in facts.offered() if k.name != "?"]
    if not offered:
        return "no Jupyter kernel found"
    parts = []
    for k in offered[:6]:
        label = k.display_name or k.name
        if k.error:
            parts.append(f"'{label}' (unreadable)")
        elif k.exists is False:
            parts.append(f"'{label}' (interpreter gone)")
        elif k.python_version:
            parts.append(f"'{label}' (Python {k.python_version})")
        else:
            parts.append(f"'{label}'")
    more = f", and {len(offered) - 6} more" if len(offered) > 6 else ""
    return f"{len(offered)}: " + ", ".join(parts) + more


def read_spec_env(spec: KernelSpec) -> dict[str, str]:
    """Every variable the spec's ``env`` sets (the kernel runs with all of them); UserError
    when the spec cannot be read."""
    from dlcheck.userfiles import read_json

    data = read_json(Path(spec.spec_dir) / "kernel.json", limit=SPEC_LIMIT)
    env = data.get("env") if isinstance(data, dict) else None
    if not isinstance(env, dict):
        return {}
    return {str(k): str(v) for k, v in env.items() if isinstance(v, (str, int, float))}
