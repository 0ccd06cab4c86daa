"""Check kinds of the kernels feature: pure functions of the facts (dlcheck/kernels/specs.py).

- ``kernel_runs_course``: at least one kernel Jupyter offers starts an interpreter that is
  there, of a Python the course supports, with the course's packages in its site-packages
  (and, when the requirement names a Keras ``backend``, no other one set in its spec); the
  finding names it. None does: where the interpreter checked has the course's packages, the
  one command that registers it as a kernel.
- ``kernels_sane``: no kernel whose interpreter is gone, no two kernels with one display name,
  no spec Jupyter cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from dlcheck.checks import NEEDS_PYTHON, Check, Outcome, _needs, met, not_given, unknown, unmet
from dlcheck.kernels.specs import KernelFacts, KernelSpec, kernel_facts
from dlcheck.records import Facts

# every distribution that provides a package the profile names
_ALIASES = {
    "tensorflow": (
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-macos",
        "tensorflow-intel",
        "tensorflow-gpu",
        "tensorflow-rocm",
        "tf-nightly",
    ),
    "keras": ("keras", "keras-nightly"),
}
KERNEL_NAME = "dl-course"
KERNEL_DISPLAY = "Python (dl-course)"


def _section(facts: Facts) -> KernelFacts | None:
    return kernel_facts(facts.sections)


def _short(version: str | None) -> tuple[int, ...] | None:
    try:
        return Version(version).release[:2] if version else None
    except InvalidVersion:
        return None


def why_not(kernel: KernelSpec, p: dict[str, Any]) -> str | None:
    """Why ``kernel`` cannot run the course (one phrase); None when it can."""
    if kernel.error:
        return "unreadable spec"
    if kernel.interpreter is None:
        return f"starts {kernel.argv0!r} (not located)"
    if not kernel.exists:
        return "interpreter gone"
    v = _short(kernel.python_version)
    lo, hi = _short(p.get("min")), _short(p.get("max"))
    if v is None:
        return "Python version unknown"
    if (lo and v < lo) or (hi and v > hi):
        return f"Python {kernel.python_version}"
    missing = [
        name
        for name in p.get("packages", [])
        if not any(d in kernel.packages for d in _ALIASES.get(name, (name,)))
    ]
    if missing:
        return "no " + ", ".join(missing)
    backend, set_to = p.get("backend"), kernel.env.get("KERAS_BACKEND")
    if backend and set_to and set_to != backend:
        return f"KERAS_BACKEND={set_to} in its spec"
    return None


def _label(k: KernelSpec) -> str:
    return f"'{k.display_name or k.name}'"


def _where(k: KernelSpec) -> str:
    bits = [f"Python {k.python_version}"] if k.python_version else []
    bits += [f"{n} {v}" for n, v in k.packages.items() if n in ("tensorflow", "keras", "torch")]
    return f"{_label(k)} (kernel {k.name}: {', '.join(bits)})"


def _checked_fits(facts: Facts, p: dict[str, Any]) -> bool:
    """The interpreter checked has the course's packages (so registering it is the step)."""
    versions = facts.packages.versions
    return bool(versions) and all(
        any(d in versions for d in _ALIASES.get(n, (n,))) for n in p.get("packages", [])
    )


@dataclass(frozen=True)
class KernelChoice:
    """Which kernel runs the course, judged from the kernels' facts (the check kind and the
    plan's step both read it): ``pick``, the one to choose in JupyterLab; else
    ``register_exe``, an interpreter that has the course and that no kernel every Jupyter of
    this user offers starts (``local``: a kernel only its own environment's Jupyter offers,
    while ``other_jupyter`` is another Jupyter that does not see it). The plan words the step
    (data/commands.toml ``[kernel_choose.*]``, ``[kernel_register.*]``)."""

    offered: list[KernelSpec]
    pick: KernelSpec | None = None
    pick_where: str | None = None  # the environment whose JupyterLab offers it (else every one)
    fits: int = 0
    local: KernelSpec | None = None
    other_jupyter: str | None = None
    register_exe: str | None = None
    needs_ipykernel: bool = False  # that interpreter lacks ipykernel: install it first
    name: str = KERNEL_NAME  # the kernel name and display name the registration gives
    display: str = KERNEL_DISPLAY


def kernel_choice(facts: Facts, p: dict[str, Any]) -> KernelChoice | None:
    """The kernel to choose or the interpreter to register; None without readable kernels."""
    section = _section(facts)
    if section is None or section.error:
        return None
    offered = [k for k in section.offered() if k.name != "?"]
    here = facts.python.prefix
    fits = sorted(
        (k for k in offered if why_not(k, p) is None),
        key=lambda k: (k.offered_by is not None, k.prefix != here, not k.by_dlcheck),
    )
    if fits and fits[0].offered_by is None:  # every Jupyter of this user offers it
        return KernelChoice(offered, fits[0], None, len(fits))
    if fits:  # only the Jupyter of the environment it lies in offers it
        best = fits[0]
        others = [j for j in section.jupyters if j != best.offered_by]
        if not others:
            return KernelChoice(offered, best, best.offered_by, len(fits))
        # it has ipykernel: its kernel runs
        return KernelChoice(offered, None, None, len(fits), best, others[0], best.interpreter)
    if _checked_fits(facts, p):
        exe = facts.python.executable or "python"
        missing = "ipykernel" not in facts.packages.versions
        return KernelChoice(offered, register_exe=exe, needs_ipykernel=missing)
    return KernelChoice(offered)


def check_kernel_runs_course(facts: Facts, p: dict[str, Any]) -> Outcome:
    """Met when a kernel runs the course (named by display name); what to do is the plan's
    step (choose it, or register the Python that has the course)."""
    section = _section(facts)
    expected = "a Jupyter kernel with the course's Python and packages"
    if section is None:
        return not_given("the Jupyter kernels were not looked for", expected)
    choice = kernel_choice(facts, p)
    if choice is None:
        return unknown(f"the kernels could not be read ({section.error})", expected)
    if choice.pick is not None:
        more = f" (and {choice.fits - 1} more)" if choice.fits > 1 else ""
        where = f"the JupyterLab of {choice.pick_where}" if choice.pick_where else "JupyterLab"
        return met(f"choose {_where(choice.pick)} in {where}{more}", expected)
    if choice.local is not None:
        return unmet(
            f"{_where(choice.local)} is offered only by the Jupyter of "
            f"{choice.local.offered_by}; the Jupyter of {choice.other_jupyter} does not see it",
            expected,
        )
    offered = choice.offered
    if offered:
        seen = "; ".join(f"{_label(k)}: {why_not(k, p)}" for k in offered[:4])
        observed = f"none of {len(offered)} kernels runs the course ({seen})"
    else:
        observed = "no Jupyter kernel found"
    if choice.register_exe:
        observed += f"; {choice.register_exe} has the course's packages but no kernel starts it"
    return unmet(observed, expected)


def check_kernels_sane(facts: Facts, p: dict[str, Any]) -> Outcome:
    section = _section(facts)
    expected = "every kernel's interpreter there, display names distinct"
    if section is None:
        return not_given("the Jupyter kernels were not looked for", expected)
    if section.error:
        return unknown(f"the kernels could not be read ({section.error})", expected)
    offered = section.offered()
    problems = []
    for k in section.kernels:
        if k.error:
            problems.append(f"{k.spec_dir}: {k.error}")
    gone = [k for k in offered if k.exists is False]
    for k in gone:
        problems.append(f"{_label(k)} (kernel {k.name}) starts {k.interpreter}, which is gone")
    by_display: dict[str, list[KernelSpec]] = {}
    for k in offered:
        if k.display_name and not k.error:
            by_display.setdefault(k.display_name, []).append(k)
    for display, same in by_display.items():
        if len(same) > 1:
            names = ", ".join(k.name for k in same)
            problems.append(f"{len(same)} kernels are shown as '{display}' ({names})")
    if not problems:
        n = len(offered)
        return met(f"{n} kernel{'' if n == 1 else 's'}, each interpreter there", expected)
    return unmet("; ".join(problems[:4]), expected)


def _needs_python(params: dict[str, Any]) -> str:
    return NEEDS_PYTHON


KERNEL_CHECKS: dict[str, Check] = {
    "kernel_runs_course": Check(
        check_kernel_runs_course,
        _needs(
            ("packages", list, True),
            ("min", str, False),
            ("max", str, False),
            ("backend", str, False),
        ),
        _needs_python,
    ),
    "kernels_sane": Check(check_kernels_sane, _needs()),
}
