"""Scale benchmark: every command on generated libraries of 10,000 and 100,000 entries.

usage: nice python benchmarks/bench_scale.py [--sizes 10000,100000] [--ratio-sizes 20000]
                                             [--json OUT] [--readme README.md]

Each command runs once per size, in its own process (``python -m citekit``), one after
the other on the same library (``benchmarks/gen_library.py``, seed 6): ``check``, every
``export``, ``build --offline`` and ``resolve --offline`` with nothing to do, ``import-md``
of a Markdown list of as many links into an empty project, and ``sync zotero --dry-run``
against the loopback Zotero server of ``tests/servers/zotero.py`` (an empty library: the
plan creates every entry). Reported per command and size: wall, CPU (user+sys) and peak
RSS (``os.wait4`` of that child), then the 100k/10k ratios (linear growth is 10×), and
issue 14's target 1: ``build``/``resolve --offline`` over ``export all`` on the same
library, also at ``--ratio-sizes``. The load average of the machine is printed beside the
figures: on a shared machine read CPU and the ratios rather than the seconds.

``--readme README.md`` rewrites the part of the README between ``<!-- bench_scale -->``
and ``<!-- /bench_scale -->`` with the tables of this run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from _measure import ROOT, child_env, fmt, run, table
from gen_library import write_library

sys.path.insert(0, str(ROOT))
from tests.servers.zotero import ZoteroServer, serve

API_KEY = "benchCITEKITconstructedKEY0123456"  # constructed: a loopback server only
#: (label, citekit arguments); "import-md" and "sync" need their own setup, below.
COMMANDS = (
    ("check", ["check"]),
    ("export bibtex", ["export", "bibtex"]),
    ("export biblatex", ["export", "biblatex"]),
    ("export csl", ["export", "csl"]),
    ("export ris", ["export", "ris"]),
    ("export zotero", ["export", "zotero"]),
    ("export all", ["export", "all"]),
    ("build --offline", ["build", "--offline"]),
    ("resolve --offline", ["resolve", "--offline"]),
    ("import-md", ["import-md", "links.md"]),
    ("sync zotero --dry-run", ["sync", "zotero", "--dry-run"]),
)
TARGET_1 = ("export all", "build --offline", "resolve --offline")


@dataclass(frozen=True)
class Figure:
    """One command on one size."""

    command: str
    size: int
    wall: float
    cpu: float
    rss_mib: float
    rc: int
    load: float  # 1-minute load average when it started


def markdown_links(count: int) -> str:
    """A reading list of ``count`` links (arXiv and DOI, as in the hub), in sections."""
    lines = ["# Reading list", ""]
    for n in range(count):
        if n % 500 == 0:
            lines += ["", f"## Topic {n // 500}", ""]
        if n % 2:
            lines.append(f"- [Constructed paper {n}](https://doi.org/10.5555/bench.md.{n})")
        else:
            ident = f"{21 + n % 4:02d}{1 + n % 12:02d}.{n % 100000:05d}"
            lines.append(f"- [Constructed preprint {n}](https://arxiv.org/abs/{ident})")
    return "\n".join(lines) + "\n"


@contextmanager
def zotero_env() -> Iterator[dict[str, str]]:
    """The loopback Zotero server, and the environment that points citekit at it."""
    server = ZoteroServer(API_KEY)
    with serve(server):
        yield {
            "CITEKIT_ZOTERO_URL": server.url,
            "ZOTERO_API_KEY": API_KEY,
            "ZOTERO_LIBRARY_ID": str(server.library_id),
        }


def measure(label: str, argv: list[str], size: int, cwd: Path, env: dict[str, str]) -> Figure:
    load = os.getloadavg()[0]
    done = run([sys.executable, "-m", "citekit", *argv], cwd=cwd, env=env)
    if done.rc not in (0, 1):  # 1: a report with something to say (sync's dry run plan)
        print(f"  {label} at {size}: exit {done.rc}: {done.stderr[-300:]}", file=sys.stderr)
    print(f"  {label} at {size:,}: {done.wall:.1f} s, {done.rss_mib:.0f} MiB", file=sys.stderr)
    return Figure(label, size, done.wall, done.cpu, done.rss_mib, done.rc, load)


def bench_size(size: int, commands: list[str], tmp: Path, zotero: dict[str, str]) -> list[Figure]:
    """Every chosen command on a fresh project of ``size`` entries."""
    project = tmp / f"p{size}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    write_library(project / "references.bib", size)
    md_project = tmp / f"md{size}"
    shutil.rmtree(md_project, ignore_errors=True)
    md_project.mkdir()
    (md_project / "links.md").write_text(markdown_links(size), encoding="utf-8")
    env = child_env() | {"CITEKIT_CACHE_DIR": str(tmp / f"cache{size}")} | zotero
    figures = []
    for label, argv in COMMANDS:
        if label in commands:
            cwd = md_project if label == "import-md" else project
            figures.append(measure(label, argv, size, cwd, env))
    shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(md_project, ignore_errors=True)
    return figures


def scale_table(figures: list[Figure], small: int, big: int) -> str:
    """Per command: wall, CPU and memory at both sizes and the big/small ratios."""
    at = {(f.command, f.size): f for f in figures}
    rows = []
    for label, _ in COMMANDS:
        a, b = at.get((label, small)), at.get((label, big))
        if a is None or b is None:
            continue
        rows.append(
            [
                f"`{label}`",
                fmt(a.wall, 1),
                fmt(b.wall, 1),
                fmt(b.wall / a.wall, 1),
                fmt(a.cpu, 1),
                fmt(b.cpu, 1),
                fmt(b.cpu / a.cpu, 1),
                fmt(a.rss_mib, 0),
                fmt(b.rss_mib, 0),
                fmt(b.rss_mib / a.rss_mib, 1),
            ]
        )
    k, m = f"{small // 1000}k", f"{big // 1000}k"
    headers = (
        "command",
        f"wall s {k}",
        f"wall s {m}",
        "×",
        f"CPU s {k}",
        f"CPU s {m}",
        "×",
        f"peak MiB {k}",
        f"peak MiB {m}",
        "×",
    )
    return table(headers, rows)


def target_table(figures: list[Figure]) -> str:
    """Issue 14 target 1: build / resolve --offline with nothing to do over export all."""
    at = {(f.command, f.size): f for f in figures}
    rows = []
    for size in sorted({f.size for f in figures}):
        base = at.get(("export all", size))
        if base is None:
            continue
        for label in TARGET_1[1:]:
            f = at.get((label, size))
            if f is not None:
                rows.append(
                    [
                        f"{size:,}",
                        f"`{label}`",
                        fmt(f.wall, 1),
                        fmt(base.wall, 1),
                        fmt(f.wall / base.wall, 2),
                        fmt(f.cpu / base.cpu, 2),
                    ]
                )
    headers = ("entries", "command", "wall s", "export all wall s", "× wall", "× CPU")
    return table(headers, rows)


def report(figures: list[Figure], sizes: list[int]) -> str:
    loads = [f.load for f in figures]
    nice = os.nice(0)
    head = (
        f"One run per command and size (`nice {nice}`), 1-minute load average "
        f"{min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores while it ran."
    )
    parts = [head, "", scale_table(figures, sizes[0], sizes[-1]), "", target_table(figures)]
    return "\n".join(parts) + "\n"


def rewrite_readme(path: Path, text: str) -> None:
    """Put ``text`` between the README's bench_scale markers."""
    readme = path.read_text(encoding="utf-8")
    pattern = re.compile(r"(<!-- bench_scale -->\n).*?(<!-- /bench_scale -->)", re.S)
    if not pattern.search(readme):
        raise SystemExit(f"{path} has no <!-- bench_scale --> … <!-- /bench_scale --> markers")
    path.write_text(pattern.sub(lambda m: m.group(1) + text + m.group(2), readme), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--ratio-sizes", default="20000", help="sizes for target 1 only")
    parser.add_argument("--commands", default=",".join(label for label, _ in COMMANDS))
    parser.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite its bench_scale part")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    extra = [int(s) for s in args.ratio_sizes.split(",") if s]
    commands = args.commands.split(",")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="citekit-scale-") as name, zotero_env() as zotero:
        for size in sorted(set(sizes + extra)):
            chosen = commands if size in sizes else [c for c in commands if c in TARGET_1]
            figures += bench_size(size, chosen, Path(name), zotero)
    text = report(figures, sizes)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=1), "utf-8")
    if args.readme:
        rewrite_readme(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
