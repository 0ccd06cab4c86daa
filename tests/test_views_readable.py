"""What a new user met in the views (issue 10, items 3 and 4), each pinned by a test: the counts
agree with `--all`; the fleet's most common failures keep their ties; "see that step" names
the step; no doubled level labels; no trailing blanks; Markdown without HTML entities where
none is needed; commands never broken by the wrapper; `env verify` puts its verdict and
repair first; route names as a person says them; a non-zero exit says why; one check summary
behind every view; `check --format csv`."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path

import pytest

from dlcheck.cli import main
from dlcheck.envs.recommend import recommend
from dlcheck.envs.render import (
    SHOWN_NAMES,
    render_recommend_markdown,
    render_recommend_text,
    render_verify_markdown,
    render_verify_text,
    repair,
)
from dlcheck.envs.setups import load_catalog
from dlcheck.envs.verify import PackageDiff, VerifyResult
from dlcheck.fleet.aggregate import summarize
from dlcheck.fleet.model import FleetSummary, MachineRow
from dlcheck.fleet.render import exit_line, summary_lines
from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import Facts, PackageFacts
from dlcheck.render.csvview import CSV_COLUMNS, render_csv
from dlcheck.render.html import render_html, render_repr
from dlcheck.render.markdown import md_escape, render_markdown
from dlcheck.render.summary import check_summary, finding_status, requirement_label
from dlcheck.render.text import render_text
from dlcheck.report import Report, judge

WIDTHS = (60, 80, 100, 200)


def fresh(facts: Facts) -> Facts:
    """A recorded machine as a fresh environment: nothing installed, frameworks probed."""
    return dataclasses.replace(
        facts,
        packages=PackageFacts(versions={}),
        extra={"frameworks": {"results": [], "timeout": 60.0, "seconds": 0.1}},
    )


@pytest.fixture(scope="module")
def empty(recorded_machine) -> Report:
    return judge(fresh(recorded_machine("fresh-linux-laptop")), load_profile(), load_places())


def draw(report: Report, width: int, **kw) -> str:
    buf = io.StringIO()
    render_text(report, file=buf, width=width, **kw)
    return buf.getvalue()


# 1. the counts add up to what --all lists, in every view


def test_counts_name_what_is_not_judged_and_agree_with_all(empty: Report) -> None:
    c = empty.counts()
    # the environment lock, the training time without --bench, the course data not looked at,
    # the two kernel requirements (a recorded report without the kernels)
    assert c["NOT_JUDGED"] == 5
    text = check_summary(empty).count_text
    assert text.endswith(", 5 not judged")
    stated = {
        w: int(n) for n, w in re.findall(r"(\d+) (failed|warnings?|unknown|passed|not)", text)
    }
    assert sum(stated.values()) == len(empty.findings)  # every requirement counted once
    table = draw(empty, 200, show_all=True)
    rows = [ln.split("  ")[0] for ln in table.splitlines()]
    assert sum(r == "NOT JUDGED" for r in rows) == 5
    assert sum(r == "UNKNOWN" for r in rows) == c["UNKNOWN"]
    assert sum(r == "PASS" for r in rows) == c["PASS"]
    for view in (draw(empty, 100), render_markdown(empty), render_html(empty), repr(empty)):
        assert text in view


# 2. ties at the cut of the fleet's most common failures


def _row(name: str, failing: tuple[str, ...]) -> MachineRow:
    return MachineRow(
        machine=name,
        anonymized=False,
        os="Linux",
        cpu="x",
        cores=4,
        ram_bytes=None,
        gpu="none",
        env="",
        bench="",
        bench_verdict="",
        ep4_seconds=None,
        check_verdict="NOT READY",
        verdict="NOT READY",
        failing=failing,
        sources=(),
    )


def test_ties_at_the_cut_are_kept_in_a_fixed_order() -> None:
    # 7 requirements, each failing on one machine: the old cut at 5 dropped two of them,
    # TensorFlow among them (alphabetically last)
    ids = ("cpu-arch", "disk", "keras", "memory", "pandas", "seaborn", "tensorflow")
    s = summarize([_row("pc1", ids)], files=1, skipped=0)
    assert [fid for fid, _, _ in s.common_failures] == list(ids) and s.more_failures == 0
    again = summarize([_row("pc1", tuple(reversed(ids)))], files=1, skipped=0)
    assert again.common_failures == s.common_failures  # deterministic
    # far more ties than fit: cut at twice the top, and the rest said
    many = tuple(f"req-{i:02d}" for i in range(14))
    s = summarize([_row("pc1", many), _row("pc2", ("tensorflow",) * 1 + many[:1])], 2, 0)
    assert s.common_failures[0][0] == "req-00"  # on two machines: first
    shown = len(s.common_failures)
    assert shown == 10 and s.more_failures == 15 - shown
    line = next(ln for ln in summary_lines(_fleet(s)) if ln.startswith("Most common"))
    assert line.endswith(f"; and {s.more_failures} more, each on 1 machine or fewer.")


def _fleet(s: FleetSummary):
    from dlcheck.fleet.model import Fleet

    return Fleet(rows=[], summary=s)


# 3. a finding that waits for its package says the install step itself (issue 26: one voice,
# never "see that step")


def test_not_installed_advice_is_the_install_step(empty: Report) -> None:
    advice = [f.advice or "" for f in empty.findings]
    assert not any("{install_step}" in a or "see that step" in a for a in advice)
    waiting = [f for f in empty.findings if f.waits]
    install = next(s for s in empty.plan.steps if s.id == "install")
    assert waiting and all(f.step == "install" for f in waiting)
    assert len({f.advice for f in waiting}) == 1 and install.action.commands[0] in waiting[0].advice
    out = draw(empty, 200)
    step = next(ln for ln in out.splitlines() if ln.lstrip().startswith("FAIL"))
    assert "TensorFlow 2.16 or newer (Keras 3)" in step  # where the reader finds it


# 4. no doubled level labels


def test_level_is_said_once(empty: Report) -> None:
    labels = [requirement_label(f) for f in empty.findings]
    gpu = next(lb for lb in labels if lb.startswith("GPU"))
    assert gpu == "GPU (optional: the course runs on a CPU)"
    for lb in labels:
        for level in ("optional", "recommended"):
            assert lb.lower().count(level) <= 1, lb
    for view in (draw(empty, 200, show_all=True), render_markdown(empty, show_all=True)):
        assert "(optional) (optional)" not in view and "CPU) (optional)" not in view


# 5. no trailing blanks, whatever the width


@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_ends_in_blanks(empty: Report, width: int, lab: Path) -> None:
    from dlcheck.fleet.build import build_fleet
    from dlcheck.fleet.render import render_text as fleet_text

    buf = io.StringIO()
    fleet_text(build_fleet([str(lab)]), file=buf, width=width)
    rec = recommend(fresh(empty.facts), load_catalog())
    rbuf = io.StringIO()
    render_recommend_text(rec, file=rbuf, width=width)
    for out in (
        draw(empty, width),
        draw(empty, width, show_all=True),
        buf.getvalue(),
        rbuf.getvalue(),
    ):
        padded = [ln for ln in out.splitlines() if ln != ln.rstrip()]
        assert not padded, padded[:3]


# 6. Markdown for plain chats: no entities where no HTML can start


def test_markdown_reads_plainly_and_stays_safe(empty: Report) -> None:
    md = render_markdown(empty, show_all=True)
    assert "&gt;" not in md and "&amp;" not in md
    assert ">= 4 cores" in md  # as a person writes it
    assert md_escape("a >= b & c") == "a >= b & c"
    assert md_escape("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert md_escape("&amp; &#60;") == "\\&amp; &\\#60;"  # no entity is decoded
    assert md_escape("> quoted") == "\\> quoted" and md_escape("<= 5") == "<= 5"


# 7. commands are never broken by the wrapper


def _commands(text: str) -> list[str]:
    return [c for c in re.findall(r"`([^`\n]*)`", text) if " " in c]


def _whole_on_a_line(command: str, out: str) -> bool:
    return any(command in ln for ln in out.splitlines())


def _step_commands(report: Report) -> list[str]:
    """The commands of the plan's steps as the views draw them (issue 18: a step's commands,
    and those in its text)."""
    return [
        c
        for s in check_summary(report).steps
        for c in [*s.commands, *s.then_commands, *_commands(s.text)]
        if " " in c
    ]


def _partly_installed(facts):
    """TensorFlow and Keras installed, the rest of the course not: one long pip line."""
    pk = dataclasses.replace(facts.packages, versions={"tensorflow": "2.21.0", "keras": "3.15.1"})
    return dataclasses.replace(facts, packages=pk)


@pytest.mark.parametrize("width", (60, 80))
def test_commands_are_whole_at_narrow_widths(empty: Report, width: int) -> None:
    empty = judge(_partly_installed(empty.facts), load_profile(), load_places())
    out = draw(empty, width)
    commands = _step_commands(empty)
    assert any(c.startswith("python -m pip install") and len(c) > width for c in commands)
    broken = [c for c in commands if not _whole_on_a_line(c, out)]
    assert not broken, broken
    rec = recommend(fresh(empty.facts), load_catalog())
    buf = io.StringIO()
    render_recommend_text(rec, file=buf, width=width)
    commands = [c for r in rec.routes for c in r.commands]
    assert width > 60 or any(len(c) > width - 4 for c in commands)  # the pip lock line
    assert all(f"    {c}" in buf.getvalue().splitlines() for c in commands)
    buf = io.StringIO()
    render_verify_text(_empty_env("/opt/x/lib/python3.12/site-packages"), file=buf, width=width)
    assert "    dlcheck env create --setup cpu" in buf.getvalue().splitlines()


# 8. env verify: verdict and repair first, names capped, no site-packages path


def _empty_env(lock_dir: str, setup: str | None = "cpu") -> VerifyResult:
    missing = [PackageDiff(f"pkg{i:03d}", "pip", locked="1.0") for i in range(125)]
    return VerifyResult(
        lock_path=f"{lock_dir}/dlcheck/envs/locked/cpu/pylock.txt",
        lock_format="pip",
        setup=setup,
        platform="linux-64",
        prefix="/home/a/.venv",
        python_version="3.12.3",
        lock_python=None,
        checked=136,
        missing=missing,
        different=[PackageDiff("setuptools", "pip", locked="80", installed="65")],
    )


def test_env_verify_puts_the_verdict_and_the_repair_first() -> None:
    r = _empty_env("/home/a/.venv/lib/python3.12/site-packages")
    buf = io.StringIO()
    render_verify_text(r, file=buf, width=80)
    lines = buf.getvalue().splitlines()
    assert lines[1].startswith("Verdict: MISMATCH") and "125 missing" in lines[1]
    assert lines[2].startswith("Fix: ") and lines[3] == "    dlcheck env create --setup cpu"
    assert "site-packages" not in "\n".join(lines[:5])
    assert sum(ln.startswith("  - pkg") for ln in lines) == SHOWN_NAMES
    assert f"  - and {125 - SHOWN_NAMES} more" in lines
    assert len(lines) < 30
    every = io.StringIO()
    render_verify_text(r, file=every, width=80, show_all=True)
    assert sum(ln.startswith("  - pkg") for ln in every.getvalue().splitlines()) == 125
    md = render_verify_markdown(r)
    assert md.index("dlcheck env create --setup cpu") < md.index("### Missing")
    assert f"- and {125 - SHOWN_NAMES} more" in md
    # a lock the user named, outside site-packages: installing it here, by the path given
    named = repair(_empty_env("/srv/course", setup=None))
    assert named is not None
    assert named[1] == [
        "python -m pip install --require-hashes -r /srv/course/dlcheck/envs/locked/cpu/pylock.txt"
    ]
    # a packaged lock without a setup name: no command into site-packages, the setup instead
    packaged = repair(_empty_env("/x/site-packages", setup=None))
    assert packaged is not None and packaged[1] == ["dlcheck env recommend"]


# 9. routes named as a person says them


def test_route_names_read_as_spoken(empty: Report) -> None:
    rec = recommend(fresh(empty.facts), load_catalog())
    buf = io.StringIO()
    render_recommend_text(rec, file=buf, width=200)
    out = buf.getvalue() + render_recommend_markdown(rec)
    assert "In one command (it makes the environment from the lock and checks it):" in out
    assert "Or step by step with pip (Python 3.10, " in out
    assert "repository; Python" not in out  # "from a clone" said once, after the comment
    assert "one command route" not in out and "pip route" not in out
    assert "the pip route's environment" not in out and "Setup: cpu for" not in out


# 10. a non-zero exit says why


def test_fleet_report_to_a_file_says_why_it_exits_1(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "fleet.md"
    with pytest.raises(SystemExit) as exc:
        main(["report", str(lab), "--markdown", "-o", str(target)])
    err = capsys.readouterr().err.splitlines()
    assert exc.value.code == 1
    assert err[-1] == "dlcheck: exit 1: 6 of 15 machines not ready (6 NOT READY)", err
    from dlcheck.fleet.build import build_fleet

    assert exit_line(build_fleet([str(lab)])) == err[-1][len("dlcheck: ") :]


# 11. one check summary behind every view


def test_every_view_draws_the_one_check_summary(empty: Report) -> None:
    s = check_summary(empty)
    assert s.verdict_line in draw(empty, 200) or s.verdict in draw(empty, 200)
    for view in (render_markdown(empty), render_html(empty), render_repr(empty)):
        assert s.count_text in view
    assert s.install_command is None or s.install_command in render_markdown(empty)


# 12. check --format csv


def test_check_csv_has_one_row_per_requirement(empty: Report) -> None:
    rows = list(csv.reader(io.StringIO(render_csv(empty))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == [f.id for f in empty.findings]
    statuses = [r[3] for r in rows[1:]]
    c = empty.counts()
    assert statuses.count("NOT JUDGED") == c["NOT_JUDGED"]
    assert statuses.count("FAIL") == c["FAIL"] and statuses.count("PASS") == c["PASS"]
    assert statuses == [finding_status(f) for f in empty.findings]
    hostile = dataclasses.replace(
        empty, findings=[dataclasses.replace(empty.findings[0], observed="=HYPERLINK(1)")]
    )
    assert "'=HYPERLINK(1)" in render_csv(hostile)


def test_check_csv_through_the_cli(recorded_machine, tmp_path: Path) -> None:
    from dlcheck.output import write_file

    saved = tmp_path / "me.json"
    report = judge(recorded_machine("fresh-linux-laptop"), load_profile(), load_places())
    write_file(str(saved), report.to_json() + "\n")
    target = tmp_path / "me.csv"
    with pytest.raises(SystemExit):
        main(["check", "--from", str(saved), "--format", "csv", "-o", str(target)])
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) > 20


@pytest.mark.parametrize("columns", ("60", "80", "100", "200"))
def test_commands_whole_and_no_blanks_through_the_cli(
    columns: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, recorded_machine
) -> None:
    """As a user runs them: `COLUMNS=60 dlcheck check --from me.json` (and --all, and
    `env recommend --from`): every command whole on one line, no line ending in blanks."""
    saved = tmp_path / "me.json"
    data = json.loads(
        Path(__file__).parent.joinpath("data/reports/fresh-linux-laptop.check.json").read_text()
    )
    data["facts"]["packages"]["versions"] = {"tensorflow": "2.21.0", "keras": "3.15.1"}
    saved.write_text(json.dumps(data))
    monkeypatch.setenv("COLUMNS", columns)
    outs = []
    for args in (["check"], ["check", "--all"], ["env", "recommend"]):
        with pytest.raises(SystemExit):
            main([*args, "--from", str(saved)])
        outs.append(capsys.readouterr().out)
    facts = _partly_installed(recorded_machine("fresh-linux-laptop"))
    report = judge(facts, load_profile(), load_places())
    commands = _step_commands(report)
    assert any(c.startswith("python -m pip install") and len(c) > 60 for c in commands)
    for out in outs[:2]:
        broken = [c for c in commands if not _whole_on_a_line(c, out)]
        assert not broken, broken
    assert "    python -m pip install --require-hashes -r envs/cpu/pylock.txt" in outs[2]
    for out in outs:
        assert not [ln for ln in out.splitlines() if ln != ln.rstrip()]


def test_env_verify_to_a_file_says_why_it_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = tmp_path / "empty-env"
    (prefix / "lib/python3.12/site-packages").mkdir(parents=True)
    target = tmp_path / "verify.md"
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--setup", "cpu", "--prefix", str(prefix), "-o", str(target)])
    err = capsys.readouterr().err.splitlines()
    assert exc.value.code == 1 and err[0] == f"wrote {target}"
    assert (
        len(err) == 2 and err[1].startswith("dlcheck: exit 1: MISMATCH: ") and "missing" in err[1]
    )
    text = target.read_text(encoding="utf-8")
    assert text.index("Fix: ") < text.index("Missing (") and "`--all` lists every package" in text


def test_fresh_eyes_findings_of_the_second_new_user_run(
    recorded_machine, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second new-user run: the verdict had scrolled off an 80x24 terminal (it is now
    repeated in the last line of the default view); the install step told a learner with an
    installed dlcheck (the wheel carries the locks) to use "a clone of the repository";
    bench printed "-0.00 s" for a residual a hair below zero."""
    from recorded import MACHINES

    from dlcheck.formats import fmt_seconds
    from dlcheck.render.text import render_text

    report = judge(recorded_machine("fresh-linux-laptop"), load_profile(), load_places())
    out = io.StringIO()
    render_text(report, file=out, width=80)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    assert any(ln.startswith(f"Verdict: {report.verdict}. ") for ln in lines[-4:])
    for _, slug in MACHINES.values():
        r = judge(recorded_machine(slug), load_profile(), load_places())
        steps = check_summary(r).steps
        advice = [f.advice or "" for f in r.findings] + [s.advice for s in steps]
        assert not [a for a in advice if "clone of the dlcheck repository" in a], slug
    assert fmt_seconds(-0.001) == "0.00 s" and fmt_seconds(-0.0) == "0.00 s"


def test_no_advice_sends_a_learner_to_dlcheck_bench_before_it_can_run(recorded_machine) -> None:
    """`dlcheck bench` needs Keras and a backend: on a machine without them no step says to
    run it now (it would fail there); with them the usual advice stands."""
    from recorded import MACHINES

    fresh = recorded_machine("fresh-linux-laptop")
    two_cores = dataclasses.replace(  # the new user's machine: 2 cores, nothing installed yet
        fresh, cpu=dataclasses.replace(fresh.cpu, usable_cores=2.0, logical_cores=2)
    )
    machines = [recorded_machine(slug) for _, slug in MACHINES.values()] + [two_cores]
    for facts in machines:
        slug = facts.platform.hostname
        v = facts.packages.versions
        can = "keras" in v and any(b in v for b in ("tensorflow", "torch", "jax"))
        r = judge(facts, load_profile(), load_places())
        texts = [f.advice or "" for f in r.findings] + [s.advice for s in check_summary(r).steps]
        if not can:
            assert not [t for t in texts if "run `dlcheck bench`" in t], slug
    r = judge(two_cores, load_profile(), load_places())
    cores = next(f for f in r.findings if f.id == "cores-recommended")
    assert cores.verdict == "WARN" and "once the course packages are installed" in cores.advice


def test_one_images_per_second_figure_in_bench_and_report(tmp_path: Path) -> None:
    """The same bench file showed 658.1 images/s in `bench` (timed windows) and 579 img/s in
    `report` (whole epochs): now both show the one figure (steady-state training throughput
    over whole epochs), with its unit and a legend naming MAD, CV and GFLOP/s."""
    import io
    import json
    import shutil

    import recorded

    from dlcheck.bench.render import render_result, render_result_csv, render_result_markdown
    from dlcheck.bench.results import load_result
    from dlcheck.fleet.build import build_fleet
    from dlcheck.fleet.render import render_text as fleet_text
    from dlcheck.sanitize import clean_record

    ref = Path(__file__).resolve().parents[1] / "dlcheck" / "bench" / "references"
    path = sorted(ref.glob("*.json"))[0]
    result = clean_record(load_result(str(path)))
    head = result.headline.train_images_per_s
    windows = result.results[result.headline.workload].train.images_per_s.median
    assert head is not None and abs(head - windows) > 1  # two different quantities
    buf = io.StringIO()
    render_result(result, file=buf, width=200)
    text = " ".join(buf.getvalue().split())
    assert f"{head:,.1f}" in text and f"{windows:,.1f} ±" not in text
    assert "train img/s: steady-state training throughput over whole epochs" in text
    for word in ("MAD", "CV", "GFLOP/s: billions of floating-point operations"):
        assert word in text
    assert f"{head:,.1f}" in render_result_markdown(result)
    assert f"{head:.2f}" in render_result_csv(result)
    # the same file in a lab's report, where it is a machine's own result
    lab = tmp_path / "lab"
    lab.mkdir()
    data = json.loads(path.read_text())
    data.pop("machine")
    data["hostname"] = "pc01"
    (lab / "pc01.bench.json").write_text(json.dumps(data))
    shutil.copy(recorded.report_path("fresh-linux-laptop"), lab / "pc01.check.json")
    buf = io.StringIO()
    fleet_text(build_fleet([str(lab)]), file=buf, width=200)
    flat = " ".join(buf.getvalue().split())
    assert f"{head:,.0f} img/s" in flat and f"{windows:,.0f} img/s" not in flat
    assert "img/s: steady-state training images per second over whole epochs" in flat


def test_a_reference_load_is_shown_as_it_recorded_it() -> None:
    """A reference that recorded 67% load "just before" was shown as "busy (1% of the
    cores)": the view now says both what was recorded before and during the run."""
    import io

    from dlcheck.bench.load import describe_load
    from dlcheck.bench.render import render_result, render_result_markdown
    from dlcheck.bench.results import load_result
    from dlcheck.sanitize import clean_record

    # the reference as packaged on 2026-11-27 (recorded: the packaged one is re-measured)
    ref = Path(__file__).resolve().parent / "data" / "bench" / "2026-11-27"
    ref = ref / "dev-2core-epyc-vm.json"
    result = clean_record(load_result(str(ref)))
    load = result.load
    assert load is not None and load.other_share_before and load.other_share is not None
    words = describe_load(load)
    before = f"{load.other_share_before:.0%} of the cores just before"
    assert words.startswith("busy (other programs: ") and before in words
    buf = io.StringIO()
    render_result(result, file=buf, width=100)
    flat = " ".join(buf.getvalue().split())
    assert f"Load: {words}" in flat
    assert before in " ".join(render_result_markdown(result).split())
    assert describe_load(None) == "not recorded"
