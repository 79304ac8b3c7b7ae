"""The library diff of resolve / build: computed only for ``--dry-run``, entry by entry.

Regression (issue 14): ``pipeline._commit`` ran ``difflib.unified_diff`` over the whole
file on every run, so ``build --offline`` with nothing to do cost ~80 % more than the
exports themselves on 20,000 entries (quadratic in the worst case). The first test fails
on that code: it counts difflib's matching on a 5,000-entry library.
"""

from __future__ import annotations

import difflib
import random
import re
from pathlib import Path
from typing import Any

import pytest

from citekit.config import load_settings
from citekit.library import loads, pieces
from citekit.model import Name
from citekit.resolve import pipeline
from citekit.resolve.diff import unified

WORDS = [
    "deep",
    "learning",
    "bayesian",
    "inference",
    "graph",
    "sparse",
    "robust",
    "causal",
    "language",
    "model",
]


def complete_entry(n: int, rng: random.Random) -> str:
    """An entry that is complete (title, authors, year, venue, DOI): offline it stays as is."""
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
    authors = " and ".join(f"Author{rng.randint(1, 500)}, Ann" for _ in range(rng.randint(1, 5)))
    return (
        f"@article{{paper{n},\n"
        f"  author  = {{{authors}}},\n"
        f"  title   = {{{title} {n}}},\n"
        f"  journal = {{Journal of Constructed Examples}},\n"
        f"  year    = {{{1990 + n % 35}}},\n"
        f"  doi     = {{10.5555/constructed.{n}}},\n"
        "}\n"
    )


def library_text(count: int, seed: int = 14) -> str:
    rng = random.Random(seed)
    return "% constructed\n\n" + "\n".join(complete_entry(n, rng) for n in range(count))


def test_build_with_nothing_to_do_computes_no_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(library_text(5000), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(tmp_path)
    first = pipeline.build(settings, offline=True)
    # 6: index.html is left out above html_max_entries (2,000): citeproc-py costs ~20 ms an entry
    assert first.resolution.ok and not first.written and len(first.exports) == 6
    calls: list[str] = []
    matching = difflib.SequenceMatcher.get_matching_blocks

    def counted(self: Any) -> Any:
        calls.append("get_matching_blocks")
        return matching(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "get_matching_blocks", counted)
    monkeypatch.setattr(pipeline, "unified", lambda *a: calls.append("unified") or "")
    again = pipeline.build(settings, offline=True)
    assert again.resolution.ok and not again.written and again.exports == ()
    assert again.diff == "" and calls == []
    assert pipeline.resolve(settings, offline=True).diff == "" and calls == []
    # A dry run is what asks for a diff; with nothing to do it is empty.
    assert pipeline.resolve(settings, offline=True, dry_run=True).diff == ""
    assert calls == ["unified"]


def apply(diff: str, text: str) -> str:
    """``text`` patched with a unified ``diff`` (checks every context and removed line)."""
    if not diff:
        return text
    old = text.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    hunks = re.split(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n", diff, flags=re.M)
    assert hunks[0].startswith("--- ") and "\n+++ " in hunks[0]
    for start, length, body in zip(hunks[1::3], hunks[2::3], hunks[3::3], strict=True):
        begin = int(start) - (1 if length != "0" else 0)
        assert begin >= at
        out += old[at:begin]
        at = begin
        lines = body.splitlines(keepends=True)
        for line, following in zip(lines, [*lines[1:], ""], strict=True):
            content = line[1:-1] if following.startswith("\\ No newline") else line[1:]
            if line[0] in " -":
                assert old[at] == content, (at, line)
                at += 1
            if line[0] in " +":
                out.append(content)
    return "".join(out + old[at:])


def changed(text: str, rng: random.Random, changes: int) -> tuple[str, str]:
    """The library ``text`` and what resolving some of its entries would make of it."""
    library = loads(text, "references.bib")
    records = list(library.records)
    edits = []
    for index in rng.sample(range(len(records)), changes):
        record = records[index]
        what = rng.choice(["title", "volume", "author", "type"])
        if what == "title":
            edits.append(record.with_(title=record.title + " revisited"))
        elif what == "volume":
            edits.append(record.with_(volume=str(rng.randint(1, 99)), page="1-10"))
        elif what == "author":
            edits.append(record.with_(author=(*record.author[:1], Name("New", "Person"))))
        else:
            edits.append(record.with_(type="paper-conference", container_title="Proc. X"))
    if rng.random() < 0.5:
        edits.append(records[0].with_(key="added2024new", doi="10.5555/new"))
    updated = library.with_records(edits)
    return "".join(pieces(library)), "".join(pieces(updated))


@pytest.mark.parametrize("seed", range(12))
def test_dry_run_diff_applies_and_is_as_small_as_difflibs(seed: int) -> None:
    rng = random.Random(seed)
    text = library_text(rng.randint(1, 40), seed)
    if seed % 3 == 0:
        text = text.rstrip("\n")  # a file without a final newline
    before, after = changed(text, rng, rng.randint(0, 3) if seed else 0)
    library = loads(text, "references.bib")
    edits = loads(after, "references.bib").records
    diff = unified(pieces(library), pieces(library.with_records(edits)), "references.bib")
    assert apply(diff, before) == after
    if after == before:
        assert diff == ""
    if before.endswith("\n"):  # (difflib has no "No newline at end of file" marker)
        whole = "".join(difflib.unified_diff(*_split(before, after), "x", "x"))
        # As small as difflib's over the whole file (which may align "}" lines otherwise).
        assert _changed_lines(diff) == _changed_lines(whole)


def _split(before: str, after: str) -> tuple[list[str], list[str]]:
    return before.splitlines(keepends=True), after.splitlines(keepends=True)


def _changed_lines(diff: str) -> int:
    return sum(1 for line in diff.splitlines()[2:] if line[:1] in "+-")


def test_dry_run_diff_of_a_few_changes_in_a_large_file_is_per_entry() -> None:
    text = library_text(3000)
    library = loads(text, "references.bib")
    edits = [library.records[i].with_(volume="7") for i in (5, 1500, 2999)]
    calls: list[int] = []
    original = difflib.SequenceMatcher.__init__

    def sized(
        self: Any, isjunk: Any = None, a: Any = "", b: Any = "", autojunk: bool = True
    ) -> None:
        calls.append(len(a) + len(b))
        original(self, isjunk, a, b, autojunk)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(difflib.SequenceMatcher, "__init__", sized)
        diff = unified(pieces(library), pieces(library.with_records(edits)), "references.bib")
    assert diff.count("\n+  volume") == 3 and diff.count("@@ -") == 3
    assert max(calls) < 40  # difflib saw one entry's lines at a time, never the file
    assert apply(diff, text) == "".join(pieces(library.with_records(edits)))
