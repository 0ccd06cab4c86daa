"""Publishers on 127.0.0.1 for the `dlcheck data` tests: one HTTP server with the layouts of
Zenodo (the records API's JSON with each file's md5 and size, and the file's content URL),
Keras' weights host and seaborn's data repository, as ``--mirror`` maps them
(``http://127.0.0.1:PORT/HOST/PATH``), and a forwarding proxy. Misbehaviours on demand: drop
the connection half way, serve wrong bytes, answer slowly, ignore ``Range``; the proxy can
refuse (407). Nothing here ever opens a connection to another address.

The files are small stand-ins with the structure the lesson states (the packaged table):
a .npy header and exact size, a CSV's columns and rows, an HDF5 superblock."""

from __future__ import annotations

import functools
import hashlib
import http.client
import http.server
import json
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

ZENODO = "zenodo.org"
KERAS_PATH = (
    "/storage.googleapis.com/tensorflow/keras-applications/densenet/"
    "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
SEABORN_PATH = "/raw.githubusercontent.com/mwaskom/seaborn-data/master/penguins.csv"


def make_npy(descr: str, shape: tuple[int, ...], itemsize: int, fill: int = 0) -> bytes:
    """A .npy file (format 1.0) written the way NumPy writes one, without NumPy."""
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}"
    pad = 64 - (10 + len(header) + 1) % 64
    text = (header + " " * (pad % 64) + "\n").encode("latin-1")
    n = 1
    for d in shape:
        n *= d
    body = (fill % 256).to_bytes(1, "little") * (n * itemsize) if fill else bytes(n * itemsize)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + body


def make_labels(n: int) -> bytes:
    """int64 labels 0..9 of length ``n``."""
    npy = make_npy("<i8", (n,), 8)
    head = len(npy) - 8 * n
    return npy[:head] + b"".join(struct.pack("<q", i % 10) for i in range(n))


def make_hdf5(size: int) -> bytes:
    """An HDF5 file's superblock (version 0, 8-byte offsets) recording ``size`` as its end,
    padded to ``size`` bytes: what a proof by structure reads of a Keras weights file."""
    head = b"\x89HDF\r\n\x1a\n" + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + struct.pack("<HH", 4, 16)
    head += struct.pack("<I", 0) + struct.pack("<QQQQ", 0, 2**64 - 1, size, 2**64 - 1)
    filler = bytes(range(256)) * (size // 256 + 1)
    return head + filler[: size - len(head)]


def make_csv(columns: list[str], rows: int) -> bytes:
    lines = [",".join(columns)]
    for r in range(rows):
        lines.append(",".join(str((r * 7 + c) % 100) for c in range(len(columns))))
    return ("\n".join(lines) + "\n").encode()


def weather_csv() -> bytes:
    middle = [f"X{i}_temp_mean" for i in range(91 - 4)]
    return make_csv(["DATE", "MONTH", "BASEL_cloud_cover", *middle, "TOURS_temp_max"], 3654)


def penguins_csv() -> bytes:
    cols = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm"]
    return make_csv([*cols, "body_mass_g", "sex"], 344)


@functools.lru_cache(maxsize=2)
def _course_files(test_images: int) -> tuple[tuple[str, bytes], ...]:
    return tuple(_make_course_files(test_images).items())


def course_files(test_images: int = 5) -> dict[str, bytes]:
    """The seven files of the packaged table, by their path on the mirror (made once)."""
    return dict(_course_files(test_images))


def _make_course_files(test_images: int) -> dict[str, bytes]:
    z = f"/{ZENODO}/api/records"
    return {
        f"{z}/5071376/files/weather_prediction_dataset_light.csv/content": weather_csv(),
        f"{z}/10970014/files/train_images.npy/content": make_npy("<i4", (878, 64, 64, 3), 4),
        f"{z}/10970014/files/test_images.npy/content": make_npy(
            "<i4", (test_images, 64, 64, 3), 4, fill=7
        ),
        f"{z}/10970014/files/train_labels.npy/content": make_labels(878),
        f"{z}/10970014/files/test_labels.npy/content": make_labels(test_images),
        SEABORN_PATH: penguins_csv(),
        KERAS_PATH: make_hdf5(300_000),
    }


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - the publishers' checksum


@dataclass
class Behaviour:
    drop_once: set[str] = field(default_factory=set)  # paths: send half, then hang up (once)
    wrong: dict[str, bytes] = field(default_factory=dict)  # paths served with these bytes
    slow_seconds: float = 0.0  # wait before each body
    ignore_range: bool = False
    api_md5: dict[str, str] = field(default_factory=dict)  # override the API's md5 of a key
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range


class Publisher:
    """The HTTP server: ``url`` is the mirror's base (``--mirror``)."""

    def __init__(self, files: dict[str, bytes], behaviour: Behaviour | None = None) -> None:
        self.files = files
        self.behaviour = behaviour or Behaviour()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Publisher:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def records_json(self, record: str) -> bytes | None:
        prefix = f"/{ZENODO}/api/records/{record}/files/"
        entries = []
        for path, data in self.files.items():
            if path.startswith(prefix):
                key = path[len(prefix) :].rsplit("/content", 1)[0]
                digest = self.behaviour.api_md5.get(key, md5(data))
                entries.append(
                    {
                        "id": f"id-{key}",
                        "key": key,
                        "size": len(data),
                        "checksum": f"md5:{digest}",
                        "links": {"self": f"https://zenodo.org{path[len('/' + ZENODO) :]}"},
                    }
                )
        if not entries:
            return None  # no such record: 404, as Zenodo answers
        return json.dumps({"id": int(record), "files": entries}).encode()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        publisher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes | None:
                path = urllib.parse.urlsplit(self.path).path
                api = f"/{ZENODO}/api/records/"
                if path.startswith(api) and "/" not in path[len(api) :]:
                    return publisher.records_json(path[len(api) :])
                b = publisher.behaviour
                if path in b.wrong:
                    return b.wrong[path]
                return publisher.files.get(path)

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(head=True)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                b = publisher.behaviour
                path = urllib.parse.urlsplit(self.path).path
                rng = self.headers.get("Range")
                b.requests.append(("HEAD" if head else "GET", path, rng))
                body = self._body()
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start = 0
                if rng and not b.ignore_range and rng.startswith("bytes=") and not head:
                    start = int(rng[len("bytes=") :].split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                part = body[start:]
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if head:
                    return
                if b.slow_seconds:
                    time.sleep(b.slow_seconds)
                if path in b.drop_once:
                    b.drop_once.discard(path)
                    self.wfile.write(part[: len(part) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                try:
                    self.wfile.write(part)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


class Proxy:
    """A forwarding HTTP proxy on 127.0.0.1 (absolute-URI requests to 127.0.0.1 only), or
    one that refuses every request with 407 (``refuse``)."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.seen: list[str] = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self, method: str) -> None:
                proxy.seen.append(self.path)
                if proxy.refuse:
                    self.send_response(407, "Proxy Authentication Required")
                    self.send_header("Proxy-Authenticate", 'Basic realm="lab"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = urllib.parse.urlsplit(self.path)
                assert target.hostname == "127.0.0.1", self.path  # never another address
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
                conn.request(method, target.path, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                length = reply.getheader("Content-Length") if method == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(data)
                conn.close()

            def do_GET(self) -> None:  # noqa: N802
                self._forward("GET")

            def do_HEAD(self) -> None:  # noqa: N802
                self._forward("HEAD")

        return Handler
