"""Judging the course's data: each file's verdict (``judge_files``: PASS present and whole,
MISSING, BROKEN, UNKNOWN could not be read) and the check kind ``course_data`` of the check
report, one function of the facts (``DataFacts``) and the packaged table. ``dlcheck data
check`` and ``dlcheck check`` judge with the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlcheck.checks import Check, Outcome, met, not_given, unknown, unmet
from dlcheck.lessondata.facts import DataFacts, FileFacts, data_facts
from dlcheck.lessondata.table import load_table
from dlcheck.records import Facts

PASS, MISSING, BROKEN, UNKNOWN = "PASS", "MISSING", "BROKEN", "UNKNOWN"
FETCH = "dlcheck data fetch"


@dataclass(frozen=True)
class FileVerdict:
    id: str
    title: str
    path: str
    verdict: str  # PASS, MISSING, BROKEN, UNKNOWN
    detail: str  # what was found, or why it is not whole


def _judge(f: FileFacts, data: DataFacts) -> FileVerdict:
    entry = load_table().get(f.id)
    if not f.present:
        return FileVerdict(f.id, f.title, f.path, MISSING, "not found")
    if f.error:
        return FileVerdict(f.id, f.title, f.path, UNKNOWN, f.error)
    if f.problem:
        return FileVerdict(f.id, f.title, f.path, BROKEN, f.problem)
    if entry is not None and entry.md5 is not None and f.md5 != entry.md5:
        return FileVerdict(
            f.id, f.title, f.path, BROKEN, f"md5 {f.md5} is not the publisher's {entry.md5}"
        )
    other_id = entry.proof.same_length_as if entry is not None else None
    other = data.file(other_id) if other_id else None
    if other is not None and other.length is not None and f.length != other.length:
        return FileVerdict(
            f.id, f.title, f.path, BROKEN, f"{f.length} entries but {other.id} has {other.length}"
        )
    proof = "structure and md5" if entry is not None and entry.md5 else "structure"
    return FileVerdict(f.id, f.title, f.path, PASS, f"{f.observed} (proven by {proof})")


def judge_files(data: DataFacts) -> list[FileVerdict]:
    """Each file's verdict, in the table's order."""
    return [_judge(f, data) for f in data.files]


def overall(verdicts: list[FileVerdict]) -> str:
    """PASS when every file is, MISSING or BROKEN when one is (BROKEN first), else UNKNOWN."""
    seen = {v.verdict for v in verdicts}
    for verdict in (BROKEN, MISSING, UNKNOWN):
        if verdict in seen:
            return verdict
    return PASS


def _names(verdicts: list[FileVerdict]) -> str:
    return ", ".join(v.id for v in verdicts)


def check_course_data(facts: Facts, params: dict[str, Any]) -> Outcome:
    expected = "every file of the course's data present and whole"
    section = facts.sections.get("course_data")
    if section is None:
        return not_given("not looked at (a report from before `dlcheck data`)", expected)
    data = data_facts(facts.sections)
    if data is None or data.error:
        return unknown(f"unknown ({data.error if data else 'no section'})", expected)
    verdicts = judge_files(data)
    missing = [v for v in verdicts if v.verdict == MISSING]
    broken = [v for v in verdicts if v.verdict == BROKEN]
    unread = [v for v in verdicts if v.verdict == UNKNOWN]
    if missing or broken:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing ({_names(missing)})")
        if broken:
            parts.append(f"{len(broken)} broken ({_names(broken)})")
        return unmet("; ".join(parts) + f" in {data.folder} and the caches", expected)
    if unread:
        return unknown(f"{len(unread)} unreadable ({_names(unread)})", expected)
    return met(f"{len(verdicts)} files present and whole", expected)


def _validate(params: dict[str, Any]) -> str | None:
    return None


DATA_CHECKS: dict[str, Check] = {"course_data": Check(check_course_data, _validate)}


VERDICT_WORDS = {
    PASS: "DATA READY",
    MISSING: "DATA MISSING",
    BROKEN: "DATA BROKEN",
    UNKNOWN: "NOT VERIFIED",
}
EXIT_CODES = {PASS: 0, MISSING: 1, BROKEN: 1, UNKNOWN: 3}  # as `dlcheck check`


@dataclass(frozen=True)
class DataCheck:
    """``dlcheck data check``'s record: the facts, each file's verdict, the overall one and
    the next step (the command that fetches what is missing; none when all is there)."""

    facts: DataFacts
    files: list[FileVerdict]
    verdict: str
    next_step: list[str]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        from dlcheck.records import to_dict

        return {
            "verdict": VERDICT_WORDS[self.verdict],
            "facts": self.facts.to_dict(),
            "files": to_dict(self.files),
            "next_step": list(self.next_step),
        }


def judge_data(data: DataFacts, fetch: list[str]) -> DataCheck:
    """The files judged; ``fetch``: the command that fetches into the same places."""
    verdicts = judge_files(data)
    verdict = overall(verdicts)
    return DataCheck(data, verdicts, verdict, [] if verdict in (PASS, UNKNOWN) else fetch)
