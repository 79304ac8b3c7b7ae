"""The result of a resolution run: one :class:`Outcome` per input, in a :class:`Resolution`.

Every input ends in exactly one state (DESIGN §3.4): ``resolved``, ``upgraded``,
``unchanged`` (done) or ``ambiguous``, ``not-found``, ``invalid``, ``error`` (failed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model import Record
from .merge import Change

__all__ = ["FAILED_STATES", "STATES", "Outcome", "Resolution", "State"]

State = Literal["resolved", "upgraded", "unchanged", "ambiguous", "not-found", "invalid", "error"]
STATES: tuple[State, ...] = (
    "resolved",
    "upgraded",
    "unchanged",
    "ambiguous",
    "not-found",
    "invalid",
    "error",
)
FAILED_STATES = frozenset({"ambiguous", "not-found", "invalid", "error"})


@dataclass(frozen=True)
class Outcome:
    """How one input ended: its state, the record to keep, and what to tell the user."""

    input: str
    state: State
    key: str = ""
    message: str = ""
    record: Record | None = None
    changes: tuple[Change, ...] = ()
    differences: tuple[Change, ...] = ()
    candidates: tuple[dict[str, object], ...] = ()
    owned: Mapping[str, Any] | None = None  # provenance to store for ``key``
    renamed_from: str = ""  # the provisional key ``key`` replaced (keys.rename_provisional)
    source: str = ""  # for ``upgraded``: the source that found the published version

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        out: dict[str, object] = {"input": self.input, "key": self.key, "state": self.state}
        if self.source:
            out["source"] = self.source
        if self.renamed_from:
            out["renamed_from"] = self.renamed_from
        if self.message:
            out["message"] = self.message
        out["changes"] = [c.as_dict() for c in self.changes]
        out["differences"] = [c.as_dict() for c in self.differences]
        if self.candidates:
            out["candidates"] = list(self.candidates)
        return out

    def line(self) -> str:
        """One line for stderr: ``key: state: message``."""
        who = self.key or self.input
        if self.renamed_from:
            who += f" (was {self.renamed_from})"
        state = f"{self.state} via {self.source}" if self.source else self.state
        return f"{who}: {state}" + (f": {self.message}" if self.message else "")


@dataclass(frozen=True)
class Resolution:
    """The library after resolution (``records``) and one :class:`Outcome` per input."""

    records: tuple[Record, ...]
    report: tuple[Outcome, ...]
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)  # provisional key → new key

    @property
    def ok(self) -> bool:
        """True when no input ended ambiguous, not-found, invalid or error."""
        return not any(o.failed for o in self.report)

    def counts(self) -> dict[str, int]:
        """How many inputs ended in each state (every state listed)."""
        return {s: sum(1 for o in self.report if o.state == s) for s in STATES}

    def summary(self) -> str:
        """``5 resolved, 4 upgraded (dblp 3, crossref 1), 6 unchanged (15 entries)``."""
        # States read as adjectives ("3 unchanged"), except the noun "error": "3 errors".
        parts = [
            f"{n} {s}{'s' if s == 'error' and n > 1 else ''}" + self._sources(s)
            for s, n in self.counts().items()
            if n
        ]
        noun = "entry" if len(self.report) == 1 else "entries"
        out = f"{', '.join(parts) or 'nothing to do'} ({len(self.report)} {noun})"
        if self.renamed:
            keys = "key" if len(self.renamed) == 1 else "keys"
            pairs = ", ".join(f"{old} → {new}" for old, new in self.renamed.items())
            out += f"; {len(self.renamed)} provisional {keys} renamed: {pairs}"
        return out

    def upgraded_by(self) -> dict[str, int]:
        """How many upgrades each source made."""
        found = [o.source for o in self.report if o.state == "upgraded" and o.source]
        return {s: found.count(s) for s in sorted(set(found))}

    def _sources(self, state: str) -> str:
        by = self.upgraded_by() if state == "upgraded" else {}
        return " (" + ", ".join(f"{s} {n}" for s, n in by.items()) + ")" if by else ""

    def as_dict(self) -> dict[str, object]:
        """The ``--json`` report."""
        out: dict[str, object] = {"summary": self.counts(), "upgraded_by": self.upgraded_by()}
        out["items"] = [o.as_dict() for o in self.report]
        out["renamed"] = dict(self.renamed)
        return out
