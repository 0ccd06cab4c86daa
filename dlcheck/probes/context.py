"""Where dlcheck runs: a batch job (Slurm, PBS, LSF), a hosted notebook (JupyterHub, Colab,
Kaggle, SageMaker, Binder), WSL, a container. Facts only: the checks decide what each one changes
(no cloud advice on a cloud notebook, no root commands on a cluster node)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# (context, environment variables any of which proves it)
_ENV_MARKERS = (
    ("slurm", ("SLURM_JOB_ID", "SLURM_JOBID")),
    ("pbs", ("PBS_JOBID",)),
    ("lsf", ("LSB_JOBID",)),
    ("colab", ("COLAB_RELEASE_TAG", "COLAB_GPU", "COLAB_BACKEND_VERSION")),
    ("kaggle", ("KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE", "KAGGLE_DATA_PROXY_TOKEN")),
    ("sagemaker", ("SAGEMAKER_INTERNAL_IMAGE_URI", "SM_CURRENT_HOST", "SAGEMAKER_APP_TYPE")),
    # BinderHub (mybinder.org) sets these in every session it launches (on top of JupyterHub's)
    ("binder", ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST")),
    ("jupyterhub", ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER", "JUPYTERHUB_SERVICE_PREFIX")),
)
# (context, text in /proc/self/cgroup that proves it)
_CGROUP_MARKERS = (
    ("slurm", ("/slurm/", "/slurm_", "slurmstepd")),
    ("pbs", ("/pbs_jobs", "/pbspro", "/pbs.service")),
    ("lsf", ("/lsf/",)),
)


def detect_context(
    env: Mapping[str, str],
    self_cgroup: str = "",
    files: dict[str, bool] | None = None,
    wsl: bool | None = None,
    container: str | None = None,
) -> list[str]:
    """The contexts these traces prove, in a stable order. ``files`` maps marker paths
    (/opt/ml/metadata/resource-metadata.json: SageMaker; /kaggle/input: Kaggle) to existence."""
    files = files or {}
    found: list[str] = []
    for name, keys in _ENV_MARKERS:
        if any(env.get(k) for k in keys):
            found.append(name)
    for name, needles in _CGROUP_MARKERS:
        if name not in found and any(n in self_cgroup for n in needles):
            found.append(name)
    if files.get("/opt/ml/metadata/resource-metadata.json") and "sagemaker" not in found:
        found.append("sagemaker")
    if files.get("/kaggle/input") and "kaggle" not in found:
        found.append("kaggle")
    if wsl:
        found.append("wsl")
    if container and container not in found:
        found.append(container)
    return found


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def probe_context(wsl: bool | None = None, container: str | None = None) -> list[str]:
    """The contexts of this process."""
    markers = ("/opt/ml/metadata/resource-metadata.json", "/kaggle/input")
    return detect_context(
        dict(os.environ),
        _read("/proc/self/cgroup"),
        {m: Path(m).exists() for m in markers},
        wsl=wsl,
        container=container,
    )
