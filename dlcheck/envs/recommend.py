"""Which setup fits a machine, and the exact commands to create it. A pure function of the
facts (this machine's, or a saved report's) and the setups catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dlcheck.envs.setups import Catalog, pip_lock_name
from dlcheck.records import Facts
from dlcheck.support import machine_subdir

# How a person names each route (Route.name is the key that JSON and tests use).
ROUTE_HEADINGS = {
    "one command": "In one command",
    "pip": "Step by step with pip",
    "conda": "With conda",
    "pip (not locked)": "With pip, not locked",
    "cloud notebook": "In a cloud notebook",
    "WSL2": "In WSL2 (Linux inside Windows)",
    "glibc container": "In a container with a glibc-based Linux",
    "64-bit OS": "On the 64-bit edition of this machine's OS",
}


@dataclass(frozen=True)
class Route:
    name: str  # the key: "one command", "pip", "conda", "pip (not locked)", "cloud notebook"
    commands: list[str]
    comment: str | None = None


@dataclass(frozen=True)
class Recommendation:
    setup: str | None  # None: no locked setup fits this machine
    platform: str | None
    title: str | None
    reasons: list[str]
    routes: list[Route] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        from dlcheck.documents import ENV_RECOMMEND, with_header
        from dlcheck.records import to_dict

        return with_header(ENV_RECOMMEND, to_dict(self))


def _has_working_nvidia(facts: Facts) -> bool:
    return facts.gpu.nvidia_status == "ok" and any(g.vendor == "nvidia" for g in facts.gpu.gpus)


COURSE_PACKAGES = (
    '"tensorflow>=2.16" "keras>=3" "scikit-learn>=1.4" pandas seaborn jupyterlab pydot keras-tuner'
)


def _pythons(catalog: Catalog) -> list[str]:
    """The Pythons the setups are locked for (issue 11 adds several; older catalogues: one)."""
    return list(getattr(catalog, "pythons", None) or [catalog.python])


def python_to_use(facts: Facts, catalog: Catalog, package: str = "tensorflow") -> str:
    """The Python (major.minor) a setup's environment is made with here: the running one when
    the setups are locked for it and the framework has wheels for it, else one already on
    this machine that they cover (``support.python_already_here``, the plan's answer too),
    else the one to install
    (``support.recommended_python``). ``package``: the setup's framework."""
    from dlcheck.support import python_already_here, python_mm, recommended_python

    best = recommended_python(facts, package)  # the running one where the locks cover it
    if best == python_mm(facts):
        return best
    here = python_already_here(facts, package)
    if here is not None and ".".join(here.version.split(".")[:2]) in _pythons(catalog):
        return ".".join(here.version.split(".")[:2])
    return best


def _setup_framework(setup: str) -> str:
    """The framework a setup's lock installs (keras-torch: torch), for its Python's wheels."""
    from dlcheck.support import FRAMEWORK_SETUPS

    return next((fw for fw, name in FRAMEWORK_SETUPS.items() if name == setup), "tensorflow")


def _venv(name: str, py: str, windows: bool) -> list[str]:
    if windows:
        return [f"py -{py} -m venv {name}", f"{name}\\Scripts\\activate"]
    return [f"python{py} -m venv {name}", f". {name}/bin/activate"]


def routes_for(
    catalog: Catalog,
    setup: str,
    subdir: str,
    windows: bool,
    conda_ready: bool = True,
    python: str | None = None,
) -> list[Route]:
    """The commands, run from the root of a clone of the dlcheck repository: `dlcheck env
    create` (one command), then the pip route it runs, then conda where its lock exists.
    ``conda_ready`` False: envs/<setup>/conda-lock.yml has not been generated yet, so the
    conda route is left out. ``python``: the Python to use (default: the catalogue's)."""
    s = catalog.setups[setup]
    env = f"dl-{setup}"
    verify = f"dlcheck env verify --setup {setup}"
    routes: list[Route] = []
    py = python if python in _pythons(catalog) else catalog.python
    if subdir in s.pip_platforms:
        routes.append(
            Route(
                "one command",
                [f"dlcheck env create --setup {setup}"],
                "it makes the environment from the lock and checks it",
            )
        )
        routes.append(
            Route(
                "pip",
                [
                    *_venv(f".venv-{setup}", py, windows),
                    "python -m pip install --upgrade pip",
                    f"python -m pip install --require-hashes -r envs/{setup}/"
                    + pip_lock_name(subdir),
                    "python -m pip install --no-deps -e .",
                    verify,
                ],
                # the view adds "from a clone of the dlcheck repository" (route_heading)
                f"Python {', '.join(_pythons(catalog))} (use {py})",
            )
        )
    if subdir in s.conda_platforms and conda_ready:
        routes.append(
            Route(
                "conda",
                [
                    "python -m pip install conda-lock",
                    f"conda-lock install --name {env} envs/{setup}/conda-lock.yml",
                    f"conda activate {env}",
                    "python -m pip install --no-deps -e .",
                    verify,
                ],
                "needs conda, mamba or micromamba (Miniforge)",
            )
        )
    return routes


def _cloud_route(facts: Facts) -> Route:
    from dlcheck.places import load_places

    places = [p for p in load_places().places if p.kind == "cloud notebook"]
    return Route(
        "cloud notebook",
        [f"{p.name}: {p.url}" for p in places],
        "nothing to install on this machine: the course runs in your browser",
    )


def _unlocked_route(subdir: str, py: str, windows: bool) -> Route:
    return Route(
        "pip (not locked)",
        [
            *_venv(".venv-course", py, windows),
            "python -m pip install --upgrade pip",
            f"python -m pip install {COURSE_PACKAGES}",
            "python -m pip install --no-deps -e .",
            "dlcheck check",
        ],
        f"no lock for {subdir} yet, so the newest releases, unpinned; needs Python {py}",
    )


def _driver_runs_gpu_setup(facts: Facts) -> tuple[bool, str | None]:
    """Whether the NVIDIA driver can run the nvidia setup's CUDA build (support matrix:
    the CUDA of the newest TensorFlow for linux-64 and the oldest driver for it)."""
    from dlcheck.support import load_support

    s = load_support()
    tf = s.newest("tensorflow", "linux-64", "3.12")
    cuda = s.tf_cuda(tf)
    gpu = next((g for g in facts.gpu.gpus if g.vendor == "nvidia"), None)
    if gpu is None or not cuda:
        return (gpu is not None), None
    have = gpu.cuda_driver_version
    if not have:
        return True, None  # unknown: do not withhold the GPU setup
    try:
        ok = int(have.split(".")[0]) >= int(cuda.split(".")[0])
    except ValueError:
        return True, None
    if ok:
        return True, None
    least = s.min_driver(cuda) or "a newer one"
    return False, (
        f"the NVIDIA driver ({gpu.driver_version or '?'}, CUDA {have}) is too old for the GPU "
        f"setup's TensorFlow {tf} (CUDA {cuda}; driver {least} or newer)"
    )


def recommend(
    facts: Facts, catalog: Catalog, conda_ready: set[str] | None = None
) -> Recommendation:
    """Pick the setup for the machine ``facts`` describe. Never ends without a route: where
    no lock fits, the nearest route that works (unlocked pip, WSL, a cloud notebook)."""
    from dlcheck.support import (
        load_support,
        on_hpc,
        route_elsewhere,
        tensorflow_blockers,
    )

    support = load_support()
    p = facts.platform
    subdir = machine_subdir(facts)
    reasons: list[str] = []
    notes: list[str] = []
    alternatives: list[str] = []
    windows = p.system == "Windows"
    hpc = on_hpc(facts)
    blockers = tensorflow_blockers(facts)
    # What blocks every setup on this machine comes first, with its fix.
    for b in blockers:
        if b.fixable_here:
            notes.append(f"First: {b.reason}; {b.fix}.")
    machine_blocked = [b for b in blockers if not b.fixable_here]
    if subdir is None or any(b.id in ("cpu", "os", "userland") for b in machine_blocked):
        why = (
            machine_blocked[0].reason
            if machine_blocked
            else f"no TensorFlow for {p.system or 'this OS'} on {p.machine or 'this CPU'}"
        )
        routes = [_cloud_route(facts)]
        where = route_elsewhere(facts)
        if where is not None and where.key == "os64":  # the check's route, the same words
            routes.insert(0, Route("64-bit OS", [], where.text))
        return Recommendation(
            None,
            subdir,
            None,
            [why, "so no setup can run here: use a cloud notebook"],
            routes=routes,
            notes=notes,
        )
    libc = next((b for b in machine_blocked if b.id in ("libc", "glibc")), None)
    if libc is not None:
        # musl (Alpine) or a glibc older than the locked TensorFlow wheels accept: no setup
        # installs on this system; a glibc-based container or system (or a notebook) does.
        # The route's words are the check's (support.route_elsewhere, commands.toml).
        where = route_elsewhere(facts)
        return Recommendation(
            None,
            subdir,
            None,
            [libc.reason, "so no setup installs on this system: " + libc.fix],
            routes=[
                Route(
                    "glibc container",
                    [
                        'docker run -it --rm -v "$PWD":/work -w /work python:3.12-slim bash',
                        "(then, inside) dlcheck env recommend",
                    ],
                    where.text.rstrip(".")
                    if where is not None
                    else "a Debian-based image with a current glibc (Apptainer on a cluster)",
                ),
                _cloud_route(facts),
            ],
            notes=notes,
        )
    plat = support.platforms.get(subdir)
    py = python_to_use(facts, catalog)
    nvidia = _has_working_nvidia(facts)
    linuxish = p.system == "Linux"
    driver_ok, driver_why = _driver_runs_gpu_setup(facts) if nvidia else (False, None)
    if nvidia and linuxish and subdir == "linux-64" and driver_ok:
        setup = "nvidia"
        where = "WSL2" if p.wsl else "Linux"
        reasons.append(f"an NVIDIA GPU with a working driver on {where}")
    else:
        setup = "cpu"
        if nvidia and windows:
            reasons.append("an NVIDIA GPU, but native Windows has no GPU TensorFlow since 2.10")
            alternatives.append("for the GPU: install WSL2 and run `dlcheck env recommend` there")
        elif nvidia and linuxish and driver_why:
            reasons.append(driver_why + ": the CPU setup until it is updated")
            notes.append(
                "Ask your HPC support for nodes with a newer NVIDIA driver (or a TensorFlow "
                "module built for this one); no root command helps on a cluster node."
                if hpc
                else "Update the NVIDIA driver (nvidia.com/drivers; Ubuntu: `sudo "
                "ubuntu-drivers install`), reboot, then `dlcheck env recommend` again."
            )
        elif facts.gpu.nvidia_status == "error":
            reasons.append("the NVIDIA driver is not working, so the GPU cannot be used")
            from dlcheck.support import nvidia_error_advice

            notes.append(nvidia_error_advice(facts.gpu.nvidia_error, hpc=hpc))
        elif subdir == "osx-arm64":
            reasons.append("an Apple Silicon Mac, where TensorFlow runs on the CPU")
        else:
            reasons.append("no usable NVIDIA GPU, so the course runs on the CPU")
    if p.rosetta and not any(b.id == "rosetta" for b in blockers):
        notes.append(
            "This Python is an x86-64 build under Rosetta: create the environment with an arm64 "
            "Python (python.org's universal2 installer or Miniforge for arm64)."
        )
    s = catalog.setups.get(setup)
    if s is None or subdir not in (s.pip_platforms + s.conda_platforms):
        # No lock for this platform: the nearest route that works, with why.
        routes: list[Route] = []
        if any(b.id == "platform" for b in machine_blocked):
            reasons.append(machine_blocked[0].reason)
            # the check's route, from the same function and table (commands.toml [route.*])
            where = route_elsewhere(facts)
            if where is not None and where.key == "wsl":
                reasons.append(where.text)
                routes.append(
                    Route(
                        "WSL2",
                        [*where.commands, "(then, in Ubuntu) dlcheck env recommend"],
                        where.then,
                    )
                )
            routes.append(_cloud_route(facts))
        else:
            reasons.append(f"no locked {setup} setup for {subdir} yet")
            routes.append(_unlocked_route(subdir, py, windows))
            routes.append(_cloud_route(facts))
        if plat:
            notes.append(plat.gpu_note)
        return Recommendation(None, subdir, plat.title if plat else None, reasons, routes, notes)
    kt = catalog.setups.get("keras-torch")
    if setup != "keras-torch" and kt and subdir in kt.pip_platforms:
        alternatives.append(
            "Keras 3 on PyTorch (where the lesson is heading): "
            "`dlcheck env recommend --setup keras-torch`"
        )
    unavailable = getattr(s, "unavailable", {}) or {}
    if subdir in unavailable:
        notes.append(str(unavailable[subdir]))
    return Recommendation(
        setup=setup,
        platform=subdir,
        title=s.title,
        reasons=reasons,
        routes=routes_for(
            catalog, setup, subdir, windows, conda_ready is None or setup in conda_ready, py
        ),
        notes=notes + s.notes_for(subdir),
        alternatives=alternatives,
    )


def recommend_setup(
    facts: Facts,
    catalog: Catalog,
    setup: str,
    conda_ready: set[str] | None = None,
    why: str = "chosen with --setup",
) -> Recommendation:
    """The commands for a setup the user chose (``--setup``, or a course's: ``why``) on this
    machine's platform; where it has no lock, why (the catalogue's ``unavailable``) and a
    cloud notebook."""
    subdir = machine_subdir(facts)
    s = catalog.setups[setup]
    if subdir is None or subdir not in (s.pip_platforms + s.conda_platforms):
        reasons = [f"setup {setup} has no lock for {subdir or 'this platform'}"]
        if subdir in s.unavailable:
            reasons.append(s.unavailable[subdir])
        return Recommendation(None, subdir, None, reasons, routes=[_cloud_route(facts)])
    return Recommendation(
        setup,
        subdir,
        s.title,
        [why],
        routes_for(
            catalog,
            setup,
            subdir,
            facts.platform.system == "Windows",
            conda_ready is None or setup in conda_ready,
            python_to_use(facts, catalog, _setup_framework(setup)),
        ),
        notes=s.notes_for(subdir),
    )


def fitting_setup(facts: Facts) -> str | None:
    """The locked setup whose pip lock fits this machine's platform (cpu or nvidia), None
    when the catalogue has none for it. The catalogue decides, not this module."""
    try:
        from dlcheck.envs.setups import load_catalog

        rec = recommend(facts, load_catalog())
    except Exception:  # noqa: BLE001 - no catalogue: no setup to point at
        return None
    return rec.setup if rec.routes and any(r.name == "pip" for r in rec.routes) else None
