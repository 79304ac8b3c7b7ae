"""#13 item 1: a preprint that becomes a paper stays whole in Zotero.

For every hub paper with a venue and an arXiv id, sync it first as the arXiv preprint
citekit adds (``@misc`` + eprint), then as the published paper of references.bib. The
stand-in applies the type change as the real server's ``setType`` does (zotero/dataserver
``model/Item.inc.php`` lines 543-640: base-mapped values move, so ``repository = arXiv``
lands in ``publisher``). After the second sync the stand-in's item must equal
``citekit export zotero``'s item for the entry, field for field, and a third sync writes
nothing. Before the fix the update sent only the fields both types share (for
``wei2022chain``: ``itemType``, ``date``, ``DOI``, ``url``, ``citationKey``), so
``proceedingsTitle``, ``volume``, ``pages`` never arrived, ``publisher`` said "arXiv", and
every later sync said "unchanged".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citekit.library import load
from citekit.model import Record
from citekit.writers.zotero import collection_paths, record_to_item
from tests.servers.zotero_schema import set_type
from tests.test_zotero_sync import Harness, harness  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]
_SERVER_ONLY = {"key", "version", "dateAdded", "dateModified", "relations"}


def exported_items() -> list[dict[str, Any]]:
    data = json.loads((ROOT / "exports" / "zotero" / "items.json").read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    return items


def published() -> list[Record]:
    records = load(ROOT / "references.bib").records
    return [r for r in records if r.arxiv_id and r.container_title and r.type != "article"]


def as_preprint(record: Record) -> Record:
    """The entry as ``citekit add arXiv:ID`` had it before the venue was known."""
    return record.with_(
        type="article",
        entry_type="misc",
        container_title="",
        event_title="",
        volume="",
        issue="",
        page="",
        editor=(),
        doi="",
        publisher="arXiv",
        number=record.arxiv_id,
        genre="preprint",
    )


def non_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _SERVER_ONLY and v not in ("", [], {})}


def test_the_hub_has_published_papers_with_venues() -> None:
    keys = {r.key for r in published()}
    assert {"wei2022chain", "brown2020language", "chung2024scaling"} <= keys


@pytest.mark.parametrize("record", published(), ids=lambda r: r.key)
def test_preprint_upgraded_to_the_published_paper_stays_whole(
    harness: Harness,  # noqa: F811
    record: Record,
) -> None:
    first = harness.run([as_preprint(record)])
    assert first.ok and first.created == [record.key], first.lines()
    (before,) = harness.server.live_items()
    assert before["itemType"] == "preprint"

    second = harness.run([record])
    assert second.ok, second.lines()
    assert list(second.updated) == [record.key]
    (after,) = harness.server.live_items()
    keys = harness.state()["collections"]
    assert set(keys) == set(collection_paths([record]))
    expected = record_to_item(record, keys)
    assert non_empty(after) == non_empty(expected)
    # and the committed `citekit export zotero` item, but for the collection keys (the
    # export's are derived from the paths; the library's were chosen when created)
    exported = [i for i in exported_items() if i.get("citationKey", "") == record.key]
    exported += [i for i in exported_items() if f"Citation Key: {record.key}" in i["extra"]]
    strip = {"collections"}
    assert {k: v for k, v in non_empty(after).items() if k not in strip} == {
        k: v for k, v in non_empty(exported[0]).items() if k not in strip
    }
    assert after["key"] == before["key"]  # the same item, not a new one

    mark = harness.mark()
    third = harness.run([record])
    assert third.ok and third.unchanged == [record.key]
    assert harness.since(mark)[1] == 0


def test_a_type_change_made_in_zotero_is_kept_not_reverted(harness: Harness) -> None:  # noqa: F811
    """Only a change that comes from the library is pushed; the user's own is reported."""
    (record,) = [r for r in published() if r.key == "wei2022chain"]
    harness.run([record])
    (item,) = harness.server.live_items()
    retyped = set_type(harness.server.items[item["key"]], "journalArticle")
    harness.server.user_edit(item["key"], **{k: v for k, v in retyped.items() if k != "key"})
    report = harness.run([record])
    assert harness.server.items[item["key"]]["itemType"] == "journalArticle"
    assert [c.field for c in report.kept] == ["itemType"]
