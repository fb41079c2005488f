"""Tables for chapter cells: HTML on the web page, a pipe table in the PDF.

pandas offers no ``text/markdown`` representation of its own, so a DataFrame returned by a
cell reaches a PDF as HTML or text depending on the renderer. ``Table`` supplies both
representations (cells' text kept as written, e.g. "1.6e-15" stays "1.6e-15"), so every
renderer draws a real table; ``index=False`` leaves out pandas' row numbers.
"""

from __future__ import annotations

import pandas as pd


def _escape_pipes(value):
    """A cell for a pipe table: a literal '|' would end the cell."""
    return value.replace("|", "\\|") if isinstance(value, str) else value


#: Typst reads a cell that starts with one of these as a list item (pandoc does not escape them):
#: "+ averaging" would print as "1. averaging" in the PDF.
LIST_MARKERS = ("+ ", "- ")


def _cell(value) -> str:
    """One cell of a pipe table: its text as written, on one line, pipes escaped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).replace("\n", " ")
    if text.startswith(LIST_MARKERS):
        raise ValueError(f"table cell {text!r} starts with a list marker, which the PDF prints as a "
                         "numbered or bulleted list: reword it")
    return _escape_pipes(text)


class Table:
    """Show ``df`` in a chapter: ``Table(df)``, or ``Table(df, index=False)`` for plain rows."""

    def __init__(self, df: pd.DataFrame, index: bool = True) -> None:
        self.df = df
        self.index = index

    def _repr_html_(self) -> str:
        return self.df.to_html(index=self.index, na_rep="")

    def _repr_markdown_(self) -> str:
        df = self.df.reset_index() if self.index else self.df
        # text columns read left to right; numbers line up on the right
        numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in df.dtypes]
        header = [_escape_pipes(str(c)) for c in df.columns]
        if self.index and self.df.index.name is None:
            header[0] = ""  # an unnamed index has no heading (reset_index would call it "index")
        rows = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
        # pandoc sizes the PDF's columns by the dashes under the header: give every column
        # room for its header and its typical cell, and cap long ones so short ones stay legible
        widths = []
        for j, name in enumerate(header):
            typical = sorted(len(r[j]) for r in rows)[len(rows) // 2] if rows else 0
            widths.append(min(max(len(name) + 2, typical, 10), 36))
        sep = ["-" * (w - 1) + ":" if n else ":" + "-" * (w - 1) for w, n in zip(widths, numeric, strict=True)]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(sep) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return repr(self.df)


def table(df: pd.DataFrame, index: bool = False) -> Table:
    """The usual case: a table of rows without pandas' row numbers."""
    return Table(df, index=index)
