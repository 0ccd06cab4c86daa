"""Lock readers: conda-lock version 1 and pip locks, good and malformed."""

from __future__ import annotations

import importlib.util
import json
import signal
from pathlib import Path

import pytest

from dlcheck.envs.locks import parse_conda_lock, parse_pip_lock, read_lock, validate_conda_lock
from dlcheck.errors import UserError

DATA = Path(__file__).parent / "data" / "env"


def test_conda_lock_every_field() -> None:
    lock = read_lock(DATA / "conda-lock-full.yml")
    assert lock.format == "conda-lock-v1"
    assert lock.platforms == ["linux-64", "osx-arm64"]
    assert lock.channels[0] == "conda-forge"
    linux = {p.name: p for p in lock.for_platform("linux-64")}
    assert set(linux) == {"python", "libzlib", "numpy", "pytest", "keras-tuner", "tensorflow-cpu"}
    assert linux["python"].build == "hc5c86c4_0_cpython" and linux["python"].manager == "conda"
    # pip names are canonicalised; conda names are kept as written
    assert linux["keras-tuner"].manager == "pip" and linux["keras-tuner"].version == "1.4.7"
    assert linux["pytest"].category == "dev" and linux["pytest"].optional is True
    assert linux["numpy"].category == "main" and linux["numpy"].optional is False
    mac = {p.name for p in lock.for_platform("osx-arm64")}
    assert mac == {"python", "tensorflow"}


def test_conda_lock_fixture_matches_conda_locks_own_schema() -> None:
    """Where conda-lock is installed, its shipped JSON schema and our validator agree on the
    field names, and its own model accepts the fixture."""
    if importlib.util.find_spec("conda_lock") is None:
        pytest.skip("conda-lock not installed (optional: the reader does not need it)")
    import conda_lock
    import yaml

    from dlcheck.envs import locks

    schema_path = Path(conda_lock.__file__).parent / "lockfile/v1/conda-lock-v1.schema.json"
    schema = json.loads(schema_path.read_text())
    defs = schema["$defs"]
    assert set(defs["LockedDependency"]["properties"]) == locks._PKG_ALLOWED
    assert set(defs["LockedDependency"]["required"]) == locks._PKG_REQUIRED
    assert set(defs["LockMeta"]["properties"]) == locks._META_ALLOWED
    assert set(defs["LockMeta"]["required"]) == locks._META_REQUIRED
    assert set(schema["properties"]) == locks._TOP_ALLOWED
    from conda_lock.lockfile.v1.models import Lockfile

    data = yaml.safe_load((DATA / "conda-lock-full.yml").read_text())
    Lockfile.model_validate(data)


@pytest.mark.parametrize(
    "name, message",
    [
        ("conda-lock-not-yaml.yml", "not valid YAML"),
        ("conda-lock-missing-hash.yml", "package 0 lacks hash"),
    ],
)
def test_conda_lock_malformed(name: str, message: str) -> None:
    with pytest.raises(UserError) as exc:
        read_lock(DATA / name)
    assert message in str(exc.value)
    assert str(exc.value).startswith(str(DATA / name))
    assert "\n" not in str(exc.value)


def test_conda_lock_other_platform_and_no_package() -> None:
    with pytest.raises(UserError, match=r"made for osx-arm64, not for this platform \(linux-64\)"):
        read_lock(DATA / "conda-lock-osx-only.yml").for_platform("linux-64")
    with pytest.raises(UserError, match=r"names no package for this platform \(win-64\)"):
        read_lock(DATA / "conda-lock-no-win.yml").for_platform("win-64")


def _base() -> dict:
    return {
        "version": 1,
        "metadata": {"content_hash": {}, "channels": [], "platforms": ["linux-64"], "sources": []},
        "package": [
            {
                "name": "zlib",
                "version": "1.3",
                "manager": "conda",
                "platform": "linux-64",
                "url": "u",
                "hash": {"md5": "abc"},
                "optional": False,
            }
        ],
    }


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("metadata"), "the file lacks metadata"),
        (lambda d: d.update(version=2), "version is 2, not 1"),
        (lambda d: d.update(extra=1), "unknown field(s) extra"),
        (lambda d: d["metadata"].pop("platforms"), "metadata lacks platforms"),
        (lambda d: d["package"][0].update(manager="npm"), "manager is not conda or pip"),
        (lambda d: d["package"][0].update(hash={}), "a conda package needs an md5"),
        (lambda d: d["package"][0].update(hash={"md5": 5}), "hash"),
        (lambda d: d["package"][0].update(optional="no"), "optional is not true/false"),
        (lambda d: d["package"][0].update(platform="win-64"), "not one of metadata.platforms"),
        (lambda d: d["package"][0].update(dependencies=[]), "dependencies is not a mapping"),
        (lambda d: d["package"][0].update(source={"type": "url"}), "source lacks url"),
        (lambda d: d["metadata"].update(channels=[{"url": "x"}]), "lacks used_env_vars"),
        (lambda d: d.update(package={}), "package is not a list"),
    ],
)
def test_conda_lock_schema_rules(change, message: str) -> None:  # noqa: ANN001
    data = _base()
    validate_conda_lock(data, "ok.yml")  # the base is valid
    change(data)
    with pytest.raises(UserError) as exc:
        validate_conda_lock(data, "bad.yml")
    assert message in str(exc.value)


def test_conda_lock_hash_values_must_be_text() -> None:
    # YAML reads an all-digit hash as a number: conda-lock's own model rejects that too.
    text = (
        (DATA / "conda-lock-full.yml")
        .read_text()
        .replace("'00000000000000000000000000000011'", "11")
    )
    with pytest.raises(UserError, match="hash"):
        parse_conda_lock(text, "digits.yml")


def test_pip_lock_small() -> None:
    lock = read_lock(DATA / "pip-lock-small.txt")
    assert lock.format == "pip" and lock.setup == "cpu" and lock.python == "3.12"
    assert lock.platforms == ["linux-64"]
    pins = {p.name: p for p in lock.packages}
    assert pins["keras-tuner"].version == "1.4.7"  # Keras_Tuner canonicalised
    assert pins["tensorflow-cpu"].version == "2.21.0"  # extras dropped
    assert pins["pydot"].version == "4.0.1"  # trailing comment dropped
    assert pins["six"].marker == 'python_version >= "3"'
    assert set(pins) == {"keras-tuner", "numpy", "pydot", "six", "tensorflow-cpu", "never-here"}
    with pytest.raises(UserError, match=r"made for win-64, not for this platform \(linux-64\)"):
        read_lock(DATA / "pip-lock-other-platform.txt").for_platform("linux-64")


@pytest.mark.parametrize(
    "name, message",
    [
        ("pip-lock-unpinned.txt", "line 2: 'pandas>=2' is not a requirement pinned with =="),
        ("pip-lock-editable.txt", "line 2: option -e is not allowed in a lock"),
        ("does-not-exist.txt", "file not found"),
    ],
)
def test_pip_lock_malformed(name: str, message: str) -> None:
    with pytest.raises(UserError) as exc:
        read_lock(DATA / name)
    assert message in str(exc.value)


def test_pip_lock_empty_and_conflicting() -> None:
    with pytest.raises(UserError, match="no pinned requirement"):
        parse_pip_lock("# only a comment\n", "empty.txt")
    with pytest.raises(UserError, match="numpy is pinned twice"):
        parse_pip_lock("numpy==1.0\nNumPy==2.0\n", "twice.txt")
    with pytest.raises(UserError, match="bad environment marker"):
        parse_pip_lock('numpy==1.0 ; python_version >>> "3"\n', "marker.txt")


def test_real_locks_parse() -> None:
    """Every shipped pip lock reads, pins with hashes, and names its setup, platforms and
    Pythons."""
    from dlcheck.envs.setups import load_catalog

    catalog = load_catalog()
    envs = Path(__file__).parents[1] / "envs"
    locks = sorted(envs.glob("*/*.txt"))
    assert len(locks) == len(catalog.setups)
    for path in locks:
        lock = read_lock(path)
        assert lock.setup == path.parent.name
        assert lock.platforms == catalog.setups[lock.setup].pip_platforms
        assert lock.pythons == catalog.pythons and lock.python is None
        assert len(lock.packages) > 50
        body = path.read_text()
        pins = [ln for ln in body.splitlines() if ln[:1].isalnum()]
        assert all(ln.endswith("\\") for ln in pins), f"{path}: a pin without --hash"


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM (POSIX)")
@pytest.mark.parametrize(
    "line",
    [
        "a==1 ;" + " " * 1_000_000 + "x",  # blanks inside a marker
        "a==1" + " " * 1_000_000 + "x",  # blanks before junk
        "a" * 1_000_000,  # a huge name
        "a==1 --hash=sha256:" + "0" * 1_000_000,
        "a[" + "x," * 500_000 + "]==1",
    ],
)
def test_pip_lock_parsing_is_linear_on_a_1mb_line(line: str) -> None:
    """A 1 MB line is parsed (or refused in one line) well inside a generous 10 s alarm: no
    pattern backtracks over it (this took minutes before). benchmarks/lock_parse_speed.py
    measures the ratio between line lengths."""

    def _stop(signum: int, frame: object) -> None:
        raise TimeoutError("parse_pip_lock took more than 10 s on a 1 MB line")

    old = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(10)
    try:
        try:
            parse_pip_lock(line + "\n", "big.txt")
        except UserError as exc:
            assert len(str(exc)) < 300
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_continuations_are_joined() -> None:
    lock = parse_pip_lock(
        'six==1.17.0 \\\n    ; python_version >= "3" \\\n  --hash=sha256:ab\n', "c"
    )
    assert [(p.name, p.version, p.marker) for p in lock.packages] == [
        ("six", "1.17.0", 'python_version >= "3"')
    ]
