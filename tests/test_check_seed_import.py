"""``python -m tests.hub.check_seed_import``, the real hub's check that ``.ci/run`` runs.

The real hub is not in the repository, so its checks are run here on the repository's
stand-in (``tests/data/markdown/hub-like.md``, whose section 8 has the hub's papers):
each must pass on it and fail when a paper goes missing or an extra one comes in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hub import check_seed_import as check

HUB_LIKE = Path(__file__).resolve().parent / "data" / "markdown" / "hub-like.md"
PAPERS = "LLM Reading Map/论文与网页资源"


def seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(check.SEED.read_text(encoding="utf-8"))
    return data


def test_the_papers_section_of_the_stand_in_is_the_seed() -> None:
    assert check.papers_problems(HUB_LIKE.read_text(encoding="utf-8"), seed(), PAPERS) == []


def test_a_missing_or_an_extra_paper_is_reported() -> None:
    text = HUB_LIKE.read_text(encoding="utf-8")
    missing = text.replace("https://arxiv.org/abs/1707.06347", "https://example.org/ppo")
    assert check.papers_problems(missing, seed(), PAPERS) == [
        "ppo: not in the papers section",
        "https://example.org/ppo: in the papers section, not a seed paper",
    ]
    retitled = text.replace("Scaling Instruction-Finetuned", "Scaling Finetuned")
    assert check.papers_problems(retitled, seed(), PAPERS) == []  # arXiv ids decide
    blog = text.replace(
        "ChatGPT: Optimizing Language Models", "ChatGPT: Optimising Language Models"
    )
    assert check.papers_problems(blog, seed(), PAPERS) == [
        "chatgpt_blog: not in the papers section",
        "https://openai.com/blog/chatgpt/: in the papers section, not a seed paper",
    ]


def test_section_8_of_the_stand_in_merges_into_references_bib() -> None:
    assert check.merge_problems(HUB_LIKE) == []


def test_the_stand_in_is_not_counted_as_the_hub() -> None:
    problems = check.table_problems(HUB_LIKE.read_text(encoding="utf-8"))
    assert f"{check.HUB_PAPERS}: None where a reader counts {{'added': 11, 'skipped': 1}}" in (
        problems
    )


@pytest.mark.parametrize(("ci", "code"), [("true", 1), ("", 0)])
def test_a_missing_hub_fails_only_under_ci(
    ci: str, code: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.setenv("CI", ci)
    assert check.main(["--hub", str(tmp_path / "missing.txt")]) == code
    assert ("FAILED" in capsys.readouterr().out) == bool(code)
