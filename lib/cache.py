"""Disk cache for expensive results, keyed by configuration, data and code.

A cached function is a pure function of its arguments; its result is stored as one ``.npz``
(arrays, plus the JSON-able values under ``__meta__``), written atomically, and loaded with
``allow_pickle=False``. The key hashes

* the cache name,
* the arguments (dataclass configs, arrays, data objects with a ``fingerprint`` attribute),
* the source code of the modules that compute the result (``code=``),

so changing a hyper-parameter, the data or the algorithm recomputes, and nothing else does.

>>> @cached("mlp", code=("lib.nn",))
... def train_mlp(cfg, data): ...           # returns {"W1": array, ..., "history": {...}}
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import inspect
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lib import config

_META = "__meta__"


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


@functools.cache
def source_hash(*module_names: str) -> str:
    """Hash of the source of modules (a package counts with every .py file under it)."""
    h = hashlib.sha256()
    for name in sorted(module_names):
        module = importlib.import_module(name)
        path = Path(inspect.getfile(module))
        files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
        for file in files:
            h.update(str(file.relative_to(config.PROJECT_ROOT)).encode())
            h.update(file.read_bytes())
    return h.hexdigest()[:20]


def cache_path(name: str, key: str, suffix: str = ".npz") -> Path:
    folder = config.cache_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}{suffix}"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def cached(name: str, code: tuple[str, ...] = ()) -> Callable:
    """Decorate ``f(*args) -> dict`` so its result is computed once per key and reused.

    ``code`` names the modules whose source the result depends on; the decorated function's
    own module always counts. The wrapped function gains ``.key(*args)`` and ``.path(*args)``.
    """

    def decorate(func: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        modules = tuple(sorted({func.__module__, *code}))

        def key(*args: Any, **kwargs: Any) -> str:
            return fingerprint(name, args, kwargs, source_hash(*modules))

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
            path = cache_path(name, key(*args, **kwargs))
            if path.exists():
                return load_result(path)
            result = func(*args, **kwargs)
            save_result(path, result)
            return load_result(path)  # one representation, whether computed or loaded

        wrapper.key = key
        wrapper.path = lambda *a, **k: cache_path(name, key(*a, **k))
        return wrapper

    return decorate
