"""`dlcheck env remove PREFIX`: remove an environment `dlcheck env create` made, and its
Jupyter kernel, by the proof `env create`'s own cleanup uses (dlcheck/removal.py): the
environment's marker names that very folder and a token its pyvenv.cfg carries; a kernel spec
goes only when its kernel.json carries dlcheck's metadata with the same token. Anything else
is refused (one line, exit 2) and left as it is. Deleting an environment by hand leaves its
kernel behind, pointing at an interpreter that is gone: this is the way that does not."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.errors import UserError


@dataclass(frozen=True)
class Removed:
    """What `env remove` did, in phrases (the truth, removed or left)."""

    environment: str
    kernels: list[str] = field(default_factory=list)
    removed: bool = True


def _kernel_dirs(prefix: Path, token: str, named: str | None) -> list[Path]:
    """Kernel specs dlcheck wrote for this environment (metadata token), wherever Jupyter finds
    them: the one the marker names in the user's folder first, then every one found."""
    from dlcheck import removal
    from dlcheck.envs.create import kernels_dir
    from dlcheck.kernels.specs import find_kernels

    candidates: list[Path] = []
    if named:
        candidates.append(kernels_dir() / named)
    candidates += [
        Path(k.spec_dir) for k in find_kernels(prefixes=[str(prefix)]).kernels if k.by_dlcheck
    ]
    out: list[Path] = []
    real = os.path.realpath(prefix)
    for spec in candidates:
        owner = removal.kernel_owner(spec)
        if owner and owner.get("token") == token and owner.get("prefix") == real:
            if spec not in out:
                out.append(spec)
    return out


def remove_environment(given: str) -> Removed:
    """Remove the environment at ``given`` and its kernels. UserError (``removal.Refused``)
    when dlcheck cannot prove it made that folder: nothing is removed then."""
    from dlcheck import removal
    from dlcheck.envs.installed import read_marker

    prefix = Path(given).expanduser().absolute()
    if not os.path.lexists(prefix):
        raise UserError(given, "no such environment folder")
    marker = (read_marker(prefix) if prefix.is_dir() else None) or {}
    token = marker.get("token") if isinstance(marker.get("token"), str) else None
    named = marker.get("kernel") if isinstance(marker.get("kernel"), str) else None
    kernels = _kernel_dirs(prefix, token, named) if token else []
    outcome = removal.remove_environment(prefix)  # Refused without proof: nothing removed
    said = [outcome.said("the environment")]
    if not outcome.removed:
        return Removed(said[0], [], False)
    phrases = []
    ok = True
    for spec in kernels:
        try:
            gone = removal.remove_kernel(spec, str(token))
            phrases.append(gone.said("its Jupyter kernel"))
            ok = ok and gone.removed
        except removal.Refused as exc:
            phrases.append(f"left its Jupyter kernel ({exc})")
            ok = False
    if not kernels:
        phrases.append("no Jupyter kernel of it was found")
    return Removed(said[0], phrases, ok)
