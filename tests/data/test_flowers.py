"""Flowers-17: class of each image, a deterministic disjoint 40/20/20 split, the official split file."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io

from lib.data import DataError
from lib.data import flowers as fl


@pytest.fixture
def fake_flowers(data_dir):
    """1360 tiny stand-in JPEG files named like Flowers-17's (contents are not decoded here)."""
    folder = data_dir / "flowers17" / "jpg"
    folder.mkdir(parents=True)
    for i in range(1, fl.N_IMAGES + 1):
        (folder / f"image_{i:04d}.jpg").write_bytes(b"fake jpeg %d" % i)
    return data_dir


def test_labels_follow_the_image_numbers():
    assert [fl.label_of(i) for i in (1, 80, 81, 160, 1281, 1360)] == [0, 0, 1, 1, 16, 16]
    assert fl.label_of(np.array([1, 81, 1360])).tolist() == [0, 1, 16]
    assert len(fl.CLASSES) == 17 and fl.CLASSES[0] == "daffodil" and fl.CLASSES[-1] == "pansy"


def test_drawn_split_is_deterministic():
    a, b = fl.draw_split(0), fl.draw_split(0)
    for s in fl.SPLITS:
        assert np.array_equal(a[s], b[s])
    c = fl.draw_split(1)
    assert not np.array_equal(a["train"], c["train"])


def test_drawn_split_is_disjoint_and_balanced():
    parts = fl.draw_split(0)
    union = np.concatenate([parts[s] for s in fl.SPLITS])
    assert len(union) == len(set(union.tolist())) == fl.N_IMAGES  # disjoint, covers all 1360
    for s, per_class in fl.SPLIT_SIZES.items():
        counts = np.bincount(fl.label_of(parts[s]), minlength=17)
        assert counts.tolist() == [per_class] * 17, s


def test_split_sizes_are_checked():
    with pytest.raises(ValueError, match="add up"):
        fl.draw_split(0, {"train": 60, "val": 20, "test": 20})


def test_flowers_split_on_files(fake_flowers):
    split = fl.flowers_split()
    assert split.sizes() == {"train": 680, "val": 340, "test": 340}
    assert "seed 0" in split.origin
    assert split.paths("train")[0].name == f"image_{split.train[0]:04d}.jpg"
    assert np.array_equal(split.labels("test"), (split.test - 1) // 80)
    again = fl.flowers_split()
    assert again.fingerprint == split.fingerprint and np.array_equal(again.val, split.val)


def test_fingerprint_follows_file_contents(fake_flowers):
    before = fl.flowers_split().fingerprint
    (fake_flowers / "flowers17" / "jpg" / "image_0007.jpg").write_bytes(b"another image")
    assert fl.flowers_split().fingerprint != before


def test_subset_takes_the_first_images_of_each_class(fake_flowers):
    split = fl.flowers_split()
    small = split.subset({"train": 3, "val": 2, "test": 1})
    assert small.sizes() == {"train": 51, "val": 34, "test": 17}
    assert set(small.train.tolist()) <= set(split.train.tolist())
    assert small.fingerprint != split.fingerprint


def test_official_split_file_is_used(fake_flowers):
    numbers = np.arange(1, fl.N_IMAGES + 1)
    mat = {"trn1": numbers[0::4], "val1": numbers[1::4], "tst1": numbers[2::4]}
    scipy.io.savemat(fake_flowers / "flowers17" / "datasplits.mat", mat)
    split = fl.flowers_split()
    assert split.origin.startswith("datasplits.mat")
    assert np.array_equal(split.train, numbers[0::4]) and np.array_equal(split.test, numbers[2::4])


def test_overlapping_official_split_is_an_error(fake_flowers):
    numbers = np.arange(1, 100)
    scipy.io.savemat(fake_flowers / "flowers17" / "datasplits.mat", {"trn1": numbers, "val1": numbers, "tst1": numbers})
    with pytest.raises(DataError, match="overlaps"):
        fl.flowers_split()


def test_missing_images_name_the_folder(data_dir):
    with pytest.raises(DataError, match="flowers17"):
        fl.flowers_split()
    folder = data_dir / "flowers17" / "jpg"
    folder.mkdir(parents=True)
    (folder / "image_0001.jpg").write_bytes(b"x")
    with pytest.raises(DataError, match=r"1359 of its 1360 files are missing \(flowers17/jpg/image_0002.jpg, .* "
                                         r"and 1355 more\).*make data.*remove the other"):
        fl.flowers_split()
