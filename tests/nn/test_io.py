"""Save/load parameters as .npz."""

from __future__ import annotations

import numpy as np
import pytest

from lib.nn import NetworkSpec, init_params, load_params, save_params


def test_round_trip_is_exact(tmp_path):
    params = init_params(NetworkSpec.autoencoder(), seed=3)
    params["b2"] += np.float32(1e-7)  # something that is not a round number
    path = save_params(tmp_path / "sub" / "ae.npz", params)
    loaded = load_params(path)
    assert list(loaded) == list(params)
    for k in params:
        assert loaded[k].dtype == params[k].dtype and loaded[k].shape == params[k].shape
        assert loaded[k].tobytes() == params[k].tobytes()
    assert not list(path.parent.glob(".*"))  # no temporary left behind


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_params(tmp_path / "nope.npz")
    with pytest.raises(ValueError, match=".npz"):
        save_params(tmp_path / "x.pkl", {})
