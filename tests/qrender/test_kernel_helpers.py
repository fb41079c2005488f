"""The helpers qrender defines in every kernel, run here without a kernel."""

from __future__ import annotations

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
