"""Resolution benchmark: requests and time for arXiv ids, DOIs and titles, cold and warm.

usage: python benchmarks/bench_resolve.py [--arxiv 1000] [--dois 200] [--titles 50]
                                          [--latency 0.15] [--published 0.3] [--dblp 0.4]

The real ``arxiv`` client and citekit's Crossref GETs talk to the loopback replay servers of
``tests/servers/`` (constructed papers, in the wire formats of ../shared/samples), each
answer delayed by ``--latency`` seconds. arXiv's rule of 3 s between requests runs on a
virtual clock (the pipeline's injected ``sleep``/``clock``), so the run takes seconds, not
minutes; the table shows both the wall time and the virtual waiting.

Phases: ``citekit resolve`` on a library of arXiv and DOI stubs (a share ``--published``
of the arXiv papers name a journal DOI that Crossref knows; of the rest, a share ``--dblp``
has a NeurIPS version on DBLP and OpenAlex, the others only their CoRR record on DBLP;
DBLP's one request per second also runs on the virtual clock), then ``citekit add`` of
``--titles`` titles; each cold (empty cache) and warm (same cache, fresh library copy).
The baseline is what a client without batching or a cache does: one request per id,
3 s apart for arXiv, on every run.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _measure import fmt, table  # noqa: E402

from citekit.config import Settings  # noqa: E402
from citekit.resolve import pipeline  # noqa: E402
from tests.servers.arxiv import ArxivServer  # noqa: E402
from tests.servers.base import ReplayServer  # noqa: E402
from tests.servers.crossref import CrossrefServer  # noqa: E402
from tests.servers.dblp import DblpServer, Publication  # noqa: E402
from tests.servers.fixtures import FakeClock  # noqa: E402
from tests.servers.openalex import OpenAlexServer  # noqa: E402

ARXIV_SPACING = 3.0
WORDS = (
    "sparse",
    "robust",
    "causal",
    "graph",
    "neural",
    "quantum",
    "protein",
    "climate",
    "syntax",
    "corpus",
)


@dataclass(frozen=True)
class Phase:
    """One measured run."""

    name: str
    items: int
    arxiv: int
    crossref: int
    dblp: int
    openalex: int
    wall: float
    virtual: float
    outcomes: str
    naive_requests: int
    naive_seconds: float


def title_of(n: int, kind: str) -> str:
    """A distinct, realistic title (no two share their rare words)."""
    a, b, c = WORDS[n % 10], WORDS[(n // 10) % 10], WORDS[(n // 100) % 10]
    return f"Constructed {kind} study {n} of {a} {b} {c} models ref{n * 7919 % 104729}"


def register(servers: Servers, args: argparse.Namespace) -> None:
    """Papers on the servers: arXiv preprints (some published), DOI works, title works."""
    arxiv, crossref, dblp, openalex = servers
    by_doi = args.arxiv * args.published
    on_dblp = by_doi + (args.arxiv - by_doi) * args.dblp
    for n in range(args.arxiv):
        doi = f"10.5555/bench.pub.{n}" if n < by_doi else ""
        title = title_of(n, "preprint")
        people = [f"Given{n} Family{n}", f"Other{n} Coauthor{n}"]
        arxiv.add(arxiv_id(n), title, people, doi=doi, published="2023-01-05T10:00:00Z")
        if doi:
            persons = [(f"Given{n}", f"Family{n}"), (f"Other{n}", f"Coauthor{n}")]
            crossref.add(doi, title, persons, container="Journal of Benchmarks", issued=(2024, 3))
            continue
        key = f"abs-2301-{n:05d}"
        corr = Publication(f"journals/corr/{key}", title, people, "CoRR", 2023, journal="CoRR")
        dblp.add(corr.__class__(**{**vars(corr), "type": "Informal and Other Publications"}))
        if n < on_dblp:
            dblp.add(Publication(f"conf/nips/Bench{n}", title, people, "NeurIPS", 2023))
            openalex.add(
                id=f"W{9000000 + n}", title=title, authors=people, year=2023, source="neurips",
                volume="36", pages=(str(n), str(n + 9)),
            )  # fmt: skip
    for n in range(args.dois):
        crossref.add(
            f"10.5555/bench.doi.{n}",
            title_of(n, "journal"),
            [(f"Ann{n}", f"Author{n}")],
            container="Journal of Constructed Results",
            issued=(2021, 6),
            volume=str(n % 40 + 1),
            page=f"{n}-{n + 9}",
        )
    for n in range(args.titles):
        crossref.add(
            f"10.5555/bench.title.{n}",
            title_of(n, "titled"),
            [(f"Tia{n}", f"Writer{n}")],
            container="Proceedings of Constructed Conferences",
            type="proceedings-article",
            issued=(2022, 9),
        )


def arxiv_id(n: int) -> str:
    return f"2301.{n:05d}"


def stubs(args: argparse.Namespace) -> str:
    """A references.bib of stubs naming only an identifier."""
    out = [f"@misc{{a{n},\n  eprint = {{{arxiv_id(n)}}},\n}}\n" for n in range(args.arxiv)]
    out += [f"@misc{{d{n},\n  doi = {{10.5555/bench.doi.{n}}},\n}}\n" for n in range(args.dois)]
    return "\n".join(out)


Servers = tuple[ArxivServer, CrossrefServer, DblpServer, OpenAlexServer]


def measure(name: str, items: int, servers: Servers, call: Any) -> Any:
    """Run ``call(clock)`` and return (result, Phase without the naive columns filled)."""
    for server in servers:
        server.reset_log()
    clock = FakeClock()
    start = time.perf_counter()
    result = call(clock)
    wall = time.perf_counter() - start
    counts = result.resolution.counts()
    outcomes = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    by_source = [server.count() for server in servers]
    return Phase(name, items, *by_source, wall, sum(clock.sleeps), outcomes, 0, 0.0)


def naive(phase: Phase, arxiv_items: int, other_items: int, latency: float) -> Phase:
    """The one-request-per-id baseline for the same items, cache-less."""
    requests = arxiv_items + other_items
    seconds = arxiv_items * max(ARXIV_SPACING, latency) + other_items * latency
    return Phase(**{**vars(phase), "naive_requests": requests, "naive_seconds": seconds})


def settings_for(folder: Path, cache: Path, servers: Servers) -> Settings:
    return Settings(
        root=folder,
        bib=str(folder / "references.bib"),
        cache_dir=str(cache),
        arxiv_url=servers[0].url,
        crossref_url=servers[1].url,
        dblp_url=servers[2].url,
        openalex_url=servers[3].url,
        mailto="bench@example.org",
    )


def run_all(args: argparse.Namespace, tmp: Path) -> list[Phase]:
    """Cold and warm resolve, then cold and warm add, against one pair of servers."""
    phases = []
    with (
        ArxivServer() as arxiv,
        CrossrefServer() as crossref,
        DblpServer() as dblp,
        OpenAlexServer() as openalex,
    ):
        servers = (arxiv, crossref, dblp, openalex)
        assert all(isinstance(s, ReplayServer) for s in servers)
        register(servers, args)  # type: ignore[arg-type]
        for server in servers:
            server.fail("delay", delay=args.latency, times=None)
        cache = tmp / "cache"
        ids = args.arxiv + args.dois
        for label in ("cold", "warm"):
            folder = tmp / f"resolve-{label}"
            folder.mkdir()
            (folder / "references.bib").write_text(stubs(args), encoding="utf-8")
            settings = settings_for(folder, cache, servers)  # type: ignore[arg-type]

            def go(clock: FakeClock, s: Settings = settings) -> Any:
                return pipeline.resolve(s, sleep=clock.sleep, clock=clock)

            phase = measure(f"resolve {label}", ids, servers, go)  # type: ignore[arg-type]
            phases.append(naive(phase, args.arxiv, args.dois, args.latency))
            if label == "cold":  # the same library again: everything is already complete
                phase = measure("resolve re-run", ids, servers, go)  # type: ignore[arg-type]
                phases.append(naive(phase, args.arxiv, args.dois, args.latency))
        titles = [title_of(n, "titled") for n in range(args.titles)]
        for label in ("cold", "warm"):
            folder = tmp / f"add-{label}"
            folder.mkdir()
            settings = settings_for(folder, cache, servers)  # type: ignore[arg-type]

            def add(clock: FakeClock, s: Settings = settings) -> Any:
                return pipeline.add(s, titles, sleep=clock.sleep, clock=clock)

            phase = measure(f"add titles {label}", len(titles), servers, add)  # type: ignore[arg-type]
            phases.append(naive(phase, 0, len(titles), args.latency))
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arxiv", type=int, default=1000)
    parser.add_argument("--dois", type=int, default=200)
    parser.add_argument("--titles", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--published", type=float, default=0.3)
    parser.add_argument("--dblp", type=float, default=0.4)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="citekit-resolve-"))
    try:
        phases = run_all(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    headers = (
        "phase", "items", "arXiv", "Crossref", "DBLP", "OpenAlex", "wall s",
        "virtual wait s", "naive requests", "naive s", "outcomes",
    )  # fmt: skip
    rows = [
        [p.name, str(p.items), str(p.arxiv), str(p.crossref), str(p.dblp), str(p.openalex),
         fmt(p.wall, 1), fmt(p.virtual, 0), str(p.naive_requests), fmt(p.naive_seconds, 0),
         p.outcomes]
        for p in phases
    ]  # fmt: skip
    print(table(headers, rows))
    target = math.ceil(args.arxiv / 100)
    cold = phases[0]
    again = sum(p.arxiv + p.crossref + p.dblp + p.openalex for p in phases if "cold" not in p.name)
    print(f"\ncold arXiv requests {cold.arxiv} (target ceil(ids/100) = {target}): "
          f"{'met' if cold.arxiv <= target else 'NOT met'}; requests of the re-run and warm "
          f"runs {again} (target 0): {'met' if again == 0 else 'NOT met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
