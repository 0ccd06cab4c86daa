"""Another interpreter's facts: `dlcheck check --python PATH` (and `--kernel NAME`, and
dlcheck run as a tool). A small standard-library-only probe (``_interpreter_child.py``) runs
inside that interpreter and reports its version, environment, startup environment variables
and the distribution metadata on its ``sys.path``; the facts that depend on the interpreter
(python, packages, the framework probes) come from it, the hardware's from this machine.

A path that is not a working Python 3.8 or newer is the user's mistake: ``UserError``, one
line. Where dlcheck itself runs from a tool environment (pipx, ``uv tool``, ``uvx``), its
Python is not the course's: ``tool_environment`` says so and ``choose`` picks the one to
check (``--python``, else the active ``VIRTUAL_ENV`` or ``CONDA_PREFIX``, else a kernel).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.records import OtherPython, PackageFacts, PythonFacts

CHILD = Path(__file__).with_name("_interpreter_child.py")
MARKER = "@@dlcheck-python@@"
OLDEST = (3, 8)
PROBE_TIMEOUT = 15.0  # seconds: a cold interpreter on a network home, with startup hooks

# Runs on every Python, 2.7 included (no f-strings, print as a function of one argument):
# refuses one older than OLDEST with one line, else runs the probe file as __main__ without
# the current folder on sys.path.
BOOT = (
    "import sys\n"
    f"if sys.version_info < {OLDEST!r}:\n"
    f"    sys.stdout.write('{MARKER} old ' + sys.version.split()[0] + '\\n')\n"
    "    sys.exit(3)\n"
    "sys.path[:1] = [p for p in sys.path[:1] if p]\n"
    "sys.argv = sys.argv[1:]\n"
    "import runpy\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


@dataclass(frozen=True)
class Interpreter:
    """The interpreter to check and what its probe said."""

    path: str  # as given (or as found)
    chosen: str  # how it was chosen: "--python", "--kernel NAME", "VIRTUAL_ENV", ...
    answer: dict[str, Any] = field(default_factory=dict)  # the probe's record
    env: dict[str, str] = field(default_factory=dict)  # variables it runs with besides ours

    @property
    def executable(self) -> str:
        return str(self.answer.get("executable") or self.path)

    def startup_env(self) -> dict[str, str]:
        """The environment variables the interpreter runs with after its own startup hooks
        (a kernel's ``env``, an environment's ``.pth`` default): ours, updated."""
        seen = self.answer.get("env")
        seen = {str(k): str(v) for k, v in seen.items()} if isinstance(seen, dict) else {}
        return {**os.environ, **self.env, **seen}


def interpreter_path(given: str) -> Path:
    """The interpreter file ``given`` names: the file itself, or in an environment folder its
    ``bin/python`` (``Scripts/python.exe`` on Windows). UserError when there is none."""
    if not given.strip():  # Path("") is the current folder: say what was given instead
        raise UserError(None, f"{given!r}: an empty path is not a Python interpreter")
    path = Path(given).expanduser()
    if path.is_dir():
        inners = ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe")
        for inner in inners:
            if (path / inner).is_file():
                return path / inner
        for inner in inners:  # a venv whose base Python went away: its link points nowhere
            if (path / inner).is_symlink():
                target = os.readlink(path / inner)
                raise UserError(
                    given,
                    f"its {inner} is a dangling link (to {target}, which does not exist): "
                    "not a Python interpreter; make the environment again",
                )
        raise UserError(given, "is a folder with no bin/python: not a Python interpreter")
    if path.is_symlink() and not path.exists():
        raise UserError(
            given,
            f"is a dangling link (to {os.readlink(path)}, which does not exist): "
            "not a Python interpreter",
        )
    if not path.exists():
        raise UserError(given, "no such file: not a Python interpreter")
    if not path.is_file():
        raise UserError(given, "is not a file: not a Python interpreter")
    if not os.access(path, os.X_OK):
        raise UserError(given, "is not executable: not a Python interpreter")
    return path


def parse_answer(given: str, stdout: str, stderr: str, returncode: int | None) -> dict[str, Any]:
    """The probe's record from its output; UserError (one line) when it is not one."""
    for line in stdout.splitlines():
        if not line.startswith(MARKER):
            continue
        rest = line[len(MARKER) :].strip()
        if rest.startswith("old "):
            version = rest[4:].strip()[:40]
            oldest = ".".join(map(str, OLDEST))
            raise UserError(
                given,
                f"is Python {version}; dlcheck checks Python {oldest} and newer (the course "
                "needs 3.10 or newer): point --python at another interpreter",
            )
        try:
            data = json.loads(rest)
        except ValueError:
            break
        if isinstance(data, dict) and isinstance(data.get("version"), str):
            return data
        break
    tail = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if _quotes_the_probe(stdout + stderr):
        # a program that took the probe's source as its arguments (`ls -c ...`): not a Python
        status = f" (it exited with status {returncode})" if returncode else ""
        raise UserError(given, f"is not a Python interpreter{status}")
    why = f" ({tail[-1][:160]})" if tail else ""
    status = f"exited with status {returncode}" if returncode else "printed no answer to the probe"
    raise UserError(given, f"is not a working Python interpreter: it {status}{why}")


def _quotes_the_probe(output: str) -> bool:
    """Whether the output repeats the probe's boot source (never shown): two of its lines,
    which a Python's traceback never both shows (it shows the one line that failed)."""
    return "sys.version_info <" in output and "import runpy" in output


def probe_interpreter(
    given: str,
    chosen: str,
    env: Mapping[str, str] | None = None,
    timeout: float = PROBE_TIMEOUT,
) -> Interpreter:
    """Run the probe inside the interpreter ``given`` names (with ``env`` added to our
    environment: a kernel's variables). UserError for anything but a Python 3.8+."""
    from dlcheck.subprocesses import kill_group, start_process

    if not given.strip():  # `bench --python ''`: say which option was empty
        raise UserError(None, f"{chosen} {given!r} is empty: give the path of a Python interpreter")
    path = interpreter_path(given)
    extra = dict(env or {})
    try:
        proc = start_process(
            [str(path), "-c", BOOT, str(CHILD)], env={**os.environ, **extra}, own_group=True
        )
    except OSError as exc:
        raise UserError(given, f"cannot be run: {exc.strerror or exc}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        raise UserError(given, f"gave no answer within {timeout:g} s") from None
    answer = parse_answer(given, out or "", err or "", proc.returncode)
    return Interpreter(str(path), chosen, answer, extra)


def python_facts(interp: Interpreter, others: list[OtherPython], tool: str | None) -> PythonFacts:
    """The python facts of the interpreter probed (``others``: this machine's other Pythons)."""
    from dlcheck.probes.python import classify_environment, is_free_threaded
    from dlcheck.probes.system import normalise_arch

    a = interp.answer
    prefix = str(a.get("prefix") or "")
    base = str(a.get("base_prefix") or prefix)
    env = {**os.environ, **interp.env}
    kind, name = classify_environment(prefix, base, env, bool(a.get("conda_meta")))
    if kind == "conda":  # the name the interpreter itself started with, not ours
        seen = a.get("env") if isinstance(a.get("env"), dict) else {}
        name = str(seen.get("CONDA_DEFAULT_ENV") or Path(prefix).name)
    bits = a.get("bits")
    return PythonFacts(
        version=str(a.get("version")),
        implementation=str(a.get("implementation") or "") or None,
        executable=interp.executable,
        bits=bits if isinstance(bits, int) else None,
        machine=normalise_arch(str(a.get("machine") or "")) or None,
        env_kind=kind,
        env_name=name,
        prefix=prefix or None,
        free_threaded=is_free_threaded(str(a.get("abiflags") or ""), a.get("gil_disabled")),
        others=others,
        chosen=interp.chosen,
        dlcheck_tool=tool,
    )


def package_versions(interp: Interpreter) -> dict[str, str]:
    """Every distribution on the interpreter's ``sys.path`` (first one wins, as for import)."""
    from dlcheck.probes.packages import parse_metadata_dirnames

    found: dict[str, str] = {}
    for item in interp.answer.get("metadata") or []:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], list):
            names = [str(n) for n in item[1]]
            for name, version in parse_metadata_dirnames(names).items():
                found.setdefault(name, version)
    return dict(sorted(found.items()))


def package_facts(interp: Interpreter, here: PackageFacts) -> PackageFacts:
    """The interpreter's distributions, with this machine's Graphviz (``here``)."""
    return PackageFacts(
        versions=package_versions(interp),
        graphviz_dot=here.graphviz_dot,
        graphviz_version=here.graphviz_version,
        error=here.error if not here.versions else None,
    )


# ---------------------------------------------------------------- dlcheck as a tool ---


def tool_environment(prefix: str | None = None) -> str | None:
    """``pipx``, ``uv tool`` or ``uvx`` when ``prefix`` (default: the running Python's
    environment) is one of those tools' private environments; None otherwise. Pure on the
    path's parts: pipx keeps ``.../pipx/venvs/NAME`` (and ``pipx run``: ``.../pipx/.cache/``),
    uv ``.../uv/tools/NAME`` and, for uvx, environments in its cache (``.../uv/...-v0/...``)."""
    parts = [p.lower() for p in Path(prefix or sys.prefix).parts]
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if part in ("pipx", ".pipx") and nxt in ("venvs", ".cache"):
            return "pipx"
        if part == "uv" and nxt == "tools":
            return "uv tool"
        if part == "uv" and (re.search(r"-v\d+$", nxt) or nxt == "cache"):
            return "uvx"  # uv's cache buckets: archive-v0, builds-v0, environments-v2
    return None


def active_environment(env: Mapping[str, str]) -> tuple[str, str] | None:
    """(the Python of the active virtual or conda environment, the variable that names it)."""
    for var in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        value = env.get(var)
        if not value:
            continue
        for inner in ("bin/python", "Scripts/python.exe", "python.exe"):
            exe = Path(value) / inner
            if exe.is_file():
                return str(exe), var
    return None
