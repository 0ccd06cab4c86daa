"""`dlcheck data fetch` (issue 30, items 3 and 4) against publishers on 127.0.0.1 only:
the whole set fetched and proven; an interrupted download (SIGINT, a dropped connection)
resumed to the same bytes; a wrong checksum never left where the lesson looks; a slow
server bounded by the timeout; a proxy used, and its refusal, offline and a full disk each
said in one line; a lab's folder filled once (``--to``)."""

# ruff: noqa: F811 - the fixtures imported from tests/lessondata_fixtures.py
from __future__ import annotations

import errno
import json
import os
import signal
import socket
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest

from dlcheck.lessondata.fetch import PART_SUFFIX, fetch_data
from dlcheck.lessondata.places import lab_roots, lesson_roots
from tests.lessondata_fixtures import (  # noqa: F401 - fixtures
    Machine,
    files_on,
    lesson_path,
    loopback_only,
    machine,
    run,
    served,
    test_table,
)
from tests.lessondata_server import KERAS_PATH, Behaviour, Proxy, Publisher, md5

pytestmark = pytest.mark.timeout(120)

TRAIN = "/zenodo.org/api/records/10970014/files/train_images.npy/content"
IMAGES = "/zenodo.org/api/records/10970014/files/test_images.npy/content"  # 245 KB
WEATHER = "/zenodo.org/api/records/5071376/files/weather_prediction_dataset_light.csv/content"


def _starting(out: str, word: str) -> int:
    return sum(line.startswith(word + " ") for line in out.splitlines())


def _files(table: Any, *ids: str) -> list[Any]:
    return [f for f in table.files if not ids or f.id in ids]


def test_fetch_fills_every_place_and_check_then_proves_it(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "data", "check")
    assert code == 1 and _starting(out, "MISSING") == 7 and "dlcheck data fetch" in out
    with Publisher(served) as pub:
        code, out, err = run(capsys, "data", "fetch", "--mirror", pub.url)
    assert code == 0, err
    assert err.startswith("dlcheck data fetch uses the network: 127.0.0.1:")
    assert "DATA READY  (7 fetched, 0 already here, 0 failed)" in out
    got = lesson_path(machine, "data/dataset_dollarstreet/train_images.npy").read_bytes()
    assert got == served[TRAIN]
    weights = machine.keras / "models" / "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert weights.read_bytes() == served[KERAS_PATH]
    assert (machine.seaborn / "penguins.csv").is_file()
    assert not [p for p in machine.notebooks.rglob("*") if p.name.endswith(PART_SUFFIX)]
    code, out, _ = run(capsys, "data", "check")
    assert code == 0 and _starting(out, "PASS") == 7 and "DATA READY" in out
    assert "proven by structure and md5" in out  # the weights: Keras' md5
    code, out, _ = run(capsys, "check", "--no-frameworks", "--json")
    finding = next(f for f in json.loads(out)["findings"] if f["id"] == "course-data")
    assert finding["verdict"] == "PASS"  # and the check report's finding
    # a second fetch has nothing to do
    with Publisher(served) as pub:
        code, out, _ = run(capsys, "data", "fetch", "--mirror", pub.url)
        assert code == 0 and "(0 fetched, 7 already here, 0 failed)" in out
        assert not [r for r in pub.behaviour.requests if r[1] == TRAIN and r[0] == "GET"]


def test_a_dropped_connection_resumes_with_range_to_the_same_bytes(
    machine: Machine, served: dict[str, bytes], test_table: Any, loopback_only: list[Any]
) -> None:
    behaviour = Behaviour(drop_once={IMAGES})
    roots = lesson_roots()
    files = _files(test_table, "test-images")
    with Publisher(served, behaviour) as pub:
        first = fetch_data(files, roots, pub.url, timeout=10)
        assert first.files[0].state == "failed" and first.files[0].cause == "dropped"
        assert "run again to resume" in first.files[0].detail
        dest = lesson_path(machine, "data/dataset_dollarstreet/test_images.npy")
        assert not dest.exists()  # nothing half-written where the lesson looks
        part = dest.parent / ("." + dest.name + PART_SUFFIX)
        kept = part.stat().st_size
        assert 0 < kept < len(served[IMAGES])
        second = fetch_data(files, roots, pub.url, timeout=10)
    assert second.files[0].state == "fetched"
    assert dest.read_bytes() == served[IMAGES] and not part.exists()
    assert ("GET", IMAGES, f"bytes={kept}-") in behaviour.requests


def test_sigint_mid_file_then_a_rerun_ends_with_the_same_bytes(
    machine: Machine, served: dict[str, bytes], test_table: Any, loopback_only: list[Any]
) -> None:
    files = _files(test_table, "test-images")
    dest = lesson_path(machine, "data/dataset_dollarstreet/test_images.npy")

    def interrupt(done: int, total: int, file_id: str) -> None:
        if done > total // 3:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C, delivered to this (main) thread

    # Ctrl-C as a terminal delivers it, whatever this run inherited (a background job of a
    # non-interactive shell starts with SIGINT ignored)
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    with Publisher(served) as pub:
        try:
            with pytest.raises(KeyboardInterrupt):
                fetch_data(files, lesson_roots(), pub.url, timeout=10, progress=interrupt)
        finally:
            signal.signal(signal.SIGINT, saved)
        assert not dest.exists()
        part = dest.parent / ("." + dest.name + PART_SUFFIX)
        assert 0 < part.stat().st_size < len(served[IMAGES])
        resumed = fetch_data(files, lesson_roots(), pub.url, timeout=10)
        requests = list(pub.behaviour.requests)
        # an uninterrupted fetch elsewhere, for the same bytes
        other = lab_roots(str(machine.notebooks.parent / "other"))
        whole = fetch_data(files, other, pub.url, timeout=10)
    assert resumed.files[0].state == whole.files[0].state == "fetched"
    assert resumed.files[0].md5 == whole.files[0].md5 == md5(served[IMAGES])
    assert dest.read_bytes() == Path(whole.files[0].path).read_bytes() == served[IMAGES]
    assert any(r[1] == IMAGES and r[2] and r[2] != "bytes=0-" for r in requests)


def test_a_server_that_ignores_range_sends_it_all_again(
    machine: Machine, served: dict[str, bytes], test_table: Any, loopback_only: list[Any]
) -> None:
    files = _files(test_table, "test-images")
    with Publisher(served, Behaviour(drop_once={IMAGES})) as pub:
        fetch_data(files, lesson_roots(), pub.url, timeout=10)
    with Publisher(served, Behaviour(ignore_range=True)) as pub:
        result = fetch_data(files, lesson_roots(), pub.url, timeout=10)
    assert result.files[0].state == "fetched"
    dest = lesson_path(machine, "data/dataset_dollarstreet/test_images.npy")
    assert dest.read_bytes() == served[IMAGES]


def test_a_wrong_checksum_is_never_left_where_the_lesson_looks(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the same structure (rows and columns), other bytes: only the checksum tells
    wrong = served[WEATHER].replace(b"\n1,", b"\n2,", 1)
    assert len(wrong) == len(served[WEATHER]) and wrong != served[WEATHER]
    mine = lesson_path(machine, "data/weather_prediction_dataset_light.csv")
    with Publisher(served, Behaviour(wrong={WEATHER: wrong})) as pub:
        code, out, err = run(capsys, "data", "fetch", "--mirror", pub.url, "--only", "weather")
    assert code == 1
    assert "weather: checksum mismatch: md5 " + md5(wrong) in err
    assert "the publisher's is " + md5(served[WEATHER]) in err
    assert not mine.exists() and files_on(machine.notebooks) == set()
    # a broken file of the learner's is kept beside, never deleted, when the right one comes
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"DATE,MONTH\n1,")
    with Publisher(served) as pub:
        code, out, err = run(capsys, "data", "fetch", "--mirror", pub.url, "--only", "weather")
    assert code == 0, err
    assert mine.read_bytes() == served[WEATHER]
    old = mine.with_name(mine.name + ".dlcheck-old")
    assert old.read_bytes() == b"DATE,MONTH\n1,"


def test_a_slow_server_is_bounded_by_the_timeout(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Publisher(served, Behaviour(slow_seconds=3)) as pub:
        code, _, err = run(
            capsys, "data", "fetch", "--mirror", pub.url, "--only", "penguins", "--timeout", "0.5"
        )
    assert code == 1
    assert "penguins:" in err and "timed out" in err and "Traceback" not in err
    assert not (machine.seaborn / "penguins.csv").exists()


def test_a_proxy_from_the_environment_is_used(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Publisher(served) as pub, Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        result = fetch_data(_files(test_table, "penguins", "weather"), lesson_roots(), pub.url)
        assert [r.state for r in result.files] == ["fetched", "fetched"]
        assert any(seen.endswith("/penguins.csv") for seen in proxy.seen)
        # NO_PROXY: straight to the server
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        before = len(proxy.seen)
        (machine.seaborn / "penguins.csv").unlink()
        again = fetch_data(_files(test_table, "penguins"), lesson_roots(), pub.url)
        assert again.files[0].state == "fetched" and len(proxy.seen) == before


def test_a_proxy_refusal_is_one_line_and_stops(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Publisher(served) as pub, Proxy(refuse=True) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        code, out, err = run(capsys, "data", "fetch", "--mirror", pub.url)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("dlcheck: ")]
    assert len(lines) == 7 and all("the proxy" in line and "refused" in line for line in lines)
    assert "407" in lines[0] and "Traceback" not in err
    assert files_on(machine.notebooks) == set()


def test_offline_is_one_line_and_what_is_here_is_kept(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Publisher(served) as pub:
        run(capsys, "data", "fetch", "--mirror", pub.url, "--only", "penguins")
        closed = pub.url  # the server goes away: nothing listens there now
    code, out, err = run(capsys, "data", "fetch", "--mirror", closed)
    assert code == 1
    assert "penguins" in out and "present" in out  # what is here stays proven
    assert "dlcheck: weather: offline: cannot reach 127.0.0.1" in err
    assert (machine.seaborn / "penguins.csv").read_bytes() == served[
        "/raw.githubusercontent.com/mwaskom/seaborn-data/master/penguins.csv"
    ]


def test_a_full_disk_is_one_line_and_keeps_what_came(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    from dlcheck.lessondata import fetch as fetch_module

    class Full:
        def __init__(self, real: Any) -> None:
            self.real, self.written = real, 0

        def write(self, block: bytes) -> int:
            if self.written > 100_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.written += len(block)
            return int(self.real.write(block))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: Any) -> None:
            self.real.close()

    def full_open(path: Any, mode: str = "r", *a: Any, **k: Any) -> Any:
        handle = builtins.open(path, mode, *a, **k)
        return Full(handle) if "a" in mode or "w" in mode else handle

    monkeypatch.setattr(fetch_module, "open", full_open, raising=False)
    with Publisher(served) as pub:
        result = fetch_data(_files(test_table), lesson_roots(), pub.url, timeout=10)
    failed = [r for r in result.files if r.state == "failed"]
    assert failed and failed[0].cause == "disk" and "disk full writing" in failed[0].detail
    assert all(r.state == "not-tried" for r in result.files[len(failed) :])  # it stops there
    assert "not tried: disk full" in result.files[-1].detail


def test_to_fills_a_lab_folder_that_check_then_proves(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = machine.notebooks.parent / "lab-share"
    with Publisher(served) as pub:
        code, _, err = run(capsys, "data", "fetch", "--to", str(lab), "--mirror", pub.url)
    assert code == 0, err
    assert (lab / "data" / "dataset_dollarstreet" / "test_labels.npy").is_file()
    assert (lab / "keras" / "models").is_dir() and (lab / "seaborn-data" / "penguins.csv").is_file()
    # each learner's machine: KERAS_HOME and SEABORN_DATA at the lab folder
    monkeypatch.setenv("KERAS_HOME", str(lab / "keras"))
    monkeypatch.setenv("SEABORN_DATA", str(lab / "seaborn-data"))
    code, out, _ = run(capsys, "data", "check", "--data", str(lab))
    assert code == 0 and _starting(out, "PASS") == 7


def test_the_fetch_documents(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:

    with Publisher(served) as pub:
        code, out, _ = run(
            capsys, "data", "fetch", "--mirror", pub.url, "--only", "penguins", "--json"
        )
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "dlcheck.data-fetch" and doc["kind"] == "data-fetch"
    assert doc["files"][0]["state"] == "fetched" and doc["files"][0]["size_bytes"] > 0


@pytest.mark.parametrize(
    "argv,words",
    [
        (["--only", "mnist"], "--only: unknown file 'mnist'"),
        (["--data", "nowhere"], "nowhere: --data: no such folder"),
        (["--mirror", "ftp://x"], "--mirror: 'ftp://x' is not an http(s) URL"),
        (["--course", "jax"], "'jax': no such course (known: tensorflow, torch)"),
        (["--data", ".", "--to", "x"], "choose one of --data and --to"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    machine: Machine, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, out, err = run(capsys, "data", "fetch", *argv)
    assert code == 2 and out == "" and words in err and len(err.strip().splitlines()) == 1


# ---- what a failure means, on recorded exceptions (no network) ------------------------


@pytest.mark.parametrize(
    "exc,cause,words",
    [
        (
            URLError(socket.gaierror(-2, "Name or service not known")),
            "offline",
            "offline: cannot resolve zenodo.org (Name or service not known)",
        ),
        (
            URLError(OSError("Tunnel connection failed: 403 Forbidden")),
            "proxy",
            "refused the connection: Tunnel connection failed: 403 Forbidden",
        ),
        (
            URLError(TimeoutError("timed out")),
            "timeout",
            "zenodo.org did not answer in time",
        ),
        (
            URLError(OSError(errno.ENETUNREACH, "Network is unreachable")),
            "offline",
            "offline: cannot reach zenodo.org (Network is unreachable)",
        ),
    ],
)
def test_each_network_failure_is_worded_by_its_cause(
    machine: Machine, exc: BaseException, cause: str, words: str
) -> None:
    from dlcheck.lessondata.fetch import explain

    said = explain(exc, "https://zenodo.org/api/records/5071376")
    assert said.cause == cause and words in str(said) and "\n" not in str(said)


def test_an_untrusted_certificate_names_ssl_cert_file(machine: Machine) -> None:
    import ssl
    import urllib.error

    from dlcheck.lessondata.fetch import explain

    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "unable to get local issuer certificate"
    said = explain(urllib.error.URLError(err), "https://zenodo.org/x")
    assert said.cause == "certificate" and "SSL_CERT_FILE" in str(said)
    assert "unable to get local issuer certificate" in str(said)


def test_both_layouts_of_zenodos_records_api_are_read() -> None:
    from dlcheck.lessondata.fetch import FetchError, parse_zenodo_files

    digest = "0123456789abcdef0123456789abcdef"
    legacy = {"files": [{"key": "a.npy", "size": 10, "checksum": f"md5:{digest}"}]}
    rdm = {
        "files": {"entries": {"a.npy": {"key": "a.npy", "size": 10, "checksum": f"md5:{digest}"}}}
    }
    assert parse_zenodo_files(legacy) == parse_zenodo_files(rdm) == {"a.npy": (digest, 10)}
    sha = {"files": [{"key": "a.npy", "size": 10, "checksum": "sha256:" + "0" * 64}]}
    assert parse_zenodo_files(sha) == {"a.npy": (None, 10)}  # no md5: the file is refused
    with pytest.raises(FetchError):
        parse_zenodo_files({"message": "rate limited"})


def test_a_disk_too_small_is_said_before_the_first_byte(
    machine: Machine,
    served: dict[str, bytes],
    test_table: Any,
    loopback_only: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    with Publisher(served) as pub:
        result = fetch_data(_files(test_table), lesson_roots(), pub.url, timeout=10)
        got = [r for r in pub.behaviour.requests if r[0] == "GET" and "/api/records/" in r[1]]
    assert all(r.state == "not-tried" and r.cause == "disk" for r in result.files)
    assert "disk full: the downloads need" in result.files[0].detail
    assert all(not path.endswith("/content") for _, path, _ in got)  # no file asked for


def test_the_os_trust_store_is_used_where_truststore_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ssl
    import sys
    import types

    from dlcheck.lessondata.fetch import _context

    made: list[int] = []

    def system_context(protocol: int) -> ssl.SSLContext:
        made.append(protocol)
        return ssl.SSLContext(protocol)

    monkeypatch.setitem(sys.modules, "truststore", types.SimpleNamespace(SSLContext=system_context))
    assert isinstance(_context(), ssl.SSLContext) and made == [ssl.PROTOCOL_TLS_CLIENT]
    monkeypatch.setitem(sys.modules, "truststore", None)  # not installed: OpenSSL's paths
    assert _context().verify_mode == ssl.CERT_REQUIRED and len(made) == 1


@pytest.mark.skipif(os.name == "nt", reason="flock: POSIX")
def test_two_fetches_of_one_file_never_write_it_together(
    machine: Machine, served: dict[str, bytes], test_table: Any, loopback_only: list[Any]
) -> None:
    """A room fetching into one shared folder: the file another fetch holds is left to it."""
    import fcntl

    dest = machine.seaborn / "penguins.csv"
    dest.parent.mkdir(parents=True)
    lock = dest.parent / ".penguins.csv.dlcheck-lock"
    with open(lock, "w") as held, Publisher(served) as pub:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        busy = fetch_data(_files(test_table, "penguins"), lesson_roots(), pub.url)
        assert (
            busy.files[0].cause == "busy" and "another dlcheck data fetch" in busy.files[0].detail
        )
        assert not dest.exists()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
        done = fetch_data(_files(test_table, "penguins"), lesson_roots(), pub.url)
    assert done.files[0].state == "fetched" and dest.is_file() and not lock.exists()


def test_a_record_that_fails_is_asked_once(
    machine: Machine, served: dict[str, bytes], test_table: Any, loopback_only: list[Any]
) -> None:
    files = {k: v for k, v in served.items() if "10970014" not in k}  # the record is gone: 404
    with Publisher(files) as pub:
        result = fetch_data(_files(test_table), lesson_roots(), pub.url, timeout=10)
        asked = [r for r in pub.behaviour.requests if r[1].endswith("/api/records/10970014")]
    dollar = [r for r in result.files if r.id.endswith(("images", "labels"))]
    assert len(asked) == 1 and all(r.cause == "http" and "404" in r.detail for r in dollar)
    assert {r.id: r.state for r in result.files if r not in dollar} == {
        "weather": "fetched",
        "penguins": "fetched",
        "densenet121": "fetched",
    }
