"""arXiv: batched ``id_list`` fetches and title searches, plus a pure parse into Record.

The only module importing ``arxiv`` (its transport, ``requests``, is ``transport.py``'s).

Politeness: one ``arxiv.Client`` per source with ``page_size=100``; up to 100 ids per
request; one request at a time, at least ``Settings.arxiv_delay`` (>= 3 s) apart, measured
on an injected clock with an injected sleep. The library's own delay and retries are
switched off (``delay_seconds=0, num_retries=0``) because they use the real clock; this
module retries itself (bounded, exponential backoff with jitter, see ``http.py``).

Raw payloads: the cache stores, per id, the source-level data of the ``arxiv.Result``
as JSON (see :func:`result_payload`); :func:`parse_entry` turns it into a Record, so a
parser fix applies to cached data. Missing ids are remembered for a day (``TTL_NEGATIVE``).

Why the client gets our own ``requests`` session (``_FeedSession``): the library parses
with lxml in recover mode and hides the feed header, so a truncated body would come back
as an entry with fewer authors, and an HTML error page with status 200 as "no such
paper". The session checks every body strictly before the library sees it, applies
``Settings.timeout`` (the library sets none), and reads the 400 error feed's message.

Record conventions (documented choices):

* ``doi``: the authors' own DOI (the published version's) when arXiv lists one, else
  arXiv's DataCite DOI ``10.48550/arXiv.<id>``; test with ``identifiers.is_arxiv_doi``.
* ``note``: the authors' ``journal_ref`` verbatim, when present.
* ``issued``: the v1 date (``published``); ``arxiv_version`` only when the input named
  one; ``type="article"``, ``genre="preprint"``, ``publisher="arXiv"``, ``number=<id>``.
* An id arXiv rejects as malformed (its 400 error feed) comes back as
  ``NotFound(status=400)`` whose message says the id is invalid.
"""

from __future__ import annotations

import json
import logging
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import arxiv

from ..config import Settings
from ..errors import NotCached, NotFound, RateLimited, SourceError, SourceUnavailable
from ..identifiers import parse_arxiv_id
from ..model import Record
from .arxiv_entry import (
    SHAPE,
    cached_entry,
    parse_entry,
    parsed,
    parsed_search,
    result_payload,
    search_query,
    split_name,
    version_of,
)
from .cache import TTL_METADATA, TTL_NEGATIVE, TTL_SEARCH, Cache
from .http import (
    Problem,
    RetryPolicy,
    Stop,
    deadline_for,
    parse_retry_after,
    retrying,
    within,
)
from .transport import BoundedSession, RequestException, Response, Timeout
from .validate import checked

__all__ = ["ArxivSource", "parse_entry", "result_payload", "split_name"]

# The library logs skipped entries; citekit reports through return values, never prints.
logging.getLogger("arxiv").addHandler(logging.NullHandler())

SOURCE = "arxiv"
BATCH = 100
MAX_BODY = 64 * 1024 * 1024  # a feed of 100 entries is ~0.5 MB; more is not arXiv
_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_BAD_ID_RE = re.compile(r"incorrect id format for (\S+)")


class _RejectedIds(Exception):
    """arXiv's 400 error feed: ``ids`` are malformed in arXiv's eyes."""

    def __init__(self, ids: list[str], message: str) -> None:
        super().__init__(message)
        self.ids = ids
        self.message = message


class _FeedSession(BoundedSession):
    """Checks each answer before arxiv parses it (see the module docstring)."""

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout, MAX_BODY)
        self.entries = 0  # <entry> elements in the last good answer

    def checked(self, response: Response) -> None:
        self.entries = _check(response)


def _check(response: Response) -> int:
    """The number of entries in a good answer; raises for anything else."""
    if response.status_code == 400:
        raise _rejected(response.content)
    if response.status_code != 200:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        raise Problem(f"HTTP {response.status_code}", response.status_code, wait)
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError as exc:
        raise Problem(f"unreadable answer ({exc})") from exc
    total = root.findtext(f"{_OPENSEARCH}totalResults")
    if root.tag != f"{_ATOM}feed" or total is None or not total.strip().isdigit():
        raise Problem("the answer is not an arXiv Atom feed")
    entries = root.findall(f"{_ATOM}entry")
    if int(total) > 0 and not entries:
        raise Problem("arXiv sent an empty page")
    return len(entries)


def _rejected(content: bytes) -> Exception:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return Problem("HTTP 400", 400)
    summaries = [e.findtext(f"{_ATOM}summary") or "" for e in root.iter(f"{_ATOM}entry")]
    ids = [m.group(1) for s in summaries for m in [_BAD_ID_RE.search(s)] if m]
    return _RejectedIds(ids, "; ".join(s for s in summaries if s) or "HTTP 400")


def _ignore(message: str) -> None:
    """Default ``warn``: the library prints nothing; the CLI passes its own."""


class ArxivSource:
    """Fetches arXiv records by id (batched) and searches titles; see the module docstring."""

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
        self.cache = cache
        self.requests_made = 0
        self._sleep = sleep
        self._clock = clock
        self._warn = warn
        self._retry = retry or RetryPolicy()
        self._delay = max(settings.arxiv_delay, 3.0)
        self._last: float | None = None
        self._client: Any = None

    # -- public ----------------------------------------------------------------------
    def fetch(self, ids: Sequence[str]) -> dict[str, Record | SourceError]:
        """One result per requested id (as given); up to 100 ids per request."""
        out: dict[str, Record | SourceError] = {}
        keys: dict[str, str] = {}  # given → "id" or "idvN"
        for given in ids:
            found = parse_arxiv_id(given)
            if found is None:
                out[given] = NotFound(SOURCE, given, _invalid_message(given), status=400)
            else:
                keys[given] = found.value + found.version
        answers = self._answers(list(dict.fromkeys(keys.values())))
        for given, key in keys.items():
            out[given] = answers[key]
        return out

    def search(self, title: str, author: str = "", max_results: int = 5) -> list[Record]:
        """Up to ``max_results`` arXiv records whose title (and author) match the query."""
        query = search_query(title, author)
        request = f"{query}|{max_results}"
        cached = self.cache.get("arxiv-search", request, TTL_SEARCH)
        found = parsed_search(cached) if cached is not None else None
        if found is None:
            if self.cache.offline:
                raise NotCached(SOURCE, title, "search not cached; run again without --offline")
            search = arxiv.Search(query=query, max_results=max_results)
            results = self._run(search, title, page_size=max_results)
            payloads = [result_payload(r) for r in results]
            found = [r for r in map(parsed, payloads) if r is not None]
            self.cache.put("arxiv-search", request, json.dumps(payloads).encode())
        return [self._checked(r, f"search hit {r.arxiv_id}") for r in found[:max_results]]

    def _checked(self, record: Record, label: str) -> Record:
        return checked(record, source=SOURCE, label=label, warn=self._warn)

    # -- batching and cache ------------------------------------------------------------
    def _answers(self, keys: list[str]) -> dict[str, Record | SourceError]:
        answers: dict[str, Record | SourceError] = {}
        todo: list[str] = []
        for key in keys:
            known = self._from_cache(key)
            if known is not None:
                answers[key] = known
            elif self.cache.offline:
                answers[key] = NotCached(SOURCE, key, "not in the cache; run without --offline")
            else:
                todo.append(key)
        for start in range(0, len(todo), BATCH):
            answers |= self._fetch_batch(todo[start : start + BATCH])
        return answers

    def _from_cache(self, key: str) -> Record | SourceError | None:
        payload = self.cache.get(SOURCE, key, TTL_METADATA)
        record = cached_entry(payload, key) if payload is not None else None
        if record is not None:
            return self._checked(record, key)
        if self.cache.get("arxiv-missing", key, TTL_NEGATIVE) is not None:
            return NotFound(SOURCE, key, "arXiv has no such paper; check the id")
        return None

    def _fetch_batch(self, keys: list[str]) -> dict[str, Record | SourceError]:
        answers: dict[str, Record | SourceError] = {}
        asked_again = False
        while keys:
            try:
                search = arxiv.Search(id_list=keys, max_results=len(keys))
                results = self._run(search, ",".join(keys))
            except _RejectedIds as exc:
                rejected = [k for k in keys if k in exc.ids] or keys
                for key in rejected:
                    answers[key] = NotFound(SOURCE, key, _invalid_message(key, exc.message), 400)
                keys = [k for k in keys if k not in rejected]
                continue
            except SourceError as exc:
                return answers | {k: _for_key(exc, k) for k in keys}
            if not results and not asked_again:
                # arXiv sometimes answers a good id_list with an empty feed: ask once more
                # before calling every id in the batch missing.
                asked_again = True
                continue
            return answers | self._store(keys, results)
        return answers

    def _store(self, keys: list[str], results: list[Any]) -> dict[str, Record | SourceError]:
        by_key = _index(result_payload(r) for r in results)
        answers: dict[str, Record | SourceError] = {}
        for key in keys:
            payload = by_key.get(key)
            if payload is None:
                self.cache.put("arxiv-missing", key, b"1")
                answers[key] = NotFound(SOURCE, key, "arXiv has no such paper; check the id")
                continue
            record = parsed(payload, version_of(key))
            if record is None:
                answers[key] = SourceUnavailable(SOURCE, key, SHAPE)
                continue
            self.cache.put(SOURCE, key, json.dumps(payload, ensure_ascii=False).encode())
            answers[key] = self._checked(record, key)
        return answers

    # -- one polite request, retried -------------------------------------------------------
    def _run(self, search: Any, label: str, page_size: int = BATCH) -> list[Any]:
        try:
            call = lambda: self._request(search, page_size)  # noqa: E731
            return retrying(call, self._retry, self._sleep)
        except Problem as problem:
            raise problem.as_error(SOURCE, label) from None

    def _request(self, search: Any, page_size: int) -> list[Any]:
        self._wait_turn()
        self.requests_made += 1
        client = self._arxiv_client()
        client.page_size = min(max(page_size, 1), BATCH)  # a title search wants 5, not 100
        try:
            deadline = deadline_for(self.settings.timeout)
            stop = client._session.stop = Stop(deadline)
            results = within(deadline, lambda: list(client.results(search)), stop)
        except Timeout:
            raise Problem(f"no answer within {self.settings.timeout:g} s") from None
        except (RequestException, arxiv.ArxivError) as exc:
            raise Problem(f"connection failed ({type(exc).__name__})") from None
        except (Problem, _RejectedIds):
            raise
        except Exception as exc:  # the library's feed parsing: a date of "0", a bad link …
            reason = f"arXiv sent an entry citekit cannot read ({type(exc).__name__})"
            raise Problem(reason, retryable=False) from None
        finally:
            self._last = self._clock()
        if len(results) < min(client._session.entries, search.max_results or BATCH):
            # the library skips entries it cannot read; never let one pass as "not found"
            raise Problem("arXiv sent an entry without id or dates", retryable=False)
        return results

    def _wait_turn(self) -> None:
        if self._last is not None:
            wait = self._last + self._delay - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _arxiv_client(self) -> Any:
        if self._client is None:
            if "arxiv_url" in self.settings.from_project:
                self._warn(
                    f"arxiv_url = {self.settings.arxiv_url!r} comes from a project file: "
                    "asking it (no credentials are sent to arXiv)"
                )
            client = arxiv.Client(page_size=BATCH, delay_seconds=0, num_retries=0)
            client.query_url_format = self.settings.arxiv_url + "?{}"
            client._session = _FeedSession(self.settings.timeout)  # see module docstring
            self._client = client
        return self._client


def _index(payloads: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Payloads by ``idvN``, and by bare id for the latest version among them."""
    by_key: dict[str, dict[str, Any]] = {}
    newest: dict[str, int] = {}
    for payload in payloads:
        found = parse_arxiv_id(str(payload["id"]))
        if found is None:
            continue
        by_key[found.value + found.version] = payload
        number = int(found.version[1:] or 0)
        if number >= newest.get(found.value, -1):
            newest[found.value] = number
            by_key[found.value] = payload
    return by_key


# -- errors ------------------------------------------------------------------------------


def _for_key(exc: SourceError, key: str) -> SourceError:
    """The batch's error, re-addressed to one id (same type, status and reason)."""
    if isinstance(exc, RateLimited):
        return RateLimited(SOURCE, key, exc.message, exc.status, exc.retry_after)
    return type(exc)(SOURCE, key, exc.message, exc.status)


def _invalid_message(key: str, detail: str = "") -> str:
    said = f" (arXiv: {detail})" if detail else ""
    return f"not a valid arXiv id{said}; use e.g. 2005.14165 or hep-th/9901001"
