"""Issue 19, item 1: deletion by proof. User data is planted every way a removal path can
reach it (a saved or copied marker, links, the running venv, nested folders, the current
folder, home, the file system root) and nothing of it may be lost. Plus a Hypothesis suite of
prefixes and file layouts."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robust_helpers import hostile

from dlcheck import removal
from dlcheck.envs import installed
from dlcheck.envs.create import CreateError, _marker_base, check_prefix
from dlcheck.removal import MARKER, Made, Refused, remove_environment

KEEP = "keep me: the user's work"


def _plant(folder: Path, name: str = "notebook.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(KEEP)
    return f


def _dlcheck_env(prefix: Path, state: str = "incomplete", token: str = "t0k3n") -> Path:
    """A folder exactly as `env create` leaves it: marker with proof, pyvenv.cfg with token."""
    prefix.mkdir(parents=True)
    (prefix / "bin").mkdir()
    (prefix / "lib").mkdir()
    (prefix / "pyvenv.cfg").write_text(f"version = 3.12.1\n{removal.TOKEN_KEY} = {token}\n")
    marker = {**_marker_base(prefix, token, "cpu", "h"), "state": state}
    (prefix / MARKER).write_text(json.dumps(marker))
    return prefix


def test_marker_names_agree() -> None:
    assert removal.MARKER == installed.MARKER


def test_a_proven_environment_is_removed(tmp_path: Path) -> None:
    env = _dlcheck_env(tmp_path / "env")
    out = remove_environment(env)
    assert out.removed and not env.exists() and out.said().startswith("removed ")


def test_saved_verify_result_named_like_the_marker_is_no_proof(tmp_path: Path) -> None:
    """The issue's first case: a project with notebooks and a `dlcheck-env.json` saved by
    `env verify --json -o` (no state 'complete') was removed by `env create --prefix`."""
    project = tmp_path / "project"
    kept = _plant(project)
    (project / MARKER).write_text(json.dumps({"schema": "dlcheck.env-verify", "verdict": "MATCH"}))
    with hostile(4, "nothing-lost"):
        for force in (False, True):
            with pytest.raises(CreateError, match="cannot prove it made this folder"):
                check_prefix(project, force, "h", "cpu")
        with pytest.raises(Refused, match="not removed: its dlcheck-env.json is not one"):
            remove_environment(project)
        with pytest.raises(Refused):
            remove_environment(project, Made(str(project), 0, 0))  # a forged "made" proof
        assert kept.read_text() == KEEP and (project / MARKER).exists()


def test_copied_marker_is_no_proof(tmp_path: Path) -> None:
    """A real marker (and pyvenv.cfg) copied into another folder, or into a new folder at the
    same path, proves nothing: the marker names another folder, or another inode."""
    env = _dlcheck_env(tmp_path / "env")
    other = tmp_path / "other"
    kept = _plant(other)
    for name in (MARKER, "pyvenv.cfg"):
        (other / name).write_bytes((env / name).read_bytes())
    with hostile(2, "nothing-lost"):
        with pytest.raises(Refused, match="names another folder"):
            remove_environment(other)
        # the environment removed, a folder of the user's made at the same path, the old
        # marker and pyvenv.cfg copied back in: the inode differs, or (a file system that
        # hands the freed inode out again) the user's files are what no environment makes
        saved = {n: (env / n).read_bytes() for n in (MARKER, "pyvenv.cfg")}
        remove_environment(env)
        again = _plant(env, "thesis.tex")
        for n, data in saved.items():
            (env / n).write_bytes(data)
        with pytest.raises(Refused, match="another folder of that name|files dlcheck did not"):
            remove_environment(env)
        assert kept.read_text() == KEEP and again.read_text() == KEEP


def test_token_must_match_the_environments_own_files(tmp_path: Path) -> None:
    env = _dlcheck_env(tmp_path / "env")
    (env / "pyvenv.cfg").write_text("version = 3.12.1\n")  # another venv made over it
    with hostile(1, "nothing-lost"), pytest.raises(Refused, match="do not carry the marker"):
        remove_environment(env)
    assert (env / "pyvenv.cfg").exists()


def test_user_files_inside_a_proven_environment_block_it(tmp_path: Path) -> None:
    env = _dlcheck_env(tmp_path / "env")
    kept = _plant(env / "notebooks")  # nested folders of the user's
    kept2 = _plant(env, "results.csv")
    with hostile(1, "nothing-lost"), pytest.raises(Refused, match="holds files dlcheck did not"):
        remove_environment(env)
    assert kept.read_text() == KEEP and kept2.read_text() == KEEP


def test_links_are_never_followed(tmp_path: Path) -> None:
    """A prefix that is a link is refused (and said), a link inside an environment is removed
    as a link: what it points to stays."""
    data = tmp_path / "data"
    kept = _plant(data / "deep" / "er")
    env = _dlcheck_env(tmp_path / "env")
    (env / "lib" / "to-data").symlink_to(data, target_is_directory=True)
    (env / "bin" / "to-file").symlink_to(kept)
    link = tmp_path / "link-to-env"
    link.symlink_to(env, target_is_directory=True)
    with hostile(3, "nothing-lost"):
        with pytest.raises(Refused, match="is a symbolic link"):
            remove_environment(link)
        with pytest.raises(CreateError, match="is a symbolic link"):
            check_prefix(link, True, "h", "cpu")
        assert env.exists()
        out = remove_environment(env)
        assert out.removed and not env.exists() and link.is_symlink()
        assert kept.read_text() == KEEP


def test_protected_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The running interpreter's environment, the current folder, home, a parent of any of
    them, and the file system root: refused even with full proof."""
    running = Path(sys.prefix)
    with hostile(7, "nothing-lost"):
        for place in (running, running.parent, Path(sys.executable).parent):
            with pytest.raises(Refused, match="never removes it"):
                remove_environment(place)
        assert Path(sys.executable).exists()
        with pytest.raises(Refused, match="file system root"):
            removal.guard(Path(os.path.abspath(os.sep)))
        env = _dlcheck_env(tmp_path / "env")  # full proof, and yet:
        monkeypatch.chdir(env / "bin")
        with pytest.raises(Refused, match="the current folder"):
            remove_environment(env)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("HOME", str(env))
        with pytest.raises(Refused, match="the home folder"):
            remove_environment(env)
        monkeypatch.setenv("HOME", str(tmp_path / "env" / "lib"))
        with pytest.raises(Refused, match="holds the home folder"):
            remove_environment(env)
    assert (env / MARKER).exists()


def test_made_by_this_run_is_exact(tmp_path: Path) -> None:
    """``Made`` proves only the folder this run made: swapped for another, it proves nothing."""
    made = Made.mkdir(tmp_path / "a" / "new")
    assert made.holds(tmp_path / "a" / "new")
    (tmp_path / "a" / "new").rename(tmp_path / "a" / "moved")
    kept = _plant(tmp_path / "a" / "new")
    with hostile(1, "nothing-lost"), pytest.raises(Refused, match="no marker"):
        remove_environment(tmp_path / "a" / "new", made)
    assert kept.read_text() == KEEP
    with pytest.raises(FileExistsError):
        Made.mkdir(tmp_path / "a" / "new")


def test_what_is_left_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never "removed" when it was not."""
    env = _dlcheck_env(tmp_path / "env")

    def stuck(path: Path) -> list[str]:
        return [f"{path}: Permission denied"]

    monkeypatch.setattr(removal, "_rmtree", stuck)
    out = remove_environment(env)
    assert not out.removed and out.said().startswith("could not remove")
    assert "Permission denied" in out.said()


def test_kernel_removal_needs_dlcheck_metadata(tmp_path: Path) -> None:
    theirs = tmp_path / "kernels" / "python3"
    theirs.mkdir(parents=True)
    (theirs / "kernel.json").write_text(json.dumps({"argv": ["python"], "display_name": "P"}))
    ours = tmp_path / "kernels" / "dlcheck-cpu-abcdef"
    ours.mkdir()
    meta = {"dlcheck": {"prefix": "/x", "token": "T"}}
    (ours / "kernel.json").write_text(json.dumps({"argv": [], "metadata": meta}))
    with hostile(2, "nothing-lost"):
        with pytest.raises(Refused, match="did not write"):
            removal.remove_kernel(theirs, "T")
        with pytest.raises(Refused, match="did not write"):
            removal.remove_kernel(ours, "another run's token")
    assert (theirs / "kernel.json").exists()
    assert removal.remove_kernel(ours, "T").removed and not ours.exists()


def test_remove_file_only_what_dlcheck_wrote(tmp_path: Path) -> None:
    f = tmp_path / "lock"
    f.write_text("my notes\n")
    assert not removal.remove_file(f, "dlcheck env create lock\n") and f.exists()
    f.write_text("dlcheck env create lock\npid 1\n")
    assert removal.remove_file(f, "dlcheck env create lock\n") and not f.exists()


# ------------------------------------------------------------ Hypothesis: layouts ---

_NAMES = st.sampled_from(
    ["bin", "lib", "notebook.ipynb", "data", "pyvenv.cfg", MARKER, "share", "x", ".git"]
)
_LAYOUT = st.lists(
    st.tuples(
        st.lists(_NAMES, min_size=1, max_size=3),
        st.sampled_from(["file", "dir", "link-out", "link-up"]),
    ),
    max_size=8,
)
_MARKER = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "schema": st.sampled_from(["dlcheck.env-create", "dlcheck.env-verify", ""]),
            "state": st.sampled_from(["incomplete", "complete", "unreadable"]),
            "token": st.sampled_from(["t0k3n", "", "other"]),
            "prefix": st.sampled_from(["SELF", "/elsewhere", ""]),
            "folder": st.sampled_from(["SELF", "0:0"]),
        },
    ),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=_LAYOUT, marker=_MARKER, token_in_cfg=st.booleans(), force=st.booleans())
def test_any_layout_loses_nothing_outside_and_nothing_unproven(
    layout: list[tuple[list[str], str]],
    marker: dict[str, str] | None,
    token_in_cfg: bool,
    force: bool,
) -> None:
    """Whatever a prefix holds and whatever its marker says: what lies outside the prefix
    (link targets, the parent's files) is never touched, and a prefix is either left whole or
    removed only with full proof (and then only if it held nothing but environment files)."""
    with tempfile.TemporaryDirectory() as tmp, hostile(1, "nothing-lost"):
        root = Path(tmp)
        outside = _plant(root / "outside" / "deep")
        sibling = _plant(root, "sibling.txt")
        prefix = root / "prefix"
        prefix.mkdir()
        planted: list[Path] = []
        for parts, kind in layout:
            path = prefix.joinpath(*parts)
            if os.path.lexists(path) or any(
                p.exists() and not p.is_dir() for p in path.parents if prefix in p.parents
            ):
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if kind == "file":
                    path.write_text(KEEP)
                elif kind == "dir":
                    path.mkdir()
                elif kind == "link-out":
                    path.symlink_to(outside)
                else:
                    path.symlink_to(root, target_is_directory=True)
            except OSError:
                continue
            planted.append(path)
        if marker is not None and (prefix / MARKER).is_dir() is False:
            data = dict(marker)
            if data.get("prefix") == "SELF":
                data["prefix"] = os.path.realpath(prefix)
            if data.get("folder") == "SELF":
                data["folder"] = removal.folder_id(prefix)
            try:
                (prefix / MARKER).unlink(missing_ok=True)
                (prefix / MARKER).write_text(json.dumps(data))
            except OSError:
                pass
        if (
            token_in_cfg
            and (prefix / "pyvenv.cfg").is_file()
            and not (prefix / "pyvenv.cfg").is_symlink()
        ):
            (prefix / "pyvenv.cfg").write_text(f"{removal.TOKEN_KEY} = t0k3n\n")
        before = {p: p.is_symlink() or p.exists() for p in planted}
        try:
            state = check_prefix(prefix, force, "h", "cpu")
        except CreateError:
            state = "refused"
        try:
            out = remove_environment(prefix)
            removed = out.removed
        except Refused:
            removed = False
        # outside the prefix: always whole
        assert outside.read_text() == KEEP and sibling.read_text() == KEEP
        if not removed:
            assert all((p.is_symlink() or p.exists()) == was for p, was in before.items())
        else:
            assert removal.proof_of_environment is not None
            names = {p.relative_to(prefix).parts[0] for p in planted}
            assert names <= removal.ENV_ENTRIES, names  # never a folder of the user's
        assert state in ("new", "fill", "rebuild", "done", "refused")
