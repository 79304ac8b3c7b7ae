"""Issue #12 item 12: renaming a provisional key leaves nothing dangling.

After ``resolve`` renames ``arXiv:2201.00003`` to its generated key, another entry's
``crossref``/``xdata``/``related`` that named the old key name the new one; ``check``
reports any ``crossref``/``xdata``/``related`` naming a key the library does not have.
Through the CLI, against the loopback servers (a CONSTRUCTED paper).
"""

from __future__ import annotations

import json
from pathlib import Path

from citekit.library import load
from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer

from .harness import citekit_env, no_traceback, run_citekit

LIBRARY = """@misc{arXiv:2201.00003,
  eprint = {2201.00003},
  archiveprefix = {arXiv},
}

@inproceedings{child,
  author = {Okafor, Ada},
  title = {A Constructed Child Entry},
  booktitle = {Proceedings of Constructed Things},
  year = {2021},
  crossref = {arXiv:2201.00003},
  xdata = {shared, arXiv:2201.00003},
  related = {arXiv:2201.00003},
}

@xdata{shared,
  title = {Shared Data},
  publisher = {Constructed Press},
}
"""


def test_references_to_a_renamed_key_follow_it(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(LIBRARY, encoding="utf-8")
    with ArxivServer() as arxiv, CrossrefServer() as crossref:
        arxiv.add("2201.00003", "Renamed Keys Leave Nothing Dangling", ["Ada Okafor"])
        env = citekit_env(tmp_path, CITEKIT_ARXIV_URL=arxiv.url, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(tmp_path, "resolve", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    records = {r.key: r for r in load(tmp_path / "references.bib").records}
    assert "arXiv:2201.00003" not in records
    (new,) = [k for k in records if k.startswith("okafor2020")]
    child = records["child"]
    assert child.extra_get("crossref") == new
    assert child.extra_get("xdata") == f"shared, {new}"
    assert child.extra_get("related") == new
    check = run_citekit(tmp_path, "check", "--json", env=env)
    kinds = [p["kind"] for p in json.loads(check.stdout)["problems"]]
    assert "dangling-reference" not in kinds, check.stdout


def test_check_reports_dangling_references(tmp_path: Path) -> None:
    text = LIBRARY.replace("@misc{arXiv:2201.00003,", "@misc{gone,")
    (tmp_path / "references.bib").write_text(text, encoding="utf-8")
    done = run_citekit(tmp_path, "check")
    assert no_traceback(done.stderr)
    assert done.returncode == 1
    dangling = [line for line in done.stdout.splitlines() if "dangling-reference" in line]
    assert len(dangling) == 3, done.stdout
    assert all("child" in line and "arXiv:2201.00003" in line for line in dangling)
    assert all(":6:" in line for line in dangling)  # the line of the entry


XDATA_ONLY = """@xdata{springer,
  publisher = {Springer},
  location = {Berlin},
}

@book{doe2020book,
  author = {Doe, Jane},
  title = {A Constructed Book},
  year = {2020},
  xdata = {springer},
}
"""


def test_an_xdata_container_needs_no_title(tmp_path: Path) -> None:
    """An ``@xdata`` entry holds fields for others and is never cited: ``check`` called
    its missing title a problem and ``resolve --offline`` ended it ``invalid``, exit 1."""
    (tmp_path / "references.bib").write_text(XDATA_ONLY, encoding="utf-8")
    checked = run_citekit(tmp_path, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no problems" in checked.stdout + checked.stderr
    resolved = run_citekit(tmp_path, "resolve", "--offline", "--json")
    assert resolved.returncode == 0, resolved.stderr
    states = {o["key"]: o["state"] for o in json.loads(resolved.stdout)["items"]}
    assert states == {"springer": "unchanged", "doe2020book": "unchanged"}
    assert no_traceback(resolved.stderr)
    assert (tmp_path / "references.bib").read_text(encoding="utf-8") == XDATA_ONLY
