"""`citekit check` on hostile 1 MB inputs (issue #12 item 4): each must finish in < 5 s.

Inputs (generated into a temporary folder): 262,144 lines of ``@a{``; 20,000 entries with
one key; ``@string`` doubling 40 times; 200 nested ``\\emph{``; a million ``{``; a value of
262,144 ``#`` concatenations; 1 MB of random BibTeX punctuation. Prints one markdown row
per input: bytes, median wall over 3 runs of the whole process, exit code, problems.

    python benchmarks/bench_check_hostile.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _inputs() -> dict[str, str]:
    rng = random.Random(1)
    punct = '@{}(),="#%\\ \n abcxyz0123'
    doubling = '@string{s0 = "ab"}\n'
    doubling += "".join(f"@string{{s{i + 1} = s{i} # s{i}}}\n" for i in range(40))
    return {
        "262,144 lines of @a{": "@a{\n" * (1 << 18),
        "20,000 entries, one key": "".join(
            f"@article{{same, title={{t{i}}}}}\n" for i in range(20000)
        ),
        "@string doubling x40": doubling + "@misc{x, title = s40}\n",
        "200 nested \\emph{": "@misc{x, title = {" + "\\emph{" * 200 + "x" + "}" * 200 + "}}\n",
        "a million {": "@misc{x, title={" + "{" * (1 << 20) + "}",
        "262,144 # pieces": '@misc{x, title="' + "a # " * (1 << 18) + '"}',
        "1 MB random punctuation": "".join(rng.choice(punct) for _ in range(1 << 20)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print("| input | bytes | median wall (s) | exit | last line |")
    print("| --- | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in _inputs().items():
            path = Path(tmp) / "hostile.bib"
            path.write_text(text, encoding="utf-8")
            walls = []
            for _ in range(args.runs):
                start = time.perf_counter()
                run = subprocess.run(
                    [sys.executable, "-m", "citekit", "--bib", str(path), "check"],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=tmp,
                    timeout=600,
                )
                walls.append(time.perf_counter() - start)
            last = (run.stderr.strip().splitlines() or [""])[-1][:70]
            size, wall = len(text.encode()), statistics.median(walls)
            print(f"| {name} | {size:,} | {wall:.2f} | {run.returncode} | {last} |")


if __name__ == "__main__":
    main()
