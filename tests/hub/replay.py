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
from tests.servers.dblp import DblpServer, Publication
from tests.servers.openalex import OpenAlexServer

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


def register_dblp(dblp: DblpServer) -> None:
    """The hub papers' DBLP records: NeurIPS/JMLR publications and their CoRR preprints."""
    for publication in facts()["dblp"]:
        dblp.add(Publication(**publication))


def register_openalex(openalex: OpenAlexServer) -> None:
    """The hub papers' OpenAlex works: the published ones and arXiv-held preprints."""
    for work in facts()["openalex"]:
        fields = dict(work)
        if "pages" in fields:
            fields["pages"] = tuple(fields["pages"])
        openalex.add(**fields)


def register(
    arxiv: ArxivServer,
    crossref: CrossrefServer,
    dblp: DblpServer | None = None,
    openalex: OpenAlexServer | None = None,
) -> None:
    """Every hub paper on arXiv, TAMER on Crossref, the look-alikes title searches find,
    and (when given) the DBLP records and OpenAlex works."""
    if dblp is not None:
        register_dblp(dblp)
    if openalex is not None:
        register_openalex(openalex)
    data = facts()
    for paper in data["arxiv"]:
        fields = dict(paper)
        arxiv.add(fields.pop("id"), fields.pop("title"), fields.pop("authors"), **fields)
    for work in [*data["crossref"], *data["lookalikes"]]:
        _work(crossref, work)
    for needle, dois in data["searches"]:
        crossref.search_results(needle, dois)
