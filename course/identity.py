"""Who wrote the writeup: the student's name, Andrew ID and collaborators, in one place.

The handout's first instruction asks for the names of one's collaborators in the writeup, and
the code zip is named after the Andrew ID. Both come from one line of ``_quarto.yml``, the
book's ``author``, which Quarto and qrender alike put on the PDF's title page and on the
site's home page::

    book:
      author: "Ada Lovelace (Andrew ID: alovelac) · Collaborators: none"

(``· Collaborators: Name One, Name Two`` when there are any.) ``identity()`` reads that line;
``make submission`` names the zip after ``andrew_id``, and every build says so while the line
still holds the placeholders (``NOT SET``), which the title page then shows as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUARTO_YML = ROOT / "_quarto.yml"
#: What a field holds until the student fills it in (the title page shows it as it is).
PLACEHOLDER = "NOT SET"
FORMAT = '"Your Name (Andrew ID: yourid) · Collaborators: none"'

_AUTHOR = re.compile(
    r"^\s*(?P<name>.+?)\s*\(\s*Andrew ID\s*:\s*(?P<andrew_id>[^)]*?)\s*\)\s*[·;,|—–-]?\s*"
    r"Collaborators\s*:\s*(?P<collaborators>.+?)\s*$",
    re.IGNORECASE,
)
_ANDREW_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


class IdentityError(ValueError):
    """``_quarto.yml``'s author line is missing or not in the expected form."""


@dataclass(frozen=True)
class Identity:
    name: str
    andrew_id: str
    collaborators: str  # "none", or the names as written

    @property
    def placeholders(self) -> list[str]:
        """The fields that still hold the placeholder."""
        return [field for field, value in (("name", self.name), ("Andrew ID", self.andrew_id),
                                           ("collaborators", self.collaborators))
                if PLACEHOLDER.lower() in value.lower()]

    @property
    def complete(self) -> bool:
        return not self.placeholders


def parse(author: object, where: str = "_quarto.yml") -> Identity:
    """The :class:`Identity` in an author line (see the module docstring for its form)."""
    if isinstance(author, list) and len(author) == 1:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    if not isinstance(author, str) or not author.strip():
        raise IdentityError(f"{where}: book: author is missing; expected one line like {FORMAT}")
    match = _AUTHOR.match(author)
    if match is None:
        raise IdentityError(f"{where}: book: author is {author!r}; expected the form {FORMAT}")
    who = Identity(**{k: v.strip() for k, v in match.groupdict().items()})
    if "Andrew ID" not in who.placeholders and not _ANDREW_ID.match(who.andrew_id):
        raise IdentityError(f"{where}: book: author has the Andrew ID {who.andrew_id!r}; expected letters "
                            "and digits only")
    return who


def identity(quarto_yml: Path = QUARTO_YML) -> Identity:
    """The identity written in ``_quarto.yml`` (``book: author``)."""
    try:
        config = yaml.safe_load(Path(quarto_yml).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IdentityError(f"{quarto_yml}: cannot read the book's author ({type(exc).__name__}: {exc})") from None
    return parse((config.get("book") or {}).get("author"), where=str(quarto_yml))


def placeholder_warning(quarto_yml: Path = QUARTO_YML) -> str | None:
    """The build's one-line warning while the author line is incomplete (None once it is filled)."""
    try:
        who = identity(quarto_yml)
    except IdentityError as exc:
        return f"WARNING: {exc}"
    if who.complete:
        return None
    return (f"WARNING: the title page still shows placeholders for the {', '.join(who.placeholders)}: "
            f"set book: author in {Path(quarto_yml).name} to {FORMAT}")
