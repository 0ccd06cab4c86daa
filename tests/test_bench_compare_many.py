"""bench compare for a room: packaged references by name (`--list`), `-q` the table alone,
columns named by what tells them apart (host, then folder), and many results as one row each,
never wider than the terminal (recorded results, no framework)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dlcheck.bench.compare import reference_ids, unique_labels
from dlcheck.bench.results import load_result
from dlcheck.cli import main

RECORDED = Path(__file__).parent / "data" / "bench" / "dev-2core-epyc-vm-2026-11-26.json"


def learner_file(folder: Path, host: str) -> Path:
    """A learner's ``me.bench.json`` (a recorded result without its reference id)."""
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    data["hostname"] = host
    data.pop("machine", None)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "me.bench.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["bench", "compare", *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_columns_are_named_by_host_then_folder(tmp_path: Path) -> None:
    files = [
        learner_file(tmp_path / "a", "pc-01"),
        learner_file(tmp_path / "b", "pc-02"),
        learner_file(tmp_path / "c", "lab"),
        learner_file(tmp_path / "d", "lab"),
    ]
    labels = unique_labels([load_result(f) for f in files])
    assert labels == ["me (pc-01)", "me (pc-02)", "me (lab, c/)", "me (lab, d/)"]
    # nothing tells two copies of one file apart: numbered, never primes
    same = load_result(files[0])
    assert unique_labels([same, same, same]) == ["me", "me #2", "me #3"]


def test_two_hundred_learners_fit_the_terminal_one_row_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = [str(learner_file(Path(f"l{i:03d}"), f"pc-{i:03d}")) for i in range(200)]
    code, out, _ = run(capsys, *files)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split()[:2] == ["result", "ep"]
    rows = [line for line in lines if line.startswith("me (pc-")]
    assert len(rows) == 200 and "me (pc-199)" in rows[-1] and "FAIL (ep 5)" in rows[-1]
    assert len(lines) < 230
    # -q: the table alone
    code, quiet, _ = run(capsys, "-q", *files)
    assert quiet.splitlines() == lines[: len(quiet.splitlines())]
    assert len(quiet.splitlines()) == 201 and "comfortable" not in quiet


def test_a_packaged_reference_goes_by_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = reference_ids()
    assert refs, "no packaged reference"
    ref_id = sorted(refs)[0]
    mine = learner_file(tmp_path / "me", "laptop")
    code, out, err = run(capsys, ref_id, str(mine))
    assert code == 0, err
    assert ref_id in out
    # listed with where and when it was measured
    code, out, _ = run(capsys, "--list")
    assert code == 0
    for rid in refs:
        assert f"{rid}: " in out
    assert "measured in" in out
    # neither a file nor a reference: one line naming it and the way to list them, exit 2
    code, _, err = run(capsys, "no-such-ref", str(mine))
    assert code == 2 and "no-such-ref" in err and "--list" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_quiet_two_files_is_the_table_without_notes_or_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = learner_file(tmp_path / "a", "laptop")
    b = learner_file(tmp_path / "b", "colab")
    data = json.loads(b.read_text())
    data["context"]["backend"] = "torch"  # a difference that makes a note
    b.write_text(json.dumps(data))
    _, full, _ = run(capsys, str(a), str(b))
    _, quiet, _ = run(capsys, "-q", str(a), str(b))
    assert "Different backends" in full and "Different backends" not in quiet
    assert "Ratios are relative" in full and "Ratios are relative" not in quiet
    assert "Predicted training time per episode" not in quiet
    assert quiet.strip() and set(quiet.splitlines()) <= set(full.splitlines())


def test_every_packaged_reference_says_where_it_was_measured() -> None:
    """A reference's column says where it ran: the recorded context, or for a reference
    measured before that was recorded, its machine's description (never "older file")."""
    from dlcheck.bench.compare import where_of

    for ref in reference_ids().values():
        where, _ = where_of(ref)
        assert "older file" not in where
        if ref.context.where is None:
            assert where.startswith("not recorded; measured on ")
            assert dataclasses.asdict(ref.machine)["description"][:40] in where
