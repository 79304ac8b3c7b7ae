"""OpenAlex: works by DOI and by title search, through ``pyalex``, plus a pure parse.

The only module importing ``pyalex``. pyalex builds the query (``Works()["doi:…"]``,
``Works().search_filter(title=…)``), sends it with its own session and auth (``From:``
the ``mailto`` for OpenAlex's polite pool, a ``User-Agent`` naming citekit) and wraps
the answer. pyalex 0.21 writes ``https://api.openalex.org`` into every entity URL and
ignores ``config.openalex_url`` there, so citekit swaps the scheme and host for
``Settings.openalex_url`` and hands the URL to pyalex's fetch (``_get_from_url``); revisit
when pyalex honours the setting. pyalex's own retries are switched off: citekit retries
(429 with ``Retry-After``, 5xx, timeouts) like its other sources, within a deadline.
pyalex's fetch takes a session: it gets citekit's :class:`~.transport.BoundedSession`, so
every read has a timeout, the body is capped at 16 MB (decoded) and reading stops at the
request's deadline (pyalex's own session sets no timeout and reads any body whole).

A work whose primary location is a repository (arXiv, SSRN, bioRxiv…) or whose type is
``preprint`` is parsed as a preprint: never a published version. The cache keeps the
raw JSON (works 90 days, searches a week, "no such DOI" a day).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from ..config import Settings
from ..errors import NotCached, NotFound, SourceError, SourceUnavailable
from ..identifiers import normalize_doi
from ..model import Date, Name, Record
from .arxiv import split_name
from .cache import TTL_METADATA, TTL_NEGATIVE, TTL_SEARCH, Cache
from .http import (
    Problem,
    RetryPolicy,
    Stop,
    deadline_for,
    parse_retry_after,
    retrying,
    squash,
    within,
)
from .transport import BoundedSession
from .validate import checked

__all__ = ["TYPES", "OpenAlexSource", "parse_work"]

SOURCE = "openalex"
ROWS = 5
GIVE_UP = 2
MAX_BODY = 16 * 1024 * 1024  # a work is ~10-500 KB, a page of 5 a few MB; as Crossref

#: Crossref-style type (``type_crossref``, else ``type``) → CSL type.
TYPES = {
    "journal-article": "article-journal",
    "article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book": "book",
    "dissertation": "thesis",
    "report": "report",
    "dataset": "dataset",
    "posted-content": "article",
    "preprint": "article",
}


def _ignore(message: str) -> None:
    """Default ``warn``: the library prints nothing; the CLI passes its own."""


class OpenAlexSource:
    """Fetches OpenAlex works by DOI and searches titles; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        *,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        warn: Callable[[str], None] = _ignore,
    ) -> None:
        self.settings = settings
        self._warn = warn
        self.cache = cache
        self.requests_made = 0
        self._sleep = sleep
        self._retry = retry or RetryPolicy()
        self._failures = 0
        self._down: str | None = None
        self._bounded: BoundedSession | None = None

    @property
    def _session(self) -> BoundedSession:
        """One bounded session for the run: connections are kept alive between requests."""
        if self._bounded is None:
            self._bounded = BoundedSession(self.settings.timeout, MAX_BODY)
        return self._bounded

    # -- public ----------------------------------------------------------------------
    def work(self, doi: str) -> Record:
        """The OpenAlex work of ``doi``; NotFound when OpenAlex has none."""
        key = normalize_doi(doi)
        payload = self.cache.get(SOURCE, f"work:{key}", TTL_METADATA)
        if payload is None:
            if self.cache.get("openalex-missing", key, TTL_NEGATIVE) is not None:
                raise NotFound(SOURCE, key, "OpenAlex has no work with this DOI")
            try:
                payload = self._ask(key, lambda works: works[f"doi:{key}"], single=True)
            except NotFound:
                self.cache.put("openalex-missing", key, b"1")
                raise
            self.cache.put(SOURCE, f"work:{key}", payload)
        return checked(parse_work(_work(payload)), source=SOURCE, label=key, warn=self._warn)

    def search(self, title: str, author: str = "") -> list[Record]:
        """Up to 5 works whose title matches ``title`` (``filter=title.search:…``).

        ``author`` is not sent: OpenAlex filters authors by id, not by name; the match
        step compares first authors.
        """
        del author
        query = _bounded(title)
        request = f"search:{query}"
        payload = self.cache.get(SOURCE, request, TTL_SEARCH)
        if payload is None:
            payload = self._ask(title, lambda works: works.search_filter(title=query))
            self.cache.put(SOURCE, request, payload)
        try:
            results = json.loads(payload).get("results") or []
        except (ValueError, AttributeError):
            results = []  # a damaged cache row: nothing found (the next run asks again)
        return [
            checked(parse_work(w), source=SOURCE, label=title, warn=self._warn)
            for w in results
            if isinstance(w, dict)
        ]

    # -- requests --------------------------------------------------------------------
    def _ask(self, label: str, build: Callable[[Any], Any], *, single: bool = False) -> bytes:
        if self.cache.offline:
            raise NotCached(SOURCE, label, "not in the cache; run again without --offline")
        if self._down is not None:
            raise SourceUnavailable(SOURCE, label, self._down)
        try:
            body = retrying(lambda: self._once(build, single), self._retry, self._sleep)
        except Problem as problem:
            error = problem.as_error(SOURCE, label, "OpenAlex has no such work")
            self._trip(error)
            raise error from None
        self._failures = 0
        return json.dumps(body, ensure_ascii=False).encode()

    def _trip(self, error: SourceError) -> None:
        if isinstance(error, NotFound):
            return
        self._failures += 1
        if self._failures >= GIVE_UP:
            reason = error.message.removesuffix("; try again later")
            self._down = f"not asked: OpenAlex failed {self._failures} times in a row ({reason})"

    def _once(self, build: Callable[[Any], Any], single: bool) -> Any:
        import pyalex

        self.requests_made += 1
        pyalex.config.email = self.settings.mailto_for("openalex_url") or None
        pyalex.config.user_agent = (
            "citekit (bibliography manager; https://pypi.org/project/citekit/)"
        )
        pyalex.config.max_retries = 0  # citekit retries itself (see the module docstring)
        works = pyalex.Works()
        url = _rebased(self._url(build, works, single), self.settings.openalex_url)
        deadline = deadline_for(self.settings.timeout)
        session = self._session
        stop = session.stop = Stop(deadline)  # the request takes it as it starts
        try:
            answer = within(deadline, lambda: works._get_from_url(url, session=session), stop)
        except Problem:
            raise
        except Exception as exc:  # requests/pyalex raise many types; _problem sorts them
            raise _problem(exc) from None
        if single:
            return dict(answer)
        return {"meta": dict(answer.meta or {}), "results": [dict(w) for w in answer]}

    @staticmethod
    def _url(build: Callable[[Any], Any], works: Any, single: bool) -> str:
        """The URL pyalex would fetch, without fetching it."""
        if single:
            # ``works[id]`` fetches at once; read the URL it would use instead.
            target = build(_Capture())
            works.params = target
            return str(works.url)
        url = str(build(works).url)
        return url + ("&" if "?" in url else "?") + f"per-page={ROWS}"


class _Capture:
    """Records the id ``works[id]`` would be asked for."""

    def __getitem__(self, record_id: str) -> str:
        return record_id


def _rebased(url: str, base: str) -> str:
    """pyalex's ``https://api.openalex.org/…`` URL on the configured base URL."""
    parts = urllib.parse.urlsplit(url)
    root = urllib.parse.urlsplit(base.rstrip("/"))
    return urllib.parse.urlunsplit(
        (root.scheme, root.netloc, root.path + parts.path, parts.query, "")
    )


def _bounded(text: str, limit: int = 200) -> str:
    squashed = " ".join(text.replace(",", " ").replace(":", " ").split())
    return squashed if len(squashed) <= limit else squashed[:limit].rsplit(" ", 1)[0]


def _problem(exc: BaseException) -> Problem:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int) and status != 200:
        headers = getattr(response, "headers", None) or {}
        return Problem(f"HTTP {status}", status, parse_retry_after(headers.get("Retry-After")))
    name = type(exc).__name__
    if "Timeout" in name:
        return Problem(f"no answer in time ({name})")
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return Problem("unreadable answer (not OpenAlex's JSON)")
    return Problem(f"connection failed ({name})")


def _work(payload: bytes) -> dict[str, Any]:
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    if not isinstance(body, dict) or "id" not in body:
        raise SourceUnavailable(SOURCE, "work", "unexpected answer (not an OpenAlex work)")
    return body


# -- pure parse ------------------------------------------------------------------------
def _text(value: Any) -> str:
    return squash(str(value)) if isinstance(value, (str, int)) else ""


def _name(authorship: dict[str, Any]) -> Name:
    raw = _text(authorship.get("raw_author_name"))
    person = authorship.get("author")
    shown = _text(person.get("display_name")) if isinstance(person, dict) else ""
    if "," in raw:  # "Brown, Tom B."
        family, _, given = raw.partition(",")
        return Name(family=family.strip(), given=given.strip())
    return split_name(shown or raw)


def _source(location: Any) -> dict[str, Any]:
    source = location.get("source") if isinstance(location, dict) else None
    return source if isinstance(source, dict) else {}


def _pages(biblio: dict[str, Any]) -> str:
    first, last = _text(biblio.get("first_page")), _text(biblio.get("last_page"))
    return f"{first}-{last}" if first and last and first != last else first


def parse_work(work: dict[str, Any]) -> Record:
    """A Record from an OpenAlex work object (pure)."""
    primary = work.get("primary_location")
    source = _source(primary)
    kind = _text(work.get("type_crossref")) or _text(work.get("type"))
    preprint = source.get("type") == "repository" or work.get("type") == "preprint"
    biblio = work.get("biblio") if isinstance(work.get("biblio"), dict) else {}
    year = work.get("publication_year")
    doi = _text(work.get("doi")).lower().removeprefix("https://doi.org/")
    people = [a for a in work.get("authorships") or [] if isinstance(a, dict)]
    return Record(
        type="article" if preprint else TYPES.get(kind, "document"),
        genre="preprint" if preprint else "",
        title=_text(work.get("title") or work.get("display_name")),
        author=tuple(_name(a) for a in people),
        issued=Date(year) if isinstance(year, int) else None,
        container_title="" if preprint else _text(source.get("display_name")),
        volume=_text((biblio or {}).get("volume")),
        issue=_text((biblio or {}).get("issue")),
        page=_pages(biblio or {}),
        publisher=_text(source.get("host_organization_name")),
        doi="" if doi.startswith("10.48550/arxiv.") else doi,
        url=_text((primary or {}).get("landing_page_url")) if isinstance(primary, dict) else "",
    )
