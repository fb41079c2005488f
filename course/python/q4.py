"""The course's q4.py interface: ``findLetters(image) -> (bboxes, bw)`` (Q4.2).

A thin adapter over ``lib.ocr.find_letters`` (blur, paper estimate, hysteresis threshold,
connected components, piece merging; see lib/ocr/detect.py). Only numpy, scipy,
scikit-image and matplotlib are used underneath, as the homework asks for Q4.
"""

import numpy as np

from lib.ocr import find_letters


# Q4.2
def findLetters(image):
    """Boxes around the handwritten characters of ``image``, and its black-and-white version.

    ``image``: an RGB (or grey / RGBA) photo, uint8 or float in [0, 1].
    Returns ``bboxes``, an (N, 4) int array whose rows are ``[y1, x1, y2, x2]`` (top-left and
    bottom-right corners, lines top to bottom, left to right within a line), and ``bw``, a
    float (H, W) image in [0, 1] with the characters black (0) on a white (1) background.
    """
    bboxes, bw = find_letters(np.asarray(image))
    return bboxes, bw
