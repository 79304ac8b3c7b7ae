"""The long fuzz run of the .bib reader, by hand (the short one is in tests/reliability).

    python benchmarks/fuzz_reader.py --seconds 600            # built-in mutator
    python benchmarks/fuzz_reader.py --atheris --seconds 600  # coverage-guided (the fuzz extra)
    python benchmarks/fuzz_reader.py --target crossref --seconds 600  # source answers
    python benchmarks/fuzz_reader.py --target arxiv --seconds 600     # (benchmarks/fuzz_answers.py)

Inputs: windows of whole entries from ``../shared/bench-data/*.bib``, a constructed torture
snippet, random bytes, and mutations of all of them (syntax bytes inserted, spans deleted or
duplicated, cuts, CRLF, a BOM). Each input goes through ``library.loads`` + ``check_library``,
and every 20th through ``citekit check`` itself (CliRunner). The contract: no exception but
LibraryError (which names a line and is one line), no traceback, exit 0 or 1, and no input
taking more than ``--deadline`` seconds (SIGALRM). A failing input is saved under
``benchmarks/fuzz-failures/``. The last line is the count of inputs tried.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from citekit.check import check_library  # noqa: E402
from citekit.cli import cli  # noqa: E402
from citekit.errors import LibraryError  # noqa: E402
from citekit.library import loads  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench-data"
FAILURES = ROOT / "benchmarks" / "fuzz-failures"
MAX_BYTES = 8_000
SYNTAX = [b"{", b"}", b"@", b'"', b"#", b",", b"=", b"%", b"\\", b"\n", b"\x00", b"\xff", b"\r\n"]
TORTURE = rb"""@string{acm = "ACM Press"}
@preamble{"\newcommand{\noopsort}[1]{}"}
@comment{anything {goes} here}
@inproceedings{k:1-2_x.y,
  author = {M{\"u}ller, J{\"o}rg and {World Health Organization}},
  title = "The {GPT}-3 \& {\LaTeX} {{nested}} story: 50\% $x^2$",
  booktitle = acm # " proceedings, " # {vol.~} # 3,
  year = 2020, month = jan,
}
"""


class Hang(Exception):
    """An input took longer than the deadline."""


def seeds() -> list[bytes]:
    found = [TORTURE]
    for path in sorted(SHARED.glob("*.bib")):
        data = path.read_bytes()
        starts = [m.start() for m in re.finditer(rb"^@", data, re.MULTILINE)]
        for i in range(0, max(len(starts) - 12, 0), 25):
            found.append(data[starts[i] : starts[i + 12]][:MAX_BYTES])
    return found


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(6)
        if kind == 0:
            out[at:at] = rng.choice(SYNTAX)
        elif kind == 1:
            del out[at : at + rng.randint(1, 60)]
        elif kind == 2:
            out[at:at] = out[at : at + rng.randint(1, 300)]
        elif kind == 3:
            del out[at:]
        elif kind == 4:
            out = bytearray(bytes(out).replace(b"\n", b"\r\n"))
        else:
            out[at] = rng.randrange(256)
    return bytes(out[:MAX_BYTES])


def one_input(data: bytes, via_cli: bool, workdir: Path) -> None:
    """Raise AssertionError (or anything unexpected) when the reader breaks its contract."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        try:
            check_library(loads(text))
        except LibraryError as exc:
            assert exc.line is not None and "\n" not in str(exc), str(exc)
    if via_cli:
        (workdir / "references.bib").write_bytes(data)
        cwd = os.getcwd()
        os.chdir(workdir)
        try:
            result = CliRunner().invoke(cli, ["check"])
        finally:
            os.chdir(cwd)
        assert result.exit_code in (0, 1), result.output[-500:]
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and "internal error" not in result.output


def guarded(deadline: float, call: Callable[[], None]) -> None:
    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"took more than {deadline:g} s")

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, deadline)
    try:
        call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def save_failure(data: bytes, exc: BaseException) -> Path:
    FAILURES.mkdir(exist_ok=True)
    path = FAILURES / f"input-{abs(hash(data)) % 10**10}.bib"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text(f"{type(exc).__name__}: {exc}\n")
    return path


def builtin(seconds: float, deadline: float, seed: int) -> int:
    rng = random.Random(seed)
    pool = seeds()
    tried = failures = 0
    stop = time.monotonic() + seconds
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < stop:
            pick = rng.random()
            if pick < 0.1:
                data = rng.randbytes(rng.randint(0, 2_000))
            elif pick < 0.2:
                data = rng.choice(pool)
            else:
                data = mutate(rng, rng.choice(pool))
            try:
                guarded(deadline, partial(one_input, data, tried % 20 == 0, Path(tmp)))
            except BaseException as exc:  # any breach of the contract is a finding
                if isinstance(exc, KeyboardInterrupt):
                    break
                failures += 1
                print(f"FAIL {type(exc).__name__}: {exc!s:.200} -> {save_failure(data, exc)}")
            tried += 1
    print(f"fuzz_reader: {tried} inputs in {seconds:g} s (seed {seed}), {failures} failures")
    return 1 if failures else 0


def with_atheris(seconds: float, deadline: float) -> int:
    import atheris  # the fuzz extra

    tried = [0]
    tmp = Path(tempfile.mkdtemp())

    def test_one_input(data: bytes) -> None:
        tried[0] += 1
        guarded(deadline, lambda: one_input(data[:MAX_BYTES], tried[0] % 20 == 0, tmp))

    corpus = Path(tempfile.mkdtemp())
    for i, seed in enumerate(seeds()):
        (corpus / f"seed{i}.bib").write_bytes(seed)
    import atexit

    atexit.register(lambda: print(f"fuzz_reader (atheris): {tried[0]} inputs"))  # libFuzzer
    # also prints "Done N runs" when -max_total_time ends the run
    FAILURES.mkdir(exist_ok=True)
    argv = [
        sys.argv[0],
        f"-max_total_time={int(seconds)}",
        "-rss_limit_mb=4096",
        f"-artifact_prefix={FAILURES}/",
        str(corpus),
    ]
    from bibtexparser import entrypoint  # noqa: F401  (loaded, so it is instrumented too)

    atheris.instrument_all()  # coverage of everything imported: citekit and bibtexparser
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0


def answers(target: str, seconds: float, deadline: float, seed: int) -> int:
    """The source-answer targets (benchmarks/fuzz_answers.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fuzz_answers import fuzz_answers

    tried, failures = fuzz_answers(target, seconds, seed, partial(guarded, deadline))
    for failure in failures[:20]:
        print(f"FAIL {failure}")
    print(
        f"fuzz_reader --target {target}: {tried} inputs in {seconds:g} s (seed {seed}), "
        f"{len(failures)} failures"
    )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--deadline", type=float, default=5.0, help="seconds per input")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--atheris", action="store_true", help="coverage-guided (atheris)")
    parser.add_argument(
        "--target", choices=["bib", "crossref", "arxiv"], default="bib", help="what to fuzz"
    )
    args = parser.parse_args()
    if args.target != "bib":
        return answers(args.target, args.seconds, args.deadline, args.seed)
    if args.atheris:
        return with_atheris(args.seconds, args.deadline)
    return builtin(args.seconds, args.deadline, args.seed)


if __name__ == "__main__":
    sys.exit(main())
