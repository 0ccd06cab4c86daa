"""What else uses the CPU while `dlcheck bench` measures: load average against usable cores,
other processes' CPU share, steal time on VMs, frequency drops and thermal throttling, battery
and power-saving profiles. psutil reads the CPU counters and the clock (``cpu_times``,
``cpu_freq``: /proc and sysfs on Linux, the system's APIs elsewhere); the pure functions turn
its records and the sysfs throttle counters into judgements; :class:`LoadSampler` samples them
in a thread during the run. ``read_clock`` is the bench's one CPU-clock reader.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Tuple

from dlcheck.bench.sampling import Ticker

# Above these, the run is called busy and the prediction interval is widened.
BUSY_OTHER_SHARE = 0.10  # other processes used more than 10% of the usable cores
BUSY_STEAL_SHARE = 0.05  # the hypervisor took more than 5% of the CPU time
FREQ_DROP = 0.10  # the clock fell more than 10% below its start during the run
MAX_WIDEN = 0.6  # the interval is never widened by more than 60% each side for load


@dataclass(frozen=True)
class CpuTimes:
    """Aggregate CPU time counters (any unit, as long as both snapshots share it)."""

    busy: float  # user + nice + system + irq + softirq (guest is inside user)
    idle: float  # idle + iowait
    steal: float

    @property
    def total(self) -> float:
        return self.busy + self.idle + self.steal


def cpu_times_of(t: Any) -> CpuTimes:
    """psutil's ``cpu_times()`` record (any platform's fields) as busy, idle and steal."""
    busy = sum(getattr(t, k, 0.0) for k in ("user", "nice", "system", "irq", "softirq"))
    return CpuTimes(busy, t.idle + getattr(t, "iowait", 0.0), getattr(t, "steal", 0.0))


@dataclass(frozen=True)
class Clock:
    """The CPU clock in MHz: the cores' mean current clock and the maximum (None: not seen)."""

    current: float | None = None
    max: float | None = None


def clock_of(f: Any) -> Clock:
    """psutil's ``cpu_freq()`` record (None where the clock is hidden, 0 for a field it
    could not read, as in many VMs) as a :class:`Clock`."""
    if not f:
        return Clock()
    return Clock(float(f.current) if f.current else None, float(f.max) if f.max else None)


def parse_int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class Snapshot:
    """One sample: system CPU counters, this process's CPU seconds, clock and throttle count."""

    wall: float  # time.monotonic()
    cpu: CpuTimes | None  # seconds (psutil): only ratios are used
    own_cpu_s: float | None  # this process's user + system CPU seconds (threads included)
    freq_mhz: float | None = None
    throttle_count: int | None = None  # sum of the cores' thermal throttle events


def other_share(a: Snapshot, b: Snapshot, cores: float) -> float | None:
    """Fraction of ``cores`` that processes other than this one kept busy between two
    snapshots: (system busy share x all CPUs - own CPU seconds) / (wall x usable cores)."""
    if a.cpu is None or b.cpu is None or a.own_cpu_s is None or b.own_cpu_s is None:
        return None
    total = b.cpu.total - a.cpu.total
    wall = b.wall - a.wall
    if total <= 0 or wall <= 0 or cores <= 0:
        return None
    ncpu = os.cpu_count() or 1
    busy_core_s = (b.cpu.busy - a.cpu.busy) / total * ncpu * wall
    own = b.own_cpu_s - a.own_cpu_s
    return max(0.0, min(1.0, (busy_core_s - own) / (wall * cores)))


def steal_share(a: CpuTimes | None, b: CpuTimes | None) -> float | None:
    """Share of CPU time the hypervisor gave to other guests between two snapshots."""
    if a is None or b is None:
        return None
    total = b.total - a.total
    return max(0.0, (b.steal - a.steal) / total) if total > 0 else None


@dataclass(frozen=True)
class Power:
    on_battery: bool | None = None
    battery_percent: float | None = None
    profile: str | None = None  # ACPI platform profile: low-power, balanced, performance
    governor: str | None = None  # cpufreq governor of cpu0
    energy_preference: str | None = None  # energy_performance_preference of cpu0


def power_saving(p: Power) -> str | None:
    """A sentence when the machine is visibly saving power, else None."""
    bits = []
    if p.on_battery:
        pct = f" ({p.battery_percent:.0f}%)" if p.battery_percent is not None else ""
        bits.append(f"running on battery{pct}")
    if p.profile in ("low-power", "quiet", "cool"):
        bits.append(f"power profile '{p.profile}'")
    if p.energy_preference in ("power", "balance_power"):
        bits.append(f"energy preference '{p.energy_preference}'")
    return ", ".join(bits) if bits else None


@dataclass(frozen=True)
class LoadReport:
    """What else used this machine during the measurement, and how much it widens intervals."""

    usable_cores: float | None = None
    load_average_start: list[float] = field(default_factory=list)
    load_average_end: list[float] = field(default_factory=list)
    other_share_before: float | None = None  # of usable cores, before the measurement
    other_share: float | None = None  # median over the samples during the measurement
    other_share_max: float | None = None
    steal_share: float | None = None  # over the whole run
    freq_mhz_start: float | None = None
    freq_mhz_min: float | None = None
    throttle_events: int | None = None  # thermal throttle events during the run
    on_battery: bool | None = None
    power: str | None = None  # power-saving sentence, or None
    samples: int = 0
    top: list[str] = field(default_factory=list)  # "name: 95% of a core" for the busiest others
    busy: bool = False
    widen: float = 0.0  # relative widening of prediction intervals, each side
    notes: list[str] = field(default_factory=list)


def describe_load(load: LoadReport | None) -> str:
    """The load as the run recorded it, the one wording of every view: ``busy (other
    programs: 67% of the cores just before, 1% during the run, at most 7%)``; ``not
    recorded`` for an older result without it."""
    if load is None:
        return "not recorded"
    parts = []
    if load.other_share_before is not None:
        parts.append(f"{load.other_share_before:.0%} of the cores just before")
    if load.other_share is not None:
        parts.append(f"{load.other_share:.0%} during the run")
        if load.other_share_max is not None and load.other_share_max > load.other_share:
            parts.append(f"at most {load.other_share_max:.0%}")
    head = "busy" if load.busy else "quiet"
    words = f"{head} (other programs: {', '.join(parts)})" if parts else head
    if load.steal_share:  # the predictions' intervals allow for it (predict.SHARED_HOST)
        words += (f"; a VM sharing its host (the hypervisor gave {load.steal_share:.1%} of the "
                  "CPU to other guests: its speed follows theirs)")  # fmt: skip
    return words


def assess(
    usable_cores: float | None,
    load_start: list[float],
    load_end: list[float],
    before: float | None,
    during: list[float],
    steal: float | None,
    freq_start: float | None,
    freq_min: float | None,
    throttle_events: int | None,
    power: Power,
    top: list[str] | None = None,
) -> LoadReport:
    """Judge the samples: notes in words, busy or not, and the interval widening (pure)."""
    # Long by choice: one list of rules read top to bottom, each adding its note and its
    # widening, then the record; split up, the pieces would pass the same values around.
    notes: list[str] = []
    cores = usable_cores or 1.0
    widen = 0.0
    other = statistics.median(during) if during else before
    other_max = max(during) if during else None
    if other is not None and other > BUSY_OTHER_SHARE:
        busiest = f" (busiest: {', '.join(top)})" if top else ""
        notes.append(
            f"other programs used about {other:.0%} of the {cores:g} usable cores "
            f"while dlcheck measured{busiest}"
        )
        widen += other - BUSY_OTHER_SHARE / 2
    elif before is not None and before > BUSY_OTHER_SHARE:
        notes.append(f"other programs used about {before:.0%} of the cores just before")
        widen += (before - BUSY_OTHER_SHARE / 2) / 2
    if other_max is not None and other is not None and other_max > other + 0.25:
        notes.append(f"load came and went (up to {other_max:.0%} of the cores)")
        widen += (other_max - other) / 2
    if load_start and load_start[0] > cores + 0.5 and not notes:
        notes.append(f"load average {load_start[0]:.1f} on {cores:g} usable cores at the start")
        widen += min(0.3, (load_start[0] - cores) / cores / 4)
    if steal is not None and steal > BUSY_STEAL_SHARE:
        notes.append(f"the hypervisor took {steal:.0%} of the CPU time (steal: a shared VM)")
        widen += steal
    if freq_start and freq_min and freq_min < freq_start * (1 - FREQ_DROP):
        notes.append(
            f"the CPU clock fell from {freq_start:.0f} to {freq_min:.0f} MHz (heat or power saving)"
        )
        widen += 1 - freq_min / freq_start
    if throttle_events:
        notes.append(f"{throttle_events} thermal throttling events during the run")
        widen += 0.05
    saving = power_saving(power)
    if saving:
        notes.append(saving + ": training may be slower or faster on mains power / full speed")
        widen += 0.1
    widen = round(min(MAX_WIDEN, widen), 4)
    return LoadReport(
        usable_cores=usable_cores,
        load_average_start=load_start,
        load_average_end=load_end,
        other_share_before=None if before is None else round(before, 4),
        other_share=None if other is None else round(other, 4),
        other_share_max=None if other_max is None else round(other_max, 4),
        steal_share=None if steal is None else round(steal, 4),
        freq_mhz_start=freq_start,
        freq_mhz_min=freq_min,
        throttle_events=throttle_events,
        on_battery=power.on_battery,
        power=saving,
        samples=len(during),
        top=list(top or []),
        busy=bool(notes),
        widen=widen,
        notes=notes,
    )


# ---- I/O: reading the files above on this machine ----------------------------------------


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return None


def read_cpu_times() -> CpuTimes | None:
    """The machine's CPU counters since boot (psutil: /proc/stat on Linux); None if hidden."""
    try:
        import psutil

        return cpu_times_of(psutil.cpu_times())
    except Exception:  # noqa: BLE001 - unknown, not fatal
        return None


def read_own_cpu() -> float | None:
    try:
        t = os.times()
    except OSError:
        return None
    return t.user + t.system


def read_clock() -> Clock:
    """The CPU clock now (psutil: the cores' sysfs clocks on Linux, else /proc/cpuinfo; the
    system's API elsewhere): the one clock reader of `dlcheck bench`."""
    try:
        import psutil

        return clock_of(psutil.cpu_freq())
    except Exception:  # noqa: BLE001 - not visible in many VMs
        return Clock()


def read_throttle_count() -> int | None:
    total, seen = 0, False
    for i in range(os.cpu_count() or 1):
        text = _read(f"/sys/devices/system/cpu/cpu{i}/thermal_throttle/core_throttle_count")
        n = parse_int(text) if text else None
        if n is not None:
            total, seen = total + n, True
    return total if seen else None


def read_loadavg() -> list[float]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return []


def read_power() -> Power:
    on_batt = pct = None
    try:
        import psutil

        b = psutil.sensors_battery()
        if b is not None:
            on_batt, pct = (not b.power_plugged) if b.power_plugged is not None else None, b.percent
    except Exception:  # noqa: BLE001 - no battery API here
        pass

    def word(path: str) -> str | None:
        text = _read(path)
        return text.strip() or None if text else None

    return Power(
        on_battery=on_batt,
        battery_percent=pct,
        profile=word("/sys/firmware/acpi/platform_profile"),
        governor=word("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        energy_preference=word(
            "/sys/devices/system/cpu/cpu0/cpufreq/energy_performance_preference"
        ),
    )


# typing's generics: `dlcheck check --bench` reads results on Python 3.8 too
ProcessCpu = Dict[int, Tuple[str, float]]  # pid -> (name, CPU seconds so far)


def top_consumers(
    before: ProcessCpu, after: ProcessCpu, wall: float, own_pid: int, n: int = 3
) -> list[str]:
    """The ``n`` other processes that used the most CPU between two snapshots, as
    "name: 95% of a core" (only those above 5% of a core)."""
    if wall <= 0:
        return []
    used = []
    for pid, (name, cpu) in after.items():
        if pid == own_pid:
            continue
        # a process that started during the run used all its CPU time during the run
        base = before[pid][1] if pid in before and before[pid][0] == name else 0.0
        share = (cpu - base) / wall
        if share > 0.05:
            used.append((share, name))
    used.sort(reverse=True)
    return [f"{name}: {share:.0%} of a core" for share, name in used[:n]]


def read_process_cpu() -> ProcessCpu:
    out: ProcessCpu = {}
    try:
        import psutil

        for p in psutil.process_iter(["name", "cpu_times"]):
            t = p.info.get("cpu_times")
            if t is not None:
                out[p.pid] = (str(p.info.get("name") or "?"), t.user + t.system)
    except Exception:  # noqa: BLE001 - no process list here: no names, not fatal
        pass
    return out


def process_age() -> float:
    """Seconds since this process started (0 when unknown)."""
    try:
        import psutil

        return max(0.0, time.time() - psutil.Process().create_time())
    except Exception:  # noqa: BLE001
        return 0.0


def snapshot() -> Snapshot:
    return Snapshot(
        time.monotonic(), read_cpu_times(), read_own_cpu(), read_clock().current,
        read_throttle_count(),
    )  # fmt: skip


class LoadSampler:
    """Samples the machine every ``interval`` seconds in a thread from ``start()`` to
    ``stop()``; ``mark()`` separates "before" from "during" the measurement."""

    def __init__(
        self,
        usable_cores: float | None,
        interval: float = 1.0,
        take: Callable[[], Snapshot] = snapshot,
    ) -> None:
        self.cores = usable_cores or float(os.cpu_count() or 1)
        self.interval, self._take = interval, take
        self.first = take()
        self.procs = read_process_cpu()
        self.load_start = read_loadavg()
        self.power = read_power()
        self.marked: Snapshot | None = None
        self.during: list[float] = []
        self.freqs: list[float] = [self.first.freq_mhz] if self.first.freq_mhz else []
        self._last = self.first
        self._ticker = Ticker(interval, self._sample)

    def mark(self) -> None:
        """The measurement starts now; start sampling in the background."""
        self.marked = self._take()
        self._last = self.marked
        self._ticker.start()

    def _sample(self) -> None:
        s = self._take()
        share = other_share(self._last, s, self.cores)
        if share is not None:
            self.during.append(share)
        if s.freq_mhz:
            self.freqs.append(s.freq_mhz)
        self._last = s

    def stop(self, usable_cores: float | None = None) -> LoadReport:
        self._ticker.stop(2.0)
        end = self._take()
        top = top_consumers(self.procs, read_process_cpu(), end.wall - self.first.wall, os.getpid())
        if self._last is not end:
            share = other_share(self._last, end, self.cores)
            if share is not None and end.wall - self._last.wall > self.interval / 2:
                self.during.append(share)
        before = other_share(self.first, self.marked, self.cores) if self.marked else None
        throttle = None
        if self.first.throttle_count is not None and end.throttle_count is not None:
            throttle = end.throttle_count - self.first.throttle_count
        if end.freq_mhz:
            self.freqs.append(end.freq_mhz)
        return assess(
            usable_cores or self.cores,
            self.load_start,
            read_loadavg(),
            before,
            self.during,
            steal_share(self.first.cpu, end.cpu),
            self.first.freq_mhz,
            min(self.freqs) if self.freqs else None,
            throttle,
            self.power,
            top,
        )
