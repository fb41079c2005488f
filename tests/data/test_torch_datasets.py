"""torch datasets: EMNIST orientation, NIST36 conversion, splits, offline failure."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lib import config
from lib.data import DataError
from lib.data import torch_datasets as td


def _have(name):
    return (config.data_dir() / "torchvision" / name / "raw").is_dir()


@pytest.mark.skipif(not _have("EMNIST"), reason="EMNIST not in HW5_DATA")
def test_emnist_is_upright_after_loading():
    """Mean images of asymmetric letters: 'L' has ink left and bottom, '7' ink at the top."""
    test = td.emnist("test")
    assert test.x.shape[1:] == (1, 28, 28) and len(test.classes) == 47 and test.x.max() <= 1
    mean_l = test.x[test.y == test.classes.index("L")].mean(0)[0]
    assert mean_l[:, :11].sum() > 1.5 * mean_l[:, 17:].sum()  # stroke on the left
    assert mean_l[17:, :].sum() > mean_l[:11, :].sum()  # foot at the bottom
    mean_7 = test.x[test.y == test.classes.index("7")].mean(0)[0]
    assert mean_7[4:9, :].sum() > mean_7[19:24, :].sum()  # bar at the top


@pytest.mark.skipif(not _have("EMNIST"), reason="EMNIST not in HW5_DATA")
def test_emnist_fingerprint_is_the_loaded_splits_without_loading_it():
    for split in ("train", "test"):
        assert td.emnist_fingerprint(split) == td.emnist(split).fingerprint
    assert td.emnist_fingerprint("train") != td.emnist_fingerprint("test")


def test_emnist_fingerprint_of_missing_files_is_a_data_error(data_dir):
    with pytest.raises(DataError, match="make data"):
        td.emnist_fingerprint("train")
    _touch(data_dir, "emnist", keep=lambda rel: "train" in rel)
    with pytest.raises(DataError, match="incomplete"):
        td.emnist_fingerprint("train")


@pytest.mark.skipif(not _have("MNIST"), reason="MNIST not in HW5_DATA")
def test_mnist_test_split():
    test = td.mnist("test")
    assert len(test) == 10000 and test.x.shape[1:] == (1, 28, 28)
    assert test.x.dtype == torch.float32 and 0 <= test.x.min() and test.x.max() <= 1
    assert set(test.y.tolist()) == set(range(10))


def test_split_off_and_subset_are_disjoint_and_seeded():
    x, y = torch.arange(100.0).view(100, 1), torch.arange(100) % 10
    s = td.TensorSplit(x, y, tuple("0123456789"), "toy", "train", "fp")
    tr, va = s.split_off(20)
    assert len(tr) == 80 and len(va) == 20
    assert not set(tr.x.view(-1).tolist()) & set(va.x.view(-1).tolist())
    assert torch.equal(s.split_off(20)[1].x, va.x) and tr.fingerprint != va.fingerprint != s.fingerprint
    sub = s.subset(10)
    assert len(sub) == 10 and sub.fingerprint != s.fingerprint and s.subset(None) is s


def test_nist36_rows_to_images_is_upright_and_inverted():
    img = np.ones((32, 32), np.float32)  # white paper
    img[2:30, 3:7] = 0.0  # dark vertical stroke on the left (upright)
    row = img.T.reshape(1, -1)  # column-major, as in the .mat files
    out = td.nist36_rows_to_images(row)[0, 0]
    assert out[2:30, 3:7].min() == 1.0 and out[:, 10:].max() == 0.0  # ink bright, on the left
    assert td.nist36_rows_to_images(row, size=28).shape == (1, 1, 28, 28)
    with pytest.raises(ValueError):
        td.nist36_rows_to_images(np.zeros((1, 784)))


@pytest.fixture
def fresh_loaders():
    td.mnist.cache_clear()
    td.emnist.cache_clear()
    yield
    td.mnist.cache_clear()
    td.emnist.cache_clear()


def _touch(root, kind, keep):
    from lib.data import layout

    for rel in layout.DATASETS[kind].files:
        if keep(rel):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(b"")


@pytest.mark.parametrize("kind", ["mnist", "emnist"])
def test_missing_files_are_a_data_error_and_nothing_is_downloaded(data_dir, monkeypatch, fresh_loaders, kind):
    import torchvision

    def no_download(*args, download=False, **kwargs):
        raise AssertionError("the loader must not call torchvision when files are missing")

    monkeypatch.setattr(torchvision.datasets, kind.upper(), no_download)
    with pytest.raises(DataError, match="make data") as err:
        getattr(td, kind)("test")
    assert "idx3-ubyte" in str(err.value)


@pytest.mark.parametrize("kind", ["mnist", "emnist"])
def test_a_partial_set_names_the_missing_files(data_dir, fresh_loaders, kind):
    _touch(data_dir, kind, keep=lambda rel: "train" in rel)  # the training split only
    with pytest.raises(DataError, match="incomplete") as err:
        getattr(td, kind)("train")
    message = str(err.value)
    assert "test" in message or "t10k" in message
    assert "remove the other" in message and "make data" in message


def test_damaged_files_are_a_data_error(data_dir, fresh_loaders):
    _touch(data_dir, "mnist", keep=lambda rel: True)  # every file there, all empty
    with pytest.raises(DataError, match="cannot read them"):
        td.mnist("test")
