"""`dlcheck bench --python PATH`: the measurement runs in that interpreter (its Keras, its
backend, its startup environment), never in dlcheck's. The measurement harness imports
dlcheck's bench modules, so the interpreter must have dlcheck installed (the environment
`dlcheck env create` makes has it); then `PATH -m dlcheck bench ...` runs there with the same
options, its output and exit status passed through. Without dlcheck there: one line, exit 2,
saying how to get it."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from dlcheck.errors import UserError

# the longest a bench may take: --all runs every episode's model (minutes each)
BENCH_TIMEOUT = 6 * 3600.0


def bench_args(params: dict) -> list[str]:
    """The `dlcheck bench` options of ``params`` (click's, --python left out) as arguments."""
    args: list[str] = []
    flags = {"quick": "--quick", "all_": "--all", "list_": "--list", "anonymize": "--anonymize"}
    flags |= {"quiet": "--quiet", "verbose": "--verbose"}
    for key, flag in flags.items():
        if params.get(key):
            args.append(flag)
    for name in params.get("names") or ():
        args += ["--workload", name]
    values = {
        "backend": "--backend",
        "course": "--course",
        "output": "--output",
        "save": "--save",
        "profile": "--profile",
        "places": "--places",
        "windows": "--windows",
        "window_seconds": "--window-seconds",
        "budget": "--budget",
        "target": "--target",
        "fmt": "--format",
    }
    for key, flag in values.items():
        value = params.get(key)
        if value is not None and value is not False:
            args += [flag, str(value)]
    return args


def run_bench_in(python: str, args: Sequence[str]) -> int:
    """Run `dlcheck bench ARGS` in ``python``; its exit status. UserError when ``python`` is
    not a working Python or has no dlcheck."""
    from dlcheck.probes.interpreter import package_versions, probe_interpreter

    interp = probe_interpreter(python, "--python")
    if "dlcheck" not in package_versions(interp):
        raise UserError(
            python,
            "has no dlcheck, which runs the measurement there: install it into that "
            f"environment ({interp.executable} -m pip install dlcheck), or make the course "
            "environment with `dlcheck env create` (it has dlcheck)",
        )
    from dlcheck.subprocesses import start_process

    # registered (killed with dlcheck on every exit), its output passed through, in dlcheck's
    # process group so that the terminal's Ctrl-C reaches it and it says what it kept
    proc = start_process(
        [interp.executable, "-m", "dlcheck", "bench", *args], own_group=False, capture=False
    )
    try:
        return proc.wait(timeout=BENCH_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise UserError(python, f"its bench ran past {BENCH_TIMEOUT:g} s: stopped") from None
    except KeyboardInterrupt:
        proc.wait()  # the child got the same Ctrl-C and ends with its own message
        return 130
