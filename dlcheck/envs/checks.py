"""The environment's check kind: does the running environment still match the lock of the
setup that made it? Judged from the facts (dlcheck/envs/facts.py), like every other kind."""

from __future__ import annotations

from typing import Any

from dlcheck.checks import Check, Outcome, met, not_given, unknown
from dlcheck.envs.facts import environment_facts
from dlcheck.records import Facts

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
    return Outcome(
        "unmet",
        f"setup {env.setup}: {', '.join(env.count_parts())} ({env.first_names()})",
        EXPECTED,
        f"See what differs with `dlcheck env verify --setup {env.setup}`, then repair it with "
        f"`dlcheck env create --setup {env.setup} --force`.",
    )


def _no_params(params: dict[str, Any]) -> str | None:
    return None


ENVIRONMENT_CHECKS: dict[str, Check] = {
    "environment_lock": Check(check_environment_lock, _no_params),
}
