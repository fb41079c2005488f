"""Flowers-17 for PyTorch: the ImageFolder-like dataset and the batch conversions."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from lib.data import flowers as fl
from lib.data import flowers_torch


def test_flowers_dataset_is_imagefolder_like(data_dir):
    folder = data_dir / "flowers17" / "jpg"
    folder.mkdir(parents=True)
    noise = np.random.default_rng(0).integers(0, 256, (8, 40, 48, 3), dtype=np.uint8)
    for i in range(1, fl.N_IMAGES + 1):
        Image.fromarray(noise[i % 8]).save(folder / f"image_{i:04d}.jpg")
    split = fl.flowers_split()
    ds = flowers_torch.FlowersDataset(split, "val", transform=flowers_torch.imagenet_eval(32, 36))
    assert len(ds) == 340 and ds.classes == list(fl.CLASSES) and ds.class_to_idx["pansy"] == 16
    assert ds.targets == split.labels("val").tolist()
    x, y = ds[0]
    assert x.shape == (3, 32, 32) and y == ds.targets[0]
    # the batch conversion used for feature extraction equals ToTensor + Normalize
    image = flowers_torch.load_pil(ds.samples[0][0])
    batch = flowers_torch.normalize_batch([flowers_torch.eval_views(32, 36)(image)])
    torch.testing.assert_close(batch[0], x, rtol=1e-5, atol=1e-5)
