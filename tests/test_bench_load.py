"""The load sampler's parsers and judgement on recorded /proc snapshots and made-up samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.bench.load import (
    MAX_WIDEN,
    CpuTimes,
    LoadSampler,
    Power,
    Snapshot,
    assess,
    other_share,
    parse_int,
    parse_khz,
    parse_loadavg,
    parse_proc_stat,
    power_saving,
    steal_share,
    top_consumers,
)

DATA = Path(__file__).parent / "data" / "bench"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_proc_stat_of_the_busy_vm() -> None:
    a = parse_proc_stat(read("proc-stat-busy-a.txt"))
    b = parse_proc_stat(read("proc-stat-busy-b.txt"))
    assert a == CpuTimes(busy=54367 + 14433 + 428, idle=68097 + 450, steal=538)
    assert b is not None and b.total > a.total
    busy = (b.busy - a.busy) / (b.total - a.total)
    assert busy > 0.7  # both cores mostly busy while the other helpers worked
    assert steal_share(a, b) == 0.0


def test_steal_time_of_a_shared_vm_and_an_old_kernel() -> None:
    a = parse_proc_stat(read("proc-stat-steal-a.txt"))
    b = parse_proc_stat(read("proc-stat-steal-b.txt"))
    assert steal_share(a, b) == pytest.approx(500 / 2100)
    old = parse_proc_stat(read("proc-stat-old-kernel.txt"))
    assert old == CpuTimes(busy=100 + 5 + 50 + 1 + 2, idle=900 + 10, steal=0.0)
    assert parse_proc_stat("intr 1 2 3\n") is None
    assert parse_proc_stat("cpu  a b c d\n") is None
    assert steal_share(None, a) is None


def test_small_parsers() -> None:
    assert parse_loadavg(read("loadavg-busy.txt"))[0] >= 0
    assert parse_loadavg("0.50 1.00 1.50 2/300 123\n") == [0.5, 1.0, 1.5]
    assert parse_loadavg("garbage") == []
    assert parse_khz("2596132\n") == pytest.approx(2596.132)
    assert parse_khz("n/a") is None
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
