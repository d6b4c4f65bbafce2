"""What one row of the pipelines list shows, and the ``/`` filter over rows.

Cells are Rich ``Text`` built from sanitized strings; the filter understands plain words (matched
against name, stage, trigger and target) and ``column:value`` terms: ``status:failed``,
``status:held``, ``stage:deploy``, ``type:v2``, ``name:pay``, ``where:eu-west``, ``trigger:fix``.
Terms combine with AND.

A term the filter does not know (``foo:bar``, ``status:bogus``) is not silently an empty list:
``filter_notice`` names it and what is valid, in one line under the filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from tui.core.fmt import STATUS_COLORS, ago, duration
from tui.core.model import ExecutionSummary, Status
from tui.core.revisions import revision_message
from tui.core.sanitize import clean
from tui.core.store import PipelineRow

APPROVAL_GLYPH = "⏸"
FAVOURITE_GLYPH = "★"
# Words ``status:`` accepts besides the statuses themselves.
_STATUS_ALIASES = {
    "running": ("inprogress", "running", "stopping"),
    "approval": ("approval",),
    "waiting": ("approval",),
    "loading": ("loading",),
    "never": ("idle", "never"),
    "held": ("held",),
}
FIELDS = ("status", "stage", "type", "name", "where", "trigger")
_FIELD_ALIASES = {"target": "where", "profile": "where", "region": "where", "mode": "type"}


def trigger_text(latest: ExecutionSummary | None) -> str:
    """Short commit and the first line of its message, else what triggered the execution."""
    if latest is None:
        return ""
    for revision in latest.source_revisions:
        message = revision_message(revision.revision_summary)
        short = clean(revision.short_id)
        if short or message:
            return f"{short} {message}".strip()
    if latest.trigger is not None:
        detail = clean(latest.trigger.detail).rsplit("/", 1)[-1]
        return f"{clean(latest.trigger.trigger_type.value)} {detail}".strip()
    return ""


def cached_age(row: PipelineRow, now: datetime) -> str:
    """``cached 3m`` for a row painted from the warm-start cache; "" for a row read live."""
    if row.cached_at is None:
        return ""
    return f"cached {duration(max(0.0, (now - row.cached_at).total_seconds()), coarse=True)}"


def status_cell(row: PipelineRow, now: datetime | None = None) -> Text:
    """Glyph + word, coloured, from the row's ``Standing`` (the derivation the pipeline screen and
    the inbox use too): a waiting approval shows as ``⏸ Approval``, an execution held before a
    disabled transition as ``⊘ Held`` (the stage column says where), not just as 'Running'.

    A row from the warm-start cache keeps its glyph and says how old it is instead of the word
    (``✗ cached 3m``, muted) until it is read live."""
    standing = row.standing
    style = STATUS_COLORS.get(standing.style, "yellow")
    if now is not None and row.cached_at is not None:
        cell = Text(standing.glyph, style=style, no_wrap=True, overflow="ellipsis")
        cell.append(f" {cached_age(row, now)}", style=STATUS_COLORS["muted"])
        return cell
    # (an unknown status's word comes from AWS: cleaned, and cut with an ellipsis)
    return Text(f"{standing.glyph} {clean(standing.word)}", style=style, no_wrap=True, overflow="ellipsis")


def name_cell(row: PipelineRow) -> Text:
    name = clean(row.name)
    return Text(f"{FAVOURITE_GLYPH} {name}" if row.favourite else name, no_wrap=True, overflow="ellipsis")


def stage_cell(row: PipelineRow) -> Text:
    if not row.stage:
        return Text("")
    style = STATUS_COLORS["error"] if row.status is Status.FAILED else ""
    return Text(clean(row.stage), style=style, no_wrap=True, overflow="ellipsis")


def started_text(row: PipelineRow, now: datetime) -> str:
    return ago(row.latest.start_time, now) if row.latest else ""


def duration_text(row: PipelineRow, now: datetime) -> str:
    latest = row.latest
    if latest is None or latest.start_time is None:
        return ""
    if row.running:
        return duration((now - latest.start_time).total_seconds())
    return duration(latest.duration_seconds)


# --- filtering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    field: str | None  # None: plain text
    value: str


def parse_filter(text: str) -> tuple[Term, ...]:
    """``status:failed pay`` -> (Term("status", "failed"), Term(None, "pay"))."""
    terms: list[Term] = []
    for word in text.split():
        head, sep, tail = word.partition(":")
        field = _FIELD_ALIASES.get(head.lower(), head.lower())
        if sep and field in FIELDS:
            if tail:
                terms.append(Term(field, tail.lower()))
        else:
            terms.append(Term(None, word.lower()))
    return tuple(terms)


def _status_words(row: PipelineRow) -> tuple[str, ...]:
    return row.standing.words()


def _term_matches(row: PipelineRow, term: Term) -> bool:
    value = term.value
    if term.field == "status":
        wanted = _STATUS_ALIASES.get(value, (value,))
        return any(word.startswith(w) for word in _status_words(row) for w in wanted)
    if term.field == "stage":
        return value in (row.stage or "").lower()
    if term.field == "type":
        return value in (row.pipeline_type.value.lower(), row.execution_mode.value.lower())
    if term.field == "name":
        return value in row.name.lower()
    if term.field == "where":
        return value in row.target.label.lower() or value in row.target.region.lower()
    if term.field == "trigger":
        return value in trigger_text(row.latest).lower()
    haystack = (row.name, row.stage or "", trigger_text(row.latest), row.target.label)
    return any(value in part.lower() for part in haystack)


def matches(row: PipelineRow, terms: tuple[Term, ...]) -> bool:
    """True when the row satisfies every term."""
    return all(_term_matches(row, term) for term in terms)


# --- what the filter does not know ------------------------------------------------------------

_TYPE_WORDS = ("v1", "v2", "queued", "superseded", "parallel")
_COLUMN_HEAD = re.compile(r"[A-Za-z][A-Za-z_-]*")


def status_words(rows: Iterable[PipelineRow] = ()) -> list[str]:
    """Every word ``status:`` knows: the statuses, their labels, the aliases, and what rows show."""
    words = [w.lower() for s in Status for w in (s.label, s.value)]
    words += list(_STATUS_ALIASES)
    words += [w for row in rows for w in _status_words(row)]
    return list(dict.fromkeys(words))


def filter_notice(text: str, rows: Iterable[PipelineRow] = ()) -> str:
    """One line naming each term of ``text`` the filter does not know and what is valid, or ''.

    ``foo:bar`` is not a column (it is matched as plain text, as before); ``status:bogus`` and
    ``type:v9`` name no status or type (they match nothing)."""
    problems: list[str] = []
    statuses = status_words(rows)
    for word in text.split():
        head, sep, tail = word.partition(":")
        if not sep or not tail[:1].isalnum() or not _COLUMN_HEAD.fullmatch(head):
            continue
        field = _FIELD_ALIASES.get(head.lower(), head.lower())
        value = tail.lower()
        if field not in FIELDS:
            problems.append(f"{clean(head)}: is not a column (use {', '.join(FIELDS)}); matched as text")
        elif field == "status" and not any(w.startswith(value) for w in statuses):
            common = ("failed", "running", "approval", "succeeded", "stopped", "superseded", "never")
            problems.append(f"status:{clean(tail)} is not a status (use {', '.join(common)}, …)")
        elif field == "type" and not any(w.startswith(value) for w in _TYPE_WORDS):
            problems.append(f"type:{clean(tail)} is not a type (use {', '.join(_TYPE_WORDS)})")
    return " · ".join(problems)
