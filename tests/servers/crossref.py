"""A loopback Crossref REST API (``/works/{doi}``, ``/works?query…``) from registered works.

CONSTRUCTED responses in exactly the format of the habanero recordings in
``../shared/samples/crossref``: ``{"status":"ok","message-type":"work",
"message-version":"1.0.0","message":{…}}`` with Crossref's ``\\/`` escaping, a
``work-list`` message (``facets``, ``total-results``, ``items``, ``items-per-page``,
``query``) for searches, and a plain-text ``Resource not found.`` 404.

Register works, then point ``CITEKIT_CROSSREF_URL`` at :attr:`CrossrefServer.url`::

    server = CrossrefServer()
    server.add("10.1145/1597735.1597738", "Interactively shaping agents via human
               reinforcement", [("W. Bradley", "Knox"), ("Peter", "Stone")],
               type="proceedings-article", container="Proceedings of the fifth
               international conference on Knowledge capture", issued=(2009, 9, 1),
               page="9-16", publisher="ACM", event="K-CAP '09", isbn=["9781605586588"])
    server.search_results("Few-Shot Learners", ["10.18653/v1/2021.mrl-1.1", ...])

* Authors/editors: ``(given, family)`` tuples, plain strings (→ ``name``, an
  organisation) or ready-made dicts. Extra keyword arguments go into the message as
  they are (use Crossref's own key names, e.g. ``**{"article-number": "e1"}``).
* ``GET /works/{doi}``: the registered work (DOI matched case-insensitively), else 404.
* ``GET /works?query.bibliographic=…&query.author=…&rows=N``: the DOIs registered with
  :meth:`CrossrefServer.search_results` for a substring of the query (case-insensitive),
  else every registered work sharing a title word with the query, best overlap first.
  ``total-results`` counts all hits; ``items`` the first ``rows``.

Faults: everything in :mod:`tests.servers.base`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .base import ReplayServer, Request, Response

__all__ = ["CrossrefServer", "work_message"]

_WORKS = "/works"
Person = tuple[str, str] | str | dict[str, Any]


def _person(person: Person, first: bool) -> dict[str, Any]:
    if isinstance(person, dict):
        return person
    sequence = "first" if first else "additional"
    if isinstance(person, str):
        return {"name": person, "sequence": sequence, "affiliation": []}
    given, family = person
    return {"given": given, "family": family, "sequence": sequence, "affiliation": []}


def work_message(
    doi: str,
    title: str,
    authors: list[Person],
    *,
    type: str = "journal-article",
    container: str = "",
    issued: tuple[int, ...] = (),
    page: str = "",
    volume: str = "",
    issue: str = "",
    publisher: str = "",
    event: str = "",
    isbn: list[str] | None = None,
    editors: list[Person] | None = None,
    subtitle: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """A Crossref work ``message`` with the fields citekit reads, in Crossref's key order."""
    message: dict[str, Any] = {
        "indexed": {"date-parts": [[2025, 1, 1]], "date-time": "2025-01-01T00:00:00Z"},
        "reference-count": 0,
        "publisher": publisher,
        "content-domain": {"domain": [], "crossmark-restriction": False},
        "short-container-title": [],
        "DOI": doi.lower(),
        "type": type,
        "created": {"date-parts": [list(issued or (2000,))]},
        "source": "Crossref",
        "title": [title],
        "prefix": doi.split("/", 1)[0],
        "author": [_person(p, i == 0) for i, p in enumerate(authors)],
        "member": "320",
        "container-title": [container] if container else [],
        "original-title": [],
        "score": 1,
        "subtitle": [subtitle] if subtitle else [],
        "short-title": [],
        "issued": {"date-parts": [list(issued) if issued else [None]]},
        "URL": f"https://doi.org/{doi.lower()}",
        "relation": {},
        "subject": [],
    }
    optional = {
        "page": page,
        "volume": volume,
        "issue": issue,
        "event": {"name": event} if event else None,
        "ISBN": isbn,
        "editor": [_person(p, i == 0) for i, p in enumerate(editors or [])] or None,
        "published": {"date-parts": [list(issued)]} if issued else None,
    }
    message |= {k: v for k, v in optional.items() if v}
    return message | extra


def _body(message_type: str, message: dict[str, Any]) -> bytes:
    envelope = {
        "status": "ok",
        "message-type": message_type,
        "message-version": "1.0.0",
        "message": message,
    }
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return text.replace("/", "\\/").encode()


def _words(text: str) -> set[str]:
    return set(re.sub(r"[^\w\s]", " ", text.lower()).split())


class CrossrefServer(ReplayServer):
    """The Crossref REST API on a loopback port (see the module docstring)."""

    def __init__(self) -> None:
        self.works: dict[str, dict[str, Any]] = {}
        self.searches: list[tuple[str, list[str]]] = []
        super().__init__()

    @property
    def url(self) -> str:
        """The API root, for ``CITEKIT_CROSSREF_URL``."""
        return self.root

    def add(self, doi: str, title: str, authors: list[Person], **fields: Any) -> dict[str, Any]:
        """Register a work (see :func:`work_message`); returns its message."""
        return self.add_message(work_message(doi, title, authors, **fields))

    def add_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """Register a ready-made work message (it must carry ``DOI``)."""
        self.works[str(message["DOI"]).lower()] = message
        return message

    def search_results(self, query_contains: str, dois: list[str]) -> None:
        """Searches whose query contains ``query_contains`` answer these registered DOIs."""
        self.searches.append((query_contains.lower(), [d.lower() for d in dois]))

    # -- answering ---------------------------------------------------------------------
    def respond(self, request: Request) -> Response:
        if request.path.startswith(_WORKS + "/"):
            message = self.works.get(request.path[len(_WORKS) + 1 :].lower())
            if message is None:
                return Response(404, b"Resource not found.", "text/plain")
            return Response(200, _body("work", message))
        if request.path.rstrip("/") == _WORKS:
            return Response(200, _body("work-list", self._search(request)))
        return Response(404, b"Resource not found.", "text/plain")

    def garbage_response(self, request: Request) -> Response:
        cut_json = b'{"status":"ok","message-type":"work","message":{"DOI":'
        return Response(200, cut_json, "application/json")

    def _search(self, request: Request) -> dict[str, Any]:
        query = " ".join(
            request.param(name) for name in ("query", "query.bibliographic", "query.author")
        ).strip()
        rows = int(request.param("rows", "20") or 20)
        hits = self._hits(query)
        return {
            "facets": {},
            "total-results": len(hits),
            "items": hits[:rows],
            "items-per-page": rows,
            "query": {"start-index": 0, "search-terms": query},
        }

    def _hits(self, query: str) -> list[dict[str, Any]]:
        low = query.lower()
        for needle, dois in self.searches:
            if needle in low:
                return [self.works[d] for d in dois if d in self.works]
        wanted = _words(query)
        scored = []
        for message in self.works.values():
            overlap = len(wanted & _words(" ".join(message.get("title", []))))
            if overlap:
                scored.append((-overlap, len(scored), message))
        return [m for _, _, m in sorted(scored, key=lambda t: (t[0], t[1]))]
