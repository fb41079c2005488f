"""qrender: renders this project's Quarto book offline (no Quarto needed).

``python -m qrender render [--chapter NAME] [--to html|typst]`` executes the chapters with
nbclient/ipykernel, converts them with pandoc (from pypandoc_binary) and writes the HTML site
and one PDF (pandoc's Typst writer, compiled by the ``typst`` package) into the book's
output directory. It reads the same ``_quarto.yml`` (and ``_quarto-<profile>.yml``) that
Quarto reads and supports the Quarto features this book uses; see ``qrender/README.md``.
"""
