"""The report: facts, the profile they were judged against, findings and the verdict.
Its JSON form (schema ``dlcheck.report``) round-trips: ``--from`` re-enters at the facts."""

from __future__ import annotations

import dataclasses
import getpass
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlcheck import __version__
from dlcheck.errors import UserError
from dlcheck.normalize import normalize_report
from dlcheck.places import Places, load_places
from dlcheck.profile import Profile, load_profile
from dlcheck.records import Facts, RecordError, from_dict, to_dict
from dlcheck.verdict import Finding, evaluate, exit_code, install_command, overall

SCHEMA = "dlcheck.report"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Report:
    facts: Facts
    profile: Profile
    places: Places
    findings: list[Finding]
    verdict: str
    anonymized: bool = False
    source: str | None = None  # the saved report this was re-evaluated from

    @property
    def exit_code(self) -> int:
        return exit_code(self.verdict)

    def counts(self) -> dict[str, int]:
        out = {"PASS": 0, "WARN": 0, "FAIL": 0, "UNKNOWN": 0}
        for f in self.findings:
            out[f.verdict] = out.get(f.verdict, 0) + 1
        return out

    def install_command(self) -> str | None:
        """One command that installs every missing course package, only where it can work."""
        return install_command(self)

    def to_json_dict(self) -> dict[str, Any]:
        """The documented, versioned JSON form (docs/schema.md)."""
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kind": "check",
            "dlcheck_version": __version__,
            "created": self.facts.created,
            "anonymized": self.anonymized,
            "source": self.source,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "profile": {
                "name": self.profile.name,
                "title": self.profile.title,
                "version": self.profile.version,
                "source": self.profile.source,
            },
            "places_checked": self.places.checked,
            "install_command": self.install_command(),
            "findings": to_dict(self.findings),
            "facts": to_dict(self.facts),
        }

    def to_json(self) -> str:
        """The JSON text, without a final newline (the one writer: dlcheck.documents)."""
        from dlcheck.documents import document_json

        return document_json(self.to_json_dict()).rstrip("\n")

    def _repr_html_(self) -> str:
        from dlcheck.render.html import render_html

        return render_html(self)

    def __repr__(self) -> str:
        from dlcheck.render.html import render_repr

        return render_repr(self)


_HOME_RE = re.compile(r"(/home/|/Users/|[A-Za-z]:\\Users\\|/var/home/)([^/\\\s]+)")


def anonymize_facts(facts: Facts, user: str | None = None, home: str | None = None) -> Facts:
    """Remove the hostname, the user name and home paths from every text field."""
    try:
        user = user if user is not None else getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser fails without a passwd entry
        user = ""
    home = home if home is not None else str(Path.home())

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            if home and home not in ("/", "") and home in value:
                value = value.replace(home, "~")
            value = _HOME_RE.sub(lambda m: "~", value)
            if user and len(user) >= 3:
                value = re.sub(rf"\b{re.escape(user)}\b", "<user>", value)
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    data = to_dict(facts)
    data["platform"]["hostname"] = None
    return from_dict(Facts, clean(data))


def load_report_facts(path: str | Path) -> Facts:
    """Read the facts of a saved ``dlcheck check --json`` report; UserError if unusable."""
    from dlcheck.documents import REPORT, read_document

    return read_document(path, [REPORT.name]).record()


def facts_from_report_dict(data: Any, where: str, header_checked: bool = False) -> Facts:
    """THE one place where a raw report dictionary becomes typed facts (``--from``,
    ``env recommend --from``, ``dlcheck report``): schema name, version and number ranges
    checked by the document layer, then the facts rebuilt as records."""
    from dlcheck.documents import REPORT, check_header

    if not header_checked:
        check_header(data, where, [REPORT.name])
    if "facts" not in data:
        raise UserError(where, "report has no 'facts'")
    data, notes = normalize_report(data)  # synonyms, derived fields, absent sections
    try:
        facts = from_dict(Facts, data["facts"], "facts")
        if notes:
            facts = dataclasses.replace(facts, extra={**facts.extra, "normalized": notes})
        return facts
    except RecordError as exc:
        from dlcheck.sanitize import clean

        raise UserError(where, clean(f"malformed facts: {exc}", 300)) from None


def judge(
    facts: Facts,
    profile: Profile,
    places: Places,
    anonymized: bool = False,
    source: str | None = None,
) -> Report:
    """Evaluate facts against a profile into a report."""
    findings = evaluate(facts, profile, places)
    return Report(facts, profile, places, findings, overall(findings), anonymized, source)


def build_report(
    profile_path: str | None = None,
    disk_path: str | None = None,
    places_path: str | None = None,
    anonymize: bool = False,
    timeout: float = 5.0,
    from_path: str | None = None,
    frameworks: bool = False,
    framework_timeout: float = 60.0,
) -> Report:
    """Probe this machine (or read ``from_path``) and judge it. Inputs are loaded before the
    probes run, so a bad profile fails fast. Framework probes (``frameworks``) run in their
    own processes, started first so that they overlap the hardware probes; the CLI turns them
    on by default."""
    import math

    from dlcheck.probes import collect_facts

    for name, value in (("timeout", timeout), ("framework_timeout", framework_timeout)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(None, f"{name} must be a number of seconds, not {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise UserError(None, f"{name} must be a finite number of seconds > 0, not {value!r}")
    profile = load_profile(profile_path)
    places = load_places(places_path)
    if from_path:
        facts = load_report_facts(from_path)
    else:
        running = None
        if frameworks:
            from dlcheck.frameworks import start_frameworks
            from dlcheck.probes.packages import installed_distributions

            running = start_frameworks(installed_distributions(), timeout=framework_timeout)
        facts = collect_facts(disk_path=disk_path, timeout=timeout)
        if running is not None:
            facts = dataclasses.replace(
                facts, extra={**facts.extra, "frameworks": to_dict(running.result())}
            )
        # Was this environment made from one of our setups (envs/)? Then show `env verify`.
        from dlcheck.envs.detect import environment_section

        env_section = environment_section(installed=facts.packages.versions)
        if env_section is not None:
            facts = dataclasses.replace(facts, extra={**facts.extra, "environment": env_section})
    if anonymize:
        facts = anonymize_facts(facts)
    return judge(facts, profile, places, anonymize, from_path)
