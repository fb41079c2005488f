"""Lettering held out of every training and tuning step: the unseen-style benchmark's fonts.

These faces exist so that the benchmark of ``lib.data.synthetic.unseen`` (and
``bench/ocr_unseen.py``) measures a reader on handwriting no model, hyper-parameter or rule
was chosen on. They are deliberately **not** in ``lib.data.synthetic.fonts.FONTS``: the
character generator, the NIST36 stand-in, ``make_page`` and every split refuse them
(``fonts.resolve`` raises :class:`HeldOutFontError`), and a test checks that only the
benchmark's own modules import this file. Licences and package checks: README.md, "Fonts".

Chosen for what real block capitals do that the training fonts rarely do: condensed and
narrow letters (a width a third of the height), heavy marker-like strokes, and round
monoline shapes that, re-drawn from their skeleton with a random pen
(``lib.data.synthetic.strokes``), give new letter shapes.
"""

from __future__ import annotations

from lib.data.synthetic.fonts import Font

#: The split name of the benchmark's lettering; training code that asks for it is refused.
SPLIT = "unseen"

#: Faces of the held-out families. ``axes`` follow each variable font's own axis order.
HELDOUT_FONTS: tuple[Font, ...] = (
    # condensed / narrow capitals
    Font("Bebas Neue", "Bebas Neue", "fontpkg_bebas_neue", "files/BebasNeue-Regular.ttf",
         "fontpkg-bebas-neue", "OFL-1.1"),
    Font("Yanone Kaffeesatz", "Yanone Kaffeesatz", "fontpkg_yanone_kaffeesatz",
         "files/YanoneKaffeesatz[wght].ttf", "fontpkg-yanone-kaffeesatz", "OFL-1.1", (400,)),
    Font("Yanone Kaffeesatz Bold", "Yanone Kaffeesatz", "fontpkg_yanone_kaffeesatz",
         "files/YanoneKaffeesatz[wght].ttf", "fontpkg-yanone-kaffeesatz", "OFL-1.1", (700,)),
    Font("Smooch Sans", "Smooch Sans", "fontpkg_smooch_sans", "files/SmoochSans[wght].ttf",
         "fontpkg-smooch-sans", "OFL-1.1", (500,)),
    Font("Smooch Sans Black", "Smooch Sans", "fontpkg_smooch_sans", "files/SmoochSans[wght].ttf",
         "fontpkg-smooch-sans", "OFL-1.1", (850,)),
    Font("PT Sans Narrow", "PT Sans Narrow", "fontpkg_pt_sans_narrow", "files/PT_Sans-Narrow-Web-Regular.ttf",
         "fontpkg-pt-sans-narrow", "OFL-1.1"),
    Font("PT Sans Narrow Bold", "PT Sans Narrow", "fontpkg_pt_sans_narrow", "files/PT_Sans-Narrow-Web-Bold.ttf",
         "fontpkg-pt-sans-narrow", "OFL-1.1"),
    Font("Teko", "Teko", "fontpkg_teko", "files/Teko[wght].ttf", "fontpkg-teko", "OFL-1.1", (450,)),
    # heavy, marker-like
    Font("Luckiest Guy", "Luckiest Guy", "fontpkg_luckiest_guy", "files/LuckiestGuy-Regular.ttf",
         "fontpkg-luckiest-guy", "Apache-2.0"),
    Font("Fredoka Bold", "Fredoka", "fontpkg_fredoka", "files/Fredoka[wdth,wght].ttf", "fontpkg-fredoka",
         "OFL-1.1", (700, 100)),
    Font("Fredoka Condensed", "Fredoka", "fontpkg_fredoka", "files/Fredoka[wdth,wght].ttf", "fontpkg-fredoka",
         "OFL-1.1", (550, 75)),
    Font("Rowdies", "Rowdies", "fontpkg_rowdies", "files/Rowdies-Regular.ttf", "fontpkg-rowdies", "OFL-1.1"),
    Font("Rowdies Light", "Rowdies", "fontpkg_rowdies", "files/Rowdies-Light.ttf", "fontpkg-rowdies", "OFL-1.1"),
    # round monoline (re-drawn from its skeleton it becomes a pen's or a marker's letters)
    Font("Varela Round", "Varela Round", "fontpkg_varela_round", "files/VarelaRound-Regular.ttf",
         "fontpkg-varela-round", "OFL-1.1"),
)

HELDOUT_FAMILIES: frozenset[str] = frozenset(f.family for f in HELDOUT_FONTS)
HELDOUT_NAMES: frozenset[str] = frozenset(f.name for f in HELDOUT_FONTS)
BY_NAME: dict[str, Font] = {f.name: f for f in HELDOUT_FONTS}


class HeldOutFontError(ValueError):
    """A training or tuning path asked for lettering that only the benchmark may render."""


def refuse(what: str) -> HeldOutFontError:
    """The error every training path raises for held-out lettering (``what`` names it)."""
    return HeldOutFontError(
        f"{what} is held out for the unseen-style benchmark (lib.data.synthetic.heldout): no training, "
        "validation or tuning step may render it. Use the train/valid fonts (lib.data.synthetic.split_fonts) "
        "or the validation pages (lib.data.synthetic.unseen.validation_pages)."
    )


def is_heldout(font: Font | str) -> bool:
    """Whether a font (object or name) belongs to a held-out family."""
    if isinstance(font, Font):
        return font.family in HELDOUT_FAMILIES or font.name in HELDOUT_NAMES
    return font in HELDOUT_NAMES or font in HELDOUT_FAMILIES


def missing() -> list[str]:
    """PyPI names of held-out font packages that are not installed."""
    import importlib.util

    return sorted({f.pip for f in HELDOUT_FONTS if importlib.util.find_spec(f.package) is None})
