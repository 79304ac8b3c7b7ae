"""Zotero sync benchmark: requests and time for N entries, first and second run.

usage: python benchmarks/bench_sync.py [--items 1000] [--collections 20] [--latency 0.15]

The real ``pyzotero`` client syncs constructed records (``--collections`` nested
collections) into the loopback Zotero Web API server of ``tests/servers/zotero.py``,
which enforces versions, write tokens and the 50-objects-per-write limit. Every request
waits ``--latency`` seconds in the server before it is answered. Reported per run: reads,
item writes, collection writes, wall time, and the outcome; the targets are
``ceil(items/50)`` item writes plus the collection writes on the first run and no write
on the second. The baseline is a client that writes one item per request.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _measure import fmt, table  # noqa: E402

from citekit.config import Settings  # noqa: E402
from citekit.model import Date, Name, Record  # noqa: E402
from citekit.zotero.credentials import Credentials  # noqa: E402
from citekit.zotero.sync import SyncOptions, sync_zotero  # noqa: E402
from tests.servers.zotero import ZoteroServer, serve  # noqa: E402

API_KEY = "benchCITEKITconstructedKEY0123456"  # constructed: a loopback server only


class SlowZotero(ZoteroServer):
    """The test server with a fixed delay before each answer (network latency)."""

    latency = 0.0

    def authorized(self, headers: dict[str, str]) -> bool:
        time.sleep(self.latency)  # every request is checked once, before it is served
        return super().authorized(headers)


def records(items: int, collections: int) -> list[Record]:
    """Constructed journal articles spread over ``collections`` two-level collections."""
    out = []
    for n in range(items):
        group = f"Bench/Topic {n % collections:02d}" if collections else ""
        out.append(
            Record(
                key=f"family{n}2021bench",
                type="article-journal",
                title=f"Constructed benchmark article number {n}",
                author=(
                    Name(family=f"Family{n}", given="Ann"),
                    Name(family="Coauthor", given="Bo"),
                ),
                issued=Date(2021, 1 + n % 12),
                container_title="Journal of Constructed Benchmarks",
                volume=str(1 + n % 30),
                page=f"{n}-{n + 7}",
                doi=f"10.5555/bench.sync.{n}",
                collections=(group,) if group else (),
            )
        )
    return out


def run_once(server: ZoteroServer, recs: list[Record], settings: Settings) -> dict[str, Any]:
    """One sync; what the server saw and how long it took."""
    mark = len(server.log)
    credentials = Credentials("user", str(server.library_id), API_KEY)
    start = time.perf_counter()
    report = sync_zotero(recs, settings, credentials, SyncOptions(sleep=lambda _s: None))
    wall = time.perf_counter() - start
    new = server.log[mark:]
    return {
        "reads": sum(1 for r in new if not r.is_write),
        "item writes": sum(1 for r in new if r.is_write and "/items" in r.path),
        "collection writes": sum(1 for r in new if r.is_write and "/collections" in r.path),
        "wall": wall,
        "created": len(report.created),
        "collections created": len(report.collections_created),
        "unchanged": len(report.unchanged),
        "ok": report.ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--collections", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.15)
    args = parser.parse_args(argv)
    recs = records(args.items, args.collections)
    server = SlowZotero(API_KEY)
    server.latency = args.latency
    runs = []
    with tempfile.TemporaryDirectory(prefix="citekit-sync-") as tmp, serve(server):
        settings = Settings(root=Path(tmp), cache_dir=".citekit", zotero_url=server.url)
        for _ in range(2):
            runs.append(run_once(server, recs, settings))
    naive = args.items + (args.collections + 1 if args.collections else 0)
    headers = ("run", "reads", "item writes", "collection writes", "wall s", "created",
               "collections created", "unchanged", "converged", "naive writes")  # fmt: skip
    rows = [
        [name, str(r["reads"]), str(r["item writes"]), str(r["collection writes"]),
         fmt(r["wall"], 2), str(r["created"]), str(r["collections created"]),
         str(r["unchanged"]), "yes" if r["ok"] else "NO", str(naive)]
        for name, r in zip(("first", "second"), runs, strict=True)
    ]  # fmt: skip
    print(table(headers, rows))
    first, second = runs
    target = math.ceil(args.items / 50)
    met = (
        first["item writes"] == target and second["item writes"] + second["collection writes"] == 0
    )
    print(f"\nfirst run item writes {first['item writes']} (target ceil(items/50) = {target}) "
          f"+ {first['collection writes']} collection writes; second run writes "
          f"{second['item writes'] + second['collection writes']} (target 0): "
          f"{'met' if met else 'NOT met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
