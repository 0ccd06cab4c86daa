"""Which setup fits a machine, and the exact commands to create it. A pure function of the
facts (this machine's, or a saved report's) and the setups catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dlcheck.envs.setups import Catalog, conda_subdir, pip_lock_name
from dlcheck.records import Facts


@dataclass(frozen=True)
class Route:
    name: str  # conda or pip
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
        from dlcheck.records import to_dict

        return {
            "schema": "dlcheck.env-recommend",
            "schema_version": 1,
            "kind": "env-recommend",
            **to_dict(self),
        }


def _has_working_nvidia(facts: Facts) -> bool:
    return facts.gpu.nvidia_status == "ok" and any(g.vendor == "nvidia" for g in facts.gpu.gpus)


def hardware_subdir(facts: Facts) -> str | None:
    """The conda platform a native environment on this machine uses (Apple Silicon stays
    osx-arm64 even when the Python that ran dlcheck is an x86-64 one under Rosetta)."""
    return conda_subdir(facts.platform.system, facts.platform.machine)


def routes_for(
    catalog: Catalog, setup: str, subdir: str, windows: bool, conda_ready: bool = True
) -> list[Route]:
    """The commands for both routes, run from the root of a clone of the dlcheck repository.
    ``conda_ready`` False: envs/<setup>/conda-lock.yml has not been generated yet."""
    s = catalog.setups[setup]
    env = f"dl-{setup}"
    verify = f"dlcheck env verify --setup {setup}"
    routes: list[Route] = []
    if subdir in s.conda_platforms:
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
                "needs conda, mamba or micromamba (Miniforge)"
                if conda_ready
                else "conda-lock.yml is not generated yet: use the pip route for now",
            )
        )
    if subdir in s.pip_platforms:
        py = catalog.python
        if windows:
            make = [f"py -{py} -m venv .venv-{setup}", f".venv-{setup}\\Scripts\\activate"]
        else:
            make = [f"python{py} -m venv .venv-{setup}", f". .venv-{setup}/bin/activate"]
        routes.append(
            Route(
                "pip",
                [
                    *make,
                    "python -m pip install --upgrade pip",
                    f"python -m pip install --require-hashes -r envs/{setup}/"
                    + pip_lock_name(subdir),
                    "python -m pip install --no-deps -e .",
                    verify,
                ],
                f"needs Python {py} (python.org); the lesson's own route",
            )
        )
    return routes


def recommend(
    facts: Facts, catalog: Catalog, conda_ready: set[str] | None = None
) -> Recommendation:
    """Pick the setup for the machine ``facts`` describe."""
    p = facts.platform
    subdir = hardware_subdir(facts)
    reasons: list[str] = []
    notes: list[str] = []
    alternatives: list[str] = []
    windows = p.system == "Windows"
    if subdir is None:
        return Recommendation(
            None,
            None,
            None,
            [f"no locked setup for {p.system or 'this OS'} on {p.machine or 'this CPU'}"],
            notes=[
                "Run the course in a cloud notebook, or install as the lesson's setup page says."
            ],
        )
    nvidia = _has_working_nvidia(facts)
    linuxish = p.system == "Linux"
    if nvidia and linuxish and subdir == "linux-64":
        setup = "nvidia"
        where = "WSL2" if p.wsl else "Linux"
        reasons.append(f"an NVIDIA GPU with a working driver on {where}")
    else:
        setup = "cpu"
        if nvidia and windows:
            reasons.append("an NVIDIA GPU, but native Windows has no GPU TensorFlow since 2.10")
            alternatives.append("for the GPU: install WSL2 and run `dlcheck env recommend` there")
        elif facts.gpu.nvidia_status == "error":
            reasons.append("the NVIDIA driver is not working, so the GPU cannot be used")
            if facts.gpu.nvidia_advice:
                notes.append(facts.gpu.nvidia_advice)
        elif subdir == "osx-arm64":
            reasons.append("an Apple Silicon Mac: TensorFlow runs on its CPU")
        else:
            reasons.append("no usable NVIDIA GPU: the course runs on the CPU")
    if p.rosetta:
        notes.append(
            "This Python is an x86-64 build under Rosetta: create the environment with an arm64 "
            "Python (python.org's universal2 installer or Miniforge for arm64)."
        )
    if facts.cpu.avx is False and subdir in ("linux-64", "osx-64", "win-64"):
        notes.append("This CPU lacks AVX: TensorFlow's wheels stop with 'Illegal instruction'.")
    if setup not in catalog.setups or subdir not in (
        catalog.setups[setup].pip_platforms + catalog.setups[setup].conda_platforms
    ):
        return Recommendation(
            None, subdir, None, reasons + [f"no locked {setup} setup for {subdir}"], notes=notes
        )
    s = catalog.setups[setup]
    kt = catalog.setups.get("keras-torch")
    if setup != "keras-torch" and kt and subdir in kt.pip_platforms:
        alternatives.append(
            "Keras 3 on PyTorch (where the lesson is heading): "
            "`dlcheck env recommend --setup keras-torch`"
        )
    return Recommendation(
        setup=setup,
        platform=subdir,
        title=s.title,
        reasons=reasons,
        routes=routes_for(
            catalog, setup, subdir, windows, conda_ready is None or setup in conda_ready
        ),
        notes=notes + s.notes_for(subdir),
        alternatives=alternatives,
    )


def recommend_setup(
    facts: Facts, catalog: Catalog, setup: str, conda_ready: set[str] | None = None
) -> Recommendation:
    """The commands for a setup the user chose (``--setup``) on this machine's platform."""
    subdir = hardware_subdir(facts)
    s = catalog.setups[setup]
    if subdir is None or subdir not in (s.pip_platforms + s.conda_platforms):
        return Recommendation(
            None, subdir, None, [f"setup {setup} has no lock for {subdir or 'this platform'}"]
        )
    return Recommendation(
        setup,
        subdir,
        s.title,
        ["chosen with --setup"],
        routes_for(
            catalog,
            setup,
            subdir,
            facts.platform.system == "Windows",
            conda_ready is None or setup in conda_ready,
        ),
        notes=s.notes_for(subdir),
    )
