"""Citations with pandoc's citeproc, placed where Quarto places them in a book.

``bibliography:`` (one file or a list, BibTeX or CSL JSON) and ``csl:`` are read from
``_quarto.yml`` (project level, or under ``format: html:`` / ``format: typst:``), and
``reference-section-title:`` names the references section. As in a Quarto book without a
references page: each HTML chapter that cites ends with its own References section (only the
works it cites), and the PDF has one References section at its very end, after the appendices,
listing every work the book cites. Quarto's Typst path formats the PDF's citations with Typst's
own engine (``citeproc: false``); ``bibliographystyle: chicago-author-date`` there is the same
CSL style as citeproc's default, so the two read alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qrender import pandoc as P
from qrender.crossref import is_crossref


class CitationError(Exception):
    pass


@dataclass
class Bibliography:
    files: list[Path]
    csl: Path | None = None
    section_title: str | None = None

    @classmethod
    def from_project(cls, proj: Any, fmt: str) -> Bibliography | None:
        opts = {**proj.config, **proj.format(fmt)}
        value = opts.get("bibliography")
        if not value:
            return None
        names = [value] if isinstance(value, str) else list(value)
        files = [(proj.root / str(n)).resolve() for n in names]
        for name, path in zip(names, files, strict=True):
            if not path.is_file():
                raise CitationError(f"_quarto.yml: bibliography {name!r} does not exist ({path})")
        csl = opts.get("csl")
        csl_path = (proj.root / str(csl)).resolve() if csl else None
        if csl_path is not None and not csl_path.is_file():
            raise CitationError(f"_quarto.yml: csl {csl!r} does not exist ({csl_path})")
        if fmt == "typst" and not csl and opts.get("bibliographystyle") not in (None, "chicago-author-date"):
            raise CitationError(
                f"_quarto.yml: bibliographystyle {opts['bibliographystyle']!r} is a Typst style that "
                "citeproc cannot read; qrender formats citations with citeproc's default "
                "(chicago-author-date). Use that, or give a `csl:` file both read.")
        title = opts.get("reference-section-title")
        return cls(files, csl_path, str(title) if title else None)

    def meta(self, *, bibliography: bool, link: bool, nocite: list[str] | None = None) -> dict[str, Any]:
        meta = {
            "bibliography": P.meta([str(f) for f in self.files]),
            "link-citations": P.meta(link),
            "suppress-bibliography": P.meta(not bibliography),
        }
        if self.csl:
            meta["csl"] = P.meta(str(self.csl))
        if self.section_title and bibliography:
            meta["reference-section-title"] = P.meta(P.text(self.section_title))
        if nocite:
            meta["nocite"] = P.meta([P.Cite(nocite)])
        return meta


def cited_keys(blocks: list[dict]) -> list[str]:
    """Keys of the citations left after cross-references were resolved, in order, once each."""
    keys: list[str] = []

    def fn(node: dict) -> None:
        if node["t"] == "Cite":
            for c in P.citations(node):
                key = c["citationId"]
                if not is_crossref(key) and key not in keys:
                    keys.append(key)
        return None

    P.walk_inlines(blocks, fn)
    return keys


def _citeproc(doc: dict, where: str, locate: Any = None) -> dict:
    proc = P.run(["-f", "json", "-t", "json", "--citeproc"], json.dumps(doc))
    if proc.returncode != 0:
        raise CitationError(f"{where}: pandoc --citeproc failed:\n{proc.stderr}")
    missing = [line.split("citation", 1)[1].split("not found")[0].strip()
               for line in proc.stderr.splitlines() if "Citeproc: citation" in line and "not found" in line]
    if missing:
        at = [locate(k) if locate else where for k in missing]
        raise CitationError("\n".join(f"{a}: citation @{k} is not in the bibliography" for a, k in zip(at, missing,
                                                                                                        strict=True)))
    return json.loads(proc.stdout)


def process(blocks: list[dict], bib: Bibliography, *, bibliography: bool, link: bool, where: str,
            locate: Any = None) -> list[dict]:
    """The blocks with every citation formatted; with ``bibliography``, the cited works appended
    (under ``reference-section-title``). Unchanged when nothing is cited."""
    if not cited_keys(blocks):
        return blocks
    doc = P.document(blocks, bib.meta(bibliography=bibliography, link=link))
    return _citeproc(doc, where, locate)["blocks"]


def bibliography_blocks(keys: list[str], bib: Bibliography) -> list[dict]:
    """A References section listing ``keys`` (the PDF's, at the end of the book)."""
    if not keys:
        return []
    doc = P.document([], bib.meta(bibliography=True, link=False, nocite=keys))
    return _citeproc(doc, "bibliography")["blocks"]
