"""Names shared by the probe and the diagnoses (kept apart so that judging a saved report
does not load the process machinery)."""

from __future__ import annotations

# Distributions that install the `tensorflow` module (they overwrite each other's files).
TF_DISTRIBUTIONS = (
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-gpu",
    "tensorflow-intel",
    "tensorflow-macos",
    "tensorflow-aarch64",
    "tensorflow-rocm",
    "intel-tensorflow",
    "tf-nightly",
    "tf-nightly-cpu",
)
# Distributions that install the `keras` module: keras-nightly is Keras 3 under another name.
KERAS_DISTRIBUTIONS = ("keras", "keras-nightly")
FRAMEWORK_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "tensorflow": TF_DISTRIBUTIONS,
    "torch": ("torch",),
    "jax": ("jax",),
    "keras": KERAS_DISTRIBUTIONS,
}
# Plugins that break `import tensorflow` with the wrong TensorFlow (DirectML: only 2.10;
# tensorflow-metal 1.2: up to 2.19): an in-place upgrade keeps them, so a fresh environment.
BREAKING_PLUGINS = ("tensorflow-directml-plugin", "tensorflow-metal")
KERAS_BACKENDS = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}
TITLES = {"tensorflow": "TensorFlow", "keras": "Keras", "torch": "PyTorch", "jax": "JAX"}
