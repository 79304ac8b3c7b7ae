"""A loopback arXiv export API (``/api/query``) answering from registered facts.

CONSTRUCTED responses, written in exactly the current API format of the recordings in
``../shared/samples/arxiv`` (namespaces on ``<feed>``, entry element order, ``http://``
entry ids carrying the version, ``https://`` abs/pdf links, optional ``arxiv:comment`` /
``arxiv:journal_ref`` / ``arxiv:doi`` + doi link, ``arxiv:affiliation`` inside ``<author>``).

Register papers, then point ``CITEKIT_ARXIV_URL`` at :attr:`ArxivServer.url`::

    server = ArxivServer()
    server.add("2005.14165", "Language Models are Few-Shot Learners",
               ["Tom B. Brown", "Benjamin Mann"], published="2020-05-28T17:29:03Z",
               versions=4, primary="cs.CL", categories=["cs.CL"], doi="", journal_ref="")
    server.url            # http://127.0.0.1:PORT/api/query

Behaviour, as the real API:

* ``id_list=a,b,c``: one entry per known id, in request order; unknown (well-formed) ids
  are silently dropped and ``opensearch:totalResults`` is smaller; a bare id answers with
  the latest version, ``idvN`` with that version (unknown versions are dropped).
* A malformed id in ``id_list``: HTTP 400 with arXiv's error feed
  (``incorrect id format for <id>``).
* ``search_query``: ``ti:"phrase"``, ``ti:word``, ``au:name``, ``abs:``/``all:word``,
  joined with ``AND``; matches registered papers (case-insensitive), in registration order.
* ``start`` / ``max_results`` paginate both.

Faults: everything in :mod:`tests.servers.base`, plus :meth:`ArxivServer.empty_pages`
(arXiv's occasional empty page: a feed with no entries; ``claim_total`` picks whether its
``totalResults`` still counts them).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .base import ReplayServer, Request, Response

__all__ = ["ArxivPaper", "ArxivServer", "error_feed"]

_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)
_ID_RE = re.compile(
    r"^(?P<id>\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$"
)
_NOW = "2026-04-12T22:09:36Z"


@dataclass
class ArxivPaper:
    """The facts of one registered paper (names in arXiv's free-form order)."""

    id: str
    title: str
    authors: list[str]
    summary: str = ""
    published: str = "2020-01-01T00:00:00Z"
    updated: str = ""  # default: published (when versions == 1)
    versions: int = 1
    primary: str = "cs.CL"
    categories: list[str] = field(default_factory=list)
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    affiliations: dict[str, list[str]] = field(default_factory=dict)


class ArxivServer(ReplayServer):
    """The arXiv export API on a loopback port (see the module docstring)."""

    def __init__(self) -> None:
        self.papers: dict[str, ArxivPaper] = {}
        self._empty: list[bool] = []
        super().__init__()

    @property
    def url(self) -> str:
        """The query endpoint, for ``CITEKIT_ARXIV_URL``."""
        return self.root + "/api/query"

    def add(self, id: str, title: str, authors: list[str], **facts: object) -> ArxivPaper:
        """Register a paper (keyword facts as in :class:`ArxivPaper`); returns it."""
        paper = ArxivPaper(id, title, list(authors), **facts)  # type: ignore[arg-type]
        self.papers[id] = paper
        return paper

    def empty_pages(self, times: int = 1, *, claim_total: bool = True) -> None:
        """The next ``times`` answers carry no entries (arXiv's occasional empty page)."""
        self._empty.extend([claim_total] * times)

    # -- answering ---------------------------------------------------------------------
    def respond(self, request: Request) -> Response:
        if request.path != "/api/query":
            return Response(404, b"not found", "text/plain")
        ids = [i for i in request.param("id_list").split(",") if i]
        bad = [i for i in ids if not _ID_RE.match(i)]
        if bad:
            return Response(400, error_feed(bad[0]).encode(), "application/atom+xml")
        query = request.param("search_query")
        found = self._by_ids(ids) if ids else self._search(query)
        start = int(request.param("start", "0") or 0)
        size = int(request.param("max_results", "10") or 10)
        page = found[start : start + size]
        total = len(found)
        if self._empty:
            total = total if self._empty.pop(0) else 0
            page = []
        body = _feed(request, query, ids, page, total, start, size)
        return Response(200, body.encode(), "application/atom+xml; charset=utf-8")

    def _by_ids(self, ids: list[str]) -> list[tuple[ArxivPaper, int]]:
        out = []
        for raw in ids:
            match = _ID_RE.match(raw)
            assert match is not None
            paper = self.papers.get(match["id"])
            if paper is None:
                continue
            version = int(match["v"] or paper.versions)
            if version <= paper.versions:
                out.append((paper, version))
        return out

    def _search(self, query: str) -> list[tuple[ArxivPaper, int]]:
        terms = [t.strip() for t in re.split(r"\s+AND\s+", query) if t.strip()]
        return [(p, p.versions) for p in self.papers.values() if all(_hit(p, t) for t in terms)]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _hit(paper: ArxivPaper, term: str) -> bool:
    field_name, _, value = term.partition(":")
    if not value:
        field_name, value = "all", term
    wanted = _norm(value.strip('"'))
    haystacks = {
        "ti": [paper.title],
        "au": paper.authors,
        "abs": [paper.summary],
        "all": [paper.title, paper.summary, *paper.authors],
    }.get(field_name, [])
    return any(f" {wanted} " in f" {_norm(h)} " for h in haystacks)


def _feed(
    request: Request,
    query: str,
    ids: list[str],
    page: list[tuple[ArxivPaper, int]],
    total: int,
    start: int,
    size: int,
) -> str:
    args = f"search_query={query}&id_list={','.join(ids)}&start={start}&max_results={size}"
    link = f"https://arxiv.org/api/query?search_query={query}&start={start}&max_results={size}"
    link += f"&id_list={','.join(ids)}"
    digest = hashlib.sha1(request.raw_path.encode()).digest()
    feed_id = base64.b64encode(digest).decode().rstrip("=")
    parts = [
        _HEAD,
        f"  <id>https://arxiv.org/api/{feed_id}</id>\n",
        f"  <title>arXiv Query: {escape(args)}</title>\n",
        f"  <updated>{_NOW}</updated>\n",
        f'  <link href={quoteattr(link)} type="application/atom+xml"/>\n',
        f"  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>\n",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n",
    ]
    parts += [_entry(paper, version) for paper, version in page]
    parts.append("</feed>\n")
    return "".join(parts)


def _entry(paper: ArxivPaper, version: int) -> str:
    vid = f"{paper.id}v{version}"
    updated = paper.updated or paper.published
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <title>{escape(paper.title)}</title>",
        f"    <updated>{updated}</updated>",
        f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"'
        ' title="pdf"/>',
        f"    <summary>{escape(paper.summary)}</summary>",
    ]
    for category in paper.categories or [paper.primary]:
        lines.append(f'    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>')
    lines.append(f"    <published>{paper.published}</published>")
    if paper.comment:
        lines.append(f"    <arxiv:comment>{escape(paper.comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{paper.primary}"/>')
    if paper.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>")
    for name in paper.authors:
        lines.append("    <author>")
        lines.append(f"      <name>{escape(name)}</name>")
        for aff in paper.affiliations.get(name, []):
            lines.append(f"      <arxiv:affiliation>{escape(aff)}</arxiv:affiliation>")
        lines.append("    </author>")
    if paper.doi:
        lines.append(f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>")
        href = quoteattr(f"https://doi.org/{paper.doi}")
        lines.append(f'    <link rel="related" href={href} title="doi"/>')
    lines.append("  </entry>\n")
    return "\n".join(lines)


def error_feed(bad: str) -> str:
    """arXiv's HTTP 400 error feed for a malformed id (also usable as a fault body)."""
    anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad}"
    return (
        _HEAD + "  <id>https://arxiv.org/</id>\n"
        "  <title>arXiv Search Results</title>\n"
        f"  <updated>{_NOW}</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>{escape(anchor)}</id>\n"
        "    <title>Error</title>\n"
        f"    <updated>{_NOW}</updated>\n"
        f'    <link href={quoteattr(anchor)} rel="alternate" type="text/html"/>\n'
        f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
        "    <author>\n"
        "      <name>arXiv api core</name>\n"
        "    </author>\n"
        "  </entry>\n"
        "</feed>\n"
    )
