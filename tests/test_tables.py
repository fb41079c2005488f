"""lib.tables.Table: the same table as HTML (web) and as a pipe table (PDF)."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.tables import Table, table


def test_pipe_table_keeps_text_as_written_and_aligns_numbers_right():
    df = pd.DataFrame({"check": ["a | b", "c"], "error": ["1.6e-15", "2.0e-7"], "n": [3, 40]})
    md = table(df)._repr_markdown_().splitlines()
    assert md[0] == "| check | error | n |"
    assert md[1].split("|")[1].startswith(":") and md[1].split("|")[3].endswith(":")  # text left, number right
    assert "a \\| b" in md[2] and "1.6e-15" in md[2]


def test_unnamed_index_has_an_empty_heading_named_index_keeps_its_name():
    df = pd.DataFrame({"valid": [16.93, 17.83]}, index=["autoencoder", "PCA"])
    assert Table(df)._repr_markdown_().splitlines()[0] == "|  | valid |"
    assert Table(df.rename_axis("method"))._repr_markdown_().splitlines()[0] == "| method | valid |"
    assert "<table" in Table(df)._repr_html_()


@pytest.mark.parametrize("label", ["+ averaging", "- averaging"])
def test_a_cell_starting_with_a_list_marker_is_refused(label):
    # Typst would print "+ averaging" as "1. averaging": a table cell is not a list
    with pytest.raises(ValueError, match="list marker"):
        table(pd.DataFrame({"step": [label], "cer": ["1.0%"]}))._repr_markdown_()
    assert "-0.5" in table(pd.DataFrame({"x": ["-0.5"]}))._repr_markdown_()
