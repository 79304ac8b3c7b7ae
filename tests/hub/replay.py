"""Register the hub's CONSTRUCTED replay facts (``facts.json``) on the loopback servers.

``facts.json`` is built from ``../shared/seed-papers.json`` (see its ``about``); the
servers answer in the exact wire formats of ``../shared/samples`` (tests/servers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer

HERE = Path(__file__).resolve().parent
FACTS = HERE / "facts.json"
STUBS = HERE / "stubs.bib"


def facts() -> dict[str, Any]:
    """The constructed facts, as stored."""
    data: dict[str, Any] = json.loads(FACTS.read_text(encoding="utf-8"))
    return data


def _work(server: CrossrefServer, work: dict[str, Any]) -> None:
    fields = dict(work)
    doi, title = fields.pop("doi"), fields.pop("title")
    authors = [tuple(a) for a in fields.pop("authors")]
    fields["issued"] = tuple(fields.get("issued", ()))
    extra = {k: fields.pop(k) for k in list(fields) if "-" in k}
    server.add(doi, title, authors, **fields, **extra)


def register(arxiv: ArxivServer, crossref: CrossrefServer) -> None:
    """Every hub paper on arXiv, TAMER on Crossref, and the look-alikes title searches find."""
    data = facts()
    for paper in data["arxiv"]:
        fields = dict(paper)
        arxiv.add(fields.pop("id"), fields.pop("title"), fields.pop("authors"), **fields)
    for work in [*data["crossref"], *data["lookalikes"]]:
        _work(crossref, work)
    for needle, dois in data["searches"]:
        crossref.search_results(needle, dois)
