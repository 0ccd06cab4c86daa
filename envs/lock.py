#!/usr/bin/env python3
"""Regenerate every lock of every setup from its sources.

    python envs/lock.py                # pip locks (uv) and conda-lock.yml (conda-lock)
    python envs/lock.py --pip-only     # only the pip locks
    python envs/lock.py --check        # fail (exit 1) when a lock differs from a fresh one

Setups, platforms, the Python versions and the resolution date are in
dlcheck/envs/setups.toml. Pip locks: ONE universal lock per setup, envs/<setup>/pylock.txt,
from `uv pip compile --universal --generate-hashes` of envs/<setup>/requirements.in plus
dlcheck's own dependencies (pyproject.toml), resolved as of `exclude_newer` so that a re-run
gives the same file; environment markers pick each platform's and Python's packages, and plain
`pip install --require-hashes -r` installs it. `--check-wheels` asks uv, for every platform and
Python the setup claims, whether the lock installs there from wheels (a dry run; needs PyPI).
conda-lock.yml: `conda-lock lock` from envs/<setup>/environment.yml; it needs conda (or
mamba/micromamba) and the conda-forge channel;
where the channel cannot be reached this step stops at once with one line (exit status 3).

Exit status: 0 done, 1 a lock is not current (--check), 2 bad usage or a tool failed,
3 pip locks done but the conda step could not run here.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlcheck.envs.lockmaking import header_lines, setup_inputs_hash  # noqa: E402
from dlcheck.envs.setups import (  # noqa: E402 - needs the checkout on sys.path first
    Catalog,
    Setup,
    load_catalog,
    lock_unavailable_reason,
    pip_lock_name,
)

CHANNEL_PROBE = "https://conda.anaconda.org/conda-forge/noarch/repodata.json"
COMPILE_COMMAND = "python envs/lock.py"


def log(msg: str) -> None:
    print(msg, flush=True)


def find_uv(given: str | None) -> str:
    uv = given or shutil.which("uv")
    if not uv:
        candidate = Path(sys.executable).with_name("uv")
        uv = str(candidate) if candidate.exists() else None
    if not uv:
        sys.exit("lock.py: uv not found: `python -m pip install uv` (or pass --uv PATH)")
    return uv


def pip_lock_text(uv: str, catalog: Catalog, setup: Setup, timeout: float) -> str:
    """Run uv for one setup (every platform and Python at once); return the lock with the
    dlcheck header on top."""
    req = Path("envs") / setup.name / "requirements.in"
    lowest = min(catalog.pythons, key=lambda v: tuple(int(x) for x in v.split(".")))
    env = dict(os.environ)
    if setup.macos_target:
        env["MACOSX_DEPLOYMENT_TARGET"] = setup.macos_target
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lock.txt"
        cmd = [
            uv, "pip", "compile", str(req), "pyproject.toml",
            "--universal",
            "--python-version", lowest,
            "--generate-hashes",
            "--exclude-newer", catalog.exclude_newer,
            "--custom-compile-command", COMPILE_COMMAND,
            "--no-progress", "--quiet",
            "-o", str(out),
        ]  # fmt: skip
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argument list
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"lock.py: uv took more than {timeout:g} s for {setup.name}")
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip()
            sys.exit(f"lock.py: uv failed for {setup.name}:\n{detail}")
        body = out.read_text(encoding="utf-8")
    digest = setup_inputs_hash(catalog, setup, ROOT / "envs", ROOT / "pyproject.toml")
    head = header_lines(
        setup.name, setup.pip_platforms, catalog.pythons, digest, catalog.exclude_newer
    )
    return "\n".join(head) + "\n" + body


def check_wheels(uv: str, catalog: Catalog, setups: list[Setup], timeout: float) -> int:
    """For every (platform, Python) a setup claims, let uv resolve an install of its lock
    for that target from wheels only, downloading nothing (`uv pip install --dry-run`).
    Returns the number of combinations that fail."""
    bad = 0
    for setup in setups:
        lock = ROOT / "envs" / setup.name / pip_lock_name()
        for subdir in setup.pip_platforms:
            for py in setup.pythons_for(subdir, catalog):
                if lock_unavailable_reason(catalog, setup, subdir, py):
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    cmd = [
                        uv, "pip", "install", "--dry-run", "--require-hashes", "--no-deps",
                        "--only-binary", ":all:", "--target", tmp, "--no-progress",
                        "--python-platform", catalog.platforms[subdir].uv,
                        "--python-version", py, "-r", str(lock),
                    ]  # fmt: skip
                    env = dict(os.environ)
                    if subdir.startswith("osx") and setup.macos_target:
                        env["MACOSX_DEPLOYMENT_TARGET"] = setup.macos_target
                    try:
                        proc = subprocess.run(  # noqa: S603 - fixed argument list
                            cmd, env=env, capture_output=True, text=True, timeout=timeout
                        )
                        ok, why = proc.returncode == 0, (proc.stderr or "").strip()
                    except subprocess.TimeoutExpired:
                        ok, why = False, f"no answer after {timeout:g} s"
                if ok:
                    log(f"installs    {setup.name} {subdir} Python {py}")
                else:
                    bad += 1
                    lines = [ln.strip() for ln in why.splitlines() if ln.strip()]
                    first = next(
                        (ln for ln in lines if ln.startswith(("cause:", "error:", "×"))),
                        lines[-1] if lines else "no detail",
                    )
                    log(f"FAILS       {setup.name} {subdir} Python {py}: {first[:300]}")
    return bad


def do_pip(uv: str, catalog: Catalog, setups: list[Setup], check: bool, timeout: float) -> int:
    stale = 0
    for setup in setups:
        path = ROOT / "envs" / setup.name / pip_lock_name()
        text = pip_lock_text(uv, catalog, setup, timeout)
        rel = path.relative_to(ROOT)
        if check:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                stale += 1
                diff = difflib.unified_diff(
                    old.splitlines(), text.splitlines(), str(rel), "fresh", lineterm="", n=0
                )
                log(f"NOT CURRENT {rel}")
                for line in list(diff)[:40]:
                    log(f"  {line}")
            else:
                log(f"current     {rel}")
        else:
            path.write_text(text, encoding="utf-8")
            count = sum(1 for ln in text.splitlines() if ln[:1].isalnum())
            log(f"wrote {rel} ({count} packages)")
    return stale


def conda_blocker(timeout: float) -> str | None:
    """Why conda-lock cannot run here, in one line; None when it can."""
    if not shutil.which("conda-lock"):
        return "conda-lock is not installed (python -m pip install conda-lock)"
    if not any(shutil.which(x) for x in ("micromamba", "mamba", "conda")):
        return "no conda, mamba or micromamba on PATH for conda-lock to solve with"
    try:
        req = urllib.request.Request(CHANNEL_PROBE, method="HEAD")
        with urllib.request.urlopen(req, timeout=timeout):  # noqa: S310 - fixed https URL
            pass
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"the conda-forge channel is unreachable ({reason})"
    return None


def do_conda(catalog: Catalog, setups: list[Setup], check: bool, timeout: float) -> int:
    """0 done, 1 stale (check), 3 cannot run here."""
    blocker = conda_blocker(min(timeout, 15.0))
    if blocker:
        log(
            f"conda-lock: cannot solve here: {blocker}; conda-lock.yml files were not "
            "regenerated (.github/workflows/locks.yml does it on a machine with conda)"
        )
        return 3
    tool = next(x for x in ("micromamba", "mamba", "conda") if shutil.which(x))
    rc = 0
    for setup in setups:
        folder = ROOT / "envs" / setup.name
        lockfile = folder / "conda-lock.yml"
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "conda-lock.yml" if check else lockfile
            if check and lockfile.exists():
                shutil.copy(lockfile, target)
            cmd = ["conda-lock", "lock", "--conda", str(shutil.which(tool))]
            cmd += ["-f", str(folder / "environment.yml"), "--lockfile", str(target)]
            for p in setup.conda_platforms:
                cmd += ["-p", p]
            if setup.conda_cuda == "none":
                cmd += ["--without-cuda"]
            else:
                cmd += ["--with-cuda", setup.conda_cuda]
            if check:
                cmd += ["--check-input-hash"]
            try:
                proc = subprocess.run(cmd, cwd=ROOT, timeout=timeout)  # noqa: S603
            except subprocess.TimeoutExpired:
                log(f"conda-lock: {setup.name}: no result after {timeout:g} s")
                return 2
            if check:
                # --check-input-hash exits 4 when every lock was already current.
                if proc.returncode == 4:
                    log(f"current     envs/{setup.name}/conda-lock.yml")
                    continue
                log(f"NOT CURRENT envs/{setup.name}/conda-lock.yml")
                rc = 1
            elif proc.returncode != 0:
                log(f"conda-lock: {setup.name}: failed (exit status {proc.returncode})")
                return 2
            else:
                log(f"wrote envs/{setup.name}/conda-lock.yml")
    return rc


# --- the oldest glibc each lock's TensorFlow wheels accept (read by `dlcheck check`) --------
WHEEL_TAGS = "wheel-tags.toml"
PYPI_JSON = "https://pypi.org/pypi/{name}/json"
_TF = ("tensorflow", "tensorflow-cpu", "tensorflow-aarch64", "tensorflow-intel")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
_MANYLINUX = re.compile(
    r"manylinux_(\d+)_(\d+)_(x86_64|aarch64)|manylinux(1|2010|2014)_(x86_64|aarch64)"
)
_LEGACY = {"1": (2, 5), "2010": (2, 12), "2014": (2, 17)}
_SUBDIRS = {"x86_64": "linux-64", "aarch64": "linux-aarch64"}


def wheel_glibc(filename: str) -> dict[str, tuple[int, int]]:
    """The oldest glibc a wheel accepts, per Linux platform, from its manylinux tags (a wheel
    with several tags accepts the oldest of them)."""
    out: dict[str, tuple[int, int]] = {}
    for m in _MANYLINUX.finditer(filename):
        if m.group(1):
            glibc, arch = (int(m.group(1)), int(m.group(2))), m.group(3)
        else:
            glibc, arch = _LEGACY[m.group(4)], m.group(5)
        sub = _SUBDIRS[arch]
        out[sub] = min(out.get(sub, glibc), glibc)
    return out


def tensorflow_pins(text: str) -> list[tuple[str, str, set[str]]]:
    """(name, version, sha256 hashes) of every TensorFlow distribution a pip lock pins."""
    out: list[tuple[str, str, set[str]]] = []
    for block in re.split(r"\n(?=\S)", text):  # a pin and its continuation lines
        m = _PIN.match(block)
        if m and m.group(1).lower() in _TF:
            out.append((m.group(1).lower(), m.group(2), set(_HASH.findall(block))))
    return out


def do_wheel_tags(setups: list[Setup], timeout: float) -> int:
    """Write envs/<setup>/wheel-tags.toml: for each Linux platform, the oldest glibc that every
    locked TensorFlow wheel there accepts (the files are found on PyPI by the lock's hashes)."""
    cache: dict[str, dict] = {}
    for setup in setups:
        lock = ROOT / "envs" / setup.name / "pylock.txt"
        if not lock.is_file():
            continue
        need: dict[str, tuple[int, int]] = {}
        names: dict[str, str] = {}
        for name, version, hashes in tensorflow_pins(lock.read_text(encoding="utf-8")):
            if name not in cache:
                url = PYPI_JSON.format(name=name)
                try:
                    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310
                        cache[name] = json.load(resp)
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    log(f"{url}: {exc}")
                    return 2
            files = cache[name].get("releases", {}).get(version, [])
            for f in files:
                if f.get("digests", {}).get("sha256") not in hashes:
                    continue
                for sub, glibc in wheel_glibc(str(f.get("filename", ""))).items():
                    need[sub] = max(need.get(sub, glibc), glibc)  # every locked Python's wheel
                    names[sub] = f"{name} {version}"
        if not need:  # no TensorFlow in this setup (keras-torch)
            continue
        lines = [
            f"# Written by `{COMPILE_COMMAND} --wheel-tags` from PyPI's file list of the wheels",
            f"# whose hashes envs/{setup.name}/pylock.txt pins; do not edit by hand.",
            "# glibc: the oldest glibc on which every locked TensorFlow wheel of a platform",
            "# installs (its manylinux tag).",
            "[glibc]",
            *(f'"{sub}" = "{a}.{b}"' for sub, (a, b) in sorted(need.items())),
            "",
            "[tensorflow]",
            *(f'"{sub}" = "{names[sub]}"' for sub in sorted(names)),
        ]
        (lock.parent / WHEEL_TAGS).write_text("\n".join(lines) + "\n", encoding="utf-8")
        log(
            f"wrote envs/{setup.name}/{WHEEL_TAGS}: "
            + ", ".join(f"{sub} glibc {a}.{b}" for sub, (a, b) in sorted(need.items()))
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--setup", action="append", help="only this setup (repeatable)")
    ap.add_argument("--pip-only", action="store_true", help="skip the conda-lock step")
    ap.add_argument("--conda-only", action="store_true", help="skip the pip locks")
    ap.add_argument("--check", action="store_true", help="compare with fresh locks, write none")
    ap.add_argument("--uv", help="path of the uv executable")
    ap.add_argument(
        "--check-wheels",
        action="store_true",
        help="only ask uv whether each lock installs from wheels on every platform and Python "
        "it claims (dry run, needs PyPI); exit 1 when one does not",
    )
    ap.add_argument(
        "--wheel-tags",
        action="store_true",
        help="only write envs/<setup>/wheel-tags.toml: the oldest glibc each lock's TensorFlow "
        "wheels accept, from their manylinux tags (needs PyPI)",
    )
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per solver run")
    args = ap.parse_args(argv)
    catalog = load_catalog(ROOT / "dlcheck" / "envs" / "setups.toml")
    names = args.setup or sorted(catalog.setups)
    unknown = [n for n in names if n not in catalog.setups]
    if unknown:
        ap.error(f"unknown setup(s): {', '.join(unknown)}")
    setups = [catalog.setups[n] for n in names]
    if args.wheel_tags:
        return do_wheel_tags(setups, min(args.timeout, 120))
    if args.check_wheels:
        return 1 if check_wheels(find_uv(args.uv), catalog, setups, args.timeout) else 0
    rc = 0
    if not args.conda_only:
        stale = do_pip(find_uv(args.uv), catalog, setups, args.check, args.timeout)
        rc = 1 if stale else 0
    if not args.pip_only:
        crc = do_conda(catalog, setups, args.check, args.timeout)
        rc = max(rc, crc) if crc != 3 else (rc or 3)
    return rc


if __name__ == "__main__":
    sys.exit(main())
