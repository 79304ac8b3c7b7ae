"""The HTML page at scale: a generated 10,000-entry library in headless chromium.

usage: python benchmarks/bench_html.py [--entries 10000] [--loads 3] [--keep PAGE.html]

Generates the library (benchmarks/gen_library.py), files every entry in one of 24
collections two levels deep, and renders the page with ``citekit.writers.html`` (APA).
Then, in Debian's headless chromium (driven by selenium with /usr/bin/chromedriver, a
fresh profile, no download): the load time from file:// (navigation start to the end of
the load event, median of ``--loads``), and the cost of each keystroke while typing four
queries and deleting one: the ``input`` handler plus the style and layout it causes
(``offsetHeight`` forces them) and the time to the next frame. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from gen_library import write_library  # noqa: E402

from citekit.library import load  # noqa: E402
from citekit.writers.html import format_html  # noqa: E402
from tests.browser.chromium import chromium, find  # noqa: E402

QUERIES = ["garcía", "kim 2019", "neural networks", "gen42"]

# One keystroke: set the box's value, fire `input`, force style + layout; then a frame.
KEYSTROKE = """
const [value, done] = arguments;
const box = document.getElementById('q');
const t0 = performance.now();
box.value = value;
box.dispatchEvent(new Event('input'));
void document.body.offsetHeight;
const t1 = performance.now();
requestAnimationFrame(() => setTimeout(() => done([t1 - t0, performance.now() - t0,
  document.getElementById('count').textContent]), 0));
"""


def build_page(entries: int, folder: Path) -> tuple[Path, float, float]:
    """The page for a generated library; (path, seconds to load the .bib, seconds to render)."""
    bib = write_library(folder / "library.bib", entries)
    start = time.perf_counter()
    records = load(bib).records
    loaded = time.perf_counter() - start
    filed = [r.with_(collections=(f"Area {i % 6}/Topic {i % 4}",)) for i, r in enumerate(records)]
    start = time.perf_counter()
    text = format_html(filed, title=f"{entries:,} generated entries")
    rendered = time.perf_counter() - start
    page = folder / "index.html"
    page.write_text(text, encoding="utf-8")
    return page, loaded, rendered


def measure(page: Path, loads: int) -> dict[str, object]:
    browser = find("chromium", "/usr/bin/chromium")
    driver = find("chromedriver", "/usr/bin/chromedriver")
    if not browser or not driver:
        sys.exit("needs Debian's chromium and chromium-driver (apt-get install both)")
    load_ms = []
    with chromium(browser, driver) as session:
        session.set_script_timeout(60)
        for _ in range(loads):
            session.get("about:blank")
            session.get(page.as_uri())
            timing = session.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return [n.domContentLoadedEventEnd, n.loadEventEnd];"
            )
            load_ms.append(timing[1])
        handler, frame, counts = [], [], []
        for query in QUERIES:
            for i in range(1, len(query) + 1):
                got = session.execute_async_script(KEYSTROKE, query[:i])
                handler.append(got[0])
                frame.append(got[1])
            counts.append(f"{query!r}: {got[2]}")
        for i in range(len(QUERIES[-1]) - 1, -1, -1):  # delete back to the whole list
            got = session.execute_async_script(KEYSTROKE, QUERIES[-1][:i])
            handler.append(got[0])
            frame.append(got[1])
        counts.append(f"'': {got[2]}")
    return {"load": load_ms, "handler": handler, "frame": frame, "counts": counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="also copy the page here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="citekit-bench-html-") as tmp:
        page, loaded, rendered = build_page(args.entries, Path(tmp))
        size = page.stat().st_size
        if args.keep:
            args.keep.write_bytes(page.read_bytes())
        got = measure(page, args.loads)
    handler, frame = sorted(got["handler"]), sorted(got["frame"])  # type: ignore[type-var]

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    print(f"| measure ({args.entries:,} entries) | value |")
    print("| --- | ---: |")
    print(f"| page size | {size / 2**20:.1f} MiB ({size / args.entries:,.0f} bytes/entry) |")
    print(f"| load .bib (citekit.library.load) | {loaded:.1f} s |")
    print(f"| render page (citeproc-py + jinja2) | {rendered:.1f} s |")
    print(
        f"| chromium load, file:// (median of {args.loads}) | "
        f"{statistics.median(got['load']):,.0f} ms |"
    )  # type: ignore[arg-type]
    print(
        f"| keystroke: handler + style + layout, median / p90 / max ({len(handler)} keys) | "
        f"{statistics.median(handler):.0f} / {pct(handler, 0.9):.0f} / {handler[-1]:.0f} ms |"
    )
    print(
        f"| keystroke: to the next frame, median / p90 / max | "
        f"{statistics.median(frame):.0f} / {pct(frame, 0.9):.0f} / {frame[-1]:.0f} ms |"
    )
    print("\nmatches after each query: " + "; ".join(got["counts"]))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
