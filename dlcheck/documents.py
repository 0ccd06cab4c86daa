"""The one document layer: every JSON document dlcheck writes or reads.

A registry names each kind (schema name, current version, the ``kind`` field, and the function
that turns a checked dictionary into its typed record). ``read_document`` reads a file through
the safe reader (``dlcheck.userfiles``), checks the schema name and version and the ranges of
the numbers in it, and dispatches on the schema name; ``write_document`` is the only JSON writer
(strict: NaN and Infinity are refused, never written).
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.userfiles import MAX_BYTES, MAX_DEPTH, fail, read_json


@dataclass(frozen=True)
class DocumentKind:
    name: str  # the "schema" field, e.g. "dlcheck.report"
    version: int  # the newest "schema_version" this dlcheck writes and reads
    kind: str  # the "kind" field
    title: str  # for messages: "dlcheck check report"
    record: str | None = None  # "module:function" (data, where) -> typed record


# dlcheck.report 2: the feature sections are keys of the facts object (1: under facts.extra);
# 3: the report carries its plan (the next steps, dlcheck/plan.py); 1 and 2 are re-planned.
REPORT = DocumentKind(
    "dlcheck.report", 3, "check", "dlcheck report", "dlcheck.report:facts_from_report_dict"
)
ENV_VERIFY = DocumentKind("dlcheck.env-verify", 1, "env-verify", "dlcheck env verify result")
ENV_RECOMMEND = DocumentKind(
    "dlcheck.env-recommend", 1, "env-recommend", "dlcheck env recommend result"
)
BENCH = DocumentKind(
    "dlcheck.bench", 1, "bench", "dlcheck bench result", "dlcheck.bench.results:result_from_dict"
)
FLEET = DocumentKind("dlcheck.fleet", 1, "fleet", "dlcheck report (fleet) table")
BENCH_COMPARE = DocumentKind(
    "dlcheck.bench-compare", 1, "bench-compare", "dlcheck bench compare table"
)
# `dlcheck data check` and `dlcheck data fetch` (dlcheck/lessondata, docs/data.md)
DATA_CHECK = DocumentKind("dlcheck.data-check", 1, "data-check", "dlcheck data check result")
DATA_FETCH = DocumentKind("dlcheck.data-fetch", 1, "data-fetch", "dlcheck data fetch result")

KINDS: dict[str, DocumentKind] = {
    k.name: k
    for k in (REPORT, ENV_VERIFY, ENV_RECOMMEND, BENCH, FLEET, BENCH_COMPARE)
    + (DATA_CHECK, DATA_FETCH)
}

# Ranges of numbers read from any document: a key naming bytes, cores or seconds must hold a
# number in its range (None is always allowed: unknown).
MAX_BYTES_VALUE = 2**60  # an exabyte: no laptop or lab server has more memory or disk
MAX_CORES = 100_000
MAX_SECONDS = 10**9


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    version: int
    data: dict[str, Any]
    where: str

    def record(self) -> Any:
        """The typed record of this document (UserError when it does not fit)."""
        if self.kind.record is None:
            return self.data
        module, _, attr = self.kind.record.partition(":")
        return getattr(importlib.import_module(module), attr)(self.data, self.where)


def check_header(
    data: Any, where: str, kinds: Iterable[str] | None = None
) -> tuple[DocumentKind, int]:
    """The kind and version of parsed JSON ``data``; UserError when it is not a document of
    one of ``kinds`` (all kinds when None) in a version this dlcheck reads."""
    allowed = [KINDS[k] for k in (kinds if kinds is not None else KINDS)]
    wanted = " or ".join(k.title for k in allowed)
    if not isinstance(data, dict):
        raise fail(where, f"not a {wanted} (JSON is not an object)")
    schema = data.get("schema")
    kind = KINDS.get(schema) if isinstance(schema, str) else None
    if kind is None or kind not in allowed:
        names = ", ".join(f'"{k.name}"' for k in allowed)
        if kind is not None:
            raise fail(where, f"is a {kind.title}, not a {wanted}")
        said = "no schema" if schema is None else f"unknown schema {_short(schema)}"
        raise fail(where, f"not a {wanted}: {said} (expected {names})")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail(where, f"bad schema_version {_short(version)}")
    if version > kind.version:
        raise fail(
            where,
            f"{kind.name} schema_version {version} is newer than this dlcheck reads "
            f"({kind.version}); upgrade dlcheck",
        )
    problem = range_problem(data)
    if problem:
        raise fail(where, problem)
    return kind, version


def _short(value: Any) -> str:
    from dlcheck.sanitize import clean

    return clean(repr(value), 60)


@functools.lru_cache(maxsize=4096)
def _range_of(key: str) -> tuple[float, float] | None:
    k = key.lower()
    signed = "increase" in k or "delta" in k or "change" in k  # a difference may be negative
    if k.endswith("_bytes") or k == "bytes":
        return (-MAX_BYTES_VALUE if signed else 0, MAX_BYTES_VALUE)
    if "cores" in k or k.endswith("_cpus") or k == "cpus":
        return (0, MAX_CORES)
    if k.endswith(("_s", "_seconds")) or k == "seconds":
        return (0, MAX_SECONDS)
    return None


def range_problem(data: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """The first number out of its range in ``data`` (by key name), or nesting deeper than
    ``max_depth``, or None. Iterative: one walk of the document (it runs once per file of a
    fleet, so it is written for speed)."""
    stack: list[tuple[str, Any, int]] = [("", data, 1)]
    containers = (dict, list)
    numbers = (int, float)
    while stack:
        path, item, depth = stack.pop()
        if depth > max_depth:
            return f"not valid JSON (nested deeper than {max_depth} levels)"
        if type(item) is list:
            for i, v in enumerate(item):
                if isinstance(v, containers):
                    stack.append((f"{path}[{i}]", v, depth + 1))
            continue
        for key, value in item.items():
            if value is None or type(value) is str:
                continue
            if isinstance(value, containers):
                stack.append((f"{path}.{key}" if path else key, value, depth + 1))
                continue
            bounds = _range_of(key) if type(key) is str else None
            if bounds is None:
                continue
            sub = f"{path}.{key}" if path else key
            if type(value) is bool or not isinstance(value, numbers):
                return f"{_clip(sub)} must be a number, not {_short(value)}"
            if not (bounds[0] <= value <= bounds[1]) or value != value:
                return f"{_clip(sub)} = {_short(value)} is out of range"
    return None


def _clip(path: str) -> str:
    from dlcheck.sanitize import clean

    return clean(path, 80)


def parse_document(data: Any, where: str, kinds: Iterable[str] | None = None) -> Document:
    kind, version = check_header(data, where, kinds)
    return Document(kind, version, data, where)


def read_document(
    path: str | Path, kinds: Iterable[str] | None = None, limit: int = MAX_BYTES
) -> Document:
    """The document at ``path`` (safe reader, strict JSON, header and ranges checked)."""
    where = str(path)
    # the depth is checked in the same walk as the ranges (check_header)
    return parse_document(read_json(path, limit, max_depth=None), where, kinds)


def read_record(path: str | Path, kind: str) -> Any:
    """The typed record of the document of ``kind`` at ``path``."""
    return read_document(path, [kind]).record()


# ---- writing ----------------------------------------------------------------------------


def document_json(data: dict[str, Any]) -> str:
    """The one JSON writer: ``data`` (a document with its header) as strict JSON text with a
    final newline. NaN and Infinity are refused: a value that is not JSON is a bug, not
    something to write."""
    schema = data.get("schema")
    if schema not in KINDS or data.get("schema_version") != KINDS[schema].version:
        raise ValueError(f"not a registered document: schema {schema!r}")
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def with_header(kind: DocumentKind, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` behind the header of ``kind`` (schema, schema_version, kind)."""
    return {"schema": kind.name, "schema_version": kind.version, "kind": kind.kind, **body}


def write_document(data: dict[str, Any], path: str | Path, inputs: Iterable[str] = ()) -> None:
    """Write a document to ``path`` atomically (dlcheck.output.write_file)."""
    from dlcheck.output import write_file

    write_file(str(path), document_json(data), inputs=inputs)


__all__ = [
    "BENCH",
    "Document",
    "DocumentKind",
    "ENV_RECOMMEND",
    "ENV_VERIFY",
    "FLEET",
    "KINDS",
    "REPORT",
    "UserError",
    "check_header",
    "document_json",
    "parse_document",
    "read_document",
    "read_record",
    "with_header",
    "write_document",
]
