"""Merge the links of a document into a library: dedup, collections, report (pure).

Every link ends as exactly one of:

* ``added``: a new entry (a stub for ``citekit resolve`` to complete);
* ``merged``: it names an entry already there (same arXiv id, DOI or normalised URL) and
  adds a collection to it; nothing else of that entry changes;
* ``unchanged``: the entry is there and already in that collection (a re-import);
* ``skipped``: images, chat-group invites, stars lists, titles without a link, … with
  the reason.

Collections mirror the heading path under a root: the document's title (a single H1 at
the top) or, failing that, the file's stem. Section numbers (``2.2``) and a Chinese
gloss in brackets after an English heading (``Tech Guide(技术入门)``) are dropped, so the
hub's section 2.2 is ``Large Language Model & GPT-4 Hub/Tech Guide/ChatGPT技术报告``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CitekitError
from ..identifiers import parse_identifier
from ..model import Record, plain_text
from .links import Link, Skip, classify, normalize_url

__all__ = [
    "STATUSES",
    "ImportPlan",
    "Item",
    "collection_name",
    "heading_matches",
    "identities",
    "plan_import",
    "title_keys",
]

STATUSES = ("added", "merged", "unchanged", "skipped")

# A PDF or report link carries only a title; it names a paper of the library when the
# titles agree (or the link's is the paper's title before its subtitle). Web pages,
# software and datasets never match by title: two answers to one question share theirs.
_PAPER_STUBS = frozenset({"document", "report"})
_NOT_PAPERS = frozenset({"webpage", "post-weblog", "software", "dataset"})
_MIN_TITLE_WORDS = 4

_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")
_GLOSS = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*$")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@dataclass(frozen=True, slots=True)
class Item:
    """What became of one link: status, entry key, collection; ``reason`` says why it was
    skipped, or that it was merged by title."""

    status: str
    line: int
    url: str
    text: str
    collection: str
    key: str = ""
    type: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The item as plain data for ``--json``; empty fields left out."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in ("", 0)}


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The records to write (changed existing ones and new ones, keyed) and the report."""

    records: tuple[Record, ...]
    items: tuple[Item, ...]

    def counts(self) -> dict[str, int]:
        """How many links ended in each status."""
        found = Counter(item.status for item in self.items)
        return {status: found.get(status, 0) for status in STATUSES}

    @property
    def changed(self) -> bool:
        """Whether the library would change."""
        return bool(self.records)

    def summary(self) -> str:
        """One line: ``import-md: 43 added, 2 merged, 0 unchanged, 6 skipped``."""
        counts = self.counts()
        return "import-md: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES)


@dataclass(frozen=True, slots=True)
class Placed:
    """A link and the collection it goes to (what :func:`plan_import` consumes)."""

    link: Link
    line: int
    collection: str


def collection_name(root: str, path: Sequence[str]) -> str:
    """``root/Heading/Sub`` with numbers, glosses, ``/`` and ``,`` taken out of headings."""
    names = [_segment(root)] if root.strip() else []
    names += [_segment(h) for h in path]
    return "/".join(n for n in names if n)


def _segment(heading: str) -> str:
    text = " ".join(heading.split())
    bare = _NUMBER.sub("", text) or text
    gloss = _GLOSS.search(bare)
    if gloss and _CJK.search(gloss[1]) and not _CJK.search(bare[: gloss.start()]):
        bare = bare[: gloss.start()].strip() or bare
    # "/" nests and "," separates collections in ``groups``; braces would unbalance it.
    return re.sub(r"\s*[/,{}]\s*", " - ", bare).strip(" -")


def heading_matches(wanted: str, path: Sequence[str]) -> bool:
    """Whether ``wanted`` names a heading on ``path``: its text, cleaned name or number.

    ``wanted`` may be a path tail (``Tech Guide/ChatGPT技术报告``).
    """
    want = [_fold(w) for w in wanted.split("/") if w.strip()]
    if not want:
        return False
    for end in range(len(path), 0, -1):
        tail = path[end - len(want) : end] if end >= len(want) else ()
        if len(tail) == len(want) and all(_same(w, h) for w, h in zip(want, tail, strict=True)):
            return True
    return False


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def _same(wanted: str, heading: str) -> bool:
    number = _NUMBER.match(heading)
    names = {_fold(heading), _fold(_segment(heading))}
    if number:
        names.add(_fold(number.group()))
    return wanted in names


def plan_import(
    existing: Sequence[Record],
    placed: Iterable[Placed],
    assign: Callable[[tuple[Record, ...], set[str]], Iterable[Record]],
) -> ImportPlan:
    """Match each link to the library or to a new stub; ``assign`` gives new stubs keys.

    ``assign(records, taken)`` returns the records with keys (``keys.assign_keys``).
    ``existing`` is never mutated; the plan lists only records that change.
    """
    state = _State(list(existing))
    for place in placed:
        state.place(place)
    return state.finish(assign)


class _State:
    """The running merge: the library, the new stubs, and an index over both."""

    def __init__(self, existing: list[Record]) -> None:
        self.records = existing
        self.first_new = len(existing)
        self.touched: set[int] = set()
        self.index: dict[str, int] = {}
        self.titles: dict[str, int] = {}
        self.items: list[tuple[Item, int | None]] = []
        for position, record in enumerate(existing):
            self._index(record, position)

    def _index(self, record: Record, position: int) -> None:
        for ident in identities(record):
            self.index.setdefault(ident, position)
        for key in title_keys(record, main=position < self.first_new):
            self.titles.setdefault(key, position)

    def place(self, place: Placed) -> None:
        link = place.link
        stub = classify(link)
        base = Item("", place.line, link.url, link.text, place.collection)
        if isinstance(stub, Skip):
            self.items.append((_with(base, status="skipped", reason=stub.reason), None))
            return
        position = next((self.index[i] for i in identities(stub) if i in self.index), None)
        if position is None and stub.type in _PAPER_STUBS:
            position = next((self.titles[t] for t in title_keys(stub) if t in self.titles), None)
            base = _with(base, reason="" if position is None else "same title as an entry there")
        if position is None:
            position = len(self.records)
            self.records.append(stub.with_(collections=(place.collection,)))
            self._index(stub, position)
            self.items.append((_with(base, status="added", type=stub.type), position))
            return
        record = self.records[position]
        status = "unchanged"
        if place.collection not in record.collections:
            self.records[position] = record.with_(
                collections=(*record.collections, place.collection)
            )
            status, self.touched = "merged", self.touched | {position}
        self.items.append((_with(base, status=status, type=record.type), position))

    def finish(
        self, assign: Callable[[tuple[Record, ...], set[str]], Iterable[Record]]
    ) -> ImportPlan:
        new = self.records[self.first_new :]
        taken = {r.key for r in self.records[: self.first_new] if r.key}
        keyed = tuple(assign(tuple(new), taken)) if new else ()
        if len(keyed) != len(new):
            raise CitekitError("import-md: key assignment lost records; nothing was written")
        self.records[self.first_new :] = keyed
        changed = [self.records[p] for p in sorted(self.touched) if p < self.first_new]
        items = tuple(
            _with(item, key=self.records[p].key) if p is not None else item
            for item, p in self.items
        )
        return ImportPlan((*changed, *keyed), items)


def _with(item: Item, **changes: Any) -> Item:
    values = {k: getattr(item, k) for k in item.__slots__}
    return Item(**(values | changes))


def title_keys(record: Record, *, main: bool = False) -> tuple[str, ...]:
    """``title:WORDS`` for a paper-like record with a title of four words or more.

    With ``main``, also the title before its subtitle (``A Title: The Subtitle``).
    """
    if record.type in _NOT_PAPERS:
        return ()
    titles = [plain_text(record.title)]
    if main:
        titles.append(re.split(r"\s*(?::|：|\s-\s|\s—\s)\s*", titles[0], maxsplit=1)[0])
    out = []
    for title in titles:
        words = re.findall(r"\w+", title.casefold())
        if len(words) >= _MIN_TITLE_WORDS:
            out.append("title:" + " ".join(words))
    return tuple(dict.fromkeys(out))


def identities(record: Record) -> tuple[str, ...]:
    """The keys an entry is recognised by: ``arxiv:ID``, ``doi:DOI``, ``url:NORMALISED``.

    An arXiv DataCite DOI, or a DOI or arXiv URL in ``url``, counts as that identifier.
    """
    out: list[str] = []
    if record.arxiv_id:
        out.append(f"arxiv:{record.arxiv_id.lower()}")
    for text in (record.doi, record.url):
        try:
            found = parse_identifier(text) if text else None
        except ValueError:  # IdentifierError, or a URL urlsplit rejects
            found = None
        if found is not None and found.kind != "url":
            out.append(f"{found.kind}:{found.value.lower()}")
    if record.url:
        out.append(f"url:{normalize_url(record.url)}")
    return tuple(dict.fromkeys(out))
