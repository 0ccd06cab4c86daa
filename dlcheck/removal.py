"""Every removal dlcheck makes (a folder, a file, a Jupyter kernel spec) goes through here, and
each is made only with proof that dlcheck made what it removes.

- A folder is removed when this run created it (``Made``: its device and inode, recorded right
  after ``mkdir``), or when it holds a marker dlcheck wrote that names this very folder (its
  real path and its device and inode) and a token the environment's own files confirm
  (``pyvenv.cfg`` or ``conda-meta/dlcheck-token``). Anything else is refused (``Refused``: one
  line), whatever ``--force`` says.
- Never a folder that holds the running interpreter, the current folder, a parent of either,
  the home folder or a file system root; never a symbolic link (neither the prefix nor anything
  inside it is followed: a link is unlinked); never a folder holding entries an
  environment does not make (a notebook, a project).
- What could not be removed is said (``Outcome.left``), never "removed" when it was not.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.sanitize import clean

MARKER = "dlcheck-env.json"  # also dlcheck.envs.installed.MARKER (kept equal by a test)
TOKEN_KEY = "dlcheck-token"  # the line dlcheck adds to pyvenv.cfg
CONDA_TOKEN = "conda-meta/dlcheck-token"
# What a venv, virtualenv, conda and the packages installed into them make at the top of an
# environment, and what dlcheck itself writes there. Anything else is the user's.
ENV_ENTRIES = frozenset(
    {
        "bin",
        "Scripts",
        "lib",
        "lib64",
        "Lib",
        "include",
        "Include",
        "share",
        "etc",
        "man",
        "pyvenv.cfg",
        ".gitignore",
        "conda-meta",
        MARKER,
        MARKER + ".tmp",
        "dlcheck-create.log",
    }
)
# Files an installer dlcheck runs is known to write at the top of an environment, even when
# its install fails: uv's lock of the environment (`uv pip install --python` writes `.lock`).
INSTALLER_FILES = frozenset({".lock"})
ENV_ENTRIES |= INSTALLER_FILES
KERNEL_ENTRIES = frozenset({"kernel.json", "kernel.json.tmp", "logo-32x32.png", "logo-64x64.png"})
KERNEL_ENTRIES |= {"logo-svg.svg"}


class Refused(UserError):
    """A removal dlcheck will not make: one line, exit status 2."""


@dataclass(frozen=True)
class Made:
    """Proof that this run created ``path``: its device and inode right after ``mkdir``."""

    path: str
    dev: int
    ino: int

    @classmethod
    def mkdir(cls, path: Path) -> Made:
        """Create ``path`` (its parents may exist or not; ``path`` itself must not). Parents
        this creates are not recorded: a caller that needs them made by ``make_parents``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir()  # FileExistsError when someone else made it first: no proof then
        return cls.of(path)

    @classmethod
    def of(cls, path: Path) -> Made:
        st = os.lstat(path)
        return cls(os.path.realpath(path), st.st_dev, st.st_ino)

    def holds(self, path: Path) -> bool:
        try:
            st = os.lstat(path)
        except OSError:
            return False
        return (
            not stat.S_ISLNK(st.st_mode)
            and (st.st_dev, st.st_ino) == (self.dev, self.ino)
            and os.path.realpath(path) == self.path
        )


@dataclass
class Outcome:
    """What a removal did: ``removed`` True when nothing of it is left; ``left`` says what is."""

    path: str
    removed: bool
    left: list[str] = field(default_factory=list)

    def said(self, what: str = "the unfinished environment") -> str:
        """``removed WHAT PATH`` or ``left WHAT PATH (why)``: the truth, in a few words."""
        if self.removed:
            return f"removed {what} {self.path}"
        return f"could not remove {what} {self.path} (left: {'; '.join(self.left)[:300]})"


def folder_id(path: Path) -> str:
    """``dev:ino`` of ``path`` (not following a link)."""
    st = os.lstat(path)
    return f"{st.st_dev}:{st.st_ino}"


def _is_under_or_same(parent: str, child: str) -> bool:
    parent = parent.rstrip(os.sep) or os.sep
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def protected_places() -> list[tuple[str, str]]:
    """(real path, what it is) of places no removal may reach or contain."""
    places: list[tuple[str, str]] = []
    for path, what in (
        (sys.prefix, "the running Python's environment"),
        (os.path.dirname(sys.executable or "") or "", "the running Python"),
        (os.path.dirname(os.path.realpath(sys.executable or "")), "the running Python"),
        (_cwd(), "the current folder"),
        (os.path.expanduser("~"), "the home folder"),
    ):
        if path:
            places.append((os.path.realpath(path), what))
    return places


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the current folder was removed under us
        return ""


def guard(path: Path) -> None:
    """Refused when ``path`` is a link, a file system root, or holds (or is) a protected place."""
    if os.path.islink(path):
        raise Refused(
            path, "is a symbolic link; dlcheck never removes through a link: left as it is"
        )
    real = os.path.realpath(path)
    if os.path.dirname(real) == real or Path(real).anchor == real:
        raise Refused(path, "is a file system root; dlcheck never removes it")
    for place, what in protected_places():
        if _is_under_or_same(real, place):
            where = "is" if place == real else "holds"
            raise Refused(
                path,
                f"{where} {what} ({clean(place, 120)}); dlcheck never removes it: run from "
                "another folder and another Python, or choose another --prefix",
            )


def _marker(prefix: Path) -> dict[str, Any] | None:
    from dlcheck.userfiles import read_json

    try:
        data = read_json(prefix / MARKER, limit=1 << 20)
    except UserError:
        return None
    return data if isinstance(data, dict) else None


def env_token(prefix: Path) -> str | None:
    """The token the environment's own files carry (pyvenv.cfg, or conda-meta); None if none."""
    from dlcheck.userfiles import read_text

    try:
        for line in read_text(prefix / "pyvenv.cfg", 64 * 1024).splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == TOKEN_KEY:
                return value.strip() or None
    except UserError:
        pass
    try:
        return read_text(prefix / CONDA_TOKEN, 1024).strip() or None
    except UserError:
        return None


def foreign_entries(prefix: Path, allowed: Iterable[str] = ENV_ENTRIES) -> list[str]:
    """Top-level entries of ``prefix`` that no environment makes (the user's)."""
    allowed = set(allowed)
    try:
        names = sorted(os.listdir(prefix))
    except OSError as exc:
        return [f"<cannot list: {exc.strerror or exc}>"]
    if "conda-meta" in names:  # a conda prefix: its packages put many folders at the top
        return []
    return [n for n in names if n not in allowed]


def proof_of_environment(prefix: Path, made: Made | None = None) -> str | None:
    """None when dlcheck may remove the environment at ``prefix``; else why not (one phrase)."""
    if made is not None and made.holds(prefix):
        foreign = foreign_entries(prefix)
        return (
            f"it holds files dlcheck did not make ({', '.join(foreign[:3])})" if foreign else None
        )
    marker = _marker(prefix)
    if marker is None:
        return "it has no marker of `dlcheck env create`"
    if marker.get("schema") != "dlcheck.env-create" or not marker.get("token"):
        return (
            f"its {MARKER} is not one `dlcheck env create` wrote for it (a copy, or a saved result)"
        )
    if marker.get("prefix") != os.path.realpath(prefix):
        return f"its {MARKER} names another folder ({clean(marker.get('prefix'), 120)}): a copy"
    try:
        if marker.get("folder") != folder_id(prefix):
            return f"its {MARKER} was written for another folder of that name (a copy)"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    token = env_token(prefix)
    has_env = (prefix / "pyvenv.cfg").exists() or (prefix / "conda-meta").exists()
    if has_env and token != marker.get("token"):
        return "its own files (pyvenv.cfg) do not carry the marker's token"
    foreign = foreign_entries(prefix)
    if foreign:
        return (
            f"it holds files dlcheck did not make ({', '.join(clean(f, 60) for f in foreign[:3])})"
        )
    return None


def _rmtree(path: Path) -> list[str]:
    """Remove ``path`` (never following links; iterative, so no depth overflows the stack:
    ``shutil.rmtree`` recurses); what is left, with why."""
    errors: list[str] = []

    def note(p: str, exc: OSError) -> None:
        errors.append(f"{clean(p, 120)}: {exc.strerror or exc}")

    top = str(path)
    if os.path.islink(top) or not os.path.isdir(top):
        try:
            os.unlink(top)
        except OSError as exc:
            note(top, exc)
        return errors
    # depth first: a folder is removed after everything in it (post-order, by a stack)
    stack: list[tuple[str, bool]] = [(top, False)]
    while stack:
        folder, listed = stack.pop()
        if listed:
            try:
                os.rmdir(folder)
            except OSError as exc:
                note(folder, exc)
            continue
        stack.append((folder, True))
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            note(folder, exc)
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((entry.path, False))
            else:
                try:
                    os.unlink(entry.path)
                except OSError as exc:
                    note(entry.path, exc)
    if os.path.lexists(path) and not errors:
        errors.append(f"{clean(path, 120)}: still there")
    return errors


def remove_environment(
    prefix: Path, made: Made | None = None, keep_folder: bool = False
) -> Outcome:
    """Remove the environment at ``prefix`` when there is proof dlcheck made it (module
    docstring); ``keep_folder``: remove what is inside and leave the folder (one the user made
    empty). Refused (one line) without proof; the Outcome says what could not be removed."""
    if not os.path.lexists(prefix):
        return Outcome(str(prefix), True)
    guard(prefix)
    if not os.path.isdir(prefix):
        raise Refused(prefix, "is not a folder; dlcheck removes only environments it made")
    why = proof_of_environment(prefix, made)
    if why:
        raise Refused(prefix, f"not removed: {why}")
    left: list[str] = []
    if keep_folder:
        for name in sorted(os.listdir(prefix)):
            entry = prefix / name
            if entry.is_dir() and not entry.is_symlink():
                left += _rmtree(entry)
            else:
                try:
                    entry.unlink()
                except OSError as exc:
                    left.append(f"{clean(entry, 120)}: {exc.strerror or exc}")
    else:
        left = _rmtree(prefix)
    return Outcome(str(prefix), not left, left)


def make_parents(path: Path) -> list[Made]:
    """Create the missing parent folders of ``path`` (a new nested prefix), the top one
    first; the proof of each this call made (one another process made first is not ours)."""
    missing: list[Path] = []
    parent = Path(os.path.abspath(path)).parent
    while not os.path.lexists(parent) and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    made: list[Made] = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        made.append(Made.of(folder))
    return made


def remove_parents(made: list[Made]) -> list[str]:
    """Remove the folders of ``made`` (``make_parents``), the deepest first, each only when
    it is still the folder this run made and empty; what is left, with why."""
    left: list[str] = []
    for m in reversed(made):
        folder = Path(m.path)
        if not os.path.lexists(folder):
            continue
        if not m.holds(folder):
            left.append(f"{clean(folder, 120)}: not the folder this run made")
            continue
        try:
            os.rmdir(folder)
        except OSError:
            left.append(f"{clean(folder, 120)}: kept, it holds other files")
    return left


def remove_file(path: Path, expect: str) -> bool:
    """Unlink the regular file ``path`` if its text starts with ``expect`` (what dlcheck wrote
    there); False (and the file left) otherwise."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1 << 16:
            return False
        with open(path, encoding="utf-8", errors="replace") as fh:
            if not fh.read(len(expect)) == expect:
                return False
        path.unlink()
        return True
    except OSError:
        return False


def kernel_owner(spec_dir: Path) -> dict[str, Any] | None:
    """dlcheck's metadata in the kernel spec at ``spec_dir`` (``kernel.json`` ->
    ``metadata.dlcheck``); None when the spec is not dlcheck's (or unreadable)."""
    from dlcheck.userfiles import read_json

    if os.path.islink(spec_dir):
        return None
    try:
        data = read_json(spec_dir / "kernel.json", limit=1 << 20)
    except UserError:
        return None
    meta = data.get("metadata") if isinstance(data, dict) else None
    mine = meta.get("dlcheck") if isinstance(meta, dict) else None
    return mine if isinstance(mine, dict) and mine.get("prefix") else None


def _kernel_runs_in(spec_dir: Path, prefix: Path) -> bool:
    """The kernel spec's interpreter (``argv[0]``) lives in ``prefix``."""
    from dlcheck.userfiles import read_json

    try:
        argv = read_json(spec_dir / "kernel.json", limit=1 << 20).get("argv")
        exe = os.path.abspath(str(argv[0]))
    except (UserError, AttributeError, IndexError, TypeError):
        return False
    roots = {os.path.abspath(prefix), os.path.realpath(prefix)}
    return any(exe.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def remove_kernel(spec_dir: Path, token: str, new_in: Path | None = None) -> Outcome:
    """Remove the kernel spec at ``spec_dir`` when dlcheck wrote it with ``token`` (this run's
    environment), or, ``new_in`` given (no spec of that name existed before this run), when
    its interpreter lives in that environment (registration cut short before dlcheck's
    metadata went in); Refused otherwise."""
    if not os.path.lexists(spec_dir):
        return Outcome(str(spec_dir), True)
    if os.path.islink(spec_dir) or not os.path.isdir(spec_dir):
        raise Refused(spec_dir, "not removed: a link or not a folder (not a kernel dlcheck wrote)")
    owner = kernel_owner(spec_dir)
    ours = owner is not None and owner.get("token") == token
    if not ours and not (new_in is not None and _kernel_runs_in(spec_dir, new_in)):
        raise Refused(spec_dir, "not removed: a kernel dlcheck did not write for this environment")
    foreign = foreign_entries(spec_dir, KERNEL_ENTRIES)
    if foreign:
        raise Refused(spec_dir, f"not removed: it holds files of another ({foreign[0]})")
    left = _rmtree(spec_dir)
    return Outcome(str(spec_dir), not left, left)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """``data`` as JSON to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
