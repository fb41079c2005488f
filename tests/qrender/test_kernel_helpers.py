"""The helpers qrender defines in every kernel, run here without a kernel."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from qrender.execute import KERNEL_HELPERS


class _Formatter:
    """Enough of IPython's display formatter: text/plain is the repr, text/markdown if offered."""

    def format(self, value):
        data = {"text/plain": repr(value)}
        if hasattr(value, "_repr_markdown_"):
            data["text/markdown"] = value._repr_markdown_()
        return data, {}


@pytest.fixture(scope="module")
def kernel():
    ns = {"get_ipython": lambda: type("Shell", (), {"display_formatter": _Formatter()})()}
    exec(KERNEL_HELPERS, ns)
    return ns


def inline(kernel, value, capsys) -> str:
    kernel["__qrender_inline__"](value)
    return capsys.readouterr().out


class _Markdown:
    def __init__(self, text):
        self.text = text

    def _repr_markdown_(self):
        return self.text


def test_inline_results_follow_quartos_rule(kernel, capsys):
    assert inline(kernel, "**x** @fig-a [l](u)", capsys) == r"\*\*x\*\* @fig\-a \[l\]\(u\)"
    assert inline(kernel, _Markdown("**x** @fig-a"), capsys) == "**x** @fig-a"
    assert inline(kernel, 0.25, capsys) == "0.25"
    assert inline(kernel, np.float64(0.25), capsys) == "np.float64(0.25)"  # Quarto shows the repr too


def test_dataframe_pipe_table_formats_cells_as_the_html_table(kernel):
    df = pd.DataFrame({"training %": [66.0, 56.7], "name": ["a", "b"]}, index=pd.Index(["O", "I"], name="class"))
    md = kernel["__qrender_dataframe_markdown__"](df).splitlines()
    assert [c.strip() for c in md[0].strip("|").split("|")] == ["class", "training %", "name"]
    index_col, number, text = md[1].strip("|").split("|")
    assert index_col.startswith(":") and number.endswith(":") and text.startswith(":")  # numbers right
    assert "66.0" in md[2] and "56.7" in md[3]  # one precision per column, as pandas writes it
    for value in ("66.0", "56.7"):
        assert value in df.to_html()


FRAMES = {
    "floats of three magnitudes": pd.DataFrame(np.random.default_rng(0).normal(size=(7, 3)) * [1, 1e-5, 1e7],
                                               columns=list("abc")),
    "missing values": pd.DataFrame({"x": [1.5, np.nan, 3.25], "y": [None, "s", "t"], "z": [1, 2, 3]}),
    "ints and bools": pd.DataFrame({"n": [1, -20, 300], "b": [True, False, True]}, index=[10, 20, 30]),
    "nullable": pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "f": pd.array([0.5, None, 2], dtype="Float64")}),
    "dates": pd.DataFrame({"d": pd.date_range("2024-01-01", periods=3, freq="h"),
                           "td": pd.to_timedelta([1, 2, 3], unit="s")}),
    "categories and text": pd.DataFrame({"c": pd.Categorical(["x", "y", "x"]), "s": ["with space", "x\ny", "<b>&"]}),
    "large and small": pd.DataFrame({"v": [1234567.891, 2.5, 1e12], "w": [1e-9, 0.1, 3.0]}),
    "mixed objects": pd.DataFrame({"o": [1, "two", 3.5, None]}),
    "text longer than display.max_colwidth": pd.DataFrame({"t": ["A / " * 30, "short"], "n": [0.5, 1.0]},
                                                          index=["long " * 15, "x"]),
}


@pytest.mark.parametrize("name", FRAMES)
def test_dataframe_pipe_table_cells_are_the_html_tables_cells(kernel, name):
    df = FRAMES[name]
    md = kernel["__qrender_dataframe_markdown__"](df).splitlines()
    cells = [c.strip() for row in md[2:] for c in row.strip("|").split("|")[1:]]
    shown = df._repr_html_()  # the table a notebook shows, and Quarto's HTML page
    html_cells = [html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", shown, re.S)]
    assert cells == html_cells


def test_empty_dataframe_is_a_table_without_rows(kernel):
    md = kernel["__qrender_dataframe_markdown__"](pd.DataFrame({"a": pd.Series([], dtype=float)}))
    assert len(md.splitlines()) == 2 and "a" in md
