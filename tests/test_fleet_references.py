"""`dlcheck report` beside the packaged bench references, as README suggests: the references
are what the lab is compared with, never machines of the lab nor failures (issue 20: a lab
read "2 of 4 machines not ready" with "no dlcheck check report for this machine" among the
most common failures). Also the plain-text summary's plural forms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import recorded

from dlcheck.cli import main
from dlcheck.fleet.build import build_fleet
from dlcheck.fleet.render import render_html, render_json, render_markdown, render_text

REFERENCES = Path(__file__).resolve().parents[1] / "dlcheck" / "bench" / "references"


def test_references_are_compared_with_never_counted(lab: Path) -> None:
    refs = sorted(REFERENCES.glob("*.json"), key=lambda p: p.stem)  # as the fleet sorts: by id
    assert refs, "dlcheck ships at least one bench reference"
    alone = build_fleet([str(lab)])
    both = build_fleet([str(lab), str(REFERENCES)])
    assert [r.machine for r in both.rows] == [r.machine for r in alone.rows]
    assert both.exit_code == alone.exit_code
    assert both.summary.machines == alone.summary.machines
    assert both.summary.by_verdict == alone.summary.by_verdict
    assert "no-check-report" not in {fid for fid, _, _ in both.summary.common_failures}
    assert [b.host for b in both.references] == [p.stem for p in refs]

    import io

    buf = io.StringIO()
    render_text(both, file=buf, width=100)
    text = buf.getvalue()
    assert "Compared with (bench references, not machines of this lab):" in text
    assert "no dlcheck check report" not in text
    # the verdict of a result of every episode is the course's, said with its deciding episode
    # (it read "ep4-cnn FAIL, ... episode 4 predicted 19 s" when episode 5 failed)
    assert f"{refs[0].stem}: course FAIL (episode 5 decides)" in text
    assert "dev-2core-xeon-vm-torch: ep4-cnn PASS" in text  # an older file: no deciding episode
    assert "Compared with" in render_markdown(both)
    assert "id='references'" in render_html(both)
    data = json.loads(render_json(both))
    assert [r["machine"] for r in data["references"]] == [p.stem for p in refs]
    assert data["summary"]["machines"] == alone.summary.machines


def test_only_references_is_no_lab(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", str(REFERENCES)])
    assert exc.value.code == 1  # no machine of the lab was read
    out = " ".join(capsys.readouterr().out.split())
    assert "0 of 0 machines ready" in out and "Compared with" in out


def test_summary_plurals_and_plain_text_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "1 files read", "1 of 1 machines": the plain-text summary says it right; ``-q``
    prints the summary in plain sentences (no Markdown escapes, no table)."""
    one = tmp_path / "one"
    one.mkdir()
    recorded.write(one / "pc1.check.json", recorded.not_ready("pc1"))
    with pytest.raises(SystemExit) as exc:
        main(["report", str(one), "-q"])
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert out.startswith("0 of 1 machine ready (1 NOT READY).\n")
    assert "1 file read, 0 skipped." in out
    assert "\\" not in out and "|" not in out  # plain sentences, not Markdown
    lab = shutil.copytree(recorded.LAB, tmp_path / "lab")
    with pytest.raises(SystemExit):
        main(["report", str(lab), "--quiet"])
    out = capsys.readouterr().out
    assert "machines ready" in out and "files read" in out
    assert "\\[" not in out
