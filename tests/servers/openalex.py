"""A loopback OpenAlex works API (``/works/doi:…``, ``/works?filter=title.search:…``).

CONSTRUCTED answers in exactly the shapes of the recordings in ``../shared/samples/openalex``
(see ``tests/data/openalex/README.md``): a bare work object for ``/works/{id}``, a list
``{"meta":{"count","db_response_time_ms","page","per_page","groups_count"},"results":[…],
"group_by":[]}`` for searches (each result with ``relevance_score``), full-URL ids and DOIs,
``biblio`` values as strings or null, ``primary_location.source`` with its ``type``
(``conference``, ``journal``, ``repository``), and an HTML 404 for an unknown id.

Register works (:meth:`OpenAlexServer.add`, keyword facts → :func:`work_object`), then
point ``CITEKIT_OPENALEX_URL`` at :attr:`OpenAlexServer.url`. A title search answers every
work whose title contains each query word. Faults: everything in :mod:`tests.servers.base`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .base import ReplayServer, Request, Response

__all__ = ["OpenAlexServer", "work_object"]

SOURCES = {
    "neurips": ("S4306420609", "Neural Information Processing Systems", "conference"),
    "jmlr": ("S118988714", "Journal of Machine Learning Research", "journal"),
    "arxiv": ("S4306400194", "arXiv (Cornell University)", "repository"),
}


def work_object(
    id: str,
    title: str,
    authors: list[str],
    year: int,
    *,
    source: str | tuple[str, str, str] = "arxiv",
    type: str = "article",
    type_crossref: str = "proceedings-article",
    doi: str = "",
    volume: str | None = None,
    issue: str | None = None,
    pages: tuple[str, str] | None = None,
    landing: str = "",
) -> dict[str, Any]:
    """A work object with the keys OpenAlex sends, in its order (the ones citekit reads)."""
    sid, name, kind = SOURCES[source] if isinstance(source, str) else source
    location = {
        "is_oa": kind == "repository",
        "landing_page_url": landing or None,
        "pdf_url": None,
        "source": {
            "id": f"https://openalex.org/{sid}",
            "display_name": name,
            "issn_l": None,
            "issn": None,
            "is_oa": kind == "repository",
            "is_in_doaj": False,
            "is_core": kind != "repository",
            "host_organization": None,
            "host_organization_name": None,
            "host_organization_lineage": [],
            "host_organization_lineage_names": [],
            "type": kind,
        },
        "license": None,
        "license_id": None,
        "version": "submittedVersion" if kind == "repository" else "publishedVersion",
        "is_accepted": kind != "repository",
        "is_published": kind != "repository",
    }
    doi_url = f"https://doi.org/{doi.lower()}" if doi else None
    return {
        "id": f"https://openalex.org/{id}",
        "doi": doi_url,
        "title": title,
        "display_name": title,
        "relevance_score": 812.5,
        "publication_year": year,
        "publication_date": f"{year}-01-01",
        "ids": {"openalex": f"https://openalex.org/{id}"} | ({"doi": doi_url} if doi_url else {}),
        "language": "en",
        "primary_location": location,
        "type": type,
        "type_crossref": type_crossref,
        "indexed_in": ["arxiv", "datacite"] if kind == "repository" else [],
        "authorships": [
            {
                "author_position": "first" if i == 0 else "middle",
                "author": {
                    "id": f"https://openalex.org/A{5000 + i}",
                    "display_name": a,
                    "orcid": None,
                },
                "institutions": [],
                "countries": [],
                "is_corresponding": False,
                "raw_author_name": a,
                "raw_affiliation_strings": [],
                "affiliations": [],
            }
            for i, a in enumerate(authors)
        ],
        "biblio": {
            "volume": volume,
            "issue": issue,
            "first_page": pages[0] if pages else None,
            "last_page": pages[1] if pages else None,
        },
        "is_retracted": False,
        "is_paratext": False,
        "locations_count": 1,
        "locations": [location],
        "updated_date": "2025-06-11T00:00:00.000000",
        "created_date": "2020-06-01",
    }


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


class OpenAlexServer(ReplayServer):
    """OpenAlex's works endpoints on a loopback port (see the module docstring)."""

    def __init__(self) -> None:
        self.works: list[dict[str, Any]] = []
        super().__init__()

    @property
    def url(self) -> str:
        """The API root, for ``CITEKIT_OPENALEX_URL``."""
        return self.root

    def add(self, **facts: Any) -> dict[str, Any]:
        work = work_object(**facts)
        self.works.append(work)
        return work

    def respond(self, request: Request) -> Response:
        if request.path.startswith("/works/"):
            wanted = request.path[len("/works/") :].lower()
            for work in self.works:
                if wanted in (f"doi:{(work['doi'] or '')[16:]}", work["id"][21:].lower()):
                    return Response(200, json.dumps(work).encode())
            return Response(404, b"<!doctype html><title>404 Not Found</title>", "text/html")
        if request.path.rstrip("/") == "/works":
            return Response(200, self._search(request))
        return Response(404, b"<!doctype html><title>404 Not Found</title>", "text/html")

    def _search(self, request: Request) -> bytes:
        flt = request.param("filter")
        wanted = _words(flt.split("title.search:", 1)[1]) if "title.search:" in flt else []
        per_page = int(request.param("per-page", "25") or 25)
        found = [w for w in self.works if wanted and set(wanted) <= set(_words(w["title"]))]
        meta = {
            "count": len(found),
            "db_response_time_ms": 41,
            "page": 1,
            "per_page": per_page,
            "groups_count": None,
        }
        return json.dumps({"meta": meta, "results": found[:per_page], "group_by": []}).encode()
