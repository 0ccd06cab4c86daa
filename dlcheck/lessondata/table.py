"""The course's data as data: ``files.toml`` read into ``DataFile`` records.

A record holds where a file comes from (``Source``), where the lesson looks for it
(``Place``), its size and md5 when a verifiable source gave them (else None, said as
``NOT_RECORDED``), and how it is proven whole without the network (``Proof``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from dlcheck.userfiles import fail, packaged_toml

NOT_RECORDED = "not recorded: proven by structure only"
ROOTS = ("data", "keras", "seaborn")
SOURCE_KINDS = ("zenodo", "keras", "seaborn")
PROOF_KINDS = ("npy", "csv", "hdf5")
COURSES = ("tensorflow", "torch")
_MD5 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Source:
    kind: str  # zenodo, keras, seaborn
    url: str  # the file itself
    record: str | None = None  # zenodo: the record id
    key: str | None = None  # zenodo: the file's name in the record
    api: str | None = None  # zenodo: the records API (each file's md5 and size)


@dataclass(frozen=True)
class Place:
    root: str  # data, keras, seaborn (places.Roots)
    path: str  # inside the root, "/"-separated
    also: tuple[str, ...] = ()  # other paths the lesson's pages use, same root


@dataclass(frozen=True)
class Proof:
    kind: str  # npy, csv, hdf5
    dtype: str | None = None  # npy: a NumPy type name, or "integer" for any integer type
    shape: tuple[int, ...] | None = None  # npy: -1 is any length
    same_length_as: str | None = None  # npy: the first axis equals that file's
    columns: int | None = None  # csv
    rows: int | None = None  # csv: data rows (the header row not counted)
    first: tuple[str, ...] = ()  # csv: the first column names
    last: str | None = None  # csv: the last column name


@dataclass(frozen=True)
class DataFile:
    id: str
    title: str
    episodes: tuple[int, ...]
    courses: tuple[str, ...]
    source: Source
    place: Place
    proof: Proof
    size: int | None = None  # bytes; None: not recorded
    md5: str | None = None  # None: not recorded (NOT_RECORDED)
    md5_source: str = ""

    @property
    def name(self) -> str:
        return self.place.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Table:
    files: tuple[DataFile, ...] = field(default_factory=tuple)

    def for_course(self, course: str | None) -> tuple[DataFile, ...]:
        want = course or "tensorflow"
        return tuple(f for f in self.files if want in f.courses)

    def get(self, file_id: str) -> DataFile | None:
        return next((f for f in self.files if f.id == file_id), None)


def _str(entry: dict[str, Any], key: str, where: str, optional: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(where, f"'{key}' must be a non-empty string")
    return value


def _ints(value: Any, key: str, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise fail(where, f"'{key}' must be a list of integers")
    return tuple(value)


def _strs(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise fail(where, f"'{key}' must be a list of strings")
    return tuple(value)


def _table(section: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(section, dict):
        raise fail(where, f"'{key}' must be a table")
    return section


def _safe_path(path: str, where: str) -> str:
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise fail(where, f"path {path!r} must be relative, '/'-separated, without '..'")
    return path


def _source(data: dict[str, Any], where: str) -> Source:
    kind = _str(data, "kind", where)
    if kind not in SOURCE_KINDS:
        raise fail(where, f"source kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    url = _str(data, "url", where) or ""
    if not url.startswith("https://"):
        raise fail(where, f"source url {url!r} must be https")
    record = _str(data, "record", where, optional=kind != "zenodo")
    key = _str(data, "key", where, optional=kind != "zenodo")
    api = _str(data, "api", where, optional=kind != "zenodo")
    return Source(kind, url, record, key, api)


def _place(data: dict[str, Any], where: str) -> Place:
    root = _str(data, "root", where)
    if root not in ROOTS:
        raise fail(where, f"place root {root!r} is not one of {', '.join(ROOTS)}")
    path = _safe_path(_str(data, "path", where) or "", where)
    also = tuple(_safe_path(p, where) for p in _strs(data.get("also", []), "also", where))
    return Place(root, path, also)


def _proof(data: dict[str, Any], where: str) -> Proof:
    kind = _str(data, "kind", where)
    if kind not in PROOF_KINDS:
        raise fail(where, f"proof kind {kind!r} is not one of {', '.join(PROOF_KINDS)}")
    if kind == "npy":
        shape = data.get("shape")
        return Proof(
            kind,
            dtype=_str(data, "dtype", where),
            shape=_ints(shape, "shape", where) if shape is not None else None,
            same_length_as=_str(data, "same_length_as", where, optional=True),
        )
    if kind == "csv":
        columns, rows = data.get("columns"), data.get("rows")
        for key, value in (("columns", columns), ("rows", rows)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise fail(where, f"'{key}' must be an integer")
        return Proof(
            kind,
            columns=columns,
            rows=rows,
            first=_strs(data.get("first", []), "first", where),
            last=_str(data, "last", where, optional=True),
        )
    return Proof(kind)


def _file(entry: Any, where: str) -> DataFile:
    entry = _table(entry, "file", where)
    file_id = _str(entry, "id", where) or ""
    where = f"{where}: file {file_id!r}"
    size = entry.get("size")
    if size == "unknown":
        size = None
    elif not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise fail(where, "'size' must be a number of bytes or \"unknown\"")
    md5 = _str(entry, "md5", where)
    if md5 == NOT_RECORDED:
        md5 = None
    elif not _MD5.fullmatch(md5 or ""):
        raise fail(where, f"'md5' must be 32 hex digits or {NOT_RECORDED!r}")
    courses = _strs(entry.get("courses"), "courses", where)
    if not set(courses) <= set(COURSES):
        raise fail(where, f"'courses' must name {' or '.join(COURSES)}")
    return DataFile(
        id=file_id,
        title=_str(entry, "title", where) or "",
        episodes=_ints(entry.get("episodes"), "episodes", where),
        courses=courses,
        source=_source(_table(entry.get("source"), "source", where), where),
        place=_place(_table(entry.get("place"), "place", where), where),
        proof=_proof(_table(entry.get("proof"), "proof", where), where),
        size=size,
        md5=md5,
        md5_source=_str(entry, "md5_source", where) or "",
    )


def parse_table(data: dict[str, Any], where: str) -> Table:
    """The table from parsed TOML; UserError naming ``where`` when an entry is incomplete."""
    entries = data.get("file")
    if not isinstance(entries, list) or not entries:
        raise fail(where, "no [[file]] entries")
    files = tuple(_file(e, where) for e in entries)
    ids = [f.id for f in files]
    for f in files:
        if ids.count(f.id) > 1:
            raise fail(where, f"file {f.id!r} listed twice")
        other = f.proof.same_length_as
        if other is not None and other not in ids:
            raise fail(where, f"file {f.id!r}: same_length_as names no file ({other!r})")
    return Table(files)


@functools.lru_cache(maxsize=1)
def load_table() -> Table:
    """The packaged table (``dlcheck/lessondata/files.toml``)."""
    data, where = packaged_toml("lessondata", "files.toml")
    return parse_table(data, where)
