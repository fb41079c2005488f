"""Q7.1.4: a convolutional network on EMNIST Balanced, then reading the sample photos with it.

Writes ``q7_1_4_accuracy.png`` and ``q7_1_4_loss.png``, then reads each photo as run_q4.py
does (``findLetters`` boxes, lines and spaces), classifying the crops with the EMNIST CNN
restricted to the 36 classes A..Z, 0..9, and prints the text.
"""

from pathlib import Path

import _setup  # noqa: F401  (relative data path, cache in this folder)
from q7_util import train_and_report

from lib import config
from lib.data import SAMPLE_IMAGES, load_image
from lib.deep.ocr import RULE, classifier_from
from lib.ocr import read

_, trained, _ = train_and_report("emnist-cnn", "Q7.1.4", "CNN, EMNIST Balanced")
score = classifier_from(trained.model)
print(f"classes: {RULE}")
for folder in (config.data_dir() / "images", Path("..", "images")):
    if all((folder / f"{n}.jpg").is_file() for n in SAMPLE_IMAGES):
        break
for name in SAMPLE_IMAGES:
    path = folder / f"{name}.jpg"
    reading = read(load_image(path), score)
    print(f"\n{path.name}: {len(reading.detection.boxes)} characters")
    print(reading.text)
