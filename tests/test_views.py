"""The text views at 60, 80, 100 and 200 columns: no line wider than the terminal, no word
cut (tables become stacked blocks below the width they need); the check view shows what
needs action with non-repeating steps; Markdown, HTML and repr carry the same content."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import longstrings
import pytest
import recorded

from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import Facts, Gpu, GpuFacts, PackageFacts
from dlcheck.render.html import render_html, render_repr
from dlcheck.render.layout import print_table, table_fits
from dlcheck.render.markdown import render_markdown
from dlcheck.render.summary import action_steps, machine_lines
from dlcheck.render.text import render_text
from dlcheck.report import judge

WIDTHS = (60, 80, 100, 200)
BORDERS = set("│┃┏┓┗┛┡┩┠┨┣┫━─┼╇╈╋┳┻┯┷└┘┌┐├┤┬┴ ")


@pytest.fixture(scope="module")
def facts() -> Facts:
    """A recorded machine (never this one: a view test must pass on any machine), with long
    CPU and GPU names in the long-strings mode (tests/longstrings.py)."""
    return longstrings.maybe(recorded.machine_facts("fresh-linux-laptop"))


def bare(facts: Facts) -> Facts:
    """This machine as a fresh environment: no packages at all, frameworks probed (none)."""
    return dataclasses.replace(
        facts,
        packages=PackageFacts(versions={}),
        sections={"frameworks": {"results": [], "timeout": 60.0, "seconds": 0.1}},
    )


def draw(report, width: int, **kw) -> str:
    buf = io.StringIO()
    render_text(report, file=buf, width=width, **kw)
    return buf.getvalue()


def words_of(*texts: str) -> set[str]:
    return {w for t in texts for w in t.split()}


COMMAND = re.compile(r"^ +(dlcheck|python|python3[.\d]*|conda|conda-lock|pip|py) \S")


def assert_fits(out: str, width: int, words: set[str]) -> None:
    lines = out.splitlines()
    assert lines, "nothing drawn"
    # Only a command on a line of its own may be wider: it is never broken (to be copied).
    too_wide = [ln for ln in lines if len(ln) > width and not COMMAND.match(ln)]
    assert not too_wide, too_wide[:3]
    flat = " ".join(
        "".join(ch if ch not in BORDERS or ch == " " else " " for ch in ln) for ln in lines
    )
    # a command on its own line is shown without its backticks and what follows them
    tokens = {t.replace("`", "") for t in flat.split()}
    words = {w.replace("`", "").rstrip(".,;:") or w for w in words}
    # every word that can fit on a line at all is there whole (not folded, not cropped)
    cut = sorted(w for w in words if len(w) <= width - 8 and not any(w in t for t in tokens))
    assert not cut, cut[:10]


def report_words(report) -> set[str]:
    texts = [v for _, v in machine_lines(report.facts)]
    for f in report.findings:
        texts += [f.title, f.observed, f.expected]
    texts += [s.advice for s in action_steps(report)]
    return words_of(*texts)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("show_all", [False, True])
def test_check_view_never_crops(facts: Facts, width: int, show_all: bool) -> None:
    report = judge(bare(facts), load_profile(), load_places())
    out = draw(report, width, show_all=show_all)
    words = report_words(report)
    if not show_all:  # passed findings are counted, not shown
        # the plan's steps and the findings each names (a route names its cause only)
        steps = action_steps(report)
        words = words_of(
            *[v for _, v in machine_lines(report.facts)],
            *[f.title for s in steps for f in s.findings],
            *[t for s in steps for t in (s.title, s.text, *s.commands)],
        )
    assert_fits(out, width, words)
    assert report.verdict in out


def test_check_fresh_environment_fits_one_screen(facts: Facts) -> None:
    report = judge(bare(facts), load_profile(), load_places())
    out = draw(report, 100)
    assert report.verdict == "NOT READY"
    assert len(out.splitlines()) <= 42, out
    verdict_at = next(i for i, ln in enumerate(out.splitlines()) if ln.startswith("Verdict:"))
    assert verdict_at < 20  # the verdict is in the first screen, whatever follows
    passed = report.counts()["PASS"]
    assert f"{passed} requirements passed" in out
    # only what needs action is listed; --all lists every requirement
    assert "PASS" not in out
    every = draw(report, 200, show_all=True)
    assert every.count("PASS") == passed


def test_advice_is_one_step_each_and_never_repeated(facts: Facts) -> None:
    report = judge(bare(facts), load_profile(), load_places())
    steps = action_steps(report)
    advice = [s.advice for s in steps]
    assert len(advice) == len(set(advice))
    out = draw(report, 200)
    # the missing packages become one step, whatever the number of packages
    missing = [f for f in report.findings if f.observed == "not installed" and f.verdict != "PASS"]
    assert len(missing) >= 4
    install = [s for s in steps if any(f in s.findings for f in missing)]
    assert len(install) == 1
    for command in ("dlcheck env create", "python -m pip install"):
        assert out.count(command) <= 1, command
    assert "Install all missing packages at once" not in out  # the step already says it
    assert "einstall" not in out  # nothing to reinstall: nothing is installed


def test_skipped_frameworks_are_one_step_without_reinstall_advice(facts: Facts) -> None:
    skipped = dataclasses.replace(bare(facts), sections={})
    report = judge(skipped, load_profile(), load_places())
    out = draw(report, 100)
    assert "--no-frameworks" in out and "einstall" not in out


def test_markdown_html_and_repr_carry_the_same_content(facts: Facts) -> None:
    hostile = dataclasses.replace(
        bare(facts),
        gpu=GpuFacts(gpus=[Gpu(vendor="nvidia", name="<script>alert(1)</script> | *x*")]),
    )
    report = judge(hostile, load_profile(), load_places())
    c = report.counts()
    md = render_markdown(report)
    html = render_html(report)
    for page in (md, html):
        assert f"{c['FAIL']} failed" in page and f"{c['PASS']} passed" in page
        assert "dlcheck env create" in page  # the install step
        assert "<script>" not in page
    assert "\\| \\*x\\*" in md
    assert "| Result | Requirement |" not in md
    assert "| Result | Requirement |" in render_markdown(report, show_all=True)
    line = render_repr(report)
    assert "\n" not in line and line.startswith("<Report ") and "NOT READY" in line
    assert repr(report) == line


def test_table_becomes_blocks_below_its_width() -> None:
    from rich.console import Console

    heads = ["Machine", "Verdict", "GPU", "Fails"]
    rows = [
        ["pc01", "NOT READY", "NVIDIA GeForce RTX 4090 Laptop GPU", "python-version, keras, ram"],
        ["laptop-with-a-long-name", "READY", "", ""],
    ]
    assert table_fits(heads, rows, 200) is not None
    assert table_fits(heads, rows, 40) is None
    for width in WIDTHS:
        buf = io.StringIO()
        console = Console(file=buf, width=width, highlight=False)
        print_table(console, heads, rows, width)
        out = buf.getvalue()
        assert_fits(out, width, words_of(*(c for r in rows for c in r)))
        if width == 60:
            assert re.search(r"^  GPU: +NVIDIA GeForce RTX 4090 Laptop GPU$", out, re.M)  # a block


def write_fleet(folder: Path, facts: Facts) -> None:
    from dlcheck.output import write_file

    gpus = [
        [Gpu(vendor="nvidia", name="NVIDIA GeForce RTX 4090 Laptop GPU", memory_bytes=16 << 30)],
        [],
        [Gpu(vendor="apple", name="Apple M2 Max")],
    ]
    gpus = [[dataclasses.replace(g, name=longstrings.maybe_name(g.name)) for g in x] for x in gpus]
    for i in range(6):
        f = dataclasses.replace(
            facts if i % 2 else bare(facts),
            platform=dataclasses.replace(
                facts.platform, hostname=longstrings.maybe_host(f"lab-workstation-{i:02d}")
            ),
            gpu=GpuFacts(gpus=gpus[i % 3]),
        )
        report = judge(f, load_profile(), load_places())
        write_file(str(folder / f"m{i}.json"), report.to_json() + "\n")


@pytest.mark.parametrize("width", WIDTHS)
def test_fleet_table_never_crops(tmp_path: Path, facts: Facts, width: int) -> None:
    from dlcheck.fleet.build import build_fleet
    from dlcheck.fleet.render import cells
    from dlcheck.fleet.render import render_text as fleet_text

    write_fleet(tmp_path, facts)
    fleet = build_fleet([str(tmp_path)])
    buf = io.StringIO()
    fleet_text(fleet, file=buf, width=width)
    out = buf.getvalue()
    words = words_of(*(c for r in fleet.rows for c in cells(r)))
    assert_fits(out, width, words)
    gpu = longstrings.maybe_name("NVIDIA GeForce RTX 4090 Laptop GPU")
    # a wide terminal shows the GPU name whole (12 columns since the first step's); long
    # names (the long-strings mode) wrap inside their column: checked word by word above
    wide = io.StringIO()
    fleet_text(fleet, file=wide, width=max(width, 320))
    assert longstrings.ON or any(gpu in ln for ln in wide.getvalue().splitlines())


REFERENCE = Path(__file__).parent.parent / "dlcheck" / "bench" / "references"


@pytest.mark.parametrize("width", WIDTHS)
def test_bench_views_never_crop(tmp_path: Path, width: int) -> None:
    from dlcheck.bench.compare import compare
    from dlcheck.bench.render import render_comparison, render_result
    from dlcheck.bench.results import load_result
    from dlcheck.sanitize import clean_record

    ref = sorted(REFERENCE.glob("*.json"))
    if not ref:
        pytest.skip("no reference result")
    result = clean_record(load_result(str(ref[0])))
    buf = io.StringIO()
    render_result(result, file=buf, width=width)
    out = buf.getvalue()
    assert len(out.splitlines()) > 5
    assert max(len(ln) for ln in out.splitlines()) <= width
    comp = compare([result, result])
    buf = io.StringIO()
    render_comparison(comp, file=buf, width=width)
    out = buf.getvalue()
    words = words_of(*comp.labels, *(f"{r.workload} {r.figure}" for r in comp.rows))
    assert_fits(out, width, words)


def run_dlcheck(*args: str, cwd: Path | None = None):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "dlcheck", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**__import__("os").environ, "COLUMNS": "100"},
    )


def test_quiet_writes_and_what_a_write_says(tmp_path: Path) -> None:
    quiet = run_dlcheck("check", "--no-frameworks", "--quiet")
    assert quiet.returncode in (0, 1, 3)
    lines = quiet.stdout.splitlines()
    assert len(lines) == 1 and lines[0].split(" (")[0] in (
        "READY",
        "READY WITH WARNINGS",
        "NOT READY",
        "NOT VERIFIED",
    )
    assert quiet.stderr == ""  # no progress when standard error is not a terminal
    said = run_dlcheck("check", "--no-frameworks", "--markdown", "-o", "me.md", cwd=tmp_path)
    assert said.stdout == "" and said.stderr.startswith("wrote me.md\n")
    # a non-zero exit says why in one line (the verdict went into the file, not the terminal)
    why = said.stderr.splitlines()[1:]
    if said.returncode:
        assert len(why) == 1 and why[0].startswith(f"dlcheck: exit {said.returncode}: "), why
        assert lines[0].split(" (")[0] in why[0]
    else:
        assert why == []
    assert (tmp_path / "me.md").read_text().startswith("## dlcheck: ")
    hush = run_dlcheck("check", "--no-frameworks", "-q", "--json", "-o", "me.json", cwd=tmp_path)
    assert hush.stderr == "" and (tmp_path / "me.json").stat().st_size > 0


def test_third_party_log_on_fd_2_is_kept_out(capfd: pytest.CaptureFixture[str]) -> None:
    import os

    from dlcheck.bench.cli import CapturedStderr

    with CapturedStderr() as captured:
        os.write(2, b"E0000 00:00:1 cuda_platform.cc:52] failed call to cuInit: (303)\n")
        os.write(2, b"\x1b[31mred\x1b[0m line\n")
    out, err = capfd.readouterr()
    assert "cuInit" not in err and "red" not in err
    assert any("cuInit" in line for line in captured.tail)
    assert all("\x1b" not in line for line in captured.tail)  # sanitized
    os.write(2, b"after\n")
    assert "after" in capfd.readouterr().err  # fd 2 is back


@pytest.mark.parametrize("width", WIDTHS)
def test_env_recommend_view_never_crops(width: int) -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "dlcheck", "env", "recommend"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": str(width)},
    )
    assert proc.returncode in (0, 1), proc.stderr
    js = subprocess.run(
        [sys.executable, "-m", "dlcheck", "env", "recommend", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    import json

    doc = json.loads(js.stdout)
    texts = [cmd for route in doc.get("routes", []) for cmd in route.get("commands", [])]
    texts += doc.get("reasons", [])
    assert texts
    assert_fits(proc.stdout, width, words_of(*texts))


def test_bench_markdown_and_csv_escape_machine_text() -> None:
    from dlcheck.bench.compare import Cell, Comparison, Row
    from dlcheck.bench.render import (
        render_comparison_csv,
        render_comparison_markdown,
        render_result_markdown,
    )
    from dlcheck.bench.results import load_result

    comp = Comparison(
        labels=["=HYPERLINK(1)", "a|b <script>"],
        rows=[Row("ep4-cnn", "train img/s", "", 1, [Cell(200.0), Cell(100.0, 0.5, True)])],
    )
    csv_text = render_comparison_csv(comp)
    assert "'=HYPERLINK(1)" in csv_text and "200.0,100.0" in csv_text
    md = render_comparison_markdown(comp)
    assert "a\\|b &lt;script>" in md and "<script>" not in md
    assert "100.0 (2.00x as long, significant)" in md  # half the images/s: slower, said so
    ref = sorted(REFERENCE.glob("*.json"))
    if ref:
        page = render_result_markdown(load_result(str(ref[0])))
        assert page.startswith("## dlcheck bench: ") and "| episode |" in page


def test_framework_progress_names_what_is_being_imported(tmp_path: Path) -> None:
    """The progress line's source: while a probe process runs, the listener hears which
    framework is being imported and for how long; with no listener nothing is called."""
    import os
    import sys

    from dlcheck.frameworks import probe

    if sys.platform == "win32":
        pytest.skip("a shell script stands in for a slow Python here")
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 0.6\n")
    os.chmod(slow, 0o755)
    heard: list[tuple[list[str], float]] = []

    def listener(pending: list[str], elapsed: float) -> None:
        heard.append((pending, elapsed))

    probe.PROGRESS_LISTENERS.append(listener)
    try:
        running = probe.FrameworkProbe([["tensorflow", "keras"]], timeout=10, python=str(slow))
        running.result()
    finally:
        probe.PROGRESS_LISTENERS.remove(listener)
    assert heard and heard[0][0] == ["tensorflow", "keras"]
    assert heard[-1][1] >= heard[0][1] >= 0
    assert running.pending() == []


def test_a_column_that_fits_keeps_its_width() -> None:
    """The fleet table of a machine whose CPU is an "Intel(R) Xeon(R) Processor", at 200
    columns: the columns with slack (the failures) wrap, the CPU and GPU names stay whole on
    one line (the layout used to share the lack out and wrap them while OS had room)."""
    from rich.console import Console

    heads = ["Machine", "Verdict", "OS", "CPU", "Cores", "RAM", "GPU", "Fails"]
    fails = "tensorflow, keras, scikit-learn, pandas, seaborn, jupyter"
    rows = [
        [
            f"lab-workstation-{i:02d}",
            "NOT READY",
            "Debian GNU/Linux 12 (bookworm) x86_64",
            "Intel(R) Xeon(R) Processor",
            "2",
            "23.5 GiB",
            "NVIDIA GeForce RTX 4090 Laptop GPU" if i % 2 else "none",
            fails,
        ]
        for i in range(4)
    ]
    buf = io.StringIO()
    print_table(Console(file=buf, width=200, highlight=False), heads, rows, 200)
    out = buf.getvalue()
    assert "Intel(R) Xeon(R) Processor" in out
    assert "NVIDIA GeForce RTX 4090 Laptop GPU" in out
    assert "Debian GNU/Linux 12 (bookworm) x86_64" in out
    widths = table_fits(heads, rows, 200)
    assert widths is not None and widths[3] == len("Intel(R) Xeon(R) Processor")


@pytest.mark.parametrize("columns", ["0", "-5", "99999999", "abc", ""])
def test_a_bad_columns_falls_back_never_empty(
    columns: str, monkeypatch: pytest.MonkeyPatch, facts: Facts
) -> None:
    """COLUMNS of 0, negative, absurd or not a number: the view is drawn at 80 (not a
    terminal here), never empty and never a mile wide."""
    from dlcheck.render.layout import text_width

    monkeypatch.setenv("COLUMNS", columns)
    assert text_width() == 80
    report = judge(bare(facts), load_profile(), load_places())
    buf = io.StringIO()
    render_text(report, file=buf)
    out = buf.getvalue()
    assert len(out.splitlines()) > 5
    assert max(len(ln) for ln in out.splitlines() if not COMMAND.match(ln)) <= 80


_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789()-_./@+"


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_names_of_any_length_never_crop_nor_cut_a_word(width: int) -> None:
    """Hypothesis: fleet-like tables whose names (host, CPU, GPU) have any length and any
    number of words, at 60, 80, 100 and 200 columns: no line wider than the width, every
    word that fits on a line shown whole (a table, or stacked blocks below its width)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from rich.console import Console

    # any length, uniformly, so words just under and over a line's room are common
    word = st.integers(1, 210).flatmap(
        lambda n: st.text(alphabet=_NAME_CHARS, min_size=n, max_size=n)
    )
    name = st.lists(word, min_size=1, max_size=8).map(" ".join)
    row = st.tuples(name, st.sampled_from(["READY", "NOT READY"]), name, name, name)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(row, min_size=1, max_size=4))
    def prop(rows: list[tuple[str, ...]]) -> None:
        heads = ["Machine", "Verdict", "CPU", "GPU", "Fails"]
        buf = io.StringIO()
        print_table(Console(file=buf, width=width, highlight=False), heads, rows, width)
        assert_fits(buf.getvalue(), width, words_of(*(c for r in rows for c in r)))

    prop()


def test_long_strings_mode_makes_every_name_long(facts: Facts) -> None:
    """The second CI run (.ci/steps/25-long-strings.sh) really has long names: a
    60-character CPU model, 40-character host names, GPU names longer than a column."""
    long = longstrings.lengthen(facts)
    assert len(long.cpu.model or "") == 60
    assert len(long.platform.hostname or "") == 40 or not facts.platform.hostname
    assert len(longstrings.long_host("pc01")) == 40
    assert all(len(name) > 60 for name in longstrings.GPUS)
    if longstrings.ON:
        assert facts.cpu.model == longstrings.CPU
        assert len(longstrings.maybe_host("lab-workstation-00")) == 40
