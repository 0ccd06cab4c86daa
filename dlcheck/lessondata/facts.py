"""What is on this machine of the course's data: for each file of the table, where it was
found (its place, or another path the lesson's pages use), its size and what its structure
shows (the ``.npy`` header, the CSV's rows and columns, the HDF5 superblock), and its md5
where the table records the publisher's. Facts only, never a verdict; never the network.

``inspect_data`` is the probe of ``dlcheck data check`` and of the check report's
``course_data`` section (``data_section``); the check kind that judges it is
``dlcheck/lessondata/checks.py``."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any

from dlcheck.lessondata.places import Roots, candidates, lesson_roots
from dlcheck.lessondata.proof import md5_of, prove
from dlcheck.lessondata.table import DataFile, Table, load_table
from dlcheck.records import from_dict, read_section, to_dict

SECTION = "course_data"


@dataclass(frozen=True)
class FileFacts:
    id: str
    title: str
    path: str  # where it was found, else where the lesson looks first
    present: bool = False
    size_bytes: int | None = None
    observed: str = ""  # what its structure shows: "int32 (878, 64, 64, 3)"
    problem: str | None = None  # what its structure shows wrong: "cut short: ..."
    length: int | None = None  # a .npy file's first axis
    md5: str | None = None  # computed where the table records the publisher's md5
    error: str | None = None  # it could not be read (permission, a folder, a device)


@dataclass(frozen=True)
class DataFacts:
    folder: str | None = None  # the data root: where the notebooks run
    keras_home: str | None = None
    seaborn_data: str | None = None
    course: str | None = None
    files: list[FileFacts] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = SECTION) -> DataFacts:
        return from_dict(cls, data, where)

    def file(self, file_id: str) -> FileFacts | None:
        return next((f for f in self.files if f.id == file_id), None)


def _regular(path: str) -> tuple[bool, str | None, int | None]:
    """(there is something at path, why it cannot be read as a file, its size)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False, None, None
    except OSError as exc:
        return True, f"cannot read: {exc.strerror or exc}", None
    if not stat.S_ISREG(st.st_mode):
        return True, "not a regular file", None
    return True, None, st.st_size


def inspect_file(f: DataFile, roots: Roots) -> FileFacts:
    """One file: the first of its candidate paths that exists, proven by its structure."""
    paths = candidates(f, roots)
    for path in paths:
        there, error, size = _regular(path)
        if not there:
            continue
        if error is not None:
            return FileFacts(f.id, f.title, path, True, error=error)
        proven = prove(path, f.proof)
        md5 = None
        if f.md5 is not None and proven.problem is None:
            try:
                md5 = md5_of(path)
            except OSError as exc:
                return FileFacts(f.id, f.title, path, True, size, error=f"cannot read: {exc}")
        return FileFacts(
            f.id, f.title, path, True, size, proven.observed, proven.problem, proven.length, md5
        )
    return FileFacts(f.id, f.title, paths[0])


def inspect_data(roots: Roots, course: str | None = None, table: Table | None = None) -> DataFacts:
    """Every file of ``course`` (default: the TensorFlow course) at ``roots``; no network."""
    table = table or load_table()
    files = [inspect_file(f, roots) for f in table.for_course(course)]
    return DataFacts(roots.data, roots.keras, roots.seaborn, course or "tensorflow", files)


def data_section(course: str | None = None) -> dict[str, Any]:
    """The check report's probe: the current folder and this environment's Keras and seaborn
    folders, as the plain data of ``Facts.sections["course_data"]``."""
    return inspect_data(lesson_roots(), course).to_dict()


def data_facts(sections: Any) -> DataFacts | None:
    return read_section(DataFacts, sections, SECTION)


def data_line(section: Any) -> str | None:
    """The view piece: one line for the machine summary; None without a section."""
    d = section if isinstance(section, DataFacts) else data_facts({SECTION: section})
    if d is None:
        return None
    if d.error:
        return f"course data unreadable: {d.error}"
    here = [f for f in d.files if f.present]
    return f"{len(here)} of {len(d.files)} course files found (in {d.folder} and caches)"
