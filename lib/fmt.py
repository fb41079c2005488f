"""Numbers as the book writes them, one form for every chapter.

>>> pct(0.8312), pct(0.8312, 2)
('83.1%', '83.12%')
>>> sci(2.3e-7), sci(1e-6, 0), sci(0.5), sci(0)
('2.3 × 10⁻⁷', '10⁻⁶', '5.0 × 10⁻¹', '0')
>>> duration(42.4), duration(3.14159, 2), duration(750)
('42 s', '3.14 s', '12.5 minutes')
>>> count(10800)
'10,800'

Chapters format every number of their prose with these; computation (``lib/``, the
pipelines) returns plain numbers.
"""

from __future__ import annotations

__all__ = ["count", "duration", "pct", "sci"]

_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
#: Durations from this many seconds on are given in minutes.
MINUTES_FROM = 120


def pct(fraction: float, digits: int = 1) -> str:
    """A fraction as a percentage: ``pct(0.8312) == "83.1%"``."""
    return f"{fraction:.{digits}%}"


def sci(value: float, digits: int = 1) -> str:
    """Scientific notation for prose, plain text: ``sci(2.3e-7) == "2.3 × 10⁻⁷"``.

    ``digits`` after the point of the mantissa; a mantissa of exactly 1 is left out
    (``sci(1e-6, 0) == "10⁻⁶"``) and so is an exponent of 0 (``sci(2.5) == "2.5"``).
    """
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    exponent = str(int(exponent))
    if exponent == "0":
        return mantissa
    if mantissa in ("1", "-1"):
        return f"{mantissa[:-1]}10{exponent.translate(_SUPERSCRIPT)}"
    return f"{mantissa} \u00d7 10{exponent.translate(_SUPERSCRIPT)}"


def duration(seconds: float, digits: int = 0) -> str:
    """Wall-clock time: ``"42 s"`` (``digits`` after the point) below two minutes, else
    ``"12.5 minutes"``."""
    if seconds < MINUTES_FROM:
        return f"{seconds:.{digits}f} s"
    return f"{seconds / 60:.1f} minutes"


def count(n: int) -> str:
    """A count with thousands separators: ``count(10800) == "10,800"``."""
    return f"{n:,}"
