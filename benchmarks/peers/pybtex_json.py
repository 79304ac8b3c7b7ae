"""pybtex 0.26 parse -> JSON: fields and split persons, no LaTeX decoding (real-clients.md §3).

usage: python pybtex_json.py in.bib out.json
"""

from __future__ import annotations

import json
import sys

import pybtex.errors
from pybtex.database import parse_file


def main() -> None:
    pybtex.errors.set_strict_mode(False)  # warn and go on, like citekit does
    data = parse_file(sys.argv[1], bib_format="bibtex")
    items = []
    for key, entry in data.entries.items():
        item: dict[str, object] = {"id": key, "type": entry.type, **dict(entry.fields)}
        for role, persons in entry.persons.items():
            item[role] = [
                {
                    "given": " ".join(p.first_names + p.middle_names),
                    "family": " ".join(p.last_names),
                }
                for p in persons
            ]
        items.append(item)
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(items, fh, ensure_ascii=False)


if __name__ == "__main__":
    main()
