"""Each chapter as an executed Jupyter notebook (``keep-ipynb: true`` in _quarto.yml).

Quarto keeps the notebook it executes a chapter in (``<chapter>.quarto_ipynb``: the prose as
markdown cells, the cells with their ``#|`` options and outputs); the project's post-render
script publishes it next to the chapter's page. qrender writes the same notebook from the
chapter's source and its execution results (fresh or frozen): markdown cells keep the source's
text (inline `` `{python} expr` `` included), code cells their options, code and outputs. So
that it runs top to bottom in Jupyter (kernel started in the project root, as the chapters are
executed), a cell that is not evaluated (``eval: false``, another language) becomes a markdown
code block, and a cell whose error the chapter shows (``error: true``) is tagged
``raises-exception``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qrender.execute import KERNELSPEC, Executed
from qrender.qmd import Cell, Document


def build(doc: Document, executed: Executed | None, defaults: dict[str, Any]) -> Any:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    count = 0
    for part in doc.parts:
        if isinstance(part, Cell):
            opts = {**defaults, **part.options}
            code = "\n".join([*(f"#| {line}" for line in part.option_lines), part.source])
            if part.language != "python" or not opts.get("eval", True):
                fence = "````" if "```" in code else "```"
                nb.cells.append(nbformat.v4.new_markdown_cell(f"{fence}{part.language}\n{code}\n{fence}"))
                continue
            count += 1
            cell = nbformat.v4.new_code_cell(code, execution_count=count)
            outputs = executed.outputs_for(part) if executed else None
            for out in outputs or []:
                out = dict(out)
                if "execution_count" in out:
                    out["execution_count"] = count
                cell.outputs.append(nbformat.from_dict(out))
            if opts.get("error", False):
                cell.metadata["tags"] = ["raises-exception"]
            nb.cells.append(cell)
        else:
            text = part.text
            for inline in part.inlines:
                text = text.replace(inline.key, f"`{{python}} {inline.expr}`")
            if text.strip():
                nb.cells.append(nbformat.v4.new_markdown_cell(text.strip("\n")))
    return nb


def write(path: Path, doc: Document, executed: Executed | None, defaults: dict[str, Any]) -> bool:
    """Write the notebook if the chapter has code cells; True when written."""
    import nbformat

    if not doc.cells:
        return False
    nb = build(doc, executed, defaults)
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return True
