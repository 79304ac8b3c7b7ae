"""Issue #12: any value at any path of a source answer is one entry's problem at most.

Properties, through the CLI (in process, CliRunner) against the loopback servers:

* any JSON value at any path of a Crossref work (the loopback Crossref answers it);
* any JSON value at any path of an arXiv payload, planted as the cache row of the id
  (a readable row is used, an unreadable one is asked again of the loopback arXiv);
* any text in any element of an arXiv Atom entry (title, authors, summary, category,
  DOI, journal ref, dates), sent by the loopback arXiv;

each leads to exit 0 or 1, never a traceback or an internal error, at most one line about
the entry and one warning line, and a ``references.bib`` that citekit loads and real
``bibtex`` reads (every entry one ``\\bibitem``). The long by-hand run of the same targets
is ``python benchmarks/fuzz_reader.py --target crossref|arxiv``.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.library import load
from citekit.sources.cache import Cache
from tests.conftest import require_binary
from tests.servers.arxiv import ArxivServer
from tests.servers.base import Request, Response
from tests.servers.crossref import CrossrefServer

from .answers import (
    ARXIV_ID,
    ARXIV_PAYLOAD,
    CROSSREF_DOI,
    CROSSREF_WORK,
    HOSTILE_TEXT,
    SHAPES,
    mutated_body,
    paths,
    replaced,
)
from .harness import invoke, no_traceback

RUN = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEEP = """@article{keep,
  author = {Lindqvist, Bo},
  title = {An Entry That Stays},
  journal = {Constructed Letters},
  year = {2019},
}
"""
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(HOSTILE_TEXT),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
#: Half of the values are shapes that once crashed a run, half anything at all.
any_value = st.one_of(st.sampled_from(SHAPES), json_values)


class FuzzedCrossref(CrossrefServer):
    """Crossref answering the fuzzed body for the one DOI, and no search hits."""

    body = b""

    def respond(self, request: Request) -> Response:
        if request.path.lower().endswith("/works/" + CROSSREF_DOI):
            return Response(200, self.body)
        return super().respond(request)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FuzzedCrossref, ArxivServer]]:
    with FuzzedCrossref() as crossref, ArxivServer() as arxiv:
        arxiv.add(
            ARXIV_ID, "A Constructed Preprint", ["Ada Okafor"], published="2022-01-05T10:00:00Z"
        )
        yield crossref, arxiv


@pytest.fixture
def urls(servers: tuple[FuzzedCrossref, ArxivServer], monkeypatch: pytest.MonkeyPatch) -> None:
    crossref, arxiv = servers
    monkeypatch.setenv("CITEKIT_CROSSREF_URL", crossref.url)
    monkeypatch.setenv("CITEKIT_ARXIV_URL", arxiv.url)


def _project(directory: Path, stub: str) -> Path:
    (directory / "references.bib").write_text(stub + "\n" + KEEP, encoding="utf-8")
    # Only Crossref is asked for a published version (DBLP and OpenAlex are not served here).
    (directory / "citekit.toml").write_text('published_sources = "crossref"\ntimeout = 5.0\n')
    return directory


def _bibtex_reads(project: Path, entries: int) -> None:
    (project / "t.aux").write_text("\\citation{*}\n\\bibdata{references}\n\\bibstyle{plain}\n")
    done = subprocess.run(
        [require_binary("bibtex"), "-terse", "t"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode < 2, done.stdout  # 1 = warnings only
    assert (project / "t.bbl").read_text(errors="replace").count("\\bibitem") == entries


def _check_run(project: Path, key: str, label: str) -> None:
    result = invoke(project, "resolve")
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1), output
    assert no_traceback(output), output
    lines = output.splitlines()
    assert sum(line.startswith(f"{key}:") for line in lines) <= 1, output
    assert sum("warning:" in line and label in line for line in lines) <= 1, output
    records = load(project / "references.bib").records
    assert [r.key for r in records][-1] == "keep" and len(records) == 2
    _bibtex_reads(project, 2)


@RUN
@given(data=st.data())
def test_any_value_at_any_path_of_a_crossref_work(
    servers: tuple[FuzzedCrossref, ArxivServer], urls: None, data: st.DataObject
) -> None:
    crossref, _ = servers
    path = data.draw(st.sampled_from(paths(CROSSREF_WORK)[1:]), label="path")
    value = data.draw(any_value, label="value")
    crossref.body = mutated_body(CROSSREF_WORK, path, value)
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), f"@misc{{w,\n  doi = {{{CROSSREF_DOI}}},\n}}\n")
        _check_run(project, "w", CROSSREF_DOI)


@RUN
@given(data=st.data())
def test_any_value_at_any_path_of_an_arxiv_payload(
    servers: tuple[FuzzedCrossref, ArxivServer], urls: None, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(paths(ARXIV_PAYLOAD)), label="path")
    value = data.draw(any_value, label="value")
    payload = replaced(ARXIV_PAYLOAD, path, value)
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(
            Path(tmp), f"@misc{{p,\n  eprint = {{{ARXIV_ID}}},\n  archiveprefix = {{arXiv}},\n}}\n"
        )
        cache = Cache(project / ".citekit")
        cache.put("arxiv", ARXIV_ID, json.dumps(payload).encode())
        cache.close()
        _check_run(project, "p", ARXIV_ID)


atom_text = st.text(max_size=40) | st.sampled_from(HOSTILE_TEXT)


@RUN
@given(
    field=st.sampled_from(
        ["title", "summary", "primary", "doi", "journal_ref", "published", "authors"]
    ),
    text=atom_text,
)
def test_any_text_in_an_arxiv_atom_entry(
    servers: tuple[FuzzedCrossref, ArxivServer], urls: None, field: str, text: str
) -> None:
    _, arxiv = servers
    fuzzed = "2201.00078"
    facts: dict[str, Any] = {
        "published": "2022-01-05T10:00:00Z",
        field: [text] if field == "authors" else text,
    }
    title = facts.pop("title", "A Fuzzed Preprint")
    authors = facts.pop("authors", ["Ada Okafor"])
    arxiv.add(fuzzed, title, authors, **facts)
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(
            Path(tmp), f"@misc{{p,\n  eprint = {{{fuzzed}}},\n  archiveprefix = {{arXiv}},\n}}\n"
        )
        _check_run(project, "p", fuzzed)
