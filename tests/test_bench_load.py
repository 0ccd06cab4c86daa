"""The load sampler's parsers and judgement on recorded /proc snapshots and made-up samples."""

from __future__ import annotations

import os
import sys
from collections import namedtuple
from pathlib import Path

import pytest

from dlcheck.bench.load import (
    MAX_WIDEN,
    Clock,
    CpuTimes,
    LoadSampler,
    Power,
    Snapshot,
    assess,
    clock_of,
    cpu_times_of,
    other_share,
    parse_int,
    power_saving,
    read_clock,
    read_cpu_times,
    steal_share,
    top_consumers,
)

DATA = Path(__file__).parent / "data" / "bench"


def read(name: str) -> str:
    return (DATA / name).read_text()


@pytest.fixture
def proc(monkeypatch, tmp_path: Path):  # noqa: ANN001, ANN201
    """Point psutil at a folder holding a recorded ``stat`` file; return its reader."""
    import psutil

    monkeypatch.setattr(psutil, "PROCFS_PATH", str(tmp_path))

    def cpu_times(name: str = "", text: str = "") -> CpuTimes | None:
        (tmp_path / "stat").write_text(read(name) if name else text)
        return read_cpu_times()

    return cpu_times


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="psutil reads /proc on Linux")
def test_proc_stat_of_the_busy_vm(proc) -> None:  # noqa: ANN001
    import psutil

    ticks = os.sysconf("SC_CLK_TCK")
    a, b = proc("proc-stat-busy-a.txt"), proc("proc-stat-busy-b.txt")
    assert a is not None and b is not None and psutil.PROCFS_PATH != "/proc"
    assert a.busy == pytest.approx((54367 + 14433 + 428) / ticks)
    assert a.idle == pytest.approx((68097 + 450) / ticks) and a.steal == pytest.approx(538 / ticks)
    assert b.total > a.total
    busy = (b.busy - a.busy) / (b.total - a.total)
    assert busy > 0.7  # both cores mostly busy while the other helpers worked
    assert steal_share(a, b) == 0.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="psutil reads /proc on Linux")
def test_steal_time_of_a_shared_vm_and_a_malformed_file(proc) -> None:  # noqa: ANN001
    a, b = proc("proc-stat-steal-a.txt"), proc("proc-stat-steal-b.txt")
    assert steal_share(a, b) == pytest.approx(500 / 2100)
    assert proc(text="cpu  a b c d e f g h i j\n") is None  # unknown, not a crash
    assert steal_share(None, a) is None


def test_cpu_times_of_every_platforms_record() -> None:
    # psutil's fields on a Linux kernel older than 2.6.11 (seven columns, no steal) and on
    # macOS (no iowait, irq, softirq, steal), as psutil names them there
    old = namedtuple("scputimes", "user nice system idle iowait irq softirq")
    assert cpu_times_of(old(100, 5, 50, 900, 10, 1, 2)) == CpuTimes(158, 910, 0.0)
    mac = namedtuple("scputimes", "user nice system idle")
    assert cpu_times_of(mac(1.5, 0.0, 0.5, 8.0)) == CpuTimes(2.0, 8.0, 0.0)


def test_the_clock_of_psutils_records() -> None:
    freq = namedtuple("scpufreq", "current min max")
    # the 2-core VM: current clock from /proc/cpuinfo, min and max hidden (0.0)
    assert clock_of(freq(2596.132, 0.0, 0.0)) == Clock(2596.132, None)
    assert clock_of(freq(1800.0, 400.0, 4700.0)) == Clock(1800.0, 4700.0)
    assert clock_of(None) == Clock()  # psutil.cpu_freq() is None where it sees no clock
    assert read_clock().current is None or read_clock().current > 0


def test_small_parsers() -> None:
    assert parse_int(" 7\n") == 7 and parse_int("") is None


def snap(wall: float, busy: float, idle: float, own: float, **kw) -> Snapshot:
    return Snapshot(wall, CpuTimes(busy, idle, 0.0), own, **kw)


def test_other_share_subtracts_this_process(monkeypatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    # 10 s on 2 CPUs: 20 CPU-seconds, 15 busy; this process used 10 of them
    a, b = snap(0.0, 0.0, 0.0, 0.0), snap(10.0, 15.0, 5.0, 10.0)
    assert other_share(a, b, cores=2.0) == pytest.approx(5 / 20)
    # busier than the machine (clock skew between counters) is clamped to 0..1
    assert other_share(a, snap(10.0, 1.0, 19.0, 5.0), cores=2.0) == 0.0
    assert other_share(a, Snapshot(10.0, None, 1.0), 2.0) is None


def test_quiet_machine_is_not_widened() -> None:
    r = assess(2.0, [0.3, 0.4, 0.5], [0.9, 0.5, 0.5], 0.02, [0.01, 0.03, 0.02], 0.0,
               2600.0, 2590.0, 0, Power())  # fmt: skip
    assert not r.busy and r.widen == 0.0 and r.notes == []
    assert r.other_share == pytest.approx(0.02) and r.samples == 3


def test_busy_machine_is_named_and_widened() -> None:
    r = assess(2.0, [2.1, 1.5, 1.0], [2.5, 1.8, 1.1], 0.5, [0.48, 0.52, 0.5], 0.0,
               2600.0, 2600.0, None, Power(), top=["burn.py: 99% of a core"])  # fmt: skip
    assert r.busy and 0.4 < r.widen <= MAX_WIDEN
    assert "50%" in r.notes[0] and "burn.py" in r.notes[0]


def test_load_that_comes_and_goes_steal_clock_and_power() -> None:
    r = assess(2.0, [], [], 0.0, [0.0, 0.0, 0.9], None, None, None, None, Power())
    assert r.busy and any("came and went" in n for n in r.notes)
    r = assess(2.0, [], [], 0.0, [0.0], 0.2, None, None, None, Power())
    assert any("steal" in n for n in r.notes) and r.widen == pytest.approx(0.2)
    r = assess(2.0, [], [], 0.0, [0.0], None, 3000.0, 2000.0, 4, Power())
    assert any("3000 to 2000 MHz" in n for n in r.notes)
    assert any("4 thermal" in n for n in r.notes)
    assert r.widen == pytest.approx(1 / 3 + 0.05, abs=1e-4)
    laptop = Power(on_battery=True, battery_percent=41, profile="low-power")
    assert power_saving(laptop) == "running on battery (41%), power profile 'low-power'"
    assert power_saving(Power(on_battery=False, profile="balanced")) is None
    r = assess(4.0, [], [], 0.0, [0.0], None, None, None, None, laptop)
    assert r.busy and r.on_battery and r.power
    # everything at once stays capped
    r = assess(1.0, [9.0], [], 1.0, [1.0], 0.5, 3000.0, 1000.0, 9, laptop)
    assert r.widen == MAX_WIDEN


def test_top_consumers_names_other_processes() -> None:
    before = {1: ("init", 5.0), 42: ("burn", 100.0), 7: ("me", 0.0)}
    after = {1: ("init", 5.01), 42: ("burn", 109.5), 7: ("me", 20.0), 99: ("new", 2.0)}
    assert top_consumers(before, after, wall=10.0, own_pid=7) == [
        "burn: 95% of a core", "new: 20% of a core"
    ]  # fmt: skip
    assert top_consumers(before, after, wall=0.0, own_pid=7) == []


def test_sampler_before_and_during(monkeypatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    import dlcheck.bench.load as load

    monkeypatch.setattr(load, "read_process_cpu", lambda: {})
    monkeypatch.setattr(load, "read_loadavg", lambda: [1.0, 1.0, 1.0])
    monkeypatch.setattr(load, "read_power", lambda: Power())
    # each call: 1 s later; the machine 100% busy, this process using 1 of the 2 cores
    clock = iter(range(100))

    def take() -> Snapshot:
        t = float(next(clock))
        return snap(t, 2.0 * t, 0.0, t, freq_mhz=2000.0)

    s = LoadSampler(2.0, interval=0.01, take=take)
    s.mark()
    import time

    time.sleep(0.05)
    r = s.stop()
    assert r.other_share_before == pytest.approx(0.5)
    assert r.other_share == pytest.approx(0.5) and r.samples >= 1
    assert r.busy and r.load_average_start == [1.0, 1.0, 1.0]
