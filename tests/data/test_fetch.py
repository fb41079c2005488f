"""``make data`` (lib.data.fetch): verified downloads that resume, never overwrite, and fall back
within seconds when offline. No test touches the network: a blocked socket stands for "offline",
and downloads are served by a server on the loopback interface."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import socket
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from lib.data import fetch, layout


# ----------------------------------------------------------------------------- the sources
def test_every_source_is_https_with_a_published_checksum_or_a_content_check():
    for ds in fetch.DATASETS:
        for source in (*ds.sources, *ds.optional):
            assert source.url.startswith("https://"), source.url
            if source.known_hash is None:  # no published checksum: the contents are checked
                assert ds.name in ("nist36", "images"), source.url
            else:
                algorithm, _, value = source.known_hash.partition(":")
                assert len(value) == {"sha256": 64, "md5": 32}[algorithm], source
    squeeze = next(ds for ds in fetch.DATASETS if ds.name == "squeezenet").sources[0]
    # torchvision's file name carries the first 8 hex digits of the file's SHA-256
    assert squeeze.known_hash.removeprefix("sha256:").startswith(squeeze.filename.split("-")[1][:8])


def test_the_datasets_fetched_are_the_ones_the_loaders_need():
    provided = {rel for ds in fetch.DATASETS for rel in ds.provides}
    for name, ds in layout.DATASETS.items():
        assert set(ds.files) <= provided, name


# ----------------------------------------------------------------------------- offline
@pytest.fixture
def no_network(monkeypatch):
    """Every connection and name lookup fails, as on a machine without a network."""

    def refuse(*args, **kwargs):
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delenv("HW5_OFFLINE", raising=False)


def test_offline_each_missing_dataset_gets_one_line_and_the_command_succeeds(data_dir, tmp_path, no_network,
                                                                            capsys, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path / "cache"))
    start = time.monotonic()
    assert fetch.main([]) == 0
    assert time.monotonic() - start < 10
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(fetch.DATASETS)
    for ds, line in zip(fetch.DATASETS, lines, strict=True):
        assert ds.title in line and "not fetched" in line and "unreachable" in line
        assert ds.without in line
    assert list(data_dir.iterdir()) == []  # nothing half-written


def test_hw5_offline_skips_the_network(data_dir, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise AssertionError("HW5_OFFLINE=1 must not open a connection")

    monkeypatch.setattr(socket, "create_connection", fail)
    monkeypatch.setenv("HW5_OFFLINE", "1")
    assert fetch.main([]) == 0
    assert capsys.readouterr().out.count("HW5_OFFLINE is set") == len(fetch.DATASETS)


def test_a_host_that_never_answers_is_given_up_within_seconds(monkeypatch):
    release = threading.Event()

    def hang(*args, **kwargs):  # a lookup that hangs until the test ends
        release.wait(30)
        raise OSError("released")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.monotonic()
    try:
        status = fetch.reachable({("example.invalid", 443)}, timeout=0.5)
    finally:
        release.set()
    assert time.monotonic() - start < 3
    assert "no answer within 0.5 s" in status[("example.invalid", 443)]


def test_a_server_that_accepts_and_stays_silent_is_given_up_within_seconds():
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel's backlog), never answers
    port = listener.getsockname()[1]
    try:
        start = time.monotonic()
        status = fetch.reachable({("127.0.0.1", port)}, timeout=0.5)
        assert time.monotonic() - start < 3
    finally:
        listener.close()
    assert status[("127.0.0.1", port)], "a silent server counted as answering"


def test_a_server_that_answers_with_an_error_status_is_reachable(server):
    base, _ = server  # answers 501 to HEAD: it is there, the download decides the rest
    port = int(base.rsplit(":", 1)[1].strip("/"))
    assert fetch.reachable({("127.0.0.1", port)}, timeout=2) == {("127.0.0.1", port): None}


def test_nothing_to_do_when_every_file_is_there(data_dir, monkeypatch, capsys):
    monkeypatch.setattr(fetch, "missing", lambda root: [])
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("no network needed"))
    assert fetch.main([]) == 0
    assert "all data present" in capsys.readouterr().out


# ----------------------------------------------------------------------------- downloads
class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` from memory, honouring ``Range: bytes=N-`` (as S3 and most servers do)."""

    files: dict[str, bytes] = {}
    ranges: list[str] = []
    cut_after: int | None = None  # close the connection after this many bytes (an interruption)

    def do_GET(self):  # noqa: N802 (http.server's name)
        data = self.files.get(self.path.lstrip("/"))
        if data is None:
            self.send_error(404)
            return
        start = 0
        if "Range" in self.headers:
            self.ranges.append(self.headers["Range"])
            start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.cut_after is not None:
            body = body[: self.cut_after]
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    RangeHandler.files, RangeHandler.ranges, RangeHandler.cut_after = {}, [], None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", RangeHandler
    httpd.shutdown()


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_download_is_verified(server, tmp_path):
    base, handler = server
    handler.files["a.bin"] = payload = bytes(range(256)) * 400
    path = fetch.download(fetch.Source(base + "a.bin", _sha256(payload)), tmp_path)
    assert path.read_bytes() == payload and not list(tmp_path.glob("*.part"))


def test_an_interrupted_download_resumes_where_it_stopped(server, tmp_path):
    base, handler = server
    handler.files["big.bin"] = payload = np.random.default_rng(0).bytes(300_000)
    source = fetch.Source(base + "big.bin", _sha256(payload))
    handler.cut_after = 100_000
    with pytest.raises(fetch.FetchError):
        fetch.download(source, tmp_path, timeout=5)
    part = tmp_path / "big.bin.part"
    assert 0 < part.stat().st_size < len(payload)  # kept for the next try
    handler.cut_after = None
    path = fetch.download(source, tmp_path, timeout=5)
    assert handler.ranges == ["bytes=100000-"]
    assert path.read_bytes() == payload


def test_a_checksum_mismatch_is_an_error_and_the_download_is_dropped(server, tmp_path):
    base, handler = server
    handler.files["a.bin"] = b"not what was published"
    with pytest.raises(fetch.FetchError, match="differs from the published"):
        fetch.download(fetch.Source(base + "a.bin", "md5:" + "0" * 32), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_server_error_is_one_line(server, tmp_path):
    base, _ = server
    with pytest.raises(fetch.FetchError, match="HTTP 404"):
        fetch.download(fetch.Source(base + "missing.bin", None), tmp_path)


def _mat_bytes(split: str, n: int = 36) -> bytes:
    buf = io.BytesIO()
    labels = np.eye(36, dtype=np.uint8)[np.arange(n) % 36]
    scipy.io.savemat(buf, {f"{split}_data": np.ones((n, 1024), np.float32), f"{split}_labels": labels})
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _only(monkeypatch, name: str, *sources: fetch.Source) -> fetch.Dataset:
    ds = next(d for d in fetch.DATASETS if d.name == name)
    ds = fetch.Dataset(ds.name, ds.title, ds.provides, sources, ds.install, ds.without)
    monkeypatch.setattr(fetch, "DATASETS", (ds,))
    return ds


def test_homework_zip_is_checked_unpacked_and_never_overwrites(server, data_dir, tmp_path, monkeypatch, capsys):
    base, handler = server
    members = {f"data/nist36_{s}.mat": _mat_bytes(s) for s in ("train", "valid", "test")}
    handler.files["data.zip"] = _zip(members)
    _only(monkeypatch, "nist36", fetch.Source(base + "data.zip", None))
    (data_dir / "nist36_valid.mat").write_bytes(b"the user's own file")
    outcome = fetch.fetch(data_dir, tmp_path / "downloads")
    assert outcome == {"nist36": "fetched"}
    assert (data_dir / "nist36_valid.mat").read_bytes() == b"the user's own file"  # never overwritten
    assert (data_dir / "nist36_train.mat").read_bytes() == members["data/nist36_train.mat"]
    out = capsys.readouterr().out
    assert "no published checksum" in out and hashlib.sha256(handler.files["data.zip"]).hexdigest() in out


def test_an_archive_that_is_not_the_homework_data_is_refused(server, data_dir, tmp_path, monkeypatch):
    base, handler = server
    handler.files["data.zip"] = _zip({f"nist36_{s}.mat": b"not a mat file" for s in ("train", "valid", "test")})
    _only(monkeypatch, "nist36", fetch.Source(base + "data.zip", None))
    outcome = fetch.fetch(data_dir, tmp_path / "downloads", log=lambda line: None)
    assert "not a readable MATLAB" in outcome["nist36"]
    assert list(data_dir.iterdir()) == []


def test_emnist_archive_gives_the_balanced_split_only(server, data_dir, tmp_path, monkeypatch):
    base, handler = server
    members = {f"gzip/emnist-{split}-{s}-{k}-ubyte.gz": gzip.compress(f"{split}{s}{k}".encode())
               for split in ("balanced", "letters") for s in ("train", "test") for k in ("images-idx3", "labels-idx1")}
    handler.files["gzip.zip"] = archive = _zip(members)
    _only(monkeypatch, "emnist", fetch.Source(base + "gzip.zip", "md5:" + hashlib.md5(archive).hexdigest()))
    assert fetch.fetch(data_dir, tmp_path / "downloads", log=lambda line: None) == {"emnist": "fetched"}
    raw = data_dir / "torchvision" / "EMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(Path(f).name for f in layout.DATASETS["emnist"].files)
    assert (raw / "emnist-balanced-test-labels-idx1-ubyte").read_bytes() == b"balancedtestlabels-idx1"
    assert not list((tmp_path / "downloads").rglob("*.zip"))  # the archive is removed once unpacked


def test_a_folder_without_write_bits_is_left_alone(tmp_path, monkeypatch, capsys):
    root = tmp_path / "readonly"
    root.mkdir()
    root.chmod(0o555)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("nothing may be fetched"))
    try:
        outcome = fetch.fetch(root, tmp_path / "downloads")
    finally:
        root.chmod(0o755)
    assert set(outcome) == {ds.name for ds in fetch.DATASETS}
    assert all("not writable" in why for why in outcome.values())
    assert list(root.iterdir()) == []
