"""Rules the test suite keeps so that it runs anywhere and a deliberate bug cannot hide
(issue #15 items 10 and 11)."""

from __future__ import annotations

import ast
import re
import socket
from pathlib import Path

import pytest

from tests import conftest

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


def test_no_test_names_a_path_outside_the_repository() -> None:
    """Tests read data from tests/data; only the real hub's check (a script .ci/run runs,
    not a test) looks beside the clone."""
    pattern = re.compile(
        r"""parents?\[?[23]\]?\s*/\s*["']shared|\.parent\s*/\s*["']shared|["']\.\./shared/"""
    )
    offenders = [
        p.relative_to(TESTS).as_posix()
        for p, text in _test_sources().items()
        if p != TESTS / "hub" / "check_seed_import.py" and pattern.search(text)
    ]
    assert offenders == []


def test_a_file_beside_the_clone_cannot_be_opened() -> None:
    """An audit hook (conftest) refuses it, and fails the test even if the error is caught."""
    beside = conftest.REPOSITORY.parent / "shared" / "seed-papers.json"
    with pytest.raises(conftest.OutsideRepositoryRead, match="outside the repository"):
        beside.read_text(encoding="utf-8")
    assert [str(beside)] == conftest.OUTSIDE_READS
    conftest.OUTSIDE_READS.clear()  # this test meant it; any other test fails on teardown
    sibling = conftest.REPOSITORY.parent / "another-checkout" / "tests" / "data" / "x.json"
    with pytest.raises(conftest.OutsideRepositoryRead):
        open(sibling, "rb")  # noqa: SIM115 - the open itself is refused
    conftest.OUTSIDE_READS.clear()


def test_the_repository_and_python_stay_readable() -> None:
    assert (TESTS / "data" / "hub" / "seed-papers.json").read_bytes()
    assert Path(pytest.__file__).read_bytes()  # site-packages, wherever it lives
    assert conftest.OUTSIDE_READS == []


def test_a_file_with_no_vendored_copy_is_an_error_not_a_skip() -> None:
    with pytest.raises(LookupError, match="no vendored copy"):
        conftest.require_shared("seed/000_11720b4ed0497c14.txt")
    assert conftest.require_shared("seed-papers.json").is_relative_to(conftest.DATA)


def test_every_skip_fails_under_ci() -> None:
    """A skip is only for a developer's machine (a missing tool, no mount rights, no
    clipboard): the function that skips must fail instead when ``CI`` is set."""
    offenders = []
    for path, text in {**_test_sources(), TESTS / "conftest.py": _conftest()}.items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef):
                continue
            body = ast.get_source_segment(text, node) or ""
            if re.search(r"pytest\.skip\(|importorskip\(|mark\.skip", body) and (
                'environ.get("CI")' not in body or "pytest.fail(" not in body
            ):
                offenders.append(f"{path.relative_to(TESTS).as_posix()}::{node.name}")
    assert offenders == []


def _conftest() -> str:
    return (TESTS / "conftest.py").read_text(encoding="utf-8")
