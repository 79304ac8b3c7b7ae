"""Source answers as fuzz targets (``python benchmarks/fuzz_reader.py --target crossref|arxiv``).

Each input is a CONSTRUCTED Crossref work or arXiv payload (``tests/reliability/answers.py``)
with a random JSON value at a random path (sometimes random bytes instead). It goes through
what citekit does with an answer, in process, without a network: the body reader
(``crossref_work.parsed_work``/``cached_work``, ``arxiv_entry.parsed``/``cached_entry``),
the boundary (``validate.checked``), both BibTeX writers, and citekit's own reader. The
contract: no exception; at most one warning line per record; the written entry reads back
as exactly one entry. The last line is the count of inputs tried.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

from citekit.library import loads
from citekit.model import Record
from citekit.sources.arxiv_entry import cached_entry, parsed
from citekit.sources.crossref_work import cached_work, parsed_work
from citekit.sources.validate import checked
from citekit.writers.bibtex import format_biblatex, format_bibtex
from tests.reliability.answers import (
    ARXIV_ID,
    ARXIV_PAYLOAD,
    CROSSREF_DOI,
    CROSSREF_WORK,
    mutated_body,
    paths,
    random_json,
    replaced,
)

__all__ = ["TARGETS", "fuzz_answers"]


def _written_and_read(record: Record) -> None:
    """The record through both writers and back: one entry each time, or an exception."""
    named = record.with_(key="fuzzed")
    for text in (format_bibtex([named]), format_biblatex([named])):
        library = loads(text)
        if len(library.records) != 1:
            raise AssertionError(f"{len(library.records)} entries read back from {text!r:.200}")


def _boundary(record: Record | None, label: str) -> None:
    if record is None:
        return  # the source reports one line for this entry
    said: list[str] = []
    clean = checked(record, source="fuzz", label=label, warn=said.append)
    if len(said) > 1 or any("\n" in s for s in said):
        raise AssertionError(f"more than one warning line: {said}")
    _written_and_read(clean)


def crossref_input(rng: random.Random) -> None:
    """One mutated Crossref work, as a fresh answer and as a cache row."""
    if rng.random() < 0.05:
        body = rng.randbytes(rng.randint(0, 300))
    else:
        path = rng.choice(paths(CROSSREF_WORK))
        body = mutated_body(CROSSREF_WORK, path, random_json(rng))
    _boundary(parsed_work(body), CROSSREF_DOI)
    _boundary(cached_work(body, CROSSREF_DOI), CROSSREF_DOI)


def arxiv_input(rng: random.Random) -> None:
    """One mutated arXiv payload, as parsed from a feed and as a cache row."""
    path = rng.choice(paths(ARXIV_PAYLOAD))
    payload: Any = replaced(ARXIV_PAYLOAD, path, random_json(rng))
    _boundary(parsed(payload), ARXIV_ID)
    data = json.dumps(payload).encode() if rng.random() < 0.95 else rng.randbytes(50)
    _boundary(cached_entry(data, ARXIV_ID), ARXIV_ID)


TARGETS: dict[str, Callable[[random.Random], None]] = {
    "crossref": crossref_input,
    "arxiv": arxiv_input,
}


def fuzz_answers(
    target: str, seconds: float, seed: int, guard: Callable[[Callable[[], None]], None]
) -> tuple[int, list[str]]:
    """Inputs tried and the failures found for ``target`` within ``seconds``."""
    rng = random.Random(seed)
    one = TARGETS[target]
    tried, failures = 0, []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        state = rng.getstate()
        try:
            guard(lambda: one(rng))
        except KeyboardInterrupt:
            break
        except BaseException as exc:  # any breach of the contract is a finding
            rng.setstate(state)
            failures.append(f"{type(exc).__name__}: {exc!s:.300}")
            rng.random()  # move on from the failing draw
        tried += 1
    return tried, failures
