"""``dlcheck data fetch``: the one command that uses the network. It downloads the files of
the table that are missing or broken where the lesson looks (or into a lab's folder,
``--to DIR``), and promises:

- sizes and checksums first: Zenodo's records API gives each file's md5 and size, Keras'
  weights carry the md5 Keras itself records (the table), other sizes come from a HEAD
  request; so one progress bar covers the whole set;
- a partial download is kept beside its place as ``.NAME.dlcheck-part`` and resumed with an
  HTTP ``Range`` request (a server that ignores it sends the whole file again);
- one process at a time per file (a lock beside it; another fetch of the same file in a
  shared folder is told so), and the md5 is of the bytes on the disk;
- a file is checked (its size, the publisher's md5 where there is one, its structure) before
  it replaces anything, and it is put in place with one rename; a download that fails the
  check is removed, so a wrong file is never where the lesson looks; a broken file that was
  there is kept beside it as ``NAME.dlcheck-old``, never deleted;
- the standard library only (urllib): ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` and the
  platform's CA bundle (``SSL_CERT_FILE``) as urllib and OpenSSL read them;
- one line per failure, worded by its cause: offline, the proxy refused, timed out, the
  connection dropped (run again to resume), checksum mismatch, disk full, the server's answer.

``--mirror URL`` (or ``DLCHECK_DATA_MIRROR``) fetches ``https://HOST/PATH`` from
``URL/HOST/PATH`` instead: a lab's own copy (``wget -x`` writes that layout), or the tests'
server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dlcheck.lessondata.places import Roots, candidates, destination
from dlcheck.lessondata.proof import md5_of, prove
from dlcheck.lessondata.table import DataFile
from dlcheck.version import __version__

MIRROR_ENV = "DLCHECK_DATA_MIRROR"
CHUNK = 64 * 1024
MAX_API_BYTES = 4 * 1024 * 1024  # a records API answer is a few KiB
PART_SUFFIX = ".dlcheck-part"
OLD_SUFFIX = ".dlcheck-old"
LOCK_SUFFIX = ".dlcheck-lock"
# the causes that stop the whole set: the next file would fail the same way
STOPS = ("offline", "proxy", "disk")

Progress = Callable[[int, int, str], None]  # (bytes done, bytes in all, file id)


class FetchError(Exception):
    """One failure, worded for the learner; ``cause`` is one of offline, proxy, timeout,
    dropped, checksum, size, structure, disk, http, certificate, api."""

    def __init__(self, cause: str, message: str) -> None:
        self.cause = cause
        super().__init__(message)


@dataclass(frozen=True)
class Job:
    file: DataFile
    url: str  # after the mirror
    dest: str
    md5: str | None
    size: int | None
    md5_from: str  # where the md5 came from, or "" when there is none


@dataclass(frozen=True)
class FileResult:
    id: str
    path: str
    state: str  # fetched, present, failed, not-tried
    detail: str = ""
    size_bytes: int | None = None
    md5: str | None = None
    cause: str | None = None  # a failure's cause (FetchError.cause)


@dataclass(frozen=True)
class FetchResult:
    folder: str
    keras_home: str
    seaborn_data: str
    hosts: list[str] = field(default_factory=list)  # what it reached over the network
    files: list[FileResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from dlcheck.records import to_dict

        return dict(to_dict(self))

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.state in ("failed", "not-tried")]


def mirror_from_env(environ: Any = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(MIRROR_ENV)
    return value or None


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` as the mirror serves it: ``MIRROR/HOST/PATH`` (query dropped)."""
    if not mirror:
        return url
    parts = urllib.parse.urlsplit(url)
    return mirror.rstrip("/") + "/" + parts.netloc + parts.path


def hosts_of(files: list[DataFile], mirror: str | None) -> list[str]:
    """The hosts a fetch of ``files`` asks (the mirror's alone when there is one)."""
    if mirror:
        return [urllib.parse.urlsplit(mirror).netloc or mirror]
    seen: dict[str, None] = {}
    for f in files:
        for url in (f.source.api, f.source.url):
            if url:
                seen[urllib.parse.urlsplit(url).netloc] = None
    return list(seen)


# ---- the network: urllib, and what its failures mean --------------------------------


def _context() -> ssl.SSLContext:
    """The platform's trust: the ``truststore`` package's context where it is installed (the
    OS's own store on Windows and macOS, where OpenSSL's default paths may hold nothing);
    else OpenSSL's default paths (``SSL_CERT_FILE``, ``SSL_CERT_DIR``). Never a dependency."""
    try:
        import truststore  # type: ignore[import-not-found]

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - not installed, or too old for this Python
        return ssl.create_default_context()


def _opener() -> urllib.request.OpenerDirector:
    """urllib's default handlers: proxies from the environment (``HTTPS_PROXY``,
    ``NO_PROXY``), HTTPS with the platform's CA bundle (``_context``)."""
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=_context()))


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _through_proxy(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return proxy
    return None


def explain(exc: BaseException, url: str) -> FetchError:
    """A network failure as one line naming its cause."""
    host, proxy = _host(url), _through_proxy(url)
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code == 407:
            return FetchError("proxy", f"the proxy {proxy or ''} refused: 407 {exc.reason}".strip())
        return FetchError("http", f"{host} answered {exc.code} {exc.reason} for {url}")
    reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return FetchError("timeout", f"{host} did not answer in time (timed out)")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return FetchError(
            "certificate",
            f"{host}'s certificate is not trusted here ({reason.verify_message}); if your "
            "network inspects HTTPS, point SSL_CERT_FILE at its CA bundle",
        )
    text = str(reason)
    if "Tunnel connection failed" in text or (
        proxy and isinstance(reason, http.client.HTTPException)
    ):
        return FetchError("proxy", f"the proxy {proxy or ''} refused the connection: {text}")
    if isinstance(reason, socket.gaierror):
        where = f"the proxy {proxy}" if proxy else host
        return FetchError("offline", f"offline: cannot resolve {where} ({reason.strerror})")
    if isinstance(reason, ConnectionRefusedError) and proxy:
        return FetchError("proxy", f"the proxy {proxy} refused the connection")
    if isinstance(reason, OSError) and reason.errno in (
        errno.ECONNREFUSED,
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
    ):
        return FetchError("offline", f"offline: cannot reach {host} ({reason.strerror})")
    return FetchError("offline", f"cannot reach {host}: {text}")


def _open(url: str, timeout: float, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": f"dlcheck/{__version__}"})
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        return _opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # Range Not Satisfiable: the caller decides
            return exc
        raise explain(exc, url) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise explain(exc, url) from None


def zenodo_files(api_url: str, timeout: float) -> dict[str, tuple[str | None, int | None]]:
    """A Zenodo record's files from its records API: name -> (md5, size)."""
    response = _open(api_url, timeout, {"Accept": "application/json"})
    try:
        raw = response.read(MAX_API_BYTES + 1)
    except (OSError, http.client.HTTPException) as exc:
        raise explain(exc, api_url) from None
    finally:
        response.close()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FetchError("api", f"{_host(api_url)}'s records API did not answer JSON") from None
    return parse_zenodo_files(data, _host(api_url))


def parse_zenodo_files(
    data: Any, host: str = "zenodo.org"
) -> dict[str, tuple[str | None, int | None]]:
    """A records API answer's files: name -> (md5, size). Zenodo's legacy layout (``files``:
    a list of ``key``, ``size``, ``checksum`` ``md5:...``) and InvenioRDM's (``files``:
    ``entries`` by name) both."""
    files: Any = data.get("files") if isinstance(data, dict) else None
    if isinstance(files, dict):  # InvenioRDM: {"entries": {name: entry}} or a list
        files = files.get("entries")
        files = list(files.values()) if isinstance(files, dict) else files
    if not isinstance(files, list):
        raise FetchError("api", f"{host}'s records API lists no files")
    out: dict[str, tuple[str | None, int | None]] = {}
    for entry in files:
        if not isinstance(entry, dict):
            continue
        name = entry.get("key") or entry.get("filename")
        checksum = entry.get("checksum")
        size = entry.get("size", entry.get("filesize"))
        md5 = None
        if isinstance(checksum, str):
            algo, _, value = checksum.rpartition(":")
            if algo in ("", "md5") and len(value) == 32:
                md5 = value.lower()
        if isinstance(name, str):
            ok = isinstance(size, int) and not isinstance(size, bool) and size >= 0
            out[name] = (md5, size if ok else None)
    return out


def remote_size(url: str, timeout: float) -> int | None:
    """The Content-Length a HEAD request gives (None: not said)."""
    request = urllib.request.Request(
        url, method="HEAD", headers={"User-Agent": f"dlcheck/{__version__}"}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
    except urllib.error.HTTPError as exc:
        if exc.code == 407:
            raise explain(exc, url) from None
        return None  # no HEAD here (405, 403, ...): the size comes with the download
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise explain(exc, url) from None
    return int(length) if length and length.isdigit() and int(length) > 0 else None


# ---- planning: what to fetch, with its md5 and size -----------------------------------


def plan_jobs(
    files: list[DataFile], roots: Roots, mirror: str | None, timeout: float
) -> tuple[list[Job], list[FileResult]]:
    """The jobs for ``files`` (with their md5 and size, asked of the publishers), and a
    failure for each file whose checksum or size could not be learned. Stops (FetchError)
    when the network itself fails (offline, the proxy)."""
    jobs: list[Job] = []
    failed: list[FileResult] = []
    records: dict[str, Any] = {}  # api url -> its files, or the FetchError it gave (asked once)
    for f in files:
        dest = destination(f, roots)
        url = mirrored(f.source.url, mirror)
        try:
            if f.source.kind == "zenodo" and f.source.api and f.source.key:
                api = mirrored(f.source.api, mirror)
                if api not in records:
                    try:
                        records[api] = zenodo_files(api, timeout)
                    except FetchError as exc:
                        records[api] = exc
                if isinstance(records[api], FetchError):
                    raise records[api]
                if f.source.key not in records[api]:
                    raise FetchError(
                        "api", f"Zenodo's record {f.source.record} lists no {f.source.key}"
                    )
                md5, size = records[api][f.source.key]
                if md5 is None:
                    raise FetchError(
                        "api", f"Zenodo's record {f.source.record} gives no md5 for {f.source.key}"
                    )
                jobs.append(Job(f, url, dest, md5, size or f.size, "Zenodo's records API"))
            else:
                size = f.size if f.size is not None else remote_size(url, timeout)
                jobs.append(Job(f, url, dest, f.md5, size, f.md5_source if f.md5 else ""))
        except FetchError as exc:
            if exc.cause in STOPS:
                raise
            failed.append(FileResult(f.id, dest, "failed", str(exc), cause=exc.cause))
    return jobs, failed


def _whole(path: str, job: Job) -> bool:
    """The file at ``path`` is whole: its structure, its size and md5 where known."""
    if not os.path.isfile(path) or prove(path, job.file.proof).problem is not None:
        return False
    if job.size is not None and os.path.getsize(path) != job.size:
        return False
    return job.md5 is None or md5_of(path) == job.md5


def present(job: Job, roots: Roots) -> str | None:
    """Where the lesson already finds a whole copy of the job's file (None: nowhere)."""
    return next((p for p in candidates(job.file, roots) if _whole(p, job)), None)


# ---- one download ---------------------------------------------------------------------


def part_path(dest: str) -> str:
    folder, name = os.path.split(dest)
    return os.path.join(folder, "." + name + PART_SUFFIX)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_error(exc: OSError, path: str) -> FetchError:
    if exc.errno == errno.ENOSPC:
        return FetchError("disk", f"disk full writing {path}: free space and run again to resume")
    return FetchError("disk", f"cannot write {path}: {exc.strerror or exc}")


def download(job: Job, timeout: float, progress: Callable[[int], None]) -> int:
    """Fetch ``job`` into its part file, resuming what is there; returns its bytes.
    ``progress(n)`` hears each block's bytes (and, first, the bytes resumed)."""
    part = part_path(job.dest)
    try:
        os.makedirs(os.path.dirname(job.dest), exist_ok=True)
        have = os.path.getsize(part) if os.path.isfile(part) else 0
    except OSError as exc:
        raise _write_error(exc, job.dest) from None
    if job.size is not None and have > job.size:
        _remove(part)  # ours (the suffix), longer than the file: start again
        have = 0
    if have:
        progress(have)
    if have and job.size is not None and have == job.size:
        return have  # all came before: checked next
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = _open(job.url, timeout, headers)
    try:
        status = getattr(response, "status", None) or response.getcode()
        if status == 416:
            return have  # nothing more to send: checked next
        mode = "ab"
        if (have and status != 206) or (status == 206 and not _resumes_at(response, have)):
            progress(-have)  # the server sends the whole file again
            have, mode = 0, "wb"
        got = have
        try:
            with open(part, mode) as fh:
                while True:
                    try:
                        block = response.read(CHUNK)
                    except (OSError, http.client.HTTPException) as exc:
                        raise _dropped(exc, job, got) from None
                    if not block:
                        break
                    fh.write(block)
                    got += len(block)
                    progress(len(block))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise _write_error(exc, part) from None
    finally:
        response.close()
    return got


@contextlib.contextmanager
def _only_one(job: Job) -> Iterator[None]:
    """This file is fetched by one process at a time (a room fetching into one shared folder):
    an exclusive lock on ``.NAME.dlcheck-lock`` beside it, or FetchError ``busy``. Where the
    platform has no ``flock`` (Windows), no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock = os.path.join(os.path.dirname(job.dest), "." + os.path.basename(job.dest) + LOCK_SUFFIX)
    try:
        os.makedirs(os.path.dirname(job.dest), exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise _write_error(exc, job.dest) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise FetchError(
                "busy", "another dlcheck data fetch is downloading this file now; run again later"
            ) from None
        try:
            yield
        finally:
            _remove(lock)  # ours; removed while still held, so no one waits on a stale one
    finally:
        os.close(fd)


def _resumes_at(response: Any, have: int) -> bool:
    value = response.headers.get("Content-Range", "")
    return value.startswith(f"bytes {have}-")


def _dropped(exc: BaseException, job: Job, got: int) -> FetchError:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return FetchError(
            "timeout",
            f"{_host(job.url)} stopped sending after {got} bytes (timed out); run again to resume",
        )
    return FetchError("dropped", f"the connection dropped after {got} bytes; run again to resume")


def _keep_old(dest: str) -> str | None:
    """A broken file at ``dest`` (not ours to delete) moved aside; where it went."""
    if not os.path.lexists(dest):
        return None
    old, n = dest + OLD_SUFFIX, 1
    while os.path.lexists(old):
        n += 1
        old = f"{dest}{OLD_SUFFIX}{n}"
    os.replace(dest, old)
    return old


def fetch_one(job: Job, timeout: float, progress: Callable[[int], None]) -> FileResult:
    """Download, check, then put in place; FetchError when it fails."""
    with _only_one(job):
        return _fetch_locked(job, timeout, progress)


def _fetch_locked(job: Job, timeout: float, progress: Callable[[int], None]) -> FileResult:
    got = download(job, timeout, progress)
    part = part_path(job.dest)
    if job.size is not None and got < job.size:
        raise FetchError(
            "dropped", f"the download stopped at {got} of {job.size} bytes; run again to resume"
        )
    if job.size is not None and got > job.size:
        _remove(part)
        raise FetchError(
            "size", f"{got} bytes, the publisher says {job.size}: removed, nothing replaced"
        )
    md5 = md5_of(part)  # of what is on the disk, not of what was heard
    if job.md5 is not None and md5 != job.md5:
        _remove(part)
        raise FetchError(
            "checksum",
            f"checksum mismatch: md5 {md5}, the publisher's is {job.md5}; the download was "
            "removed and nothing replaced",
        )
    proven = prove(part, job.file.proof)
    if proven.problem is not None:
        _remove(part)
        raise FetchError("structure", f"the download is not whole ({proven.problem}): removed")
    try:
        old = _keep_old(job.dest)
        os.replace(part, job.dest)
    except OSError as exc:
        raise _write_error(exc, job.dest) from None
    said = f"{got} bytes, " + (f"md5 {md5} ({job.md5_from})" if job.md5 else "no published md5")
    if old:
        said += f"; the broken file that was there is kept as {os.path.basename(old)}"
    return FileResult(job.file.id, job.dest, "fetched", said, got, md5)


def _no_room(todo: list[Job]) -> FetchError | None:
    """A full disk said before the first byte: a folder whose disk cannot hold what is to
    come there (the parts already downloaded counted as there)."""
    import shutil

    need: dict[str, int] = {}
    for job in todo:
        folder = os.path.dirname(job.dest)
        while folder and not os.path.isdir(folder):
            folder = os.path.dirname(folder)
        part = part_path(job.dest)
        have = os.path.getsize(part) if os.path.isfile(part) else 0
        need[folder] = need.get(folder, 0) + max((job.size or 0) - have, 0)
    for folder, wanted in need.items():
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if wanted > free:
            return FetchError(
                "disk",
                f"disk full: the downloads need {wanted / 1e6:.1f} MB in {folder}, "
                f"{free / 1e6:.1f} MB are free",
            )
    return None


def _unreached(f: DataFile, roots: Roots, exc: FetchError) -> FileResult:
    """A file when the publishers cannot be reached: present if its structure proves it."""
    for path in candidates(f, roots):
        if os.path.isfile(path) and prove(path, f.proof).problem is None:
            return FileResult(f.id, path, "present", "whole by its structure (not re-verified)")
    return FileResult(f.id, destination(f, roots), "failed", str(exc), cause=exc.cause)


def fetch_data(
    files: list[DataFile],
    roots: Roots,
    mirror: str | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> FetchResult:
    """Fetch what is missing or broken of ``files`` at ``roots`` (module docstring)."""
    results: dict[str, FileResult] = {}
    hosts = hosts_of(files, mirror)
    try:
        jobs, failed = plan_jobs(files, roots, mirror, timeout)
    except FetchError as exc:  # offline, the proxy: nothing can be fetched or verified
        return FetchResult(
            roots.data,
            roots.keras,
            roots.seaborn,
            hosts,
            [_unreached(f, roots, exc) for f in files],
        )
    for r in failed:
        results[r.id] = r
    todo = []
    for job in jobs:
        where = present(job, roots)
        if where is not None:
            results[job.file.id] = FileResult(job.file.id, where, "present", "already whole")
        else:
            todo.append(job)
    total = sum(j.size or 0 for j in todo)
    done = [0]
    stopped: FetchError | None = _no_room(todo)
    for job in todo:
        if stopped is not None:
            results[job.file.id] = FileResult(
                job.file.id, job.dest, "not-tried", f"not tried: {stopped}", cause=stopped.cause
            )
            continue

        def step(n: int, job: Job = job) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], max(total, done[0]), job.file.id)

        try:
            results[job.file.id] = fetch_one(job, timeout, step)
        except FetchError as exc:
            results[job.file.id] = FileResult(
                job.file.id, job.dest, "failed", str(exc), cause=exc.cause
            )
            if exc.cause in STOPS:
                stopped = exc
    ordered = [results[f.id] for f in files if f.id in results]
    return FetchResult(roots.data, roots.keras, roots.seaborn, hosts, ordered)
