"""lib.data.load_nist36: the homework's format, and a clear error for every bad file."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io

import lib.data
from lib.data import CLASSES, DataError, load_nist36, nist36_fingerprint, nist36_source, to_image, to_row
from lib.data.nist36 import SPLITS
from tests.conftest import requires_data


def write_mat(folder, split, n=8, data=None, labels=None, **extra):
    rng = np.random.default_rng(0)
    if data is None:
        data = rng.random((n, 1024)).astype(np.float32)
    if labels is None:
        labels = np.eye(36, dtype=np.uint8)[rng.integers(0, 36, n)]
    content = {f"{split}_data": data, f"{split}_labels": labels, **extra}
    scipy.io.savemat(folder / f"nist36_{split}.mat", content)
    for other in SPLITS:  # the three files are used together or not at all
        if not (folder / f"nist36_{other}.mat").exists():
            write_mat(folder, other, n=4)


def test_loads_the_homework_format(data_dir):
    write_mat(data_dir, "valid", n=10)
    X, y, classes = load_nist36("valid")
    assert X.shape == (10, 1024) and X.dtype == np.float32
    assert y.shape == (10,) and y.dtype == np.int64 and y.max() < 36
    assert classes == list(CLASSES) and classes[:3] == ["A", "B", "C"] and classes[-1] == "9"


def test_missing_file_names_the_path_and_how_to_get_it(data_dir, monkeypatch):
    monkeypatch.setattr("lib.data.synthetic_fallback", lambda: None)
    with pytest.raises(DataError, match=r"nist36_train\.mat.*make data"):
        load_nist36("train")


def test_corrupt_file(data_dir):
    write_mat(data_dir, "train")
    (data_dir / "nist36_test.mat").write_bytes(b"this is not a mat file at all" * 10)
    with pytest.raises(DataError, match=r"nist36_test\.mat is not a readable MATLAB"):
        load_nist36("test")


def test_wrong_keys(data_dir):
    write_mat(data_dir, "valid")
    scipy.io.savemat(data_dir / "nist36_train.mat", {"images": np.zeros((2, 1024))})
    with pytest.raises(DataError, match=r"no key 'train_data' \(found: \['images'\]\)"):
        load_nist36("train")


def test_wrong_image_shape(data_dir):
    write_mat(data_dir, "train", data=np.zeros((8, 784), np.float32))
    with pytest.raises(DataError, match=r"shape \(8, 784\); expected \(N, 1024\)"):
        load_nist36("train")


def test_wrong_number_of_classes(data_dir):
    write_mat(data_dir, "train", labels=np.eye(47, dtype=np.uint8)[np.arange(8)])
    with pytest.raises(DataError, match=r"expected \(N, 36\)"):
        load_nist36("train")


def test_labels_not_one_hot(data_dir):
    labels = np.zeros((8, 36), np.uint8)
    labels[:, 0] = 1
    labels[3, 5] = 1
    write_mat(data_dir, "train", labels=labels)
    with pytest.raises(DataError, match="one-hot"):
        load_nist36("train")


def test_count_mismatch(data_dir):
    write_mat(data_dir, "train", labels=np.eye(36, dtype=np.uint8)[:5])
    with pytest.raises(DataError, match="8 images but 5 labels"):
        load_nist36("train")


@pytest.mark.parametrize("present", [("train", "test"), ("valid",), ("train", "valid")])
def test_a_partial_set_is_an_error_naming_the_missing_files_and_both_ways_out(data_dir, present):
    for split in present:
        scipy.io.savemat(data_dir / f"nist36_{split}.mat",
                         {f"{split}_data": np.zeros((2, 1024)), f"{split}_labels": np.eye(36)[:2]})
    missing = [f"nist36_{s}.mat" for s in SPLITS if s not in present]
    for call in (lambda: load_nist36("train"), lambda: load_nist36("valid"), nist36_fingerprint):
        with pytest.raises(DataError) as err:
            call()
        message = str(err.value)
        assert all(name in message for name in missing), message
        assert str(data_dir) in message and "make data" in message and "remove the other" in message
        assert "synthetic" in message.lower()
    assert "INCOMPLETE" in nist36_source()  # the label never claims data that is not loaded


def test_no_files_means_all_three_splits_synthetic_and_labelled_so(data_dir, monkeypatch):
    calls = []

    class Fake:
        fingerprint, description = "fake", "made up for the test"

        def __call__(self, split):
            calls.append(split)
            return np.zeros((1, 1024), np.float32), np.zeros(1, np.int64), list(CLASSES)

    monkeypatch.setattr(lib.data, "synthetic_fallback", lambda: Fake())
    for split in SPLITS:
        load_nist36(split)
    assert calls == list(SPLITS)
    assert nist36_fingerprint() == "synthetic:fake"


def test_unknown_split_is_a_value_error(data_dir):
    with pytest.raises(ValueError, match="split must be one of"):
        load_nist36("training")


def test_loaded_arrays_are_read_only(data_dir):
    write_mat(data_dir, "train")
    X, _, _ = load_nist36("train")
    with pytest.raises(ValueError):
        X[0, 0] = 5


def test_column_major_convention_round_trips():
    image = np.arange(1024).reshape(32, 32)
    assert np.array_equal(to_image(to_row(image)), image)
    # column-major: the second stored value is the pixel below the first
    assert to_row(image)[1] == image[1, 0]


@requires_data
def test_provided_data_has_the_documented_shape():
    X, y, classes = load_nist36("train")
    assert X.shape == (10800, 1024) and X.dtype == np.float32 and len(classes) == 36
    assert np.bincount(y, minlength=36).tolist() == [300] * 36
    # dark ink on a white background: most pixels are near 1
    assert np.median(X) > 0.9
