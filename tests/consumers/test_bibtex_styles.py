"""`export bibtex` as the classic styles print it (issue #15 items 2 and 3), checked with
the real ``bibtex`` and ``plain.bst``.

Before: a blog post carried both ``url`` and ``howpublished = {\\url{…}}`` (plainnat and
IEEEtran print both), and ``schulman2017proximal`` rendered as just "Proximal policy
optimization algorithms, July 2017." with no trace of its arXiv id.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from citekit.library import load
from citekit.writers.bibtex import format_bibtex_for_styles

from ..conftest import require_binary
from .test_format_pandoc import pandoc_bibliography

ROOT = Path(__file__).resolve().parents[2]
# Fields that plainnat.bst and IEEEtran.bst both print for a @misc.
PRINTED = ("url", "howpublished")


def _entries(text: str) -> dict[str, str]:
    return {m[1]: m[0] for m in re.finditer(r"@\w+\{([^,]+),.*?\n\}\n", text, re.S)}


def _bbl(tmp_path: Path, text: str, style: str) -> str:
    (tmp_path / "refs.bib").write_text(text, encoding="ascii")
    aux = f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n"
    (tmp_path / "refs.aux").write_text(aux, encoding="ascii")
    run = subprocess.run(
        [require_binary("bibtex"), "refs"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "error message" not in run.stdout, run.stdout
    return " ".join((tmp_path / "refs.bbl").read_text(encoding="ascii").split())


def test_a_preprint_carries_its_arxiv_id_where_plain_prints_it(tmp_path: Path) -> None:
    text = format_bibtex_for_styles(load(ROOT / "references.bib").records)
    entry = _entries(text)["schulman2017proximal"]
    assert "howpublished  = {arXiv preprint arXiv:1707.06347}," in entry
    for kept in ("eprint        = {1707.06347}", "archiveprefix = {arXiv}", "primaryclass"):
        assert kept in entry  # natbib and biblatex users keep theirs
    bbl = _bbl(tmp_path, text, "plain")
    item = bbl[bbl.index("\\bibitem{schulman2017proximal}") :].split("\\bibitem")[1]
    assert "arXiv preprint arXiv:1707.06347" in item


def test_a_blog_post_prints_its_url_once(tmp_path: Path) -> None:
    text = format_bibtex_for_styles(load(ROOT / "references.bib").records)
    for key in ("openai2022chatgpt", "lambert2022illustrating"):
        entry = _entries(text)[key]
        carrying = [f for f in PRINTED if re.search(rf"^\s+{f}\s+= .*https?://", entry, re.M)]
        assert carrying == ["howpublished"], entry
    bbl = _bbl(tmp_path, text, "plain")
    assert bbl.count("https://openai.com/blog/chatgpt/") == 1
    assert bbl.count("https://huggingface.co/blog/rlhf") == 1


BLOGS = ("https://openai.com/blog/chatgpt/", "https://huggingface.co/blog/rlhf")


@pytest.mark.parametrize("style", ["plainnat", "plain"])
def test_the_library_prints_a_blog_post_address_at_most_once_in_bibtex(
    tmp_path: Path, style: str
) -> None:
    """references.bib itself carried ``url`` and ``howpublished = {\\url{…}}``: plainnat
    printed each blog post's address twice (#15 item 2). plain prints no ``url`` at all,
    which is what ``export bibtex`` is for (tested above)."""
    bbl = _bbl(tmp_path, (ROOT / "references.bib").read_text(encoding="utf-8"), style)
    for url in BLOGS:
        assert bbl.count(url) == (1 if style == "plainnat" else 0), bbl


@pytest.mark.parametrize("reader", ["bibtex", "biblatex"])
def test_pandoc_prints_a_blog_post_address_once_from_the_library(
    tmp_path: Path, reader: str
) -> None:
    """pandoc read ``howpublished = {\\url{…}}`` as a publisher: "https://…; OpenAI"
    beside the URL (#15 item 2)."""
    source = tmp_path / f"references.{reader}"
    source.write_text((ROOT / "references.bib").read_text(encoding="utf-8"), encoding="utf-8")
    out = pandoc_bibliography(require_binary("pandoc"), "apa", source)
    for url in BLOGS:
        assert out.count(url) == 1, out
