"""Rules the test suite keeps so that it runs anywhere and a deliberate bug cannot hide
(issue #15 items 10 and 11)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def _test_sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py") if p != Path(__file__)}


def test_sockets_to_anything_but_loopback_fail() -> None:
    from pytest_socket import SocketConnectBlockedError

    with pytest.warns(UserWarning, match="192.0.2.1"), pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routed


def test_loopback_stays_open() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_no_test_skips_itself_when_a_citekit_module_is_missing() -> None:
    """A broken import of citekit's own module must fail, not skip."""
    offenders = [
        p.name
        for p, text in _test_sources().items()
        if re.search(r"importorskip\(\s*['\"]citekit", text)
    ]
    assert offenders == []


def test_only_conftest_knows_where_the_outside_world_is() -> None:
    """Tests read data from tests/data (conftest.require_shared maps the old names)."""
    pattern = re.compile(r"""parents?\[?[23]\]?\s*/\s*["']shared|["']\.\./shared/""")
    offenders = [
        p.relative_to(TESTS).as_posix()
        for p, text in _test_sources().items()
        if p.name != "conftest.py" and pattern.search(text)
    ]
    assert offenders == []
