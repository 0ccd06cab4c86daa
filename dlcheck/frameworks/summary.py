"""One line about the frameworks for the machine summary (plain text; renderers escape it)."""

from __future__ import annotations

from dlcheck.frameworks.names import TITLES
from dlcheck.frameworks.records import OK, framework_facts_from
from dlcheck.records import Facts


def frameworks_line(facts: Facts) -> str:
    """'TensorFlow 2.21.0 (CPU:0) · Keras 3.15.1 (tensorflow) · PyTorch crashed (SIGILL)'."""
    fw = framework_facts_from(facts.sections)
    if fw is None:
        return "not probed (--no-frameworks)"
    if fw.error:
        return f"unknown ({fw.error})"
    if not fw.results:
        return "none installed"
    parts = []
    for r in fw.results:
        title = TITLES.get(r.name, r.name)
        if r.status != OK:
            why = r.signal or r.status
            parts.append(f"{title} {r.version or ''}".rstrip() + f" {why}")
            continue
        if r.name == "keras":
            detail = r.backend or "?"
        else:
            devs = [d.name.lstrip("/") for d in r.devices if d.kind != "default"]
            detail = ", ".join(devs) or "no devices"
        t = f"{r.import_seconds:.1f} s" if r.import_seconds else ""
        parts.append(f"{title} {r.version or '?'} ({detail}" + (f"; import {t}" if t else "") + ")")
    return " · ".join(parts)


def stderr_lines(facts: Facts) -> list[str]:
    """The framework probes' kept standard-error tails, 'tensorflow: <line>' (``--verbose``),
    from the typed section."""
    fw = framework_facts_from(facts.sections)
    if fw is None:
        return []
    return [
        f"{r.name or 'probe'}: {line}" for r in fw.results for line in r.stderr_tail if line.strip()
    ]
