"""Export benchmark: citekit against the tools a researcher would otherwise use.

usage: python benchmarks/bench_export.py [--runs 5] [--warmup 1] [--sizes 10000,100000]
                                         [--latex-sizes 20000]
                                         [--files cdl,glottolog-sala,glottolog-zurich]
                                         [--tools citekit-csl,...] [--all-peers] [--json OUT]

For every input (the .bib files of ../shared/bench-data, read in place, and generated
libraries written to a temporary folder: the default profile at ``--sizes``, the LaTeX-heavy
one at ``--latex-sizes``) each tool converts the whole file in its own
process: 1 warm-up round, then ``--runs`` rounds, the tools alternating inside each round
(A B C … A B C …) so drift hits all of them alike. Reported per tool: median wall time,
peak RSS, entries/s, MB/s, the median of per-round ratios to citation-js, entries kept
(counted in the tool's output) and, for CSL-JSON, errors against the official schema.

Peers: ``pandoc -f biblatex -t csljson``; citation-js 0.8 (node; installed on first use
into benchmarks/.node/, which git ignores); pybtex 0.26 parse → JSON (``pip install
-e ".[bench]"``). pandoc needs ~8 GiB and minutes on the 100,000-entry library, so it
runs on inputs above 20,000 entries only with ``--all-peers``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _measure import (
    BENCH_DATA,
    Run,
    child_env,
    count_bib_entries,
    csl_validator,
    fmt,
    median,
    paired_ratio,
    run,
    table,
)
from gen_library import write_library

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / ".node"
NODE_PACKAGES = (
    "@citation-js/core@0.8",
    "@citation-js/plugin-bibtex@0.8",
    "@citation-js/plugin-csl@0.8",
)
PANDOC_LIMIT = 20_000
BASELINE = "citation-js"


@dataclass(frozen=True)
class Tool:
    """A converter run as a child process: ``argv(input, output)``; ``kind`` of its output."""

    name: str
    kind: str  # "csl" (CSL-JSON array), "json" (a JSON array), "bib"
    argv: Callable[[Path, Path], list[str]]
    suffix: str = ".json"
    env: dict[str, str] = field(default_factory=dict)  # set for its runs only


@dataclass
class Result:
    """All rounds of one tool on one input."""

    tool: str
    runs: list[Run] = field(default_factory=list)
    kept: int | None = None
    schema_errors: int | None = None
    failure: str = ""


def _citekit(fmt_name: str) -> Callable[[Path, Path], list[str]]:
    def argv(src: Path, out: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "citekit",
            "--bib",
            str(src),
            "export",
            fmt_name,
            "-o",
            str(out),
        ]

    return argv


def _pybtex(src: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "peers" / "pybtex_json.py"), str(src), str(out)]


def _citation_js(src: Path, out: Path) -> list[str]:
    return ["node", str(NODE_DIR / "bib2csl.mjs"), str(src), str(out)]


def _pandoc(src: Path, out: Path) -> list[str]:
    return ["pandoc", "-f", "biblatex", "-t", "csljson", str(src), "-o", str(out)]


TOOLS = {
    t.name: t
    for t in (
        Tool("citekit-csl", "csl", _citekit("csl")),
        # the same command kept in one process (export csl slices a large library over the
        # CPUs by default): what a single core does, beside what the machine does
        Tool("citekit-csl-1cpu", "csl", _citekit("csl"), env={"CITEKIT_JOBS": "1"}),
        Tool("citekit-biblatex", "bib", _citekit("biblatex"), ".bib"),
        Tool(BASELINE, "csl", _citation_js),
        Tool("pybtex", "json", _pybtex),
        Tool("pandoc", "csl", _pandoc),
    )
}


def ensure_citation_js() -> str:
    """Install citation-js 0.8 into benchmarks/.node once; "" when ready, else why not."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not installed"
    NODE_DIR.mkdir(exist_ok=True)
    shutil.copyfile(HERE / "peers" / "bib2csl.mjs", NODE_DIR / "bib2csl.mjs")
    if not (NODE_DIR / "node_modules" / "@citation-js" / "plugin-csl").is_dir():
        cmd = [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(NODE_DIR),
            *NODE_PACKAGES,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            return f"npm install failed: {done.stderr.strip()[-200:]}"
    return ""


def available(name: str) -> str:
    """ "" when the tool can run here, else the reason it cannot."""
    if name == BASELINE:
        return ensure_citation_js()
    if name == "pandoc" and not shutil.which("pandoc"):
        return "pandoc not installed"
    if name == "pybtex":
        try:
            import pybtex  # noqa: F401
        except ImportError:
            return 'pybtex missing: pip install -e ".[bench]"'
    return ""


def count_kept(kind: str, out: Path) -> int:
    """Entries in a tool's output file (``kind``: "bib" or "csl")."""
    text = out.read_text(encoding="utf-8")
    if kind == "bib":
        return count_bib_entries(text)
    return len(json.loads(text))


def _checked(kind: str, out: Path, validate: bool) -> tuple[int, int | None]:
    """Entries kept and schema errors (None: not validated) of one output file."""
    errors = schema_errors(out) if kind == "csl" and validate else None
    return count_kept(kind, out), errors


def checked(kind: str, out: Path, validate: bool) -> tuple[int, int | None]:
    """:func:`_checked` in a child process: parsing 100,000 items would grow this process
    by hundreds of MiB, and every child it starts after that would report them as its own
    peak memory (a child's ``ru_maxrss`` counts the memory it shared before ``exec``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, multiprocessing.get_context("fork")) as pool:
        return pool.submit(_checked, kind, out, validate).result()


def schema_errors(out: Path) -> int:
    """Errors of a CSL-JSON file against shared/schema/csl-data.json."""
    validator = csl_validator()
    items = json.loads(out.read_text(encoding="utf-8"))
    return sum(1 for _ in validator.iter_errors(items))  # type: ignore[attr-defined]


def bench_input(src: Path, tools: list[Tool], args: argparse.Namespace, tmp: Path) -> list[Result]:
    """All rounds of all tools on one input, alternating inside each round."""
    results = {t.name: Result(t.name) for t in tools}
    outs = {t.name: tmp / f"{src.stem}.{t.name}{t.suffix}" for t in tools}
    for round_no in range(args.warmup + args.runs):
        for tool in tools:
            res = results[tool.name]
            if res.failure:
                continue
            outs[tool.name].unlink(missing_ok=True)
            env = {**child_env(), **tool.env} if tool.env else None
            done = run(tool.argv(src, outs[tool.name]), cwd=tmp, env=env)
            if done.rc != 0 or not outs[tool.name].exists():
                res.failure = f"exit {done.rc}: {_reason(done.stderr)}"
                res.kept = 0
                continue
            if round_no >= args.warmup:
                res.runs.append(done)
            print(f"  {src.name} {tool.name} round {round_no}: {done.wall:.3f} s", file=sys.stderr)
    for tool in tools:
        res = results[tool.name]
        if not res.failure:
            res.kept, res.schema_errors = checked(tool.kind, outs[tool.name], args.validate)
    return list(results.values())


def _reason(stderr: str) -> str:
    """The line of a failed tool's stderr that says what went wrong."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"\w*(Error|error)\b", line)]
    return (errors or lines or ["no message"])[0][:70]


def rows_for(src: Path, n_entries: int, results: list[Result]) -> list[list[str]]:
    """Table rows of one input."""
    mb = src.stat().st_size / 1e6
    base = next((r for r in results if r.tool == BASELINE and r.runs), None)
    rows = []
    for res in results:
        walls = [r.wall for r in res.runs]
        wall = median(walls)
        ratio = paired_ratio(walls, [r.wall for r in base.runs]) if base and walls else None
        kept = f"{res.kept:,}" if res.kept is not None else "–"
        if res.failure:
            kept = f"0 ({res.failure[:60]})"
        rows.append(
            [
                res.tool,
                fmt(wall, 3),
                fmt(median([r.cpu for r in res.runs]), 2),
                fmt(median([r.rss_mib for r in res.runs]), 0),
                fmt(ratio, 2),
                fmt(n_entries / wall if walls else None, 0),
                fmt(mb / wall if walls else None, 2),
                f"{kept} / {n_entries:,}",
                "–" if res.schema_errors is None else str(res.schema_errors),
            ]
        )
    return rows


HEADERS = (
    "tool",
    "median wall s",
    "CPU s",
    "peak MiB",
    f"× {BASELINE}",
    "entries/s",
    "MB/s",
    "entries kept",
    "schema errors",
)


def linearity(all_results: dict[str, tuple[int, list[Result]]], small: str, big: str) -> str:
    """Cost of the big generated library over the small one, per tool, in time and memory."""
    rows = []
    by_tool_small = {r.tool: r for r in all_results[small][1]}
    for res in all_results[big][1]:
        other = by_tool_small.get(res.tool)
        if not other or not res.runs or not other.runs:
            continue
        t = median([r.wall for r in res.runs]) / median([r.wall for r in other.runs])
        c = median([r.cpu for r in res.runs]) / median([r.cpu for r in other.runs])
        m = median([r.rss_mib for r in res.runs]) / median([r.rss_mib for r in other.runs])
        rows.append([res.tool, fmt(t, 2), fmt(c, 2), fmt(m, 2)])
    # CPU time too: on a shared machine a long run meets more load than a short one.
    headers = ("tool", f"wall {big} / {small}", "CPU", f"memory {big} / {small}")
    return table(headers, rows)


def inputs(args: argparse.Namespace, tmp: Path) -> list[Path]:
    """The shared files (read in place) and the generated libraries."""
    paths = [BENCH_DATA / f"{name}.bib" for name in args.files.split(",") if name]
    for size in (int(s) for s in args.sizes.split(",") if s):
        paths.append(write_library(tmp / f"generated-{size}.bib", size))
    for size in (int(s) for s in args.latex_sizes.split(",") if s):
        path = tmp / f"latex-heavy-{size}.bib"
        paths.append(write_library(path, size, profile="latex"))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--files", default="cdl,glottolog-sala,glottolog-zurich")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--latex-sizes",
        default="20000",
        help="sizes of generated libraries with gen_library.py's LaTeX-heavy profile",
    )
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--all-peers", action="store_true", help="run pandoc on every input")
    parser.add_argument("--no-validate", dest="validate", action="store_false")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args(argv)
    tools = []
    for name in args.tools.split(","):
        why = available(name)
        if why:
            print(f"skipping {name}: {why}", file=sys.stderr)
        else:
            tools.append(TOOLS[name])
    report: dict[str, tuple[int, list[Result]]] = {}
    with tempfile.TemporaryDirectory(prefix="citekit-bench-") as tmpname:
        tmp = Path(tmpname)
        for src in inputs(args, tmp):
            n = count_bib_entries(src.read_text(encoding="utf-8"))
            chosen = [t for t in tools if t.name != "pandoc" or n <= PANDOC_LIMIT or args.all_peers]
            report[src.stem] = (n, bench_input(src, chosen, args, tmp))
            mib = src.stat().st_size / 2**20
            print(f"\n### {src.name} ({n:,} entries, {mib:.1f} MiB)\n")
            print(table(HEADERS, rows_for(src, n, report[src.stem][1])), flush=True)
    generated = [k for k in report if k.startswith("generated-")]
    if len(generated) >= 2:
        print(f"\n### Linearity\n\n{linearity(report, generated[0], generated[-1])}")
    if args.json:
        raw = {
            k: {
                "entries": n,
                "results": [vars(r) | {"runs": [vars(x) for x in r.runs]} for r in rs],
            }
            for k, (n, rs) in report.items()
        }
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
