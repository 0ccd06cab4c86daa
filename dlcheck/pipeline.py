"""The probing pipeline of `dlcheck check`: load the inputs, run the probes (the core's and
every registered feature's, dlcheck/features.py), anonymise if asked, judge. ``--from`` reads
the facts of a saved report instead of probing (with a saved ``<stem>.bench.json`` next to
it), so the same profile judges them again."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dlcheck.errors import UserError
from dlcheck.features import (
    FEATURES,
    ProbeOptions,
    course_kernel,
    kernel_to_check,
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
    python: str | None = None,
    kernel: str | None = None,
    interpreter_timeout: float | None = None,
) -> Report:
    """Probe this machine (or read ``from_path``) and judge it. Inputs (profile, places, a
    benchmark file) are loaded before the probes run, so a bad one fails fast. The features'
    probes start first (framework probes run in their own processes and overlap the core's
    hardware probes) and finish once the core facts are in; the CLI turns frameworks on by
    default. With ``from_path``, each feature's sibling input given here or saved next to the
    report (the benchmark's ``<stem>.bench.json``) replaces its saved section. ``strict``:
    required findings left unchecked count too (``verdict.overall``). ``python`` (a path) or
    ``kernel`` (a Jupyter kernel's name): the interpreter-dependent facts come from that
    interpreter (``choose_interpreter``), the hardware's from this machine; its probe may take
    ``interpreter_timeout`` seconds (None: ``PROBE_TIMEOUT``, a cold start's 15 s)."""
    for name, value in (("timeout", timeout), ("framework_timeout", framework_timeout)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(None, f"{name} must be a number of seconds, not {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise UserError(None, f"{name} must be a finite number of seconds > 0, not {value!r}")
    if (python or kernel) and from_path:
        raise UserError(None, "--python and --kernel check a live interpreter: not with --from")
    if python and kernel:
        raise UserError(None, "--python and --kernel both name the interpreter: give one")
    saved = None  # the --from document, read once
    if from_path and profile_path is None and course is None and setup is None:  # as checked
        from dlcheck.documents import read_document
        from dlcheck.profile import report_course

        saved = read_document(from_path, ["dlcheck.report"])
        course = report_course(saved.data)
    profile = load_profile(profile_path, course)
    places = load_places(places_path)
    if setup is not None and from_path:
        raise UserError(None, "--setup compares the running environment: not with --from")
    interp, tool = (
        (None, None)
        if from_path
        else choose_interpreter(python, kernel, profile, interpreter_timeout)
    )
    options = ProbeOptions(frameworks, framework_timeout, bench_path, setup, interp)
    refuse_options(options)  # each feature's own options (an unknown setup)
    if from_path:
        facts = saved.record() if saved is not None else load_report_facts(from_path)
        facts = read_sibling_inputs(facts, sibling_inputs(from_path, options))
    else:
        from dlcheck.probes import collect_facts

        pending = [(f.name, f.start(options)) for f in FEATURES]
        facts = collect_facts(disk_path=disk_path, timeout=timeout, interpreter=interp, tool=tool)
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


def choose_interpreter(
    python: str | None, kernel: str | None, profile: Any, timeout: float | None = None
) -> tuple[Any, str | None]:
    """The interpreter to check, probed (None: the running one), and the tool environment
    dlcheck runs from (pipx, uv tool, uvx; None). ``--python``, else ``--kernel``; run as a
    tool, the active VIRTUAL_ENV or CONDA_PREFIX, else the kernel that runs the course (the
    profile's kernel_runs_course requirement says what that needs). UserError for a path or
    kernel that is not a working Python 3.8+ (or gives no answer within ``timeout`` s)."""
    import os
    import sys

    from dlcheck.probes.interpreter import (
        PROBE_TIMEOUT,
        active_environment,
        probe_interpreter,
        tool_environment,
    )

    limit = PROBE_TIMEOUT if timeout is None else timeout

    tool = tool_environment()
    if python:
        return probe_interpreter(python, "--python", timeout=limit), tool
    if kernel:
        exe, env = kernel_to_check(kernel)
        return probe_interpreter(exe, f"--kernel {kernel}", env, limit), tool
    if tool is None:
        return None, None
    active = active_environment(os.environ)
    if active and os.path.realpath(os.path.dirname(os.path.dirname(active[0]))) != os.path.realpath(
        sys.prefix
    ):
        return probe_interpreter(active[0], active[1], timeout=limit), tool
    params = next((r.params for r in profile.requirements if r.check == "kernel_runs_course"), {})
    found = course_kernel(params)
    if found is None:
        return None, tool
    exe, label, env = found
    return probe_interpreter(exe, label, env, limit), tool
