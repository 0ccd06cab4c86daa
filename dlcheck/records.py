"""Typed records for facts, and their lossless JSON round trip.

Every probe returns one of these frozen dataclasses. A field that is ``None`` is unknown;
``error`` on a record says why the probe as a whole could not answer.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import sys
import types
import typing
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


# `X | Y` unions at run time exist from Python 3.10; before, typing.Union stands for both.
_UNION_TYPES = (typing.Union, getattr(types, "UnionType", typing.Union))
_HINTS: dict[type, dict[str, Any]] = {}


class _OldTyping(ast.NodeTransformer):
    """Rewrite ``A | B`` to ``Union[A, B]`` and ``list[X]`` to ``List[X]`` (Python 3.8/3.9)."""

    _GENERIC = {"list": "List", "dict": "Dict", "tuple": "Tuple", "set": "Set", "type": "Type"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.BitOr):
            return node
        union = ast.Attribute(ast.Name("typing", ast.Load()), "Union", ast.Load())
        pair = ast.Tuple([node.left, node.right], ast.Load())
        return ast.Subscript(union, ast.Index(pair), ast.Load())  # type: ignore[call-arg]

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self._GENERIC:
            return ast.Attribute(ast.Name("typing", ast.Load()), self._GENERIC[node.id], ast.Load())
        return node


def _type_hints(cls: type) -> dict[str, Any]:
    """``typing.get_type_hints`` that also reads 3.10-style annotations on Python 3.8/3.9."""
    if cls in _HINTS:
        return _HINTS[cls]
    if sys.version_info >= (3, 10):  # noqa: UP036 - the core also runs on 3.8 and 3.9
        hints = typing.get_type_hints(cls)
    else:  # pragma: no cover - exercised by the oldest-Python CI step
        hints = {}
        for klass in reversed(cls.__mro__):
            module = sys.modules.get(klass.__module__)
            names = {**vars(module), "typing": typing} if module else {"typing": typing}
            for name, ann in vars(klass).get("__annotations__", {}).items():
                if isinstance(ann, str):
                    tree = _OldTyping().visit(ast.parse(ann, mode="eval"))
                    ann = eval(compile(ast.fix_missing_locations(tree), "<hint>", "eval"), names)  # noqa: S307
                hints[name] = ann
    _HINTS[cls] = hints
    return hints


class RecordError(ValueError):
    """A dictionary does not fit the record it should become (bad saved report)."""


def to_dict(record: Any) -> Any:
    """Turn a record (or list of records) into plain JSON-ready data, keeping every field."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_dict(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [to_dict(v) for v in record]
    if isinstance(record, dict):
        return {str(k): to_dict(v) for k, v in record.items()}
    return record


def from_dict(cls: type[T], data: Any, where: str = "") -> T:
    """Rebuild a record of type ``cls`` from ``to_dict`` output; unknown keys are ignored
    (newer writers), missing keys take the field default (older writers)."""
    return _convert(cls, data, where or cls.__name__)


def read_section(cls: type[T], sections: Any, name: str) -> T | None:
    """A feature's typed section ``name`` of ``Facts.sections`` (``cls`` has an ``error`` field):
    None when absent, a record holding only the ``error`` when it does not fit ``cls``."""
    data = sections.get(name) if isinstance(sections, dict) else None
    if not isinstance(data, dict):
        return None
    try:
        return from_dict(cls, data, name)
    except RecordError as exc:
        return cls(error=f"unreadable {name} section: {exc}")  # type: ignore[call-arg]


def projection(cls: type, name: str, keep: dict[str, Any] | tuple[str, ...]) -> type:
    """A frozen dataclass with only the fields ``keep`` names of the record ``cls``, each
    optional (None when absent), for ``from_dict`` to read cheaply a part of a large record.
    ``keep`` maps a field to None (kept as it is typed in ``cls``) or, for a field holding a
    record or a list of records, to the ``keep`` of that record (its own projection); a
    sequence of names keeps those fields as they are typed."""
    hints = _type_hints(cls)
    fields: list[tuple[str, Any, Any]] = []
    wanted = keep if isinstance(keep, dict) else dict.fromkeys(keep)
    for key, inner in wanted.items():
        tp = hints[key]
        if inner is None:
            fields.append((key, typing.Optional[tp], field(default=None)))
        elif typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            part = projection(item, f"{name}_{key}", inner)
            fields.append((key, typing.List[part], field(default_factory=list)))
        else:
            part = projection(tp, f"{name}_{key}", inner)
            fields.append((key, part, field(default_factory=part)))
    return dataclasses.make_dataclass(name, fields, frozen=True)


@functools.lru_cache(maxsize=None)
def _shape(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    # A record's field types are few and fixed: read each one's origin and arguments once
    # (a fleet of 10,000 reports converts the same types hundreds of thousands of times).
    return typing.get_origin(tp), typing.get_args(tp)


def _convert(tp: Any, value: Any, where: str) -> Any:
    if tp is Any:
        return value
    origin, args = _shape(tp)
    if origin in _UNION_TYPES:
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where)
            except RecordError:
                continue
        raise RecordError(f"{where}: unexpected value {value!r}")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise RecordError(f"{where}: expected a list, got {type(value).__name__}")
        (item,) = args[:1] or (Any,)
        items = [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
        _, vt = args
        return {str(k): _convert(vt, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
        hints = _type_hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _convert(hints[f.name], value[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise RecordError(f"{where}: missing field '{f.name}'")
        return tp(**kwargs)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RecordError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp in (str, bool):
        if not isinstance(value, tp):
            raise RecordError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    raise RecordError(f"{where}: cannot read type {tp!r}")


@dataclass(frozen=True)
class PlatformFacts:
    system: str | None = None  # Linux, Darwin, Windows
    os_name: str | None = None  # "Ubuntu 24.04.1 LTS", "macOS 15.1", "Windows 11"
    os_version: str | None = None
    kernel: str | None = None
    machine: str | None = None  # normalised: x86_64, arm64, i686, ...
    is_64bit_os: bool | None = None
    wsl: bool | None = None
    wsl_version: int | None = None
    container: str | None = None  # docker, podman, kubernetes, lxc, or None when not in one
    hypervisor: str | None = None
    rosetta: bool | None = None  # x86-64 Python translated on Apple Silicon
    hostname: str | None = None
    libc: str | None = None  # "glibc 2.35" as found (kept for older readers)
    libc_family: str | None = None  # glibc, musl (Linux only)
    libc_version: str | None = None  # "2.35"
    distro_id: str | None = None  # os-release ID: ubuntu, fedora, rocky, alpine...
    distro_like: list[str] = field(default_factory=list)  # os-release ID_LIKE: debian, rhel...
    # where this runs: slurm, pbs, lsf, jupyterhub, colab, kaggle, sagemaker, wsl, docker...
    context: list[str] = field(default_factory=list)
    root: bool | None = None  # running as root (POSIX effective uid 0): no sudo needed
    error: str | None = None


@dataclass(frozen=True)
class OtherPython:
    version: str  # "3.12" (major.minor), or "3.12.1" from pyenv's folder name
    how: str  # "python3.12 on PATH", "pyenv 3.12.1"
    path: str | None = None


@dataclass(frozen=True)
class MadeEnvironment:
    """A course environment `dlcheck env create` made and finished in the folder dlcheck ran
    from (its default place, ``.venv-<setup>``), other than the running one."""

    folder: str  # its name in that folder: ".venv-cpu"
    setup: str


@dataclass(frozen=True)
class PythonFacts:
    version: str | None = None
    implementation: str | None = None
    executable: str | None = None
    bits: int | None = None
    machine: str | None = None  # architecture this interpreter was built for
    env_kind: str | None = None  # venv, conda, system
    env_name: str | None = None
    prefix: str | None = None
    free_threaded: bool | None = None  # a Py_GIL_DISABLED build (3.13t): no TensorFlow wheels
    # other CPython 3.X interpreters found on this machine without running them (python3.X
    # on PATH, pyenv's versions): what `dlcheck env create` would find by itself
    others: list[OtherPython] = field(default_factory=list)
    # the interpreter checked, when it is not the one running dlcheck, and how it was chosen:
    # "--python", "--kernel NAME", "VIRTUAL_ENV", "CONDA_PREFIX", "the Jupyter kernel NAME"
    chosen: str | None = None
    # dlcheck runs from its own tool environment (pipx, uv tool, uvx): its Python is not the
    # course's (dlcheck/probes/interpreter.py)
    dlcheck_tool: str | None = None
    # course environments dlcheck made in the current folder: "activate it", not "create it"
    made: list[MadeEnvironment] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class CpuFacts:
    model: str | None = None
    vendor: str | None = None
    arch: str | None = None
    logical_cores: int | None = None
    physical_cores: int | None = None
    usable_cores: float | None = None  # affinity and cgroup quota; may be fractional
    usable_source: str | None = None
    flags: list[str] = field(default_factory=list)  # only the instruction sets that matter here
    avx: bool | None = None
    avx2: bool | None = None
    fma: bool | None = None
    avx512f: bool | None = None
    neon: bool | None = None
    freq_mhz: float | None = None
    source: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class MemoryFacts:
    total_bytes: int | None = None
    available_bytes: int | None = None
    swap_total_bytes: int | None = None
    cgroup_limit_bytes: int | None = None
    cgroup_version: int | None = None
    effective_bytes: int | None = None  # what the verdict uses: min(total, cgroup limit)
    error: str | None = None


@dataclass(frozen=True)
class DiskFacts:
    path: str | None = None
    measured_path: str | None = None  # the nearest existing folder
    total_bytes: int | None = None
    free_bytes: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Gpu:
    vendor: str  # nvidia, apple, amd
    name: str | None = None
    memory_bytes: int | None = None
    driver_version: str | None = None
    cuda_driver_version: str | None = None  # highest CUDA the driver supports (not a toolkit)
    compute_capability: str | None = None
    cores: int | None = None
    metal: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class GpuFacts:
    gpus: list[Gpu] = field(default_factory=list)
    nvidia_status: str | None = None  # ok, absent, error, unknown (tool hung)
    nvidia_error: str | None = None  # raw error text
    nvidia_advice: str | None = None  # written by dlcheck 0.1 probes; no longer read
    notes: list[str] = field(default_factory=list)  # other backends that failed, with reasons
    error: str | None = None


@dataclass(frozen=True)
class PackageFacts:
    versions: dict[str, str] = field(default_factory=dict)  # canonical name -> version
    graphviz_dot: str | None = None  # path of `dot`, None when not on PATH
    graphviz_version: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the probes found about one machine; the input of the verdict engine."""

    created: str | None = None
    dlcheck_version: str | None = None
    platform: PlatformFacts = field(default_factory=PlatformFacts)
    python: PythonFacts = field(default_factory=PythonFacts)
    cpu: CpuFacts = field(default_factory=CpuFacts)
    memory: MemoryFacts = field(default_factory=MemoryFacts)
    disk: DiskFacts = field(default_factory=DiskFacts)
    gpu: GpuFacts = field(default_factory=GpuFacts)
    packages: PackageFacts = field(default_factory=PackageFacts)
    probe_seconds: dict[str, float] = field(default_factory=dict)
    # Each registered feature's section (dlcheck/features.py: frameworks, environment,
    # benchmark), as plain data keyed by the feature's name, which its record reads
    # (``Feature.section``). A feature adds a key here, never a field.
    sections: dict[str, Any] = field(default_factory=dict)
    # What the reader of a saved report had to normalise in it (``check --from --strict``).
    normalized: list[str] = field(default_factory=list)
    # Keys of a saved report's facts that this dlcheck does not know (the sections of a newer
    # dlcheck), kept as they are and written back unchanged.
    extra: dict[str, Any] = field(default_factory=dict)


# In the JSON form of Facts (schema dlcheck.report 2), each section and each unknown key is a
# key of the facts object of its own, beside the typed fields.
_SPREAD = ("sections", "extra")


def facts_keys() -> tuple[str, ...]:
    """The keys of the typed fields of Facts in its JSON form."""
    return tuple(f.name for f in dataclasses.fields(Facts) if f.name not in _SPREAD)


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    """The JSON form of ``facts``: the typed fields, then every section and every unknown key
    as a key of its own. A section named like a typed field is a bug (ValueError); an unknown
    key named like one (only in memory: never read so) is not written."""
    data = to_dict(facts)
    sections, extra = data.pop("sections"), data.pop("extra")
    clash = sorted(set(sections) & set(data))
    if clash:
        raise ValueError(f"facts sections named like typed fields: {clash}")
    sections.update((k, v) for k, v in extra.items() if k not in data and k not in sections)
    return {**data, **sections}


def facts_from_dict(data: Any, sections: Collection[str], where: str = "facts") -> Facts:
    """``facts_to_dict`` output as Facts: the typed fields through ``from_dict`` (RecordError
    when one does not fit), the keys named in ``sections`` (the registered features) into
    ``Facts.sections``, every other key into ``Facts.extra``."""
    if not isinstance(data, dict):
        raise RecordError(f"{where}: expected an object, got {type(data).__name__}")
    typed = facts_keys()
    facts = from_dict(Facts, {k: v for k, v in data.items() if k in typed}, where)
    found = {k: v for k, v in data.items() if k not in typed and k in sections}
    unknown = {k: v for k, v in data.items() if k not in typed and k not in sections}
    return dataclasses.replace(facts, sections=found, extra=unknown)
