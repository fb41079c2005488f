"""Generated test pages: simple letter-like shapes drawn at known places (exact boxes).

Two shapes stand in for characters: ``O`` a ring and ``I`` a vertical bar with serifs. Each
box is the exact bounding box of the shape's pixels, [y1, x1, y2, x2] with the bottom-right
exclusive, as ``find_letters`` returns them.
"""

from __future__ import annotations

import numpy as np
import skimage.draw
import skimage.transform


def glyph(char: str, h: int, pen: int) -> np.ndarray:
    """A boolean glyph of height ``h``: ``O`` a ring, ``I`` a serifed bar, ``L`` an L."""
    if char == "O":
        w = int(0.7 * h)
        m = np.zeros((h, w), bool)
        rr, cc = skimage.draw.ellipse(h / 2 - 0.5, w / 2 - 0.5, h / 2, w / 2, shape=m.shape)
        m[rr, cc] = True
        rr, cc = skimage.draw.ellipse(h / 2 - 0.5, w / 2 - 0.5, h / 2 - pen, w / 2 - pen, shape=m.shape)
        m[rr, cc] = False
        return m
    if char == "I":
        w = int(0.4 * h)
        m = np.zeros((h, w), bool)
        c = w // 2
        m[:, c - pen // 2: c - pen // 2 + pen] = True
        m[:pen, :] = True
        m[-pen:, :] = True
        return m
    if char == "L":
        w = int(0.6 * h)
        m = np.zeros((h, w), bool)
        m[:, :pen] = True
        m[-pen:, :] = True
        return m
    raise ValueError(char)


def draw_page(text: str, h: int = 40, pen: int | None = None, ink: float = 0.1, paper: float = 0.9,
              letter_gap: float = 0.4, word_gap: float = 1.5, line_gap: float = 2.0,
              margin: float = 2.0, shading: float = 0.0):
    """A grey page with ``text`` (O, I, L, spaces, newlines) drawn at known places.

    Returns (image float32 (H, W) in [0, 1], boxes (N, 4) in reading order).
    """
    pen = pen or max(2, h // 10)
    lines = text.split("\n")
    placed, x_max = [], 0
    for li, line in enumerate(lines):
        x = margin * h
        y = margin * h + li * line_gap * h
        for ch in line:
            if ch == " ":
                x += word_gap * h
                continue
            g = glyph(ch, h, pen)
            placed.append((g, int(y), int(x)))
            x += g.shape[1] + letter_gap * h
        x_max = max(x_max, x)
    H = int(margin * h * 2 + (len(lines) - 1) * line_gap * h + h)
    W = int(x_max + margin * h)
    ink_mask = np.zeros((H, W), bool)
    boxes = []
    for g, y, x in placed:
        ink_mask[y: y + g.shape[0], x: x + g.shape[1]] |= g
        boxes.append([y, x, y + g.shape[0], x + g.shape[1]])
    yy, xx = np.mgrid[0:H, 0:W]
    light = paper * (1 - shading * (xx / W) * (yy / H))  # uneven illumination
    image = np.where(ink_mask, ink, light).astype(np.float32)
    return image, np.array(boxes, int).reshape(-1, 4)


def rotate_page(text: str, angle: float, h: int = 40):
    """``draw_page`` rotated by ``angle`` degrees (paper fill), with each glyph's new box."""
    image, boxes = draw_page(text, h)
    H, W = image.shape
    rotated = skimage.transform.rotate(image, angle, resize=True, cval=0.9, order=1)
    new_boxes = []
    for y1, x1, y2, x2 in boxes:
        one = np.zeros((H, W), np.float32)
        one[y1:y2, x1:x2] = image[y1:y2, x1:x2] < 0.5
        r = skimage.transform.rotate(one, angle, resize=True, cval=0, order=1) > 0.5
        rows, cols = np.flatnonzero(r.any(1)), np.flatnonzero(r.any(0))
        new_boxes.append([rows[0], cols[0], rows[-1] + 1, cols[-1] + 1])
    return rotated.astype(np.float32), np.array(new_boxes, int)

