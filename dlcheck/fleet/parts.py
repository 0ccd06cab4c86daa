"""One saved result (check report, env verify, bench) reduced to a row-sized part.

Each file is read, parsed, reduced to a part and dropped; every problem with one file
becomes a ``Skipped`` with its reason. Walking folders and reading many files in parallel is
dlcheck/fleet/read.py.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from dlcheck.documents import BENCH, ENV_VERIFY, REPORT, check_header
from dlcheck.errors import UserError
from dlcheck.fleet.model import (
    UNKNOWN_VERDICT,
    BenchPart,
    CheckPart,
    EnvPart,
    Part,
    Skipped,
)
from dlcheck.profile import report_course
from dlcheck.records import Facts, RecordError, from_dict, projection
from dlcheck.sanitize import clean as sanitize
from dlcheck.userfiles import read_json
from dlcheck.verdict import FAIL, NOT_READY, NOT_VERIFIED, READY, READY_WITH_WARNINGS, WARN

CHECK_SCHEMA = REPORT.name
CHECK_VERSION = REPORT.version
ENV_SCHEMA = ENV_VERIFY.name
BENCH_SCHEMA = BENCH.name
MAX_BYTES = 16 * 1024 * 1024  # no dlcheck result comes near this; bigger is not ours
MAX_TEXT = 200  # longest value a cell shows


def max_versions() -> dict[str, int]:
    """The newest schema version of each kind that this dlcheck reads."""
    return {
        CHECK_SCHEMA: CHECK_VERSION,
        ENV_SCHEMA: ENV_VERIFY.version,
        BENCH_SCHEMA: BENCH.version,
    }


def clean(value: Any, limit: int = MAX_TEXT) -> str:
    """A value from a machine as one line of plain text (dlcheck.sanitize.clean: escape
    sequences removed, control and bidi characters made visible, length bounded)."""
    if value is None:
        return ""
    return sanitize(value, limit)


def read_part(
    path: str | Path | Skipped, versions: dict[str, int], rejudge: Any = None
) -> Part | Skipped:
    """One file as a part, or why it is skipped. ``rejudge(data, where)`` re-evaluates a
    check report (``--profile``) and returns (verdict, findings as dicts). The file goes
    through the safe reader and the document layer (dlcheck.documents)."""
    if isinstance(path, Skipped):  # a folder that could not be listed
        return path
    where = str(path)
    try:
        data = read_json(path, MAX_BYTES, max_depth=None)  # depth: in check_header's walk
        schema = data.get("schema") if isinstance(data, dict) else None
        written = data.get("schema_version") if isinstance(data, dict) else None
        if schema in versions:
            version = data.get("schema_version")
            if isinstance(version, int) and not isinstance(version, bool):
                if version > versions[schema]:
                    return Skipped(
                        where,
                        f"{schema} schema_version {version} is newer than this dlcheck reads "
                        f"({versions[schema]}); upgrade dlcheck",
                    )
                # an older writer's version is read as this one's (fields are optional)
                data = {**data, "schema_version": min(version, _known(schema))}
        check_header(data, where, list(versions))
        if schema == CHECK_SCHEMA:
            return check_part(data, where, written, rejudge)
        if schema == ENV_SCHEMA:
            return env_part(data, where)
        return bench_part(data, where)
    except UserError as exc:
        return Skipped(where, exc.problem)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        return Skipped(where, clean(f"malformed result ({type(exc).__name__}: {exc})", 300))


def _known(schema: str) -> int:
    from dlcheck.documents import KINDS

    return KINDS[schema].version


def _obj(data: Any, key: str, where: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UserError(where, f"malformed: '{key}' is not an object")
    return value


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# The facts a row shows, as typed records: the fields of dlcheck.records' Facts that a row
# needs (their types taken from Facts, each optional), read by the same from_dict (types
# checked) and nothing else, so that a report's package list and CPU flags are not rebuilt
# 10,000 times.
_FactsRow = projection(
    Facts,
    "FactsRow",
    {
        "created": None,
        "platform": ("system", "os_name", "machine", "wsl", "hostname"),
        "python": ("executable", "prefix"),
        "cpu": ("model", "logical_cores", "usable_cores"),
        "memory": ("total_bytes", "effective_bytes"),
        "gpu": {"gpus": ("vendor", "name"), "nvidia_status": None},
    },
)


def check_part(data: dict[str, Any], where: str, version: int, rejudge: Any = None) -> CheckPart:
    """Reduce a check report to its row. The facts a row shows are read as typed records
    (types checked; ranges were checked by the document layer); missing sections (older
    writers) read as unknown."""
    if not isinstance(data.get("facts"), dict):
        raise UserError(where, "report has no 'facts'")
    try:
        facts = from_dict(_FactsRow, data["facts"], "facts")
    except RecordError as exc:
        raise UserError(where, clean(f"malformed facts: {exc}", 300)) from None
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else None
    course = report_course(data)  # a saved verdict: against the course it was checked with
    saved, findings = data.get("verdict"), data.get("findings")
    if not isinstance(findings, list):
        raise UserError(where, "malformed: 'findings' is not a list")
    if saved not in (READY, READY_WITH_WARNINGS, NOT_READY, NOT_VERIFIED):
        raise UserError(where, f"malformed: unknown verdict {clean(saved, 40)!r}")
    verdict = saved
    more: list[Any] = []
    if rejudge is not None:  # judged again from its facts, as `check --from` judges them
        try:
            verdict, findings, *more = rejudge(data, where)
        except UserError:  # facts `check --from` cannot read: the row keeps what was saved
            more = []
        plan = more[0] if more else plan
        course = more[1] if len(more) > 1 else course
    failing, titles, warnings = [], [], 0
    for f in findings:
        if not isinstance(f, dict):
            raise UserError(where, "malformed: a finding is not an object")
        if f.get("verdict") == FAIL:
            fid = clean(f.get("id"), 80)
            failing.append(fid)
            titles.append((fid, clean(f.get("title"), 120)))
        elif f.get("verdict") == WARN:
            warnings += 1
    plat, cpu, mem, gpu = facts.platform, facts.cpu, facts.memory, facts.gpu
    os_name = clean(plat.os_name or plat.system or "unknown")
    if plat.machine:
        os_name += f" {clean(plat.machine, 20)}"
    if plat.wsl:
        os_name += " (WSL)"
    names = [clean(g.name or g.vendor, 80) for g in gpu.gpus]
    if names:
        gpu_text = "; ".join(names)
    elif gpu.nvidia_status == "error":
        gpu_text = "NVIDIA driver problem"
    else:
        gpu_text = "none"
    host = plat.hostname
    hardware = "|".join(
        str(x)
        for x in (
            plat.machine,
            cpu.model,
            getattr(cpu, "logical_cores", None),
            mem.total_bytes,
            ";".join(sorted(str(g.name) for g in gpu.gpus)),
        )
    )
    return CheckPart(
        path=where,
        host=clean(host) if isinstance(host, str) and host else None,
        anonymized=bool(data.get("anonymized")),
        created=clean(data.get("created") or facts.created, 40),
        os=os_name,
        cpu=clean(cpu.model or "unknown"),
        cores=cpu.usable_cores,
        ram_bytes=mem.effective_bytes,
        gpu=gpu_text,
        verdict=verdict,
        failing=tuple(failing),
        warnings=warnings,
        titles=tuple(titles),
        schema_version=version,
        hardware=hardware,
        first_step=first_step(data, where, plan),
        course=course,
        saved_verdict=saved if saved != verdict else "",
        environment=clean(environment_of(facts.python.prefix, facts.python.executable), 300),
        env_status=locked_setup_status(data["facts"].get("environment")),
    )


def environment_of(prefix: Any, executable: Any) -> str:
    """The folder of the Python environment a check ran in: its prefix, else the folder
    above the executable's ``bin`` or ``Scripts``; "" when the report does not say."""
    if isinstance(prefix, str) and prefix:
        return prefix.rstrip("/\\") or prefix
    if not isinstance(executable, str) or not executable:
        return ""
    sep = "\\" if "\\" in executable and "/" not in executable else "/"
    parts = executable.rstrip(sep).split(sep)[:-1]
    if parts and parts[-1] in ("bin", "Scripts"):
        parts = parts[:-1]
    return sep.join(parts) or sep


def locked_setup_status(section: Any) -> str:
    """What a check report found of its locked setup (its environment section), as the
    Environment column says it: "cpu: matches its lock (dlcheck check)", "" when none."""
    if not isinstance(section, dict) or not section.get("setup"):
        return ""
    from dlcheck.envs.facts import EnvironmentFacts

    try:
        env = EnvironmentFacts.from_dict(section)
    except (RecordError, TypeError, ValueError):
        return ""
    if env.error or env.incomplete:
        return f"{clean(env.setup, 40)}: {clean(env.error or 'an unfinished env create', 80)}"
    found = ", ".join(env.count_parts()) or "matches its lock"
    return f"{clean(env.setup, 40)}: {found} (dlcheck check)"


def first_step(data: dict[str, Any], where: str, plan: Any) -> str:
    """The title of the first step of a report's plan: the saved one (schema 3), else the
    report re-planned from its facts (schema 1 and 2) against its course's profile."""
    if plan is None:
        try:
            plan = _default_planner(report_course(data))(data, where)
        except UserError:
            return ""
    steps = plan.get("steps") if isinstance(plan, dict) else None
    if isinstance(steps, list) and steps and isinstance(steps[0], dict):
        return clean(steps[0].get("title"), 120)
    return ""


@lru_cache(maxsize=4)
def _default_planner(course: str) -> Any:
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import facts_from_report_dict, judge

    profile, places = load_profile(None, course), load_places(None)

    def plan_of(data: dict[str, Any], where: str) -> dict[str, Any]:
        return judge(facts_from_report_dict(data, where), profile, places).plan.to_dict()

    return plan_of


# env verify says MATCH or MISMATCH; bench says PASS, WARN, FAIL, BORDERLINE (its interval
# straddles a threshold: a warning, re-run on a quiet machine) or UNKNOWN; check says NOT
# VERIFIED when a required finding is unknown.
_OK_WORDS = {"pass", "match", "ready", "ok"}
_WARN_WORDS = {"warn", "ready with warnings", "borderline"}
_UNKNOWN_WORDS = {"unknown", "not verified"}


def _verdict_of(text: Any) -> str:
    """Map a result's own verdict word onto the fleet's READY scale."""
    if not isinstance(text, str) or not text:
        return UNKNOWN_VERDICT
    t = text.strip().lower().replace("_", " ")
    if t in _OK_WORDS:
        return READY
    if t in _WARN_WORDS:
        return READY_WITH_WARNINGS
    if t in _UNKNOWN_WORDS:
        return UNKNOWN_VERDICT
    return NOT_READY


def env_part(data: dict[str, Any], where: str) -> EnvPart:
    """Reduce an ``env verify`` result (verdict MATCH or MISMATCH, counts, the packages
    missing, different and extra) to its status."""
    verdict = data.get("verdict")
    if not isinstance(verdict, str):
        raise UserError(where, "malformed: no 'verdict'")
    counts = _obj(data, "counts", where)
    problems: list[str] = []
    for kind in ("missing", "different", "extra"):
        items = data.get(kind) or []
        if not isinstance(items, list):
            raise UserError(where, f"malformed: '{kind}' is not a list")
        problems += [_problem_text(p) for p in items]
    text = clean(verdict, 40)
    shown = [
        f"{n} {kind}"
        for kind in ("missing", "different", "extra")
        if isinstance(n := counts.get(kind), int) and not isinstance(n, bool) and n
    ]
    if shown:
        text += ": " + ", ".join(shown)
    setup = data.get("setup")
    if setup:
        text += f" ({clean(setup, 40)})"
    repair = data.get("repair")  # the result's repair route (older results have none)
    commands = repair.get("commands") if isinstance(repair, dict) else None
    command = ""
    if isinstance(commands, list) and commands and isinstance(commands[0], str):
        command = clean(commands[0], 300)
    host = data.get("hostname")
    prefix = data.get("prefix")
    return EnvPart(
        path=where,
        host=clean(host) if isinstance(host, str) and host else None,
        created=clean(data.get("created"), 40),
        status=text,
        verdict=_verdict_of(verdict),
        problems=tuple(clean(p, 120) for p in problems[:20]),
        prefix=clean(prefix, 300) if isinstance(prefix, str) else "",
        repair=command,
    )


def _problem_text(p: Any) -> str:
    if isinstance(p, dict):
        return str(p.get("name") or p.get("package") or p)
    return str(p)


def bench_part(data: dict[str, Any], where: str) -> BenchPart:
    """Reduce a ``bench`` result to its headline."""
    head = _obj(data, "headline", where)
    if not head:
        raise UserError(where, "malformed: no 'headline'")
    host = data.get("hostname")
    machine = data.get("machine")
    reference = ""
    if isinstance(machine, dict) and machine.get("id"):
        host = machine.get("id")  # a reference result names its machine: compared with
        reference = clean(machine.get("description") or "reference result", 300)
    ips = _num(head.get("train_images_per_s"))
    ep4 = _num(head.get("predicted_episode4_s"))
    verdict = head.get("verdict")
    judged = data.get("verdict")
    episode = judged.get("episode") if isinstance(judged, dict) else None
    return BenchPart(
        path=where,
        host=clean(host) if isinstance(host, str) and host else None,
        created=clean(data.get("created"), 40),
        workload=clean(head.get("workload") or "", 60),
        images_per_s=ips,
        ep4_seconds=ep4,
        verdict=clean(verdict, 60),
        overall=_verdict_of(verdict),
        reference=reference,
        deciding=episode if isinstance(episode, int) and not isinstance(episode, bool) else None,
    )
