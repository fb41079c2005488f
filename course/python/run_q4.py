"""Q4.3-Q4.4: find the letters in each sample photo, draw the boxes, and read the text.

For each photo of ``../data/images`` (or ``../images``): ``findLetters`` (q4.py) boxes the
characters and the boxes are drawn over the photo into ``q4_3_<photo>.png`` (current folder);
then each box is cropped to a NIST36-like 32x32 image, classified by the network of Q3 and the
text is printed line by line (``lib.ocr.read``: lines, spaces and crops as in chapter 4).

The network: ``q3_weights.npz`` from run_q3.py if it is in the current folder (our .npz, no
pickle); otherwise chapter 3's network is trained here first, exactly as run_q3.py does
(cached; with ``QUARTO_PROFILE=quick`` a short run of a few seconds, so its text is rough).

``python run_q4.py`` reads all four photos; ``python run_q4.py 02_letters`` only the ones named.
"""

import os
import sys
from pathlib import Path

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt
import numpy as np
from q4 import findLetters

from lib import config
from lib.data import SAMPLE_IMAGES, load_image
from lib.nn import NetworkSpec, load_params, predict
from lib.ocr import read
from lib.ocr.figures import boxes_figure

WEIGHTS = "q3_weights.npz"


def load_network():
    """``(params, spec, description)`` of the Q3 network: from q3_weights.npz, else trained now."""
    if os.path.isfile(WEIGHTS):
        params = load_params(WEIGHTS)
        return params, NetworkSpec.classifier(hidden=params["W1"].shape[1]), f"loaded {WEIGHTS}"
    from lib.mlp_search import best_config, best_mlp

    print(f"no {WEIGHTS} here: training chapter 3's network first ({config.profile()} profile)")
    params, spec = best_mlp()
    cfg = best_config()
    label = f"trained now: lr {cfg.lr:g}, {cfg.epochs} epochs, {cfg.n_train or 'all'} training images"
    if config.is_quick():
        label += " (QUICK PROFILE: a short run, expect rough text)"
    return params, spec, label


def photo_paths(names):
    unknown = sorted(set(names) - set(SAMPLE_IMAGES))
    if unknown:
        sys.exit(f"unknown photo(s) {unknown}; choose from {', '.join(SAMPLE_IMAGES)}")
    for folder in (config.data_dir() / "images", Path("..", "images")):
        paths = [folder / f"{name}.jpg" for name in names]
        if all(p.is_file() for p in paths):
            return paths
    sys.exit(f"sample photos not found in {config.data_dir() / 'images'} or ../images "
             f"(expected {', '.join(n + '.jpg' for n in names)})")


names = [Path(a).stem for a in sys.argv[1:]] or list(SAMPLE_IMAGES)
paths = photo_paths(names)
params, spec, description = load_network()
print(f"classifier: 1024-{params['W1'].shape[1]}-36 network, {description}")


def score(rows):
    return predict(params, spec, np.asarray(rows, np.float32))


for path in paths:
    image = load_image(path)  # float RGB in [0, 1]
    # Q4.3: the boxes findLetters places, over the photo
    bboxes, bw = findLetters(image)
    fig = boxes_figure(image, bboxes, title=f"{path.name}: {len(bboxes)} boxes")
    out = f"q4_3_{path.stem}.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    # Q4.4: classify each box with the Q3 network, lines and spaces from the layout
    reading = read(image, score)
    print(f"\n{path.name}: {len(bboxes)} characters found, boxes in {out}")
    print(reading.text)
