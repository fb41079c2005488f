"""Unit tests of the renderer's reading of .qmd sources, its cross-references and Typst fixes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qrender import crossref, qmd
from qrender import pandoc as P
from qrender.project import load, merge
from qrender.typst_writer import fix_math


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# -- cells and options -----------------------------------------------------------------------------
def test_cell_options_are_yaml_and_code_keeps_its_lines(tmp_path: Path) -> None:
    doc = qmd.parse(write(tmp_path / "c.qmd", """\
        ---
        title: "A chapter"
        ---

        Text.

        ```{python}
        #| label: fig-acc
        #| fig-cap: "Accuracy: train and valid."
        #| fig-subcap:
        #|   - "train"
        #|   - "valid"
        #| layout-ncol: 2
        #| echo: false
        x = 1  # a comment, not an option
        #| not an option any more
        ```
        """))
    assert doc.meta == {"title": "A chapter"}
    (cell,) = doc.cells
    assert cell.options == {"label": "fig-acc", "fig-cap": "Accuracy: train and valid.",
                            "fig-subcap": ["train", "valid"], "layout-ncol": 2, "echo": False}
    assert cell.source == "x = 1  # a comment, not an option\n#| not an option any more"
    assert cell.lineno == 7 and cell.code_lineno == 15


def test_bad_option_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.qmd", "# T\n\n```{python}\n#| fig-cap: [unclosed\n1\n```\n")
    with pytest.raises(qmd.QmdError, match=r"bad\.qmd:3"):
        qmd.parse(path)


def test_fences_inside_other_fences_are_not_cells(tmp_path: Path) -> None:
    doc = qmd.parse(write(tmp_path / "f.qmd", """\
        ````markdown
        ```{python}
        not_run()
        ```
        ````

        ```{python}
        run()
        ```
        """))
    assert [c.source for c in doc.cells] == ["run()"]
    assert "not_run()" in doc.parts[0].text


def test_inline_code_outside_code_only(tmp_path: Path) -> None:
    doc = qmd.parse(write(tmp_path / "i.qmd", """\
        Accuracy is `{python} f"{acc:.1%}"` and loss `{python} loss`.

        ```python
        `{python} not_inline`
        ```

        Plain `code` stays.
        """))
    assert [i.expr for i in doc.inlines] == ['f"{acc:.1%}"', "loss"]
    assert [i.lineno for i in doc.inlines] == [1, 1]
    text = doc.parts[0].text
    assert "`{python} not_inline`" in text and "Plain `code` stays." in text
    assert all(i.key in text for i in doc.inlines)


def test_includes_expand_in_place_and_track_lines(tmp_path: Path) -> None:
    write(tmp_path / "report/_part.qmd", "## Part\n\n```{python}\npart = 2\n```\n")
    main = write(tmp_path / "report/main.qmd", "# Main\n\n{{< include _part.qmd >}}\n\n```{python}\nmain = 1\n```\n")
    doc = qmd.parse(main, root=tmp_path)
    assert [c.source for c in doc.cells] == ["part = 2", "main = 1"]
    assert doc.cells[0].file.name == "_part.qmd" and doc.cells[0].lineno == 3
    assert doc.cells[1].file.name == "main.qmd" and doc.cells[1].lineno == 5
    assert [p.name for p in doc.sources] == ["main.qmd", "_part.qmd"]
    before = doc.source_hash()
    (tmp_path / "report/_part.qmd").write_text("## Part\n\nchanged\n")
    assert qmd.parse(main, root=tmp_path).source_hash() != before  # includes are part of the key


def test_include_from_project_root_and_missing_include(tmp_path: Path) -> None:
    write(tmp_path / "report/index.qmd", "# Preface {.unnumbered}\n\nHi.\n")
    root_index = write(tmp_path / "index.qmd", "{{< include report/index.qmd >}}\n")
    assert "# Preface" in qmd.parse(root_index, root=tmp_path).parts[0].text
    missing = write(tmp_path / "m.qmd", "{{< include /nope.qmd >}}\n")
    with pytest.raises(qmd.QmdError, match="nope.qmd: no such file"):
        qmd.parse(missing, root=tmp_path)


# -- project -----------------------------------------------------------------------------------------
def test_profiles_merge_like_quarto(tmp_path: Path) -> None:
    assert merge({"a": {"b": 1, "l": [1]}}, {"a": {"c": 2, "l": [2]}}) == {"a": {"b": 1, "c": 2, "l": [1, 2]}}
    write(tmp_path / "_quarto.yml", """\
        project: {type: book}
        book:
          title: B
          chapters: [index.qmd, ch/one.qmd, ch/two.qmd]
          appendices: [ch/app.qmd]
        execute: {freeze: auto}
        """)
    write(tmp_path / "_quarto-quick.yml", "execute: {freeze: false}\n")
    for name in ("index.qmd", "ch/one.qmd", "ch/two.qmd", "ch/app.qmd"):
        write(tmp_path / name, "# x\n")
    proj = load(tmp_path, profiles=["quick"])
    assert proj.freeze is False
    chapters = proj.chapters()
    assert [(c.name, c.kind, c.number) for c in chapters] == [
        ("index", "index", None), ("one", "chapter", "1"), ("two", "chapter", "2"), ("app", "appendix", "A")]
    assert chapters[1].html_rel == "ch/one.html"
    assert load(tmp_path, profiles=[]).freeze == "auto"


# -- numbering and cross-references --------------------------------------------------------------------
CHAPTER = """\
# Training {#sec-training}

## Setup {#sec-setup}

### Detail

## Results {.unnumbered}

$$
a = b
$$ {#eq-ab}

![A plot.](p.png){#fig-plot}

::: {#fig-pair layout-ncol=2}
![left](l.png){#fig-pair-1}

![right](r.png){#fig-pair-2}

Two plots.
:::

| a |
|---|
| 1 |

: Numbers. {#tbl-n}

See @fig-plot, [-@fig-pair], @tbl-n, @eq-ab, @sec-setup, @sec-training and @fig-pair-2 or @fig-none.
"""


def numbered(chapter: str | None = "3", appendix: bool = False):
    blocks = P.read_markdown(CHAPTER)["blocks"]
    warnings: list[str] = []
    labels = crossref.number(blocks, chapter, "report/03-training.html", appendix, warnings.append)
    return blocks, labels, warnings


def test_numbers_follow_the_chapter() -> None:
    _, labels, _ = numbered("3")
    assert {k: v.number for k, v in labels.items()} == {
        "sec-training": "3", "sec-setup": "3.1", "eq-ab": "3.1", "fig-plot": "3.1", "fig-pair": "3.2",
        "fig-pair-1": "3.2 (a)", "fig-pair-2": "3.2 (b)", "tbl-n": "3.1"}
    assert labels["sec-training"].text() == "Chapter 3"
    _, labels, _ = numbered("B", appendix=True)
    assert labels["fig-pair"].number == "B.2"
    assert labels["sec-training"].text() == "Appendix B"


def test_section_numbers_skip_unnumbered() -> None:
    blocks, _, _ = numbered("3")
    numbers = {P.stringify(b["c"][2]): dict(b["c"][1][2]).get("data-number")
               for b in blocks if b["t"] == "Header"}
    assert numbers == {"Training": "3", "Setup": "3.1", "Detail": "3.1.1", "Results": None}


def test_references_resolve_to_quarto_words() -> None:
    blocks, labels, _ = numbered("3")
    warnings: list[str] = []
    crossref.resolve(blocks, labels, lambda lab: f"x.html#{lab.ident}", warnings.append, "ch")
    last = P.stringify(blocks[-1])
    assert last == ("See Figure 3.1, 3.2, Table 3.1, Equation 3.1, Section 3.1, Chapter 3 and "
                    "Figure 3.2 (b) or ?@fig-none.")
    assert warnings == ["ch: unresolved cross-reference @fig-none"]
    links = []
    P.walk_inlines(blocks[-1], lambda n: links.append(n["c"][2][0]) if n["t"] == "Link" else None)
    assert links[0] == "x.html#fig-plot"


# -- typst -------------------------------------------------------------------------------------------
def test_typst_math_fixes_only_touch_math() -> None:
    src = ('A sect of prose and `dot.circle` code. $ a dot.circle b times.circle c sect d '
           'mat(delim: "||", x) #h(-1em) e $ and \\$5.\n```\nsect = 1\n```\n')
    out = fix_math(src)
    assert '$ a dot.o b times.o c inter d mat(delim: "|", x) thin e $' in out
    assert out.startswith("A sect of prose and `dot.circle` code.")
    assert "sect = 1" in out and "\\$5" in out


def test_environment_files_apply_like_quarto(tmp_path: Path) -> None:
    from qrender.project import apply_environment, dotenv_files, read_dotenv

    (tmp_path / "_environment").write_text(
        "# a comment\n\nA=base\nB='quoted # not a comment'\nexport C=\"c\"\nD=plain # trailing\nE=base-e\n")
    (tmp_path / "_environment-quick").write_text("A=quick\nE=quick-e\n")
    (tmp_path / "_environment.local").write_text("E=local\n")
    assert read_dotenv(tmp_path / "_environment") == {
        "A": "base", "B": "quoted # not a comment", "C": "c", "D": "plain", "E": "base-e"}
    assert [p.name for p in dotenv_files(tmp_path, ["quick"])] == ["_environment.local", "_environment-quick", "_environment"]
    env = {"A": "from-shell"}
    applied = apply_environment(tmp_path, ["quick"], env)
    assert env == {"A": "from-shell", "B": "quoted # not a comment", "C": "c", "D": "plain", "E": "local"}
    assert "A" not in applied  # the shell's value wins, as in Quarto
    assert apply_environment(tmp_path, [], {"X": "1"}) == {
        "A": "base", "B": "quoted # not a comment", "C": "c", "D": "plain", "E": "local"}


def test_environment_file_with_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    from qrender.project import ProjectError, read_dotenv

    (tmp_path / "_environment").write_text("A=1\nthis is not a variable\n")
    with pytest.raises(ProjectError, match=r"_environment:2: expected KEY=value"):
        read_dotenv(tmp_path / "_environment")


def test_project_environment_keeps_numpy_blas_on_one_thread() -> None:
    from qrender.project import read_dotenv

    root = Path(__file__).resolve().parents[2]
    assert read_dotenv(root / "_environment")["OPENBLAS_NUM_THREADS"] == "1"


def test_reference_to_an_unnumbered_section_is_refused() -> None:
    blocks = P.read_markdown("# Preface {.unnumbered}\n\n## Card {#sec-card .unnumbered}\n\nText.\n")["blocks"]
    warnings: list[str] = []
    labels = crossref.number(blocks, "1", "index.html", False, warnings.append)
    assert warnings == [] and labels["sec-card"].unnumbered  # defining one is fine
    ref = P.read_markdown("See @sec-card.\n")["blocks"]
    with pytest.raises(crossref.CrossrefError, match=r"ch\.qmd:7: @sec-card refers to an unnumbered section"):
        crossref.resolve(ref, labels, lambda lab: f"{lab.page}#{lab.ident}", warnings.append, "ch",
                         locate=lambda ident: "ch.qmd:7")


def test_references_from_the_unnumbered_home_page_read_as_captions() -> None:
    blocks, labels, _ = numbered("3")
    app_blocks = P.read_markdown("# Data {#sec-data}\n\nText.\n")["blocks"]
    labels.update(crossref.number(app_blocks, "A", "report/app.html", True, print))
    ref = P.read_markdown("See @sec-training, @sec-setup, @sec-data, @fig-plot and [-@sec-setup].\n")["blocks"]
    crossref.resolve(ref, labels, lambda lab: f"x.html#{lab.ident}", print, "index", from_unnumbered_page=True)
    assert P.stringify(ref) == ("See 3\u00a0 Training, Setup, Appendix A — Data, Figure 3.1 and Setup.")


def test_typst_include_before_body_is_included_and_leaves_the_math_fixes_alone(tmp_path: Path) -> None:
    from qrender.render import render

    write(tmp_path / "_quarto.yml", """\
        project: {type: book}
        book: {title: T, author: A, chapters: [index.qmd, ch.qmd]}
        format:
          typst:
            keep-typ: true
            include-before-body: rules.typ
        """)
    write(tmp_path / "index.qmd", "# Preface {.unnumbered}\n\nHello.\n")
    write(tmp_path / "ch.qmd", "# Chapter\n\nThe product $a \\odot b$ of two vectors.\n")
    write(tmp_path / "rules.typ", '// a dollar in a string: "$"\n#let included-rule = 1\n')
    render(tmp_path, to="typst", output_dir=tmp_path / "out", cache_dir=tmp_path / "cache", scripts=False)
    source = (tmp_path / "out" / "T.typ").read_text()
    assert "#let included-rule = 1" in source and source.index("included-rule") < source.index("Hello.")
    assert "dot.o" in source and "dot.circle" not in source
