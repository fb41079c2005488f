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


class Table:
    """Show ``df`` in a chapter: ``Table(df)``, or ``Table(df, index=False)`` for plain rows."""

    def __init__(self, df: pd.DataFrame, index: bool = True) -> None:
        self.df = df
        self.index = index

    def _repr_html_(self) -> str:
        return self.df.to_html(index=self.index, na_rep="")

    def _repr_markdown_(self) -> str:
        df = self.df.rename(index=_escape_pipes, columns=_escape_pipes).map(_escape_pipes).fillna("")
        align = (("left",) if self.index else ()) + ("left",) + ("right",) * (df.shape[1] - 1)
        return df.to_markdown(index=self.index, disable_numparse=True, colalign=align)

    def __repr__(self) -> str:
        return repr(self.df)


def table(df: pd.DataFrame, index: bool = False) -> Table:
    """The usual case: a table of rows without pandas' row numbers."""
    return Table(df, index=index)
