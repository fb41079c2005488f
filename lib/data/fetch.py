"""``python -m lib.data.fetch`` (``make data``, run by ``make report``): fetch missing datasets.

Each missing dataset is downloaded over https from its official source, checked against a
known checksum, and unpacked into the data directory. An existing file is never overwritten.

* Known checksums, and where they are published (none is made up here):

  - MNIST: SHA-256 of the four ``.gz`` files from torchvision's own dataset code
    (pytorch/vision, ``torchvision/prototype/datasets/_builtin/mnist.py``); the same files carry
    the MD5s of the pinned torchvision's ``MNIST.resources``. URL: torchvision's first mirror.
  - EMNIST: torchvision publishes only an MD5 for ``gzip.zip`` (``EMNIST.md5`` in the pinned
    torchvision 0.29.1), so that MD5 is checked; no SHA-256 of this file is published.
  - SqueezeNet 1.1: the full SHA-256 of ``squeezenet1_1-b8a52dc0.pth``, whose first eight hex
    digits torchvision puts into the file name (``torch.hub``'s ``check_hash`` convention);
    the full value is listed publicly for the same file (4,958,839 bytes).
  - Flowers-17: SHA-256 of ``17flowers.tgz`` as Intel's DFFML checks it
    (intel/dffml, ``examples/flower17/dataset.sh``; Google DeepMind's dm_nevis lists MD5
    ``b59a65d8d1a99cd66944d474e1289eab`` for it); MD5 of ``datasplits.mat`` from dm_nevis
    (``dm_nevis/datasets_storage/handlers/oxford_flowers_17.py``). The VGG page lists none.
  - The homework's ``data.zip`` and ``images.zip``: no checksum is published. Their contents are
    checked instead (every ``.mat`` must load as NIST36 with the right keys, shapes and one-hot
    labels; every photo must decode), and the SHA-256 of what was downloaded is printed (the
    Data appendix lists every file's SHA-256) so a later change of the files can be seen.

* Downloads go to ``<cache>/downloads`` with progress bars (tqdm, in a terminal) and resume
  from a ``.part`` file with an HTTP Range request after an interruption.
* Offline, or when a server fails, each missing dataset gets one line saying what the book does
  without it, and the command still succeeds: hosts are probed with a short timeout first
  (all at once), every read has a timeout, and ``HW5_OFFLINE=1`` skips the network altogether.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import stat
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lib import config
from lib.cache import file_hash
from lib.data import layout
from lib.data.errors import DataError
from lib.progress import counter

#: Seconds to wait for a host to answer (DNS and TCP connect), and for each read of a download.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
CHUNK = 1 << 16


@dataclass(frozen=True)
class Source:
    """One file to download: its https URL and its known checksum (``"sha256:..."``/``"md5:..."``,
    or None when none is published and the contents are checked instead)."""

    url: str
    known_hash: str | None

    @property
    def filename(self) -> str:
        return Path(urllib.parse.urlparse(self.url).path).name

    @property
    def host(self) -> tuple[str, int]:
        url = urllib.parse.urlparse(self.url)
        return url.hostname or "", url.port or (443 if url.scheme == "https" else 80)


@dataclass(frozen=True)
class Dataset:
    """A dataset ``make data`` can fetch: what it provides and how to unpack its downloads."""

    name: str  # "nist36"
    title: str
    provides: tuple[str, ...]  # files (relative to the data directory) that say it is present
    sources: tuple[Source, ...]
    install: Callable[[list[Path], Path], list[str]]  # (downloads, data dir) -> files written
    without: str  # what the book does without it
    optional: tuple[Source, ...] = field(default=())  # fetched along, when missing, never alone


# ----------------------------------------------------------------------------- unpacking
def _place(data: bytes, target: Path) -> bool:
    """Write ``data`` at ``target`` unless a file is already there (never overwrite); True if written.

    Written beside the target and hard-linked into place, so a concurrent writer or an existing
    file is never replaced and a reader never sees half a file.
    """
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.fetch")
    tmp.write_bytes(data)
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    return True


def _members(archive: Path):
    """``(name, read)`` for every file in a zip or tar archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if not name.endswith("/"):
                    yield name, (lambda n=name: zf.read(n))
    else:
        with tarfile.open(archive) as tf:
            for member in tf:
                if member.isfile():
                    yield member.name, (lambda m=member: tf.extractfile(m).read())


def _checked_members(archive: Path, wanted: set[str], check: Callable[[Path], object]) -> dict[str, bytes]:
    """The archive's members named in ``wanted`` (by base name), each passed through ``check``
    (which raises ``DataError`` for a file that is not what it should be); all or an error."""
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, read in _members(archive):
            base = Path(name).name
            if base in wanted:
                path = Path(tmp) / base
                path.write_bytes(read())
                check(path)
                found[base] = path.read_bytes()
    if set(found) != wanted:
        raise DataError(f"{archive.name} lacks {sorted(wanted - set(found))}")
    return found


def _install_nist36(downloads: list[Path], root: Path) -> list[str]:
    from lib.data.nist36 import _read_mat

    def check(path: Path) -> None:  # DataError unless it is NIST36
        _read_mat(str(path), path.name[len("nist36_"):-len(".mat")], path.stat().st_size, 0)

    found = _checked_members(downloads[0], {Path(f).name for f in layout.DATASETS["nist36"].files}, check)
    return [f for f in sorted(found) if _place(found[f], root / f)]


def _install_images(downloads: list[Path], root: Path) -> list[str]:
    from lib.data.images import SAMPLE_IMAGES, load_image

    # load_image raises DataError unless the file decodes as a photo
    found = _checked_members(downloads[0], {f"{n}.jpg" for n in SAMPLE_IMAGES}, load_image)
    return [f"images/{f}" for f in sorted(found) if _place(found[f], root / "images" / f)]


def _install_gunzipped(folder: str, pick: Callable[[str], bool]):
    """Unpack ``.gz`` files (downloaded, or inside a zip) into ``folder`` without the ``.gz``."""

    def install(downloads: list[Path], root: Path) -> list[str]:
        written = []
        for download in downloads:
            members = _members(download) if zipfile.is_zipfile(download) else [(download.name, download.read_bytes)]
            for name, read in members:
                base = Path(name).name
                if pick(base):
                    data = read()
                    if base.endswith(".gz"):
                        base, data = base[:-3], gzip.decompress(data)
                    if _place(data, root / folder / base):
                        written.append(f"{folder}/{base}")
        return written

    return install


def _install_flowers(downloads: list[Path], root: Path) -> list[str]:
    written = []
    for download in downloads:
        if download.name == "datasplits.mat":
            if _place(download.read_bytes(), root / "flowers17" / "datasplits.mat"):
                written.append("flowers17/datasplits.mat")
            continue
        for name, read in _members(download):
            base = Path(name).name
            if base.startswith("image_") and base.endswith(".jpg") and _place(read(), root / "flowers17" / "jpg" / base):
                written.append(f"flowers17/jpg/{base}")
    return written


def _install_copy(target: str):
    def install(downloads: list[Path], root: Path) -> list[str]:
        return [target] if _place(downloads[0].read_bytes(), root / target) else []

    return install


_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_VGG = "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/"
_HOMEWORK = "https://www.cs.cmu.edu/~lkeselma/16720a_data/"

DATASETS: tuple[Dataset, ...] = (
    Dataset("nist36", "NIST36 (the homework's data.zip)", layout.DATASETS["nist36"].files,
            (Source(_HOMEWORK + "data.zip", None),), _install_nist36, layout.DATASETS["nist36"].without),
    Dataset("images", "the four sample photos (the homework's images.zip)",
            ("images/01_list.jpg", "images/02_letters.jpg", "images/03_haiku.jpg", "images/04_deep.jpg"),
            (Source(_HOMEWORK + "images.zip", None),), _install_images,
            "mark the photo questions not run (chapter 4 is measured on generated pages)"),
    Dataset("mnist", "MNIST", layout.DATASETS["mnist"].files, (
        Source(_MNIST + "train-images-idx3-ubyte.gz",
               "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        Source(_MNIST + "train-labels-idx1-ubyte.gz",
               "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        Source(_MNIST + "t10k-images-idx3-ubyte.gz",
               "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        Source(_MNIST + "t10k-labels-idx1-ubyte.gz",
               "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ), _install_gunzipped("torchvision/MNIST/raw", lambda n: n.endswith("-ubyte.gz")), layout.DATASETS["mnist"].without),
    Dataset("emnist", "EMNIST Balanced", layout.DATASETS["emnist"].files,
            (Source("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip", "md5:58c8d27c78d21e728a6bc7b3cc06412e"),),
            _install_gunzipped("torchvision/EMNIST/raw", lambda n: n.startswith("emnist-balanced-")),
            layout.DATASETS["emnist"].without),
    Dataset("flowers17", "Oxford Flowers-17", layout.DATASETS["flowers17"].files,
            (Source(_VGG + "17flowers.tgz", "sha256:fe38a60f8b4a95e657551247d3e7d799a3fafcdbc595be504b12839967823d70"),),
            _install_flowers, layout.DATASETS["flowers17"].without,
            optional=(Source(_VGG + "datasplits.mat", "md5:4828cddfd0d803c5abbdebcb1e148a1e"),)),
    Dataset("squeezenet", "SqueezeNet 1.1 ImageNet weights", ("weights/squeezenet1_1.pth",),
            (Source("https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
                    "sha256:b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b"),),
            _install_copy("weights/squeezenet1_1.pth"),
            "leave out the fine-tuned SqueezeNet (the CNN from scratch still runs)"),
)


# ----------------------------------------------------------------------------- downloading
class FetchError(Exception):
    """A download or check failed; the message is one line."""


def verify(path: Path, known_hash: str | None) -> str:
    """Check ``path`` against ``"sha256:..."``/``"md5:..."``; return its SHA-256 either way."""
    sha256 = file_hash(path, "sha256")
    if known_hash:
        algorithm, _, expected = known_hash.partition(":")
        actual = sha256 if algorithm == "sha256" else file_hash(path, algorithm)
        if actual != expected.lower():
            raise FetchError(f"{path.name}: {algorithm} {actual} differs from the published {expected}")
    return sha256


def download(source: Source, folder: Path, timeout: float = READ_TIMEOUT) -> Path:
    """Download ``source`` into ``folder`` (resuming a ``.part`` file), verify it, return its path.

    A file already there and matching its checksum is reused; a mismatch is an error and the bad
    download is removed (it is ours, not the user's data).
    """
    folder.mkdir(parents=True, exist_ok=True)
    target, part = folder / source.filename, folder / (source.filename + ".part")
    if target.exists():
        try:
            verify(target, source.known_hash)
            return target
        except FetchError:
            target.unlink()
    done = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(source.url, headers={"User-Agent": "hw5-book-fetch/1"})
    if done:
        request.add_header("Range", f"bytes={done}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if done and response.status != 206:  # the server ignored the range: start again
                done = 0
            length = response.headers.get("Content-Length")
            total = done + int(length) if length else None
            bar = counter(total, source.filename, initial=done, unit="B", unit_scale=True, unit_divisor=1024)
            with open(part, "ab" if done else "wb") as out:
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    out.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            if bar is not None:
                bar.close()
        if total is not None and part.stat().st_size < total:
            raise FetchError(f"{source.url}: the connection closed after {part.stat().st_size} of {total} "
                             "bytes (run `make data` again to resume)")
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and done:  # the .part is already whole
            pass
        else:
            raise FetchError(f"{source.url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:  # the .part stays for resume
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{source.url}: {reason}") from exc
    try:
        verify(part, source.known_hash)
    except FetchError:
        part.unlink()
        raise
    os.replace(part, target)
    return target


def reachable(hosts: set[tuple[str, int]], timeout: float = CONNECT_TIMEOUT) -> dict[tuple[str, int], str | None]:
    """``{(host, port): None if it answers, else the reason}``, all probed at once.

    A host answers when an HTTP request for its root (HEAD, https on port 443) gets a response,
    whatever its status, within ``timeout`` seconds: a server that accepts the connection and then
    says nothing counts as down, or each of its downloads would wait out its read timeout. DNS
    lookups ignore socket timeouts, so each probe runs in a thread that is waited for at most
    ``timeout`` seconds: offline, or with a silent server, this takes seconds, never minutes.
    """

    out: dict[tuple[str, int], str | None] = {}

    def run(host: tuple[str, int]) -> None:
        name, port = host
        scheme = "https" if port == 443 else "http"
        request = urllib.request.Request(f"{scheme}://{name}:{port}/", method="HEAD",
                                         headers={"User-Agent": "hw5-book-fetch/1"})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                out[host] = None
        except urllib.error.HTTPError:  # a status line is an answer
            out[host] = None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            out[host] = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__

    # daemon threads: a lookup still hanging at the deadline must not keep the process alive
    threads = [threading.Thread(target=run, args=(host,), daemon=True) for host in sorted(hosts)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout + 1
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return {host: out[host] if host in out else f"no answer within {timeout:g} s" for host in sorted(hosts)}


def _timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from, or a URLError's reason) is a timeout."""
    while exc is not None:
        if isinstance(exc, TimeoutError):
            return True
        exc = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else exc.__cause__
    return False


# ----------------------------------------------------------------------------- the command
def missing(root: Path) -> list[Dataset]:
    """The datasets with at least one file missing from ``root``."""
    return [ds for ds in DATASETS if any(not (root / rel).is_file() for rel in ds.provides)]


def _writable(root: Path) -> bool:
    """Whether downloads may go into ``root``: it can be written and has write bits (a folder
    without them, such as a shared read-only copy, is left alone even for root)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(root, os.W_OK) and bool(root.stat().st_mode & stat.S_IWUSR)


def fetch(root: Path, downloads: Path | None = None, offline: bool | None = None,
          log: Callable[[str], None] = print) -> dict[str, str]:
    """Fetch every missing dataset into ``root``; ``{name: "fetched" | why not}``, one line each."""
    todo = missing(root)
    if not todo:
        return {}
    downloads = downloads or config.cache_dir() / "downloads"
    offline = bool(os.environ.get("HW5_OFFLINE")) if offline is None else offline
    outcome: dict[str, str] = {}

    def skip(ds: Dataset, why: str) -> None:
        outcome[ds.name] = why
        log(f"make data: {ds.title} not fetched ({why}); the book will {ds.without}.")

    if not _writable(root):
        for ds in todo:
            skip(ds, f"{root} is not writable")
        return outcome
    if offline:
        for ds in todo:
            skip(ds, "HW5_OFFLINE is set")
        return outcome
    status = reachable({s.host for ds in todo for s in ds.sources})
    for ds in todo:
        down = next((f"{s.host[0]} unreachable: {status[s.host]}" for s in ds.sources if status.get(s.host)), None)
        if down:
            skip(ds, down)
            continue
        try:
            files = [download(s, downloads / ds.name) for s in ds.sources]
            for extra in ds.optional:
                try:
                    files.append(download(extra, downloads / ds.name))
                except FetchError as exc:
                    log(f"make data: optional {extra.filename} not fetched ({exc})")
            for source, path in zip(ds.sources, files, strict=False):
                if source.known_hash is None:
                    log(f"make data: {path.name} has no published checksum; its contents were checked "
                        f"(SHA-256 of this download: {file_hash(path, 'sha256')})")
            written = ds.install(files, root)
        except (FetchError, DataError, OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
            skip(ds, " ".join(str(exc).split())[:300])
            if _timed_out(exc):  # a host that stalls once is not waited for again
                status.update({s.host: "it stopped answering" for s in ds.sources})
            continue
        outcome[ds.name] = "fetched"
        log(f"make data: {ds.title}: {len(written)} file(s) written into {root}")
        for path in files:  # unpacked: the archive is no longer needed
            path.unlink(missing_ok=True)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.data.fetch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only list what is missing")
    parser.add_argument("--offline", action="store_true", help="do not use the network (as HW5_OFFLINE=1)")
    args = parser.parse_args(argv)
    root = config.data_dir()
    todo = missing(root)
    if not todo:
        print(f"make data: {root}: all data present")
        return 0
    if args.check:
        for ds in todo:
            print(f"make data: {ds.title} missing from {root} (from {', '.join(s.url for s in ds.sources)}); "
                  f"without it the book will {ds.without}.")
        return 0
    fetch(root, offline=True if args.offline else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
