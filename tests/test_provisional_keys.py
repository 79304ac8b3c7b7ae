"""Provisional keys: a stub with nothing but an identifier is keyed by it until resolved.

``arXiv:2005.14165`` → ``brown2020language`` once ``citekit resolve`` knows author, year
and title; every other key (pinned ones, and keys a user typed, however odd) never moves.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from citekit.keys import assign_keys, is_provisional, make_key, provisional_key
from citekit.keys import rename_provisional as rename
from citekit.library import dumps, loads
from citekit.model import Date, Name, Record
from citekit.writers.bibtex import format_biblatex, format_bibtex
from tests.conftest import require_binary
from tests.hub.rebuild import run_cli
from tests.hub.replay import register
from tests.servers.fixtures import ReplayServers

GPT3 = Record(
    title="Language Models are Few-Shot Learners",
    author=(Name(family="Brown", given="Tom B."),),
    issued=Date(2020, 5, 28),
    arxiv_id="2005.14165",
)


@pytest.mark.parametrize(
    ("stub", "key"),
    [
        (Record(arxiv_id="2005.14165"), "arXiv:2005.14165"),
        (Record(arxiv_id="hep-th/9901001"), "arXiv:hep-th/9901001"),
        (Record(doi="10.1145/1597735.1597738"), "doi:10.1145/1597735.1597738"),
        (Record(doi="10.1002/(SICI)1097-4571(199806)"), "doi:10.1002/-sici-1097-4571-199806"),
        (Record(url="https://www.Example.org/blog/post?id=3"), "url:example.org/blog/post-id-3"),
        (Record(url="https://example.org/"), "url:example.org"),
    ],
)
def test_a_stub_with_only_an_identifier_gets_a_provisional_key(stub: Record, key: str) -> None:
    assert provisional_key(stub) == key
    assert make_key(stub) == key
    assert is_provisional(stub.with_(key=key))


def test_anything_to_build_a_key_from_gives_a_generated_key() -> None:
    assert make_key(Record(arxiv_id="2005.14165", title="Language Models")) == "language"
    assert make_key(Record(arxiv_id="2005.14165", issued=Date(2020))) == "anon2020200514165"
    assert make_key(Record(arxiv_id="2005.14165", author=(Name(family="Brown"),))) == "brown"
    assert make_key(Record()) == "anon"  # no identifier: nothing provisional about it


@pytest.mark.parametrize(
    "key",
    [
        "anon200514165",  # what older citekit versions wrote: pinned now
        "arxiv:2005.14165",  # not the exact form
        "arXiv:2005.14165v2",
        "arXiv:2005.1416",
        "arXiv:2005.14165A",
        "arXiv:2203.02155",  # another paper's id
        "brown2020language",
    ],
)
def test_other_keys_are_not_provisional(key: str) -> None:
    assert not is_provisional(Record(key=key, arxiv_id="2005.14165"))


def test_a_key_on_an_entry_with_metadata_is_not_provisional() -> None:
    assert not is_provisional(GPT3.with_(key="arXiv:2005.14165"))
    assert is_provisional(Record(key="arXiv:2005.14165b", arxiv_id="2005.14165"))


def test_rename_replaces_only_provisional_keys_of_complete_records() -> None:
    before = (
        Record(key="arXiv:2005.14165", arxiv_id="2005.14165"),
        Record(key="anon220302155", arxiv_id="2203.02155"),  # a user's key
        Record(key="arXiv:1707.06347", arxiv_id="1707.06347"),  # not resolved
        Record(key="arXiv:2201.11903", arxiv_id="2201.11903"),
    )
    after = (
        GPT3.with_(key="arXiv:2005.14165"),
        GPT3.with_(key="anon220302155", arxiv_id="2203.02155", title="Training"),
        before[2],
        GPT3.with_(key="arXiv:2201.11903", arxiv_id="2201.11903", author=()),  # no author
    )
    records, renamed = rename(before, after)
    assert renamed == {"arXiv:2005.14165": "brown2020language"}
    assert [r.key for r in records] == [
        "brown2020language",
        "anon220302155",
        "arXiv:1707.06347",
        "arXiv:2201.11903",
    ]


def test_a_renamed_key_takes_a_suffix_against_every_other_key() -> None:
    before = (
        Record(key="Brown2020Language", title="x"),
        Record(key="arXiv:2005.14165", arxiv_id="2005.14165"),
    )
    after = (before[0], GPT3.with_(key="arXiv:2005.14165"))
    records, renamed = rename(before, after)
    assert renamed == {"arXiv:2005.14165": "brown2020languagea"}
    assert records[0] is before[0]


def test_provisional_keys_collide_like_any_other() -> None:
    stub = Record(arxiv_id="2005.14165")
    (out,) = assign_keys([stub], taken=["ARXIV:2005.14165"])
    assert out.key == "arXiv:2005.14165a" and is_provisional(out)


def test_a_renamed_entry_keeps_its_place_and_the_rest_keeps_its_bytes() -> None:
    text = (
        "% my notes\n@misc{first,\n  title = {First},\n}\n\n"
        "@misc{arXiv:2005.14165,\n  eprint = {2005.14165},\n  archiveprefix = {arXiv},\n}\n\n"
        "@misc{last, title = {Last}}\n"
    )
    library = loads(text)
    after = tuple(GPT3.with_(key=r.key) if r.arxiv_id else r for r in library.records)
    records, renamed = rename(library.records, after)
    out = dumps(library.with_records(records, renamed))
    assert out.startswith("% my notes\n@misc{first,\n  title = {First},\n}\n\n@article{brown2020l")
    assert out.endswith("}\n\n@misc{last, title = {Last}}\n")
    assert "arXiv:2005.14165," not in out
    assert [r.key for r in loads(out).records] == ["first", "brown2020language", "last"]


STUBS = (
    Record(key="arXiv:2005.14165", type="article", arxiv_id="2005.14165"),
    Record(key="arXiv:hep-th/9901001", type="article", arxiv_id="hep-th/9901001"),
    Record(key="doi:10.1145/1597735.1597738", doi="10.1145/1597735.1597738"),
    Record(key="url:example.org/a-b_c", type="webpage", url="https://example.org/a-b_c"),
)


def test_provisional_keys_are_read_by_bibtex(tmp_path: Path) -> None:
    bibtex = require_binary("bibtex")
    entries = [r.with_(title="T", author=(Name(family="X"),), issued=Date(2020)) for r in STUBS]
    (tmp_path / "refs.bib").write_text(format_bibtex(entries), encoding="utf-8")
    cites = "".join(f"\\citation{{{r.key}}}\n" for r in STUBS)
    aux = f"\\relax\n{cites}\\bibdata{{refs}}\n\\bibstyle{{plain}}\n"
    (tmp_path / "t.aux").write_text(aux, encoding="utf-8")
    run = subprocess.run([bibtex, "t"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    bbl = (tmp_path / "t.bbl").read_text(encoding="utf-8")
    assert sorted(line[9:-1] for line in bbl.splitlines() if line.startswith("\\bibitem")) == (
        sorted(r.key for r in STUBS)
    )


def test_provisional_keys_are_read_by_biber(tmp_path: Path) -> None:
    biber = require_binary("biber")
    (tmp_path / "refs.bib").write_text(format_biblatex(STUBS), encoding="utf-8")
    out = tmp_path / "out.bib"
    cmd = [biber, "--tool", "--nolog", "-O", str(out), str(tmp_path / "refs.bib")]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0 and "ERROR" not in run.stdout, run.stdout
    written = out.read_text(encoding="utf-8")
    assert all(f"{{{r.key}," in written for r in STUBS), written


def test_provisional_keys_are_cited_by_pandoc(tmp_path: Path) -> None:
    pandoc = require_binary("pandoc")
    entries = [
        r.with_(title=f"Title {i}", author=(Name(family=f"Author{i}"),), issued=Date(2020))
        for i, r in enumerate(STUBS)
    ]
    (tmp_path / "refs.bib").write_text(format_biblatex(entries), encoding="utf-8")
    cites = ", ".join(f"@{r.key}" for r in STUBS)  # bare @key, ended by punctuation
    doc = f"---\nbibliography: refs.bib\n---\n\nSee {cites}.\n"
    (tmp_path / "d.md").write_text(doc, encoding="utf-8")
    cmd = [pandoc, "--citeproc", "-t", "plain", "d.md"]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0 and "not found" not in run.stderr, run.stderr
    assert all(f"Author{i}" in run.stdout for i in range(len(STUBS))), run.stdout


HUB_LIKE = Path(__file__).resolve().parent / "data" / "markdown" / "hub-like.md"


def test_list_import_then_resolve_renames_the_identifier_stubs(
    tmp_path: Path, replay_servers: ReplayServers
) -> None:
    hub = HUB_LIKE  # the hub's eleven papers in section 8, plus TAMER's DOI in section 9
    register(replay_servers.arxiv, replay_servers.crossref)
    urls = (replay_servers.arxiv.url, replay_servers.crossref.url)
    imported = run_cli(tmp_path, ["import-md", str(hub)], *urls)
    assert imported.returncode == 0, imported.stderr
    bib = tmp_path / "references.bib"
    stubs = [r for r in loads(bib.read_text(encoding="utf-8")).records if is_provisional(r)]
    arxiv = [r for r in stubs if r.arxiv_id]
    assert sorted(r.key for r in arxiv) == sorted(f"arXiv:{r.arxiv_id}" for r in arxiv)
    assert len(arxiv) == 5
    assert [r.key for r in stubs if not r.arxiv_id] == ["doi:10.1145/1597735.1597738"]
    checked = run_cli(tmp_path, ["check"], *urls)
    assert "stub for" in checked.stderr + checked.stdout

    done = run_cli(tmp_path, ["resolve", "--json"], *urls)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["renamed"]["arXiv:2005.14165"] == "brown2020language"
    assert set(report["renamed"]) == {r.key for r in stubs}
    items = {i["key"]: i for i in report["items"]}
    assert items["brown2020language"]["renamed_from"] == "arXiv:2005.14165"
    assert items["brown2020language"]["state"] == "resolved"
    assert report["renamed"]["doi:10.1145/1597735.1597738"] == "knox2009interactively"
    assert "6 provisional keys renamed: arXiv:2005.14165 → brown2020language" in done.stderr
    text = bib.read_text(encoding="utf-8")
    records = {r.key: r for r in loads(text).records}
    assert "arXiv:" not in "".join(records)
    assert len(records["brown2020language"].author) == 31
    # What citekit wrote is remembered under the new key, so a later run may update it.
    provenance = json.loads((tmp_path / ".citekit" / "provenance.json").read_text())
    assert "title" in provenance["brown2020language"]
    assert not any(key.startswith("arXiv:") for key in provenance)
    assert records["ouyang2022training"].arxiv_id == "2203.02155"

    again = run_cli(tmp_path, ["resolve", "--json"], *urls)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["renamed"] == {}
    assert bib.read_text(encoding="utf-8") == text  # byte-identical re-run
    reimport = run_cli(tmp_path, ["import-md", str(hub)], *urls)
    assert reimport.returncode == 0 and bib.read_text(encoding="utf-8") == text


def test_resolve_never_renames_a_key_the_user_typed(
    tmp_path: Path, replay_servers: ReplayServers
) -> None:
    replay_servers.arxiv.add("2005.14165", GPT3.title, ["Tom B. Brown"])
    replay_servers.arxiv.add("2203.02155", "Training language models", ["Long Ouyang"])
    replay_servers.arxiv.add("1707.06347", "Proximal Policy Optimization", ["John Schulman"])
    text = (
        "@misc{anon200514165,\n  eprint = {2005.14165},\n  archiveprefix = {arXiv},\n}\n\n"
        "@misc{arxiv:2203.02155,\n  eprint = {2203.02155},\n  archiveprefix = {arXiv},\n}\n\n"
        "@misc{arXiv:1707.06347,\n  title = {PPO},\n  eprint = {1707.06347},\n}\n"
    )
    (tmp_path / "references.bib").write_text(text, encoding="utf-8")
    urls = (replay_servers.arxiv.url, replay_servers.crossref.url)
    done = run_cli(tmp_path, ["resolve", "--offline", "--json"], "http://127.0.0.1:9", urls[1])
    assert done.returncode == 1  # offline, empty cache: nothing resolved, nothing renamed
    assert json.loads(done.stdout)["renamed"] == {}
    done = run_cli(tmp_path, ["resolve", "--json"], *urls)
    report = json.loads(done.stdout)
    assert report["renamed"] == {}, done.stderr
    assert "renamed" not in done.stderr
    keys = [r.key for r in loads((tmp_path / "references.bib").read_text()).records]
    assert keys == ["anon200514165", "arxiv:2203.02155", "arXiv:1707.06347"]
