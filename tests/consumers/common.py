"""What the consumer tests share: the record sets they feed to real tools."""

from __future__ import annotations

from pathlib import Path

from citekit.library import load
from citekit.model import Record
from citekit.writers.bibtex import format_biblatex, format_bibtex

from ..torture import TORTURE

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"bibtex": format_bibtex, "biblatex": format_biblatex}


def record_sets() -> dict[str, tuple[Record, ...]]:
    """The torture set and the project's own references.bib."""
    return {"torture": TORTURE, "references": load(ROOT / "references.bib").records}


SETS = ["torture", "references"]
FLAVOURS = ["bibtex", "biblatex"]
