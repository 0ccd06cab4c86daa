"""The probing pipeline of `dlcheck check`: load the inputs, run the probes (the core's and
every registered feature's, dlcheck/features.py), anonymise if asked, judge. ``--from`` reads
the facts of a saved report instead of probing (with a saved ``<stem>.bench.json`` next to
it), so the same profile judges them again."""

from __future__ import annotations

import dataclasses
import math

from dlcheck.errors import UserError
from dlcheck.features import (
    FEATURES,
    ProbeOptions,
    read_sibling_inputs,
    refuse_options,
    sibling_inputs,
)
from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.report import Report, judge, load_report_facts


def build_report(
    profile_path: str | None = None,
    disk_path: str | None = None,
    places_path: str | None = None,
    anonymize: bool = False,
    timeout: float = 5.0,
    from_path: str | None = None,
    frameworks: bool = False,
    framework_timeout: float = 60.0,
    bench_path: str | None = None,
    setup: str | None = None,
    strict: bool = False,
    course: str | None = None,
) -> Report:
    """Probe this machine (or read ``from_path``) and judge it. Inputs (profile, places, a
    benchmark file) are loaded before the probes run, so a bad one fails fast. The features'
    probes start first (framework probes run in their own processes and overlap the core's
    hardware probes) and finish once the core facts are in; the CLI turns frameworks on by
    default. With ``from_path``, each feature's sibling input given here or saved next to the
    report (the benchmark's ``<stem>.bench.json``) replaces its saved section. ``strict``:
    required findings left unchecked count too (``verdict.overall``)."""
    for name, value in (("timeout", timeout), ("framework_timeout", framework_timeout)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(None, f"{name} must be a number of seconds, not {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise UserError(None, f"{name} must be a finite number of seconds > 0, not {value!r}")
    saved = None  # the --from document, read once
    if from_path and profile_path is None and course is None and setup is None:  # as checked
        from dlcheck.documents import read_document
        from dlcheck.profile import report_course

        saved = read_document(from_path, ["dlcheck.report"])
        course = report_course(saved.data)
    profile = load_profile(profile_path, course)
    places = load_places(places_path)
    options = ProbeOptions(frameworks, framework_timeout, bench_path, setup)
    if setup is not None and from_path:
        raise UserError(None, "--setup compares the running environment: not with --from")
    refuse_options(options)  # each feature's own options (an unknown setup)
    if from_path:
        facts = saved.record() if saved is not None else load_report_facts(from_path)
        facts = read_sibling_inputs(facts, sibling_inputs(from_path, options))
    else:
        from dlcheck.probes import collect_facts

        pending = [(f.name, f.start(options)) for f in FEATURES]
        facts = collect_facts(disk_path=disk_path, timeout=timeout)
        sections = {}
        for name, finish in pending:
            data = finish(facts) if finish is not None else None
            if data is not None:
                sections[name] = data
        if sections:
            facts = dataclasses.replace(facts, sections={**facts.sections, **sections})
    if anonymize:
        from dlcheck.anonymize import anonymize_facts

        facts = anonymize_facts(facts)
    return judge(facts, profile, places, anonymize, from_path, strict)
