"""Memory: total, available, swap, and the cgroup limit a container imposes."""

from __future__ import annotations

import platform
from pathlib import Path

from dlcheck.probes.cgroup import read_cgroup_limits
from dlcheck.records import MemoryFacts


def effective_memory(total: int | None, limit: int | None) -> int | None:
    """What a training process can really use: the smaller of RAM and the cgroup limit."""
    if total is None:
        return limit
    if limit is None:
        return total
    return min(total, limit)


def probe_memory(cgroup_root: Path = Path("/")) -> MemoryFacts:
    """RAM as psutil sees it, corrected by the cgroup limit (psutil shows the host's RAM)."""
    import psutil

    vm = psutil.virtual_memory()
    try:
        swap = psutil.swap_memory().total
    except Exception:  # noqa: BLE001 - swap is unreadable in some sandboxes
        swap = None
    limits = read_cgroup_limits(cgroup_root) if platform.system() == "Linux" else None
    limit = limits.memory_bytes if limits else None
    available = vm.available if limit is None else min(vm.available, limit)
    return MemoryFacts(
        total_bytes=vm.total,
        available_bytes=available,
        swap_total_bytes=swap,
        cgroup_limit_bytes=limit,
        cgroup_version=limits.version if limits else None,
        effective_bytes=effective_memory(vm.total, limit),
    )
