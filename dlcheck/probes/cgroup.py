"""cgroup v1 and v2 limits of this process (what a container really allows).

All readers take a ``root`` so that tests can lay out a cgroup tree in a temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# cgroup v1 writes a huge number (page-rounded LONG_MAX) for "no limit".
_V1_UNLIMITED = 1 << 60


@dataclass(frozen=True)
class CgroupLimits:
    version: int | None  # 1, 2 or None when no cgroup filesystem was found
    memory_bytes: int | None  # None: no limit
    cpu_quota: float | None  # in cores; None: no limit


def parse_proc_self_cgroup(text: str) -> dict[str, str]:
    """Map controller -> path from /proc/self/cgroup; the v2 unified entry is keyed ''."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            out[""] = path
        for c in controllers.split(","):
            if c:
                out[c] = path
    return out


def parse_memory_max(text: str) -> int | None:
    """cgroup v2 memory.max or v1 memory.limit_in_bytes; None means unlimited."""
    value = text.strip()
    if not value or value == "max":
        return None
    try:
        n = int(value)
    except ValueError:
        return None
    return None if n >= _V1_UNLIMITED or n <= 0 else n


def parse_cpu_max(text: str) -> float | None:
    """cgroup v2 cpu.max ("quota period" or "max period") as a number of cores."""
    parts = text.split()
    if not parts or parts[0] == "max":
        return None
    try:
        quota = int(parts[0])
        period = int(parts[1]) if len(parts) > 1 else 100000
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def parse_cfs(quota_text: str, period_text: str) -> float | None:
    """cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us as cores (-1 means no limit)."""
    try:
        quota = int(quota_text.strip())
        period = int(period_text.strip())
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _candidates(mount: Path, cg_path: str) -> list[Path]:
    """The process's own cgroup folder and its ancestors up to the mount; inside a container
    the recorded path often does not exist under the mount, so the mount itself comes last."""
    rel = PurePosixPath(cg_path or "/")
    out: list[Path] = []
    parts = [p for p in rel.parts if p != "/"]
    for i in range(len(parts), 0, -1):
        out.append(mount.joinpath(*parts[:i]))
    out.append(mount)
    return out


def _min(values: list[float | int | None]) -> float | int | None:
    real = [v for v in values if v is not None]
    return min(real) if real else None


def read_cgroup_limits(root: Path = Path("/")) -> CgroupLimits:
    """Read the memory and CPU limits that apply to this process (smallest along the path)."""
    mount = root / "sys/fs/cgroup"
    paths = parse_proc_self_cgroup(_read(root / "proc/self/cgroup") or "")
    if (mount / "cgroup.controllers").exists():
        mem: list[float | int | None] = []
        cpu: list[float | int | None] = []
        for d in _candidates(mount, paths.get("", "/")):
            if (t := _read(d / "memory.max")) is not None:
                mem.append(parse_memory_max(t))
            if (t := _read(d / "cpu.max")) is not None:
                cpu.append(parse_cpu_max(t))
        m = _min(mem)
        return CgroupLimits(2, int(m) if m is not None else None, _min(cpu))
    mem_mount = mount / "memory"
    cpu_mount = next(
        (mount / n for n in ("cpu,cpuacct", "cpu", "cpuacct,cpu") if (mount / n).is_dir()), None
    )
    if mem_mount.is_dir() or cpu_mount is not None:
        mem, cpu = [], []
        if mem_mount.is_dir():
            for d in _candidates(mem_mount, paths.get("memory", "/")):
                if (t := _read(d / "memory.limit_in_bytes")) is not None:
                    mem.append(parse_memory_max(t))
        if cpu_mount is not None:
            for d in _candidates(cpu_mount, paths.get("cpu", "/")):
                q, p = _read(d / "cpu.cfs_quota_us"), _read(d / "cpu.cfs_period_us")
                if q is not None and p is not None:
                    cpu.append(parse_cfs(q, p))
        m = _min(mem)
        return CgroupLimits(1, int(m) if m is not None else None, _min(cpu))
    return CgroupLimits(None, None, None)
