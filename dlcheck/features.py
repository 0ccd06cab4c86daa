"""The plug-ins of the spine, registered here and only here (``FEATURES``).

The spine is probe -> facts -> profile -> findings -> view. The core probes (platform,
Python, CPU, memory, disk, GPU, packages) fill the typed fields of ``Facts``; each feature
below adds one named section to the facts (``Facts.sections[name]``; in the report's JSON,
the key ``name`` of the facts object), the check kinds that judge it, and one view piece
(a line for the machine summary). A feature has:

- ``start(options)``: its probe. Called before the core probes run; returns a function that
  is given the core facts once they are in and returns the section's plain data (or None when
  there is nothing to record), or returns None when the feature does not probe this run;
- ``section``: the typed record of its facts (``to_dict``/``from_dict`` through records.py);
- ``checks``: the check kinds a profile's requirements can name;
- ``view``: its view piece, a function of the facts giving one summary line (None: nothing
  to show), labelled ``title``; the views get every line through ``view_lines`` and escape it;
- ``sibling``: its sibling input, a file saved beside a report that ``--from`` reads again
  (the benchmark's ``<stem>.bench.json``), unless the same input is named on the command line;
- ``refuse``: refuses a bad option of its own (UserError) before any probe starts;
- ``log``: the lines its probe kept for ``--verbose`` (the framework probes' standard error).

The spine and the views reach feature code only through this module (the rule of
tests/test_architecture.py): besides the fields above, what the judgement asks of the
features (``fitting_setup``, ``keras_installed``, what a check kind ``needs``) is answered here.

Importing this module starts nothing and registers nothing elsewhere: the list below is
the registration. Heavy modules (the framework process machinery, lock readers, the bench
result reader) are imported by the probes only when they run.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from dlcheck.bench.checks import BENCHMARK_CHECKS
from dlcheck.bench.facts import BenchmarkFacts, benchmark_line
from dlcheck.checks import CORE_CHECKS, NEEDS_PYTHON, NEEDS_TENSORFLOW, Check
from dlcheck.envs.checks import ENVIRONMENT_CHECKS
from dlcheck.envs.facts import EnvironmentFacts, environment_line
from dlcheck.errors import UserError
from dlcheck.frameworks.diagnose import FRAMEWORK_CHECKS
from dlcheck.frameworks.records import FrameworkFacts
from dlcheck.kernels.checks import KERNEL_CHECKS
from dlcheck.kernels.specs import KernelFacts, kernels_line
from dlcheck.lessondata.checks import DATA_CHECKS
from dlcheck.lessondata.facts import DataFacts, data_line
from dlcheck.records import Facts, facts_keys

# typing's Callable: collections.abc.Callable[...] needs Python 3.9 outside annotations
Pending = Callable[[Facts], Optional[Dict[str, Any]]]


@dataclass(frozen=True)
class ProbeOptions:
    """What the user asked of this run (``dlcheck check`` options)."""

    frameworks: bool = False
    framework_timeout: float = 60.0
    bench_path: str | None = None  # a saved `dlcheck bench` result
    setup: str | None = None  # `--setup`: compare the environment with this setup's lock
    # the interpreter checked when it is not the running one (dlcheck.probes.interpreter:
    # --python, --kernel, dlcheck as a tool): the framework probes run in it
    interpreter: Any = None


@dataclass(frozen=True)
class SiblingInput:
    """A feature's input that ``--from REPORT`` reads again from beside the report."""

    find: Callable[[str], Path | None]  # the report's path -> the file beside it, or None
    given: Callable[[ProbeOptions], str | None]  # the same input named on the command line
    read: Callable[[str], dict[str, Any]]  # a file -> the section's plain data (UserError)


@dataclass(frozen=True)
class Feature:
    name: str  # its key in Facts.sections and in the facts object of the report's JSON
    title: str  # the label of its line in the machine summary
    section: type
    checks: Mapping[str, Check]
    start: Callable[[ProbeOptions], Pending | None]
    view: Callable[[Facts], str | None]
    sibling: SiblingInput | None = None
    refuse: Callable[[ProbeOptions], None] | None = None
    log: Callable[[Facts], list[str]] | None = None


def _start_frameworks(options: ProbeOptions) -> Pending | None:
    if not options.frameworks:
        return None
    from dlcheck.frameworks import start_frameworks
    from dlcheck.probes.packages import installed_distributions
    from dlcheck.records import to_dict

    interp = options.interpreter
    if interp is not None:  # another interpreter: its packages, its startup environment
        from dlcheck.probes.interpreter import package_versions

        running = start_frameworks(
            package_versions(interp),
            timeout=options.framework_timeout,
            env=interp.startup_env(),
            python=interp.executable,
        )
    else:
        running = start_frameworks(installed_distributions(), timeout=options.framework_timeout)
    return lambda facts: to_dict(running.result())


def _start_environment(options: ProbeOptions) -> Pending:
    def finish(facts: Facts) -> dict | None:
        from dlcheck.envs.detect import environment_section

        # another interpreter checked (--python): its environment, not dlcheck's
        prefix = facts.python.prefix if options.interpreter is not None else None
        return environment_section(
            installed=facts.packages.versions, setup=options.setup, prefix=prefix
        )

    return finish


def _start_benchmark(options: ProbeOptions) -> Pending | None:
    if options.bench_path is None:
        return None
    from dlcheck.bench.facts import benchmark_section

    section = benchmark_section(options.bench_path)  # a bad file fails before probing
    return lambda facts: section


def _start_course_data(options: ProbeOptions) -> Pending:
    def finish(facts: Facts) -> dict | None:
        from dlcheck.lessondata.facts import data_section

        return data_section()  # the current folder and the Keras and seaborn caches

    return finish


def _course_data_view(facts: Facts) -> str | None:
    return data_line(facts.sections.get("course_data"))


def _refuse_environment(options: ProbeOptions) -> None:
    if options.setup is None:  # the lock the running environment is compared with
        return
    from dlcheck.envs.setups import load_catalog

    known = load_catalog().setups
    if options.setup not in known:
        raise UserError(None, f"unknown setup {options.setup!r}; known: {', '.join(sorted(known))}")


def _frameworks_view(facts: Facts) -> str | None:
    from dlcheck.frameworks.summary import frameworks_line

    return frameworks_line(facts)


def _frameworks_log(facts: Facts) -> list[str]:
    from dlcheck.frameworks.summary import stderr_lines

    return stderr_lines(facts)


def _needs_tensorflow(params: dict[str, Any]) -> str:
    return NEEDS_TENSORFLOW


def _framework_works_needs(params: dict[str, Any]) -> str:
    """Any framework's test needs a Python to install it into; TensorFlow's and Keras's
    need TensorFlow."""
    return NEEDS_TENSORFLOW if params.get("framework") in ("tensorflow", "keras") else NEEDS_PYTHON


# What the framework check kinds need before they can be met (verdict.arrange defers them
# behind a blocking problem); tf_metal needs nothing: it judges a plugin, not an install.
_FRAMEWORK_NEEDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "framework_works": _framework_works_needs,
    "keras3": _needs_tensorflow,
    "keras_backend": _needs_tensorflow,
    "tf_distributions": _needs_tensorflow,
    "tf_sees_gpu": _needs_tensorflow,
}


def _framework_checks() -> dict[str, Check]:
    return {
        kind: dataclasses.replace(check, needs=_FRAMEWORK_NEEDS[kind])
        if kind in _FRAMEWORK_NEEDS
        else check
        for kind, check in FRAMEWORK_CHECKS.items()
    }


def _benchmark_given(options: ProbeOptions) -> str | None:
    return options.bench_path


def _sibling_bench(report_path: str) -> Path | None:
    from dlcheck.bench.facts import sibling_bench

    return sibling_bench(report_path)


def _read_bench(path: str) -> dict[str, Any]:
    from dlcheck.bench.facts import benchmark_section

    return benchmark_section(path)


def _start_kernels(options: ProbeOptions) -> Pending:
    def finish(facts: Facts) -> dict | None:
        from dlcheck.kernels.specs import find_kernels

        # the environment checked is the one whose Jupyter the learner starts
        prefix = facts.python.prefix
        return find_kernels(prefixes=[prefix] if prefix else None).to_dict()

    return finish


def _kernels_view(facts: Facts) -> str | None:
    return kernels_line(facts.sections.get("kernels"))


def _environment_view(facts: Facts) -> str | None:
    return environment_line(facts.sections.get("environment"))


def _benchmark_view(facts: Facts) -> str | None:
    return benchmark_line(facts.sections.get("benchmark"))


# THE registration list. Probes start in this order: the benchmark first, since it reads a
# user's file, which must fail before any framework process starts.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "benchmark",
        "Benchmark",
        BenchmarkFacts,
        BENCHMARK_CHECKS,
        _start_benchmark,
        _benchmark_view,
        sibling=SiblingInput(_sibling_bench, _benchmark_given, _read_bench),
    ),
    Feature(
        "frameworks",
        "Frameworks",
        FrameworkFacts,
        _framework_checks(),
        _start_frameworks,
        _frameworks_view,
        log=_frameworks_log,
    ),
    Feature(
        "environment",
        "Environment setup",
        EnvironmentFacts,
        ENVIRONMENT_CHECKS,
        _start_environment,
        _environment_view,
        refuse=_refuse_environment,
    ),
    Feature(
        "course_data",
        "Course data",
        DataFacts,
        DATA_CHECKS,
        _start_course_data,
        _course_data_view,
    ),
    Feature(
        "kernels",
        "Jupyter kernels",
        KernelFacts,
        KERNEL_CHECKS,
        _start_kernels,
        _kernels_view,
    ),
)


def _all_checks() -> dict[str, Check]:
    out = dict(CORE_CHECKS)
    names = [f.name for f in FEATURES]
    for name in names:
        if name in facts_keys():
            raise RuntimeError(f"feature {name!r} is named like a typed field of Facts")
        if names.count(name) > 1:
            raise RuntimeError(f"feature {name!r} registered twice")
    for feature in FEATURES:
        for kind, check in feature.checks.items():
            if kind in out:
                raise RuntimeError(f"check kind {kind!r} registered twice ({feature.name})")
            out[kind] = check
    return out


# Every check kind a requirement can name: the core's and the features'.
CHECKS: dict[str, Check] = _all_checks()
# The keys of the features' sections (Facts.sections, the report's facts object).
SECTION_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


def feature(name: str) -> Feature:
    return next(f for f in FEATURES if f.name == name)


def section(facts: Facts, name: str) -> Any:
    """The typed section ``name`` of ``facts`` (None when absent)."""
    data = facts.sections.get(name)
    return feature(name).section.from_dict(data) if isinstance(data, dict) else None


# ---- what the spine and the views ask of the features -----------------------------------


def refuse_options(options: ProbeOptions) -> None:
    """Each feature refuses a bad option of its own (UserError), before any probe starts."""
    for f in FEATURES:
        if f.refuse is not None:
            f.refuse(options)


def sibling_inputs(from_path: str, options: ProbeOptions) -> dict[str, str]:
    """For ``--from REPORT``: each feature's input file to read again, by feature name: the
    one named on the command line, else the one saved beside the report (when there is one)."""
    out = {}
    for f in FEATURES:
        if f.sibling is None:
            continue
        path = f.sibling.given(options)
        if path is None:
            found = f.sibling.find(from_path)
            path = str(found) if found is not None else None
        if path is not None:
            out[f.name] = path
    return out


def read_sibling_inputs(facts: Facts, inputs: Mapping[str, str]) -> Facts:
    """``facts`` with the section of each feature in ``inputs`` read again from its file."""
    if not inputs:
        return facts
    read = {}
    for f in FEATURES:
        if f.name in inputs and f.sibling is not None:
            read[f.name] = f.sibling.read(inputs[f.name])
    return dataclasses.replace(facts, sections={**facts.sections, **read})


def view_lines(facts: Facts) -> list[tuple[str, str]]:
    """Every feature's line for the machine summary, (label, plain text), registration
    order; a feature with nothing to show gives none."""
    out = []
    for f in FEATURES:
        line = f.view(facts)
        if line:
            out.append((f.title, line))
    return out


def log_lines(facts: Facts) -> list[str]:
    """The lines the features' probes kept (shown with ``--verbose``)."""
    return [line for f in FEATURES if f.log is not None for line in f.log(facts)]


@contextlib.contextmanager
def watching_probes(listener: Callable[[str, float], None]) -> Iterator[None]:
    """While the block runs, ``listener(what, seconds)`` hears which features' probes are
    still at work and for how long (the framework probes: "TensorFlow and Keras"), about ten
    times a second; the check's progress display is one such listener."""
    from dlcheck.frameworks import probe
    from dlcheck.frameworks.names import TITLES

    def tell(pending: list[str], elapsed: float) -> None:
        listener(" and ".join(TITLES.get(n, n) for n in pending) or "frameworks", elapsed)

    probe.PROGRESS_LISTENERS.append(tell)
    try:
        yield
    finally:
        probe.PROGRESS_LISTENERS.remove(tell)


def fitting_setup(facts: Facts) -> str | None:
    """The locked setup (the environment feature's catalogue) that fits this machine, None
    when none does: the install step the judgement points to."""
    from dlcheck.envs.recommend import fitting_setup as fitting

    return fitting(facts)


def setup_serves(name: str, subdir: str | None) -> bool:
    """Whether the locked setup ``name`` of the environment feature's catalogue has a pip lock
    for the platform ``subdir`` (False without a catalogue)."""
    try:
        from dlcheck.envs.setups import load_catalog

        setup = load_catalog().setups.get(name)
    except Exception:  # noqa: BLE001 - no catalogue: no setup to name
        return False
    return setup is not None and subdir in setup.pip_platforms


def tensorflow_distributions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the distributions that install TensorFlow under another name, the plugins that break
    it): the frameworks feature's names, for the plan."""
    from dlcheck.frameworks.names import BREAKING_PLUGINS, TF_DISTRIBUTIONS

    return tuple(TF_DISTRIBUTIONS), tuple(BREAKING_PLUGINS)


def keras_present(facts: Facts) -> bool:
    """Keras is installed, under any of its distributions' names (keras-nightly too)."""
    from dlcheck.frameworks.names import KERAS_DISTRIBUTIONS

    return any(k in facts.packages.versions for k in KERAS_DISTRIBUTIONS)


def keras_installed(facts: Facts) -> bool:
    """Keras and a backend are installed here, so `dlcheck bench` can run (an advice that
    sends a learner to it before that would fail on their machine)."""
    from dlcheck.frameworks.names import KERAS_DISTRIBUTIONS, TF_DISTRIBUTIONS

    v = facts.packages.versions
    keras = any(k in v for k in KERAS_DISTRIBUTIONS)
    return keras and any(b in v for b in (*TF_DISTRIBUTIONS, "torch", "jax"))


def kernel_to_check(name: str) -> tuple[str, dict[str, str]]:
    """``--kernel NAME``: the interpreter of that kernel (by name or display name) and the
    variables its spec sets; UserError (one line) when there is no such kernel, its spec
    cannot be read, or its interpreter is gone."""
    from dlcheck.kernels.specs import find_kernel, find_kernels, read_spec_env

    spec = find_kernel(name, find_kernels())
    assert spec.interpreter is not None
    return spec.interpreter, read_spec_env(spec)


def course_kernel(params: Mapping[str, Any]) -> tuple[str, str, dict[str, str]] | None:
    """For dlcheck run as a tool with no environment active: the kernel that can run the
    course (``params``: the kernel_runs_course requirement's), else the first whose
    interpreter is there; (interpreter, its label, the variables its spec sets) or None."""
    from dlcheck.kernels.checks import why_not
    from dlcheck.kernels.specs import find_kernels, read_spec_env

    offered = [k for k in find_kernels().offered() if k.exists and k.interpreter]
    ranked = sorted(offered, key=lambda k: why_not(k, dict(params)) is not None)
    if not ranked:
        return None
    k = ranked[0]
    assert k.interpreter is not None
    return k.interpreter, f"the Jupyter kernel '{k.display_name or k.name}'", read_spec_env(k)


def kernel_choice(facts: Facts, params: Mapping[str, Any]) -> Any:
    """For the plan: the kernel that runs the course, or the commands that register one
    (``kernels.checks.KernelChoice``; None without readable kernels)."""
    from dlcheck.kernels.checks import kernel_choice as choose

    return choose(facts, dict(params))
