"""Is a file whole? Proofs by structure that need no network and, for ``.npy`` and HDF5 files,
read only the header: a ``.npy`` file's header gives its dtype and shape, so its size is
known exactly; an HDF5 file's superblock gives the address of its end. A CSV file is read
row by row (its column count on every row, its data rows counted). ``md5_of`` hashes a file
when the table records the publisher's checksum.

Parsing is split from reading: ``parse_npy_header(head)`` and ``parse_hdf5_end(head)`` are
pure and tested on bytes; ``prove(path, proof, size)`` reads what they need."""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import os
import stat
import struct
import sys
from dataclasses import dataclass
from typing import Any

from dlcheck.lessondata.table import Proof

NPY_MAGIC = b"\x93NUMPY"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HEAD_BYTES = 64 * 1024  # the most of a file's head any proof reads (numpy caps headers lower)
_KINDS = {"i": "int", "u": "uint", "f": "float", "c": "complex", "b": "bool"}
MAX_CSV_BYTES = 64 * 1024 * 1024  # the course's CSV files are a few MiB


@dataclass(frozen=True)
class NpyHeader:
    dtype: str  # a NumPy type name: int32, uint8, float64, bool
    itemsize: int
    shape: tuple[int, ...]
    fortran: bool
    data_offset: int  # where the array's bytes start

    @property
    def data_bytes(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n * self.itemsize


@dataclass(frozen=True)
class Proven:
    """What a proof found: ``problem`` None means whole by its structure."""

    observed: str  # "int32 (878, 64, 64, 3)", "3654 rows x 91 columns", "HDF5, 29.1 MB"
    problem: str | None = None
    length: int | None = None  # npy: the first axis (for same_length_as)


class NotWhole(ValueError):
    """The bytes are not a whole file of the kind expected (the message says why)."""


def _dtype_name(descr: str) -> tuple[str, int]:
    if len(descr) < 3 or descr[0] not in "<>|=" or descr[1] not in _KINDS:
        raise NotWhole(f"unsupported dtype {descr!r} (not a plain number type)")
    try:
        size = int(descr[2:])
    except ValueError:
        raise NotWhole(f"unsupported dtype {descr!r}") from None
    if size <= 0 or size > 32:
        raise NotWhole(f"unsupported dtype {descr!r}")
    kind = _KINDS[descr[1]]
    return (kind if kind == "bool" else f"{kind}{size * 8}"), size


def parse_npy_header(head: bytes) -> NpyHeader:
    """The header at the start of a ``.npy`` file (``head``: its first bytes); NotWhole when
    it is not one (NumPy's format 1.0, 2.0 and 3.0; object arrays are refused: they unpickle)."""
    if not head.startswith(NPY_MAGIC) or len(head) < 10:
        raise NotWhole("not a .npy file (no NUMPY signature)")
    major = head[6]
    if major == 1:
        (length,), start = struct.unpack("<H", head[8:10]), 10
    elif major in (2, 3) and len(head) >= 12:
        (length,), start = struct.unpack("<I", head[8:12]), 12
    else:
        raise NotWhole(f"unknown .npy format version {major}")
    if start + length > len(head):
        raise NotWhole("the .npy header is cut short")
    raw = head[start : start + length]
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        meta = ast.literal_eval(text)
    except (UnicodeDecodeError, ValueError, SyntaxError, MemoryError, RecursionError):
        raise NotWhole("the .npy header is not readable") from None
    if not isinstance(meta, dict) or set(meta) != {"descr", "fortran_order", "shape"}:
        raise NotWhole("the .npy header lacks descr, fortran_order or shape")
    descr, fortran, shape = meta["descr"], meta["fortran_order"], meta["shape"]
    if not isinstance(descr, str):
        raise NotWhole("unsupported dtype (a structured array)")
    if not isinstance(shape, tuple) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise NotWhole(f"bad shape {shape!r} in the .npy header")
    dtype, itemsize = _dtype_name(descr)
    return NpyHeader(dtype, itemsize, shape, bool(fortran), start + length)


def parse_hdf5_end(head: bytes) -> int:
    """The end-of-file address an HDF5 superblock at the start of ``head`` records (versions
    0 to 3); NotWhole when there is no superblock there."""
    if not head.startswith(HDF5_SIGNATURE) or len(head) < 16:
        raise NotWhole("not an HDF5 file (no HDF5 signature)")
    version = head[8]
    if version in (0, 1):
        offsets = head[13]
        fixed = 24 + (4 if version == 1 else 0)  # signature .. flags (+ indexed storage K)
        index = fixed + 2 * offsets  # base address, free-space address, then end of file
    elif version in (2, 3):
        offsets = head[9]
        index = 12 + 2 * offsets  # signature, version, sizes, flags, base, extension
    else:
        raise NotWhole(f"unknown HDF5 superblock version {version}")
    if offsets not in (2, 4, 8) or len(head) < index + offsets:
        raise NotWhole("the HDF5 superblock is not readable")
    return int.from_bytes(head[index : index + offsets], "little")


def open_regular(path: str) -> Any:
    """``path`` opened for reading when it is a regular file (decided on what is open, so a
    FIFO or a device swapped in after the caller's stat never hangs); OSError otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path}: not a regular file")
    return os.fdopen(fd, "rb")


def read_head(path: str, n: int = HEAD_BYTES) -> bytes:
    with open_regular(path) as fh:
        return bytes(fh.read(n))


def _fmt_bytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n} bytes"


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def prove_npy(head: bytes, size: int, proof: Proof) -> Proven:
    """A ``.npy`` file of ``size`` bytes starting with ``head``, against its proof."""
    try:
        h = parse_npy_header(head)
    except NotWhole as exc:
        return Proven("", str(exc))
    observed = f"{h.dtype} {_shape_text(h.shape)}"
    length = h.shape[0] if h.shape else None
    want = h.data_offset + h.data_bytes
    if size < want:
        return Proven(observed, f"cut short: {size} of {want} bytes", length)
    if size > want:
        return Proven(observed, f"{size - want} bytes more than its header says", length)
    if proof.dtype == "integer":
        if not h.dtype.startswith(("int", "uint")):
            return Proven(observed, f"{h.dtype}, expected an integer type", length)
    elif proof.dtype and h.dtype != proof.dtype:
        return Proven(observed, f"{h.dtype}, expected {proof.dtype}", length)
    if proof.shape is not None:
        wanted = proof.shape
        if len(h.shape) != len(wanted) or any(w != -1 and w != d for w, d in zip(wanted, h.shape)):
            shown = _shape_text(tuple(wanted)).replace("-1", "N")
            return Proven(observed, f"shape {_shape_text(h.shape)}, expected {shown}", length)
    return Proven(observed, None, length)


def prove_hdf5(head: bytes, size: int) -> Proven:
    try:
        end = parse_hdf5_end(head)
    except NotWhole as exc:
        return Proven("", str(exc))
    observed = f"HDF5, {_fmt_bytes(size)}"
    if size < end:
        return Proven(observed, f"cut short: {size} of {end} bytes")
    return Proven(observed)


def prove_csv(path: str, proof: Proof) -> Proven:
    """A CSV file: a header row, the same number of columns on every row, and the columns,
    names and rows the proof states."""
    from dlcheck.errors import UserError
    from dlcheck.userfiles import read_bytes

    try:  # the one safe reader, capped
        data = read_bytes(path, MAX_CSV_BYTES)
    except UserError as exc:
        return Proven("", exc.problem)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Proven("", f"not UTF-8 text (bad byte at offset {exc.start})")
    if not text.endswith("\n"):
        return Proven("", "cut short: the last row has no line end")
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error as exc:
        return Proven("", f"not a CSV file ({exc})")
    if not rows:
        return Proven("", "empty")
    header, body = rows[0], rows[1:]
    observed = f"{len(body)} rows x {len(header)} columns"
    bad = next((i for i, r in enumerate(body, 2) if len(r) != len(header)), None)
    if bad is not None:
        return Proven(observed, f"row {bad} has {len(rows[bad - 1])} columns, not {len(header)}")
    if proof.columns is not None and len(header) != proof.columns:
        return Proven(observed, f"{len(header)} columns, expected {proof.columns}")
    if proof.first and tuple(header[: len(proof.first)]) != proof.first:
        return Proven(observed, f"columns start {header[: len(proof.first)]}, not {proof.first}")
    if proof.last is not None and header[-1] != proof.last:
        return Proven(observed, f"last column {header[-1]!r}, expected {proof.last!r}")
    if proof.rows is not None and len(body) != proof.rows:
        return Proven(observed, f"{len(body)} data rows, expected {proof.rows}")
    return Proven(observed)


def prove(path: str, proof: Proof) -> Proven:
    """``path`` (a regular file) against ``proof``; reading errors are a problem, not raised."""
    try:
        size = os.stat(path).st_size
        if proof.kind == "csv":
            return prove_csv(path, proof)
        head = read_head(path)
    except OSError as exc:
        return Proven("", f"cannot read: {exc.strerror or exc}")
    if proof.kind == "npy":
        return prove_npy(head, size, proof)
    return prove_hdf5(head, size)


def new_md5() -> Any:
    """A fresh md5 (the publishers' checksum, not a security measure)."""
    if sys.version_info >= (3, 9):
        return hashlib.md5(usedforsecurity=False)
    return hashlib.md5()  # noqa: S324


def md5_of(path: str, chunk: int = 1 << 20) -> str:
    """The md5 of the file at ``path`` (hex)."""
    h = new_md5()
    with open_regular(path) as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                return str(h.hexdigest())
            h.update(block)
