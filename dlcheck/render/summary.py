"""Short machine descriptions shared by the text, Markdown and HTML renderers."""

from __future__ import annotations

from dlcheck.checks import fmt_gib
from dlcheck.envs.detect import environment_line
from dlcheck.frameworks.summary import frameworks_line
from dlcheck.records import Facts


def machine_lines(facts: Facts) -> list[tuple[str, str]]:
    """(label, value) pairs describing the machine, plain text (renderers escape them)."""
    p, py, c, m, d, g = facts.platform, facts.python, facts.cpu, facts.memory, facts.disk, facts.gpu
    os_bits = [p.os_name or p.system or "unknown OS", p.machine or ""]
    if p.wsl:
        os_bits.append(f"WSL{p.wsl_version or ''}")
    if p.container:
        os_bits.append(f"in {p.container} container")
    if p.hypervisor:
        os_bits.append(f"VM: {p.hypervisor}")
    if p.rosetta:
        os_bits.append("Python under Rosetta")
    env = py.env_kind or "unknown environment"
    if py.env_name:
        env += f" '{py.env_name}'"
    cores = "unknown"
    if c.usable_cores is not None:
        cores = f"{c.usable_cores:g} usable of {c.logical_cores or '?'} logical"
        if c.physical_cores:
            cores += f", {c.physical_cores} physical"
    isa = ", ".join(f.upper() for f in c.flags if f in ("avx", "avx2", "fma", "avx512f", "neon"))
    cpu = f"{c.model or 'unknown model'}; {cores}" + (f"; {isa}" if isa else "")
    if c.freq_mhz:
        cpu += f"; {c.freq_mhz / 1000:.2f} GHz"
    mem = fmt_gib(m.effective_bytes)
    if m.cgroup_limit_bytes is not None:
        mem += f" (container limit; host {fmt_gib(m.total_bytes)})"
    if m.available_bytes is not None:
        mem += f", {fmt_gib(m.available_bytes)} available"
    disk = (
        f"{fmt_gib(d.free_bytes)} free at {d.measured_path or d.path}"
        if d.free_bytes
        else "unknown"
    )
    if g.gpus:
        gpu = "; ".join(
            f"{x.name or x.vendor}" + (f" ({fmt_gib(x.memory_bytes)})" if x.memory_bytes else "")
            for x in g.gpus
        )
    elif g.nvidia_status == "error":
        gpu = f"NVIDIA driver problem: {g.nvidia_error}"
    else:
        gpu = "none found (not required for this course)"
    lines = [
        ("Host", p.hostname or "(anonymised)"),
        ("OS", " · ".join(b for b in os_bits if b)),
        ("Python", f"{py.implementation or ''} {py.version or '?'} ({py.bits or '?'}-bit, {env})"),
        ("Executable", py.executable or "unknown"),
        ("CPU", cpu),
        ("Memory", mem),
        ("Disk", disk),
        ("GPU", gpu),
        ("Frameworks", frameworks_line(facts)),
    ]
    env_line = environment_line(facts.extra.get("environment"))
    if env_line:
        lines.append(("Environment setup", env_line))
    errors = [
        f"{name}: {sec.error}"
        for name, sec in (
            ("platform", p),
            ("python", py),
            ("cpu", c),
            ("memory", m),
            ("disk", d),
            ("gpu", g),
            ("packages", facts.packages),
        )
        if sec.error
    ]
    if errors:
        lines.append(("Probe problems", "; ".join(errors)))
    return lines
