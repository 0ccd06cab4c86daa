"""The environment's check kind: does the running environment still match the lock of the
setup that made it? Judged from the facts (dlcheck/envs/facts.py), like every other kind."""

from __future__ import annotations

from typing import Any

from dlcheck.checks import Check, Outcome, met, not_given, unknown
from dlcheck.envs.facts import environment_facts
from dlcheck.records import Facts
from dlcheck.shellquote import quote

EXPECTED = "every locked package at its locked version"


def check_environment_lock(facts: Facts, p: dict[str, Any]) -> Outcome:
    env = environment_facts(facts.sections)
    if env is None:
        return not_given(
            "not made from one of dlcheck's setups (nothing to compare)",
            EXPECTED,
        )
    if env.error:
        return unknown(f"unknown ({env.error})", EXPECTED)
    checked = env.counts.get("checked", "?")
    if env.incomplete:
        return Outcome("unmet", f"setup {env.setup}: {env.incomplete}", EXPECTED)
    if not env.differences():
        return met(f"setup {env.setup}: {checked} packages match its lock", EXPECTED)
    # The repair says what it does: into this environment, from its lock (whoever made it;
    # `env create --force` would rebuild the folder env create made, perhaps another one).
    verify = f"`dlcheck env verify --setup {env.setup}`"
    if env.lock:
        lock = quote(env.lock, facts.platform.system == "Windows")
        repair = (
            f"repair this environment in place from its lock: `python -m pip install "
            f"--require-hashes -r {lock}`"
        )
    else:
        repair = f"make a fresh one from the lock: `dlcheck env create --setup {env.setup}`"
    return Outcome(
        "unmet",
        f"setup {env.setup}: {', '.join(env.count_parts())} ({env.first_names()})",
        EXPECTED,
        f"See what differs with {verify}, then {repair}.",
    )


def _no_params(params: dict[str, Any]) -> str | None:
    return None


ENVIRONMENT_CHECKS: dict[str, Check] = {
    "environment_lock": Check(check_environment_lock, _no_params),
}
