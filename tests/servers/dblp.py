"""A loopback DBLP (``/search/publ/api``, ``/rec/{key}.bib``) from registered publications.

CONSTRUCTED answers in exactly the shapes of the real ones in ``../shared/samples/dblp``
(see ``tests/data/openalex/README.md``): the search JSON ``{"result":{"query","status",
"time","completions","hits":{"@total","@computed","@sent","@first","hit":[…]}}}`` with
``info.authors.author`` a list of ``{"@pid","text"}``, a title ending in a period, DOIs
upper-cased in ``doi`` and as registered in ``ee``; zero hits carry no ``hit`` key. A
record's BibTeX is dblp's current layout (field names padded to 13 columns, continuation
lines indented 18 spaces, ``DBLP:`` key prefix, ``timestamp``/``biburl``/``bibsource``).

Register publications (:meth:`DblpServer.add`), then point ``CITEKIT_DBLP_URL`` at
:attr:`DblpServer.url`. A search answers every publication whose title, authors and
venue contain each query word as a word prefix (dblp's own rule: ``attention*``).
Faults: everything in :mod:`tests.servers.base`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .base import ReplayServer, Request, Response

__all__ = ["DblpServer", "Publication"]


@dataclass
class Publication:
    """One dblp record: what its search hit and its BibTeX say."""

    key: str  # "conf/nips/BrownMRSKDNSSAA20"
    title: str  # without dblp's trailing period
    authors: list[str]
    venue: str  # "NeurIPS", "J. Mach. Learn. Res.", "CoRR"
    year: int
    type: str = "Conference and Workshop Papers"
    volume: str = ""
    number: str = ""
    pages: str = ""
    doi: str = ""
    ee: str = ""
    bib_type: str = "inproceedings"
    booktitle: str = ""  # the BibTeX's long booktitle (conferences)
    journal: str = ""  # the BibTeX's journal (articles)
    editors: list[str] = field(default_factory=list)
    publisher: str = ""
    series: str = ""

    def info(self, pid: int) -> dict[str, Any]:
        authors = [{"@pid": f"{pid + i}/{i}", "text": a} for i, a in enumerate(self.authors)]
        info: dict[str, Any] = {
            "authors": {"author": authors},
            "title": self.title + ".",
            "venue": self.venue,
        }
        for name in ("volume", "number", "pages"):
            if getattr(self, name):
                info[name] = getattr(self, name)
        info |= {"year": str(self.year), "type": self.type, "access": "closed", "key": self.key}
        if self.doi:
            info["doi"] = self.doi.upper()
        if self.ee:
            info["ee"] = self.ee
        info["url"] = f"https://dblp.org/rec/{self.key}"
        return info

    def bibtex(self) -> str:
        fields: list[tuple[str, str]] = [("author", " and\n".join(self.authors))]
        if self.editors:
            fields.append(("editor", " and\n".join(self.editors)))
        fields.append(("title", self.title))
        if self.booktitle:
            fields.append(("booktitle", self.booktitle))
        if self.journal:
            fields.append(("journal", self.journal))
        for name in ("series", "volume", "number"):
            if getattr(self, name):
                fields.append((name, getattr(self, name)))
        if self.pages:
            fields.append(("pages", self.pages.replace("-", "--")))
        if self.publisher:
            fields.append(("publisher", self.publisher))
        fields.append(("year", str(self.year)))
        if self.ee:
            fields.append(("url", self.ee.replace("_", r"\_")))
        if self.doi:
            fields.append(("doi", self.doi.replace("_", r"\_")))
        fields += [
            ("timestamp", "Mon, 08 Jan 2024 00:00:00 +0100"),
            ("biburl", f"https://dblp.org/rec/{self.key}.bib"),
            ("bibsource", "dblp computer science bibliography, https://dblp.org"),
        ]
        body = ",\n".join(
            f"  {name:<13}= {{" + value.replace("\n", "\n" + " " * 18) + "}"
            for name, value in fields
        )
        return f"@{self.bib_type}{{DBLP:{self.key},\n{body}\n}}\n\n"


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


class DblpServer(ReplayServer):
    """dblp's search API and record BibTeX on a loopback port (see the module docstring)."""

    def __init__(self) -> None:
        self.publications: dict[str, Publication] = {}
        super().__init__()

    @property
    def url(self) -> str:
        """The site root, for ``CITEKIT_DBLP_URL``."""
        return self.root

    def add(self, publication: Publication) -> Publication:
        self.publications[publication.key] = publication
        return publication

    def respond(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/search/publ/api":
            return Response(200, self._search(request), "application/json")
        if request.path.startswith("/rec/") and request.path.endswith(".bib"):
            found = self.publications.get(request.path[len("/rec/") : -len(".bib")])
            if found is not None:
                return Response(200, found.bibtex().encode(), "text/plain; charset=utf-8")
        return Response(404, b"<html><body>404 Not Found</body></html>", "text/html")

    def garbage_response(self, request: Request) -> Response:
        return Response(200, b'{"result":{"query":"x","hits":', "application/json")

    def _search(self, request: Request) -> bytes:
        wanted = _words(request.param("q"))
        size = int(request.param("h", "30") or 30)
        found = [p for p in self.publications.values() if _matches(wanted, p)]
        hits: dict[str, Any] = {
            "@total": str(len(found)),
            "@computed": str(min(len(found), 100)),
            "@sent": str(min(len(found), size)),
            "@first": "0",
        }
        if found:
            hits["hit"] = [
                {"@score": "9", "@id": str(1000 + i), "info": p.info(100 + i), "url": f"URL#{i}"}
                for i, p in enumerate(found[:size])
            ]
        result = {
            "result": {
                "query": " ".join(w + "*" for w in wanted),
                "status": {"@code": "200", "text": "OK"},
                "time": {"@unit": "msecs", "text": "3.21"},
                "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
                "hits": hits,
            }
        }
        return json.dumps(result, ensure_ascii=False).encode()


def _matches(wanted: list[str], publication: Publication) -> bool:
    text = " ".join([publication.title, *publication.authors, publication.venue])
    words = _words(text)
    return bool(wanted) and all(any(w.startswith(q) for w in words) for q in wanted)
