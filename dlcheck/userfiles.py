"""The one safe reader for every file a user names or a folder holds (reports, results,
profiles, places, pip locks, conda-lock files, conda-meta records).

Promises, whatever the file is:
- only a regular file is read. The kind is decided by ``os.stat`` before any open, and the
  open itself is non-blocking and checked again with ``fstat``: a FIFO, a device (a link to
  ``/dev/zero``), a socket or a folder is one line, never a hang;
- the size cap is enforced by reading at most ``limit + 1`` bytes, not by trusting ``st_size``;
- one decoding policy: UTF-8 with or without a byte-order mark, and UTF-16 *with* a byte-order
  mark (what Windows PowerShell 5's ``>`` writes); anything else is refused;
- JSON is strict: NaN and Infinity are refused, as are numbers that overflow a float, integers
  longer than ``MAX_INT_DIGITS`` digits and nesting deeper than ``MAX_DEPTH``;
- YAML goes through the safe loader only, with aliases and depth bounded;
- everything a reader can raise becomes ``UserError(path, problem)``: one line, cut to a sane
  length, control characters shown escaped (``dlcheck.sanitize.clean``).
"""

from __future__ import annotations

import codecs
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError

MAX_BYTES = 16 * 1024 * 1024  # no dlcheck document or lock comes near this
MAX_DEPTH = 64  # the deepest dlcheck document nests about 8 levels
MAX_INT_DIGITS = 40  # bytes of a petabyte disk need 16; 10**40 is not a measurement
MAX_NUMBER_CHARS = 100  # the longest number text (digits, sign, exponent) read at all
MAX_YAML_ALIASES = 20  # a real conda-lock file has none; 20 bound any expansion to ~1,500

_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def _kind_problem(mode: int) -> str | None:
    for test, problem in _KINDS:
        if test(mode):
            return problem
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def _os_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc}"


def fail(path: object, problem: str) -> UserError:
    """A UserError whose text is one clean line (machine text in it is escaped and cut)."""
    from dlcheck.sanitize import clean

    return UserError(clean(path, 300) if path is not None else None, clean(problem, 300))


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit``); UserError otherwise."""
    where = str(path)
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a device
    except (OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError) and os.path.islink(path):
            raise fail(where, "is a broken symbolic link") from None
        raise fail(where, _os_problem(exc) if isinstance(exc, OSError) else str(exc)) from None
    problem = _kind_problem(st.st_mode)
    if problem:
        raise fail(where, problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise fail(where, _os_problem(exc)) from None
    try:
        # the file may have been swapped between stat and open: decide again on what is open
        problem = _kind_problem(os.fstat(fd).st_mode)
        if problem:
            raise fail(where, problem)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise fail(where, _os_problem(exc)) from None
    finally:
        os.close(fd)
    if got > limit:
        raise fail(where, f"too large (more than {limit} bytes)")
    return b"".join(chunks)


def decode(data: bytes, where: str) -> str:
    """Text by the one decoding policy (module docstring)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(where, f"not UTF-8 text (bad byte at offset {exc.start})") from None


def read_text(path: str | Path, limit: int = MAX_BYTES) -> str:
    """The file's text (UTF-8, or UTF-16 with a byte-order mark)."""
    return decode(read_bytes(path, limit), str(path))


# ---- JSON -------------------------------------------------------------------------------


class _JsonProblem(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _JsonProblem(f"{name} is not a number JSON allows")


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _JsonProblem(f"integer of {digits} digits is out of range")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _JsonProblem(f"number of {len(text)} characters is out of range")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _JsonProblem(f"number {text[:30]} is out of range")
    return value


def _depth_ok(value: Any, limit: int) -> bool:
    """True when ``value`` nests at most ``limit`` levels. Level by level (no recursion); a
    shared node (a YAML alias) is looked at once per level."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return False
        below: dict[int, Any] = {}
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, (dict, list)):
                    below[id(child)] = child
        level = list(below.values())
    return True


def _parsed(
    kind: str,
    where: str,
    load: Callable[[], Any],
    syntax: type[Exception],
    syntax_message: Callable[[Any], str],
    max_depth: int | None = MAX_DEPTH,
    also: tuple[type[Exception], ...] = (),
) -> Any:
    """What ``load()`` returns; every failure is a UserError naming ``where``, "not valid
    KIND ...": a value refused on the way (_JsonProblem), the parser's own syntax error
    (``syntax``, worded by ``syntax_message``), nesting too deep for the parser or deeper than
    ``max_depth`` (None: the caller checks the depth), a value Python cannot hold."""
    try:
        data = load()
    except _JsonProblem as exc:
        raise fail(where, f"not valid {kind} ({exc})") from None
    except syntax as exc:
        raise fail(where, f"not valid {kind}{syntax_message(exc)}") from None
    except RecursionError:
        raise fail(where, f"not valid {kind} (nested too deeply)") from None
    except (ValueError, OverflowError, MemoryError, *also) as exc:  # e.g. int-string limits
        raise fail(where, f"not valid {kind} ({type(exc).__name__}: {exc})") from None
    if max_depth is not None and not _depth_ok(data, max_depth):
        raise fail(where, f"not valid {kind} (nested deeper than {max_depth} levels)")
    return data


def parse_json(text: str, where: str, max_depth: int | None = MAX_DEPTH) -> Any:
    """``text`` parsed as strict JSON; UserError naming ``where`` otherwise. ``max_depth``
    None: the caller checks the depth itself (dlcheck.documents does, in its range walk)."""
    return _parsed(
        "JSON",
        where,
        lambda: json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
        ),
        json.JSONDecodeError,
        lambda exc: f" ({exc.msg} at line {exc.lineno})",
        max_depth,
    )


def read_json(path: str | Path, limit: int = MAX_BYTES, max_depth: int | None = MAX_DEPTH) -> Any:
    """The file parsed as strict JSON."""
    return parse_json(read_text(path, limit), str(path), max_depth)


# ---- TOML -------------------------------------------------------------------------------


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """``text`` parsed as TOML; UserError naming ``where`` otherwise."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    return _parsed(
        "TOML", where, lambda: tomllib.loads(text), tomllib.TOMLDecodeError, lambda exc: f": {exc}"
    )


# ---- YAML -------------------------------------------------------------------------------


def parse_yaml(text: str, where: str, max_aliases: int = MAX_YAML_ALIASES) -> Any:
    """``text`` parsed by PyYAML's safe loader with aliases and nesting bounded."""
    try:
        import yaml
    except ImportError:
        raise fail(where, "reading YAML files needs PyYAML: pip install pyyaml") from None

    class _Loader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > max_aliases:
                    raise _JsonProblem(f"more than {max_aliases} YAML aliases")
            return super().compose_node(parent, index)

    return _parsed(
        "YAML",
        where,
        lambda: yaml.load(text, Loader=_Loader),  # noqa: S506 - a SafeLoader subclass
        yaml.YAMLError,
        lambda exc: ": " + " ".join(str(exc).split()),
        also=(TypeError,),
    )


# --- data files: TOML (profiles, places, support matrix), the user's or the packaged one ---


def packaged_toml(folder: str, name: str) -> tuple[dict[str, Any], str]:
    """THE loader of the TOML data shipped inside the package: ``dlcheck/FOLDER/NAME``
    (``data`` for profiles, places, support, commands; ``envs`` for setups.toml; ``bench``
    for workloads.toml). Returns (data, where), ``where`` naming it for messages."""
    from dlcheck._compat import package_text

    where = f"<packaged {name}>"
    return parse_toml(package_text("dlcheck", folder, name), where), where


def load_toml(path: str | Path | None, default_name: str) -> tuple[dict[str, Any], str]:
    """Parse ``path`` (through the safe reader), or the packaged ``dlcheck/data/default_name``
    when path is None. Returns (data, where) with ``where`` naming the source for messages."""
    if path is None:
        return packaged_toml("data", default_name)
    where = str(path)
    return parse_toml(read_text(path), where), where
