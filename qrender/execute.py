"""Executing a document's cells in a fresh Jupyter kernel (nbclient + ipykernel).

One kernel per chapter, started with cwd = the project root (``execute-dir: project``) and the
renderer's environment (so ``QUARTO_PROFILE`` and every ``HW5_*`` variable pass through).
Cells run in order; each inline expression runs right after the cells before it. A cell that
raises stops the chapter with :class:`ExecutionError` (file, line, traceback) unless the cell
has ``error: true``, in which case the traceback is kept as the cell's output.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qrender.qmd import Cell, Document, display_path

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: The kernel every chapter runs in, and that its notebook names.
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


class ExecutionError(Exception):
    """A cell failed; the message names the chapter, the cell's line and the traceback."""


@dataclass
class Executed:
    """What executing a document produced: outputs per cell, text per inline expression."""

    outputs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # cell index -> outputs
    inlines: dict[str, str] = field(default_factory=dict)  # inline key -> text
    seconds: float = 0.0
    cells: dict[int, str] = field(default_factory=dict)  # cell index -> hash of the code that ran

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": {str(k): v for k, v in self.outputs.items()},
            "inlines": self.inlines,
            "seconds": self.seconds,
            "cells": {str(k): v for k, v in self.cells.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Executed:
        return cls({int(k): v for k, v in data["outputs"].items()}, data["inlines"], data.get("seconds", 0.0),
                   {int(k): v for k, v in data.get("cells", {}).items()})

    def outputs_for(self, cell: Cell) -> list[dict[str, Any]] | None:
        """The outputs of ``cell`` if this result was made by the same code, else None."""
        if cell.index not in self.outputs:
            return None
        if self.cells and self.cells.get(cell.index) != code_hash(cell.source):
            return None
        return self.outputs[cell.index]


def code_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


#: Helpers defined in every kernel. ``__qrender_inline__`` follows Quarto's rule for inline results
#: (src/core/jupyter/jupyter-inline.ts): text/markdown as it is (``IPython.display.Markdown``);
#: otherwise the text/plain repr, where a quoted repr (a str) loses its quotes and has markdown
#: punctuation backslash-escaped, so ``**x**`` or ``@fig-x`` in a plain string stay literal text;
#: numbers and other reprs go in unchanged.
KERNEL_HELPERS = r'''
def __qrender_inline__(value):
    import re
    data, _ = get_ipython().display_formatter.format(value)
    if "text/markdown" in data:
        text = data["text/markdown"]
    else:
        text = data.get("text/plain", "")
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1].replace("\\", "\\\\")
            text = re.sub(r"([\\`*_{}\[\]()>#+,\-.!])", r"\\\1", text)
    print(text, end="")


def __qrender_dataframe_markdown__(df):
    # The PDF's pipe table, with every cell written as pandas writes it in the HTML table (one
    # precision per column, so 66.0 next to 56.7 stays "66.0"; long text cut at display.max_colwidth;
    # a column's to_string is formatted as its HTML cells are); Quarto builds the PDF's table from
    # that HTML table. Numeric columns are right-aligned.
    import pandas as pd
    from pandas.api.types import is_numeric_dtype
    if isinstance(df.columns, pd.MultiIndex) or isinstance(df.index, pd.MultiIndex):
        return df.to_markdown()
    def cells(values):
        if not len(values):
            return []
        # an empty index, so that each cell is formatted with the HTML table's leading space
        column = pd.DataFrame({"": values}, index=[""] * len(values))
        text = column.to_string(header=False, max_colwidth=pd.get_option("display.max_colwidth"))
        return [s.strip() for s in text.split("\n")]
    body = pd.DataFrame({j: cells(df.iloc[:, j].array) for j in range(df.shape[1])}, index=df.index)
    body.index = cells(df.index.array)
    body.index.name = df.index.name
    body.columns = [str(c) for c in df.columns]
    align = ["right" if is_numeric_dtype(df.index.dtype) else "left"]
    align += ["right" if is_numeric_dtype(df.dtypes.iloc[j]) else "left" for j in range(df.shape[1])]
    return body.to_markdown(disable_numparse=True, colalign=align)
'''


def _setup_code(fig_width: float, fig_height: float, fig_dpi: int) -> str:
    return KERNEL_HELPERS + f"""
import warnings as __qrender_warnings
try:
    import matplotlib
    import matplotlib.pyplot as __qrender_plt
    from matplotlib_inline.backend_inline import set_matplotlib_formats as __qrender_fmts
    get_ipython().run_line_magic("matplotlib", "inline")
    __qrender_fmts("png")
    __qrender_plt.rcParams.update({{"figure.figsize": ({fig_width}, {fig_height}), "figure.dpi": {fig_dpi}}})
except ImportError:
    pass
# DataFrames also offer a pipe table (text/markdown), used by the PDF.
get_ipython().display_formatter.formatters["text/markdown"].enabled = True
for __qrender_mod in ("pandas", "pandas.core.frame"):  # DataFrame.__module__ is "pandas" in pandas 3
    get_ipython().display_formatter.formatters["text/markdown"].for_type_by_name(
        __qrender_mod, "DataFrame", __qrender_dataframe_markdown__)
"""


def kernel_env(root: Path, doc_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QUARTO_PROJECT_ROOT=str(root),
        QUARTO_DOCUMENT_PATH=str(doc_path.parent),
        QUARTO_DOCUMENT_FILE=doc_path.name,
        PYTHONPATH=os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])]),
    )
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


def traceback_text(output: dict[str, Any]) -> str:
    lines = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
    return ANSI.sub("", "\n".join(lines))


def execute(doc: Document, root: Path, cwd: Path, options: dict[str, Any], chapter: str,
            fig: tuple[float, float, int] = (7.0, 5.0, 96), timeout: int | None = None,
            extra_env: dict[str, str] | None = None) -> Executed:
    """Run every cell of ``doc`` with ``eval`` true; ``options`` are the document defaults."""
    import nbformat
    from nbclient import NotebookClient

    result = Executed()
    runnable = [c for c in doc.cells if {**options, **c.options}.get("eval", True) and c.language == "python"]
    if not runnable and not doc.inlines:
        return result  # nothing to run: no kernel
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(
        nb, kernel_name=KERNELSPEC["name"], timeout=timeout, allow_errors=True,
        resources={"metadata": {"path": str(cwd)}}, record_timing=False,
    )
    start = time.perf_counter()

    def run(code: str) -> list[dict[str, Any]]:
        cell = nbformat.v4.new_code_cell(code)
        nb.cells.append(cell)
        client.execute_cell(cell, len(nb.cells) - 1)
        return [dict(o) for o in cell.outputs]

    def check_hidden(outputs: list[dict[str, Any]], what: str) -> None:
        for out in outputs:
            if out.get("output_type") == "error":
                raise ExecutionError(f"{chapter}: {what} failed:\n{traceback_text(out)}")

    env = kernel_env(root, doc.path)
    env.update(extra_env or {})
    with client.setup_kernel(env=env, cwd=str(cwd), stderr=subprocess.DEVNULL):
        check_hidden(run(_setup_code(*fig)), "renderer setup code")
        for part in doc.parts:
            if isinstance(part, Cell):
                opts = {**options, **part.options}
                if not opts.get("eval", True) or part.language != "python":
                    continue
                quiet = opts.get("warning", True) is False
                if quiet:
                    run("__qrender_w__ = __qrender_warnings.catch_warnings(); __qrender_w__.__enter__(); "
                        "__qrender_warnings.simplefilter('ignore')")
                size = opts.get("fig-width"), opts.get("fig-height")
                if any(size):
                    run("__qrender_size__ = __qrender_plt.rcParams['figure.figsize']; "
                        f"__qrender_plt.rcParams['figure.figsize'] = ({size[0] or fig[0]}, {size[1] or fig[1]})")
                outputs = run(part.source)
                if any(size):
                    run("__qrender_plt.rcParams['figure.figsize'] = __qrender_size__")
                if quiet:
                    run("__qrender_w__.__exit__(None, None, None)")
                errors = [o for o in outputs if o.get("output_type") == "error"]
                if errors and not opts.get("error", False):
                    label = f" ({part.label})" if part.label else ""
                    raise ExecutionError(
                        f"{chapter}: cell {part.index + 1}{label} at {display_path(part.file, root)}:{part.lineno} "
                        f"raised an error (add `#| error: true` to show it instead):\n{traceback_text(errors[0])}"
                    )
                result.outputs[part.index] = outputs
                result.cells[part.index] = code_hash(part.source)
            else:
                for inline in part.inlines:
                    outputs = run(f"__qrender_inline__(({inline.expr}))")
                    errors = [o for o in outputs if o.get("output_type") == "error"]
                    if errors:
                        raise ExecutionError(
                            f"{chapter}: inline expression `{inline.expr}` at "
                            f"{display_path(inline.file, root)}:{inline.lineno} failed:\n{traceback_text(errors[0])}"
                        )
                    result.inlines[inline.key] = "".join(
                        o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    result.seconds = round(time.perf_counter() - start, 2)
    return result
