"""Records for the framework probes. They travel as plain data in ``Facts.sections["frameworks"]``
(``to_dict``/``from_dict``), so a saved report re-enters the verdict engine unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dlcheck.records import RecordError, from_dict, to_dict

# Statuses of one framework probe.
OK = "ok"  # imported, and every device computed the right product
IMPORT_ERROR = "import-error"  # `import x` raised (ImportError, OSError from a library, ...)
CRASHED = "crashed"  # the process died of a signal (SIGILL, SIGSEGV, ...) or exited early
TIMEOUT = "timeout"  # no answer within the framework timeout
ERROR = "error"  # imported, but listing devices or the product failed
BAD_OUTPUT = "bad-output"  # the child printed something that is not a record


@dataclass(frozen=True)
class FrameworkDevice:
    name: str  # the framework's own name: "/GPU:0", "cuda:0", "mps", "cpu:0"
    kind: str  # cpu, gpu, mps, tpu, other
    model: str | None = None  # "NVIDIA GeForce RTX 3060", "Apple M1"
    compute_capability: str | None = None
    matmul: str | None = None  # ok, wrong, error; None when not tried
    matmul_error: str | None = None
    matmul_seconds: float | None = None


@dataclass(frozen=True)
class FrameworkResult:
    name: str  # tensorflow, keras, torch, jax
    status: str
    reason: str | None = None  # why it is not OK, in one line
    version: str | None = None
    import_seconds: float | None = None
    build: dict[str, Any] = field(default_factory=dict)  # CUDA/cuDNN/ROCm the build expects
    devices: list[FrameworkDevice] = field(default_factory=list)
    backend: str | None = None  # Keras: the backend it actually loaded
    signal: str | None = None  # SIGILL, SIGSEGV, ... when the process died of one
    returncode: int | None = None
    stderr_tail: list[str] = field(default_factory=list)  # last lines, and any CUDA hints
    seconds: float | None = None  # how long this framework's probe took


@dataclass(frozen=True)
class FrameworkFacts:
    """What the framework probes found: one result per installed framework."""

    results: list[FrameworkResult] = field(default_factory=list)
    keras_backend: str | None = None  # the backend Keras will use (requested, before import)
    keras_backend_source: str | None = None  # KERAS_BACKEND, keras.json path, or default
    env: dict[str, str] = field(default_factory=dict)  # KERAS_BACKEND, CUDA_VISIBLE_DEVICES...
    timeout: float | None = None
    seconds: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, where: str = "frameworks") -> FrameworkFacts:
        return from_dict(cls, data, where)

    def get(self, name: str) -> FrameworkResult | None:
        for r in self.results:
            if r.name == name:
                return r
        return None


def framework_facts_from(sections: dict[str, Any]) -> FrameworkFacts | None:
    """The frameworks section of ``Facts.sections``; None when frameworks were not probed.
    A malformed section becomes a record whose ``error`` says so."""
    data = sections.get("frameworks")
    if data is None:
        return None
    try:
        return from_dict(FrameworkFacts, data, "frameworks")
    except RecordError as exc:
        return FrameworkFacts(error=f"malformed frameworks section: {exc}")
