"""The loopback Web API follows the real server where it matters (#13), and the sync
paths that only such a server can reach: a per-object 412 on a ``version: 0`` create and
the adopt that follows, collection write failures and the items held back, a write that
commits and then stalls past the client's timeout, a dropped connection on a read."""

from __future__ import annotations

from typing import Any

from citekit.model import Name, Record
from tests.servers.zotero import ZoteroServer
from tests.servers.zotero_schema import MAX_FIELD_BYTES
from tests.test_zotero_sync import Harness, api, call, harness, hub, many  # noqa: F401

ITEMS = "/users/4242/items"


def post(server: ZoteroServer, body: list[dict[str, Any]], **headers: str) -> Any:
    status, _hdrs, out = call(server, "POST", ITEMS, body, **headers)
    assert status == 200, out
    return out


# -- the stand-in ------------------------------------------------------------------------------
def test_a_type_change_moves_base_mapped_values_as_set_type_does(api: ZoteroServer) -> None:  # noqa: F811
    """dataserver model/Item.inc.php setType(), lines 543-640 at 5cf550f."""
    preprint = {"key": "AAAA2222", "version": 0, "itemType": "preprint", "title": "T"}
    preprint |= {"repository": "arXiv", "archiveID": "arXiv:2201.11903", "genre": "preprint"}
    preprint |= {"creators": [{"creatorType": "reviewedAuthor", "name": "R"}]}
    post(api, [preprint])
    version = api.items["AAAA2222"]["version"]
    out = post(api, [{"key": "AAAA2222", "version": version, "itemType": "conferencePaper"}])
    assert out["successful"]["0"]["data"]["publisher"] == "arXiv"  # publisher's base field
    item = api.items["AAAA2222"]
    assert "archiveID" not in item and "genre" not in item  # no base field in the new type
    assert item["creators"] == [{"creatorType": "contributor", "name": "R"}]
    version = item["version"]
    report = post(api, [{"key": "AAAA2222", "version": version, "itemType": "report"}])
    assert report["successful"]["0"]["data"]["institution"] == "arXiv"  # a base stands for itself


def test_values_over_the_servers_limits_fail_that_object_with_413(api: ZoteroServer) -> None:  # noqa: F811
    def book(n: int, **extra: Any) -> dict[str, Any]:
        return {"key": f"BBBB222{n}", "version": 0, "itemType": "book", "title": "ok"} | extra

    out = post(
        api,
        [
            book(2, tags=[{"tag": "t" * 256}]),
            book(3, creators=[{"creatorType": "author", "lastName": "é" * 128}]),  # 256 bytes
            book(4, abstractNote="x" * (MAX_FIELD_BYTES + 1)),
            book(5, tags=[{"tag": "t" * 255}], abstractNote="x" * MAX_FIELD_BYTES),
        ],
    )
    assert {i: f["code"] for i, f in out["failed"].items()} == {"0": 413, "1": 413, "2": 413}
    assert list(out["successful"]) == ["3"]
    status, _, answer = call(
        api, "POST", "/users/4242/collections", [{"name": "c" * 256}, {"name": "c" * 255}]
    )
    assert status == 200 and answer["failed"]["0"]["code"] == 413 and "1" in answer["successful"]


def test_field_values_must_be_text_and_fields_of_the_type(api: ZoteroServer) -> None:  # noqa: F811
    out = post(
        api,
        [
            {"itemType": "book", "title": 7},
            {"itemType": "book", "proceedingsTitle": "not a book field"},
            {"itemType": "book", "creators": [{"creatorType": "programmer", "name": "x"}]},
        ],
    )
    assert [out["failed"][str(i)]["code"] for i in range(3)] == [400, 400, 400]


def test_a_failed_requests_write_token_is_not_remembered(api: ZoteroServer) -> None:  # noqa: F811
    token = "w" * 32
    status = call(api, "POST", ITEMS, [], Zotero_Write_Token=token, If_Unmodified_Since_Version="0")
    assert status[0] == 412
    assert call(api, "POST", ITEMS, [], Zotero_Write_Token=token)[0] == 200
    assert call(api, "POST", ITEMS, [], Zotero_Write_Token=token)[0] == 412


def test_keyed_updates_may_rely_on_the_library_precondition(api: ZoteroServer) -> None:  # noqa: F811
    post(api, [{"key": "CCCC2222", "version": 0, "itemType": "book", "title": "a"}])
    since = str(api.version)
    out = post(api, [{"key": "CCCC2222", "title": "b"}], If_Unmodified_Since_Version=since)
    assert "0" in out["successful"] and api.items["CCCC2222"]["title"] == "b"
    out = post(api, [{"key": "CCCC2222", "title": "c"}])
    assert out["failed"]["0"]["code"] == 428


# -- sync paths only a faithful server reaches -------------------------------------------------
def test_a_version_0_create_of_a_key_that_exists_is_adopted_after_a_re_read(
    harness: Harness,  # noqa: F811
) -> None:
    """A per-object 412 on a create: apply.py's Stale names the key, the next round reads it."""
    records = hub()
    harness.run(records)
    state_file = harness.settings.cache_path / "zotero-user-4242.json"
    import json

    state = json.loads(state_file.read_text())
    key = state["items"]["wei2022chain"]["key"]
    # as if the run that created it died after saving the library version, before the rest
    del state["items"]["wei2022chain"], state["remote_items"][key]
    state["pending"]["wei2022chain"] = key
    state_file.write_text(json.dumps(state))
    mark = harness.mark()
    report = harness.run(records)
    assert report.ok, report.lines()
    writes = [r for r in harness.server.log[mark:] if r.is_write]
    assert len(writes) == 1 and writes[0].status == 200  # the 412 is per object, in a 200
    assert report.rounds == 2 and len(harness.server.live_items()) == 11
    assert harness.state()["items"]["wei2022chain"]["key"] == key
    assert harness.state()["pending"] == {}
    again = harness.mark()
    assert harness.run(records).ok and harness.since(again)[1] == 0


def test_a_collection_that_cannot_be_made_holds_back_only_its_items(harness: Harness) -> None:  # noqa: F811
    """apply.py: a collection Zotero refuses (here: a 500 for that object) holds back the
    items filed in it, and only those; its sub-collections are not attempted."""
    records = [
        *many(4),
        Record(
            key="solo2020paper",
            type="report",
            title="Filed in a Refused Collection",
            author=(Name("Solo", "Han"),),
            collections=("Refused/Child",),
        ),
    ]
    harness.server.refuse["Refused"] = (500, "An error occurred")
    report = harness.run(records)
    failed = {f.target: f for f in report.failed}
    assert failed["collection Refused"].code == 500
    assert "not sent: collection" in failed["entry solo2020paper"].message
    assert len(harness.server.live_items()) == 4 and not report.ok
    assert {c["name"] for c in harness.server.collections.values()} == {"Bulk", "Even", "Odd"}
    assert harness.state()["pending_collections"] == {}
    del harness.server.refuse["Refused"]
    again = harness.run(records)
    assert again.ok, again.lines()
    assert len(harness.server.live_items()) == 5


def test_a_write_that_commits_then_stalls_is_adopted_not_duplicated(harness: Harness) -> None:  # noqa: F811
    harness.server.inject("stall", "POST", "/items", delay=3.0)
    report = harness.run(hub(), timeout=1.0)
    assert report.ok, report.lines()
    assert report.rounds == 2
    assert len(harness.server.live_items()) == 11
    assert all(len(v) == 1 for v in harness.by_citekey().values())


def test_a_dropped_connection_on_a_read_is_retried(harness: Harness) -> None:  # noqa: F811
    harness.server.inject("lost", "GET", "/items")
    report = harness.run(hub())
    assert report.ok, report.lines()
    assert any("the server closed the connection" in n for n in harness.notes)
    assert len(harness.server.live_items()) == 11
