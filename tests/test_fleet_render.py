"""`dlcheck report` with hostile values and broken files among good ones."""

from __future__ import annotations

import csv
import io
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from recorded import FLEET_PROFILE, bench_result, env_result, not_ready, ready, write

from dlcheck.fleet import parts
from dlcheck.fleet.build import build_fleet
from dlcheck.fleet.render import (
    COLUMNS,
    render_csv,
    render_html,
    render_markdown,
    render_text,
)

SCRIPT = "<script>alert(1)</script>"
HOSTILE = {
    "host": SCRIPT,
    "os": 'Ubuntu | evil\n## heading <img src=x onerror="alert(2)">',
    "cpu": '=HYPERLINK("http://x","cpu") `code` *bold* [link](javascript:alert(3))',
    "gpu": "\x1b[2J\x1b[31mRTX\x07 </td></tr><tr><td>fake",
    "fid": "<b>cpu</b>|x",
    "title": "<iframe src=//x></iframe>",
    "env": "<svg onload=alert(4)>",
    "workload": "@SUM(A1) & <u>",
    "verdict": "<marquee>slow</marquee>",
}


def hostile_fleet(folder: Path) -> Path:
    rep = not_ready(HOSTILE["host"])
    facts = rep["facts"]
    facts["platform"]["os_name"] = HOSTILE["os"]
    facts["cpu"]["model"] = HOSTILE["cpu"]
    facts["gpu"]["gpus"] = [{"vendor": "nvidia", "name": HOSTILE["gpu"]}]
    rep["findings"][0]["id"] = HOSTILE["fid"]
    rep["findings"][0]["title"] = HOSTILE["title"]
    rep["findings"][0]["verdict"] = "FAIL"
    write(folder / "evil.check.json", rep)
    env = env_result(HOSTILE["host"], ok=False)
    env["counts"]["missing"] = 0  # a mismatch without a count: the setup name alone is shown
    env["setup"] = HOSTILE["env"]
    env["missing"] = [{"name": HOSTILE["env"]}]
    write(folder / "evil.env.json", env)
    bench = bench_result(HOSTILE["host"], 5.0, 900.0, HOSTILE["verdict"])
    bench["headline"]["workload"] = HOSTILE["workload"]
    write(folder / "evil.bench.json", bench)
    write(folder / "good.json", ready("good-host"))
    return folder


def hostile_profile(folder: Path) -> Path:
    """The fleet test profile with the hostile title on its first requirement: every check
    report is judged again (as `check --from` judges it), so a requirement's title shown in
    the table comes from the profile."""
    text = FLEET_PROFILE.read_text(encoding="utf-8")
    first = 'title = "64-bit CPU: x86-64 with AVX, or arm64"'
    assert first in text
    path = folder / "hostile-profile.toml"
    path.write_text(text.replace(first, f"title = {json.dumps(HOSTILE['title'])}"), "utf-8")
    return path


def hostile_build(folder: Path) -> Any:
    return build_fleet([str(hostile_fleet(folder))], str(hostile_profile(folder)))


class Page(HTMLParser):
    """What a browser would build: elements, attributes, and the text a person reads."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.cells: list[list[str]] = []
        self._in_body_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "tr":
            self.cells.append([])
        if tag in ("td", "th") and self.cells:
            self.cells[-1].append("")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.cells and self.cells[-1]:
            self.cells[-1][-1] += data


def test_html_shows_hostile_values_as_text(tmp_path: Path) -> None:
    fleet = hostile_build(tmp_path)
    page = render_html(fleet)
    parsed = Page()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not {"iframe", "svg", "marquee", "b", "u"} & set(parsed.tags)
    assert not [a for a, _ in parsed.attrs if a.startswith("on") or a == "src"]
    rows = [c for c in parsed.cells if len(c) == len(COLUMNS)]
    assert len(rows) == 1 + 2  # header and two machines: nothing injected a row
    text = "".join(parsed.text)
    assert SCRIPT in text  # shown, literally, as text
    assert "<iframe src=//x></iframe>" in text  # the failing requirement's title, in the summary
    evil = next(r for r in rows if r[0] == SCRIPT)
    assert evil[COLUMNS.index("Environment")] == "MISMATCH (<svg onload=alert(4)>)"
    assert "<marquee>slow</marquee>" in evil[COLUMNS.index("Benchmark")]
    assert "\x1b" not in page and "\x07" not in page
    # Even if escaping ever failed, the page forbids scripts.
    assert "default-src 'none'" in page and "<script" not in page.lower()


def test_markdown_keeps_one_row_per_machine(tmp_path: Path) -> None:
    md = render_markdown(hostile_build(tmp_path))
    assert "<script" not in md and "<img" not in md and "<iframe" not in md and "<svg" not in md
    assert "&lt;script>alert(1)&lt;/script>" in md
    table = [ln for ln in md.splitlines() if ln.startswith("| ")]
    assert len(table) == 3
    for ln in table:
        # unescaped pipes = cell borders
        borders = len(ln.replace("\\|", "").split("|")) - 1
        assert borders == len(COLUMNS) + 1, ln
    assert "\x1b" not in md and "\n## heading" not in md
    assert "[link](javascript" not in md  # brackets escaped: no link


def test_csv_round_trips_text_and_defuses_formulas(tmp_path: Path) -> None:
    out = render_csv(hostile_build(tmp_path))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2
    evil = next(r for r in rows if r["machine"] == SCRIPT)
    assert evil["cpu"].startswith("'=HYPERLINK")
    assert evil["benchmark"].startswith("'@SUM")
    assert "\x1b" not in out and "\n## heading" not in out
    assert evil["os"].startswith("Ubuntu | evil\\x0a## heading")  # newline shown, not obeyed


def test_terminal_prints_no_escape_sequences(tmp_path: Path) -> None:
    buf = io.StringIO()
    render_text(hostile_build(tmp_path), file=buf, width=250)
    out = buf.getvalue()
    assert "\x1b" not in out and "\x07" not in out
    assert SCRIPT in out  # rich markup in a value is shown, not interpreted


BROKEN = {
    "truncated.json": None,  # filled from a good report below
    "empty.json": "",
    "garbage.json": b"\xff\xfe\x00binary",
    "array.json": "[1, 2]",
    "other.json": '{"schema": "someone.else", "schema_version": 1}',
    "noschema.json": '{"hello": 1}',
    "future.json": '{"schema": "dlcheck.report", "schema_version": 99, "facts": {}}',
    "badversion.json": '{"schema": "dlcheck.report", "schema_version": "1"}',
    "nofacts.json": '{"schema": "dlcheck.report", "schema_version": 1, "verdict": "READY"}',
    "badfindings.json": None,
    "badsection.json": None,
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "benchfuture.json": '{"schema": "dlcheck.bench", "schema_version": 7}',
    "envbad.json": '{"schema": "dlcheck.env-verify", "schema_version": 0}',
}


def test_broken_files_are_skipped_with_reasons(tmp_path: Path, capsys) -> None:
    for i in range(3):
        write(tmp_path / f"good{i}.json", ready(f"good{i}"))
    text = json.dumps(ready("t"), indent=2)
    for name, body in BROKEN.items():
        p = tmp_path / name
        if name == "truncated.json":
            body = text[: len(text) // 2]
        elif name == "badfindings.json":
            d = ready("bf")
            d["findings"] = "all good"
            body = json.dumps(d)
        elif name == "badsection.json":
            d = ready("bs")
            d["facts"]["cpu"] = ["not", "an", "object"]
            body = json.dumps(d)
        if isinstance(body, bytes):
            p.write_bytes(body)
        else:
            p.write_text(body, encoding="utf-8")
    os.symlink(tmp_path / "gone.json", tmp_path / "dangling.json")
    (tmp_path / "dir.json").mkdir()  # a folder named like a file is searched, not read
    os.symlink(tmp_path, tmp_path / "dir.json" / "loop")  # a link to a parent: not followed
    (tmp_path / "notes.txt").write_text("not json", encoding="utf-8")  # ignored: not *.json
    fleet = build_fleet([str(tmp_path)])
    assert sorted(r.machine for r in fleet.rows) == ["good0", "good1", "good2"]
    reasons = {Path(s.path).name: s.reason for s in fleet.skipped}
    assert set(reasons) == set(BROKEN) | {"dangling.json"}
    assert fleet.summary.files_read == 3 + len(BROKEN) + 1  # each file once: no link followed
    assert reasons["truncated.json"].startswith("not valid JSON")
    assert reasons["empty.json"].startswith("not valid JSON")
    assert "UTF-8" in reasons["garbage.json"] or "JSON" in reasons["garbage.json"]
    assert "not an object" in reasons["array.json"]
    assert "unknown schema 'someone.else'" in reasons["other.json"]
    assert "no schema (expected" in reasons["noschema.json"]  # never Python's None
    assert "newer than this dlcheck reads" in reasons["future.json"]
    assert "bad schema_version" in reasons["badversion.json"]
    assert "no 'facts'" in reasons["nofacts.json"]
    assert "findings" in reasons["badfindings.json"]
    assert "cpu" in reasons["badsection.json"]
    assert "nested too deeply" in reasons["deep.json"] or "JSON" in reasons["deep.json"]
    assert "newer" in reasons["benchfuture.json"] and "bad" in reasons["envbad.json"]
    assert "broken symbolic link" in reasons["dangling.json"]
    assert fleet.exit_code == 0  # the good machines are all ready; skipped files are listed
    html = render_html(fleet)
    assert html.count("<li><code>") == len(reasons)


def test_older_schema_versions_still_read(tmp_path: Path, monkeypatch) -> None:
    """A v1 report from an older dlcheck, without counts, exit code or some fact sections,
    still gives a row when this dlcheck writes a newer schema version."""
    monkeypatch.setattr(parts, "CHECK_VERSION", 2)
    d = not_ready("old-one")
    d["schema_version"] = 1  # written before reports carried their plan
    d.pop("plan")
    for key in ("counts", "exit_code", "places_checked", "anonymized"):
        d.pop(key)
    for key in ("gpu", "memory", "python", "packages", "probe_seconds"):
        d["facts"].pop(key)
    write(tmp_path / "old.json", d)
    new = ready("new-one")
    new["schema_version"] = 2
    new["facts"]["platform"]["future_field"] = "ignored"
    write(tmp_path / "new.json", new)
    write(tmp_path / "newer.json", {**ready("x"), "schema_version": 3})
    fleet = build_fleet([str(tmp_path)])
    by = {r.machine: r for r in fleet.rows}
    assert set(by) == {"old-one", "new-one"}
    assert by["old-one"].verdict == "NOT READY" and by["old-one"].ram_bytes is None
    assert by["old-one"].gpu == "none"
    # re-planned from its facts (issue 18): its first step is the route of a no-AVX CPU
    assert by["old-one"].first_step == "No AVX: run the course in a cloud notebook"
    assert [Path(s.path).name for s in fleet.skipped] == ["newer.json"]


def test_huge_file_is_skipped_without_reading_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parts, "MAX_BYTES", 1000)
    write(tmp_path / "big.json", ready("big"))
    fleet = build_fleet([str(tmp_path)])
    assert not fleet.rows and "too large" in fleet.skipped[0].reason


def test_long_values_are_cut(tmp_path: Path) -> None:
    write(tmp_path / "long.json", ready("h" * 5000))
    (row,) = build_fleet([str(tmp_path)]).rows
    assert len(row.machine) == parts.MAX_TEXT and row.machine.endswith("…")


@pytest.mark.parametrize("value", ["a\nb", "a\x00b", "a\u202eb", "a\tb"])
def test_clean_removes_control_characters(value: str) -> None:
    out = parts.clean(value)
    assert out.isprintable() and out.startswith("a") and out.endswith("b")
