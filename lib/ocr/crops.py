"""Turn each detected character into a 32x32 row that looks like a NIST36 training sample.

The training images (the handout's ``.mat`` files) are tight crops: the character's longer
side spans about 26 of the 32 pixels, centred by its bounding box, strokes about 4 pixels
wide, dark ink (about 0) on a white (about 1) background, slightly soft edges, stored
column-major. A photo's character is brought to the same look:

1. its own pixels only (the component's mask, so a neighbour's stroke in the box is ignored);
2. strokes thickened (or left as they are) so that after scaling they are ``STROKE`` pixels
   wide: the stroke width is measured as twice the median distance-to-background on the
   skeleton;
3. padded to a square around the bounding-box centre with the training margin, then
   resized with anti-aliasing to 32x32, and slightly blurred like the training scans;
4. for classification, also under a few small scale and shift variants (``VARIANTS``),
   whose scores are averaged (test-time augmentation).

The constants were measured on the training data (``training_look``), not on the photos.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import skimage.morphology
import skimage.transform

from lib.data.nist36 import to_row

SIDE = 32
#: The longer side of a training character, in pixels of the 32x32 image (median, measured).
EXTENT = 26
#: Stroke width of a training character, in pixels of the 32x32 image (median, measured).
STROKE = 4.0
#: Edge softness (Gaussian sigma, pixels of the 32x32 image); chosen on generated pages.
SOFTNESS = 1.0
#: Test-time variants (longer side, shift dy, shift dx): the classifier's scores are
#: averaged over these small changes of scale and position, which makes a reading less
#: dependent on exactly where the crop's edges fell. Chosen on generated pages
#: (lib.data.synthetic), where it lowers the CER of the MLP by about a fifth.
#: Strokes more than this many times the training stroke are redrawn at it (see normalize_char).
THIN: float | None = None
VARIANTS = tuple((e, dy, dx) for e in (24, 26, 28) for dy, dx in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)))


def _skeleton_width(mask: np.ndarray) -> tuple[np.ndarray, float]:
    skel = skimage.morphology.skeletonize(mask)
    dist = ndi.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    values = dist[skel] if skel.any() else dist[mask]
    return skel, float(2.0 * np.median(values))


def stroke_width(mask: np.ndarray) -> float:
    """Median stroke width of a binary character: 2 x distance-to-background on its skeleton."""
    if not mask.any():
        return 0.0
    return _skeleton_width(mask)[1]


def normalize_char(mask: np.ndarray, extent: int = EXTENT, stroke: float = STROKE,
                   softness: float = SOFTNESS, thin: float | None = THIN) -> np.ndarray:
    """A binary character mask (any size) -> an upright 32x32 float image, ink 0 on 1.

    Strokes thinner than ``stroke`` (after scaling) are thickened to it; strokes more than
    ``thin`` times thicker are redrawn along the skeleton at ``stroke`` (``None``: left as
    they are).
    """
    return _normalized(mask, extent, stroke, softness, thin)[0]


def normalize_pair(mask: np.ndarray, context: np.ndarray, extent: int = EXTENT, stroke: float = STROKE,
                   softness: float = SOFTNESS) -> np.ndarray:
    """A character and the ink around it -> (2, 32, 32): the character as :func:`normalize_char`
    makes it, and ``context`` (a mask of the same shape: the neighbours' ink, say) in the very
    square the character was mapped from, with the same stroke growth and softness.

    The neighbours tell apart what a crop alone cannot: a lone stroke is an I, or a stem cut
    off an N, by what stands beside it.
    """
    image, (top, left, side, grow) = _normalized(mask, extent, stroke, softness, THIN)
    context = np.asarray(context, bool)
    if context.shape != np.shape(mask):
        raise ValueError(f"context of shape {context.shape} does not match the mask's {np.shape(mask)}")
    window = np.zeros((side, side), bool)
    ys, xs = slice(max(top, 0), min(top + side, context.shape[0])), slice(max(left, 0), min(left + side, context.shape[1]))
    if ys.start < ys.stop and xs.start < xs.stop:
        window[ys.start - top: ys.stop - top, xs.start - left: xs.stop - left] = context[ys, xs]
    return np.stack([image, _to_image(window, grow, softness) if window.any() else np.ones_like(image)])


def _normalized(mask: np.ndarray, extent: int, stroke: float, softness: float, thin: float | None
                ) -> tuple[np.ndarray, tuple[int, int, int, float]]:
    """:func:`normalize_char`'s image, and the square it maps to 32x32 in the mask's own pixels
    (top, left, side) with the stroke growth applied (pixels; 0 where none)."""
    mask = np.asarray(mask, bool)
    out = np.ones((SIDE, SIDE), np.float32)
    if not mask.any():
        return out, (0, 0, max(mask.shape + (1,)), 0.0)
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    top, left = int(rows[0]), int(cols[0])
    mask = mask[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    scale = extent / max(mask.shape)  # 32x32 pixels per source pixel
    # thicken thin strokes so they come out ``stroke`` pixels wide after scaling
    target = stroke / scale
    skel, width = _skeleton_width(mask)
    grow = (target - width) / 2.0
    if thin is not None and width > thin * target and skel.any():
        # a marker's heavy strokes, redrawn with the training pen along their skeleton
        mask = ndi.distance_transform_edt(~skel) <= target / 2.0
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        top, left = top + int(rows[0]), left + int(cols[0])
        mask = mask[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
        scale = extent / max(mask.shape)
        grow = 0.0
    elif grow > 0.5:
        pad = int(np.ceil(grow)) + 1
        padded = np.pad(mask, pad)
        mask = ndi.distance_transform_edt(~padded) <= grow
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        top, left = top - pad + int(rows[0]), left - pad + int(cols[0])
        mask = mask[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
        scale = extent / max(mask.shape)
    else:
        grow = 0.0
    # square canvas around the bounding-box centre, with the training margin
    side = int(round(SIDE / scale))
    canvas = np.zeros((side, side), bool)
    h, w = mask.shape
    y0, x0 = (side - h) // 2, (side - w) // 2
    canvas[max(y0, 0): max(y0, 0) + min(h, side), max(x0, 0): max(x0, 0) + min(w, side)] = \
        mask[max(-y0, 0): max(-y0, 0) + min(h, side), max(-x0, 0): max(-x0, 0) + min(w, side)]
    return _to_image(canvas, 0.0, softness), (top - y0, left - x0, side, grow)


def _to_image(canvas: np.ndarray, grow: float, softness: float) -> np.ndarray:
    """A square binary canvas -> 32x32, ink 0 on 1: strokes grown by ``grow`` pixels, resized
    with anti-aliasing, softened like the training scans."""
    if grow > 0.5:
        canvas = ndi.distance_transform_edt(~canvas) <= grow
    side = canvas.shape[0]
    ink = skimage.transform.resize(canvas.astype(np.float32), (SIDE, SIDE), order=1, anti_aliasing=side > SIDE,
                                   preserve_range=True)
    if softness > 0:
        ink = ndi.gaussian_filter(ink, softness)
    ink = np.clip(ink * 1.15, 0.0, 1.0)  # stroke cores fully dark, as in the scans
    return (1.0 - ink).astype(np.float32)


def char_masks(det, loose: bool = True) -> list[np.ndarray]:
    """Each detected character's own pixels at work scale, cropped to their extent.

    ``loose`` takes the whole stroke as thresholded (``det.crop_labels``), else only the
    pixels within the half-maximum edge (``det.labels``, what ``bw`` shows).
    """
    labels = det.crop_labels if loose else det.labels
    slices = ndi.find_objects(labels, max_label=len(det.boxes))
    masks = []
    for i, sl in enumerate(slices):
        masks.append(np.zeros((1, 1), bool) if sl is None else labels[sl] == i + 1)
    return masks


def crop_rows(det) -> np.ndarray:
    """(N, 1024) float32 rows in the homework convention, one per box of a detection."""
    rows = [to_row(normalize_char(m)) for m in char_masks(det)]
    return np.array(rows, np.float32).reshape(-1, SIDE * SIDE)


def variant_rows(det, variants=VARIANTS) -> np.ndarray:
    """(V, N, 1024) rows: every character under each test-time variant (scale, shift)."""
    masks = char_masks(det)
    out = np.ones((len(variants), len(masks), SIDE * SIDE), np.float32)
    by_extent: dict[int, list[np.ndarray]] = {}
    for v, (extent, dy, dx) in enumerate(variants):
        if extent not in by_extent:
            by_extent[extent] = [normalize_char(m, extent=extent) for m in masks]
        for i, image in enumerate(by_extent[extent]):
            out[v, i] = to_row(np.roll(image, (dy, dx), axis=(0, 1)))
    return out


def training_look(X: np.ndarray) -> dict[str, float]:
    """Measure the training images: longer side of the ink, stroke width, ink fraction."""
    from lib.data.nist36 import to_image

    ext, sw = [], []
    for row in X:
        ink = to_image(row) < 0.5
        if not ink.any():
            continue
        r, c = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        ext.append(max(r[-1] - r[0] + 1, c[-1] - c[0] + 1))
        sw.append(stroke_width(ink))
    return {"extent": float(np.median(ext)), "stroke": float(np.median(sw)),
            "ink_fraction": float((X < 0.5).mean())}
