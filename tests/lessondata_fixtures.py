"""Fixtures of the `dlcheck data` tests: a learner's machine in a temporary folder (the
notebook folder, KERAS_HOME, SEABORN_DATA), no proxy from the real environment, a guard
that fails a test whose code connects anywhere but 127.0.0.1, the packaged table with
Keras' md5 replaced by the test publisher's (the stand-in weights are not Keras' file), and
``run`` for the real command line in this process."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lessondata_server import KERAS_PATH, course_files, md5

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@dataclasses.dataclass
class Machine:
    notebooks: Path
    keras: Path
    seaborn: Path


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("DLCHECK_DATA_MIRROR", raising=False)
    m = Machine(tmp_path / "workshop", tmp_path / "keras-home", tmp_path / "seaborn-home")
    m.notebooks.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(m.keras))
    monkeypatch.setenv("SEABORN_DATA", str(m.seaborn))
    monkeypatch.chdir(m.notebooks)
    return m


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every connection this process opens, refused (and recorded) unless to 127.0.0.1."""
    elsewhere: list[Any] = []
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            elsewhere.append(address)
            raise ConnectionRefusedError(f"test: no connection to {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield elsewhere
    assert elsewhere == [], f"connections to other addresses: {elsewhere}"


@pytest.fixture
def served() -> dict[str, bytes]:
    return course_files()


@pytest.fixture
def test_table(monkeypatch: pytest.MonkeyPatch, served: dict[str, bytes]) -> Any:
    """The packaged table, with the weights' md5 that of the test publisher's weights."""
    from dlcheck.lessondata import checks, facts, table

    real = table.load_table()
    files = tuple(
        dataclasses.replace(f, md5=md5(served[KERAS_PATH])) if f.id == "densenet121" else f
        for f in real.files
    )
    patched = dataclasses.replace(real, files=files)
    for module in (table, facts, checks):
        monkeypatch.setattr(module, "load_table", lambda: patched)
    return patched


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``dlcheck ARGV`` in this process: (exit status, standard output, standard error)."""
    from dlcheck.cli import main

    capsys.readouterr()
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def lesson_path(m: Machine, relative: str) -> Path:
    return m.notebooks.joinpath(*relative.split("/"))


def files_on(root: Path) -> set[str]:
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )
