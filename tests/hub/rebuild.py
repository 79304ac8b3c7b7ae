"""Rebuild the repository's ``references.bib`` from ``tests/hub/stubs.bib``.

Runs the real CLI (``python -m citekit resolve``) in a temporary directory against the
loopback replay servers loaded with the hub's constructed facts, then copies the result
to ``references.bib`` at the top of the repository::

    python -m tests.hub.rebuild            # write references.bib
    python -m tests.hub.rebuild --check    # exit 1 if references.bib differs

``tests/test_hub.py`` runs the same function and compares bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from citekit.fileio import write_atomic
from tests.hub.replay import STUBS, register
from tests.servers.arxiv import ArxivServer
from tests.servers.crossref import CrossrefServer
from tests.servers.dblp import DblpServer
from tests.servers.openalex import OpenAlexServer

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "references.bib"


def run_cli(
    workdir: Path,
    args: list[str],
    arxiv_url: str,
    crossref_url: str,
    **urls: str,
) -> subprocess.CompletedProcess[str]:
    """``python -m citekit ARGS`` in ``workdir`` with endpoints and cache set for tests.

    ``urls`` may name ``dblp`` and ``openalex`` servers; without them DBLP and OpenAlex
    are not asked (``CITEKIT_PUBLISHED_SOURCES=crossref``).
    """
    env = dict(os.environ)
    sources = " ".join(["crossref", *(name for name in ("dblp", "openalex") if name in urls)])
    env |= {f"CITEKIT_{name.upper()}_URL": url for name, url in urls.items()}
    env |= {
        "CITEKIT_PUBLISHED_SOURCES": sources,
        "CITEKIT_DBLP_DELAY": "0",  # the loopback server; the 1 s spacing is unit-tested
        "CITEKIT_ARXIV_URL": arxiv_url,
        "CITEKIT_CROSSREF_URL": crossref_url,
        "CITEKIT_CACHE_DIR": str(workdir / ".citekit"),
        "CITEKIT_MAILTO": "citekit-tests@example.org",
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "citekit", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def shipped_stubs() -> str:
    """The stubs without their leading ``%`` note: it is for developers, not for readers.

    Anyone who imports the shipped ``references.bib`` would see the note, and it names
    paths outside the repository (issue #15, item 5).
    """
    lines = STUBS.read_text(encoding="utf-8").splitlines(keepends=True)
    while lines and (lines[0].startswith("%") or not lines[0].strip()):
        lines.pop(0)
    return "".join(lines)


def rebuild(workdir: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Resolve a copy of the stubs in ``workdir``; return the text and the CLI's result."""
    (workdir / "references.bib").write_text(shipped_stubs(), encoding="utf-8")
    with (
        ArxivServer() as arxiv,
        CrossrefServer() as crossref,
        DblpServer() as dblp,
        OpenAlexServer() as openalex,
    ):
        assert isinstance(arxiv, ArxivServer) and isinstance(crossref, CrossrefServer)
        assert isinstance(dblp, DblpServer) and isinstance(openalex, OpenAlexServer)
        register(arxiv, crossref, dblp, openalex)
        done = run_cli(
            workdir,
            ["resolve", "--json"],
            arxiv.url,
            crossref.url,
            dblp=dblp.url,
            openalex=openalex.url,
        )
    return (workdir / "references.bib").read_text(encoding="utf-8"), done


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        text, done = rebuild(Path(tmp))
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return done.returncode
    if "--check" in argv:
        same = TARGET.is_file() and TARGET.read_text(encoding="utf-8") == text
        print("references.bib is up to date" if same else "references.bib differs")
        return 0 if same else 1
    write_atomic(TARGET, text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
