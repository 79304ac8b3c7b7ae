"""DBLP: publication search and per-record BibTeX, plus a pure parse into Record.

Requests (stdlib ``urllib``; DBLP has no maintained Python client):

* ``GET {dblp_url}/search/publ/api?q=<title> <first author>&format=json&h=10``: hits
  with ``info.authors``, ``title``, ``venue``, ``volume``, ``number``, ``pages``,
  ``year``, ``type``, ``key``, ``doi``, ``ee`` (:func:`parse_hit`).
* ``GET {dblp_url}/rec/<key>.bib``: the record's own BibTeX, for what a hit lacks
  (editors, the full booktitle, the publisher) (:meth:`DblpSource.record`).

DBLP's ``journals/corr/…`` records are arXiv preprints (CoRR), parsed as ``article`` with
genre ``preprint``: never a published version. DBLP asks for one request per second:
requests are spaced ``Settings.dblp_delay`` apart on an injectable clock, and carry a
``User-Agent`` naming citekit. The cache keeps the raw JSON / BibTeX (searches for a
week, records for 90 days). Faults (429 with ``Retry-After``, 5xx, timeouts, dropped
connections, unreadable bodies) are retried like Crossref's, then the one search fails
with RateLimited or SourceUnavailable; after two failed items in a row the run stops
asking DBLP.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from ..config import Settings
from ..errors import NotCached, NotFound, SourceError, SourceUnavailable
from ..model import Date, Name, Record
from .arxiv import split_name
from .cache import TTL_METADATA, TTL_SEARCH, Cache
from .http import (
    Problem,
    RetryPolicy,
    Stop,
    deadline_for,
    get_bounded,
    retrying,
    squash,
    within,
)
from .validate import checked

__all__ = ["TYPES", "DblpSource", "parse_hit", "parse_search"]

SOURCE = "dblp"
HITS = 10
GIVE_UP = 2
MAX_BODY = 16 * 1024 * 1024
USER_AGENT = "citekit (bibliography manager; https://pypi.org/project/citekit/)"

#: DBLP publication type → CSL type.
TYPES = {
    "Conference and Workshop Papers": "paper-conference",
    "Journal Articles": "article-journal",
    "Parts in Books or Collections": "chapter",
    "Books and Theses": "book",
    "Editorship": "book",
    "Reference Works": "entry-encyclopedia",
    "Informal and Other Publications": "article",
    "Informal Publications": "article",
}
_HOMONYM = re.compile(r"\s+\d{4}$")  # "Xiaopeng Zhang 0009"
_FOLDED_PAGES = re.compile(r"^(\d+):(\d+)\s*-+\s*\1:(\d+)$")  # JMLR "70:1-70:53"


def _ignore(message: str) -> None:
    """Default ``warn``: the library prints nothing; the CLI passes its own."""


class DblpSource:
    """Searches DBLP and fetches its records; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        retry: RetryPolicy | None = None,
        warn: Callable[[str], None] = _ignore,
    ) -> None:
        self.settings = settings
        self._warn = warn
        self.cache = cache
        self.requests_made = 0
        self._sleep = sleep
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._last: float | None = None
        self._failures = 0
        self._down: str | None = None

    # -- public ----------------------------------------------------------------------
    def search(self, title: str, author: str = "") -> list[Record]:
        """Up to 10 hits for ``title`` (and the first author's family name)."""
        query = " ".join(f"{_bounded(title)} {author}".split())
        request = f"search:{query}"
        payload = self.cache.get(SOURCE, request, TTL_SEARCH)
        if payload is None:
            params = {"q": query, "format": "json", "h": str(HITS)}
            path = "/search/publ/api?" + urllib.parse.urlencode(params)
            payload = self._get(path, title, _search_body)  # unreadable: retried, not cached
            self.cache.put(SOURCE, request, payload)
        return [self._checked_hit(r, title) for r in parse_search(_search_body(payload))]

    def record(self, key: str) -> Record:
        """The record ``key`` (``conf/nips/BrownMRSKDNSSAA20``) from its own BibTeX."""
        if not re.fullmatch(r"[\w/.+-]+", key) or ".." in key:
            raise NotFound(SOURCE, key, "not a DBLP record key")
        payload = self.cache.get(SOURCE, f"rec:{key}", TTL_METADATA)
        if payload is None:
            payload = self._get(f"/rec/{key}.bib", key, lambda body: _bib_record(body, key))
            self.cache.put(SOURCE, f"rec:{key}", payload)
        return checked(_bib_record(payload, key), source=SOURCE, label=key, warn=self._warn)

    def _checked_hit(self, record: Record, label: str) -> Record:
        """A hit through the source boundary, which clears ``extra``: the key is put back."""
        clean = checked(record, source=SOURCE, label=label, warn=self._warn)
        return clean.with_(extra=record.extra)

    # -- requests --------------------------------------------------------------------
    def _get(self, path: str, label: str, check: Callable[[bytes], object]) -> bytes:
        """The body at ``path``, retried until ``check`` (a parse) accepts it."""
        if self.cache.offline:
            raise NotCached(SOURCE, label, "not in the cache; run again without --offline")
        if self._down is not None:
            raise SourceUnavailable(SOURCE, label, self._down)
        url = self.settings.dblp_url.rstrip("/") + path
        try:
            body = retrying(lambda: self._checked(url, check), self._retry, self._sleep)
        except Problem as problem:
            error = problem.as_error(SOURCE, label, "DBLP has no such record")
            self._trip(error)
            raise error from None
        self._failures = 0
        return body

    def _trip(self, error: SourceError) -> None:
        if isinstance(error, NotFound):
            return
        self._failures += 1
        if self._failures >= GIVE_UP:
            reason = error.message.removesuffix("; try again later")
            self._down = f"not asked: DBLP failed {self._failures} times in a row ({reason})"

    def _checked(self, url: str, check: Callable[[bytes], object]) -> bytes:
        body = self._once(url)
        try:
            check(body)
        except SourceUnavailable as exc:
            raise Problem(exc.message) from None
        return body

    def _once(self, url: str) -> bytes:
        self._space()
        self.requests_made += 1
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json, text/plain"}
        deadline = deadline_for(self.settings.timeout)
        stop = Stop(deadline)  # reading ends at the deadline, also in an abandoned thread
        timeout = self.settings.timeout
        return within(deadline, lambda: get_bounded(url, headers, timeout, MAX_BODY, stop), stop)

    def _space(self) -> None:
        """DBLP's fair-use rule: at most one request per ``dblp_delay`` seconds."""
        if self._last is not None:
            wait = self.settings.dblp_delay - (self._clock() - self._last)
            if wait > 0:
                self._sleep(wait)
        self._last = self._clock()


def _bounded(text: str, limit: int = 200) -> str:
    """The first words of ``text`` (a 100 KB title makes no URL a server takes)."""
    squashed = " ".join(text.split())
    return squashed if len(squashed) <= limit else squashed[:limit].rsplit(" ", 1)[0]


def _search_body(payload: bytes) -> dict[str, Any]:
    try:
        body = json.loads(payload)
        result = body["result"]
        hits = result["hits"]
    except (ValueError, KeyError, TypeError):
        raise SourceUnavailable(SOURCE, "search", "unexpected answer (not DBLP's JSON)") from None
    if not isinstance(hits, dict):
        raise SourceUnavailable(SOURCE, "search", "unexpected answer (not DBLP's JSON)")
    return hits


def _bib_record(payload: bytes, key: str) -> Record:
    from ..bibtex.parse import parse_text
    from ..errors import LibraryError

    try:
        _, records = parse_text(payload.decode("utf-8"), f"dblp:{key}")
    except (UnicodeDecodeError, LibraryError):
        records = ()
    if len(records) != 1 or not records[0].title:
        raise SourceUnavailable(SOURCE, key, "unexpected answer (not one BibTeX record)")
    record = records[0]
    return _shaped(record.with_(key="", title=record.title.rstrip(".")), key)


# -- pure parse ------------------------------------------------------------------------
def parse_search(hits: dict[str, Any]) -> list[Record]:
    """Records from the ``result.hits`` object of a search answer (no ``hit``: none)."""
    found = hits.get("hit") or []
    if isinstance(found, dict):  # DBLP sends a bare object for a single hit
        found = [found]
    if not isinstance(found, list):
        return []
    return [
        parse_hit(h["info"])
        for h in found
        if isinstance(h, dict) and isinstance(h.get("info"), dict)
    ]


def _authors(info: dict[str, Any]) -> tuple[Name, ...]:
    authors = info.get("authors")
    people = authors.get("author") or [] if isinstance(authors, dict) else []
    if isinstance(people, (dict, str)):
        people = [people]
    names = []
    for person in people:
        text = person.get("text", "") if isinstance(person, dict) else person
        names.append(split_name(_HOMONYM.sub("", squash(str(text)))))
    return tuple(names)


def _str(value: Any) -> str:
    return squash(str(value)) if isinstance(value, (str, int)) else ""


def parse_hit(info: dict[str, Any]) -> Record:
    """A Record from one hit's ``info`` (pure). CoRR records come out as preprints."""
    key = _str(info.get("key"))
    year = _str(info.get("year"))
    record = Record(
        type=TYPES.get(_str(info.get("type")), "document"),
        title=_str(info.get("title")).rstrip("."),
        author=_authors(info),
        issued=Date(int(year)) if year.isdigit() else None,
        container_title=_str(info.get("venue")),
        volume=_str(info.get("volume")),
        issue=_str(info.get("number")),
        page=_str(info.get("pages")),
        doi=_str(info.get("doi")).lower(),
        url=_str(info.get("ee")),
    )
    return _shaped(record, key)


def _shaped(record: Record, key: str) -> Record:
    """DBLP conventions undone: CoRR is a preprint, JMLR's ``70:1-70:53`` is number + pages."""
    changes: dict[str, Any] = {"extra": (("dblp", key),)}
    if key.startswith("journals/corr/") or record.container_title == "CoRR":
        changes |= {"type": "article", "genre": "preprint"}
    folded = _FOLDED_PAGES.match(record.page.replace("--", "-"))
    if folded and not record.issue:
        changes |= {"issue": folded[1], "page": f"{folded[2]}-{folded[3]}"}
    if record.doi.startswith("10.48550/arxiv."):
        changes["doi"] = ""  # arXiv's DataCite DOI names the preprint, not this record
    return record.with_(**changes)


def dblp_key(record: Record) -> str:
    """The DBLP key a parsed record came from ("" for other sources)."""
    return record.extra_get("dblp") or ""
