"""Records → Zotero RDF, the one import format that keeps Zotero's collection tree.

Written for Zotero's RDF import translator (zotero/translators ``RDF.js``), which:

* takes the item type from ``z:itemType`` and copies every other ``z:<field>`` literal of
  an item node into that field, after its Dublin Core mappings;
* reads ``dc:title``, ``dc:date``, ``dcterms:abstract``, ``dc:subject`` (tags), the URL
  from ``dc:identifier/dcterms:URI/rdf:value``, and Extra from ``dc:description`` on
  nodes that carry ``z:itemType``;
* reads creators from ``bib:authors``/``bib:editors``/``bib:contributors`` or
  ``z:<creatorType>s``, each an ``rdf:Seq`` of ``foaf:Person`` (a person without
  ``foaf:givenName`` becomes a single-field name: organisations);
* builds collections after the items: a ``z:Collection`` with no incoming arc is
  top-level, each ``dcterms:hasPart`` names a sub-collection or a member item.

The item content is exactly :func:`citekit.writers.zotero.record_to_item`, so the RDF
and ``items.json`` cannot drift apart. Nodes are ``#item_N`` and ``#collection_N``, as
Zotero's own export names them; output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..model import Record
from .chunks import joined
from .zotero import collection_paths, normalize_path, record_to_item

__all__ = ["format_zotero_rdf", "zotero_rdf_chunks"]

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:z="http://www.zotero.org/namespaces/export#"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:bib="http://purl.org/net/biblio#"
 xmlns:foaf="http://xmlns.com/foaf/0.1/">
"""
_FOOTER = "</rdf:RDF>\n"

# Item JSON fields with a Dublin Core home the importer reads; the rest become z:<field>.
_DC = {"title": "dc:title", "date": "dc:date", "abstractNote": "dcterms:abstract"}
_SKIP = {"itemType", "creators", "tags", "collections", "extra", "url"}
_BIB_ROLES = {"author": "bib:authors", "editor": "bib:editors", "contributor": "bib:contributors"}
# XML 1.0 forbids most C0 controls even when escaped.
_CONTROLS = {c: None for c in range(32) if c not in (9, 10, 13)}


def format_zotero_rdf(records: Sequence[Record]) -> str:
    """Zotero RDF for ``records`` (in the order given) with their collection tree."""
    return "".join(zotero_rdf_chunks(records))


def zotero_rdf_chunks(records: Sequence[Record]) -> Iterator[str]:
    """:func:`format_zotero_rdf` in pieces, rendered as they are asked for."""
    yield _HEADER
    items = (_item(record_to_item(r), n) for n, r in enumerate(records, start=1))
    yield from joined(items)
    yield from _collections(records)
    yield _FOOTER


def _text(value: str) -> str:
    # xml.sax.saxutils.escape, without importing it: it pulls in urllib.request (~17 ms
    # of every export's start-up).
    return (
        value.translate(_CONTROLS).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    )


def _item(item: dict[str, Any], number: int) -> str:
    lines = [f' <rdf:Description rdf:about="#item_{number}">']
    lines.append(f"  <z:itemType>{_text(item['itemType'])}</z:itemType>")
    if "title" in item:
        lines.append(f"  <dc:title>{_text(item['title'])}</dc:title>")
    lines.extend(_creators(item["creators"]))
    for field, value in item.items():
        if field in _SKIP or field == "title":
            continue
        tag = _DC.get(field, f"z:{field}")
        lines.append(f"  <{tag}>{_text(value)}</{tag}>")
    if item.get("url"):
        lines.append(
            "  <dc:identifier><dcterms:URI><rdf:value>"
            f"{_text(item['url'])}</rdf:value></dcterms:URI></dc:identifier>"
        )
    lines.extend(f"  <dc:subject>{_text(t['tag'])}</dc:subject>" for t in item["tags"])
    if item.get("extra"):
        lines.append(f"  <dc:description>{_text(item['extra'])}</dc:description>")
    lines.append(" </rdf:Description>\n")
    return "\n".join(lines)


def _creators(creators: list[dict[str, str]]) -> list[str]:
    """One ``rdf:Seq`` per creator role, roles in order of first appearance."""
    roles: dict[str, list[dict[str, str]]] = {}
    for creator in creators:
        roles.setdefault(creator["creatorType"], []).append(creator)
    lines: list[str] = []
    for role, people in roles.items():
        tag = _BIB_ROLES.get(role, f"z:{role}s")
        lines.append(f"  <{tag}><rdf:Seq>")
        lines.extend(f"   <rdf:li>{_person(p)}</rdf:li>" for p in people)
        lines.append(f"  </rdf:Seq></{tag}>")
    return lines


def _person(creator: dict[str, str]) -> str:
    if "name" in creator:
        return f"<foaf:Person><foaf:surname>{_text(creator['name'])}</foaf:surname></foaf:Person>"
    return (
        f"<foaf:Person><foaf:surname>{_text(creator['lastName'])}</foaf:surname>"
        f"<foaf:givenName>{_text(creator['firstName'])}</foaf:givenName></foaf:Person>"
    )


def _collections(records: Sequence[Record]) -> list[str]:
    paths = collection_paths(records)
    numbers = {path: n for n, path in enumerate(paths, start=1)}
    members: dict[str, list[str]] = {path: [] for path in paths}
    for path in paths:
        parent = path.rpartition("/")[0]
        if parent:
            members[parent].append(f"#collection_{numbers[path]}")
    for number, record in enumerate(records, start=1):
        for path in dict.fromkeys(normalize_path(p) for p in record.collections):
            if path:
                members[path].append(f"#item_{number}")
    out = []
    for path in paths:
        lines = [f' <z:Collection rdf:about="#collection_{numbers[path]}">']
        lines.append(f"  <dc:title>{_text(path.rpartition('/')[2])}</dc:title>")
        lines.extend(f'  <dcterms:hasPart rdf:resource="{ref}"/>' for ref in members[path])
        lines.append(" </z:Collection>\n")
        out.append("\n".join(lines))
    return out
