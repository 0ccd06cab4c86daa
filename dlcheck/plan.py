"""The plan: the next steps a careful instructor would give for one machine, built once from
the findings, the facts, the profile, the support matrix, the commands table
(data/commands.toml) and the setups catalogue. The report stores it (``plan`` in its JSON) and
every view (text, Markdown, HTML, CSV, Jupyter, the fleet) only formats it.

Rules (tests/test_plan.py holds them over every recorded machine):
- Where the course cannot run in this environment, the first step is the route (a cloud
  notebook, WSL2, a glibc system, a bigger job or pod; or another Python on this machine), and
  it says what to do there; steps that only serve this environment are left out (their
  findings stay in ``--all``).
- One step per action, in the order blockers, required, recommended, optional; one cause is
  one step; no step only points at another.
- Commands are for this machine's OS, distribution and context; a path in a command is quoted
  for its shell.
- Several TensorFlow distributions, or a plugin that breaks it, get a fresh environment, never
  an in-place upgrade."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from dlcheck.features import fitting_setup as _fitting_setup
from dlcheck.features import keras_present, setup_serves, tensorflow_distributions
from dlcheck.profile import Profile, Requirement
from dlcheck.records import Facts, to_dict
from dlcheck.shellquote import pip_spec, quote
from dlcheck.verdict import PASS, UNKNOWN, Finding

KINDS = ("route", "blocker", "install", "fix", "recommended", "optional")
_CAUSES = {"cpu": "No AVX", "os": "32-bit OS", "platform": "No TensorFlow for this platform"}
# The most steps a plan lists: a route elsewhere (and at most one more), a machine where the
# course runs after installing, a READY one.
MAX_ELSEWHERE, MAX_STEPS, MAX_READY = 2, 3, 1

_PYTHON_KINDS = ("python_bits", "python_native", "python_version", "tf_wheel", "framework_wheel")
_WHEEL_KINDS = ("tf_wheel", "framework_wheel")
_MACHINE_KINDS = ("os_64bit", "cpu_arch")
_ENV_KINDS = (
    "package",
    "framework_works",
    "keras3",
    "keras_backend",
    "tf_distributions",
    "tf_metal",
    "tf_sees_gpu",
    "environment_lock",
    "training_time",
)
_SIZE_KINDS = ("usable_cores", "memory")
_FRESH_KINDS = ("tf_distributions", "tf_metal", "framework_works", "keras3", "package")
_FRAMEWORK_KINDS = ("framework_works", "keras3", "keras_backend", "tf_distributions", "tf_metal")


@dataclass(frozen=True)
class Action:
    """One action: what and why (``text``, may hold `code`), the commands to run here, in
    order, and for a route what to do where it leads (``then``, ``then_commands``)."""

    text: str
    commands: list[str] = field(default_factory=list)
    then: str | None = None
    then_commands: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # one of KINDS
    title: str
    action: Action
    resolves: list[str] = field(default_factory=list)  # finding ids
    after: list[str] = field(default_factory=list)  # step ids
    # the findings that make a route or a blocker needed (the others it resolves are moot)
    because: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    steps: list[Step] = field(default_factory=list)
    elsewhere: bool = False  # the course must run elsewhere: the first step is the route
    # the steps after the shown ones (a plan lists a few at a time): each finding still has
    # its step, so its advice in the JSON and the CSV is a step's text, never a generic one
    later: list[Step] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def step_of(self, finding_id: str) -> int | None:
        """The number (1-based) of the shown step that resolves a finding, None when none
        does."""
        for i, s in enumerate(self.steps, 1):
            if finding_id in s.resolves:
                return i
        return None

    def step_for(self, finding_id: str) -> Step | None:
        """The step (shown or later) that resolves a finding, None when none does."""
        return next((s for s in [*self.steps, *self.later] if finding_id in s.resolves), None)

    def install_command(self) -> str | None:
        """The one command that installs the missing course packages: the install step's,
        where the plan has one (nothing blocks it); None elsewhere."""
        step = next((s for s in self.steps if s.id == "install"), None)
        return step.action.commands[-1] if step and step.action.commands else None

    @property
    def first(self) -> Step | None:
        return self.steps[0] if self.steps else None


def quote_path(facts: Facts, path: str, first: bool = False) -> str:
    """``path`` quoted for this machine's shell (``shellquote.quote``); on Windows a quoted
    path run as a command (``first``) goes behind PowerShell's call operator."""
    windows = facts.platform.system == "Windows"
    quoted = quote(path, windows)
    return f"& {quoted}" if first and windows and quoted != path else quoted


def step_advice(step: Step) -> str:
    """A step as one line (its title, its text, its commands in `code`): the advice of every
    finding it answers, in the JSON and the CSV, and the line of the views."""
    a = step.action
    line = f"{step.title}: {a.text}"
    if a.commands:
        line += " " + " then ".join(f"`{c}`" for c in a.commands)
    if a.then:
        line += f"; {a.then}: " + " then ".join(f"`{c}`" for c in a.then_commands)
    return line


def link(findings: list[Finding], plan: Plan) -> list[Finding]:
    """Every finding with its step: ``step`` (the step's id), ``advice`` (the step's text for
    this machine, one voice with the plan) and ``blocked_by`` (the finding that makes the step
    needed, where it is another). A finding no step answers has no advice, nor has a passed
    one."""
    index: dict[str, Step] = {}
    causes: dict[str, set[str]] = {}
    texts: dict[str, str] = {}
    for s in (*plan.steps, *plan.later):
        causes[s.id] = set(s.because)
        texts[s.id] = step_advice(s)
        for r in s.resolves:
            index.setdefault(r, s)
    out = []
    for f in findings:
        step = index.get(f.id)
        if step is None:
            out.append(dataclasses.replace(f, advice=None, step=None, blocked_by=None))
            continue
        blocked = None if f.id in causes[step.id] or not step.because else step.because[0]
        # a passed finding a step points at (the kernel to choose) keeps no advice: nothing
        # to repair; the step says what to do
        advice = texts[step.id] if f.verdict != PASS else None
        out.append(dataclasses.replace(f, advice=advice, step=step.id, blocked_by=blocked))
    return out


class _Builder:
    def __init__(self, findings: list[Finding], facts: Facts, profile: Profile, places: Any):
        self.findings = findings
        self.facts = facts
        self.places = places
        self.reqs: dict[str, Requirement] = {r.id: r for r in profile.requirements}
        # the course flavour: the framework Keras runs on (tensorflow, torch) and its setup
        self.course = profile.course
        self.framework = profile.framework
        self.name = _framework_name(self.framework)
        course = profile.settings.get("course")
        self.course_setup = str(course.get("setup", "")) if isinstance(course, dict) else ""
        self.todo = [f for f in findings if f.verdict != PASS and not f.input_missing and f.advice]
        self.steps: list[Step] = []
        self.done: set[str] = set()

    # -- helpers -----------------------------------------------------------------------
    def check(self, f: Finding) -> str:
        r = self.reqs.get(f.id)
        return r.check if r else ""

    def add(
        self,
        sid: str,
        kind: str,
        title: str,
        action: Action,
        resolves: list[str],
        because: list[str] | None = None,
    ) -> None:
        fresh = [r for r in dict.fromkeys(resolves) if r not in self.done]
        self.done.update(fresh)
        new = set(fresh)
        cause = [r for r in because or [] if r in new]
        self.steps.append(Step(sid, kind, title, action, fresh, [], cause))

    def extend(self, commands: list[str], text: str, finding: str) -> None:
        """The step that runs ``commands`` also answers ``finding``, said in its text."""
        for i, st in enumerate(self.steps):
            if finding not in self.done and any(c in st.action.commands for c in commands):
                action = dataclasses.replace(st.action, text=f"{st.action.text} {text}")
                because = [*st.because, finding] if st.because else st.because
                resolves = [*st.resolves, finding]
                self.steps[i] = dataclasses.replace(
                    st, action=action, resolves=resolves, because=because
                )
                self.done.add(finding)
                return

    def open(self, *kinds: str) -> list[Finding]:
        return [f for f in self.todo if f.id not in self.done and self.check(f) in kinds]

    def kind_of(self, f: Finding) -> str:
        if f.level == "required":
            return "fix"
        return "optional" if f.level == "optional" else "recommended"

    def setup(self) -> str | None:
        if self.course_setup:  # the course's own setup, where its lock serves this machine
            return self.setup_for(_subdir(self.facts) or "")
        return _fitting_setup(self.facts)

    def minimum(self) -> str | None:
        """The framework's minimum version: its wheel requirement's ``min``."""
        for r in self.reqs.values():
            if r.check in _WHEEL_KINDS and "min" in r.params:
                return str(r.params["min"])
        return None

    def blockers(self) -> list[Any]:
        from dlcheck.support import framework_blockers

        return framework_blockers(self.facts, self.framework, self.minimum())

    def said(self, text: str) -> str:
        """A sentence of commands.toml (written for TensorFlow) for this course's framework."""
        return text if self.framework == "tensorflow" else text.replace("TensorFlow", self.name)

    def setup_for(self, subdir: str) -> str | None:
        want = self.course_setup or "cpu"
        return want if setup_serves(want, subdir) else None

    def create_commands(self, setup: str | None) -> list[str]:
        from dlcheck.support import load_commands

        env = load_commands().get("environment", {})
        if setup:
            return [
                str(env.get("create", "dlcheck env create --setup {setup}")).replace(
                    "{setup}", setup
                )
            ]
        if self.framework != "tensorflow":
            specs = [
                str(r.params["pip"])
                for r in self.reqs.values()
                if r.check == "package" and "pip" in r.params and _is_framework(r, self.framework)
            ]
            return ["python -m pip install " + " ".join(pip_spec(x, always=True) for x in specs)]
        return [str(env.get("unlocked", 'python -m pip install "tensorflow>=2.16"'))]

    # -- the plan ----------------------------------------------------------------------
    def build(self) -> Plan:
        if self.route():
            shown = self.steps[:MAX_ELSEWHERE]
            return Plan(shown, elsewhere=True, later=self.steps[MAX_ELSEWHERE:])
        flavour = self.flavour()  # before the others: the findings it answers are its own
        self.tool()  # dlcheck's own tool environment checked: its findings are moot
        self.python_blocker()
        if not self.steps:
            self.fresh_environment()
            self.install()
        self.skipped()
        self.graphviz()
        self.course_data()
        self.size()
        self.kernel()
        self.rest()
        order = {k: i for i, k in enumerate(KINDS)}
        steps = sorted(self.steps, key=lambda s: order.get(s.kind, len(KINDS)))
        if flavour is not None:
            steps = [flavour, *steps]
        ready = not any(f.verdict in ("FAIL", "WARN") for f in self.findings)
        out: list[Step] = []
        for s in steps:
            after = [p.id for p in out if p.kind in ("route", "blocker", "install")]
            out.append(Step(s.id, s.kind, s.title, s.action, s.resolves, after, s.because))
        shown = MAX_READY if ready else MAX_STEPS
        return Plan(out[:shown], later=out[shown:])

    def route(self) -> bool:
        """A route elsewhere: the machine (CPU, OS, platform, C library) or its allocation
        cannot run the course."""
        from dlcheck.support import machine_subdir, route_elsewhere, tensorflow_blockers

        facts = self.facts
        machine = self.open(*_MACHINE_KINDS)
        machine = [f for f in machine if f.verdict == "FAIL"]
        blockers = [b for b in self.blockers() if not b.fixable_here]
        wheel = [f for f in self.open(*_WHEEL_KINDS) if f.verdict == "FAIL"]
        everything = [f.id for f in self.todo]
        cause = [f.id for f in machine + wheel]
        judged = any(r.check in _WHEEL_KINDS for r in self.reqs.values())
        if machine or (blockers and (wheel or not judged)):
            first = blockers[0] if blockers else None
            reason = first.reason if first else machine[0].observed
            subdir = machine_subdir(facts)
            where = route_elsewhere(facts, self.framework, self.minimum()) if first else None
            if where is not None and where.key == "wsl":
                self.add(
                    "route-wsl",
                    "route",
                    f"Use WSL2: {self.name} runs in its Linux",
                    Action(
                        f"{_cap(reason)}. {self.said(where.text)} Or use {self.cloud_sentence()}.",
                        where.commands,
                        where.then or "then, in Ubuntu on WSL2",
                        self.create_commands(self.setup_for("linux-aarch64")),
                    ),
                    everything,
                    cause,
                )
                return True
            if where is not None and where.key == "os64":
                self.add(
                    "route-64bit-os",
                    "route",
                    "Install a 64-bit OS",
                    Action(  # the text names both frameworks already: not said() again
                        f"{_cap(reason)}. {where.text} "
                        f"Meanwhile, or instead: {self.cloud_sentence()}.",
                        where.commands,
                        where.then,
                        self.create_commands(self.setup_for(subdir or "linux-aarch64")),
                    ),
                    everything,
                    cause + [f.id for f in self.open("python_bits") if f.verdict == "FAIL"],
                )
                return True
            if where is not None and where.key in ("glibc_container", "old_glibc", "old_glibc_hpc"):
                hpc = where.key == "old_glibc_hpc"
                self.add(
                    "route-glibc",
                    "route",
                    "Use a system with a newer C library (glibc)"
                    if where.blocker.id == "glibc"
                    else "Use a glibc-based system or container",
                    Action(
                        where.text if hpc else f"{where.text} {_cap(self.cloud_sentence())}.",
                        where.commands,
                        where.then,
                        self.create_commands(self.setup_for(subdir or "linux-64"))
                        if where.then
                        else [],
                    ),
                    everything,
                    cause,
                )
                return True
            # The cause in the title: a lab reads "12 machines: No AVX: run the course in a
            # cloud notebook" among its most common first steps (dlcheck report).
            label = self.said(_CAUSES.get(first.id if first else "", ""))
            text = f"{_cap(reason)}, so {self.name} cannot run here. {self.cloud_text()}"
            commands: list[str] = []
            if self.framework != "tensorflow" and not [
                b for b in tensorflow_blockers(facts) if not b.fixable_here
            ]:  # e.g. an Intel Mac: no torch for the course, TensorFlow 2.16 has wheels
                text += " Or follow the course's TensorFlow flavour on this machine:"
                commands = ["dlcheck check --course tensorflow"]
            self.add(
                "route-cloud",
                "route",
                f"{label}: run the course in a cloud notebook"
                if label
                else "Run the course in a cloud notebook",
                Action(text, commands),
                everything,
                cause,
            )
            return True
        small = [
            f for f in self.open(*_SIZE_KINDS) if f.verdict == "FAIL" and f.level == "required"
        ]
        if small:
            self.small_route(small, everything)
            return True
        return False

    def cloud_sentence(self) -> str:
        from dlcheck.support import on_cloud_notebook

        if on_cloud_notebook(self.facts):
            return "a larger runtime of this notebook service"
        ids = [p.id for p in self.places.places if p.kind == "cloud notebook"]
        return "cloud notebooks: " + self.places.sentence(ids)

    def cloud_text(self) -> str:
        from dlcheck.support import load_commands

        text = self.said(str(load_commands()["route"]["cloud"]["text"]))
        ids = [p.id for p in self.places.places if p.kind == "cloud notebook"]
        return f"{text} {self.places.sentence(ids)}."

    def small_route(self, small: list[Finding], everything: list[str]) -> None:
        from dlcheck.support import contexts, load_commands

        routes = load_commands()["route"]
        keys = _keys(self.facts)
        ctx = contexts(self.facts)
        why = "; ".join(f"{f.title}: {f.observed}" for f in small)
        if "pbs" in ctx:
            key = "small_pbs"
        elif "hpc" in keys:
            key = "small_hpc"
        elif "hub" in keys:
            key = "small_hub"
        elif "notebook" in keys:
            key = "small_notebook"
        elif self.facts.platform.wsl:  # WSL's cap, not the machine: .wslconfig, not a new one
            key = "small_wsl"
        else:
            key = "small"
        entry = routes[key]
        cores, memory = self.size_needed()
        text = _fill(str(entry["text"]), why=why, cores=cores, memory=memory)
        own = list(dict.fromkeys(f.advice for f in small if f.advice))
        if key == "small" and own:  # the profile's own words: its author knows where to go
            text = f"This machine is too small for the course ({why}). " + " ".join(own)
        elif key == "small":
            text += f" {_cap(self.cloud_sentence())}."
        titles = {
            "small_hpc": "Start a bigger job",
            "small_pbs": "Start a bigger job",
            "small_hub": "Ask the hub's admins for a bigger server",
            "small_notebook": "Choose a larger runtime",
            "small_wsl": "Give WSL 2 more memory and cores",
            "small": "Use a bigger machine or a cloud notebook",
        }
        self.add(
            "route-bigger",
            "route",
            titles[key],
            Action(
                text,
                list(entry.get("commands", [])),
                str(entry["then"]) if entry.get("then") else None,
                [str(c) for c in entry.get("then_commands", [])],
            ),
            everything,
            [f.id for f in small],
        )

    def size_needed(self) -> tuple[str, str]:
        """The cores and GiB the profile in use requires (its required thresholds), for the
        routes' text: an instructor's profile asking for more gets its own numbers."""
        cores = [
            r.params["min"]
            for r in self.reqs.values()
            if r.check == "usable_cores" and r.level == "required" and "min" in r.params
        ]
        memory = [
            r.params["min_gib"]
            for r in self.reqs.values()
            if r.check == "memory" and r.level == "required" and "min_gib" in r.params
        ]
        return f"{max(cores, default=2):g}", f"{max(memory, default=4):g}"

    def python_blocker(self) -> None:
        """Another Python on this machine (32-bit, Rosetta, too old or new, PyPy, free-threaded):
        one step, which also makes the course environment with it."""
        from dlcheck.support import command_entry, python_already_here, recommended_python

        fixable = [b for b in self.blockers() if b.fixable_here]
        failing = [f for f in self.open(*_PYTHON_KINDS) if f.verdict == "FAIL"]
        if not fixable and not failing:
            return
        want = recommended_python(self.facts, self.framework)
        reason = (
            fixable[0].reason
            if fixable
            else f"this Python is {failing[0].observed}; the course needs {failing[0].title}"
        )
        what = {
            "python-bits": f"Install a 64-bit Python {want}",
            "rosetta": f"Install a native (arm64) Python {want}",
            "interpreter": f"Install CPython {want}",
            "free-threaded": f"Install the standard build of Python {want}",
        }.get(fixable[0].id if fixable else "", f"Install Python {want}")
        resolves = [f.id for f in self.todo if self.check(f) in (*_PYTHON_KINDS, *_ENV_KINDS)]
        kind = fixable[0].id if fixable else ""
        here = python_already_here(self.facts, self.framework)
        if here is not None and kind not in ("python-bits", "rosetta"):  # same build, maybe
            mm = ".".join(here.version.split(".")[:2])
            self.add(
                "python",
                "blocker",
                f"Use the Python {mm} already on this machine",
                Action(
                    f"{_cap(reason)}. Python {mm} is already here ({here.how}): `dlcheck env "
                    "create` finds it by itself and makes the course environment with it.",
                    self.create_commands(self.setup()),
                ),
                resolves,
                [f.id for f in failing],
            )
            return
        entry = command_entry("python", self.facts, version=want)
        commands = list(entry.commands) if entry else []
        text = f"{_cap(reason)}. {entry.text if entry else ''}".strip()
        text += " Then create the course environment with it (it finds the new Python)."
        self.add(
            "python",
            "blocker",
            what,
            Action(text, commands + self.create_commands(self.setup())),
            resolves,
            [f.id for f in failing],
        )

    def conflicting(self) -> list[str]:
        """The findings a fresh environment answers: several TensorFlow distributions, a plugin
        that breaks TensorFlow, or an outdated TensorFlow that another distribution or plugin
        would stay beside after an in-place upgrade."""
        TF_DISTRIBUTIONS, BREAKING_PLUGINS = tensorflow_distributions()
        if self.framework != "tensorflow":  # TensorFlow's distributions do not concern it
            return []
        bad = [f for f in self.open("tf_distributions") if f.verdict == "FAIL"]
        bad += [f for f in self.open("tf_metal") if f.verdict in ("FAIL", "WARN")]
        v = self.facts.packages.versions
        others = [d for d in (*TF_DISTRIBUTIONS, *BREAKING_PLUGINS) if d in v and d != "tensorflow"]
        if others and not bad:
            stale = [
                f
                for f in self.open("package", "keras3", "framework_works")
                if f.verdict in ("FAIL", "WARN")
                and f.observed != "not installed"
                and (self.check(f) != "package" or _is_tensorflow(self.reqs[f.id]))
            ]
            if any(p in v for p in BREAKING_PLUGINS) or any(
                self.check(f) != "framework_works" for f in stale
            ):
                bad += stale
        return [f.id for f in bad]

    def fresh_environment(self) -> None:
        why = self.conflicting()
        if not why:
            return
        v = self.facts.packages.versions
        TF_DISTRIBUTIONS, BREAKING_PLUGINS = tensorflow_distributions()
        found = [f"{d} {v[d]}" for d in (*TF_DISTRIBUTIONS, *BREAKING_PLUGINS) if d in v]
        setup = self.setup()
        if setup:
            commands = self.create_commands(setup)
        else:
            exe = self.facts.python.executable or "python"
            windows = self.facts.platform.system == "Windows"
            commands = [
                f"{quote_path(self.facts, exe, first=True)} -m venv .venv-course",
                ".venv-course\\Scripts\\activate" if windows else ". .venv-course/bin/activate",
                *self.create_commands(None),
            ]
        resolves = [
            f.id
            for f in self.todo
            if self.check(f) in _FRESH_KINDS
            or f.id in why
            or f.waits
            or (f.skipped and self.check(f) in _FRAMEWORK_KINDS)
        ]
        required = any(f.level == "required" for f in self.todo if f.id in why)
        self.add(
            "fresh-environment",
            "fix" if required else "recommended",
            "Make a fresh course environment",
            Action(
                f"This environment has {', '.join(found)}, which do not work together, and an "
                "upgrade in place would keep them side by side. Make a new environment for the "
                f"course (this one stays as it is), then run `{self.check_command}` in it.",
                commands,
            ),
            resolves,
            [f.id for f in self.todo if f.id in why],
        )

    @property
    def check_command(self) -> str:
        """The check to run after a step: with this course's --course where it is not the
        default (a torch learner told `dlcheck check` would be judged as the other course)."""
        return (
            "dlcheck check"
            if self.course == "tensorflow"
            else f"dlcheck check --course {self.course}"
        )

    def install(self) -> None:
        missing = [
            f
            for f in self.open("package")
            if f.verdict in ("FAIL", "WARN") and "pip" in self.reqs[f.id].params
        ]
        if not missing:
            return
        specs = [str(self.reqs[f.id].params["pip"]) for f in missing]
        pip = "python -m pip install " + " ".join(pip_spec(s) for s in specs)
        frameworks = ("tensorflow", "keras", self.framework)
        needs_tf = any(re.split(r"[<>=!~\[ ]", s)[0] in frameworks for s in specs)
        setup = self.setup() if needs_tf else None
        required = any(f.level == "required" for f in missing)
        if needs_tf:  # `dlcheck check` in the new environment tests them; installing the
            # framework (or the course environment) also answers an outdated Keras or a
            # broken framework: one step, never a second upgrade beside it
            waiting_fw = [
                f.id
                for f in self.open(*_FRAMEWORK_KINDS)
                if f.skipped or f.verdict in ("FAIL", "WARN")
            ]
        else:
            waiting_fw = []
        waiting = [f.id for f in self.todo if f.waits]
        names = [re.split(r"[<>=!~\[ ]", s)[0] for s in specs]
        made = next((m for m in self.facts.python.made if m.setup == setup), None)
        if setup and made is not None:  # made already: activate it, never create it again
            windows = self.facts.platform.system == "Windows"
            folder = quote_path(self.facts, made.folder)
            activate = f"{folder}\\Scripts\\activate" if windows else f". {folder}/bin/activate"
            title = "Activate the course environment"
            action = Action(
                f"`dlcheck env create` made it already in this folder ({made.folder}, setup "
                f"{made.setup}): activate it, then check there.",
                [activate, self.check_command],
            )
        elif setup:
            title = "Create the course environment"
            action = Action(
                "A new environment with every course package at a tested version, from the "
                f"setup's lock; it says how to activate it. Then run `{self.check_command}` "
                "there.",
                self.create_commands(setup),
            )
        else:
            title = "Install " + (
                _names(names) if len(names) <= 2 else "the missing course packages"
            )
            # the reason names the packages it is about: their requirements' titles
            titles = [f.title for f in missing]
            action = Action(
                f"Into this environment, then run `{self.check_command}` again."
                if required
                else f"Recommended for the course: {_names(titles)}.",
                [pip],
            )
        self.add(
            "activate" if setup and made is not None else "install",
            "install" if required else "recommended",
            title,
            action,
            [f.id for f in missing] + waiting + waiting_fw,
            # the checks that wait on these packages are listed under the step too: the counts
            # say "4 unknown", so the view shows which (tested after this step)
            [f.id for f in missing] + waiting,
        )

    def skipped(self) -> None:
        waiting = [f for f in self.todo if f.id not in self.done and f.waits]
        if waiting:  # nothing installs it (a route or Python step would have): say so once
            self.done.update(f.id for f in waiting)
        skipped = [
            f for f in self.todo if f.id not in self.done and f.skipped and f.verdict == UNKNOWN
        ]
        if not skipped:
            return
        self.add(
            "test-frameworks",
            "recommended",
            f"Test {self.name} and Keras",
            Action(
                "Not tested yet (`--no-frameworks`, or a report saved before dlcheck had that "
                "test): run the full check on this machine.",
                ["dlcheck check"],
            ),
            [f.id for f in skipped],
        )

    def graphviz(self) -> None:
        from dlcheck.support import command_entry

        dot = self.open("command")
        if not dot:
            return
        entry = command_entry("graphviz", self.facts)
        if entry is None:
            return
        known = any(f.verdict in ("FAIL", "WARN") for f in dot)
        text = entry.text if known else f"Could not tell whether it is installed. {entry.text}"
        self.add(
            "graphviz",
            "optional",
            "Install Graphviz",
            Action(text, list(entry.commands)),
            [f.id for f in dot],
        )

    def course_data(self) -> None:
        """The course's data (check kind ``course_data``): one step, the command that fetches
        what is missing (data/commands.toml ``[course_data.*]``)."""
        from dlcheck.support import command_entry

        data = self.open("course_data")
        entry = command_entry("course_data", self.facts) if data else None
        if entry is None:
            return
        kind = min((self.kind_of(f) for f in data), key=KINDS.index)
        title = "Download the course's data"
        self.add(
            "course-data", kind, title, Action(entry.text, entry.commands), [f.id for f in data]
        )

    def size(self) -> None:
        """Cores and memory below the recommended size: one cause, one step."""
        low = [f for f in self.open(*_SIZE_KINDS) if f.verdict in ("FAIL", "WARN")]
        if len(low) < 2:
            return
        text = " ".join(dict.fromkeys(f.advice or "" for f in low))
        self.add(
            "bigger",
            "recommended",
            "More cores and memory would help",
            Action(text.strip()),
            [f.id for f in low],
        )

    def flavour(self) -> Step | None:
        """The TensorFlow course in an environment set up for the PyTorch flavour (Keras with
        the torch backend configured, no TensorFlow): advice first, with the one command that
        checks against that flavour. The verdict stays this profile's."""
        TF_DISTRIBUTIONS, _ = tensorflow_distributions()
        if self.course != "tensorflow":
            return None
        versions = self.facts.packages.versions
        fw = self.facts.sections.get("frameworks")
        backend = fw.get("keras_backend") if isinstance(fw, dict) else None
        if not keras_present(self.facts) or backend != "torch":
            return None
        if any(d in versions for d in TF_DISTRIBUTIONS):
            return None
        source = fw.get("keras_backend_source") if isinstance(fw, dict) else None
        where = f" ({source})" if source and source != "default" else ""
        tf_only = [
            f.id
            for f in self.todo
            if f.id not in self.done and _tensorflow_only(self.reqs.get(f.id))
        ]
        self.done.update(tf_only)
        return Step(
            "course-torch",
            "blocker",
            "This looks like the course's PyTorch flavour",
            Action(
                f"Keras is set to the torch backend{where} and TensorFlow is not installed: "
                "this environment is set up for Keras 3 on PyTorch, the course's other flavour. "
                "Check it against that flavour (this verdict is the TensorFlow course's):",
                ["dlcheck check --course torch"],
            ),
            tf_only,
            [],
            [],
        )

    def tool(self) -> None:
        """dlcheck ran from its own tool environment (pipx, uv tool, uvx: ``python.dlcheck_tool``)
        and checked that one (no ``python.chosen``): the Python, package and framework findings
        describe a private environment the course never uses. One step first, resolving them:
        check the course's Python; installing the course there would be wrong."""
        py = self.facts.python
        if not py.dlcheck_tool or py.chosen:
            return
        moot_kinds = (*_PYTHON_KINDS, "package", *_FRAMEWORK_KINDS, "environment_lock")
        moot = [
            f.id
            for f in self.findings
            if f.id not in self.done
            and not f.input_missing
            and f.verdict != PASS
            and self.check(f) in moot_kinds
        ]
        if not moot:
            return
        from dlcheck.support import command_entry

        entry = command_entry("tool_environment", self.facts, tool=py.dlcheck_tool)
        if entry is None:
            return
        self.add(
            "tool-environment",
            "blocker",
            f"Check the course's Python, not dlcheck's own {py.dlcheck_tool} environment",
            Action(entry.text, list(entry.commands)),
            moot,
        )

    def kernel(self) -> None:
        """The Jupyter kernel the course runs in (check kind ``kernel_runs_course``, the
        kernels' facts through the registry; words and commands in data/commands.toml
        ``[kernel_choose.*]``, ``[kernel_register.*]``): where Jupyter offers several kernels,
        the one to choose, by display name; where none that every Jupyter offers runs the
        course, the one command that registers the Python that has it; where a step runs
        `dlcheck env create`, the kernel it registers (``[kernel_created.*]``), no other."""
        from dlcheck.features import kernel_choice
        from dlcheck.support import command_entry

        windows = self.facts.platform.system == "Windows"
        # a step that runs `dlcheck env create` (install, fresh environment, another Python):
        # the environment it makes registers its own kernel, so none is registered here
        setup = self.setup()
        create = self.create_commands(setup) if setup else []
        creates = any(c in s.action.commands for s in self.steps for c in create)
        for f in self.findings:
            req = self.reqs.get(f.id)
            if req is None or req.check != "kernel_runs_course" or f.input_missing:
                continue
            if f.id in self.done or f.blocked_by:
                continue
            if creates and f.verdict in ("FAIL", "WARN"):
                entry = command_entry("kernel_created", self.facts, setup=str(setup))
                if entry is not None:  # said in the step that makes it: one step, not two
                    self.extend(create, entry.text, f.id)
                continue
            choice = kernel_choice(self.facts, req.params)
            if choice is None:
                continue
            if choice.pick is not None and len(choice.offered) > 1:
                label = choice.pick.display_name or choice.pick.name
                where = f" started from {choice.pick_where}" if choice.pick_where else ""
                entry = command_entry(
                    "kernel_choose",
                    self.facts,
                    count=str(len(choice.offered)),
                    label=label,
                    interpreter=str(choice.pick.interpreter),
                    where=where,
                )
                if entry is not None:
                    title = f"Choose the kernel '{label}'"
                    self.add("choose-kernel", "optional", title, Action(entry.text), [f.id])
            elif choice.register_exe:
                fields = {
                    "python": quote_path(self.facts, choice.register_exe, first=True),
                    "shown": choice.register_exe,
                    "name": choice.name,
                    "display": quote(choice.display, windows),
                    "label": choice.display,
                }
                entry = command_entry("kernel_register", self.facts, **fields)
                if entry is None:
                    continue
                commands = list(entry.commands)
                if choice.needs_ipykernel:
                    pip = command_entry("kernel_ipykernel", self.facts, **fields)
                    commands = [*(pip.commands if pip else []), *commands]
                title = "Register this Python as a Jupyter kernel"
                self.add("register-kernel", self.kind_of(f), title,
                         Action(entry.text, commands), [f.id])  # fmt: skip

    def gpu_cause(self) -> bool:
        """Whether the GPU finding names a cause to act on (an NVIDIA driver's message)."""
        from dlcheck.checks import driver_advice

        return driver_advice(self.facts) is not None

    def rest(self) -> None:
        """Every other finding with advice: findings that share their advice share a step."""
        groups: dict[str, list[Finding]] = {}
        for f in self.todo:
            if f.id in self.done or f.blocked_by:
                continue
            if self.check(f) == "gpu" and f.verdict == "WARN" and not self.gpu_cause():
                continue  # the GPU is optional and nothing names a cause: nothing to do
            groups.setdefault(f.advice or "", []).append(f)
        for advice, members in groups.items():
            kinds = [self.kind_of(m) for m in members]
            kind = min(kinds, key=KINDS.index)
            head = members[0]
            self.add(head.id, kind, head.title, Action(advice), [m.id for m in members])


def _is_framework(req: Requirement, framework: str) -> bool:
    names = [str(n).lower() for n in req.params.get("any_of", [])]
    return framework in names or "keras" in names


def _tensorflow_only(req: Requirement | None) -> bool:
    """A requirement only the TensorFlow flavour has (TensorFlow itself, tf.keras, its GPU,
    its distributions and plugins)."""
    if req is None:
        return False
    if req.check in (
        "keras3",
        "keras_backend",  # the TensorFlow backend: the PyTorch flavour's step answers it
        "tf_distributions",
        "tf_sees_gpu",
        "tf_metal",
        "tf_wheel",
    ):
        return True
    if req.check == "framework_works":
        return req.params.get("framework") == "tensorflow"
    names = [str(n).lower() for n in req.params.get("any_of", [])]
    tf, _ = tensorflow_distributions()
    return req.check == "package" and any(n in tf for n in names)


def _framework_name(framework: str) -> str:
    from dlcheck.support import framework_name

    return framework_name(framework)


def _subdir(facts: Facts) -> str | None:
    from dlcheck.support import machine_subdir

    return machine_subdir(facts)


def _is_tensorflow(req: Requirement) -> bool:
    names = [str(n).lower() for n in req.params.get("any_of", [])]
    return "tensorflow" in names or "keras" in names


def _keys(facts: Facts) -> list[str]:
    from dlcheck.support import machine_keys

    return machine_keys(facts)


def _fill(text: str, **values: str) -> str:
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def build_plan(findings: list[Finding], facts: Facts, profile: Profile, places: Any) -> Plan:
    """The plan for one machine: its next steps, in order (module docstring)."""
    return _Builder(findings, facts, profile, places).build()
