"""Reports of older schema versions, as an older dlcheck really wrote them
(tests/data/old-versions/), read by today's readers: ``check --from``, ``dlcheck report`` and
``report --profile``; and the facts' JSON form of today (schema dlcheck.report 2): each
feature's section a key of the facts object, the keys a newer dlcheck wrote kept as they are."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dlcheck.documents import REPORT, read_document
from dlcheck.features import SECTION_NAMES
from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import Facts, RecordError, facts_from_dict, facts_keys, facts_to_dict
from dlcheck.report import facts_from_report_dict, judge, load_report_facts

OLD = Path(__file__).resolve().parent / "data" / "old-versions"
FW_BENCH = OLD / "v1-frameworks-benchmark.check.json"
ENV_NOTES = OLD / "v1-environment-normalized.check.json"
AMD64_NOTE = "facts.platform.machine 'AMD64' read as 'x86_64'"


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from dlcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def _not_derived(notes: list[str]) -> list[str]:
    """The notes but those on the distribution and C library a version 1 or 2 report did not
    record and the reader derives (issue 18: the plan's commands follow the distribution)."""
    return [n for n in notes if "derived from" not in n or "facts.platform" not in n]


def test_the_old_documents_are_version_1_with_their_sections_under_extra() -> None:
    assert REPORT.version == 3
    for path in (FW_BENCH, ENV_NOTES):
        data = raw(path)
        assert data["schema_version"] == 1 and read_document(path).version == 1
        assert "frameworks" in data["facts"]["extra"] and "frameworks" not in data["facts"]


def test_version_1_sections_move_into_facts_sections() -> None:
    data = raw(FW_BENCH)
    facts = load_report_facts(FW_BENCH)
    assert set(facts.sections) == {"frameworks", "benchmark"}
    for name in ("frameworks", "benchmark"):
        assert facts.sections[name] == data["facts"]["extra"][name]
    assert facts.extra == {} and _not_derived(facts.normalized) == []
    # the feature sections are judged: the same verdicts as the older dlcheck gave
    report = judge(facts, load_profile(), load_places())
    now = {f.id: f for f in report.findings}
    then = {f["id"]: f for f in data["findings"]}
    for rid in ("training-time", "tensorflow-works", "tensorflow-gpu"):
        assert now[rid].verdict == then[rid]["verdict"], rid
    assert not now["training-time"].input_missing
    assert report.verdict == data["verdict"]


def test_version_1_notes_unknown_sections_and_environment() -> None:
    data = raw(ENV_NOTES)
    facts = load_report_facts(ENV_NOTES)
    old = data["facts"]["extra"]
    assert facts.sections == {"frameworks": old["frameworks"], "environment": old["environment"]}
    assert facts.normalized[0] == AMD64_NOTE == old["normalized"][0]
    assert "unknown key facts.accelerators (kept as it is, not judged)" in facts.normalized
    # a section this dlcheck does not know is kept as it is ...
    assert facts.extra["accelerators"] == old["accelerators"]
    report = judge(facts, load_profile(), load_places())
    env = next(f for f in report.findings if f.id == "environment-lock")
    assert env.verdict == "WARN" and "six 1.16.0" in env.observed
    assert report.verdict == data["verdict"]
    # ... and written back unchanged, as a key of the facts object (schema 2)
    written = report.to_json_dict()
    assert written["schema_version"] == 3 and "plan" in written
    f = written["facts"]
    assert f["accelerators"] == old["accelerators"]
    assert f["environment"] == old["environment"] and f["frameworks"] == old["frameworks"]
    assert f["normalized"] == facts.normalized and "extra" not in f
    again = facts_from_report_dict(written, "again.json")
    assert again == facts


def test_a_version_1_report_without_extra_still_reads() -> None:
    data = raw(FW_BENCH)
    del data["facts"]["extra"]
    facts = facts_from_report_dict(data, "old.json")
    assert facts.sections == {} and facts.extra == {} and _not_derived(facts.normalized) == []


def test_an_unknown_key_from_a_newer_writer_of_version_2_is_kept() -> None:
    facts = load_report_facts(FW_BENCH)
    report = judge(facts, load_profile(), load_places())
    data = report.to_json_dict()
    data["facts"]["quantum"] = {"qubits": 3, "notes": ["from a newer dlcheck"]}
    back = facts_from_report_dict(copy.deepcopy(data), "new.json")
    assert back.extra["quantum"] == {"qubits": 3, "notes": ["from a newer dlcheck"]}
    assert back.sections == facts.sections
    assert any("facts.quantum" in n for n in back.normalized)
    out = judge(back, load_profile(), load_places()).to_json_dict()["facts"]
    assert out["quantum"] == data["facts"]["quantum"]


def test_check_from_an_old_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(["check", "--from", str(ENV_NOTES), "--json"], capsys)
    data, old = json.loads(out), raw(ENV_NOTES)
    assert code == old["exit_code"] and data["verdict"] == old["verdict"]
    assert data["schema_version"] == 3 and "extra" not in data["facts"]
    assert "plan" in data and "plan" not in old  # re-planned on reading
    assert data["facts"]["environment"] == old["facts"]["extra"]["environment"]
    known = {f["id"] for f in old["findings"]}  # requirements added since are not judged:
    assert [f["verdict"] for f in data["findings"] if f["id"] in known] == [
        f["verdict"] for f in old["findings"]
    ]
    added = [f for f in data["findings"] if f["id"] not in known]
    assert sorted(f["id"] for f in added) == [
        "course-data",
        "jupyter-kernel",
        "jupyter-kernels-sane",
    ]
    assert all(f["input_missing"] for f in added)
    code, out, err = _cli(["check", "--from", str(ENV_NOTES), "--strict"], capsys)
    assert f"--from: {AMD64_NOTE}" in err
    code, out, _ = _cli(["check", "--from", str(FW_BENCH), "--markdown"], capsys)
    assert code == raw(FW_BENCH)["exit_code"] and "TensorFlow 2.21.0 (CPU:0, GPU:0)" in out


def test_dlcheck_report_over_old_reports(capsys: pytest.CaptureFixture[str]) -> None:
    wanted = {raw(p)["verdict"] for p in (FW_BENCH, ENV_NOTES)}
    for extra in ([], ["--profile", str(OLD.parent / "fleet" / "fleet-test.toml")]):
        code, out, _ = _cli(["report", str(OLD), "--json", *extra], capsys)
        data = json.loads(out)
        assert data["summary"]["files_read"] == 2 and data["summary"]["skipped"] == 0
        if not extra:
            assert {m["check_verdict"] for m in data["machines"]} == wanted
        assert code in (0, 1)


def test_facts_json_form_keys() -> None:
    facts = Facts(
        sections={"frameworks": {"results": []}},
        normalized=["a note"],
        extra={"future": [1, 2]},
    )
    data = facts_to_dict(facts)
    assert data["frameworks"] == {"results": []} and data["future"] == [1, 2]
    assert data["normalized"] == ["a note"]
    assert "sections" not in data and "extra" not in data
    assert set(data) == set(facts_keys()) | {"frameworks", "future"}
    assert facts_from_dict(json.loads(json.dumps(data)), SECTION_NAMES) == facts
    # the in-memory copy of the notes under extra is never written over the typed key
    shadow = Facts(normalized=["x"], extra={"normalized": ["x"]})
    assert facts_to_dict(shadow)["normalized"] == ["x"]
    with pytest.raises(ValueError, match="typed fields"):
        facts_to_dict(Facts(sections={"cpu": {}}))
    with pytest.raises(RecordError):
        facts_from_dict([], SECTION_NAMES)


def test_a_feature_named_like_a_typed_field_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import dlcheck.features as features

    bad = features.Feature("cpu", "cpu", dict, {}, lambda o: None, lambda f: None)
    monkeypatch.setattr(features, "FEATURES", (*features.FEATURES, bad))
    with pytest.raises(RuntimeError, match="named like a typed field"):
        features._all_checks()
    twice = (*features.FEATURES[:1], *features.FEATURES[:1])
    monkeypatch.setattr(features, "FEATURES", twice)
    with pytest.raises(RuntimeError, match="registered twice"):
        features._all_checks()
