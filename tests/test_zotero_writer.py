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
STRUCTURAL = {"itemType", "creators", "tags", "collections", "relations"}


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
    assert item["extra"].splitlines()[0] == f"Citation Key: {record.key}"
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
