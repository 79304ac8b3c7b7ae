"""#12 item 7, the property: any JSON value at any path of a Zotero item page leads to
exit 0 or 1 with one line, never an internal error (and never a write it cannot justify).

Each example serves a real page of the loopback Web API with one value (anywhere: the
page, an envelope, ``data``, a field, a creator, a tag) replaced by an arbitrary JSON
value, runs ``citekit sync zotero`` in-process (click's runner, for speed) on a fresh
project, and checks the outcome.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.zotero import ZoteroServer, serve

from .harness import SECRET_KEY, invoke, no_traceback
from .papers import complete

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in os.environ for the block (click's runner starts from os.environ)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def replaced(page: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(page)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def a_page() -> list[dict[str, Any]]:
    server = ZoteroServer(SECRET_KEY)
    server.add_item(
        itemType="journalArticle",
        title="Someone Else's Article",
        creators=[{"creatorType": "author", "firstName": "Ann", "lastName": "Other"}],
        tags=[{"tag": "kept"}],
        extra="Citation Key: other2020article",
    )
    server.add_item(itemType="book", title="A Book", DOI="10.1234/abc")
    return [server._envelope("items", d, "http://127.0.0.1") for d in server.items.values()]


PAGE = a_page()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), value=JSON)
def test_any_value_anywhere_in_an_item_page_is_exit_0_or_1(data: st.DataObject, value: Any) -> None:
    path = data.draw(st.sampled_from(paths(PAGE)))
    page = replaced(PAGE, path, value)
    with tempfile.TemporaryDirectory() as tmp, serve(ZoteroServer(SECRET_KEY)) as server:
        project = Path(tmp)
        (project / "references.bib").write_text(complete(2), encoding="utf-8")
        server.inject("status", "GET", "/items", status=200, body=page)
        env = {
            "CITEKIT_ZOTERO_URL": server.url,
            "ZOTERO_LIBRARY_ID": "4242",
            "NO_PROXY": "127.0.0.1,localhost",
            "CITEKIT_CREDENTIALS": str(project / "none.toml"),
        }
        with environment(env):
            result = invoke(project, "sync", "zotero")
        output = result.stdout + result.stderr
        assert server.faults[0].seen >= 1, output  # the altered page was served (first GET)
        assert result.exit_code in (0, 1), (path, json.dumps(value)[:80], output[-500:])
        assert no_traceback(output), output[-500:]
        if result.exit_code == 1 and not server.writes():
            errors = [ln for ln in output.splitlines() if ln.startswith("citekit: ")]
            assert len(errors) == 1, output
