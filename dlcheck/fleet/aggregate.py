"""Merging parts into one row per machine, and the fleet's summary. Pure functions."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from dlcheck.fleet.model import (
    UNKNOWN_VERDICT,
    VERDICT_RANK,
    BenchPart,
    CheckPart,
    EnvPart,
    Fleet,
    FleetSummary,
    MachineRow,
    Part,
    Skipped,
)
from dlcheck.sanitize import clean
from dlcheck.verdict import NOT_READY

# File names that say what a file is, not whose it is: results/pc07/check.json.
_GENERIC_STEMS = {"check", "env", "env-verify", "verify", "bench", "report", "dlcheck", "result"}
TOP = 5


def group_of(path: str) -> str:
    """Files of one machine without a host name belong together by name:
    ``dir/pc07.check.json``, ``dir/pc07.env.json`` and ``dir/pc07.bench.json`` -> ``dir/pc07``;
    ``dir/pc07/check.json`` -> ``dir/pc07``."""
    folder, name = os.path.split(path)
    stem = name.split(".", 1)[0]
    if not stem or stem.lower() in _GENERIC_STEMS:
        return folder
    return os.path.join(folder, stem)


def _key(host: str, hardware: str) -> str:
    return f"{host}\0{hardware}" if hardware else host


def anon_path(path: str) -> str:
    """A file's path with every folder and file name replaced (they often hold host names:
    ``hosts/alice-laptop.check.json``); the extension stays."""
    ext = ".json" if path.endswith(".json") else ""
    return anon_id(path) + ext


def anon_id(key: str) -> str:
    """A stable id that does not show the name it was made from."""
    return "anon-" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:8]


@dataclass
class _Machine:
    """The newest result of each kind for one machine (older ones are dropped as read)."""

    check: CheckPart | None = None
    env: EnvPart | None = None
    bench: BenchPart | None = None

    def add(self, part: Part) -> None:
        slot = (
            "check"
            if isinstance(part, CheckPart)
            else "env"
            if isinstance(part, EnvPart)
            else "bench"
        )
        old = getattr(self, slot)
        # The newest wins; on a tie the path decides, so the order files are read in does not.
        if old is None or (part.created, part.path) > (old.created, old.path):
            setattr(self, slot, part)

    def merge(self, other: _Machine) -> None:
        for part in (other.check, other.env, other.bench):
            if part is not None:
                self.add(part)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(p.path for p in (self.check, self.env, self.bench) if p is not None)


class FleetBuilder:
    """Collects parts one at a time; ``build()`` gives the fleet. Holds one small record
    per machine and per skipped file, never a file's content."""

    def __init__(self, anonymize: bool = False, profile: str | None = None) -> None:
        self.anonymize = anonymize
        self.profile = profile
        self.by_host: dict[str, _Machine] = {}
        self.by_group: dict[str, _Machine] = {}  # files without a host name
        self.skipped: list[Skipped] = []
        self.references: list[BenchPart] = []  # published results: compared with, not machines
        self.files = 0

    def add(self, item: Part | Skipped) -> None:
        self.files += 1
        if isinstance(item, Skipped):
            self.skipped.append(item)
            return
        if isinstance(item, BenchPart) and item.reference:
            self.references.append(item)
            return
        if item.host:
            # A check report names its hardware: one host name with two different machines
            # behind it (three learners' laptops all called "ubuntu") stays two machines.
            hardware = item.hardware if isinstance(item, CheckPart) else ""
            self.by_host.setdefault(_key(item.host, hardware), _Machine()).add(item)
        else:
            self.by_group.setdefault(group_of(item.path), _Machine()).add(item)

    def add_all(self, items: Iterable[Part | Skipped]) -> FleetBuilder:
        for item in items:
            self.add(item)
        return self

    def _by_name(self) -> dict[str, list[tuple[str, _Machine]]]:
        """Machines of each host name: one per hardware seen in its check reports; results
        without hardware (env, bench) join the machine whose files share their name, or the
        only one; when several machines have the name and none shares the files' name, the
        results stay a machine of their own (never pinned on a machine they may not be from:
        a benchmark on a laptop that cannot run TensorFlow)."""
        names: dict[str, list[tuple[str, _Machine]]] = {}
        loose: dict[str, _Machine] = {}
        for key, m in sorted(self.by_host.items()):
            host, _, hardware = key.partition("\0")
            if hardware:
                names.setdefault(host, []).append((hardware, m))
            else:
                loose[host] = m
        for host, m in loose.items():
            variants = names.get(host)
            if not variants:
                names[host] = [("", m)]
                continue
            groups = {group_of(src) for src in m.sources}
            target = variants[0][1] if len(variants) == 1 else None
            for _, v in variants:
                if groups & {group_of(src) for src in v.sources}:
                    target = v
                    break
            if target is None:
                variants.append(("", m))
            else:
                target.merge(m)
        return names

    def build(self) -> Fleet:
        machines: dict[str, tuple[str, bool, _Machine, int]] = {}
        for host, variants in self._by_name().items():
            n = len(variants)
            for i, (hardware, m) in enumerate(variants, 1):
                if n == 1:
                    name = anon_id(host) if self.anonymize else host
                    machines[host] = (name, self.anonymize, m, 1)
                else:
                    name = anon_id(_key(host, hardware)) if self.anonymize else host
                    name = f"{name} (machine {i} of {n} with this name)"
                    machines[_key(host, hardware)] = (name, self.anonymize, m, n)
        # A file without a host name joins the machine whose kept files share its name; only
        # kept files count, so that memory does not grow with superseded ones.
        group_host: dict[str, str] = {}
        if self.by_group:
            for key, (_, _, m, _) in machines.items():
                for src in m.sources:
                    group_host.setdefault(group_of(src), key)
        for group, m in self.by_group.items():
            key = group_host.get(group)
            if key is not None:
                machines[key][2].merge(m)
            else:
                machines["\0" + group] = (anon_id(group), True, m, 1)
        rows = [
            make_row(name, anon, m, shared, self.anonymize)
            for name, anon, m, shared in machines.values()
        ]
        rows.sort(key=lambda r: (-VERDICT_RANK.get(r.verdict, 2), r.machine))
        self.skipped.sort(key=lambda s: s.path)
        skipped = [Skipped(clean(s.path), clean(s.reason)) for s in self.skipped]
        if self.anonymize:
            skipped = [Skipped(anon_path(s.path), s.reason) for s in skipped]
        return Fleet(
            rows,
            summarize(rows, self.files, len(self.skipped), self._titles()),
            skipped,
            self.profile,
            sorted(self.references, key=lambda b: (b.host or "", b.path)),
        )

    def _titles(self) -> dict[str, str]:
        titles: dict[str, str] = {}
        for m in [*self.by_host.values(), *self.by_group.values()]:
            if m.check is not None:
                titles.update(m.check.titles)
        return titles


def make_row(
    name: str, anonymized: bool, m: _Machine, shared: int = 1, hide_paths: bool = False
) -> MachineRow:
    c, e, b = m.check, m.env, m.bench
    verdicts = [p.verdict for p in (c, e) if p is not None]
    if b is not None:
        verdicts.append(b.overall)
    verdict = max(verdicts, key=lambda v: VERDICT_RANK.get(v, 2)) if verdicts else UNKNOWN_VERDICT
    if c is None and verdict != NOT_READY:
        verdict = UNKNOWN_VERDICT  # no check report: nobody looked at the requirements
    failing = list(c.failing) if c else []
    if c is None:
        failing.append("no-check-report")
    if e is not None and e.verdict == NOT_READY:
        failing.append("environment")
    if b is not None and b.overall == NOT_READY:
        failing.append("benchmark")
    env = ""
    if e is not None:
        env = e.status
        there = c.environment if c is not None else ""
        if e.prefix and there and _folder(e.prefix) != _folder(there):
            shown = (lambda p: anon_id(p)) if hide_paths else (lambda p: p)
            env += (
                f"; environments differ: env verify of {shown(e.prefix)}, "
                f"the check ran in {shown(there)}"
            )
    elif c is not None:
        env = c.env_status  # what the check found of its locked setup
    bench = ""
    if b is not None:
        bench = b.workload or "benchmark"
        if b.images_per_s is not None:
            bench += f": {b.images_per_s:,.0f} img/s"
    return MachineRow(
        machine=name,
        anonymized=anonymized or bool(c and c.anonymized),
        os=c.os if c else "",
        cpu=c.cpu if c else "",
        cores=c.cores if c else None,
        ram_bytes=c.ram_bytes if c else None,
        gpu=c.gpu if c else "",
        env=env,
        bench=bench,
        bench_verdict=b.verdict if b else "",
        ep4_seconds=b.ep4_seconds if b else None,
        check_verdict=c.verdict if c else "",
        verdict=verdict,
        failing=tuple(failing),
        sources=tuple(anon_path(p) if hide_paths else clean(p) for p in m.sources),
        shared_name=shared,
        first_step=c.first_step if c else "",
        course=c.course if c else "",
        checked=_when(c.created) if c else "",
        saved_verdict=c.saved_verdict if c else "",
        repair=e.repair if e else "",
    )


def _folder(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").lower() if "\\" in path else path.rstrip("/")


def _when(created: str) -> str:
    """``2026-11-20T09:00:00+00:00`` as ``2026-11-20 09:00`` (the time as written)."""
    return created[:16].replace("T", " ") if len(created) >= 16 else created


_SPECIAL_TITLES = {
    "no-check-report": "no dlcheck check report for this machine",
    "environment": "locked environment does not verify",
    "benchmark": "benchmark verdict: too slow or failed",
}


def top_with_ties(ranked: list[tuple[str, int]], top: int = TOP) -> list[tuple[str, int]]:
    """The ``top`` most common failures (``ranked``: most machines first, then by id), and
    every other one tied with the last of them, so a tie is never cut at random (up to
    twice ``top``; what is left is said as "and N more")."""
    shown = ranked[:top]
    if len(shown) == top:
        last = shown[-1][1]
        for item in ranked[top : 2 * top]:
            if item[1] != last:
                break
            shown.append(item)
    return shown


def summarize(
    rows: list[MachineRow], files: int, skipped: int, titles: dict[str, str] | None = None
) -> FleetSummary:
    titles = {**_SPECIAL_TITLES, **(titles or {})}
    by_verdict = Counter(r.verdict for r in rows)
    fails = Counter(f for r in rows for f in dict.fromkeys(r.failing))
    ranked = sorted(fails.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = top_with_ties(ranked)
    common = [(fid, titles.get(fid, fid), n) for fid, n in shown]
    rest = ranked[len(shown) :]
    timed = sorted(
        ((r.machine, r.ep4_seconds) for r in rows if r.ep4_seconds is not None),
        key=lambda t: (t[1], t[0]),
    )
    k = min(3, (len(timed) + 1) // 2) if len(timed) > 1 else len(timed)
    firsts = Counter(r.first_step for r in rows if r.first_step)
    courses = Counter(r.course for r in rows if r.course)
    return FleetSummary(
        machines=len(rows),
        ready=sum(1 for r in rows if r.ready),
        by_verdict=dict(sorted(by_verdict.items(), key=lambda kv: VERDICT_RANK.get(kv[0], 2))),
        common_failures=common,
        more_failures=len(rest),
        more_failures_most=rest[0][1] if rest else 0,
        fastest=timed[:k],
        slowest=list(reversed(timed[-k:])) if timed else [],
        files_read=files,
        skipped=skipped,
        common_first_steps=sorted(firsts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP],
        courses=sorted(courses.items(), key=lambda kv: (-kv[1], kv[0])),
    )
