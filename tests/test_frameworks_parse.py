"""Pure parts of the framework probe: decoding a child's output and fate, Keras's backend,
grouping. No subprocesses here."""

from __future__ import annotations

import json
from pathlib import Path

from dlcheck.frameworks.probe import (
    MARKER,
    installed_frameworks,
    keras_backend,
    parse_child_output,
    parse_keras_config,
    plan_groups,
    signal_name,
)
from dlcheck.frameworks.records import FrameworkFacts, framework_facts_from
from dlcheck.records import to_dict


def line(**rec: object) -> str:
    return f"{MARKER} {json.dumps(rec)}"


def test_records_read_and_noise_ignored() -> None:
    out = "\n".join(
        [
            "some library printed this",
            line(name="tensorflow", status="ok", version="2.21.0", import_seconds=2.5),
            line(name="keras", status="ok", version="3.15.1", backend="tensorflow"),
        ]
    )
    recs = parse_child_output(["tensorflow", "keras"], out, "", 0, False, 60)
    assert [(r.name, r.status, r.version) for r in recs] == [
        ("tensorflow", "ok", "2.21.0"),
        ("keras", "ok", "3.15.1"),
    ]
    assert recs[1].backend == "tensorflow"


def test_sigill_after_first_record_keeps_it() -> None:
    out = line(name="tensorflow", status="ok", version="2.21.0")
    recs = parse_child_output(["tensorflow", "keras"], out, "boom\n", -4, False, 60)
    assert recs[0].status == "ok"
    assert recs[1].status == "crashed"
    assert recs[1].signal == "SIGILL"
    assert "Illegal instruction" in (recs[1].reason or "")


def test_sigill_on_import_marks_the_rest_of_the_group() -> None:
    recs = parse_child_output(["tensorflow", "keras"], "", "", -4, False, 60)
    assert [r.status for r in recs] == ["crashed", "crashed"]
    assert "SIGILL" in (recs[0].reason or "")
    assert "not probed" in (recs[1].reason or "")


def test_windows_illegal_instruction_status() -> None:
    assert signal_name(0xC000001D) == "SIGILL"
    assert signal_name(-11) == "SIGSEGV"
    assert signal_name(0) is None
    assert signal_name(1) is None


def test_timeout_exit_status_and_garbage() -> None:
    (t,) = parse_child_output(["jax"], "", "", -9, True, 3)
    assert t.status == "timeout" and "3 s" in (t.reason or "")
    (e,) = parse_child_output(["torch"], "", "Traceback\nSystemExit: 3\n", 3, False, 60)
    assert e.status == "crashed" and "status 3" in (e.reason or "")
    (g,) = parse_child_output(["torch"], f"{MARKER} {{not json", "", 0, False, 60)
    assert g.status == "bad-output"
    (n,) = parse_child_output(["torch"], "", "", 0, False, 60)
    assert n.status == "bad-output" and "no record" in (n.reason or "")


def test_cuda_hints_kept_from_stderr() -> None:
    err = "\n".join(
        ["noise"] * 20
        + ["W tensorflow/core/common_runtime/gpu/gpu_device.cc] Cannot dlopen some GPU libraries."]
        + ["more noise"] * 20
    )
    (r,) = parse_child_output(
        ["tensorflow"], line(name="tensorflow", status="ok"), err, 0, False, 5
    )
    assert any("Cannot dlopen" in ln for ln in r.stderr_tail)


def test_keras_backend_order(tmp_path: Path) -> None:
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text('{"backend": "jax", "floatx": "float32"}')
    assert keras_backend({"KERAS_BACKEND": "torch"}, tmp_path) == ("torch", "KERAS_BACKEND")
    backend, source = keras_backend({}, tmp_path)
    assert backend == "jax" and source.endswith("keras.json")
    assert keras_backend({}, tmp_path / "nowhere") == ("tensorflow", "default")
    assert parse_keras_config("not json") is None
    assert parse_keras_config('{"backend": ""}') is None


def test_groups_put_keras_with_its_backend() -> None:
    fws = installed_frameworks({"tensorflow-cpu": "2.20.0", "keras": "3.11", "torch": "2.13"})
    assert fws == ["tensorflow", "torch", "keras"]
    assert plan_groups(fws, "tensorflow") == [["tensorflow", "keras"], ["torch"]]
    assert plan_groups(fws, "torch") == [["tensorflow"], ["torch", "keras"]]
    assert plan_groups(fws, "jax") == [["tensorflow"], ["torch"], ["keras"]]


def test_section_round_trip_and_malformed() -> None:
    facts = FrameworkFacts(keras_backend="torch", env={"KERAS_BACKEND": "torch"})
    back = framework_facts_from({"frameworks": json.loads(json.dumps(to_dict(facts)))})
    assert back == facts
    assert framework_facts_from({}) is None
    bad = framework_facts_from({"frameworks": {"results": "oops"}})
    assert bad is not None and bad.error and "malformed" in bad.error
