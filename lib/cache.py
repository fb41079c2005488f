"""Disk cache for expensive results, keyed by configuration, data and code.

A cached result is a pure function of its key parts; it is stored as one ``.npz`` (arrays, plus
the JSON-able values under ``__meta__``), written atomically, and loaded with
``allow_pickle=False``. Every key is made by :func:`key` from explicit parts:

* a name (the cache folder),
* the configuration (dataclass configs, numbers, strings, arrays, nested containers),
* the fingerprints of the data it reads (``data=``: strings, or objects with a
  ``fingerprint``; :func:`file_digest` fingerprints a file),
* the source of the project's modules that compute it (``code=``: module names; a package
  counts with every ``.py`` file under it, read from disk without importing it),

so changing a hyper-parameter, the data or the algorithm recomputes, and nothing else does.
A function's parameters are its configuration and nothing else: data it reads is named by
``data=``, code by ``code=``, never by a parameter that exists only to enter the key.

>>> @cached("mlp", code=("lib.nn",), data=(nist36_fingerprint,))
... def train_mlp(cfg): ...        # key: cfg, nist36_fingerprint(), lib.nn + this module's source
>>> train_mlp(cfg)                 # computed once, then loaded: {"W1": array, ..., "history": {...}}

Results that are not ``.npz`` (a torch ``state_dict``) use the same key and folder:
``cache_path(name, key(name, cfg, data=(...), code=(...)), suffix=".pt")``, read through
:func:`read_or_heal` and written with :func:`atomic_write`.

Faults heal on the next run:

* An entry that cannot be read (empty, garbage, truncated, a damaged checkpoint or JSON file) is
  a miss: :func:`read_or_heal` reports it once (a warning naming the file and the reason), moves
  it aside to ``<name>.unreadable`` (kept for inspection, never deleted) and the caller
  recomputes it. Every reader of the cache goes through it: ``.npz`` results here, ``state_dict``
  checkpoints in ``lib.deep``, the JSON result files of ``lib.results``.
* Every file is written by :func:`atomic_write`: a temporary file beside the target, renamed into
  place, so a reader, or a second build running at the same time, sees the old file or the new
  one, never half of one. Two builds that compute the same entry both write it whole; the last
  rename wins and both are the same result. No lock is needed.
* A temporary file left by a killed run carries its host and process id in its name; the next
  run that uses the folder removes it once that process is gone (or when it is a day old).
* Files are created with the usual permissions (``0o666`` less the umask, so ``0644``), not the
  owner-only ``0600`` of :func:`tempfile.mkstemp`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import pickle
import re
import secrets
import socket
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from lib import config

_META = "__meta__"
T = TypeVar("T")
log = logging.getLogger(__name__)

#: What reading a damaged file raises: a missing or unopenable file (OSError), an empty or
#: truncated npz (EOFError, zipfile.BadZipFile), garbage (ValueError: "pickled data"; also
#: JSONDecodeError and UnicodeDecodeError), an npz or checkpoint without its members (KeyError),
#: a damaged torch checkpoint (RuntimeError, pickle.UnpicklingError) and content of the wrong
#: type (TypeError). Anything else (MemoryError, KeyboardInterrupt) is not a damaged file.
UNREADABLE = (OSError, EOFError, ValueError, KeyError, TypeError, RuntimeError, zipfile.BadZipFile,
              pickle.UnpicklingError)
#: A temporary file older than this is stale even when its process id is in use again.
STALE_AFTER_S = 24 * 3600


def fingerprint(*parts: Any) -> str:
    """A stable hex digest of configs, arrays, strings, numbers and nested containers."""
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()[:20]


def _feed(h, obj: Any) -> None:
    if hasattr(obj, "fingerprint") and not isinstance(obj, type):
        value = obj.fingerprint
        h.update(b"fp:" + str(value() if callable(value) else value).encode())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(type(obj).__name__.encode())
        _feed(h, dataclasses.asdict(obj))
    elif isinstance(obj, np.ndarray):
        arr = np.ascontiguousarray(obj)
        h.update(f"nd:{arr.dtype.str}:{arr.shape}".encode())
        h.update(arr.tobytes())
    elif isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=str):
            _feed(h, str(key))
            _feed(h, obj[key])
        h.update(b"}")
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for item in obj:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(obj, Path):
        h.update(b"path:" + str(obj).encode())
    elif obj is None or isinstance(obj, (str, int, float, bool, np.generic)):
        h.update(f"{type(obj).__name__}:{obj!r}".encode())
    else:
        raise TypeError(f"cannot fingerprint {type(obj).__name__}; give it a `fingerprint`")


def source_hash(*modules: str) -> str:
    """Hash of the source of the project's modules named ``lib.nn``, ``lib.mlp``, ...

    A package counts with every ``.py`` file under it. The files are read from disk, not
    imported, so a key costs no import (no torch for a cache hit); the order and repetition
    of the names do not matter.
    """
    return _source_hash(tuple(sorted(set(modules))))


@functools.cache
def _source_hash(modules: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name in modules:
        for file in _source_files(name):
            h.update(str(file.relative_to(config.PROJECT_ROOT)).encode())
            h.update(file.read_bytes())
    return h.hexdigest()[:20]


def _source_files(module: str) -> list[Path]:
    base = config.PROJECT_ROOT.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return sorted(base.rglob("*.py"))
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    rel = base.relative_to(config.PROJECT_ROOT)
    raise ValueError(f"source_hash: {module!r} is not a module of this project "
                     f"(no {rel}.py or {rel}/__init__.py)")


#: File digests computed in this process, by (path, size, modification time).
_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path | str) -> str:
    """The SHA-256 of a file's bytes (first 16 hex digits), for the fingerprints of data.

    Remembered in this process while the file keeps its size and modification time: a data
    set's fingerprint costs one read per process, and a file that changed is read again.
    """
    path = str(path)
    stat = os.stat(path)
    state = (path, stat.st_size, stat.st_mtime_ns)
    if state not in _DIGESTS:
        _DIGESTS[state] = file_hash(path)[:16]
    return _DIGESTS[state]


def file_hash(path: Path | str, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes (``algorithm``: any of :mod:`hashlib`'s), read in chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def key(name: str, *config_parts: Any, data: Iterable[Any] = (), code: Iterable[str] = ()) -> str:
    """The key of one result: its ``name``, its configuration (any number of parts), the
    fingerprints of the ``data`` it reads and the source of the ``code`` modules."""
    return fingerprint(name, *config_parts, *data, source_hash(*code))


def cache_path(name: str, key: str, suffix: str = ".npz") -> Path:
    folder = config.cache_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_once(str(folder))
    return folder / f"{key}{suffix}"


# ----------------------------------------------------------------------------- writing
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
#: ``.<target name>.<host>.<pid>.<random>.tmp``: whose it is, so a later run can tell a live
#: writer's file from one left by a killed run.
_TEMP = re.compile(r"^\.(?P<target>.+)\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")
#: What ``tempfile.mkstemp`` made for earlier versions of this module (``.<stem>.<8 chars><suffix>``).
_LEGACY_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.(npz|pt|json)$")


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    The file gets the usual permissions (``0o666`` less the umask). Readers, and other
    processes writing the same path, see the old file or the new one, never a mix.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_once(str(path.parent))
    tmp = _temp_path(path)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # mode 0o666 & ~umask
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def clean_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove temporary files in ``folder`` that no running writer owns; return them.

    Ours name their host and process: removed when that process is gone (on this host) or the
    file is a day old. ``mkstemp`` names of earlier versions carry no owner: removed after a day.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        ours, legacy = _TEMP.match(entry.name), _LEGACY_TEMP.match(entry.name)
        if not (ours or legacy):
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
        except OSError:
            continue
        orphan = bool(ours) and ours["host"] == _HOST and _process_gone(int(ours["pid"]))
        if old or orphan:
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
            log.info("removed %s, a temporary file left by an interrupted run", entry.path)
    return removed


@functools.cache
def _sweep_once(folder: str) -> None:
    """Clean a folder's stale temporary files the first time this process uses it."""
    clean_stale_temps(Path(folder))


# ----------------------------------------------------------------------------- reading
def read_or_heal(path: Path, read: Callable[[Path], T], what: str = "cache entry") -> T | None:
    """``read(path)``, or None when the file is missing or cannot be read (the caller recomputes).

    A file that exists but fails to read (any of :data:`UNREADABLE`) is reported once, as a
    warning with its path and the reason, and moved aside to ``<name>.unreadable`` (never
    deleted), so the next read is a plain miss. ``read`` should also check the content it needs
    (raise ``ValueError`` or ``KeyError`` for a file of the wrong shape).
    """
    path = Path(path)
    for _ in range(2):  # once more if another process replaced the file meanwhile
        try:
            seen = path.stat()
        except FileNotFoundError:
            return None
        try:
            return read(path)
        except FileNotFoundError:
            return None
        except UNREADABLE as err:
            reason = " ".join(f"{type(err).__name__}: {err}".split())
            if len(reason) > 200:
                reason = reason[:197] + "..."
        moved = _move_aside(path, seen)
        if moved is None:
            continue
        if moved != path:
            log.warning("warning: %s %s cannot be read (%s); moved aside to %s; it is computed again "
                        "when it is next needed", what, path, reason, moved.name)
        return None
    return None


def _move_aside(path: Path, seen: os.stat_result) -> Path | None:
    """Rename ``path`` to a free ``<name>.unreadable[-n]``; ``None`` when it changed meanwhile
    (another process already healed it), ``path`` itself when it is gone or cannot be moved."""
    try:
        now = path.stat()
    except FileNotFoundError:
        return path
    if (now.st_ino, now.st_size, now.st_mtime_ns) != (seen.st_ino, seen.st_size, seen.st_mtime_ns):
        return None
    for n in range(1000):
        aside = path.with_name(f"{path.name}.unreadable" + (f"-{n}" if n else ""))
        if aside.exists():
            continue
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return path  # another process moved it first and reports it
        except OSError as err:
            log.warning("warning: %s cannot be read and cannot be moved aside (%s); it is computed "
                        "again when it is next needed", path, err)
            return path
        return aside
    return path


def read_json(path: Path, what: str = "result file",
              check: Callable[[Any], bool] = lambda v: isinstance(v, dict)) -> Any | None:
    """A JSON file's value through :func:`read_or_heal`; ``check(value)`` false counts as damaged."""

    def read(p: Path) -> Any:
        value = json.loads(p.read_text(encoding="utf-8"))
        if not check(value):
            raise ValueError(f"unexpected content {str(value)[:60]!r}")
        return value

    return read_or_heal(path, read, what)


def load_cached(path: Path) -> dict[str, Any] | None:
    """A result saved by :func:`save_result`, or None when missing or unreadable (healed)."""
    return read_or_heal(path, load_result)


def save_result(path: Path, result: dict[str, Any]) -> None:
    """Arrays go into the npz as they are; everything else into JSON metadata."""
    arrays = {k: v for k, v in result.items() if isinstance(v, np.ndarray)}
    meta = {k: v for k, v in result.items() if not isinstance(v, np.ndarray)}
    if _META in arrays:
        raise ValueError(f"{_META!r} is reserved")
    payload = dict(arrays, **{_META: np.array(json.dumps(meta, default=_json_default))})

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **payload)

    atomic_write(path, write)


def load_result(path: Path) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as npz:
        result = {k: npz[k] for k in npz.files if k != _META}
        result.update(json.loads(str(npz[_META])))
    return result


def _json_default(obj: Any):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def load_or_compute(path: Path, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The result saved at ``path``, or ``compute()`` saved there first (a damaged entry is
    reported, moved aside and computed again). Either way the result is what was loaded from
    disk, so it has one representation whether computed now or earlier."""
    found = load_cached(path)
    if found is not None:
        return found
    save_result(path, compute())
    return load_result(path)


def cached(name: str, *, code: Iterable[str] = (), data: Iterable[Callable[[], Any]] = ()) -> Callable:
    """Decorate ``f(*config) -> dict`` so its result is computed once per key and reused.

    The key is made by :func:`key` from ``name``, the call's arguments, the fingerprints the
    ``data`` callables return at each call (``lib.data.nist36_fingerprint``: whatever data
    ``f`` reads), and the source of the ``code`` modules plus the decorated function's own
    module. The wrapped function gains ``.key(*config)`` and ``.path(*config)``.
    """
    modules = tuple(code)
    sources = tuple(data)

    def decorate(func: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        def key_of(*args: Any, **kwargs: Any) -> str:
            return key(name, args, kwargs, data=[fp() for fp in sources], code=(func.__module__, *modules))

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return load_or_compute(cache_path(name, key_of(*args, **kwargs)), lambda: func(*args, **kwargs))

        wrapper.key = key_of
        wrapper.path = lambda *a, **k: cache_path(name, key_of(*a, **k))
        return wrapper

    return decorate
