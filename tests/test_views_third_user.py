"""What the third new-user run found in `dlcheck check`'s text view (the stop after issue
18-23), each pinned on a recorded machine, never this one: the closing verdict line in the
verdict's own colour; "needed" only for what is required; a saved report's hints name that
report and never save over it."""

from __future__ import annotations

import dataclasses
import io

import pytest

from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import Facts, PackageFacts
from dlcheck.render.text import render_text
from dlcheck.report import Report, judge


def fresh(facts: Facts) -> Facts:
    return dataclasses.replace(facts, packages=PackageFacts(versions={}))


@pytest.fixture(scope="module")
def empty(recorded_machine) -> Report:
    return judge(fresh(recorded_machine("fresh-linux-laptop")), load_profile(), load_places())


def text_of(report: Report, **kw) -> str:
    buf = io.StringIO()
    render_text(report, file=buf, width=100, **kw)
    return buf.getvalue()


def test_the_closing_verdict_line_has_the_verdicts_colour(empty: Report, monkeypatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich colours as on a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = text_of(empty)
    assert empty.verdict == "NOT READY"
    lines = [ln for ln in out.splitlines() if "Verdict:" in ln]
    assert len(lines) == 2 and "\x1b[" in lines[0], "coloured output expected"
    assert "\x1b[32m" not in lines[-1], "a NOT READY verdict is never green"
    assert "31m" in lines[-1], lines[-1]


def test_needed_only_for_what_is_required(recorded_machine) -> None:
    facts = fresh(recorded_machine("fresh-linux-laptop"))
    two = dataclasses.replace(facts, cpu=dataclasses.replace(facts.cpu, usable_cores=2.0))
    out = " ".join(text_of(judge(two, load_profile(), load_places())).split())
    assert "2 usable (recommended: >= 4 cores)" in out  # a recommendation, not a need
    assert "(needed: >= 4 cores)" not in out


def test_a_saved_reports_hints_name_it_and_never_save_over_it(empty: Report) -> None:
    saved = dataclasses.replace(empty, source="/home/jane doe/me.json")
    out = " ".join(text_of(saved).split())
    assert "the same command with `--all` lists every requirement" in out
    assert "the same command with `--markdown`" in out
    assert "--json -o me.json" not in out  # would overwrite the learner's report
    assert "dlcheck check --all" not in out  # would probe the helper's machine, not the report


def test_the_check_progress_hears_the_framework_probes_through_the_registry() -> None:
    """The status line names the frameworks still being imported ("to test them" for two),
    heard through ``features.watching_probes``; the listener is gone afterwards."""
    from dlcheck.features import watching_probes
    from dlcheck.frameworks import probe

    heard: list[tuple[str, float]] = []
    before = list(probe.PROGRESS_LISTENERS)
    with watching_probes(lambda names, s: heard.append((names, s))):
        for tell in probe.PROGRESS_LISTENERS[len(before) :]:
            tell(["tensorflow", "keras"], 2.0)
    assert heard == [("TensorFlow and Keras", 2.0)]
    assert probe.PROGRESS_LISTENERS == before
