"""CONSTRUCTED source answers and a JSON mutator, shared by the answer property tests and
``benchmarks/fuzz_reader.py``.

:func:`mutate` replaces the value at one path of a JSON document (or adds a key) by any
other value: the shape a hostile or broken server may send where citekit expects a string,
a list of date parts or an object.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

CROSSREF_DOI = "10.5555/fuzz.1"
ARXIV_ID = "2201.00077"

#: A Crossref work message with every field citekit reads (constructed).
CROSSREF_WORK: dict[str, Any] = {
    "DOI": CROSSREF_DOI,
    "type": "journal-article",
    "title": ["A Constructed Work for the Answer Fuzzer"],
    "subtitle": ["With a Subtitle"],
    "author": [
        {"given": "Ada", "family": "Okafor", "sequence": "first"},
        {"name": "The Constructed Consortium", "sequence": "additional"},
    ],
    "editor": [{"given": "Bo", "family": "Lindqvist"}],
    "issued": {"date-parts": [[2021, 3, 4]]},
    "published-print": {"date-parts": [[2021, 3]]},
    "container-title": ["Journal of Constructed Results"],
    "event": {"name": "Constructed Conference"},
    "volume": "12",
    "issue": "3",
    "journal-issue": {"issue": "3"},
    "page": "101-110",
    "article-number": "e42",
    "publisher": "Constructed Press",
    "publisher-location": "Nowhere",
    "ISBN": ["9780000000002"],
    "ISSN": ["1234-5679"],
    "language": "en",
    "abstract": "<jats:p>An abstract.</jats:p>",
    "URL": "https://doi.org/10.5555/fuzz.1",
}

#: An arXiv payload as the cache keeps it (``sources.arxiv_entry.result_payload``).
ARXIV_PAYLOAD: dict[str, Any] = {
    "id": ARXIV_ID + "v1",
    "entry_id": f"http://arxiv.org/abs/{ARXIV_ID}v1",
    "title": "A Constructed Preprint for the Answer Fuzzer",
    "authors": ["Ada Okafor", "Bo van Lindqvist Jr."],
    "summary": "An abstract.",
    "published": "2022-01-05T10:00:00+00:00",
    "updated": "2022-01-05T10:00:00+00:00",
    "doi": "",
    "journal_ref": "",
    "primary_category": "cs.DL",
    "categories": ["cs.DL"],
    "comment": "",
    "links": [{"href": f"https://arxiv.org/abs/{ARXIV_ID}v1", "title": "", "rel": "alternate"}],
}


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (the root included), depth first."""
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += paths(value, (*prefix, index))
    return out


def replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``doc`` with ``value`` at ``path`` (the root when ``path`` is empty)."""
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(doc)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = copy.deepcopy(value)
    return out


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value (for the by-hand fuzzer; the tests use hypothesis)."""
    if rng.random() < 0.3:
        return copy.deepcopy(rng.choice(SHAPES))
    kinds = ["null", "bool", "int", "float", "text", "hostile"] + (
        ["list", "dict"] if depth < 3 else []
    )
    kind = rng.choice(kinds)
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([-1, 0, 1, 13, 45, 2020, 10**20, -(10**20), rng.randint(-(10**6), 10**6)])
    if kind == "float":
        return rng.choice([0.5, -1.0, 1e308, 2020.0, float(rng.randint(0, 99))])
    if kind == "text":
        alphabet = "ab 10.5555/{}\\@%#&_~^\n\t\x00\x01\u202e<>\"'é漢"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
    if kind == "hostile":
        return rng.choice(HOSTILE_TEXT)
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["date-parts", "name", "issue", "x", ""]): random_json(rng, depth + 1)}


#: Values that once broke a run (issue #12) or that look like identifiers but are not.
HOSTILE_TEXT = [
    "10.1234/abc\n@misc(pwned,",
    "10.1234/abc\x01",
    "cs.CL\n@misc(x,\n",
    "javascript:alert(1)",
    "https://exa mple.org/",
    "2020x",
    "Evil} @misc{pwned, title={x",
    '<span class="nocase">x',
]


#: JSON shapes that once crashed a run (issue #12 item 2), tried often by the properties.
SHAPES: list[Any] = [
    "2020x",
    "2020",
    [["2020x"]],
    [[2020, 13, 45]],
    [[2020, -1]],
    [1],
    {"date-parts": "x"},
    {"date-parts": [["2020x"]]},
    {"issue": [1]},
    -1,
    None,
    [],
    {},
    *HOSTILE_TEXT,
]


def mutated_body(message: dict[str, Any], path: tuple[Any, ...], value: Any) -> bytes:
    """A Crossref ``work`` envelope around ``message`` with ``value`` at ``path``."""
    envelope = {"status": "ok", "message-type": "work", "message-version": "1.0.0"}
    envelope["message"] = replaced(message, path, value)
    return json.dumps(envelope).encode()
