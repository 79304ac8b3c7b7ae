"""Record → Zotero Web API item JSON, and the collection tree it is filed in.

The item JSON is exactly what sync sends (``zotero/sync.py``) and what ``exports/zotero``
holds. Only fields the Zotero schema lists for the item type are sent; anything else goes
to Extra as a ``Label: value`` line, which Zotero reads back as a CSL variable when
citing (zotero.org/support/kb/item_types_and_fields, "Citing Fields from Extra").

The field table is Zotero schema version 26, the oldest one citekit supports: newer
servers accept every field it lists (schema changes only add fields), so a payload built
from it is valid everywhere. Callers that know the server's own table pass ``fields``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import Name, Record, persons, plain_text

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

# itemType: its fields in schema order; "field=base" names the base field it stands for.
# Fields citekit never writes (archive, callNumber, rights, ...) are left out.
_SCHEMA_26 = {
    "blogPost": "title abstractNote blogTitle=publicationTitle websiteType=type date url"
    " accessDate language extra",
    "book": "title abstractNote series seriesNumber volume edition place publisher date"
    " language ISBN url accessDate libraryCatalog extra",
    "bookSection": "title abstractNote bookTitle=publicationTitle series seriesNumber volume"
    " edition place publisher date pages language ISBN url accessDate libraryCatalog extra",
    "computerProgram": "title abstractNote seriesTitle versionNumber date place"
    " company=publisher ISBN url libraryCatalog accessDate extra",
    "conferencePaper": "title abstractNote date proceedingsTitle=publicationTitle"
    " conferenceName place publisher volume pages series language DOI ISBN url accessDate"
    " libraryCatalog extra",
    "dataset": "title abstractNote identifier=number type versionNumber date"
    " repository=publisher repositoryLocation=place DOI citationKey url accessDate language"
    " libraryCatalog extra",
    "document": "title abstractNote publisher date language url accessDate libraryCatalog extra",
    "encyclopediaArticle": "title abstractNote encyclopediaTitle=publicationTitle series"
    " seriesNumber volume edition place publisher date pages ISBN url accessDate language"
    " libraryCatalog extra",
    "journalArticle": "title abstractNote publicationTitle volume issue pages date series"
    " seriesTitle language DOI ISSN url accessDate libraryCatalog extra",
    "manuscript": "title abstractNote manuscriptType=type place date language url accessDate"
    " libraryCatalog extra",
    "patent": "title abstractNote place issuingAuthority=authority patentNumber=number pages"
    " issueDate=date language url accessDate extra",
    "preprint": "title abstractNote genre=type repository=publisher archiveID=number place"
    " date series seriesNumber DOI citationKey url accessDate language libraryCatalog extra",
    "presentation": "title abstractNote presentationType=type date place meetingName url"
    " accessDate language extra",
    "report": "title abstractNote reportNumber=number reportType=type seriesTitle place"
    " institution=publisher date pages language url accessDate libraryCatalog extra",
    "standard": "title abstractNote organization=authority type number versionNumber date"
    " publisher place DOI citationKey url accessDate language libraryCatalog extra",
    "thesis": "title abstractNote thesisType=type university=publisher place date language"
    " url accessDate libraryCatalog extra",
    "webpage": "title abstractNote websiteTitle=publicationTitle websiteType=type date url"
    " accessDate language extra",
}

# What the server's setType moves on a type change (zotero/dataserver Item.inc.php setType):
# for each type citekit writes, its fields that are base fields or map to one ("a=base"),
# from the current schema (41; tests/test_zotero_schema.py checks it against schema.json).
_BASES_41 = {
    "blogPost": "title blogTitle=publicationTitle websiteType=type date",
    "book": "title volume date publisher place originalDate format=medium",
    "bookSection": "title bookTitle=publicationTitle volume date publisher place originalDate"
    " format=medium pages",
    "computerProgram": "title date company=publisher place",
    "conferencePaper": "title proceedingsTitle=publicationTitle publisher place date volume pages",
    "dataset": "title identifier=number type date repository=publisher repositoryLocation=place"
    " format=medium",
    "document": "title type date publisher place",
    "encyclopediaArticle": "title encyclopediaTitle=publicationTitle volume date publisher"
    " place pages",
    "journalArticle": "title publicationTitle publisher place date volume pages",
    "manuscript": "title manuscriptType=type institution=publisher place date number",
    "patent": "title place issuingAuthority=authority patentNumber=number pages issueDate=date"
    " priorityDate=originalDate legalStatus=status",
    "preprint": "title genre=type repository=publisher archiveID=number place date",
    "presentation": "title presentationType=type date place sessionTitle=publicationTitle",
    "report": "title reportNumber=number reportType=type institution=publisher place date pages",
    "standard": "title organization=authority type number status date publisher place",
    "thesis": "title thesisType=type university=publisher place date",
    "webpage": "title websiteTitle=publicationTitle websiteType=type date publisher place",
}

#: Fields every item type citekit writes has on the current Web API (schema 41), whether
#: or not citekit writes them there (a type change keeps them: see zotero/merge.py).
COMMON_FIELDS = frozenset(
    [
        "DOI",
        "abstractNote",
        "accessDate",
        "citationKey",
        "extra",
        "rights",
        "shortTitle",
        "title",
        "url",
    ]
)

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

#: Zotero item types citekit writes.
ITEM_TYPES = frozenset(_SCHEMA_26)

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


def _parse_table(table: Mapping[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for itype, spec in table.items():
        fields: dict[str, str] = {}
        for token in spec.split():
            name, _, base = token.partition("=")
            fields[base or name] = name
        out[itype] = fields
    return out


# itemType → {base field: type-specific field name}, in schema order.
_BY_BASE = _parse_table(_SCHEMA_26)
_MOVES = _parse_table(_BASES_41)


def moved_by_set_type(old: str, new: str) -> dict[str, str]:
    """``{old field: new field}`` the server's ``setType`` copies values along.

    A field of the old type the new type lacks moves to the new type's field for the same
    base field (a base field stands for itself): preprint ``repository`` → conferencePaper
    ``publisher``, preprint ``archiveID`` → report ``reportNumber``.
    """
    source, target = _MOVES.get(old, {}), _MOVES.get(new, {})
    return {
        name: target[base]
        for base, name in source.items()
        if base in target and target[base] != name and target[base] not in source.values()
    }


def type_fields(itype: str) -> tuple[str, ...]:
    """The fields (type-specific names, schema order) citekit may write for ``itype``."""
    return tuple(_BY_BASE[itype].values())


def item_type(record: Record) -> str:
    """The Zotero item type for a record (``preprint`` for arXiv preprints)."""
    return _CSL_TO_ZOTERO.get(record.type, "document")


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
    return item


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
        if attr not in _RICH_ATTRS and "<" in text:
            text = plain_text(text)
        _place(values, extra, allowed, base, label, text)
    if record.issued is not None:
        _place(values, extra, allowed, "date", "Issued", record.issued.iso())
    if record.accessed is not None:
        # The API takes accessDate only as a full YYYY-MM-DD; a partial one goes to Extra.
        acc = record.accessed
        full = acc.year is not None and acc.month is not None and acc.day is not None
        _place(values, extra, allowed if full else {}, "accessDate", "Accessed", acc.iso())
    return values, extra


def _special_values(record: Record, itype: str) -> list[tuple[str, str, str]]:
    """arXiv preprints as Zotero's arXiv translator saves them (as ``(value, base, label)``)."""
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
    """Citation Key line, the arXiv line, fallback ``Label:`` lines, then the note text."""
    lines = [f"Citation Key: {record.key}"] if record.key else []
    if record.arxiv_id:
        cls = f" [{record.arxiv_class}]" if record.arxiv_class else ""
        lines.append(f"arXiv:{record.arxiv_id}{cls}")
    lines += fallback
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
