"""The course's PyTorch flavour (issue 22): a second packaged profile chosen by name
(`--course torch`), routed by the support matrix's torch wheels, advised from the TensorFlow
course when an environment looks like it, through env recommend/create/verify, bench, the
fleet report and the recorded machines of tests/data/reports/torch-*.check.json."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import test_plan as plan_rules  # noqa: E402  (called, not collected again)
from advice_table import torch_reports  # noqa: E402
from recorded import (  # noqa: E402
    MACHINES,
    TORCH_MACHINES,
    machine_course,
    machine_facts,
    report_path,
)

from dlcheck.errors import UserError  # noqa: E402
from dlcheck.places import load_places  # noqa: E402
from dlcheck.profile import course_setup, load_profile, report_course  # noqa: E402
from dlcheck.records import PackageFacts  # noqa: E402
from dlcheck.report import judge  # noqa: E402
from dlcheck.support import framework_blockers, tensorflow_blockers  # noqa: E402

TORCH = torch_reports()
TORCH_IDS = [name for name, _, _ in TORCH]


def _report(slug: str, course: str | None = None):
    facts = machine_facts(slug)
    return judge(facts, load_profile(course=course or machine_course(slug)), load_places())


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    from dlcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


# ---- item 1: the flavour is a packaged profile chosen by name --------------------------


def test_the_torch_course_is_a_packaged_profile_without_tensorflow() -> None:
    p = load_profile(course="torch")
    assert p.course == "torch" and p.framework == "torch" and p.keras_backend == "torch"
    checks = {r.id: r for r in p.requirements}
    assert not [r for r in p.requirements if r.level == "required" and "tensorflow" in r.id]
    assert checks["torch-wheel"].check == "framework_wheel"
    assert checks["torch-wheel"].params == {"package": "torch", "min": "2.4"}
    assert checks["keras-backend"].params["allowed"] == ["torch"]
    assert checks["torch-works"].level == "required" and checks["torch-works"].params["expected"]
    assert p.settings["bench"]["backend"] == "torch"
    assert course_setup("torch") == "keras-torch" and course_setup("tensorflow") is None
    default = load_profile()
    assert default.course == "tensorflow" and load_profile(course="tensorflow") == default


def test_a_wrong_course_or_two_profiles_is_one_line_exit_2(capsys, tmp_path: Path) -> None:
    for argv, problem in (
        (["check", "--course", "pytorch", "--no-frameworks"], "no such course (known: "),
        (
            ["check", "--course", "torch", "--profile", str(tmp_path / "p.toml")],
            "--course and --profile both name a profile",
        ),
        (["env", "recommend", "--course", "nope"], "no such course"),
        (["report", "--course", "nope", str(tmp_path)], "no such course"),
    ):
        code, _, err = _run(argv, capsys)
        assert code == 2 and problem in err and len(err.strip().splitlines()) == 1, (argv, err)
    with pytest.raises(UserError, match=r"\[profile\] course 'jax'"):
        from dlcheck.profile import parse_profile

        data = {"profile": {"course": "jax"}, "requirement": [_req()]}
        parse_profile(data, "mine.toml")


def _req() -> dict:
    return {"id": "os", "title": "64-bit", "level": "required", "check": "os_64bit", "advice": "x"}


def test_every_report_records_its_course_and_from_judges_against_it(capsys) -> None:
    for slug in ("torch-linux-laptop", "macbook-air-m1"):
        data = json.loads(report_path(slug).read_text(encoding="utf-8"))
        want = "torch" if slug.startswith("torch") else "tensorflow"
        assert data["profile"]["course"] == want and report_course(data) == want
    assert report_course({"profile": {"name": "x"}}) == "tensorflow"  # before flavours
    path = str(report_path("torch-linux-laptop"))
    code, out, _ = _run(["check", "--from", path, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "READY"
    assert data["profile"]["name"] == "deep-learning-intro-torch"
    code, out, _ = _run(["check", "--from", path, "--json", "--course", "tensorflow"], capsys)
    data = json.loads(out)
    assert code == 1 and data["profile"]["course"] == "tensorflow"  # overridden: TF missing


# ---- item 1: minimums per platform from the support matrix; the plan routes ------------


def test_torch_wheels_per_platform_come_from_the_support_matrix() -> None:
    intel = machine_facts("torch-intel-mac")
    (b,) = [b for b in framework_blockers(intel, "torch", "2.4") if b.id == "platform"]
    assert "stops at 2.2.2" in b.reason and not b.fixable_here
    assert not [b for b in tensorflow_blockers(intel) if not b.fixable_here]  # TF 2.16.2 there
    woa = machine_facts("torch-windows-on-arm")
    assert [b.id for b in framework_blockers(woa, "torch", "2.4")] == ["platform"]
    assert framework_blockers(machine_facts("torch-linux-laptop"), "torch", "2.4") == []
    # AVX is TensorFlow's need, not torch's: the no-AVX laptop is not blocked for torch
    no_avx = machine_facts("no-avx-laptop")
    assert "cpu" in [b.id for b in tensorflow_blockers(no_avx)]
    assert "cpu" not in [b.id for b in framework_blockers(no_avx, "torch", "2.4")]


@pytest.mark.parametrize(("name", "cls", "report"), TORCH, ids=TORCH_IDS)
def test_the_plan_rules_hold_for_the_torch_flavour(name: str, cls: str, report) -> None:
    plan_rules.test_commands_are_for_this_machine_only(name, cls, report)
    plan_rules.test_steps_in_order_one_action_each(name, cls, report)
    plan_rules.test_step_count_limits(name, cls, report)
    plan_rules.test_no_local_install_after_a_route_elsewhere(name, cls, report)


def _all_commands(report) -> list[str]:
    return [c for s in report.plan.steps for c in (*s.action.commands, *s.action.then_commands)]


def test_the_intel_mac_is_routed_not_told_to_pip_install_torch() -> None:
    r = _report("torch-intel-mac")
    assert r.verdict == "NOT READY" and r.plan.elsewhere
    (step,) = r.plan.steps
    assert step.id == "route-cloud" and step.kind == "route"
    assert step.title == "No PyTorch for this platform: run the course in a cloud notebook"
    assert "torch-wheel" in step.because and "stops at 2.2.2" in step.action.text
    assert step.action.commands == ["dlcheck check --course tensorflow"]  # TF 2.16.2 runs here
    assert not [c for c in _all_commands(r) if "pip install" in c or "env create" in c]


def test_windows_on_arm_is_routed_to_wsl_and_the_torch_setup_there() -> None:
    r = _report("torch-windows-on-arm")
    (step,) = r.plan.steps
    assert step.id == "route-wsl" and step.title == "Use WSL2: PyTorch runs in its Linux"
    assert step.action.commands == ["wsl --install"]
    assert step.action.then_commands == ["dlcheck env create --setup keras-torch"]
    assert not [c for c in step.action.commands if "pip install" in c]


def test_the_ready_torch_machines() -> None:
    linux, mac = _report("torch-linux-laptop"), _report("torch-apple-silicon")
    assert linux.verdict == "READY" and linux.plan.steps == []
    assert mac.verdict == "READY WITH WARNINGS"
    assert [s.id for s in mac.plan.steps] == ["graphviz"]
    backend = {f.id: f for f in mac.findings}["keras-backend"]
    assert backend.verdict == "PASS" and "keras.json" in backend.observed


def test_a_torch_course_machine_with_keras_on_tensorflow_is_told_to_set_the_backend() -> None:
    facts = machine_facts("torch-apple-silicon")
    fw = dict(facts.sections["frameworks"], keras_backend="tensorflow")
    fw["keras_backend_source"] = "default"
    r = judge(
        replace(facts, sections={"frameworks": fw}), load_profile(course="torch"), load_places()
    )
    f = {x.id: x for x in r.findings}["keras-backend"]
    assert f.verdict == "FAIL" and "KERAS_BACKEND=torch" in (f.advice or "")
    assert "Keras on PyTorch" in (f.advice or "")


def test_a_missing_torch_gets_the_torch_setup_not_tensorflow() -> None:
    facts = machine_facts("torch-linux-laptop")
    bare = replace(facts, packages=PackageFacts(versions={}), sections={})
    r = judge(bare, load_profile(course="torch"), load_places())
    first = r.plan.steps[0]
    assert first.id == "install" and first.action.commands == [
        "dlcheck env create --setup keras-torch"
    ]
    assert not [c for c in _all_commands(r) if "tensorflow" in c]


# ---- item 2: auto-detection is advice, not a switch -------------------------------------


def test_the_tensorflow_course_says_first_that_this_looks_like_the_torch_flavour() -> None:
    r = _report("torch-linux-laptop", course="tensorflow")
    assert r.verdict == "NOT READY"  # the verdict stays the TensorFlow profile's
    first = r.plan.steps[0]
    assert first.id == "course-torch" and first.action.commands == ["dlcheck check --course torch"]
    assert "tensorflow" in first.resolves
    assert not [c for c in _all_commands(r) if "tensorflow" in c.lower()]


def test_no_flavour_advice_with_tensorflow_installed_or_another_backend() -> None:
    facts = machine_facts("torch-linux-laptop")
    tf = replace(
        facts, packages=PackageFacts(versions={**facts.packages.versions, "tensorflow": "2.21.0"})
    )
    fw = dict(facts.sections["frameworks"], keras_backend="tensorflow")
    other = replace(facts, sections={"frameworks": fw})
    for f in (tf, other):
        r = judge(f, load_profile(), load_places())
        assert "course-torch" not in [s.id for s in r.plan.steps]
    for _, slug in MACHINES.values():  # none of the TensorFlow course's machines
        r = _report(slug, course="tensorflow")
        assert "course-torch" not in [s.id for s in r.plan.steps], slug


# ---- item 3: the route: env recommend/create/verify, the kernel, bench -------------------


def test_env_recommend_course_torch_names_the_setup_or_says_why_not(capsys) -> None:
    path = str(report_path("torch-linux-laptop"))
    code, out, _ = _run(["env", "recommend", "--course", "torch", "--from", path, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["setup"] == "keras-torch"
    assert data["routes"][0]["commands"] == ["dlcheck env create --setup keras-torch"]
    path = str(report_path("torch-intel-mac"))
    code, out, _ = _run(["env", "recommend", "--course", "torch", "--from", path, "--json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["setup"] is None
    assert any("stops at 2.2.2" in r for r in data["reasons"])
    assert data["routes"][0]["name"] == "cloud notebook"


def test_env_create_and_verify_infer_the_setup_from_the_course(capsys, monkeypatch) -> None:
    import dlcheck.envs.create as create_mod

    seen = []
    monkeypatch.setattr(create_mod, "create", lambda opts: seen.append(opts) or 0)
    code, _, _ = _run(["env", "create", "--course", "torch", "--kernel", "none"], capsys)
    assert code == 0 and seen[0].setup == "keras-torch"
    code, _, _ = _run(["env", "create", "--course", "torch", "--setup", "cpu"], capsys)
    assert seen[1].setup == "cpu"  # --setup names it outright
    code, out, _ = _run(["env", "verify", "--course", "torch", "--json"], capsys)
    assert json.loads(out)["setup"] == "keras-torch"  # this test venv is not that setup


def test_the_keras_torch_kernel_sets_the_backend(tmp_path: Path, monkeypatch) -> None:
    from dlcheck.envs import create as create_mod
    from dlcheck.envs.setups import load_catalog

    assert load_catalog().setups["keras-torch"].kernel_env == {"KERAS_BACKEND": "torch"}
    assert load_catalog().setups["cpu"].kernel_env == {}
    spec = tmp_path / "kernels" / "k"

    def fake_step(step, emit, log) -> None:  # what ipykernel writes
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({"argv": ["python"], "env": {"A": "1"}}))

    monkeypatch.setattr(create_mod, "_step", fake_step)
    monkeypatch.setattr(create_mod, "env_python", lambda prefix: Path(sys.executable))
    for setup, want in (("keras-torch", {"A": "1", "KERAS_BACKEND": "torch"}), ("cpu", {"A": "1"})):
        run = create_mod._Run(prefix=tmp_path, token="t")
        run.kernel_dir = spec
        create_mod._register_kernel(None, tmp_path, "k", setup, run)
        data = json.loads((spec / "kernel.json").read_text())
        assert data["env"] == want and data["metadata"]["dlcheck"]["setup"] == setup
        (spec / "kernel.json").unlink()
        spec.rmdir()


def test_bench_uses_the_course_backend_else_the_environment_one(tmp_path: Path) -> None:
    from dlcheck.bench.suite import default_backend as _default_backend
    from dlcheck.frameworks.probe import environment_backend

    assert _default_backend(load_profile(course="torch").settings) == "torch"
    assert _default_backend(load_profile().settings) == "tensorflow"
    home = {"KERAS_HOME": str(tmp_path)}  # no keras.json: Keras's default is tensorflow
    assert environment_backend(home, ["torch"])[0] == "torch"  # a torch-only environment
    assert "the one installed" in environment_backend(home, ["torch"])[1]
    assert environment_backend(home, ["tensorflow", "torch"]) == ("tensorflow", "default")
    env = {**home, "KERAS_BACKEND": "torch"}
    assert environment_backend(env, ["tensorflow", "torch"]) == ("torch", "KERAS_BACKEND")
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert environment_backend(home, ["jax", "torch"])[0] == "jax"


# ---- item 5: fleets know the flavour -----------------------------------------------------


def test_report_judges_each_machine_against_its_course_unless_overridden(capsys) -> None:
    paths = [str(report_path(s)) for s in ("torch-linux-laptop", "torch-intel-mac")]
    paths.append(str(report_path("macbook-air-m1")))
    code, out, _ = _run(["report", "--json", *paths], capsys)
    data = json.loads(out)
    assert data["courses"] == {"torch": 2, "tensorflow": 1} and data["profile"] is None
    by = {r["machine"]: r["verdict"] for r in data["machines"]}
    assert by["ubuntu-laptop"] == "READY"  # judged as the torch course, as it was checked
    code, out, _ = _run(["report", *paths], capsys)
    assert "judged against the course it was checked with" in " ".join(out.split())
    code, out, _ = _run(["report", "--json", "--course", "tensorflow", *paths], capsys)
    data = json.loads(out)
    assert data["courses"] == {"tensorflow": 3} and "--course tensorflow" in data["profile"]
    by = {r["machine"]: r["verdict"] for r in data["machines"]}
    assert by["ubuntu-laptop"] == "NOT READY"  # no TensorFlow: the override said so


def test_the_torch_machines_are_recorded_with_the_real_writer() -> None:
    for _, slug in TORCH_MACHINES.values():
        data = json.loads(report_path(slug).read_text(encoding="utf-8"))
        assert data["schema"] == "dlcheck.report" and data["profile"]["course"] == "torch"
        again = _report(slug)
        assert again.verdict == data["verdict"], slug
        assert again.plan.to_dict() == data["plan"], slug


def test_bench_compare_notes_results_measured_on_different_backends() -> None:
    from test_bench_results import fake_result

    from dlcheck.bench.compare import compare

    tf = fake_result()
    torch = replace(tf, context=replace(tf.context, backend="torch"), hostname="other")
    notes = compare([tf, torch]).notes
    assert [n for n in notes if n.startswith("Different backends: ") and "torch" in n], notes
    assert not [n for n in compare([tf, tf]).notes if n.startswith("Different backends")]


def test_keras_failing_on_the_default_backend_is_told_to_set_torch_not_install_tensorflow() -> None:
    """Seen in the keras-torch environment with no KERAS_BACKEND and no keras.json: Keras
    loads its default backend, TensorFlow, which is not there, and fails to import."""
    from dlcheck.frameworks.records import FrameworkFacts, FrameworkResult
    from dlcheck.records import to_dict

    facts = machine_facts("torch-linux-laptop")
    fw = FrameworkFacts.from_dict(facts.sections["frameworks"])
    keras = FrameworkResult(
        "keras", "import-error", reason="ModuleNotFoundError: No module named 'tensorflow'"
    )
    broken = replace(
        fw,
        results=[fw.get("torch"), keras],
        keras_backend="tensorflow",
        keras_backend_source="default",
        env={},
    )
    r = judge(
        replace(facts, sections={"frameworks": to_dict(broken)}),
        load_profile(course="torch"),
        load_places(),
    )
    f = {x.id: x for x in r.findings}
    assert f["keras-works"].verdict == "FAIL" and f["keras-backend"].verdict == "FAIL"
    assert f["keras-works"].advice == f["keras-backend"].advice  # one cause, one step
    assert "set KERAS_BACKEND=torch" in (f["keras-works"].advice or "")
    (step,) = [s for s in r.plan.steps if "keras-works" in s.resolves]
    assert "keras-backend" in step.resolves
    assert not [c for c in _all_commands(r) if "tensorflow" in c]
    assert "pip install tensorflow" not in " ".join(s.action.text for s in r.plan.steps)


# ---- issue 26: each flavour judged by its own framework's limits ---------------------------


def test_torch_flavour_on_python_314_is_ready_with_a_warning() -> None:
    """PyPI has torch wheels for Python 3.14 (2.9.0 on): the PyTorch flavour on 3.14 with
    every package working is READY WITH WARNINGS (outside the lock's 3.10-3.13), never told to
    install Python 3.12 with dnf; the TensorFlow flavour on the same machine is NOT READY
    (TensorFlow's only cp314 wheel is a release candidate)."""
    r = _report("torch-fedora-python-314")
    f = {x.id: x for x in r.findings}
    assert r.verdict == "READY WITH WARNINGS", [(x.id, x.verdict) for x in r.findings]
    assert f["python-version"].verdict == "PASS" and f["torch-wheel"].verdict == "PASS"
    assert "3.14" in f["torch-wheel"].observed
    assert f["python-locked"].verdict == "WARN"
    assert "dnf" not in json.dumps(r.plan.to_dict())
    tf = _report("torch-fedora-python-314", course="tensorflow")
    assert tf.verdict == "NOT READY"


def test_tensorflow_flavour_with_keras_on_torch_is_not_ready_and_names_the_variable() -> None:
    r = _report("keras-on-torch")
    f = {x.id: x for x in r.findings}
    assert r.verdict == "NOT READY"
    kb = f["keras-backend"]
    assert kb.verdict == "FAIL" and "KERAS_BACKEND" in kb.observed
    # one step, with the one fix (or the other flavour's check)
    steps = [s for s in r.plan.steps if "keras-backend" in s.resolves]
    assert len(steps) == 1 and "unset KERAS_BACKEND" in kb.advice
    assert "dlcheck check --course torch" in kb.advice
    assert "keras.json" not in kb.advice  # never the shared file
    # the same machine as the PyTorch flavour: ready
    assert _report("keras-on-torch", course="torch").verdict in ("READY", "READY WITH WARNINGS")


def test_a_nonsense_keras_backend_is_one_step_naming_it() -> None:
    """KERAS_BACKEND=nonsense breaks `import keras`: the plan names the variable in one step
    and never asks to force-reinstall TensorFlow or Keras, which are fine."""
    r = _report("keras-backend-nonsense")
    f = {x.id: x for x in r.findings}
    assert f["tensorflow-works"].verdict == "PASS"
    assert f["keras-works"].verdict == "FAIL" and f["keras-backend"].verdict == "FAIL"
    assert len(r.plan.steps) == 1
    step = r.plan.steps[0]
    assert {"keras-works", "keras-backend"} <= set(step.resolves)
    text = json.dumps([r.plan.to_dict(), [x.advice for x in r.findings]])
    assert "force-reinstall" not in text and "'nonsense'" in step.action.text
    assert "unset KERAS_BACKEND" in step.action.text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"backend": 3}', "its backend is not a name"),
        (None, "folder"),
        ("x" * (2 << 20), "too large"),
    ],
)
def test_an_unusable_keras_json_is_named_never_a_silent_default(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    from dlcheck.frameworks.probe import keras_backend

    keras = tmp_path / ".keras"
    keras.mkdir()
    if content is None:
        (keras / "keras.json").mkdir()
    else:
        (keras / "keras.json").write_text(content)
    backend, source = keras_backend({}, home=tmp_path)
    assert backend == "tensorflow" and source.startswith("default (") and problem in source
    # judged: the PyTorch flavour names the file and its problem, and the fix is the
    # per-environment setting, never an edit of the shared file
    facts = machine_facts("torch-linux-laptop")
    fw = dict(facts.sections["frameworks"])
    fw.update(keras_backend=backend, keras_backend_source=source, env={})
    facts = replace(facts, sections={**facts.sections, "frameworks": fw})
    r = judge(facts, load_profile(course="torch"), load_places())
    kb = {x.id: x for x in r.findings}["keras-backend"]
    assert kb.verdict == "FAIL" and problem in kb.observed and "Keras ignores it" in kb.observed
    assert "KERAS_BACKEND=torch" in kb.advice and 'set "backend"' not in kb.advice
