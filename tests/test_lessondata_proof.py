"""Proofs by structure (issue 30, item 2): a .npy header gives the file's exact size, dtype
and shape; an HDF5 superblock its end; a CSV its columns and rows. Parsing is tested on
bytes; NumPy and h5py (when installed) write the real thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.lessondata.proof import (
    NotWhole,
    parse_hdf5_end,
    parse_npy_header,
    prove,
    prove_csv,
    prove_npy,
)
from dlcheck.lessondata.table import Proof
from tests.lessondata_server import make_hdf5, make_labels, make_npy, penguins_csv

IMAGES = Proof("npy", dtype="int32", shape=(-1, 64, 64, 3))


def test_a_npy_header_is_read_from_bytes() -> None:
    data = make_npy("<i4", (3, 64, 64, 3), 4)
    h = parse_npy_header(data[:200])
    assert (h.dtype, h.shape, h.fortran) == ("int32", (3, 64, 64, 3), False)
    assert h.data_offset + h.data_bytes == len(data)
    assert prove_npy(data[:200], len(data), IMAGES).problem is None


def test_numpy_files_are_read_alike(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    for array, dtype in (
        (np.zeros((2, 64, 64, 3), dtype=np.int32), "int32"),
        (np.arange(5, dtype=np.uint8), "uint8"),
        (np.ones((2, 3), dtype=np.float64), "float64"),
    ):
        path = tmp_path / "a.npy"
        np.save(path, array)
        h = parse_npy_header(path.read_bytes()[:4096])
        assert (h.dtype, h.shape) == (dtype, array.shape)
        assert h.data_offset + h.data_bytes == path.stat().st_size
    # and the stand-ins of the tests are files NumPy reads as the lesson does
    path = tmp_path / "labels.npy"
    path.write_bytes(make_labels(12))
    assert list(np.load(path)) == [i % 10 for i in range(12)]


@pytest.mark.parametrize(
    "size_change,words",
    [(-1, "cut short"), (-100_000, "cut short"), (5, "bytes more than its header says")],
)
def test_a_npy_file_of_the_wrong_size_is_not_whole(size_change: int, words: str) -> None:
    data = make_npy("<i4", (3, 64, 64, 3), 4)
    proven = prove_npy(data[:200], len(data) + size_change, IMAGES)
    assert proven.problem and words in proven.problem


@pytest.mark.parametrize(
    "descr,shape,words",
    [
        ("<f4", (3, 64, 64, 3), "float32, expected int32"),
        ("<i4", (3, 32, 32, 3), "expected (N, 64, 64, 3)"),
        ("<i4", (3, 64, 64), "expected (N, 64, 64, 3)"),
    ],
)
def test_a_npy_file_of_another_dtype_or_shape_is_not_the_lessons(
    descr: str, shape: tuple[int, ...], words: str
) -> None:
    data = make_npy(descr, shape, 4)
    proven = prove_npy(data[:200], len(data), IMAGES)
    assert proven.problem and words in proven.problem


@pytest.mark.parametrize(
    "head",
    [
        b"PK\x03\x04not a npy",
        b"\x93NUMPY\x01\x00\xff\xff{'descr'",  # header longer than the file
        b"\x93NUMPY\x09\x00\x10\x00{}",  # unknown version
        b"\x93NUMPY\x01\x00\x10\x00__import__('os')",  # code, never run
        b"\x93NUMPY\x01\x00\x30\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,)}",
    ],
)
def test_what_is_not_a_npy_header_is_said(head: bytes) -> None:
    with pytest.raises(NotWhole):
        parse_npy_header(head)


def test_labels_may_be_any_integer_type() -> None:
    proof = Proof("npy", dtype="integer", shape=(-1,))
    for descr, size in (("<i8", 8), ("<i4", 4), ("|u1", 1)):
        data = make_npy(descr, (7,), size)
        assert prove_npy(data[:200], len(data), proof).problem is None
    data = make_npy("<f8", (7,), 8)
    assert "expected an integer type" in (prove_npy(data[:200], len(data), proof).problem or "")


def test_an_hdf5_superblock_gives_the_files_end() -> None:
    data = make_hdf5(10_000)
    assert parse_hdf5_end(data[:100]) == 10_000
    with pytest.raises(NotWhole):
        parse_hdf5_end(b"<html>Access denied</html>")


def test_h5py_files_are_proven_and_a_cut_one_is_not(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    np = pytest.importorskip("numpy")
    path = tmp_path / "w.h5"
    for libver in ("earliest", "latest"):  # superblock versions 0 and 3
        with h5py.File(path, "w", libver=libver) as fh:
            fh["w"] = np.arange(20_000, dtype=np.float32)
        assert parse_hdf5_end(path.read_bytes()[:200]) == path.stat().st_size
        assert prove(str(path), Proof("hdf5")).problem is None
        path.write_bytes(path.read_bytes()[:-1000])
        assert "cut short" in (prove(str(path), Proof("hdf5")).problem or "")


PENGUINS = Proof(
    "csv", columns=7, rows=344, first=("species", "island", "bill_length_mm"), last="sex"
)


def test_a_csv_file_is_proven_by_its_columns_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "penguins.csv"
    path.write_bytes(penguins_csv())
    assert prove_csv(str(path), PENGUINS).problem is None
    assert prove_csv(str(path), PENGUINS).observed == "344 rows x 7 columns"


@pytest.mark.parametrize(
    "mangle,words",
    [
        (lambda b: b[:-10], "cut short"),  # a download cut mid-row
        (lambda b: b[: b.rindex(b"\n", 0, len(b) - 1) + 1], "343 data rows, expected 344"),
        (lambda b: b.replace(b"species", b"Species", 1), "columns start"),
        (lambda b: b.replace(b",sex", b",sexx", 1), "last column"),
        (lambda b: b + b"1,2\n", "row 346 has 2 columns"),
        (lambda b: b"\xff\xfe" + b, "not UTF-8"),
        (lambda b: b"<html>rate limited</html>\n", "1 columns"),
    ],
)
def test_a_csv_file_that_is_not_whole_says_why(tmp_path: Path, mangle, words: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "penguins.csv"
    path.write_bytes(mangle(penguins_csv()))
    proven = prove_csv(str(path), PENGUINS)
    assert proven.problem and words in proven.problem, proven
