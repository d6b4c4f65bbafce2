"""How much of what is in scope was read well enough to say "none waiting": a pipeline's read
marks and the coverage the store reports (``Store.coverage``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReadMark:
    """How the last reads of one pipeline went: when each polled call last succeeded, and why
    the last one failed (None: it succeeded)."""

    latest_at: datetime | None = None  # ListPipelineExecutions
    state_at: datetime | None = None  # GetPipelineState
    error: str | None = None


NOT_READ_YET = "not read yet"
# A pipeline's reads older than this are not "recent": what it shows may have changed since.
COVERAGE_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Coverage:
    """Which of the pipelines in scope were read successfully and recently enough to say what
    waits in them: ``unread`` maps a reason to how many pipelines it leaves unknown; ``unlisted``
    names the targets whose pipeline list could not be read (so how many pipelines they hold is
    unknown too). Complete: "none waiting" is a fact; otherwise it is a guess and must say so."""

    pipelines: int = 0
    unread: Mapping[str, int] = field(default_factory=dict)
    unlisted: tuple[tuple[str, str], ...] = ()  # (target label, reason)

    @property
    def complete(self) -> bool:
        return not self.unread and not self.unlisted

    @property
    def failing(self) -> bool:
        """Something could not be read (not merely: not read yet, as at start-up)."""
        return any(why != NOT_READ_YET for why in self.unread) or any(
            why != NOT_READ_YET for _, why in self.unlisted
        )

    @property
    def missing(self) -> int:
        """Pipelines (of those listed) not known."""
        return sum(self.unread.values())

    def describe(self, *, short: bool = False) -> str:
        """``3 of 12 pipelines not read: access denied (GetPipelineState)``; "" when complete.
        ``short``: ``3 not read: …`` (for the summary line)."""
        parts: list[str] = []
        if self.unread:
            reasons = sorted(self.unread.items(), key=lambda item: (-item[1], item[0]))
            if len(reasons) == 1:
                why = reasons[0][0]
            else:
                why = ", ".join(f"{count} {reason}" for reason, count in reasons)
            noun = "pipeline" if self.pipelines == 1 else "pipelines"
            counted = f"{self.missing}" if short else f"{self.missing} of {self.pipelines} {noun}"
            parts.append(f"{counted} not read yet" if why == NOT_READ_YET else f"{counted} not read: {why}")
        if self.unlisted:
            if len(self.unlisted) == 1:
                label, why = self.unlisted[0]
                parts.append(
                    f"pipeline list of {label} not read" + (" yet" if why == NOT_READ_YET else f": {why}")
                )
            else:
                labels = ", ".join(label for label, _ in self.unlisted)
                why = self.unlisted[0][1]
                parts.append(f"pipeline lists of {len(self.unlisted)} targets not read ({labels}): {why}")
        return "; ".join(parts)


def short_reason(reason: str) -> str:
    """A target's stale reason as a coverage reason: without "stale —" and ", retrying"."""
    text = reason.removeprefix("stale — ").removeprefix("stale - ")
    return text.replace(", retrying", "").strip() or reason
