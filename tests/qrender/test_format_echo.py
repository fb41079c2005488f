"""Per-format ``echo`` (``format: typst: echo: false``), resolved for each format as Quarto does
when it executes that format: the cell's option, else the format's, else ``execute:``."""

from __future__ import annotations

import textwrap
from pathlib import Path

from qrender import qmd
from qrender.assemble import Assembler

SOURCE = """\
    # A

    ```{python}
    glue = 1  # MARK_GLUE
    ```

    ```{python}
    #| echo: true
    taught = 2  # MARK_TAUGHT
    ```

    ```{python}
    #| echo: false
    hidden = 3  # MARK_HIDDEN
    ```
    """


def _markdown(tmp_path: Path, html: dict, typst: dict) -> str:
    path = tmp_path / "a.qmd"
    path.write_text(textwrap.dedent(SOURCE))
    return Assembler(qmd.parse(path), None, {}, tmp_path, html, typst).markdown()


def test_typst_echo_false_hides_default_cells_in_the_pdf_only(tmp_path: Path) -> None:
    md = _markdown(tmp_path, {"code-fold": True}, {"echo": False})
    glue, taught, hidden = md.split("::::: {.cell}")[1:]
    assert '.content-visible when-format="html"' in glue and 'code-fold="true"' in glue
    assert "MARK_TAUGHT" in taught and "content-visible" not in taught  # echo: true: both formats
    assert "MARK_HIDDEN" not in hidden


def test_without_format_options_every_echoed_cell_shows_everywhere(tmp_path: Path) -> None:
    md = _markdown(tmp_path, {}, {})
    assert "content-visible" not in md and "MARK_GLUE" in md and "MARK_TAUGHT" in md
