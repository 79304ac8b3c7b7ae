"""citekit's CSL-JSON against citation-js's, field by field, over the real-world corpus.

usage: python benchmarks/compare_citation_js.py [DIR] [--examples N]

For every .bib file of DIR (default ``tests/data/realworld``) that both tools read, the
items are paired by ``id`` and each CSL variable compared after a light normalisation that
removes differences of form only (citation-js writes ``issued`` with strings, adds
``_graph``; both sides lose their nocase spans for the comparison, as citeproc reads them).
The summary counts, per variable, the items where the two differ, with examples: which
side is right is for a reader to judge (the README quotes the summary with a verdict).
citation-js is installed into benchmarks/.node by bench_export.py's installer.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_export import NODE_DIR, ensure_citation_js  # noqa: E402

from citekit.library import load  # noqa: E402
from citekit.writers.csljson import format_csljson  # noqa: E402
from citekit.writers.inherit import derived  # noqa: E402

_TAGS = re.compile(r"</?(?:i|b|sup|sub|span)[^>]*>")
_IGNORED = {"_graph", "citation-key", "id"}


def _norm(value: Any) -> Any:
    """Form-only differences removed: markup, whitespace, numbers as strings."""
    if isinstance(value, str):
        return " ".join(_TAGS.sub("", value).split())
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items()) if k not in ("_graph",)}
    return value


def _citation_js(path: Path, out: Path) -> list[dict[str, Any]] | None:
    run = subprocess.run(
        ["node", str(NODE_DIR / "bib2csl.mjs"), str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        return None
    items: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    return items


def compare(directory: Path, examples: int) -> str:
    """The summary table (markdown) of the differences over ``directory``."""
    reason = ensure_citation_js()
    if reason:
        return f"citation-js unavailable: {reason}"
    differ: Counter[str] = Counter()
    only: Counter[str] = Counter()
    shown: dict[str, list[str]] = defaultdict(list)
    paired = files = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(directory.glob("*.bib")):
            try:
                records = derived([r for r in load(path).records if r.key])  # as `export csl`
                ours = json.loads(format_csljson(records))
            except Exception:
                continue
            theirs = _citation_js(path, Path(tmp) / "cjs.json")
            if theirs is None:
                continue
            files += 1
            by_id = {item.get("id"): item for item in theirs}
            for item in ours:
                other = by_id.get(item["id"])
                if other is None:
                    continue
                paired += 1
                for var in sorted((set(item) | set(other)) - _IGNORED):
                    a, b = _norm(item.get(var)), _norm(other.get(var))
                    if a == b:
                        continue
                    row = var
                    if a is None or b is None:
                        row = f"{var} ({'citation-js' if a is None else 'citekit'} only)"
                        only[row] += 1
                    else:
                        differ[var] += 1
                    if len(shown[row]) < examples:
                        shown[row].append(f"{path.name} {item['id']}: {a!r} | {b!r}")
    lines = [f"{files} files, {paired} items paired by id", "", "| variable | items |", "|---|---|"]
    lines += [f"| {var} differs | {n} |" for var, n in differ.most_common()]
    lines += [f"| {var} | {n} |" for var, n in only.most_common()]
    for var, rows in shown.items():
        lines += ["", f"{var} (citekit | citation-js):", *(f"  {row[:300]}" for row in rows)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "directory", nargs="?", type=Path, default=HERE.parent / "tests/data/realworld"
    )
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    print(compare(args.directory, args.examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
