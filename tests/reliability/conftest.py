"""Fixtures of the reliability suite; the secrets check runs over the whole session.

Every run made through :mod:`tests.reliability.harness` carries a sentinel
``ZOTERO_API_KEY`` and a sentinel ``mailto``; the session fixture below fails the run if
either was ever printed or written (checked after every test, and once more at the end).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import WITNESS


@pytest.fixture(autouse=True)
def _secrets_never_leak() -> Iterator[None]:
    """After each test: nothing this test's citekit runs printed or wrote held a secret."""
    before = len(WITNESS.leaks)
    yield
    leaks = WITNESS.leaks[before:]
    assert not leaks, f"a secret leaked into: {leaks[:5]}"
