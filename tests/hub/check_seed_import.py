"""Import the REAL hub's Markdown and check it gives exactly the hub's papers.

The hub (``../shared/seed/000_11720b4ed0497c14.txt``) is not vendored: its repository
states no licence. The test suite uses a stand-in written for the repository
(``tests/data/markdown/hub-like.md``); this script checks the real thing where it is
beside the clone, as it is in CI (``.ci/run`` runs it after the tests)::

    python -m tests.hub.check_seed_import             # ../shared/seed/… beside the clone
    python -m tests.hub.check_seed_import --hub FILE  # any copy of the hub

It checks that the whole hub imports as a reader counts it (``HUB_TABLE``), that its
papers section holds exactly the papers of ``tests/data/hub/seed-papers.json``, and that
``import-md --section 8`` into the committed ``references.bib`` only adds groups to the
eleven entries there. Without the hub it says so and exits 0, or exits 1 under ``CI``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from citekit.markdown.importer import plan_document
from citekit.markdown.links import normalize_url
from citekit.markdown.plan import ImportPlan
from citekit.model import Record
from tests.hub.rebuild import run_cli

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT.parent / "shared" / "seed" / "000_11720b4ed0497c14.txt"
SEED = ROOT / "tests" / "data" / "hub" / "seed-papers.json"
LIBRARY = ROOT / "references.bib"
CLOSED = "http://127.0.0.1:9"  # import-md asks no source; any request would fail at once

HUB_ROOT = "Large Language Model & GPT-4 Hub"
HUB_PAPERS = f"{HUB_ROOT}/主要网页或论文资源"
# Per section of the hub: what a reader counts. Section 3 repeats two articles of
# section 2 (merged: one entry, two collections) and has one title with no URL.
HUB_TABLE = {
    HUB_ROOT: {"skipped": 1},  # the banner image
    f"{HUB_ROOT}/Discussion Groups": {"skipped": 2},  # two chat-group invites
    f"{HUB_ROOT}/Tech Guide/GPT-4技术报告": {"added": 2},
    f"{HUB_ROOT}/Tech Guide/ChatGPT技术报告": {"added": 5},
    f"{HUB_ROOT}/Tech Guide/Large Language Model Technoglogy": {"added": 9},
    f"{HUB_ROOT}/Investment Analysis": {"added": 3, "merged": 2, "skipped": 1},
    f"{HUB_ROOT}/Industry Analysis": {"added": 3},
    f"{HUB_ROOT}/Model Resources/Dataset": {"added": 3},
    f"{HUB_ROOT}/Application Open Source Projects": {"added": 3, "skipped": 1},  # stars list
    f"{HUB_ROOT}/GPT-4·ChatGPT相关讨论": {"added": 4},
    HUB_PAPERS: {"added": 11, "skipped": 1},  # the invite at the end
}


def _numbered(records: tuple[Record, ...], taken: set[str]) -> Iterable[Record]:
    return tuple(r.with_(key=f"e{len(taken) + i}") for i, r in enumerate(records))


def plan(text: str, existing: Iterable[Record] = ()) -> ImportPlan:
    """The import plan of ``text`` into ``existing``, with stand-in keys."""
    return plan_document(text, tuple(existing), stem="hub", assign=_numbered)


def table_problems(text: str) -> list[str]:
    """How the hub's import differs from what a reader counts, section by section."""
    first = plan(text)
    table: dict[str, Counter[str]] = {}
    for item in first.items:
        table.setdefault(item.collection, Counter())[item.status] += 1
    found = {name: dict(counts) for name, counts in table.items()}
    problems = [
        f"{name}: {found.get(name)} where a reader counts {want}"
        for name, want in HUB_TABLE.items()
        if found.get(name) != want
    ]
    problems += [
        f"{name}: {found[name]}, a section nobody counted"
        for name in sorted(found.keys() - HUB_TABLE.keys())
    ]
    second = plan(text, first.records)
    if second.changed:
        problems.append(f"a second import changes the library: {second.counts()}")
    return problems


def papers_problems(text: str, seed: dict[str, Any], section: str) -> list[str]:
    """How the entries of ``section`` differ from the seed's papers (both ways)."""
    papers = [r for r in plan(text).records if section in r.collections]
    unmatched = {id(r): r for r in papers}
    problems = []
    for paper in seed["papers"]:
        record = _match(paper, papers)
        if record is None:
            problems.append(f"{paper['id']}: not in the papers section")
        else:
            unmatched.pop(id(record), None)
    problems += [
        f"{r.arxiv_id or r.url}: in the papers section, not a seed paper"
        for r in unmatched.values()
    ]
    return problems


def _match(paper: dict[str, Any], papers: list[Record]) -> Record | None:
    """The record standing for ``paper``: by arXiv id, else by URL and title."""
    if paper["arxiv"]:
        return next((r for r in papers if r.arxiv_id == paper["arxiv"]["id"]), None)
    by_url = {normalize_url(r.url): r for r in papers if r.url}
    if paper["id"] == "tamer":  # the hub links the PDF, not the DOI; its title is shorter
        pdf = by_url.get(
            normalize_url("https://www.cs.utexas.edu/~bradknox/papers/kcap09-knox.pdf")
        )
        return pdf if pdf is not None and paper["title"].startswith(pdf.title) else None
    record = by_url.get(normalize_url(paper["url"]))
    return record if record is not None and record.title == paper["title"] else None


def merge_problems(hub: Path, library: Path = LIBRARY) -> list[str]:
    """``import-md --section 8`` into a copy of ``library``: every paper is already there."""
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "references.bib"
        shutil.copyfile(library, bib)
        args = ["import-md", "--section", "8", str(hub)]
        done = run_cli(Path(tmp), args, CLOSED, CLOSED)
        want = "citekit: import-md: 0 added, 11 merged, 0 unchanged, 1 skipped"
        if done.returncode != 0 or done.stderr.strip() != want:
            return [f"import-md --section 8 into {library.name}: {done.stderr.strip()!r}"]
        before = library.read_text(encoding="utf-8").splitlines()
        after = bib.read_text(encoding="utf-8").splitlines()
        if len(before) != len(after):
            return [f"import-md --section 8 changed {library.name}'s line count"]
        changed = [b for a, b in zip(before, after, strict=True) if a != b]
        if len(changed) != 11 or not all(line.lstrip().startswith("groups") for line in changed):
            return [f"import-md --section 8 changed more than 11 groups lines: {changed}"]
        written = bib.read_bytes()
        again = run_cli(Path(tmp), args, CLOSED, CLOSED)
        if again.returncode != 0 or bib.read_bytes() != written:
            return ["a second import-md --section 8 changed the library"]
    return []


def main(argv: list[str]) -> int:
    hub = Path(argv[argv.index("--hub") + 1]).resolve() if "--hub" in argv else HUB
    if not hub.is_file():
        if os.environ.get("CI"):
            print(f"check_seed_import: FAILED: {hub} is missing; CI has ../shared beside the clone")
            return 1
        print(f"check_seed_import: skipped: no hub at {hub} (not vendored: no licence)")
        return 0
    text = hub.read_text(encoding="utf-8")
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    problems = table_problems(text) + papers_problems(text, seed, HUB_PAPERS)
    problems += merge_problems(hub)
    for problem in problems:
        print(f"check_seed_import: {problem}")
    if problems:
        print(f"check_seed_import: FAILED: {len(problems)} problems importing {hub}")
        return 1
    print(f"check_seed_import: {hub.name} imports as counted; its papers are the seed's 11")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
