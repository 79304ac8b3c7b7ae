"""Zotero item JSON and RDF against the pinned Zotero schema (../shared/samples/zotero)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from citekit.model import Date, Name, Record
from citekit.writers.zotero import (
    collection_key,
    collection_paths,
    record_to_item,
)
from tests.conftest import require_shared
from tests.export_records import hub, torture

ALL = hub() + torture()


@cache
def schema() -> dict[str, Any]:
    path = require_shared("samples/zotero/weblibrary_schema.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def type_table() -> dict[str, tuple[set[str], set[str]]]:
    """itemType → (field names, creator types) from the pinned schema."""
    return {
        t["itemType"]: (
            {f["field"] for f in t["fields"]},
            {c["creatorType"] for c in t["creatorTypes"]},
        )
        for t in schema()["itemTypes"]
    }


# Keys of the item JSON that are not schema fields but part of every Web API item.
STRUCTURAL = {"itemType", "creators", "tags", "collections"}


def keys_for(records: list[Record]) -> dict[str, str]:
    return {p: collection_key(p) for p in collection_paths(records)}


@pytest.mark.parametrize("record", ALL, ids=lambda r: r.key)
def test_item_is_valid_for_its_type(record: Record) -> None:
    table = type_table()
    item = record_to_item(record, keys_for(ALL))
    assert item["itemType"] in table
    fields, creator_types = table[item["itemType"]]
    assert set(item) - STRUCTURAL <= fields
    assert all(isinstance(item[f], str) and item[f] for f in set(item) - STRUCTURAL)
    for creator in item["creators"]:
        assert creator["creatorType"] in creator_types
        assert set(creator) in ({"creatorType", "name"}, {"creatorType", "firstName", "lastName"})


@pytest.mark.parametrize("record", ALL, ids=lambda r: r.key)
def test_citation_key_in_extra_and_in_field_where_schema_has_it(record: Record) -> None:
    item = record_to_item(record)
    fields, _ = type_table()[item["itemType"]]
    lines = item["extra"].splitlines()
    # line 0 is the arXiv line when there is one (citeproc-js skips line 0 only: #13 item 3)
    assert lines[1 if record.arxiv_id else 0] == f"Citation Key: {record.key}"
    if "citationKey" in fields:
        assert item["citationKey"] == record.key
    else:
        assert "citationKey" not in item


@pytest.mark.parametrize("record", ALL, ids=lambda r: r.key)
def test_nothing_is_dropped(record: Record) -> None:
    """Every modelled value appears in a field or an Extra line (no silent loss)."""
    item = record_to_item(record)
    text = json.dumps(item, ensure_ascii=False)
    for attr in ("volume", "issue", "page", "publisher", "isbn", "issn", "event_title"):
        value = getattr(record, attr)
        assert json.dumps(value, ensure_ascii=False)[1:-1] in text, attr
    if record.doi:
        assert record.doi in text
    creators = item["creators"]
    for name in record.author:
        assert any(
            c.get("lastName", c.get("name", "")).endswith(name.family or name.literal)
            for c in creators
        )
    for name in record.editor:
        assert (name.family or name.literal) in text


def test_arxiv_preprint_as_the_arxiv_translator_saves_it() -> None:
    record = next(r for r in ALL if r.key == "schulman2017proximal")
    item = record_to_item(record)
    assert item["itemType"] == "preprint"
    assert item["repository"] == "arXiv"
    assert item["archiveID"] == "arXiv:1707.06347"
    assert item["DOI"] == "10.48550/arXiv.1707.06347"
    assert item["url"] == "https://arxiv.org/abs/1707.06347"
    assert "arXiv:1707.06347 [cs.LG]" in item["extra"].splitlines()


def test_arxiv_defaults_do_not_override_the_records_own_values() -> None:
    record = Record(
        key="x",
        type="article",
        title="T",
        arxiv_id="2101.00001",
        doi="10.1000/journal.1",
        url="https://example.org/x",
        publisher="Cornell",
    )
    item = record_to_item(record)
    assert item["DOI"] == "10.1000/journal.1"
    assert item["url"] == "https://example.org/x"
    assert item["repository"] == "arXiv"
    assert "Publisher: Cornell" in item["extra"].splitlines()


def test_published_paper_keeps_its_arxiv_line() -> None:
    item = record_to_item(next(r for r in ALL if r.key == "brown2020language"))
    assert item["itemType"] == "conferencePaper"
    assert item["proceedingsTitle"] == "Advances in Neural Information Processing Systems"
    assert "archiveID" not in item
    assert "arXiv:2005.14165 [cs.CL]" in item["extra"].splitlines()


def test_names_particles_suffixes_and_organisations() -> None:
    record = Record(
        key="k",
        type="book",
        title="T",
        author=(
            Name("Werra", "Leandro", particle="von"),
            Name("King", "Martin", suffix="Jr."),
            Name(literal="OpenAI"),
            Name("Plato"),
        ),
    )
    assert record_to_item(record)["creators"] == [
        {"creatorType": "author", "firstName": "Leandro", "lastName": "von Werra"},
        {"creatorType": "author", "firstName": "Martin, Jr.", "lastName": "King"},
        {"creatorType": "author", "name": "OpenAI"},
        {"creatorType": "author", "name": "Plato"},
    ]


def test_software_authors_are_programmers() -> None:
    item = record_to_item(Record(key="s", type="software", title="T", author=(Name("A", "B"),)))
    assert item["itemType"] == "computerProgram"
    assert item["creators"][0]["creatorType"] == "programmer"


def test_fields_the_type_lacks_go_to_extra() -> None:
    record = Record(
        key="b",
        type="post-weblog",
        title="T",
        container_title="OpenAI Blog",
        publisher="OpenAI",
        doi="10.1/x",
        editor=(Name("Doe", "Jane"),),
        issued=Date(2022),
    )
    item = record_to_item(record)
    assert item["blogTitle"] == "OpenAI Blog"
    assert item["date"] == "2022"
    lines = item["extra"].splitlines()
    assert {"Publisher: OpenAI", "DOI: 10.1/x", "Editor: Doe || Jane"} <= set(lines)


def test_server_field_table_restricts_fields() -> None:
    record = next(r for r in ALL if r.key == "schulman2017proximal")
    item = record_to_item(record, fields={"preprint": ["title", "date", "extra", "url"]})
    assert "citationKey" not in item and "DOI" not in item
    assert "DOI: 10.48550/arXiv.1707.06347" in item["extra"].splitlines()


def test_collections_use_the_given_keys_and_parents_come_first() -> None:
    paths = collection_paths(ALL)
    assert paths.index("LLM Hub") < paths.index("LLM Hub/RLHF")
    assert paths.index("Torture/Scripts") < paths.index("Torture/Scripts/CJK")
    for path in paths:
        parent = path.rpartition("/")[0]
        assert not parent or parent in paths
    keys = {p: f"K{i:07d}" for i, p in enumerate(paths)}
    record = next(r for r in ALL if r.key == "ouyang2022training")
    got = record_to_item(record, keys)["collections"]
    assert got == [keys["LLM Hub/GPT series"], keys["LLM Hub/RLHF"]]
    assert record_to_item(record)["collections"] == []


def test_unknown_collection_path_is_an_error_not_a_silent_unfiling() -> None:
    record = next(r for r in ALL if r.key == "ouyang2022training")
    with pytest.raises(KeyError, match="LLM Hub/RLHF"):
        record_to_item(record, {"LLM Hub/GPT series": "AAAAAAAA"})


def test_collection_keys_are_stable_and_zotero_shaped() -> None:
    key = collection_key("LLM Hub/RLHF")
    assert key == collection_key(" LLM Hub / RLHF ")
    assert len(key) == 8 and set(key) <= set("23456789ABCDEFGHIJKLMNPQRSTUVWXYZ")
    assert len({collection_key(p) for p in collection_paths(ALL)}) == len(collection_paths(ALL))


# --- Zotero RDF, parsed and walked with rdflib ----------------------------------------------

Z = "http://www.zotero.org/namespaces/export#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
BIB = "http://purl.org/net/biblio#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
BASE = "file:///exports/zotero/library.rdf"


def parse_rdf(records: list[Record]) -> Any:
    import rdflib

    from citekit.writers.zotero_rdf import format_zotero_rdf

    graph = rdflib.Graph()
    graph.parse(data=format_zotero_rdf(records), format="xml", publicID=BASE)
    return graph


def walk(graph: Any) -> tuple[dict[str, Any], dict[Any, str], dict[Any, Any]]:
    """(citation key → item node, collection node → path, child collection → parent)."""
    import rdflib

    ns = rdflib.Namespace
    z, dc, dcterms = ns(Z), ns(DC), ns(DCTERMS)
    items = {}
    for node in graph.subjects(z.itemType, None):
        extra = str(graph.value(node, dc.description))
        (key,) = [ln[14:] for ln in extra.splitlines() if ln.startswith("Citation Key: ")]
        items[key] = node
    collections = set(graph.subjects(rdflib.RDF.type, z.Collection))
    parent = {}
    for coll in collections:
        for part in graph.objects(coll, dcterms.hasPart):
            if part in collections:
                assert part not in parent, "a collection has one parent"
                parent[part] = coll
    paths: dict[Any, str] = {}

    def path_of(coll: Any) -> str:
        name = str(graph.value(coll, dc.title))
        return f"{path_of(parent[coll])}/{name}" if coll in parent else name

    for coll in collections:
        paths[coll] = path_of(coll)
    return items, paths, parent


def test_rdf_items_sit_in_the_collections_their_groups_name() -> None:
    import rdflib

    graph = parse_rdf(ALL)
    items, paths, parent = walk(graph)
    assert set(items) == {r.key for r in ALL}
    assert sorted(paths.values()) == sorted(collection_paths(ALL))
    has_part = rdflib.URIRef(DCTERMS + "hasPart")
    for record in ALL:
        holders = {paths[c] for c in graph.subjects(has_part, items[record.key])}
        assert holders == set(record.collections), record.key
    for child, par in parent.items():  # every parent exists and is a collection
        assert par in paths and paths[child].startswith(paths[par] + "/")
    tops = [c for c in paths if not list(graph.subjects(None, c))]
    assert sorted(paths[c] for c in tops) == ["LLM Hub", "Torture"]


def test_rdf_item_in_two_collections() -> None:
    graph = parse_rdf(ALL)
    items, paths, _ = walk(graph)
    import rdflib

    holders = graph.subjects(rdflib.URIRef(DCTERMS + "hasPart"), items["ouyang2022training"])
    assert {paths[c] for c in holders} == {"LLM Hub/GPT series", "LLM Hub/RLHF"}


def test_rdf_items_are_only_pointed_at_by_haspart() -> None:
    """Zotero's importer skips a collection member that anything else points to."""
    graph = parse_rdf(ALL)
    items, _, _ = walk(graph)
    for node in items.values():
        assert {str(p) for _, p in graph.subject_predicates(node)} <= {DCTERMS + "hasPart"}


def test_rdf_types_and_fields_are_zotero_schema_names() -> None:
    import rdflib

    table = type_table()
    graph = parse_rdf(ALL)
    items, _, _ = walk(graph)
    dc_ok = {DC + "title", DC + "date", DC + "description", DC + "subject", DC + "identifier"}
    dc_ok |= {DCTERMS + "abstract", BIB + "authors", BIB + "editors", BIB + "contributors"}
    for key, node in items.items():
        itype = str(graph.value(node, rdflib.URIRef(Z + "itemType")))
        fields, creators = table[itype]
        for pred in {str(p) for p in graph.predicates(node, None)}:
            if pred.startswith(Z):
                name = pred.removeprefix(Z)
                ok = name == "itemType" or name in fields or name[:-1] in creators
                assert ok, f"{key}: z:{name} is not a field of {itype}"
            else:
                assert pred in dc_ok, f"{key}: unexpected predicate {pred}"


def test_rdf_matches_the_item_json() -> None:
    """Every field and creator of items.json reaches the RDF (the exports cannot drift)."""
    import rdflib

    graph = parse_rdf(ALL)
    items, _, _ = walk(graph)
    identifier, uri_value = rdflib.URIRef(DC + "identifier"), rdflib.RDF.value
    for record in ALL:
        node = items[record.key]
        item = record_to_item(record)
        values = {str(o) for o in graph.objects(node, None) if isinstance(o, rdflib.Literal)}
        for field, value in item.items():
            if isinstance(value, str) and field != "url":
                assert value in values, (record.key, field)
        urls = {str(graph.value(i, uri_value)) for i in graph.objects(node, identifier)}
        assert urls == ({item["url"]} if "url" in item else set())
        assert rdf_creators(graph, node) == sorted(
            (c["creatorType"], c.get("lastName", c.get("name")), c.get("firstName", ""))
            for c in item["creators"]
        )


def rdf_creators(graph: Any, node: Any) -> list[tuple[str, str, str]]:
    """(role, surname, given name) of every foaf:Person in the item's creator sequences."""
    import rdflib

    roles = {BIB + "authors": "author", BIB + "editors": "editor"}
    roles |= {Z + "programmers": "programmer", BIB + "contributors": "contributor"}
    out = []
    for pred, role in roles.items():
        for seq in graph.objects(node, rdflib.URIRef(pred)):
            for member_pred, person in graph.predicate_objects(seq):
                if str(member_pred).startswith(RDF_NS + "_"):
                    surname = str(graph.value(person, rdflib.URIRef(FOAF + "surname")))
                    given = graph.value(person, rdflib.URIRef(FOAF + "givenName"))
                    out.append((role, surname, str(given) if given else ""))
    return sorted(out)


def test_access_date_only_when_complete() -> None:
    full = record_to_item(Record(key="a", type="webpage", accessed=Date(2024, 1, 15)))
    assert full["accessDate"] == "2024-01-15"
    partial = record_to_item(Record(key="b", type="webpage", accessed=Date(2024, 1)))
    assert "accessDate" not in partial
    assert "Accessed: 2024-01" in partial["extra"].splitlines()


def test_built_in_field_table_is_the_pinned_schema() -> None:
    """The field table in writers/zotero.py agrees with schema.json, in schema order."""
    from citekit.model import CSL_TYPES
    from citekit.writers.zotero import ITEM_TYPES, item_type, type_fields

    order = {t["itemType"]: [f["field"] for f in t["fields"]] for t in schema()["itemTypes"]}
    for itype in ITEM_TYPES:
        ours = list(type_fields(itype))
        assert [f for f in order[itype] if f in ours] == ours, itype
    assert {item_type(Record(type=t)) for t in CSL_TYPES} <= ITEM_TYPES
