"""The Zotero item types and fields citekit writes, and what a type change moves.

``_SCHEMA_26``: per item type, the fields citekit may write, in schema order, from Zotero
schema version 26, the oldest one citekit supports: newer servers accept every field it
lists (schema changes only add fields). ``_BASES_41``: per type, the fields that are, or
map to, a base field in the current schema (41), which the server's ``setType`` moves on a
type change. ``tests/test_zotero_schema.py`` checks both against the official schema.json.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["BY_BASE", "COMMON_FIELDS", "ITEM_TYPES", "moved_by_set_type", "type_fields"]

# itemType: its fields in schema order; "field=base" names the base field it stands for.
# Fields citekit never writes (archive, callNumber, rights, ...) are left out.
_SCHEMA_26 = {
    "blogPost": "title abstractNote blogTitle=publicationTitle websiteType=type date url"
    " accessDate language extra",
    "book": "title abstractNote series seriesNumber volume edition place publisher date"
    " numPages language ISBN url accessDate libraryCatalog extra",
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
    " seriesTitle journalAbbreviation language DOI ISSN url accessDate libraryCatalog extra",
    "manuscript": "title abstractNote manuscriptType=type place date numPages language url"
    " accessDate"
    " libraryCatalog extra",
    "patent": "title abstractNote place assignee issuingAuthority=authority"
    " patentNumber=number pages"
    " issueDate=date language url accessDate extra",
    "preprint": "title abstractNote genre=type repository=publisher archiveID=number place"
    " date series seriesNumber DOI citationKey url accessDate language libraryCatalog extra",
    "presentation": "title abstractNote presentationType=type date place meetingName url"
    " accessDate language extra",
    "report": "title abstractNote reportNumber=number reportType=type seriesTitle place"
    " institution=publisher date pages language url accessDate libraryCatalog extra",
    "standard": "title abstractNote organization=authority type number versionNumber date"
    " publisher place DOI citationKey url accessDate language libraryCatalog extra",
    "thesis": "title abstractNote thesisType=type university=publisher place date numPages"
    " language"
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

#: Zotero item types citekit writes.
ITEM_TYPES = frozenset(_SCHEMA_26)


def _parse_table(table: Mapping[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for itype, spec in table.items():
        fields: dict[str, str] = {}
        for token in spec.split():
            name, _, base = token.partition("=")
            fields[base or name] = name
        out[itype] = fields
    return out


#: itemType → {base field: type-specific field name}, in schema order.
BY_BASE = _parse_table(_SCHEMA_26)
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
    return tuple(BY_BASE[itype].values())
