"""The outcome of one ``citekit sync zotero``: what was (or would be) done, and what to look at.

Plain data, rendered as text lines for people and as JSON for ``--json``. It never holds
credentials. ``ok`` is False when anything failed, conflicted or was skipped: the CLI then
exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .merge import Change
from .plan import Match, Skip, SyncPlan

__all__ = ["Failed", "SyncReport"]


@dataclass(frozen=True)
class Failed:
    """One object (or the whole library) Zotero did not accept."""

    target: str  # "entry <citekey>", "collection <path>", "library"
    code: int  # HTTP status, per object or of the request; 0 when there was no answer
    message: str


@dataclass
class SyncReport:
    """Everything one sync did or, with ``dry_run``, would do."""

    library: str
    dry_run: bool = False
    library_version: int = 0
    collections_created: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    trashed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    matched: list[Match] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rounds: int = 0
    reads: int = 0
    writes: int = 0

    @property
    def ok(self) -> bool:
        """Converged: nothing failed, conflicted or was skipped."""
        return not (self.failed or self.conflicts or self.skipped)

    def take_plan(self, plan: SyncPlan) -> None:
        """Record the findings of a round's plan (the last round's replace earlier ones)."""
        self.library_version = plan.base_version
        self.conflicts = list(plan.conflicts)
        self.kept = list(plan.kept)
        self.skipped = list(plan.skips)
        self.left = list(plan.left)
        self.unchanged = list(plan.unchanged)
        self.warnings = list(plan.collections.warnings)
        for target, code, message in plan.refused:
            if Failed(target, code, message) not in self.failed:
                self.failed.append(Failed(target, code, message))
        seen = {m.citekey for m in self.matched}
        self.matched += [
            m for m in plan.matches if m.by not in {"state", "pending"} and m.citekey not in seen
        ]
        # A create whose answer was lost (this run or an interrupted one) and is now adopted.
        self.created += [
            m.citekey for m in plan.matches if m.by == "pending" and m.citekey not in self.created
        ]
        if self.dry_run:
            self.collections_created = [c.path for c in plan.collections.creates]
            self.created = [c.citekey for c in plan.creates]
            self.updated = {u.citekey: dict(u.diff) for u in plan.updates}
            self.trashed = [t.citekey for t in plan.trashes]

    def summary(self) -> str:
        """One line: counts of everything."""
        made = (
            f"{_count(len(self.collections_created), 'collection')} and "
            f"{_count(len(self.created), 'item')}"
        )
        parts = [
            f"would create {made}" if self.dry_run else f"created {made}",
            f"{len(self.updated)} {'to update' if self.dry_run else 'updated'}",
            f"{len(self.unchanged)} unchanged",
        ]
        for count, label in (
            (len(self.trashed), "to move to the trash" if self.dry_run else "moved to the trash"),
            (len(self.kept), "Zotero edits kept"),
            (len(self.conflicts), "conflict" if len(self.conflicts) == 1 else "conflicts"),
            (len(self.skipped), "skipped"),
            (len(self.failed), "failed"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return f"zotero {self.library}: " + ", ".join(parts)

    def lines(self) -> list[str]:
        """The report for people, one line per finding, then the summary."""
        out = [f"+ collection {p}" for p in self.collections_created]
        out += [f"+ item {c}" for c in self.created]
        for citekey, diff in self.updated.items():
            out.append(f"~ item {citekey}: {', '.join(sorted(diff))}")
        trash = "would move to the Zotero trash" if self.dry_run else "moved to the Zotero trash"
        out += [f"- item {c} ({trash})" for c in self.trashed]
        out += [f"= {m.citekey}: matched Zotero item {m.key} by {m.by}" for m in self.matched]
        for c in self.kept:
            out.append(
                f"= {c.citekey} {c.field}: edited in Zotero, kept there "
                f"(Zotero: {_short(c.zotero)}; .bib: {_short(c.bib)})"
            )
        for c in self.conflicts:
            out.append(
                f"! {c.citekey} {c.field}: changed in Zotero and in the .bib; both kept "
                f"(Zotero: {_short(c.zotero)}; .bib: {_short(c.bib)}); make them agree"
            )
        out += [f"? {s.citekey}: {s.reason}" for s in self.skipped]
        for citekey, key in self.left:
            out.append(
                f"  {citekey}: no longer in the .bib; Zotero item {key} kept "
                "(--prune moves items citekit created to the trash)"
            )
        out += [f"! {f.target}: HTTP {f.code}: {f.message}" for f in self.failed]
        out += [f"warning: {w}" for w in self.warnings]
        out.append(self.summary())
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` report."""
        return {
            "library": self.library,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "library_version": self.library_version,
            "collections_created": self.collections_created,
            "created": self.created,
            "updated": {k: {f: list(v) for f, v in d.items()} for k, d in self.updated.items()},
            "trashed": self.trashed,
            "unchanged": self.unchanged,
            "matched": [vars(m) for m in self.matched],
            "kept": [vars(c) for c in self.kept],
            "conflicts": [vars(c) for c in self.conflicts],
            "skipped": [vars(s) for s in self.skipped],
            "left": [{"citekey": c, "key": k} for c, k in self.left],
            "failed": [vars(f) for f in self.failed],
            "warnings": self.warnings,
            "requests": {"reads": self.reads, "writes": self.writes, "rounds": self.rounds},
        }


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _count(count: int, noun: str) -> str:
    """``1 item``, ``0 items``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
