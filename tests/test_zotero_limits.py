"""#13 item 4: Zotero's size limits are checked before sending.

The real server answers 413 for an object with a field over 65,535 bytes, a creator name
part over 255 bytes, a tag or collection name over 255 characters (zotero/dataserver, see
tests/servers/zotero_schema.py); before this, such an item was refused whole, and every
item of a refused collection was held back. Now values are shortened (with a note in
Extra), a collection name that cannot be shortened is reported, and the rest is sent.
"""

from __future__ import annotations

from citekit.model import Name, Record
from citekit.writers.zotero import record_to_item
from citekit.writers.zotero_limits import MAX_FIELD_BYTES
from tests.test_zotero_sync import Harness, harness  # noqa: F401  (the fixture)

LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 9  # 315 characters


def oversized() -> Record:
    return Record(
        key="big2020record",
        type="article-journal",
        title="A Record Over Every Limit",
        author=(Name(LONG_NAME, "Hubert"), Name("Short", "Sam")),
        abstract="é" * 40000,  # 80,000 bytes
        keywords=("k" * 300, "fine"),
        container_title="Journal of Limits",
        collections=("Limits",),
    )


def test_values_over_the_limits_are_shortened_with_a_note() -> None:
    item = record_to_item(oversized())
    assert len(item["abstractNote"].encode()) <= MAX_FIELD_BYTES
    assert item["abstractNote"].endswith("…")
    (long_creator, short) = item["creators"]
    assert len(long_creator["lastName"].encode()) <= 255 and short["lastName"] == "Short"
    assert [len(t["tag"]) for t in item["tags"]] == [255, 4]
    note = item["extra"].splitlines()[-1]
    assert note.startswith("Shortened for Zotero's size limits (the .bib has the full text)")
    assert "abstractNote" in note and "author's name" in note and "a tag" in note


def test_values_within_the_limits_are_untouched() -> None:
    record = oversized().with_(
        abstract="x" * MAX_FIELD_BYTES, author=(Name("n" * 255, "g"),), keywords=("t" * 255,)
    )
    item = record_to_item(record)
    assert item["abstractNote"] == "x" * MAX_FIELD_BYTES
    assert item["creators"][0]["lastName"] == "n" * 255 and item["tags"][0]["tag"] == "t" * 255
    assert "Shortened" not in item["extra"]


def test_an_oversized_item_is_sent_and_a_long_collection_reported(harness: Harness) -> None:  # noqa: F811
    too_long = "C" * 256
    records = [
        oversized(),
        Record(
            key="ok2021record",
            type="report",
            title="Filed in Two Collections",
            collections=("Limits", f"Limits/{too_long}"),
        ),
    ]
    report = harness.run(records)
    assert [f.target for f in report.failed] == [f"collection Limits/{too_long[:73]}…"]
    (failed,) = report.failed
    assert (
        "over 255 characters" in failed.message and "ok2021record sent without it" in failed.message
    )
    assert not [r for r in harness.server.log if r.status == 413]
    items = harness.by_citekey()
    assert sorted(items) == ["big2020record", "ok2021record"]
    (limits,) = [k for k, c in harness.server.collections.items() if c["name"] == "Limits"]
    assert items["ok2021record"][0]["collections"] == [limits]
    assert items["big2020record"][0]["abstractNote"].endswith("…")
    mark = harness.mark()
    harness.run(records)
    assert harness.since(mark)[1] == 0  # shortened values are stable: nothing to resend
