"""The pure half of Zotero sync: identities, matching, the three-way merge, the plan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citekit.zotero.identity import identify, normalize_arxiv, normalize_doi
from citekit.zotero.merge import diff_item, intended_state
from citekit.zotero.plan import (
    LocalEntry,
    make_plan,
    match_entries,
    needs_data,
    plan_collections,
)
from citekit.zotero.state import ItemState, RemoteCollection, SyncState


def keys(*names: str) -> Any:
    """A deterministic key generator (constructed keys in Zotero's alphabet)."""
    it = iter(names)
    return lambda: next(it)


def state_with(remote: dict[str, dict[str, Any]], **kw: Any) -> SyncState:
    state = SyncState("user", "1", library_version=10, **kw)
    state.remote_items = {
        k: identify(v | {"version": v.get("version", 5)}) for k, v in remote.items()
    }
    return state


# -- identities ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "citekey", "doi", "arxiv"),
    [
        ({"citationKey": "a2020"}, "a2020", "", ""),
        ({"extra": "Read twice\nCitation Key: b2021\nbibtex: old"}, "b2021", "", ""),
        ({"extra": "bibtex: c2019"}, "c2019", "", ""),
        ({"DOI": "https://doi.org/10.1145/ABC.1"}, "", "10.1145/abc.1", ""),
        ({"extra": "DOI: doi:10.1/X"}, "", "10.1/x", ""),
        ({"archiveID": "arXiv:2005.14165"}, "", "", "2005.14165"),
        ({"extra": "arXiv:2005.14165v3 [cs.CL]"}, "", "", "2005.14165"),
        ({"DOI": "10.48550/arXiv.2203.02155"}, "", "10.48550/arxiv.2203.02155", "2203.02155"),
        ({"url": "https://arxiv.org/pdf/1707.06347v2.pdf"}, "", "", "1707.06347"),
        ({"url": "http://arxiv.org/abs/hep-th/9901001v1"}, "", "", "hep-th/9901001"),
    ],
)
def test_identify_reads_fields_and_extra(
    data: dict[str, Any], citekey: str, doi: str, arxiv: str
) -> None:
    found = identify(data)
    assert (found.citekey, found.doi, found.arxiv) == (citekey, doi, arxiv)


def test_normalizers() -> None:
    assert normalize_doi(" DOI:10.5555/AbC ") == "10.5555/abc"
    assert normalize_arxiv("arXiv:2101.00001v12") == "2101.00001"
    assert normalize_arxiv("") == ""


# -- matching ----------------------------------------------------------------------------------
def entry(citekey: str, **fields: Any) -> LocalEntry:
    return LocalEntry(citekey, {"itemType": "preprint", "title": citekey} | fields)


def test_match_order_state_then_citekey_then_doi_then_arxiv() -> None:
    remote = {
        "STATE222": {"itemType": "preprint", "title": "renamed by the user"},
        "CKEY2222": {"itemType": "preprint", "citationKey": "b"},
        "DOI22222": {"itemType": "journalArticle", "DOI": "10.1/c"},
        "ARX22222": {"itemType": "preprint", "archiveID": "arXiv:2001.00004"},
        "OTHER222": {"itemType": "preprint", "DOI": "10.1/b"},
    }
    state = state_with(remote, items={"a": ItemState("STATE222")})
    entries = [
        entry("a", DOI="10.1/c"),
        entry("b", DOI="10.1/b"),
        entry("c", DOI="10.1/C"),
        entry("d", archiveID="arXiv:2001.00004v2"),
    ]
    matches, skips = match_entries(entries, state)
    assert not skips
    assert {(m.citekey, m.key, m.by) for m in matches} == {
        ("a", "STATE222", "state"),
        ("b", "CKEY2222", "citation key"),
        ("c", "DOI22222", "DOI"),
        ("d", "ARX22222", "arXiv id"),
    }


def test_ambiguous_and_conflicting_matches_are_skipped_not_guessed() -> None:
    remote = {
        "TWIN2222": {"itemType": "preprint", "DOI": "10.1/twin"},
        "TWIN3333": {"itemType": "journalArticle", "DOI": "10.1/TWIN"},
        "KEYED222": {"itemType": "preprint", "DOI": "10.1/k", "citationKey": "someoneelse"},
        "NOTE2222": {"itemType": "note", "DOI": "10.1/n"},
    }
    matches, skips = match_entries(
        [entry("t", DOI="10.1/twin"), entry("k", DOI="10.1/k"), entry("n", DOI="10.1/n")],
        state_with(remote),
    )
    assert matches == []
    reasons = {s.citekey: s.reason for s in skips}
    assert set(reasons) == {"t", "k"}  # a note is never a match: "n" is simply new
    assert "2 Zotero items" in reasons["t"] and "someoneelse" in reasons["k"]


def test_trashed_and_deleted_items_are_skipped() -> None:
    remote = {"TRASH222": {"itemType": "preprint", "DOI": "10.1/t", "deleted": 1}}
    state = state_with(remote, items={"gone": ItemState("GONE2222")})
    matches, skips = match_entries([entry("t", DOI="10.1/t"), entry("gone")], state)
    assert matches == []
    assert {s.citekey: ("trash" in s.reason, "deleted" in s.reason) for s in skips} == {
        "t": (True, False),
        "gone": (False, True),
    }


def test_an_item_is_matched_to_one_entry_only() -> None:
    remote = {"ONLY2222": {"itemType": "preprint", "DOI": "10.1/same"}}
    matches, _ = match_entries(
        [entry("x", DOI="10.1/same"), entry("y", DOI="10.1/same")], state_with(remote)
    )
    assert [(m.citekey, m.key) for m in matches] == [("x", "ONLY2222")]


# -- the three-way merge ---------------------------------------------------------------------
LOCAL = {
    "itemType": "preprint",
    "title": "Bib",
    "abstractNote": "abs",
    "creators": [{"creatorType": "author", "firstName": "A", "lastName": "B"}],
    "collections": ["C2222222"],
    "tags": [{"tag": "t"}],
    "extra": "Citation Key: k",
}


def remote(**fields: Any) -> dict[str, Any]:
    base = {
        "key": "ITEM2222",
        "version": 7,
        "itemType": "preprint",
        "title": "",
        "DOI": "",
        "abstractNote": "",
        "creators": [],
        "collections": [],
        "tags": [],
        "extra": "",
    }
    return base | fields


def base_of(item: dict[str, Any]) -> ItemState:
    return intended_state(item, "ITEM2222")


def test_no_base_fills_empty_fields_and_keeps_differing_ones() -> None:
    out = diff_item(
        "k", LOCAL, remote(title="Theirs", tags=[{"tag": "mine"}], extra="Note: x"), None
    )
    assert out.changes["abstractNote"] == "abs" and "title" not in out.changes
    assert [(c.field, c.bib, c.zotero) for c in out.kept] == [("title", "Bib", "Theirs")]
    assert out.changes["extra"] == "Note: x\nCitation Key: k"
    assert {t["tag"] for t in out.changes["tags"]} == {"mine", "t"}
    assert out.changes["collections"] == ["C2222222"]


@pytest.mark.parametrize(
    ("bib", "zotero", "expect"),
    [
        ("Old", "Old", "nothing"),
        ("New", "Old", "update"),
        ("Old", "Theirs", "kept"),
        ("New", "Theirs", "conflict"),
        ("Same", "Same", "nothing"),
        ("", "Old", "update"),  # cleared in the .bib: cleared in Zotero
        ("Old", "", "kept"),  # cleared in Zotero: stays cleared
    ],
)
def test_three_way_field_merge(bib: str, zotero: str, expect: str) -> None:
    base = base_of(LOCAL | {"title": "Old"})
    local = LOCAL | {"title": bib}
    out = diff_item(
        "k",
        local,
        remote(
            **{**{k: v for k, v in LOCAL.items()}, "title": zotero, "key": "ITEM2222", "version": 7}
        ),
        base,
    )
    got = (
        "update"
        if "title" in out.changes
        else "kept"
        if out.kept
        else "conflict"
        if out.conflicts
        else "nothing"
    )
    assert got == expect
    if expect == "conflict":
        (c,) = out.conflicts
        assert (c.bib, c.zotero) == ("New", "Theirs")
        assert out.after.fields["title"] == base.fields["title"]  # stays a conflict
    assert set(out.changes) <= {"title"}


def test_extra_lines_citekit_owns_are_rewritten_and_the_users_kept() -> None:
    before = LOCAL | {"extra": "Citation Key: k\nPublisher: Old"}
    base = base_of(before)
    now = LOCAL | {"extra": "Citation Key: k\nPublisher: New"}
    out = diff_item(
        "k",
        now,
        remote(
            **before
            | {
                "key": "ITEM2222",
                "version": 7,
                "extra": "Citation Key: k\nPublisher: Old\nMy note: keep",
            }
        ),
        base,
    )
    assert out.changes["extra"] == "Citation Key: k\nMy note: keep\nPublisher: New"


def test_a_users_line_with_the_same_label_is_not_overwritten() -> None:
    out = diff_item("k", LOCAL, remote(extra="Citation Key: theirs"), None)
    assert "extra" not in out.changes
    assert [(c.field, c.zotero) for c in out.kept] == [
        ("extra citation key", "Citation Key: theirs")
    ]


def test_collections_merge_keeps_the_users_and_respects_removals() -> None:
    base = base_of(LOCAL | {"collections": ["C2222222", "GONE2222", "USERDROP"]})
    local = LOCAL | {"collections": ["C2222222", "NEW22222", "USERDROP"]}
    out = diff_item(
        "k",
        local,
        remote(
            **LOCAL
            | {"key": "ITEM2222", "version": 7, "collections": ["C2222222", "GONE2222", "USERS222"]}
        ),
        base,
    )
    assert sorted(out.changes["collections"]) == ["C2222222", "NEW22222", "USERS222"]


_text = st.text(alphabet="abcXYZ -é", max_size=6)


@given(
    bib=st.dictionaries(st.sampled_from(["title", "date", "url", "DOI"]), _text),
    zot=st.dictionaries(st.sampled_from(["title", "date", "url", "DOI"]), _text),
    pushed=st.dictionaries(st.sampled_from(["title", "date", "url", "DOI"]), _text),
)
def test_merge_then_resync_is_a_fixed_point(
    bib: dict[str, str], zot: dict[str, str], pushed: dict[str, str]
) -> None:
    """Applying a merge's changes and merging again changes nothing more, and never
    touches a field that differs from the base on the Zotero side."""
    local = {"itemType": "preprint"} | bib
    base = base_of({"itemType": "preprint"} | pushed)
    data = remote(**zot)
    first = diff_item("k", local, data, base)
    for name in first.changes:  # only fields Zotero still holds as last pushed (or empty)
        assert zot.get(name, "") == pushed.get(name, ""), name
    applied = data | first.changes | {"version": 8}
    second = diff_item("k", local, applied, first.after)
    assert second.changes == {}
    assert [c.field for c in second.conflicts] == [c.field for c in first.conflicts]


# -- collections and the whole plan -------------------------------------------------------------
def test_plan_collections_reuses_siblings_and_creates_top_down() -> None:
    state = SyncState("user", "1")
    state.remote_collections = {
        "HUB22222": RemoteCollection(3, "LLM Hub"),
        "RLHF2222": RemoteCollection(9, "RLHF", "HUB22222"),
        "RLHF3333": RemoteCollection(4, "RLHF", "HUB22222"),
        "ELSE2222": RemoteCollection(2, "GPT series", "OTHER222"),
        "TRASH222": RemoteCollection(2, "Old", trashed=True),
    }
    state.pending_collections = {"Old": "PEND2222"}
    plan = plan_collections(
        ["LLM Hub", "LLM Hub/RLHF", "LLM Hub/GPT series", "LLM Hub/GPT series/Codex", "Old"],
        state,
        keys("NEW22222", "NEW33333"),
    )
    assert plan.keys["LLM Hub"] == "HUB22222"
    assert plan.keys["LLM Hub/RLHF"] == "RLHF3333"  # the older of two same-named siblings
    assert plan.warnings and "RLHF" in plan.warnings[0]
    made = [(c.path, c.key, c.parent) for c in plan.creates]
    assert made == [
        ("Old", "PEND2222", ""),
        ("LLM Hub/GPT series", "NEW22222", "HUB22222"),
        ("LLM Hub/GPT series/Codex", "NEW33333", "NEW22222"),
    ]


def test_make_plan_creates_with_chosen_keys_and_version_zero() -> None:
    state = SyncState("user", "1", pending={"b": "PEND2222"})
    coll = plan_collections([], state, keys())
    plan = make_plan(
        [entry("a", relations={}), entry("b")], state, coll, {}, new_key=keys("KEYA2222")
    )
    payloads = [c.payload() for c in plan.creates]
    assert [(p["key"], p["version"]) for p in payloads] == [("KEYA2222", 0), ("PEND2222", 0)]
    assert all("relations" not in p for p in payloads)
    assert all(plan.after[c.citekey].created for c in plan.creates)


def test_unchanged_item_needs_no_data_and_prune_only_trashes_what_citekit_made() -> None:
    item = {"itemType": "preprint", "title": "t"}
    remote_items = {"MINE2222": item, "USER2222": item, "KEEP2222": item}
    state = state_with(
        remote_items,
        items={
            "keep": intended_state(item, "KEEP2222"),
            "made": ItemState("MINE2222", created=True),
            "adopted": ItemState("USER2222"),
        },
    )
    state.items["keep"].version = 5
    keep = LocalEntry("keep", item)
    (m,), _ = match_entries([keep], state)
    assert not needs_data(keep, m, state)
    assert needs_data(LocalEntry("keep", item | {"title": "u"}), m, state)
    coll = plan_collections([], state, keys())
    plan = make_plan([keep], state, coll, {}, new_key=keys(), prune=True)
    assert [(t.citekey, t.payload()) for t in plan.trashes] == [
        ("made", {"key": "MINE2222", "version": 5, "deleted": 1})
    ]
    assert plan.left == [("adopted", "USER2222")]
    assert plan.unchanged == ["keep"] and not plan.updates


def test_a_create_that_landed_after_its_entry_left_is_adopted_as_citekits() -> None:
    state = state_with(
        {"PEND2222": {"itemType": "preprint", "title": "x"}}, pending={"gone": "PEND2222"}
    )
    plan = make_plan([], state, plan_collections([], state, keys()), {}, new_key=keys())
    assert plan.after["gone"].key == "PEND2222" and plan.after["gone"].created
