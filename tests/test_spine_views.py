"""Issue 21 (spine and views): one build, one judgement, views that only format. The views
reach every feature through the registry (its view line, its log), the profile decides what
the GPU line says, NOT JUDGED is one rule, `--strict` is judged once, `--from` reads each
feature's sibling input through the registry, and the verdict engine asks the check kinds
what they need instead of naming them."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pytest

from dlcheck.checks import NEEDS_PYTHON, NEEDS_TENSORFLOW
from dlcheck.features import CHECKS, FEATURES, ProbeOptions, sibling_inputs, view_lines
from dlcheck.pipeline import build_report
from dlcheck.places import load_places
from dlcheck.profile import Requirement, load_profile
from dlcheck.records import Facts
from dlcheck.render.summary import check_summary, finding_status, machine_lines
from dlcheck.render.text import render_text, stderr_tails
from dlcheck.report import judge, load_report_facts
from dlcheck.verdict import NOT_VERIFIED, UNKNOWN, Finding, overall

DATA = Path(__file__).resolve().parent / "data"
LAB = DATA / "fleet" / "lab"
REPORTS = DATA / "reports"
BENCH = DATA / "bench" / "dev-2core-epyc-vm-2026-11-26.json"


def _text(report) -> str:  # noqa: ANN001
    out = io.StringIO()
    render_text(report, file=out, width=100)
    return out.getvalue()


def test_the_benchmark_line_is_shown_when_a_benchmark_section_exists(tmp_path: Path) -> None:
    """Before issue 21 `machine_lines` named two features' lines itself and never called
    `Feature.view`, so `dlcheck check --bench` showed no benchmark line."""
    shutil.copy(LAB / "pc00.check.json", tmp_path / "pc00.json")
    shutil.copy(BENCH, tmp_path / "pc00.bench.json")  # a real `dlcheck bench --all` run
    report = build_report(from_path=str(tmp_path / "pc00.json"))  # the sibling is read
    labels = dict(machine_lines(report.facts))
    assert "episode 4" in labels["Benchmark"]
    assert "Benchmark" in _text(report)
    # without a benchmark section there is no line
    plain = judge(Facts(), load_profile(), load_places())
    assert "Benchmark" not in dict(machine_lines(plain.facts))


def test_every_feature_line_comes_from_its_view() -> None:
    facts = load_report_facts(REPORTS / "env-create-cpu.check.json")
    lines = view_lines(facts)
    expected = [(f.title, f.view(facts)) for f in FEATURES if f.view(facts)]
    assert lines == expected and lines
    assert all(pair in machine_lines(facts) for pair in lines)


def test_the_profile_decides_whether_a_missing_gpu_matters() -> None:
    facts = load_report_facts(REPORTS / "fresh-linux-laptop.check.json")
    assert not facts.gpu.gpus
    profile = load_profile()
    gpu = dict(machine_lines(facts, profile))["GPU"]
    assert gpu == "none found (not required for this course)"
    reqs = [
        dataclasses.replace(r, level="required") if r.check == "gpu" else r
        for r in profile.requirements
    ]
    strict_gpu = dataclasses.replace(profile, requirements=reqs)
    assert strict_gpu.requires("gpu") and not profile.requires("gpu")
    report = judge(facts, strict_gpu, load_places())
    assert dict(check_summary(report).machine)["GPU"] == "none found"


def test_verbose_shows_the_framework_logs_from_the_typed_section() -> None:
    facts = load_report_facts(REPORTS / "gpu-cloud-vm-t4.check.json")
    section = dict(facts.sections["frameworks"])
    results = [dict(r) for r in section["results"]]
    results[0]["stderr_tail"] = ["W cuda_dnn.cc: Unable to register cuDNN factory", "  "]
    facts = dataclasses.replace(
        facts, sections={**facts.sections, "frameworks": {**section, "results": results}}
    )
    report = judge(facts, load_profile(), load_places())
    name = results[0]["name"]
    assert stderr_tails(report) == [f"{name}: W cuda_dnn.cc: Unable to register cuDNN factory"]
    out = io.StringIO()
    render_text(report, file=out, width=120, verbose=True)
    assert "Probe log" in out.getvalue() and "cuDNN factory" in out.getvalue()
    # a malformed section is the feature's problem, not a crash of the view
    bad = dataclasses.replace(facts, sections={**facts.sections, "frameworks": {"results": 3}})
    assert stderr_tails(judge(bad, load_profile(), load_places())) == []


def test_not_judged_is_one_rule() -> None:
    missing = Finding("x", "X", "required", UNKNOWN, "", "", None, input_missing=True)
    unknown = dataclasses.replace(missing, input_missing=False)
    assert missing.not_judged and not unknown.not_judged
    assert finding_status(missing) == "NOT JUDGED" and finding_status(unknown) == UNKNOWN
    assert overall([missing]) != NOT_VERIFIED and overall([unknown]) == NOT_VERIFIED
    report = judge(Facts(), load_profile(), load_places())
    counts = report.counts()
    assert counts["NOT_JUDGED"] == sum(f.not_judged for f in report.findings) > 0
    assert [finding_status(f) for f in report.findings].count("NOT JUDGED") == counts["NOT_JUDGED"]


def test_strict_is_judged_once_in_the_judgement(tmp_path: Path) -> None:
    """A report saved with --no-frameworks: its framework findings were skipped, which only
    --strict counts. The verdict comes from the one judge, not from the CLI."""
    path = REPORTS / "fresh-linux-laptop.check.json"
    facts = load_report_facts(path)
    facts = dataclasses.replace(
        facts, sections={k: v for k, v in facts.sections.items() if k != "frameworks"}
    )
    plain = judge(facts, load_profile(), load_places())
    strict = judge(facts, load_profile(), load_places(), strict=True)
    assert any(f.skipped and f.level == "required" for f in plain.findings)
    assert strict.verdict == overall(plain.findings, strict=True)
    saved = tmp_path / "r.json"
    saved.write_text(strict.to_json(), encoding="utf-8")
    again = build_report(from_path=str(saved), strict=True)
    assert again.verdict == strict.verdict and again.to_json_dict()["verdict"] == strict.verdict


def test_sibling_inputs_come_from_the_registry(tmp_path: Path) -> None:
    report = tmp_path / "me.json"
    report.write_text("{}", encoding="utf-8")
    assert sibling_inputs(str(report), ProbeOptions()) == {}
    (tmp_path / "me.bench.json").write_text("{}", encoding="utf-8")
    assert sibling_inputs(str(report), ProbeOptions()) == {
        "benchmark": str(tmp_path / "me.bench.json")
    }
    given = ProbeOptions(bench_path="other.bench.json")
    assert sibling_inputs(str(report), given) == {"benchmark": "other.bench.json"}
    assert [f.name for f in FEATURES if f.sibling is not None] == ["benchmark"]


# The table verdict.py held before issue 21 (kinds and package names that need TensorFlow or a
# Python); the check kinds now say it themselves (Check.needs).
_OLD_FRAMEWORK = ("framework_works", "keras3", "keras_backend", "tf_distributions", "tf_sees_gpu")


def _old_needs(req: Requirement) -> str | None:
    if req.check in _OLD_FRAMEWORK:
        if req.check != "framework_works" or req.params.get("framework") in (
            "tensorflow",
            "keras",
        ):
            return NEEDS_TENSORFLOW
        return NEEDS_PYTHON
    if req.check == "package":
        names = [str(n).lower() for n in req.params.get("any_of", [])]
        tf = any(
            n.startswith("tensorflow") or n in ("tensorflow", "keras", "keras-tuner") for n in names
        )
        return NEEDS_TENSORFLOW if tf else NEEDS_PYTHON
    if req.check == "kernel_runs_course":  # a kernel needs a Python the course can use
        return NEEDS_PYTHON
    return None


@pytest.mark.parametrize("req", load_profile().requirements, ids=lambda r: r.id)
def test_what_a_requirement_needs_is_the_check_kinds_answer(req: Requirement) -> None:
    assert CHECKS[req.check].needs(req.params) == _old_needs(req)


@pytest.mark.parametrize(
    ("check", "params", "needs"),
    [
        ("package", {"any_of": ["tensorflow-cpu"]}, NEEDS_TENSORFLOW),
        ("package", {"any_of": ["Keras"]}, NEEDS_TENSORFLOW),
        ("package", {"any_of": ["pandas"]}, NEEDS_PYTHON),
        ("framework_works", {"framework": "torch"}, NEEDS_PYTHON),
        ("framework_works", {"framework": "keras"}, NEEDS_TENSORFLOW),
        ("tf_metal", {}, None),
        ("memory", {"min_gib": 4}, None),
    ],
)
def test_needs_of_check_kinds(check: str, params: dict, needs: str | None) -> None:
    assert CHECKS[check].needs(params) == needs


def test_steps_beyond_those_shown_are_named_in_one_line() -> None:
    """The plan shows the fewest steps first and keeps the rest in ``plan.later``; their
    findings count in the verdict line, so every view names those steps in one line (a
    learner read '5 warnings' above four)."""
    from dlcheck.render.html import render_html
    from dlcheck.render.markdown import render_markdown

    report = build_report(from_path=str(REPORTS / "debian-fresh.check.json"))
    plan = report.plan
    assert len(plan.steps) >= 2 and "After these:" not in _text(report)
    hidden = plan.steps[-1]
    cut = dataclasses.replace(plan, steps=plan.steps[:-1], later=[hidden, *plan.later])
    shorter = dataclasses.replace(report, plan=cut)
    for out in (_text(shorter), render_markdown(shorter), render_html(shorter)):
        assert "After these:" in out
        after = out.split("After these:", 1)[1]
        assert hidden.title.split()[0] in after
        assert all(cmd in after for cmd in hidden.action.commands)  # and how to do it


def test_the_footer_commands_keep_what_chose_the_judgement() -> None:
    """`dlcheck check --course torch` said "`dlcheck check --all` lists every requirement":
    that command judges the other course. The hints keep --course, and say "the same
    command" where --python, --kernel, a profile or a saved report chose what was judged."""
    from dlcheck.render.markdown import render_markdown

    saved = build_report(from_path=str(REPORTS / "torch-linux-laptop.check.json"))
    assert saved.profile.course == "torch"
    assert "the same command with `--all`" in _text(saved)
    live = dataclasses.replace(saved, source=None)  # as if probed here with --course torch
    assert "`dlcheck check --course torch --all`" in _text(live)
    assert "`dlcheck check --course torch --all --markdown`" in render_markdown(live)
    python = dataclasses.replace(live.facts.python, chosen="--python")
    chosen = dataclasses.replace(live, facts=dataclasses.replace(live.facts, python=python))
    assert "the same command with `--all`" in _text(chosen)
    assert "dlcheck check --course torch --all" not in _text(chosen)


def test_a_step_of_the_torch_course_checks_the_torch_course_again() -> None:
    """A torch learner told "then run `dlcheck check` there" was judged as the TensorFlow
    course in the new environment: the step's check keeps --course."""
    torch = build_report(from_path=str(REPORTS / "debian-fresh.check.json"), course="torch")
    step = next(s for s in torch.plan.steps if s.kind == "install")
    assert "`dlcheck check --course torch`" in step.action.text
    tf = build_report(from_path=str(REPORTS / "debian-fresh.check.json"))
    step = next(s for s in tf.plan.steps if s.kind == "install")
    assert "`dlcheck check`" in step.action.text and "--course" not in step.action.text
