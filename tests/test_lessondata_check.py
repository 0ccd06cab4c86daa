# ruff: noqa: F811 - the fixtures imported from tests/lessondata_fixtures.py
"""`dlcheck data check` and the check report's course-data finding (issue 30, item 2 and
Done means): no network ever (a test watches every socket), only the .npy headers read, one
line per file and a verdict with the exit codes of `dlcheck check`, bad input one line."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.lessondata_fixtures import (  # noqa: F401 - fixtures
    Machine,
    lesson_path,
    machine,
    run,
    served,
    test_table,
)
from tests.lessondata_server import KERAS_PATH, make_labels, md5

pytestmark = pytest.mark.timeout(120)


def _place(m: Machine, served: dict[str, bytes], table: Any, *skip: str) -> dict[str, Path]:
    """The served files put where the lesson looks, as a fetch would."""
    by_name = {
        path.rsplit("/", 2)[-2] if path.endswith("/content") else path.rsplit("/", 1)[-1]: data
        for path, data in served.items()
    }
    placed = {}
    for f in table.files:
        if f.id in skip:
            continue
        root = {"data": m.notebooks, "keras": m.keras, "seaborn": m.seaborn}[f.place.root]
        dest = root.joinpath(*f.place.path.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(by_name[f.name])
        placed[f.id] = dest
    return placed


def _flat(out: str) -> str:
    """The text with its wrapping undone (80 columns when piped)."""
    return " ".join(out.split())


def _starting(out: str, word: str) -> int:
    return sum(line.startswith(word + " ") for line in out.splitlines())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection attempt of this process (any address), refused and recorded."""
    tried: list[Any] = []

    def connect(self: socket.socket, address: Any) -> Any:
        tried.append(address)
        raise ConnectionRefusedError("test: no network")

    def create_connection(address: Any, *a: Any, **k: Any) -> Any:
        tried.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return tried


def test_a_fresh_folder_misses_every_file_one_line_each(
    machine: Machine, no_network: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "data", "check")
    assert code == 1 and _starting(out, "MISSING") == 7
    assert "Verdict: DATA MISSING  (0 of 7 files present and whole; missing 7)" in out
    assert "Next step" in out and out.rstrip().endswith("dlcheck data fetch")
    assert no_network == [] and err == ""
    for fmt, marker in (("json", '"schema": "dlcheck.data-check"'), ("markdown", "| MISSING |")):
        code, out, err = run(capsys, "data", "check", "--format", fmt)
        assert code == 1 and marker in out and "dlcheck: exit 1: DATA MISSING" in err
    code, out, _ = run(capsys, "data", "check", "--format", "csv")
    assert out.splitlines()[0] == "verdict,file,where,found" and len(out.splitlines()) == 8
    code, out, _ = run(capsys, "data", "check", "-q")
    assert code == 1 and out.strip().startswith("DATA MISSING")


def test_every_file_placed_is_proven_and_a_broken_one_is_named(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    no_network: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    placed = _place(machine, served, test_table)
    code, out, _ = run(capsys, "data", "check")
    assert code == 0 and _starting(out, "PASS") == 7 and "DATA READY" in out
    assert "int32 (878, 64, 64, 3) (proven by structure)" in _flat(out)
    assert "HDF5" in out and "(proven by structure and md5)" in _flat(out)
    # a download cut short
    images = placed["train-images"]
    images.write_bytes(images.read_bytes()[:-4096])
    code, out, _ = run(capsys, "data", "check")
    assert code == 1 and "BROKEN   train-images" in out and "cut short" in _flat(out)
    assert "DATA BROKEN" in out and "dlcheck data fetch" in out
    # labels that do not match their images
    images.write_bytes(served["/zenodo.org/api/records/10970014/files/train_images.npy/content"])
    placed["test-labels"].write_bytes(make_labels(4))
    code, out, _ = run(capsys, "data", "check")
    assert code == 1 and "4 entries but test-images has 5" in _flat(out)
    # weights with another md5 than Keras records
    placed["test-labels"].write_bytes(make_labels(5))
    weights = placed["densenet121"]
    other = bytearray(served[KERAS_PATH])
    other[-1] ^= 1
    weights.write_bytes(bytes(other))
    code, out, _ = run(capsys, "data", "check")
    assert code == 1 and f"md5 {md5(bytes(other))} is not the publisher's" in _flat(out)
    assert no_network == []


def test_the_setup_pages_places_count_too(
    machine: Machine, served: dict[str, bytes], test_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The setup page puts all five files in data/; episode 3 reads the CSV beside itself."""
    placed = _place(machine, served, test_table)
    for file_id in ("train-images", "test-images", "train-labels", "test-labels"):
        path = placed[file_id]
        path.rename(machine.notebooks / "data" / path.name)
    weather = placed["weather"]
    weather.rename(machine.notebooks / weather.name)
    code, out, _ = run(capsys, "data", "check")
    assert code == 0, out
    assert "data/train_images.npy: int32" in _flat(out)


def test_a_file_that_cannot_be_read_is_not_verified(
    machine: Machine, served: dict[str, bytes], test_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = _place(machine, served, test_table, "penguins")
    placed["weather"].unlink()
    placed["weather"].mkdir()  # a folder where the file should be
    _place(machine, served, test_table, *[f.id for f in test_table.files if f.id != "penguins"])
    code, out, err = run(capsys, "data", "check", "-v")
    assert code == 3 and "UNKNOWN  weather" in out and "not a regular file" in _flat(out)
    assert "NOT VERIFIED" in out and "dlcheck: exit 3" in err


def test_only_the_npy_headers_are_read(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dlcheck.lessondata import proof

    placed = _place(machine, served, test_table)
    got: dict[str, int] = {}

    class Counting:
        def __init__(self, fh: Any, name: str) -> None:
            self.fh, self.name = fh, name

        def read(self, n: int = -1) -> bytes:
            data = self.fh.read(n)
            got[self.name] = got.get(self.name, 0) + len(data)
            return bytes(data)

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: Any) -> None:
            self.fh.close()

    real = proof.open_regular

    def counting_open(path: Any) -> Any:
        return Counting(real(path), Path(path).name)

    monkeypatch.setattr(proof, "open_regular", counting_open)
    code, _, _ = run(capsys, "data", "check")
    assert code == 0
    npy = {name: n for name, n in got.items() if name.endswith(".npy")}
    assert len(npy) == 4 and all(n <= proof.HEAD_BYTES for n in npy.values()), npy
    big = placed["train-images"].stat().st_size
    assert npy["train_images.npy"] < big // 100  # 43 MB on disk, a header read


@pytest.mark.parametrize(
    "argv,words",
    [
        (["--data", "no-such-folder"], "no-such-folder: --data: no such folder"),
        (["--course", "jax"], "--course: unknown course 'jax'"),
        (["--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    machine: Machine, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, out, err = run(capsys, "data", "check", *argv)
    assert code == 2 and out == "" and words in err and len(err.strip().splitlines()) == 1


def test_data_given_as_a_file_is_refused(
    machine: Machine, capsys: pytest.CaptureFixture[str]
) -> None:
    (machine.notebooks / "notes.txt").write_text("x")
    code, _, err = run(capsys, "data", "check", "--data", "notes.txt")
    assert code == 2 and "notes.txt: --data: not a folder" in err


def test_dlcheck_check_opens_no_connection_and_judges_the_data(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    no_network: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", "--no-frameworks", "--json")
    report = json.loads(out)
    finding = next(f for f in report["findings"] if f["id"] == "course-data")
    assert finding["verdict"] == "WARN" and "7 missing" in finding["observed"]
    assert "dlcheck data fetch" in finding["advice"]
    steps = [*report["plan"]["steps"], *report["plan"]["later"]]  # shown, or kept for later
    (step,) = [s for s in steps if "course-data" in s["resolves"]]
    assert step["id"] == finding["step"] == "course-data"
    assert step["action"]["commands"] == ["dlcheck data fetch"]
    assert report["facts"]["course_data"]["folder"] == str(machine.notebooks)
    _place(machine, served, test_table)
    code, out, _ = run(capsys, "check", "--no-frameworks", "--json")
    finding = next(f for f in json.loads(out)["findings"] if f["id"] == "course-data")
    assert finding["verdict"] == "PASS" and finding["observed"] == "7 files present and whole"
    code, out, _ = run(capsys, "check", "--no-frameworks")
    assert "Course data" in out and "7 of 7 course files found" in _flat(out)
    assert no_network == []


def test_the_plan_names_the_fetch_when_the_data_is_all_that_is_missing() -> None:
    """On a machine where everything else passes, the data's step is the plan."""
    from dlcheck.places import load_places
    from dlcheck.plan import build_plan, link
    from dlcheck.profile import load_profile
    from dlcheck.records import Facts
    from dlcheck.verdict import Finding

    profile = load_profile()
    req = next(r for r in profile.requirements if r.id == "course-data")
    assert req.check == "course_data" and req.level == "recommended"
    finding = Finding(
        id=req.id,
        title=req.title,
        level=req.level,
        verdict="WARN",
        observed="7 missing",
        expected="",
        advice=req.advice,
    )
    plan = build_plan([finding], Facts(), profile, load_places())
    assert [(s.id, s.kind, s.resolves) for s in plan.steps] == [
        ("course-data", "recommended", ["course-data"])
    ]
    step = plan.steps[0]
    assert step.action.commands == ["dlcheck data fetch"]  # data/commands.toml [course_data]
    assert "folder where you will run the notebooks" in step.action.text
    # the finding links to it (one voice): its advice is the step's line
    (linked,) = link([finding], plan)
    assert linked.step == "course-data" and "`dlcheck data fetch`" in (linked.advice or "")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_or_a_device_where_a_file_should_be_never_hangs(
    machine: Machine, served: dict[str, bytes], test_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = _place(machine, served, test_table)
    placed["weather"].unlink()
    os.mkfifo(placed["weather"])
    placed["train-labels"].unlink()
    placed["train-labels"].symlink_to("/dev/zero")
    code, out, _ = run(capsys, "data", "check")
    assert code == 3 and "NOT VERIFIED" in out  # nothing missing or broken, two unreadable
    assert "UNKNOWN  weather" in out and "UNKNOWN  train-labels" in out


def test_on_a_cluster_the_step_says_where_the_network_is() -> None:
    """The step's words per machine come from data/commands.toml: a Slurm job's node (a
    recorded report) is told to fetch on a login node."""
    from dlcheck.places import load_places
    from dlcheck.plan import build_plan
    from dlcheck.profile import load_profile
    from dlcheck.report import load_report_facts
    from dlcheck.verdict import Finding

    root = Path(__file__).resolve().parent / "data" / "reports"
    facts = load_report_facts(str(root / "slurm-cpu-job.check.json"))
    profile = load_profile()
    req = next(r for r in profile.requirements if r.id == "course-data")
    finding = Finding(req.id, req.title, req.level, "WARN", "7 missing", "", req.advice)
    (step,) = build_plan([finding], facts, profile, load_places()).steps
    assert "login node" in step.action.text and step.action.commands == ["dlcheck data fetch"]
