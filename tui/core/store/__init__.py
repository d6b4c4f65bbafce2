"""The latest known data, per target, and what changed: plain Python, no Textual.

Import from ``tui.core.store`` (this file names everything):
- ``store``: ``Store``, the latest data per target; every write returns what it changed;
- ``rows``: what it hands out: ``PipelineRow``, ``Freshness``, ``StoreChange``;
- ``coverage``: what was read well enough to say "none waiting" (``Coverage``, ``ReadMark``);
- ``derive``: pure derivations from AWS's answers (changed stages, approvals that wait, whether the
  known latest execution is out of date).
The modules import each other directly, never through this package.
"""

from __future__ import annotations

from tui.core.store.coverage import COVERAGE_MAX_AGE, NOT_READ_YET, Coverage, ReadMark, short_reason
from tui.core.store.derive import (
    DEFAULT_APPROVAL_TIMEOUT,
    approvals_from_state,
    changed_stages,
    latest_outdated,
    stage_statuses_changed,
)
from tui.core.store.rows import Freshness, PipelineRow, StoreChange, row_key, sort_key
from tui.core.store.store import Store

__all__ = [
    "COVERAGE_MAX_AGE",
    "DEFAULT_APPROVAL_TIMEOUT",
    "NOT_READ_YET",
    "Coverage",
    "Freshness",
    "PipelineRow",
    "ReadMark",
    "Store",
    "StoreChange",
    "approvals_from_state",
    "changed_stages",
    "latest_outdated",
    "row_key",
    "short_reason",
    "sort_key",
    "stage_statuses_changed",
]
