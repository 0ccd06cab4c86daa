"""The probe `dlcheck check --python PATH` runs inside PATH (standard library only, Python 3.8+).

It prints one line ``MARKER {json}``: what the interpreter is, where its environment lives,
the environment variables it starts with (after its own startup hooks, ``.pth`` files
included: an environment's default ``KERAS_BACKEND`` shows here), and the distribution
metadata folders on its ``sys.path``, read without importing anything. Never import dlcheck
here: the interpreter checked need not have it. The boot line (dlcheck/probes/interpreter.py)
refuses a Python older than 3.8 before this file is compiled.
"""

import json
import os
import platform
import struct
import sys

MARKER = "@@dlcheck-python@@"
ENV_KEYS = (
    "KERAS_BACKEND",
    "KERAS_HOME",
    "TF_USE_LEGACY_KERAS",
    "CUDA_VISIBLE_DEVICES",
    "CONDA_DEFAULT_ENV",
    "DLCHECK_ENV_DEFAULTS",
)
SUFFIXES = (".dist-info", ".egg-info")


def _gil_disabled():
    if sys.version_info < (3, 13):
        return None
    import sysconfig

    return sysconfig.get_config_var("Py_GIL_DISABLED")


def metadata_names():
    """[[sys.path entry, [metadata folder names]]] in sys.path order ('' dropped: the
    current folder of this probe is not the learner's)."""
    out = []
    for entry in sys.path:
        if not entry:
            continue
        try:
            names = sorted(n for n in os.listdir(entry) if n.endswith(SUFFIXES))
        except OSError:
            continue
        out.append([entry, names])
    return out


def main():
    data = {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "bits": struct.calcsize("P") * 8,
        "machine": platform.machine(),
        "system": platform.system(),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "conda_meta": os.path.isdir(os.path.join(sys.prefix, "conda-meta")),
        "abiflags": getattr(sys, "abiflags", ""),
        "gil_disabled": _gil_disabled(),
        "env": {k: os.environ[k] for k in ENV_KEYS if k in os.environ},
        "metadata": metadata_names(),
    }
    sys.stdout.write(MARKER + " " + json.dumps(data) + "\n")


if __name__ == "__main__":
    main()
