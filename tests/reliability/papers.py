"""CONSTRUCTED papers for the reliability suite (made-up ids, DOIs, titles and people).

:func:`register` puts ``n`` arXiv preprints on the loopback arXiv server, every third
with a published version on the loopback Crossref server (found through the DOI that
arXiv lists), plus ``n // 2`` plain DOI works; :func:`stubs` is the matching library of
stub entries, and :func:`complete` a library of finished entries (no network needed).
"""

from __future__ import annotations

from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer

FAMILIES = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Kowalski", "Ferreira"]


def arxiv_id(i: int) -> str:
    return f"2101.{10000 + i:05d}"


def work_doi(i: int) -> str:
    return f"10.5555/citekit-reliability.{i}"


def _authors(i: int) -> list[tuple[str, str]]:
    return [(f"Given{j}", FAMILIES[(i + j) % len(FAMILIES)]) for j in range(3)]


def register(arxiv: ArxivServer, crossref: CrossrefServer, n: int) -> None:
    """``n`` preprints (every third published) and ``n // 2`` DOI works."""
    for i in range(n):
        title = f"Constructed Study Number {i} of Reliable Bibliographies"
        people = _authors(i)
        doi = work_doi(1000 + i) if i % 3 == 0 else ""
        arxiv.add(
            arxiv_id(i),
            title,
            [f"{g} {f}" for g, f in people],
            published=f"2021-01-{1 + i % 28:02d}T10:00:00Z",
            primary="cs.DL",
            categories=["cs.DL"],
            doi=doi,
        )
        if doi:
            crossref.add(
                doi,
                title,
                people,
                type="journal-article",
                container="Journal of Constructed Results",
                issued=(2022, 1 + i % 12),
                volume=str(i),
                page=f"{i}-{i + 9}",
                publisher="Constructed Press",
            )
    for i in range(n // 2):
        crossref.add(
            work_doi(i),
            f"A Constructed Journal Article about Topic {i}",
            _authors(i + 3),
            type="journal-article",
            container="Constructed Letters",
            issued=(2019, 1 + i % 12),
            volume="7",
            page=f"{100 + i}-{110 + i}",
            publisher="Constructed Press",
        )


def stubs(n: int) -> str:
    """The stub library for :func:`register` (``n`` arXiv stubs, ``n // 2`` DOI stubs)."""
    parts = []
    for i in range(n):
        parts.append(
            f"@misc{{pre{i},\n  eprint        = {{{arxiv_id(i)}}},\n"
            f"  archiveprefix = {{arXiv}},\n  groups        = {{Reliability/Preprints}},\n}}\n"
        )
    for i in range(n // 2):
        parts.append(
            f"@misc{{work{i},\n  doi           = {{{work_doi(i)}}},\n"
            f"  groups        = {{Reliability/Articles}},\n}}\n"
        )
    return "\n".join(parts)


def complete(n: int, variant: str = "") -> str:
    """``n`` finished entries; ``variant`` changes every title (a sync has work to do)."""
    parts = []
    for i in range(n):
        given, family = _authors(i)[0]
        parts.append(
            f"@article{{done{i},\n"
            f"  author        = {{{family}, {given} and Second, Author}},\n"
            f"  title         = {{Finished Entry {i}{variant}}},\n"
            f"  journal       = {{Constructed Letters}},\n"
            f"  year          = {{2020}},\n"
            f"  volume        = {{{i + 1}}},\n"
            f"  pages         = {{1--{i + 9}}},\n"
            f"  doi           = {{{work_doi(5000 + i)}}},\n"
            f"  groups        = {{Reliability/Done}},\n}}\n"
        )
    return "\n".join(parts)
