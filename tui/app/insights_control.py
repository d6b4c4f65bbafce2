"""Reads the history that insights need, through the app's rate budget, once per finished execution.

Every read goes through ``Session.reads`` (it waits for a token of the target's budget, shared with the
polls, and a throttle shrinks that budget for everyone). What never changes is read once: finished
executions' rows, action executions and full executions are kept per execution id
(tui/core/history_cache.py). The numbers are computed in tui/core/insights.py and
tui/core/fleet_health.py; screens draw them.

Fleet health reads one ListPipelineExecutions page (the window's size, at most 100) per pipeline,
one target at a time each, and at most ``FLEET_SHARE`` of the target's rate: polls keep the rest,
and a fleet of 1,000 pipelines is read over minutes, saying how much of it is covered. A pipeline
whose history could not be read says so and why; one not read yet says it waits for budget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from tui.aws.errors import AwsError
from tui.aws.service import ActionHistorySource
from tui.core.error_text import error_text
from tui.core.fleet_health import FleetRow, fleet_row
from tui.core.history_cache import HistoryCache
from tui.core.model import ActionExecution, Execution, ExecutionSummary, Page, Target
from tui.core.poller import PollPolicy
from tui.core.session import Session
from tui.core.store import row_key

MAX_PAGE = 100  # ListPipelineExecutions' largest page
# Up to this many executions without their action executions are read one call each; more, and the
# pipeline's action executions are paged instead (100 a call, across executions).
PER_EXECUTION_MAX = 3
FLEET_SHARE = 0.5  # of a target's rate the fleet read may use; polls keep the rest
WAITING = "waiting for budget"
FLEET_FRESH = 300.0  # seconds a fleet row is kept before `r` or a reopen reads it again


class InsightsController:
    """Created by ``CptuiApp``: the session's budgeted reads and store, and the poll policy (fleet
    health reads at most ``FLEET_SHARE`` of a target's current rate)."""

    def __init__(
        self, session: Session, policy: PollPolicy, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.session = session
        self.policy = policy
        self.cache = HistoryCache()
        self._clock = clock
        # Counters for the benchmark and the screens' coverage line.
        self.pages = 0
        self.action_reads = 0  # ListActionExecutions of one execution
        self.action_pages = 0  # ListActionExecutions pages of the whole pipeline
        self.fleet_rows: dict[str, FleetRow] = {}
        self.fleet_read_at: dict[str, float] = {}
        self._last_fleet_call: dict[str, float] = {}

    @property
    def window(self) -> int:
        return self.session.config.general.insights_window

    # --- one pipeline ------------------------------------------------------------------------

    async def history(self, target: Target, name: str, window: int | None = None) -> list[ExecutionSummary]:
        """The newest ``window`` executions, newest first, paged through the budget."""
        want = window or self.window
        items: list[ExecutionSummary] = []
        token: str | None = None
        while len(items) < want:
            size = min(MAX_PAGE, want - len(items))
            page: Page[ExecutionSummary] = await self.session.reads.call(
                target,
                "ListPipelineExecutions",
                lambda s, t=token, n=size: s.list_executions(name, max_results=n, next_token=t),  # type: ignore[misc]
            )
            self.pages += 1
            items.extend(page.items)
            self.cache.put_summaries(target.key, page.items)
            token = page.next_token
            if token is None:
                break
        return items[:want]

    async def actions(
        self, target: Target, name: str, summary: ExecutionSummary
    ) -> tuple[ActionExecution, ...]:
        """Every action execution (all attempts) of one execution; a finished one is read once."""
        cached = self.cache.actions(target.key, summary)
        if cached is not None:
            return cached
        eid = summary.execution_id
        found = await self.session.reads.call(
            target, "ListActionExecutions", lambda s: s.list_action_executions(name, eid)
        )
        self.action_reads += 1
        self.cache.put_actions(target.key, summary, found)
        return tuple(found)

    async def window_actions(
        self,
        target: Target,
        name: str,
        history: Sequence[ExecutionSummary],
        progress: Callable[[Mapping[str, tuple[ActionExecution, ...]]], None] | None = None,
    ) -> dict[str, tuple[ActionExecution, ...]]:
        """The action executions of every execution in ``history``: cached ones as they are; when
        more than ``PER_EXECUTION_MAX`` are missing, pages of the whole pipeline's (100 a call,
        newest first) until the oldest missing execution's start is passed; the rest one call each.
        ``progress`` gets what is known so far after each call."""
        out: dict[str, tuple[ActionExecution, ...]] = {}
        missing: list[ExecutionSummary] = []
        for summary in history:
            cached = self.cache.actions(target.key, summary)
            if cached is None:
                missing.append(summary)
            else:
                out[summary.execution_id] = cached
        if progress is not None and out:
            progress(out)
        service = self.session.services.get(target.key)
        starts = [s.start_time for s in missing]
        if len(missing) > PER_EXECUTION_MAX and isinstance(service, ActionHistorySource) and all(starts):
            oldest = min(s for s in starts if s is not None)
            wanted = {s.execution_id: s for s in missing}
            found: dict[str, list[ActionExecution]] = {eid: [] for eid in wanted}
            token: str | None = None
            while True:
                page: Page[ActionExecution] = await self.session.reads.call(
                    target,
                    "ListActionExecutions",
                    lambda s, t=token: s.list_pipeline_action_executions(name, next_token=t),  # type: ignore[misc]
                )
                self.action_pages += 1
                for attempt in page.items:
                    if attempt.pipeline_execution_id in found:
                        found[attempt.pipeline_execution_id].append(attempt)
                token = page.next_token
                last = page.items[-1].start_time if page.items else None
                # Every execution that started after the page's last action is complete.
                for eid, summary in list(wanted.items()):
                    if token is None or (
                        last is not None and summary.start_time and summary.start_time > last
                    ):
                        out[eid] = tuple(found[eid])
                        self.cache.put_actions(target.key, summary, out[eid])
                        del wanted[eid]
                if progress is not None:
                    progress(out)
                if not wanted or token is None or (last is not None and last < oldest):
                    break
            missing = list(wanted.values())
        for summary in missing:
            out[summary.execution_id] = await self.actions(target, name, summary)
            if progress is not None:
                progress(out)
        return out

    async def execution(self, target: Target, name: str, execution_id: str) -> Execution:
        cached = self.cache.execution(target.key, name, execution_id)
        if cached is not None:
            return cached
        found: Execution = await self.session.reads.call(
            target, "GetPipelineExecution", lambda s: s.get_execution(name, execution_id)
        )
        self.cache.put_execution(target.key, found)
        return found

    # --- the fleet ---------------------------------------------------------------------------

    def fleet_order(self) -> list[tuple[Target, str]]:
        """Every listed pipeline; the failing ones first (they are what fleet health is for)."""
        rows = self.session.store.rows()
        failing = [r for r in rows if r.status is not None and r.status.value == "Failed"]
        rest = [r for r in rows if r not in failing]
        return [(r.target, r.name) for r in failing + rest]

    def fleet_snapshot(self) -> list[FleetRow]:
        """A row per listed pipeline: read, failed (and why), or waiting for budget."""
        out = []
        for target, name in self.fleet_order():
            key = row_key(target, name)
            out.append(self.fleet_rows.get(key) or FleetRow(key, name, target.label, error=WAITING))
        return out

    async def read_fleet(self, on_row: Callable[[FleetRow], None], *, force: bool = False) -> None:
        """Read every pipeline's window, one call at a time per target, within ``FLEET_SHARE``."""
        by_target: dict[str, list[tuple[Target, str]]] = {}
        for target, name in self.fleet_order():
            by_target.setdefault(target.key, []).append((target, name))
        await asyncio.gather(*(self._read_target(items, on_row, force) for items in by_target.values()))

    async def _read_target(
        self, items: Sequence[tuple[Target, str]], on_row: Callable[[FleetRow], None], force: bool
    ) -> None:
        for target, name in items:
            key = row_key(target, name)
            read_at = self.fleet_read_at.get(key)
            if not force and read_at is not None and self._clock() - read_at < FLEET_FRESH:
                continue
            await self._pace(target)
            try:
                history = await self.history(target, name, min(self.window, MAX_PAGE))
            except AwsError as error:
                why = error_text(error, profile=target.profile)
                row = FleetRow(key, name, target.label, error=f"could not be read: {why}")
            else:
                row = fleet_row(key, name, target.label, history, self.session.now())
            self.fleet_rows[key] = row
            self.fleet_read_at[key] = self._clock()
            on_row(row)

    async def _pace(self, target: Target) -> None:
        """At most ``FLEET_SHARE`` of the target's current rate (it halves on a throttle)."""
        policy = self.policy
        rate = policy.bucket(target.key).rate if target.key in policy.targets else 4.0
        gap = 1.0 / max(0.05, rate * FLEET_SHARE)
        last = self._last_fleet_call.get(target.key)
        now = self._clock()
        if last is not None and now - last < gap:
            await asyncio.sleep(gap - (now - last))
        self._last_fleet_call[target.key] = self._clock()

    def now(self) -> datetime:
        return self.session.now()
