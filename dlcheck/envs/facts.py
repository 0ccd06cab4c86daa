"""The environment section of the facts: which setup made the running environment and how
it compares with that setup's lock, as found (counts and names). No verdict is stored here:
the check kind ``environment_lock`` (dlcheck/envs/checks.py) judges it, so ``--from``
judges a saved report again."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dlcheck.records import from_dict, read_section, to_dict

SECTION = "environment"


@dataclass(frozen=True)
class EnvironmentFacts:
    setup: str | None = None  # the setup (envs/<setup>/) whose lock this environment follows
    lock: str | None = None  # path of that lock
    lock_format: str | None = None
    platform: str | None = None
    share_at_locked_version: float | None = None
    counts: dict[str, int] = field(default_factory=dict)  # checked, missing, different, extra
    missing: list[str] = field(default_factory=list)  # the first names of each list
    different: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    incomplete: str | None = None  # an unfinished `dlcheck env create`
    # the variables the environment sets itself when Python starts in it (its startup hook,
    # dlcheck/envs/defaults.py: KERAS_BACKEND=torch), and the hook's module
    defaults: dict[str, str] = field(default_factory=dict)
    defaults_from: str | None = None
    error: str | None = None  # the detection itself failed

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = SECTION) -> EnvironmentFacts:
        return from_dict(cls, data, where)

    def differences(self) -> int:
        return sum(int(self.counts.get(k) or 0) for k in ("missing", "different", "extra"))

    def count_parts(self) -> list[str]:
        """The counts that are not zero, as said: ["1 different", "2 missing"]."""
        return [
            f"{self.counts.get(k, 0)} {k}"
            for k in ("missing", "different", "extra")
            if self.counts.get(k)
        ]

    def first_names(self, shown: int = 3) -> str:
        """The first packages that differ, "; "-separated, "; ..." when there are more."""
        names = [*self.different, *self.missing, *self.extra]
        return "; ".join(str(n) for n in names[:shown]) + ("; ..." if len(names) > shown else "")


def environment_facts(sections: Any) -> EnvironmentFacts | None:
    """The typed section from ``Facts.sections``; None when absent, an ``error`` when unreadable."""
    return read_section(EnvironmentFacts, sections, SECTION)


def environment_line(section: Any) -> str | None:
    """The environment's view piece: one line for the machine summary of `dlcheck check`,
    saying what was found (what to do about it is the judgement's: the environment_lock
    finding and the plan); None when there is no section. Plain text (the views escape it)."""
    env = (
        section if isinstance(section, EnvironmentFacts) else environment_facts({SECTION: section})
    )
    if env is None:
        return None
    if env.error:
        return f"setup check failed: {env.error}"
    head = f"setup {env.setup} ({env.platform} lock): "
    backend = env.defaults.get("KERAS_BACKEND")
    tail = f"; KERAS_BACKEND={backend} by default ({env.defaults_from})" if backend else ""
    if env.incomplete:
        return head + env.incomplete + tail
    if not env.differences():
        return head + f"matches the lock ({env.counts.get('checked', '?')} packages)" + tail
    return (
        head + f"DIFFERS from the lock ({', '.join(env.count_parts())}: {env.first_names()})" + tail
    )


WHEEL_TAGS = "wheel-tags.toml"


@lru_cache(maxsize=8)
def wheel_glibc(setup: str, platform: str) -> str | None:
    """The oldest glibc on which every TensorFlow wheel that ``setup``'s lock pins for
    ``platform`` (linux-64, linux-aarch64) installs, as envs/lock.py recorded it from the
    wheels' manylinux tags (envs/<setup>/wheel-tags.toml); None when not recorded."""
    from dlcheck.envs.setups import envs_dirs, packaged_envs_dir
    from dlcheck.userfiles import load_toml

    bases = [*envs_dirs(), packaged_envs_dir()]
    for base in bases:
        path = base / setup / WHEEL_TAGS if base else None
        if path is not None and path.is_file():
            data, _ = load_toml(path, WHEEL_TAGS)
            value = (data.get("glibc") or {}).get(platform)
            return str(value) if value else None
    return None
