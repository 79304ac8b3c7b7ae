"""Crossref: works by DOI and bibliographic search, plus a pure parse into Record.

Requests are plain GETs of Crossref's REST API (``/works/{doi}``, ``/works?query…``)
through :func:`citekit.sources.http.get_bounded`, with the mailto in the User-Agent;
without a mailto, ``warn`` is called once (Crossref's "polite pool" wants one). The mailto
never appears in an error message.

Why not ``habanero``: it reads every answer whole with ``httpx`` and offers no hook for a
size limit or a transport, so a 2 MB gzip body inflating to 2 GB was read to the end (and
threads abandoned at the deadline kept inflating). Here no compression is asked for, the
body is read in chunks up to ``MAX_BODY`` bytes, and reading stops at the deadline.

Raw payloads: the cache keeps the JSON body per DOI (``work:<doi>``) and per search;
:func:`parse_work` turns a work ``message`` into a Record, so parser fixes apply to cached
data. A 404 is remembered for a day.

Faults: 429 (``Retry-After`` honoured up to ``RetryPolicy.max_retry_after``),
500/502/503/504, timeouts, refused or dropped connections and unreadable bodies are
retried with backoff; then the one DOI (or search) fails with RateLimited or
SourceUnavailable. ``10.48550/arXiv.*`` DOIs are DataCite's: NotFound, nothing sent.
An invalid DOI raises IdentifierError before anything is sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from ..config import Settings
from ..errors import (
    NotCached,
    NotFound,
    SourceError,
    SourceUnavailable,
)
from ..identifiers import is_arxiv_doi, normalize_doi
from ..model import Record
from .cache import TTL_METADATA, TTL_NEGATIVE, TTL_SEARCH, Cache
from .crossref_work import (
    SHAPE,
    TYPES,
    cached_work,
    message_of,
    parse_work,
    parsed_search,
    parsed_work,
    short,
    work_answers,
)
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

__all__ = ["TYPES", "CrossrefSource", "parse_work"]

SOURCE = "crossref"
MAX_ROWS = 5
MAX_BODY = 16 * 1024 * 1024  # a work is ~10 KB, a search of 5 rows ~100 KB
GIVE_UP = 2  # failed items in a row (each after its retries) before the run stops asking


def _ignore(message: str) -> None:
    """Default ``warn``: the library prints nothing; the CLI passes its own."""


class CrossrefSource:
    """Fetches Crossref works by DOI and searches titles; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        *,
        sleep: Callable[[float], None] = time.sleep,
        warn: Callable[[str], None] = _ignore,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.requests_made = 0
        self._sleep = sleep
        self._warn = warn
        self._retry = retry or RetryPolicy()
        self._user_agent: str | None = None
        self._failures = 0  # failed items in a row (see _trip)
        self._down: str | None = None
        self._down_status: int | None = None

    # -- public ----------------------------------------------------------------------
    def work(self, doi: str) -> Record:
        """The Crossref record of ``doi``; NotFound, RateLimited, SourceUnavailable, NotCached."""
        key = normalize_doi(doi)
        if is_arxiv_doi(key):
            reason = "an arXiv DOI is registered with DataCite, not Crossref; use the arXiv id"
            raise NotFound(SOURCE, key, reason)
        cached = self.cache.get(SOURCE, f"work:{key}", TTL_METADATA)
        record = cached_work(cached, key) if cached is not None else None
        if record is None:
            if self.cache.get("crossref-missing", key, TTL_NEGATIVE) is not None:
                raise NotFound(SOURCE, key, "Crossref has no record of this DOI; check it")
            record = self._fetch_work(key)
        return self._checked(record, key)

    def search(self, title: str, author: str = "", rows: int = 5) -> list[Record]:
        """Up to ``rows`` (<= 5) candidates for ``title`` (``query.bibliographic``/``.author``)."""
        rows = max(1, min(rows, MAX_ROWS))
        query = {"query_bibliographic": _bounded(title), "limit": rows}
        if author.strip():
            query["query_author"] = _bounded(author)
        request = "search:" + json.dumps(query, sort_keys=True, ensure_ascii=False)
        cached = self.cache.get(SOURCE, request, TTL_SEARCH)
        found = parsed_search(cached) if cached is not None else None
        if found is None:
            params = {"query.bibliographic": query["query_bibliographic"], "rows": str(rows)}
            if "query_author" in query:
                params["query.author"] = str(query["query_author"])
            payload = self._ask(title, "/works?" + urlencode(params), "work-list")
            found = parsed_search(payload)
            if found is None:
                raise SourceUnavailable(SOURCE, short(title), SHAPE)
            self.cache.put(SOURCE, request, payload)
        return [self._checked(h, f"search hit {h.doi or short(h.title)}") for h in found[:rows]]

    def _checked(self, record: Record, label: str) -> Record:
        return checked(record, source=SOURCE, label=label, warn=self._warn)

    # -- requests ------------------------------------------------------------------------
    def _fetch_work(self, doi: str) -> Record:
        """Ask Crossref for ``doi``; the answer is parsed and checked before it is cached."""
        try:
            payload = self._ask(doi, "/works/" + quote(doi, safe="/"), "work")
        except NotFound:
            self.cache.put("crossref-missing", doi, b"1")
            raise
        record = parsed_work(payload)
        if record is None:
            raise SourceUnavailable(SOURCE, doi, SHAPE)
        if not work_answers(record, doi):
            said = squash(record.doi)[:80]
            raise SourceUnavailable(SOURCE, doi, f"Crossref answered for another DOI ({said!r})")
        self.cache.put(SOURCE, f"work:{doi}", payload)
        return record

    def _ask(self, label: str, path: str, kind: str) -> bytes:
        if self.cache.offline:
            raise NotCached(SOURCE, label, "not in the cache; run again without --offline")
        if self._down is not None:
            raise SourceUnavailable(SOURCE, label, self._down, self._down_status)
        try:
            body = retrying(lambda: self._once(path, kind), self._retry, self._sleep)
        except Problem as problem:
            error = problem.as_error(SOURCE, label, "Crossref has no record of this DOI; check it")
            self._trip(error)
            raise error from None
        self._failures = 0
        return json.dumps(body, ensure_ascii=False).encode()

    def _trip(self, error: SourceError) -> None:
        """After GIVE_UP failed items in a row (each retried), stop asking in this run.

        Without this a Crossref that hangs costs every entry its full retry budget: 500
        entries x ~20 s. The rest fail at once, with a message that says why.
        """
        if isinstance(error, NotFound):
            self._failures = 0
            return
        self._failures += 1
        if self._failures >= GIVE_UP:
            self._down = (
                f"not asked: Crossref failed {self._failures} times in a row in this run "
                f"({error.message.removesuffix('; try again later')}); try again later"
            )
            self._down_status = error.status

    def _once(self, path: str, kind: str) -> Any:
        self.requests_made += 1
        url = self.settings.crossref_url.rstrip("/") + path
        headers = self._headers()
        timeout = self.settings.timeout
        deadline = deadline_for(timeout)
        stop = Stop(deadline)
        read = lambda: get_bounded(url, headers, timeout, MAX_BODY, stop)  # noqa: E731
        body = within(deadline, read, stop)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise Problem("unreadable answer (not the JSON Crossref sends)") from None
        try:
            message_of(data, kind)
        except SourceUnavailable as exc:
            raise Problem(exc.message) from None
        return data

    def _headers(self) -> dict[str, str]:
        if self._user_agent is None:
            mailto = self._mailto()
            contact = f"; mailto:{mailto}" if mailto else ""
            self._user_agent = f"citekit/{_version()} (https://github.com/citekit{contact})"
        return {"User-Agent": self._user_agent, "Accept": "application/json"}

    def _mailto(self) -> str:
        """The mailto to send, and the one warning about it (none, or a project's URL)."""
        if "crossref_url" in self.settings.from_project:
            # A cloned repository must not learn your address by pointing us elsewhere.
            self._warn(
                f"crossref_url = {self.settings.crossref_url!r} comes from a project file: "
                "asking it without your mailto (set CITEKIT_CROSSREF_URL if you trust it)"
            )
            return self.settings.mailto_for("crossref_url")
        if not self.settings.mailto:
            self._warn(
                "no mailto set for Crossref: set CITEKIT_MAILTO or mailto in citekit.toml "
                "so Crossref can reach you (polite pool)"
            )
        return self.settings.mailto


def _version() -> str:
    """The installed citekit version (``citekit/__init__`` would pull in the whole package)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citekit")
    except PackageNotFoundError:
        return "dev"


def _bounded(text: str, limit: int = 300) -> str:
    """Squashed ``text``, cut at a word within ``limit`` characters.

    A title from an API answer can be 100 KB; as a query it would make a URL no server
    takes. The first words find the work; the match step compares the whole title.
    """
    squashed = " ".join(text.split())
    if len(squashed) <= limit:
        return squashed
    return squashed[:limit].rsplit(" ", 1)[0]


# -- errors -------------------------------------------------------------------------------
