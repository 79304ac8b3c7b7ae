"""citekit's Zotero field tables against the official schema (tests/data/zotero/schema.json)."""

from __future__ import annotations

import pytest

from citekit.writers import zotero_schema as writer
from citekit.writers.zotero import COMMON_FIELDS, ITEM_TYPES, moved_by_set_type, type_fields
from tests.servers.zotero_schema import base_fields, item_types, set_type


def test_the_vendored_schema_is_version_41_with_its_csl_mappings() -> None:
    from tests.servers.zotero_schema import schema

    data = schema()
    assert data["version"] == 41
    assert data["csl"]["types"]["article"] == ["preprint"]
    assert data["csl"]["fields"]["text"]["collection-number"] == ["seriesNumber"]


@pytest.mark.parametrize("itype", sorted(ITEM_TYPES))
def test_every_field_citekit_writes_is_in_the_schema(itype: str) -> None:
    assert set(type_fields(itype)) <= set(item_types()[itype].fields)
    assert set(item_types()[itype].fields) >= COMMON_FIELDS


@pytest.mark.parametrize("itype", sorted(ITEM_TYPES))
def test_the_set_type_table_is_the_schemas(itype: str) -> None:
    """``_BASES_41``: every field of the type that is, or maps to, a base field."""
    t = item_types()[itype]
    tokens = [
        f"{f}={t.bases[f]}" if f in t.bases else f
        for f in t.fields
        if f in t.bases or f in base_fields()
    ]
    assert writer._BASES_41[itype].split() == tokens


@pytest.mark.parametrize("old", sorted(ITEM_TYPES))
@pytest.mark.parametrize("new", ["preprint", "journalArticle", "conferencePaper", "report", "book"])
def test_moved_by_set_type_predicts_the_stand_ins_set_type(old: str, new: str) -> None:
    """What citekit expects the server to move is what the stand-in's setType moves."""
    fields = item_types()[old].fields
    item = {"itemType": old, "creators": []} | {f: f"v-{f}" for f in fields}
    after = set_type(item, new)
    moved = {
        f: v for f, v in after.items() if f in item_types()[new].fields and f not in fields and v
    }
    expected = {target: f"v-{source}" for source, target in moved_by_set_type(old, new).items()}
    assert moved == expected
