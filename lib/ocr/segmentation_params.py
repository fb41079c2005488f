"""The parameters of chapter 4's segmentation (:mod:`lib.ocr.segment` proposes the candidate
characters, :mod:`lib.ocr.choose` chooses among them), apart from the code that reads them.

They live apart because the reader (:mod:`lib.deep.reader`) learns what the segmentation cuts
out of pages: ``lib.ocr.segment``'s source is part of its cache key, this module's is not. Only
the values that decide the candidates (:data:`PROPOSAL_FIELDS`, :func:`proposal_of`) enter the
reader's data fingerprint, so a parameter that only chooses can be added or changed without
training the reader again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.ocr.crops import EXTENT
from lib.ocr.layout import SPACE_RATIO


@dataclass(frozen=True)
class SegmentParams:
    """Every tunable of the segmentation; lengths in line heights (see the module doc)."""

    settle_p: float = 0.8       # a mark read whole at least this probably ...
    settle_width: float = 0.3   # ... and this close to its class's width (log ratio) gets no cuts
    split_from: float = 0.55    # marks at least this wide get cut candidates
    min_atom: float = 0.12      # cuts at least this far from a mark's edges and each other
    cut_ink: float = 6.0        # a cut crosses at most this many stroke widths of ink
    cut_drift: float = 0.5      # cost of a cut path's sideways step, in pixels of ink crossed
    cut_thick: float = 0.1      # cost per pixel of a cut along the middle of a double-width stroke
                                # (with cut_ink 6, against 4 and 0.25: the reader's touching
                                # validation pages, 60, 7.60% -> 7.19%, the other sources alike)
    cut_rows: int = 40          # cut paths are searched on the mark shrunk to at most this height
    max_atoms: int = 4          # a candidate joins at most this many atoms
    max_width: float = 1.9      # ... and is at most this wide
    merge_gap: float = 0.12     # separate marks closer than this may be one character
    width_sigma: float = 0.5    # spread of the width prior (log of the width ratio)
    width_weight: float = 1.0   # weight of the width prior's log-density
    char_bonus: float = 0.5     # added per character of a path (a classifier with a "not a
                                # character" output takes more: lib.ocr.MODEL_PARAMS)
    cut_cost: float = 2.0       # subtracted per cut through a mark (touching letters are rarer
                                # than letters apart)
    join_cost: float = 0.5      # subtracted per pair of separate marks read as one character
    condense_from_chosen: bool = True  # measure the condensation again on the characters the
                                       # first best paths chose (step 6 of the module doc)
    touching_share: float = 0.05  # a page whose first best paths cut through a mark at this share
                                  # of the boundaries between characters or more is written with
                                  # touching letters ...
    touching_cut_cost: float = 0.5  # ... and pays this per cut instead of cut_cost. With the
                                    # condensation measured again, against neither: the reader's
                                    # validation pages, 60 per source, touching 5.68% -> 5.05%,
                                    # scanned handwriting 9.65% -> 9.42%, the other sources alike;
                                    # share 0.03: 4.98% / 9.44%; 0.1: 5.23% / 9.33%; cost 0: 5.12%
                                    # / 9.60%; cost 1 without measuring again: 5.18% / 9.53%
    condense_range: tuple[float, float] = (0.3, 1.6)  # the condensation factor is clipped here
    gaps_in_widths: bool = True   # measure word gaps in character widths (else line heights)
    touch_gap: float = 0.05       # neighbours closer than this (character widths) touch: no space
    space_gap: float = 0.3        # a page's word gaps exceed its letter gaps by at least this on
                                  # average (character widths), else its gaps are not split
                                  # (0.5 lost every space of tightly spaced writers: validation
                                  # pages of scanned handwriting 14.5% -> 11.2%, of fonts 6.0% -> 5.2%)
    space_ratio: float = SPACE_RATIO  # ... and average at least this many times the letter gaps
    max_side: int = 64            # masks are shrunk to this size before normalisation
    final_variants: tuple = ((EXTENT, 0, 0), (EXTENT, 1, 0), (EXTENT, -1, 0), (EXTENT, 0, 1), (EXTENT, 0, -1))
                                  # the chosen characters' averaging: shifts of one normalised
                                  # crop (as good as all of VARIANTS on validation pages, a
                                  # third of the work)
    final_p: float = 0.9          # chosen characters read at least this probably keep the plain
                                  # crop's reading (1: every character is averaged)
    max_stretch: float = 2.5      # condensed writing is widened up to this factor (0: never)


DEFAULT = SegmentParams()
#: The segmentation as first built (chapter 4 compares it with the one above): straight cuts
#: at the minima of every wide mark's ink profile, every mark cut, the best class's
#: probability as a candidate's evidence, every chosen character averaged, touching
#: neighbours' gaps counted among the word gaps, word gaps at least twice the letter gaps, one
#: reading of each page.
FIRST_VERSION = SegmentParams(
    settle_p=2.0, split_from=0.55, min_atom=0.12, cut_ink=4.0, cut_drift=np.inf, cut_thick=1.0, cut_rows=1 << 20,
    max_atoms=4, max_width=1.9, merge_gap=0.12, width_sigma=0.5, width_weight=1.0, char_bonus=0.5,
    cut_cost=2.0, join_cost=0.5, condense_from_chosen=False, touching_share=np.inf, touching_cut_cost=2.0,
    condense_range=(0.3, 1.6), gaps_in_widths=True,
    touch_gap=-np.inf, space_gap=0.5, space_ratio=2.0, max_side=64, final_p=2.0, max_stretch=2.5,
    final_variants=((EXTENT, 0, 0), (EXTENT, 1, 0), (EXTENT, -1, 0), (EXTENT, 0, 1), (EXTENT, 0, -1)))


#: The fields of :class:`SegmentParams` that steps 1-3 read (:func:`propose`); the others only
#: choose among the candidates (:mod:`lib.ocr.choose`).
PROPOSAL_FIELDS = ("settle_p", "settle_width", "condense_range", "split_from", "min_atom", "cut_ink", "cut_drift",
                   "cut_thick", "cut_rows", "max_atoms", "max_width", "merge_gap", "max_side", "max_stretch")


def proposal_of(p: SegmentParams) -> dict:
    """The values of ``p`` that decide :func:`propose`'s candidates and crops."""
    return {name: getattr(p, name) for name in PROPOSAL_FIELDS}


__all__ = ["DEFAULT", "FIRST_VERSION", "PROPOSAL_FIELDS", "SegmentParams", "proposal_of"]
