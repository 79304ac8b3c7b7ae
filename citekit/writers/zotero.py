"""Record → Zotero Web API item JSON, and the collection tree it is filed in.

The item JSON is exactly what sync sends (``zotero/sync.py``) and what ``exports/zotero``
holds. Only fields the Zotero schema lists for the item type are sent; anything else goes
to Extra as a ``Label: value`` line, which Zotero reads back as a CSL variable when
citing (zotero.org/support/kb/item_types_and_fields, "Citing Fields from Extra").

The field table (:mod:`citekit.writers.zotero_schema`) is Zotero schema version 26, the
oldest one citekit supports: newer servers accept every field it lists, so a payload
built from it is valid everywhere. Callers that know the server's own table pass
``fields``. Fields citekit does not model (``Record.extra``) go where Zotero's BibTeX
import puts them (:mod:`citekit.writers.zotero_fields`); Google Scholar's arXiv "journal"
is a preprint (:mod:`citekit.writers.preprint`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import Name, Record, csl_text, persons, plain_text
from .preprint import as_preprint
from .zotero_fields import extra_fields, thesis_type
from .zotero_limits import fit_limits
from .zotero_schema import BY_BASE as _BY_BASE
from .zotero_schema import COMMON_FIELDS, ITEM_TYPES, moved_by_set_type, type_fields

__all__ = [
    "COMMON_FIELDS",
    "ITEM_TYPES",
    "collection_key",
    "collection_paths",
    "item_type",
    "moved_by_set_type",
    "normalize_path",
    "record_to_item",
    "type_fields",
]

# The creator types of schema 26 citekit uses, primary first.
_CREATORS = {
    "computerProgram": ("programmer", "contributor"),
    "patent": ("inventor", "contributor"),
    "presentation": ("presenter", "contributor"),
}
_EDITOR_TYPES = frozenset(
    {"book", "bookSection", "conferencePaper", "document", "encyclopediaArticle"}
    | {"journalArticle", "preprint"}
)

_CSL_TO_ZOTERO = {
    "article": "preprint",
    "article-journal": "journalArticle",
    "paper-conference": "conferencePaper",
    "report": "report",
    "webpage": "webpage",
    "post-weblog": "blogPost",
    "software": "computerProgram",
    "dataset": "dataset",
    "chapter": "bookSection",
    "book": "book",
    "thesis": "thesis",
    "manuscript": "manuscript",
    "document": "document",
    "speech": "presentation",
    "patent": "patent",
    "entry-encyclopedia": "encyclopediaArticle",
    "standard": "standard",
}

# Record attribute → (base field, Extra label used when the type lacks that field).
# Labels are CSL variable names as Zotero's "Citing Fields from Extra" reads them.
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "title", "Title"),
    ("abstract", "abstractNote", "Abstract"),
    ("container_title", "publicationTitle", "Container Title"),
    ("collection_title", "series", "Collection Title"),
    ("volume", "volume", "Volume"),
    ("issue", "issue", "Issue"),
    ("page", "pages", "Page"),
    ("number", "number", "Number"),
    ("genre", "type", "Genre"),
    ("publisher", "publisher", "Publisher"),
    ("publisher_place", "place", "Publisher Place"),
    ("event_title", "conferenceName", "Event Title"),
    ("doi", "DOI", "DOI"),
    ("isbn", "ISBN", "ISBN"),
    ("issn", "ISSN", "ISSN"),
    ("url", "url", "URL"),
    ("language", "language", "Language"),
)
_RICH_ATTRS = frozenset({"title", "container_title", "collection_title", "event_title"})
# Base fields that are spelt differently but mean the same thing, tried in order.
_ALIASES = {
    "series": ("series", "seriesTitle"),
    "conferenceName": ("conferenceName", "meetingName"),
    "publisher": ("publisher", "authority"),
}
_ZOTERO_KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
# A book's BibTeX number is its number in a series (Zotero seriesNumber, CSL
# collection-number); elsewhere it is the report, patent or issue number.
_SERIES_NUMBER = frozenset({"book", "bookSection"})


def item_type(record: Record) -> str:
    """The Zotero item type for a record (``preprint`` for arXiv preprints)."""
    return _CSL_TO_ZOTERO.get(as_preprint(record).type, "document")


def collection_paths(records: Iterable[Record]) -> list[str]:
    """Every collection path the records name, with all its parents, parents first.

    ``"LLM Hub/GPT series"`` yields ``"LLM Hub"`` then ``"LLM Hub/GPT series"``. The order
    is by depth, then alphabetical, so a caller can create them top-down.
    """
    seen: set[str] = set()
    for record in records:
        for path in record.collections:
            parts = [p.strip() for p in path.split("/") if p.strip()]
            for depth in range(1, len(parts) + 1):
                seen.add("/".join(parts[:depth]))
    return sorted(seen, key=lambda p: (p.count("/"), p))


def normalize_path(path: str) -> str:
    """``" LLM Hub / RLHF "`` → ``"LLM Hub/RLHF"`` (the form :func:`collection_paths` returns)."""
    return "/".join(p.strip() for p in path.split("/") if p.strip())


def collection_key(path: str) -> str:
    """A stable 8-character Zotero-style key for a collection path (used in exports).

    Derived from the path alone, so a rebuild produces the same keys.
    """
    digest = hashlib.sha256(normalize_path(path).encode("utf-8")).digest()
    return "".join(_ZOTERO_KEY_ALPHABET[b % len(_ZOTERO_KEY_ALPHABET)] for b in digest[:8])


def record_to_item(
    record: Record,
    collection_keys: Mapping[str, str] | None = None,
    *,
    fields: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """The Zotero Web API item JSON (the ``data`` object) for ``record``.

    ``collection_keys`` maps collection paths (as :func:`collection_paths` gives them) to
    Zotero collection keys; without it ``collections`` is empty. A path missing from a
    given mapping raises ``KeyError`` naming it: a silently unfiled item would be a loss.
    ``fields`` optionally restricts fields per item type to what a server reports.
    Only non-empty fields are included, so sending the item never clears a field.
    """
    record = as_preprint(record)
    itype = item_type(record)
    allowed = _BY_BASE[itype]
    if fields is not None and itype in fields:
        server = set(fields[itype])
        allowed = {base: name for base, name in allowed.items() if name in server}
    values, extra = _field_values(record, itype, allowed)
    item: dict[str, Any] = {"itemType": itype}
    for name in _BY_BASE[itype].values():
        if values.get(name):
            item[name] = values[name]
    item["creators"] = _creators(record, itype, extra)
    lines = _extra_lines(record, extra)
    if lines:
        item["extra"] = "\n".join(lines)
    item["tags"] = [{"tag": plain_text(k)} for k in record.keywords]
    item["collections"] = _collection_keys(record, collection_keys)
    return fit_limits(item)


def _field_values(
    record: Record, itype: str, allowed: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Field name → value for the fields the type has; ``Label: value`` lines for the rest."""
    values: dict[str, str] = {}
    extra: list[str] = []
    if record.key and "citationKey" in allowed:
        values["citationKey"] = record.key
    for text, base, label in _special_values(record, itype):
        _place(values, extra, allowed, base, label, text)
    for attr, base, label in _FIELDS:
        text = getattr(record, attr)
        if not text or (base == "number" and itype == "preprint" and record.arxiv_id):
            continue  # empty; or an arXiv preprint's number, which archiveID carries
        # Zotero keeps <span class="nocase"> as rich text in titles; elsewhere it is noise.
        if "<" in text:  # Zotero's titles take CSL's rich text; citekit's tex spans are text
            text = csl_text(text) if attr in _RICH_ATTRS else plain_text(text)
        if base == "number" and itype in _SERIES_NUMBER:  # BibTeX.js processField, l. 400
            base, label = "seriesNumber", "Collection Number"
        _place(values, extra, allowed, base, label, text)
    for text, name, label in extra_fields(record):
        if name:
            _place(values, extra, allowed, name, label, text)
        else:
            extra.append(f"{label}: {text}")
    if record.issued is not None:
        _place(values, extra, allowed, "date", "Issued", record.issued.iso())
    if record.accessed is not None:
        # The API takes accessDate only as a full YYYY-MM-DD; a partial one goes to Extra.
        acc = record.accessed
        full = acc.year is not None and acc.month is not None and acc.day is not None
        _place(values, extra, allowed if full else {}, "accessDate", "Accessed", acc.iso())
    return values, extra


def _special_values(record: Record, itype: str) -> list[tuple[str, str, str]]:
    """arXiv preprints as Zotero's arXiv translator saves them (as ``(value, base, label)``);
    a thesis's kind from its BibTeX entry type, as BibTeX.js sets it."""
    if itype == "thesis" and not record.genre and thesis_type(record):
        return [(thesis_type(record), "type", "Genre")]
    if itype != "preprint" or not record.arxiv_id:
        return []
    aid = record.arxiv_id
    out = [(f"arXiv:{aid}", "number", "Number"), ("arXiv", "publisher", "Publisher")]
    # The record's own DOI and URL win; these are only the defaults the translator uses.
    if not record.doi:
        out.append((f"10.48550/arXiv.{aid}", "DOI", "DOI"))
    if not record.url:
        out.append((f"https://arxiv.org/abs/{aid}", "url", "URL"))
    return out


def _place(
    values: dict[str, str],
    extra: list[str],
    allowed: Mapping[str, str],
    base: str,
    label: str,
    text: str,
) -> None:
    if not text:
        return
    for candidate in _ALIASES.get(base, (base,)):
        name = allowed.get(candidate)
        if name and values.get(name, text) == text:
            values[name] = text
            return
    # No field for it, or the field already holds another value (a preprint whose
    # publisher is not arXiv): keep it in Extra rather than drop it.
    extra.append(f"{label}: {_one_line(text)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _creators(record: Record, itype: str, extra: list[str]) -> list[dict[str, str]]:
    primary = _CREATORS.get(itype, ("author", "contributor"))[0]
    editors = persons(record.editor)  # BibTeX's "and others" is no creator
    out = [_creator(name, primary) for name in persons(record.author)]
    if itype in _EDITOR_TYPES:
        out += [_creator(name, "editor") for name in editors]
    else:
        extra.extend(f"Editor: {_extra_name(name)}" for name in editors)
    return out


def _creator(name: Name, role: str) -> dict[str, str]:
    if name.literal:
        return {"creatorType": role, "name": name.literal}
    last = f"{name.particle} {name.family}" if name.particle else name.family
    first = f"{name.given}, {name.suffix}" if name.suffix else name.given
    if not first:
        return {"creatorType": role, "name": last}
    return {"creatorType": role, "firstName": first, "lastName": last}


def _extra_name(name: Name) -> str:
    """Zotero's Extra creator syntax: ``Family || Given`` (or the literal)."""
    if name.literal or not name.given:
        return name.literal or name.family
    family = f"{name.particle} {name.family}" if name.particle else name.family
    return f"{family} || {name.given}"


def _extra_lines(record: Record, fallback: list[str]) -> list[str]:
    """The arXiv line, the Citation Key line, fallback ``Label: value`` lines, the note.

    citeproc-js reads Extra's ``Label: value`` lines only up to the first line that is
    not one, line 0 excepted; ``arXiv:ID [cat]`` (the arXiv translator's line) is not one,
    so it goes first, and free text (the note) last: every CSL line stays readable.
    """
    lines = []
    if record.arxiv_id:
        cls = f" [{record.arxiv_class}]" if record.arxiv_class else ""
        lines.append(f"arXiv:{record.arxiv_id}{cls}")
    if record.key:
        lines.append(f"Citation Key: {record.key}")
    lines += [_one_line(line) for line in fallback]
    if record.note:
        lines.append(plain_text(record.note))
    return lines


def _collection_keys(record: Record, keys: Mapping[str, str] | None) -> list[str]:
    if keys is None:
        return []
    out: list[str] = []
    for path in record.collections:
        norm = normalize_path(path)
        if not norm:
            continue
        if norm not in keys:
            raise KeyError(f"{record.key}: no Zotero collection key for {norm!r}")
        if keys[norm] not in out:
            out.append(keys[norm])
    return out
