"""pandoc's citeproc on ``citekit export csl``: APA in sentence case, Chicago in title case;
and BibTeX's ``plain.bst``, which sentence-cases titles itself, on ``export bibtex``.

Issue #15 item 4. CSL-JSON titles are stored in sentence case with nocase spans
(:mod:`citekit.writers.csl_case`); a sentence-case style (APA) prints them as stored and a
title-case style (Chicago author-date) title-cases them. This renders the hub's own
references.bib plus constructed entries (a Title Case arXiv title, a sentence-case one with
proper nouns, acronyms and ``3D``, braced words, a German and a British entry) through
the real CLI and pandoc, and checks each rendered title in both styles. On the code
before the fix every APA title came out in Title Case, ``3D`` became ``3d`` in Chicago,
the German title was title-cased and the British one was not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from citekit.format import style_path
from tests.conftest import require_binary

pytestmark = pytest.mark.consumer

ROOT = Path(__file__).resolve().parents[2]

CONSTRUCTED = r"""
@misc{arxivtitle, author = {Doe, Jane}, title = {Language Models are Few-Shot Learners},
  year = {2020}, eprint = {2005.14165}, archiveprefix = {arXiv}, primaryclass = {cs.CL}}
@misc{arxivsentence, author = {Doe, Jane},
  title = {Gaussian processes for machine learning in Python},
  year = {2021}, eprint = {2101.00001}, archiveprefix = {arXiv}}
@article{acronyms, author = {Doe, Jane}, journal = {Journal of Things}, year = {2022},
  title = {GPT-4 and InstructGPT on ImageNet: 3D Scenes from CLIP Embeddings}}
@article{braced, author = {Doe, Jane}, journal = {Journal of Things}, year = {2019},
  title = {Inference in {Bayesian} Networks Across the {United States} at the {nm} Scale}}
@article{german, author = {Doe, Jane}, journal = {Zeitschrift}, year = {2018},
  title = {{\"U}ber die Grenzen der Erkenntnis}, langid = {german}}
@article{british, author = {Doe, Jane}, journal = {Journal of Things}, year = {2017},
  title = {A Study of Colour in {Britain}}, langid = {british}}
"""

#: key → (APA title, Chicago title), as a reader of each style expects them printed.
EXPECTED = {
    "arxivtitle": (
        "Language models are few-shot learners",
        "Language Models Are Few-Shot Learners",
    ),
    "arxivsentence": (
        "Gaussian processes for machine learning in Python",
        "Gaussian Processes for Machine Learning in Python",
    ),
    "acronyms": (
        "GPT-4 and InstructGPT on ImageNet: 3D scenes from CLIP embeddings",
        "GPT-4 and InstructGPT on ImageNet: 3D Scenes from CLIP Embeddings",
    ),
    "braced": (
        "Inference in Bayesian networks across the United States at the nm scale",
        "Inference in Bayesian Networks Across the United States at the nm Scale",
    ),
    "german": ("Über die Grenzen der Erkenntnis", "Über die Grenzen der Erkenntnis"),
    "british": ("A study of colour in Britain", "A Study of Colour in Britain"),
    # the hub: arXiv's Title Case and sentence-case titles alike
    "brown2020language": (
        "Language models are few-shot learners",
        "Language Models Are Few-Shot Learners",
    ),
    "ouyang2022training": (
        "Training language models to follow instructions with human feedback",
        "Training Language Models to Follow Instructions with Human Feedback",
    ),
    "openai2022chatgpt": (
        "ChatGPT: Optimizing language models for dialogue",
        "ChatGPT: Optimizing Language Models for Dialogue",
    ),
    "lambert2022illustrating": (
        "Illustrating reinforcement learning from human feedback (RLHF)",
        "Illustrating Reinforcement Learning from Human Feedback (RLHF)",
    ),
    "knox2009interactively": (
        "Interactively shaping agents via human reinforcement: The TAMER framework",
        "Interactively Shaping Agents via Human Reinforcement: The TAMER Framework",
    ),
    "wei2022chain": (
        "Chain-of-thought prompting elicits reasoning in large language models",
        "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
    ),
    "radford2018improving": (
        "Improving language understanding by generative pre-training",
        "Improving Language Understanding by Generative Pre-Training",
    ),
    "chung2024scaling": (
        "Scaling instruction-finetuned language models",
        "Scaling Instruction-Finetuned Language Models",
    ),
}


@pytest.fixture(scope="module")
def csl_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``citekit export csl`` of the hub's references.bib and the constructed entries."""
    work = tmp_path_factory.mktemp("case")
    bib = work / "refs.bib"
    bib.write_text((ROOT / "references.bib").read_text(encoding="utf-8") + CONSTRUCTED, "utf-8")
    out = work / "refs.json"
    done = subprocess.run(
        [sys.executable, "-m", "citekit", "--bib", str(bib), "export", "csl", "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=work,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def bibliographies(csl_json: Path) -> dict[str, str]:
    """pandoc's whole bibliography in each style, as plain text without line wrapping."""
    pandoc = require_binary("pandoc")
    out = {}
    plain = ["--bibliography", str(csl_json), "-t", "plain"]
    for style in ("apa", "chicago-author-date"):
        done = subprocess.run(
            [pandoc, "--citeproc", "--csl", str(style_path(style)), "--wrap=none", *plain],
            input='---\nnocite: "@*"\n---\n',
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        out[style] = done.stdout
    return out


@pytest.mark.parametrize("key", sorted(EXPECTED))
@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_titles_print_in_the_case_the_style_wants(
    bibliographies: dict[str, str], style: str, key: str
) -> None:
    apa, chicago = EXPECTED[key]
    text = bibliographies[style]
    assert (apa if style == "apa" else chicago) in text, text


def test_plain_bst_keeps_lone_capitals_and_implied_words(tmp_path: Path) -> None:
    """``change.case$`` lower-cases all but braced text: the writer braces what must stay.

    Before: "Part i of a study of vitamin c"; acronyms were already braced.
    """
    bibtex = require_binary("bibtex")
    (tmp_path / "in.bib").write_text(
        "@article{lone, author = {Doe, Jane}, journal = {J}, year = {2020},\n"
        "  title = {Part I of A Study of 3D Printing With GPT-4 and Vitamin C}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "citekit", "--bib", "in.bib", "export", "bibtex", "-o", "refs.bib"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / "refs.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    subprocess.run([bibtex, "-terse", "refs"], cwd=tmp_path, capture_output=True, check=True)
    bbl = " ".join((tmp_path / "refs.bbl").read_text(encoding="utf-8").split())
    printed = re.sub(r"[{}]", "", bbl)
    assert "Part I of a study of 3D printing with GPT-4 and vitamin C." in printed, bbl
