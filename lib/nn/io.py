"""Save and load a params dict as ``.npz`` (exact round trip: same keys, dtypes, shapes, bits)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib.cache import atomic_write

__all__ = ["load_params", "save_params"]


def save_params(path: str | Path, params: dict[str, np.ndarray]) -> Path:
    """Write ``params`` to ``path`` (``.npz``), atomically (a reader never sees half a file)."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"save_params: {path} should end in .npz")
    for k, v in params.items():
        if not isinstance(v, np.ndarray):
            raise TypeError(f"save_params: params[{k!r}] is {type(v).__name__}, expected a numpy array")

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **params)

    atomic_write(path, write)  # mode 0644 under the usual umask (mkstemp's would be 0600)
    return path


def load_params(path: str | Path) -> dict[str, np.ndarray]:
    """The params dict saved by ``save_params`` (no pickles are loaded)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_params: {path} does not exist (expected a .npz from save_params)")
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}
