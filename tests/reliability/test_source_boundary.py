"""Issue #12 items 1 and 2: what a source answers never makes ``references.bib`` unreadable.

Through the CLI against the loopback servers, with CONSTRUCTED answers:

* item 1: a Crossref ``DOI`` with a newline and ``@misc(`` or a control character, a URL
  that is not http(s), and an arXiv ``primary_category`` carrying ``&#10;@misc(x,`` are
  dropped with one warning line per entry; the library stays loadable and ``check`` passes;
* item 2: valid JSON of an unexpected shape is one line for that entry (the good entry of
  the same run is written); answers are parsed before they are cached, so a later
  ``--offline`` run works; a cache row that is not JSON, has the wrong shape or answers
  another id is a miss and is fetched again; a month of ``-1`` never becomes ``nov``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citekit.library import load
from citekit.sources.cache import Cache
from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer, work_message

from .harness import citekit_env, no_traceback, run_citekit


def _env(project: Path, crossref: CrossrefServer, arxiv: ArxivServer | None = None) -> Any:
    urls = {"CITEKIT_CROSSREF_URL": crossref.url}
    if arxiv is not None:
        urls["CITEKIT_ARXIV_URL"] = arxiv.url
    return citekit_env(project, **urls)


def _doi_stubs(project: Path, dois: list[str]) -> None:
    text = "\n".join(f"@misc{{w{i},\n  doi = {{{d}}},\n}}\n" for i, d in enumerate(dois))
    (project / "references.bib").write_text(text, encoding="utf-8")


def _plant(crossref: CrossrefServer, asked: str, **fields: Any) -> None:
    """Register a work answered for ``asked`` whatever its own ``DOI`` field says."""
    message = work_message(
        asked, f"Constructed Work {asked}", [("Ada", "Okafor")], container="J", issued=(2020, 5)
    )
    crossref.works[asked] = message | fields


def _loadable(project: Path, env: dict[str, str]) -> None:
    """The library loads in citekit and passes ``check`` and an offline ``build``."""
    load(project / "references.bib")
    check = run_citekit(project, "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    build = run_citekit(project, "build", "--offline", env=env)
    assert build.returncode == 0, build.stderr
    assert no_traceback(build.stderr)


def test_invalid_crossref_values_are_dropped_with_one_warning_per_entry(tmp_path: Path) -> None:
    with CrossrefServer() as crossref:
        _plant(crossref, "10.1234/abc", DOI="10.1234/abc\n@misc(pwned,")
        _plant(crossref, "10.1234/def", DOI="10.1234/def\x01", URL="javascript:alert(1)")
        _plant(crossref, "10.1234/good")
        _doi_stubs(tmp_path, ["10.1234/abc", "10.1234/def", "10.1234/good"])
        env = _env(tmp_path, crossref)
        done = run_citekit(tmp_path, "resolve", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "dropped" in line]
    assert len(warnings) == 2, done.stderr
    assert "10.1234/abc" in warnings[0] and "not a DOI" in warnings[0]
    assert "10.1234/def" in warnings[1] and "doi" in warnings[1]
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "pwned" not in text and "\x01" not in text and "javascript" not in text
    records = {r.key: r for r in load(tmp_path / "references.bib").records}
    assert [records[k].title for k in ("w0", "w1", "w2")] == [
        "Constructed Work 10.1234/abc",
        "Constructed Work 10.1234/def",
        "Constructed Work 10.1234/good",
    ]
    assert records["w0"].doi == "10.1234/abc"  # the user's own value stays
    _loadable(tmp_path, env)


def test_invalid_arxiv_category_is_dropped(tmp_path: Path) -> None:
    with ArxivServer() as arxiv, CrossrefServer() as crossref:
        arxiv.add(
            "2201.00001",
            "A Constructed Preprint",
            ["Ada Okafor"],
            primary="cs.CL&#10;@misc(x,&#10;",
        )
        stub = "@misc{pre,\n  eprint = {2201.00001},\n  archiveprefix = {arXiv},\n}\n"
        (tmp_path / "references.bib").write_text(stub, encoding="utf-8")
        env = _env(tmp_path, crossref, arxiv)
        done = run_citekit(tmp_path, "resolve", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "dropped" in line]
    assert len(warnings) == 1 and "arxiv_class" in warnings[0], done.stderr
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "@misc(x" not in text and "primaryclass" not in text
    assert load(tmp_path / "references.bib").records[0].title == "A Constructed Preprint"
    _loadable(tmp_path, env)


SHAPES: dict[str, dict[str, Any]] = {
    "10.1234/s1": {"issued": {"date-parts": [["2020x"]]}},
    "10.1234/s2": {"issued": "2020"},
    "10.1234/s3": {"journal-issue": [1]},
    "10.1234/s4": {"issued": {"date-parts": [[2020, 13, 45]]}},
    "10.1234/s5": {"issued": {"date-parts": [[2020, -1]]}, "published": None},
}


def test_unexpected_shapes_are_one_line_each_and_cached_only_when_read(tmp_path: Path) -> None:
    with CrossrefServer() as crossref:
        for doi, fields in SHAPES.items():
            _plant(crossref, doi, **fields)
        _plant(crossref, "10.1234/good")
        dois = [*SHAPES, "10.1234/good"]
        _doi_stubs(tmp_path, dois)
        env = _env(tmp_path, crossref)
        done = run_citekit(tmp_path, "resolve", env=env)
        assert no_traceback(done.stderr), done.stderr
        assert done.returncode in (0, 1), done.stderr
        records = load(tmp_path / "references.bib").records
        assert all(r.title for r in records), done.stderr  # every entry, the good one too
        months = {r.key: r.issued.month if r.issued else None for r in records}
        assert months["w3"] is None and months["w4"] is None  # 13 and -1: no month at all
        assert "nov" not in (tmp_path / "references.bib").read_text(encoding="utf-8")
        # Parsed before cached: the offline run reads the same answers without error.
        again = run_citekit(tmp_path, "build", "--offline", env=env)
        assert no_traceback(again.stderr), again.stderr
        assert again.returncode == 0, again.stderr
        assert crossref.count() == len(dois)


def test_a_bad_cache_row_is_a_miss_and_asked_again(tmp_path: Path) -> None:
    rows = {
        "10.1234/c1": b"{not json",
        "10.1234/c2": json.dumps(["a", "list"]).encode(),
        "10.1234/c3": json.dumps(
            {
                "status": "ok",
                "message-type": "work",
                "message": work_message("10.9999/other", "Another Work", [("B", "Other")]),
            }
        ).encode(),
    }
    cache = Cache(tmp_path / ".citekit")
    for doi, payload in rows.items():
        cache.put("crossref", f"work:{doi}", payload)
    cache.close()
    with CrossrefServer() as crossref:
        for doi in rows:
            _plant(crossref, doi)
        _doi_stubs(tmp_path, list(rows))
        done = run_citekit(tmp_path, "resolve", env=_env(tmp_path, crossref))
        assert no_traceback(done.stderr), done.stderr
        assert done.returncode == 0, done.stderr
        assert crossref.count() == len(rows)  # each bad row asked again
    titles = [r.title for r in load(tmp_path / "references.bib").records]
    assert titles == [f"Constructed Work {d}" for d in rows]


def test_an_offline_run_on_a_bad_cache_row_is_one_line(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".citekit")
    cache.put("crossref", "work:10.1234/c1", b"{not json")
    cache.put("arxiv", "2201.00001", json.dumps({"id": "2201.99999v1", "title": "Other"}).encode())
    cache.close()
    stub = "@misc{pre,\n  eprint = {2201.00001},\n  archiveprefix = {arXiv},\n}\n"
    (tmp_path / "references.bib").write_text(
        stub + "\n@misc{w0,\n  doi = {10.1234/c1},\n}\n", encoding="utf-8"
    )
    done = run_citekit(tmp_path, "resolve", "--offline")
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if "not in the cache" in line]
    assert len(lines) == 2, done.stderr
    assert "Other" not in (tmp_path / "references.bib").read_text(encoding="utf-8")


def test_add_never_writes_an_invalid_doi(tmp_path: Path) -> None:
    with CrossrefServer() as crossref:
        _plant(crossref, "10.1234/abc", DOI="10.1234/abc\n@misc(pwned,")
        _plant(crossref, "10.1234/def", DOI="10.1234/def\x01")
        _plant(crossref, "10.1234/good")
        (tmp_path / "references.bib").write_text("", encoding="utf-8")
        env = _env(tmp_path, crossref)
        done = run_citekit(tmp_path, "add", "10.1234/abc", "10.1234/def", "10.1234/good", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    assert sum("dropped doi" in line for line in done.stderr.splitlines()) == 2, done.stderr
    records = load(tmp_path / "references.bib").records
    assert len(records) == 3
    assert [r.doi for r in records] == ["", "", "10.1234/good"]
    _loadable(tmp_path, env)
