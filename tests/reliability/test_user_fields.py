"""Issue #12 item 3: ``resolve`` never overwrites or drops a field the user wrote.

CONSTRUCTED entries and Crossref works, through the CLI against the loopback server:
``number = {TR-42}`` on an entry whose type the source changes to a journal article (the
writer emits ``number`` from the issue there), ``date = {2021/2022}`` (a range, which
the source's day must not replace) and a lone ``month = {Spring}`` that citekit cannot
read (kept as an extra). Every user-written value
survives byte for byte and every difference is reported, unless ``--accept-upstream``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from citekit.library import load
from tests.servers.crossref import CrossrefServer

from .harness import citekit_env, no_traceback, run_citekit

LIBRARY = """@misc{a,
  doi = {10.5555/m.1},
  number = {TR-42},
}

@article{b,
  title = {Work B},
  doi = {10.5555/m.2},
  date = {2021/2022},
}

@article{c,
  author = {Okafor, Ada},
  title = {Work C},
  journal = {J},
  doi = {10.5555/m.3},
  month = {Spring},
}
"""
USER_FIELDS = {
    "a": ("number", "TR-42"),
    "b": ("date", "2021/2022"),
    "c": ("month", "Spring"),
}


def _serve(crossref: CrossrefServer) -> None:
    common = {"container": "J", "type": "journal-article"}
    crossref.add(
        "10.5555/m.1",
        "Work A",
        [("Ada", "Okafor")],
        issued=(2020, 3),
        issue="2",
        volume="5",
        **common,
    )
    crossref.add("10.5555/m.2", "Work B", [("Ada", "Okafor")], issued=(2021, 3, 4), **common)
    crossref.add("10.5555/m.3", "Work C", [("Ada", "Okafor")], issued=(2020, 5), **common)


def _field(text: str, key: str, name: str) -> list[str]:
    entry = text[text.index(f"{{{key},") :].split("\n}", 1)[0]
    return re.findall(rf"^\s*{name}\s*=\s*(.*?),?$", entry, re.MULTILINE)


def test_user_written_values_survive_resolve_and_differences_are_reported(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(LIBRARY, encoding="utf-8")
    with CrossrefServer() as crossref:
        _serve(crossref)
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(tmp_path, "resolve", "--json", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    for key, (name, value) in USER_FIELDS.items():
        assert _field(text, key, name) == [f"{{{value}}}"], (key, text)
    assert _field(text, "a", "title") == ["{Work A}"]  # the rest was filled
    assert _field(text, "c", "year") == []  # issued is the user's (month = Spring)
    report = {item["key"]: item for item in json.loads(done.stdout)["items"]}
    assert {"field": "issue", "library": "TR-42", "source": "2"} in report["a"]["differences"]
    assert {"field": "issued", "library": "2021/2022", "source": "2021-03-04"} in report["b"][
        "differences"
    ]
    assert {"field": "issued", "library": "Spring", "source": "2020-05"} in report["c"][
        "differences"
    ]
    load(tmp_path / "references.bib")
    again = run_citekit(
        tmp_path, "resolve", env=env | {"CITEKIT_CROSSREF_URL": "http://127.0.0.1:9"}
    )
    assert (tmp_path / "references.bib").read_text(encoding="utf-8") == text, again.stderr


def test_accept_upstream_takes_the_source_values(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(LIBRARY, encoding="utf-8")
    with CrossrefServer() as crossref:
        _serve(crossref)
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(tmp_path, "resolve", "--accept-upstream", env=env)
    assert done.returncode == 0, done.stderr
    records = {r.key: r for r in load(tmp_path / "references.bib").records}
    assert records["a"].issue == "2"
    assert records["b"].issued is not None and records["b"].issued.iso() == "2021-03-04"
