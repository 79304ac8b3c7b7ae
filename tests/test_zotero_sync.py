"""``citekit sync zotero`` end to end: pyzotero does real HTTP against the loopback server.

The server (tests/servers/zotero.py) enforces the Web API's versions, preconditions and
per-object results, so these tests check what lands in the library, how many requests it
took, and that the API key never shows up in any output, file or exception.
"""

from __future__ import annotations

import json
import logging
import math
import os
import traceback
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.config import Settings
from citekit.errors import CitekitError, ConfigError, SyncError
from citekit.model import Date, Name, Record
from citekit.zotero.credentials import Credentials, load_credentials
from citekit.zotero.report import SyncReport
from citekit.zotero.sync import SyncOptions, sync_zotero
from tests.export_records import hub
from tests.servers.zotero import SCHEMA, ZoteroServer, serve

API_KEY = "zkTESTsecretCITEKITkey0123456789"  # constructed; must never leak


class Harness:
    """One loopback library, the settings pointing at it, and everything citekit said."""

    def __init__(self, server: ZoteroServer, root: Path) -> None:
        self.server = server
        self.settings = Settings(root=root, cache_dir=".citekit", zotero_url=server.url)
        self.credentials = Credentials("user", str(server.library_id), API_KEY)
        self.sleeps: list[float] = []
        self.texts: list[str] = []
        self.notes: list[str] = []
        self.now = 0.0  # the sync's clock: moves only when it sleeps

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def run(self, records: Sequence[Record], **options: Any) -> SyncReport:
        options = {"sleep": self.sleep, "clock": lambda: self.now} | options
        opts = SyncOptions(notify=self.notes.append, **options)
        try:
            report = sync_zotero(records, self.settings, self.credentials, opts)
        except CitekitError as exc:
            self.texts.append("".join(traceback.format_exception(exc)))
            raise
        self.texts += [json.dumps(report.to_json()), "\n".join(report.lines()), repr(report)]
        return report

    def mark(self) -> int:
        return len(self.server.log)

    def since(self, mark: int) -> tuple[int, int]:
        """(reads, writes) the server received after ``mark``."""
        new = self.server.log[mark:]
        return sum(not r.is_write for r in new), sum(r.is_write for r in new)

    def state(self) -> dict[str, Any]:
        path = self.settings.cache_path / f"zotero-user-{self.server.library_id}.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def by_citekey(self) -> dict[str, list[dict[str, Any]]]:
        """Live items grouped by the citation key they carry (field or Extra line)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for item in self.server.live_items():
            key = item.get("citationKey") or ""
            for line in item.get("extra", "").splitlines():
                if line.startswith("Citation Key: "):
                    key = key or line.removeprefix("Citation Key: ")
            out.setdefault(key, []).append(item)
        return out


@pytest.fixture
def harness(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Harness]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    caplog.set_level(logging.DEBUG)  # httpx / httpcore / pyzotero logs too
    server = ZoteroServer(API_KEY)
    with serve(server):
        h = Harness(server, tmp_path)
        yield h
    captured = capsys.readouterr()
    texts = [*h.texts, captured.out, captured.err, repr(server.log), caplog.text]
    texts += [p.read_text("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()]
    leaks = [t[:200] for t in texts if API_KEY in t]
    assert not leaks, f"the API key leaked into: {leaks}"
    if h.credentials.api_key == API_KEY:
        assert all(r.authorized for r in server.log), "a request went out without the key"


def many(n: int) -> list[Record]:
    """``n`` constructed arXiv preprints in two nested collections."""
    return [
        Record(
            key=f"doe{i:03d}paper",
            type="article",
            title=f"Constructed Paper {i}",
            author=(Name("Doe", "Jane"), Name("Roe", "Rich")),
            issued=Date(2020, 1 + i % 12),
            arxiv_id=f"2001.{i:05d}",
            arxiv_class="cs.CL",
            collections=("Bulk/Even",) if i % 2 == 0 else ("Bulk/Odd",),
        )
        for i in range(n)
    ]


def collection_tree(server: ZoteroServer) -> set[tuple[str, str]]:
    names = {k: c["name"] for k, c in server.collections.items()}
    return {
        (c["name"], names.get(c["parentCollection"] or "", "")) for c in server.collections.values()
    }


# -- first sync, second sync ------------------------------------------------------------------
def test_first_sync_creates_every_item_and_the_tree_in_the_fewest_writes(harness: Harness) -> None:
    records = hub()
    report = harness.run(records)
    assert report.ok, report.lines()
    items = harness.by_citekey()
    assert sorted(items) == sorted(r.key for r in records)
    assert all(len(v) == 1 for v in items.values())
    assert collection_tree(harness.server) == {
        ("LLM Hub", ""),
        ("GPT series", "LLM Hub"),
        ("RLHF", "LLM Hub"),
        ("Prompting and instruction tuning", "LLM Hub"),
    }
    # two collection levels (one POST each) plus ceil(11 / 50) item POSTs
    item_writes = harness.server.writes("/items")
    assert len(item_writes) == math.ceil(len(records) / 50)
    assert len(harness.server.writes("/collections")) == 2
    assert len(harness.server.writes()) == len(item_writes) + 2
    keys = {c["name"]: k for k, c in harness.server.collections.items()}
    (ouyang,) = items["ouyang2022training"]
    assert sorted(ouyang["collections"]) == sorted([keys["GPT series"], keys["RLHF"]])


def test_second_sync_makes_no_write_and_at_most_two_reads(harness: Harness) -> None:
    harness.run(hub())
    mark = harness.mark()
    report = harness.run(hub())
    reads, writes = harness.since(mark)
    assert (writes, report.ok) == (0, True)
    assert reads <= 2
    assert len(report.unchanged) == 11 and not report.created and not report.updated


def test_120_entries_take_three_item_writes(harness: Harness) -> None:
    report = harness.run(many(120))
    assert report.ok
    assert len(harness.server.writes("/items")) == 3
    assert all(len(v) == 1 for v in harness.by_citekey().values())
    assert len(harness.server.live_items()) == 120


# -- faults: lost answers, 500s, concurrent edits, rate limits ----------------------------------
def test_lost_answer_mid_sync_is_adopted_in_the_same_run(harness: Harness) -> None:
    harness.server.inject("lost", "POST", "/items", nth=2)
    report = harness.run(many(120))
    assert report.ok, report.lines()
    assert len(harness.server.live_items()) == 120
    assert all(len(v) == 1 for v in harness.by_citekey().values())
    assert report.rounds == 2 and len(report.created) == 120


def test_lost_answer_then_rerun_gives_exactly_120_items(harness: Harness) -> None:
    harness.server.inject("lost", "POST", "/items", nth=2)
    first = harness.run(many(120), max_rounds=1)
    assert not first.ok and first.failed[-1].target == "library"
    assert len(harness.state()["pending"]) == 50  # recorded before the lost request
    assert len(harness.server.live_items()) == 100  # the lost batch did land
    second = harness.run(many(120))
    assert second.ok, second.lines()
    items = harness.by_citekey()
    assert len(harness.server.live_items()) == 120 and len(items) == 120
    assert all(len(v) == 1 for v in items.values())
    assert not second.matched
    # 50 reported by the first run; the lost 50 (adopted by their pending keys) and the
    # last 20 by the second
    assert (len(first.created), len(second.created)) == (50, 70)
    assert harness.state()["pending"] == {}


def test_500_in_the_middle_of_a_batch_converges_without_duplicates(harness: Harness) -> None:
    harness.server.inject("partial500", "POST", "/items", nth=1)
    report = harness.run(many(60))
    assert report.ok, report.lines()
    assert len(harness.server.live_items()) == 60
    assert all(len(v) == 1 for v in harness.by_citekey().values())


def test_concurrent_edit_gets_412_then_merges_and_retries(harness: Harness) -> None:
    records = hub()
    harness.run(records)
    (item,) = harness.by_citekey()["knox2011augmenting"]
    changed = [
        r.with_(title="Augmenting RL with Human Feedback") if r.key == "brown2020language" else r
        for r in records
    ]

    def user_edits(server: ZoteroServer) -> None:
        server.user_edit(item["key"], abstractNote="A note the user typed meanwhile")

    harness.server.inject("edit", "POST", "/items", nth=1, edit=user_edits)
    mark = harness.mark()
    report = harness.run(changed)
    assert report.ok, report.lines()
    statuses = [r.status for r in harness.server.log[mark:] if r.is_write]
    assert statuses == [412, 200]
    (brown,) = harness.by_citekey()["brown2020language"]
    assert brown["title"] == "Augmenting RL with Human Feedback"
    assert harness.server.items[item["key"]]["abstractNote"] == "A note the user typed meanwhile"


def test_429_and_backoff_are_honoured_through_the_injected_sleep(harness: Harness) -> None:
    harness.server.inject("status", "POST", "/items", status=429, headers={"Retry-After": "1"})
    harness.server.inject("backoff", "GET", "/items", headers={"Backoff": "2"})
    report = harness.run(hub())
    assert report.ok, report.lines()
    assert 1.0 in harness.sleeps and 2.0 in harness.sleeps
    assert [r.status for r in harness.server.writes("/items")] == [429, 200]
    assert all(len(v) == 1 for v in harness.by_citekey().values())


def test_503_without_retry_after_backs_off_exponentially(harness: Harness) -> None:
    harness.server.inject("status", "POST", "/collections", status=503, times=2)
    report = harness.run(hub())
    assert report.ok
    assert harness.sleeps[:2] == [1.0, 2.0]


# -- the user's data ----------------------------------------------------------------------------
def test_title_changed_in_the_bib_is_exactly_one_update(harness: Harness) -> None:
    records = hub()
    harness.run(records)
    before = {k: dict(v) for k, v in harness.server.items.items()}
    changed = [r.with_(title="A New Title") if r.key == "wei2022chain" else r for r in records]
    mark = harness.mark()
    report = harness.run(changed)
    assert harness.since(mark)[1] == 1
    assert list(report.updated) == ["wei2022chain"]
    assert list(report.updated["wei2022chain"]) == ["title"]
    after = harness.server.items
    diffs = {
        k
        for k in after
        if {f: v for f, v in after[k].items() if f not in {"version", "dateModified"}}
        != {f: v for f, v in before[k].items() if f not in {"version", "dateModified"}}
    }
    (key,) = diffs
    assert after[key]["title"] == "A New Title"


def test_same_field_edited_on_both_sides_is_a_conflict_with_both_values(harness: Harness) -> None:
    records = hub()
    harness.run(records)
    (item,) = harness.by_citekey()["knox2009interactively"]
    harness.server.user_edit(item["key"], title="Zotero Title")
    changed = [
        r.with_(title="Bib Title") if r.key == "knox2009interactively" else r for r in records
    ]
    mark = harness.mark()
    report = harness.run(changed)
    assert not report.ok
    (conflict,) = report.conflicts
    assert (conflict.citekey, conflict.field) == ("knox2009interactively", "title")
    assert (conflict.zotero, conflict.bib) == ("Zotero Title", "Bib Title")
    assert harness.server.items[item["key"]]["title"] == "Zotero Title"  # Zotero's kept
    assert harness.since(mark)[1] == 0
    text = json.dumps(report.to_json())
    assert "Zotero Title" in text and "Bib Title" in text
    assert any("Zotero Title" in ln and "Bib Title" in ln for ln in report.lines())
    again = harness.run(changed)  # stays visible until one side is edited
    assert [c.field for c in again.conflicts] == ["title"]


def test_field_edited_only_in_zotero_is_kept_and_reported(harness: Harness) -> None:
    records = hub()
    harness.run(records)
    (item,) = harness.by_citekey()["lambert2022illustrating"]
    harness.server.user_edit(item["key"], title="My Own Title", tags=[{"tag": "to-read"}])
    mark = harness.mark()
    report = harness.run(records)
    assert report.ok and harness.since(mark)[1] == 0
    assert [(c.field, c.zotero) for c in report.kept] == [("title", "My Own Title")]
    assert harness.server.items[item["key"]]["title"] == "My Own Title"
    changed = [
        r.with_(keywords=("rlhf",)) if r.key == "lambert2022illustrating" else r for r in records
    ]
    report = harness.run(changed)  # a later .bib change adds its tag, keeps the user's
    tags = {t["tag"] for t in harness.server.items[item["key"]]["tags"]}
    assert tags == {"to-read", "rlhf"}
    assert harness.server.items[item["key"]]["title"] == "My Own Title"


def test_existing_item_with_the_same_doi_is_matched_not_duplicated(harness: Harness) -> None:
    key = harness.server.add_item(
        itemType="conferencePaper",
        title="Interactively shaping agents (my copy)",
        DOI="https://doi.org/10.1145/1597735.1597738",
        extra="Read: 2024",
        tags=[{"tag": "mine"}],
    )
    report = harness.run(hub())
    assert report.ok, report.lines()
    assert [(m.citekey, m.key, m.by) for m in report.matched] == [
        ("knox2009interactively", key, "DOI")
    ]
    assert len(harness.server.live_items()) == 11
    item = harness.server.items[key]
    assert item["title"] == "Interactively shaping agents (my copy)"  # the user's, kept
    assert "Read: 2024" in item["extra"]
    assert "Citation Key: knox2009interactively" in item["extra"]
    (tamer,) = [r for r in hub() if r.key == "knox2009interactively"]
    assert tamer.page and item["pages"] == tamer.page  # an empty field was filled in
    assert {t["tag"] for t in item["tags"]} == {"mine"}
    assert [c.field for c in report.kept] == ["title"]


def test_existing_item_with_the_same_arxiv_id_is_matched(harness: Harness) -> None:
    key = harness.server.add_item(
        itemType="preprint",
        title="Proximal Policy Optimization",
        url="https://arxiv.org/abs/1707.06347v2",
    )
    report = harness.run(hub())
    assert ("schulman2017proximal", key, "arXiv id") in {
        (m.citekey, m.key, m.by) for m in report.matched
    }
    assert len(harness.server.live_items()) == 11


def test_trashed_match_is_skipped_and_reported(harness: Harness) -> None:
    harness.server.add_item(
        itemType="preprint", title="x", DOI="10.48550/arXiv.1707.06347", deleted=1
    )
    report = harness.run(hub())
    assert not report.ok
    assert [s.citekey for s in report.skipped] == ["schulman2017proximal"]
    assert "trash" in report.skipped[0].reason
    assert len(harness.server.live_items()) == 10


def test_prune_trashes_only_items_citekit_created(harness: Harness) -> None:
    mine = harness.server.add_item(
        itemType="conferencePaper", title="Mine", DOI="10.1145/1597735.1597738"
    )
    records = hub()
    harness.run(records)
    gone = {"knox2009interactively", "openai2022chatgpt"}
    kept = [r for r in records if r.key not in gone]
    report = harness.run(kept)
    assert report.ok and {c for c, _ in report.left} == gone and not report.trashed
    assert len(harness.server.live_items()) == 11
    report = harness.run(kept, prune=True)
    assert report.trashed == ["openai2022chatgpt"]
    assert len(harness.server.items) == 11  # trashed, not deleted
    assert len(harness.server.live_items()) == 10
    assert not harness.server.items[mine].get("deleted")
    assert not any(r.method == "DELETE" for r in harness.server.log)


def test_refused_object_is_reported_and_the_rest_lands(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = [f for f in SCHEMA["blogPost"][0] if f != "blogTitle"]
    monkeypatch.setitem(SCHEMA, "blogPost", (old, SCHEMA["blogPost"][1]))
    report = harness.run(hub())
    assert not report.ok
    assert sorted(f.target for f in report.failed) == [
        "entry lambert2022illustrating",
        "entry openai2022chatgpt",
    ]
    assert {f.code for f in report.failed} == {400}
    assert "blogTitle" in report.failed[0].message
    assert len(harness.server.live_items()) == 9
    assert harness.state()["pending"] == {}


def test_dry_run_reads_but_writes_nothing(harness: Harness) -> None:
    report = harness.run(hub(), dry_run=True)
    assert len(report.created) == 11 and len(report.collections_created) == 4
    assert not harness.server.writes()
    assert not (harness.settings.cache_path).exists()
    assert any(line.startswith("+ item brown2020language") for line in report.lines())


def test_wrong_key_is_a_config_error_without_the_key(harness: Harness) -> None:
    harness.credentials = Credentials("user", str(harness.server.library_id), API_KEY[::-1])
    with pytest.raises(ConfigError, match="HTTP 403") as info:
        harness.run(hub())
    assert API_KEY[::-1] not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_state_file_holds_versions_and_hashes_but_no_secret(harness: Harness) -> None:
    harness.run(hub())
    state = harness.state()
    assert state["library_version"] == harness.server.version
    entry = state["items"]["brown2020language"]
    assert entry["created"] and len(entry["fields"]["title"]) == 16
    assert "Language Models are Few-Shot Learners" not in json.dumps(entry)


# -- credentials and the command line ---------------------------------------------------------
def test_credentials_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(f'[zotero]\napi_key = "{API_KEY}"\nlibrary_id = "7"\n')
    env = {"CITEKIT_CREDENTIALS": str(path)}
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600") as info:
        load_credentials(env)
    assert API_KEY not in str(info.value)
    path.chmod(0o600)
    creds = load_credentials(env)
    assert (creds.library_type, creds.library_id, creds.api_key) == ("user", "7", API_KEY)
    assert API_KEY not in repr(creds)


def test_credentials_come_from_the_environment_first(tmp_path: Path) -> None:
    env = {
        "ZOTERO_API_KEY": "k",
        "ZOTERO_LIBRARY_ID": "12",
        "ZOTERO_LIBRARY_TYPE": "group",
        "CITEKIT_CREDENTIALS": str(tmp_path / "absent.toml"),
    }
    assert load_credentials(env).library_type == "group"
    assert load_credentials(env, library_id="99").library_id == "99"
    with pytest.raises(ConfigError, match="ZOTERO_API_KEY"):
        load_credentials({"CITEKIT_CREDENTIALS": str(tmp_path / "absent.toml")})


BIB = """@misc{schulman2017proximal,
  title = {Proximal Policy Optimization Algorithms},
  author = {Schulman, John and Wolski, Filip},
  year = {2017},
  eprint = {1707.06347},
  archiveprefix = {arXiv},
  groups = {LLM Hub/RLHF},
}
"""


def test_cli_sync_zotero_json_and_exit_codes(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    monkeypatch.setenv("ZOTERO_API_KEY", API_KEY)
    monkeypatch.setenv("CITEKIT_ZOTERO_URL", harness.server.url)
    monkeypatch.setenv("CITEKIT_CREDENTIALS", str(tmp_path / "none.toml"))
    runner = CliRunner()
    args = ["sync", "zotero", "--library-id", "4242", "--json"]
    result = runner.invoke(cli, args)
    harness.texts += [result.output, repr(result.exception)]
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["created"] == ["schulman2017proximal"]
    assert data["collections_created"] == ["LLM Hub", "LLM Hub/RLHF"]
    harness.server.inject("status", "POST", "/items", status=400)
    (tmp_path / "references.bib").write_text(BIB.replace("Algorithms", "Methods"))
    result = runner.invoke(cli, ["sync", "zotero", "--library-id", "4242"])
    harness.texts += [result.output, repr(result.exception)]
    assert result.exit_code == 1
    assert "HTTP 400" in result.output
    assert API_KEY not in result.output
    result = runner.invoke(cli, ["sync", "zotero", "--library-id", "4242", "--dry-run"])
    harness.texts.append(result.output)
    assert result.exit_code == 0 and "~ item schulman2017proximal: title" in result.output
    assert os.environ.get("ZOTERO_API_KEY") == API_KEY  # the key came from the environment


def test_cli_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["sync", "zotero", "--help"])
    assert result.exit_code == 0
    for option in ("--library-id", "--library-type", "--dry-run", "--json", "--prune"):
        assert option in result.output
    assert "--api-key" not in result.output


# -- the loopback server itself behaves like the Web API (stdlib HTTP, no pyzotero) -----------
def call(
    server: ZoteroServer,
    method: str,
    path: str,
    body: Any = None,
    key: str | None = API_KEY,
    **headers: str,
) -> tuple[int, dict[str, str], Any]:
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.url + path, data=data, method=method)
    if key:
        req.add_header("Zotero-API-Key", key)
    for name, value in headers.items():
        req.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, dict(err.headers)
    text = raw.decode()
    try:
        return status, hdrs, json.loads(text) if text else None
    except ValueError:
        return status, hdrs, text


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoteroServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with serve(ZoteroServer(API_KEY)) as server:
        yield server


def test_server_checks_the_key_and_the_batch_size(api: ZoteroServer) -> None:
    assert call(api, "GET", "/users/4242/items", key=None)[0] == 403
    assert call(api, "GET", "/users/4242/items", key="wrong")[0] == 403
    many_items = [{"itemType": "book", "title": str(i)} for i in range(51)]
    assert call(api, "POST", "/users/4242/items", many_items)[0] == 413


def test_server_versions_and_preconditions(api: ZoteroServer) -> None:
    status, hdrs, out = call(
        api,
        "POST",
        "/users/4242/items",
        [
            {"key": "AAAA2222", "version": 0, "itemType": "book", "title": "x"},
            {"itemType": "book", "title": "y", "blogTitle": "not a book field"},
        ],
    )
    assert status == 200 and set(out["successful"]) == {"0"}
    assert out["failed"]["1"]["code"] == 400 and "blogTitle" in out["failed"]["1"]["message"]
    version = int(hdrs["Last-Modified-Version"])
    _, _, out = call(
        api,
        "POST",
        "/users/4242/items",
        [
            {"key": "AAAA2222", "version": 0, "itemType": "book", "title": "again"},
            {"key": "AAAA2222", "title": "no version"},
        ],
    )
    assert (out["failed"]["0"]["code"], out["failed"]["1"]["code"]) == (412, 428)
    _, _, out = call(
        api, "POST", "/users/4242/items", [{"key": "AAAA2222", "version": version, "title": "x"}]
    )
    assert out["unchanged"] == {"0": "AAAA2222"}
    assert call(api, "POST", "/users/4242/items", [], If_Unmodified_Since_Version="1")[0] == 412
    status, _, _ = call(api, "POST", "/users/4242/items", [], Zotero_Write_Token="t" * 32)
    assert status == 200
    assert call(api, "POST", "/users/4242/items", [], Zotero_Write_Token="t" * 32)[0] == 412
    assert (
        call(api, "GET", "/users/4242/items", If_Modified_Since_Version=str(api.version))[0] == 304
    )


def test_server_since_formats_and_paging(api: ZoteroServer) -> None:
    first = [api.add_item(itemType="book", title=f"b{i}") for i in range(3)]
    mark = api.version
    later = [api.add_item(itemType="book", title=f"c{i}") for i in range(4)]
    _, hdrs, out = call(api, "GET", f"/users/4242/items?since={mark}&format=versions")
    assert set(out) == set(later) and hdrs["Last-Modified-Version"] == str(api.version)
    _, _, text = call(api, "GET", "/users/4242/items?format=keys")
    assert set(text.split()) == set(first + later)
    status, hdrs, page = call(api, "GET", "/users/4242/items?limit=5")
    assert status == 200 and len(page) == 5 and hdrs["Total-Results"] == "7"
    assert 'rel="next"' in hdrs["Link"] and "start=5" in hdrs["Link"]
    _, hdrs, page = call(api, "GET", "/users/4242/items?limit=5&start=5")
    assert len(page) == 2 and "Link" not in hdrs
    assert call(api, "GET", "/users/4242/items?limit=101")[0] == 400


def test_lost_answer_to_a_collection_write_is_adopted(harness: Harness) -> None:
    harness.server.inject("lost", "POST", "/collections", nth=1)
    report = harness.run(hub())
    assert report.ok, report.lines()
    assert len(harness.server.collections) == 4  # none made twice
    assert len(harness.server.live_items()) == 11
    assert harness.state()["pending_collections"] == {}


def test_group_library_has_its_own_state_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with serve(ZoteroServer(API_KEY, "groups", 77)) as server:
        settings = Settings(root=tmp_path, cache_dir=".citekit", zotero_url=server.url)
        creds = Credentials("group", "77", API_KEY)
        report = sync_zotero(hub(), settings, creds, SyncOptions(sleep=lambda s: None))
        assert report.ok and len(server.live_items()) == 11
        assert all(r.path.startswith("/groups/77/") for r in server.log)
    state = tmp_path / ".citekit" / "zotero-group-77.json"
    assert json.loads(state.read_text())["library_type"] == "group"
    assert API_KEY not in state.read_text()


def test_renamed_key_is_neither_duplicated_nor_pruned(harness: Harness) -> None:
    records = hub()
    harness.run(records)
    renamed = [r.with_(key="brown2020few") if r.key == "brown2020language" else r for r in records]
    report = harness.run(renamed, prune=True)
    assert len(harness.server.live_items()) == 11 and not report.trashed
    (skip,) = report.skipped
    assert skip.citekey == "brown2020few" and "brown2020language" in skip.reason


@pytest.mark.parametrize("body", [None, "Too many requests: slow down"])
def test_429_on_reads_and_text_bodies_are_retried_not_taken_for_data(
    harness: Harness, body: str | None
) -> None:
    """pyzotero 1.6 returns a 429's body as the result (or fails to parse a text one)."""
    harness.server.inject(
        "status", "GET", "/items", status=429, body=body, headers={"Retry-After": "1"}
    )
    harness.server.inject(
        "status", "POST", "/items", status=429, body=body, headers={"Retry-After": "1"}
    )
    report = harness.run(hub())
    assert report.ok, report.lines()
    assert harness.sleeps.count(1.0) == 2
    assert len(harness.server.live_items()) == 11
    assert all(len(v) == 1 for v in harness.by_citekey().values())


def test_concurrent_edit_of_the_same_field_becomes_a_conflict_after_the_412(
    harness: Harness,
) -> None:
    records = hub()
    harness.run(records)
    (item,) = harness.by_citekey()["wei2022chain"]
    changed = [
        r.with_(title="Bib Title", volume="36") if r.key == "wei2022chain" else r for r in records
    ]

    def user_edits(server: ZoteroServer) -> None:
        server.user_edit(item["key"], title="Zotero Title")

    harness.server.inject("edit", "POST", "/items", nth=1, edit=user_edits)
    report = harness.run(changed)
    assert [r.status for r in harness.server.writes()][-2:] == [412, 200]
    assert [(c.field, c.zotero, c.bib) for c in report.conflicts] == [
        ("title", "Zotero Title", "Bib Title")
    ]
    stored = harness.server.items[item["key"]]
    assert stored["title"] == "Zotero Title"  # the concurrent edit survives
    assert stored["volume"] == "36"  # the .bib-only change still went through
    assert not report.ok


# -- bounds: requests, the whole run, one wait (#12 item 7, #13 item 5) -------------------------
def test_a_run_stops_at_its_request_limit(harness: Harness) -> None:
    with pytest.raises(SyncError, match="stopped after 3 requests"):
        harness.run(many(120), max_requests=3)
    assert len(harness.server.log) == 3
    assert len(harness.server.live_items()) == 0  # 2 reads + the first collection level


def test_waits_past_the_whole_run_deadline_stop_with_when_to_retry(harness: Harness) -> None:
    harness.server.inject(
        "status", "POST", "/items", status=429, headers={"Retry-After": "100"}, times=5
    )
    with pytest.raises(SyncError, match=r"run the sync again after \d{4}-\d\d-\d\d \d\d:\d\d UTC"):
        harness.run(hub(), deadline=250.0)
    assert harness.sleeps == [100.0, 100.0]
    assert harness.notes == ["Zotero: HTTP 429; waiting 100 s"] * 2
    assert len(harness.state()["pending"]) == 11  # recorded: the next run adopts, not duplicates


def test_retry_after_as_an_http_date_is_honoured(harness: Harness) -> None:
    from email.utils import format_datetime

    when = datetime.now(UTC) + timedelta(seconds=30)
    harness.server.inject(
        "status", "POST", "/items", status=503, headers={"Retry-After": format_datetime(when, True)}
    )
    assert harness.run(hub()).ok
    assert len(harness.sleeps) == 1 and 20 <= harness.sleeps[0] <= 31


# -- the state file and the credentials file (#13: paths no test ran) ---------------------------
@pytest.mark.parametrize(
    "text",
    [
        "{ not json",
        "[]",
        '{"schemaVersion": 99}',
        '{"schemaVersion": 1, "library_type": "user"}',
        '{"schemaVersion": 1, "library_type": "user", "library_id": "4242", "library_version": 3,'
        ' "items": {"a": {"key": "X", "surprise": 1}}, "collections": {}, "remote_items": {},'
        ' "remote_collections": {}, "pending": {}, "pending_collections": {}}',
    ],
    ids=["not-json", "a-list", "future-schema", "missing-parts", "unknown-item-field"],
)
def test_a_corrupt_or_unknown_state_file_is_one_line_and_left_alone(
    harness: Harness, text: str
) -> None:
    path = harness.settings.cache_path / "zotero-user-4242.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SyncError) as caught:
        harness.run(hub())
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "move it away" in message
    assert path.read_text(encoding="utf-8") == text
    assert not harness.server.log  # nothing was asked before the state was read


@pytest.mark.parametrize(
    "text",
    [
        f'[zotero]\napi_key = "{API_KEY}\nlibrary_id = "4242"\n',  # unterminated string
        f"[zotero\napi_key = {API_KEY}\n",
        f'[zotero]\napi_key = "{API_KEY}"\napi_key = "{API_KEY}"\n',
        b"\xff\xfe" + API_KEY.encode(),
    ],
    ids=["unterminated", "bad-table", "duplicate-key", "not-utf8"],
)
def test_a_malformed_credentials_file_is_one_line_without_its_text(
    tmp_path: Path, text: str | bytes
) -> None:
    path = tmp_path / "credentials.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    path.chmod(0o600)
    env = {"CITEKIT_CREDENTIALS": str(path), "ZOTERO_LIBRARY_ID": "4242"}
    with pytest.raises(ConfigError) as caught:
        load_credentials(env)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    assert API_KEY not in message and "zkTEST" not in message
    assert API_KEY not in "".join(traceback.format_exception(caught.value))
