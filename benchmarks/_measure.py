"""Shared helpers of the benchmark scripts: run a child process, take medians, print tables.

Whole-process timing: wall clock around the child, peak memory from ``os.wait4``'s rusage
of that one child (``ru_maxrss``, KiB on Linux), so nothing else on the machine and no
earlier child is mixed in.
"""

from __future__ import annotations

import functools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BENCH_DATA = SHARED / "bench-data"
SCHEMA_DIR = SHARED / "schema"

# "Entries" as in shared/bench-data/PROVENANCE.md: @type{key, blocks other than
# @string/@comment/@preamble, at the start of a line.
_ENTRY = re.compile(r"^[ \t]*@(?!(?:string|comment|preamble)\b)[A-Za-z]+[ \t]*[{(]", re.M | re.I)


@dataclass(frozen=True)
class Run:
    """One finished child: wall s, peak resident MiB, exit code, stderr tail, CPU s (user+sys)."""

    wall: float
    rss_mib: float
    rc: int
    stderr: str
    cpu: float = 0.0


def child_env() -> dict[str, str]:
    """The environment for children: ``python -m citekit`` imports this checkout's citekit,
    whatever an editable install elsewhere on the machine points at, from its bytecode.

    An installed package has its ``.pyc`` files (pip compiles them on install); a checkout
    run with ``PYTHONDONTWRITEBYTECODE=1`` (as on the project machines) has none, and each
    run would compile citekit's ~90 modules again: ~0.1 s of every command's start.
    """
    compile_checkout()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@functools.cache
def compile_checkout() -> None:
    """Compile this checkout's citekit to bytecode, once per benchmark run."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "citekit")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


#: GNU time (Debian's ``time``), which reports its child's peak memory alone.
_GNU_TIME = "/usr/bin/time"


def run(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` to completion; stdout is discarded, stderr kept (its last 2 kB).

    Peak memory comes from GNU time where it is installed: a child started from this
    process (vfork, then exec) gets this process's own peak as the floor of its
    ``ru_maxrss``, so every child after a big generated library would report that.
    """
    peak_file = None
    if os.access(_GNU_TIME, os.X_OK):
        peak_file = Path(tempfile.mkstemp(prefix="peak-")[1])
        argv = [_GNU_TIME, "-f", "%M", "-o", str(peak_file), *argv]
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env if env is not None else child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()  # drain first, so a chatty child cannot block on a full pipe
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    tail = err[-2000:].decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime  # all threads: node's GC and JIT run beside it
    peak = usage.ru_maxrss
    if peak_file is not None:
        written = peak_file.read_text().split()
        peak_file.unlink()
        peak = int(written[-1]) if written and written[-1].isdigit() else peak
    return Run(wall, peak / 1024, proc.returncode, tail, cpu)


def count_bib_entries(text: str) -> int:
    """Entries in BibTeX text (PROVENANCE.md's definition)."""
    return len(_ENTRY.findall(text))


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def paired_ratio(mine: Sequence[float], theirs: Sequence[float]) -> float:
    """Median of per-round ratios mine[i]/theirs[i]: drift between rounds cancels."""
    pairs = [a / b for a, b in zip(mine, theirs, strict=False) if b > 0]
    return median(pairs)


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for a table; "–" for missing."""
    if value is None or value != value:  # NaN
        return "–"
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub markdown table; columns after the first are right-aligned."""
    align = ["---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def csl_validator() -> object:
    """A jsonschema Draft7 validator for shared/schema/csl-data.json, fully offline."""
    import json

    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    data = json.loads((SCHEMA_DIR / "csl-data.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources([(data["$id"], Resource.from_contents(data))])
    return Draft7Validator(data, registry=registry)
