"""The public surface: every name in ``citekit.__all__`` exists, is documented, and no
public signature mentions a third-party type (DESIGN §3.6)."""

from __future__ import annotations

import inspect
import subprocess
import sys

import citekit

THIRD_PARTY = ("bibtexparser", "arxiv", "habanero", "pyzotero", "httpx", "requests", "click")


def test_every_public_name_exists_and_is_documented() -> None:
    for name in citekit.__all__:
        obj = getattr(citekit, name)
        if name != "__version__":
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_no_third_party_type_in_a_public_signature() -> None:
    for name in citekit.__all__:
        obj = getattr(citekit, name)
        targets = [obj]
        if inspect.isclass(obj):
            targets += [m for _, m in inspect.getmembers(obj, inspect.isfunction)]
        for target in targets:
            if not callable(target):
                continue
            try:
                signature = inspect.signature(target)
            except (TypeError, ValueError):
                continue
            annotations = [str(p.annotation) for p in signature.parameters.values()]
            annotations.append(str(signature.return_annotation))
            for text in annotations:
                assert not any(f"{lib}." in text for lib in THIRD_PARTY), f"{name}: {text}"


def test_importing_citekit_loads_no_network_or_source_library() -> None:
    code = "import sys, citekit; print(sorted(m for m in sys.modules if m.split('.')[0] in %r))"
    done = subprocess.run(
        [sys.executable, "-c", code % (THIRD_PARTY,)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_load_and_save_round_trip_through_the_public_api(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "refs.bib"
    path.write_text("@misc{a, title = {The {Bayesian} Way}, year = {2020}}\n", encoding="utf-8")
    library = citekit.load(path)
    assert [r.key for r in library.records] == ["a"]
    assert citekit.save(library, path) is False  # nothing changed, nothing written
