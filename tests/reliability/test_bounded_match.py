"""Issue #12 item 5: title matching is bounded, whatever length of title a server sends.

A CONSTRUCTED Crossref that ignores ``rows`` answers a title search with 12 hits whose
titles are 8,000 words long. Before the fix, ``SequenceMatcher`` over them took 53 s for
one ``add`` (16,000 words: 360 s); now titles are compared on their first words and only
the rows asked for are looked at, so the run ends well inside the guard below (a hang
guard, not a timing measurement: benchmarks/ measures speed).
"""

from __future__ import annotations

from pathlib import Path

from tests.servers.arxiv import ArxivServer
from tests.servers.base import Request
from tests.servers.crossref import CrossrefServer

from .harness import citekit_env, no_traceback, run_citekit

WORDS = 8_000
HITS = 12


class IgnoresRows(CrossrefServer):
    """A Crossref that answers every search with every registered work."""

    def _search(self, request: Request) -> dict[str, object]:
        answer = super()._search(request)
        answer["items"] = list(self.works.values())
        return answer


def _words(seed: int) -> str:
    return " ".join(f"w{(seed * 7 + i * 13) % 997}" for i in range(WORDS))


def test_long_titles_from_many_hits_are_compared_in_bounded_time(tmp_path: Path) -> None:
    with ArxivServer() as arxiv, IgnoresRows() as crossref:
        arxiv.add("2201.00002", f"Bounded Matching {_words(0)}", ["Ada Okafor"])
        for n in range(HITS):
            title = f"Bounded Matching {_words(n + 1)}"
            crossref.add(f"10.5555/long.{n}", title, [("Ada", "Okafor")], issued=(2020,))
        (tmp_path / "references.bib").write_text("", encoding="utf-8")
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=crossref.url, CITEKIT_ARXIV_URL=arxiv.url)
        done = run_citekit(tmp_path, "add", "2201.00002", env=env, timeout=30)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "2201.00002" in text and "10.5555/long" not in text  # no long hit taken for it
