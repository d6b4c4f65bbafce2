"""Where a poll's answer reaches the store: each fetch kind's call, what its answer writes into the
store and tells the policy, and what a failed one marks (stale, unread, denied) and tells once.

``PollController`` (``poll_control``) decides when each fetch runs and publishes the changes this
module returns; screens redraw from the store on each published change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

from tui.app.poll_notices import PollNotices, stale_reason
from tui.app.startup_burst import StartupBursts
from tui.aws.errors import AwsError, ErrorKind
from tui.aws.iam import iam_action
from tui.aws.service import LAST_RETRIES, SINGLE_ATTEMPT, PipelineService
from tui.core.error_text import missing_permission
from tui.core.model import Target
from tui.core.poll_state import Fetch, FetchKind
from tui.core.poller import PollPolicy
from tui.core.session import Session
from tui.core.store import StoreChange, latest_outdated, short_reason, stage_statuses_changed

# A warm start's read that came back before the list waits this long at most for it to name its row.
LIST_WAIT = 10.0
_YIELDS_BEFORE_PAINT = 8
# Errors that say nothing about the target as a whole (one pipeline's problem).
_LOCAL_ERRORS = (ErrorKind.NOT_FOUND, ErrorKind.VALIDATION, ErrorKind.CONFLICT)
_LIST_PERMISSION = iam_action("ListPipelines")
_PACED_KINDS = frozenset({FetchKind.LATEST, FetchKind.STATE})


def _retried() -> bool:
    """The fetch just answered only after the client retried it (a throttle, most often)."""
    return LAST_RETRIES.get() > 0


@dataclass(eq=False)
class PollResults:
    """The store's side of the polls, for ``PollController``. ``dispatch_now`` / ``dispatch_soon``:
    start what is due now / on the next turn of the loop (an answer can make a follow-up due);
    ``emit``: hand a store change to be published."""

    session: Session
    policy: PollPolicy
    bursts: StartupBursts
    told: PollNotices
    _: KW_ONLY
    monotonic: Callable[[], float]
    dispatch_now: Callable[[], None]
    dispatch_soon: Callable[[], None]
    emit: Callable[[StoreChange], None]
    # Set once a target's list was read (a warm start's reads wait for it).
    _list_answered: dict[str, asyncio.Event] = field(default_factory=dict, init=False)

    async def _wait_for_list(self, key: str) -> None:
        """Until ``key``'s list has been read (a throttled one is sent again at once), at most
        ``LIST_WAIT`` seconds: a list that keeps failing leaves the read to the row's next poll."""
        event = self._list_answered.setdefault(key, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), LIST_WAIT)

    # --- an answer ---------------------------------------------------------------------------

    async def fetch(self, service: PipelineService, target: Target, fetch: Fetch) -> StoreChange:
        """Make the fetch's call and write its answer into the store (the policy is told too)."""
        store, policy, name = self.session.store, self.policy, fetch.name or ""
        LAST_RETRIES.set(0)  # (each fetch runs in its own worker: its own context)
        # In the start-up phase a throttled read comes back at once, and the policy retries it
        # paced to what the endpoint accepts (botocore's own retries wait 0-1 s, then 0-2 s, in no
        # order: rows on screen came 4 s late behind them).
        SINGLE_ATTEMPT.set(fetch.kind in _PACED_KINDS and policy.in_startup(fetch))
        if fetch.kind is FetchKind.IDENTITY:
            change = store.set_identity(target, await service.identity())
            policy.on_result(fetch, self.monotonic(), retried=_retried())
        elif fetch.kind is FetchKind.LIST:
            summaries = await service.list_pipelines()
            first = not store.freshness(target).listed
            change = store.set_pipelines(target, summaries).merge(store.mark_list_failed(target, None))
            self._list_answered.setdefault(fetch.target, asyncio.Event()).set()
            now = self.monotonic()
            policy.set_pipelines(fetch.target, {s.name: s.version for s in summaries}, now)
            policy.on_result(fetch, now)
            if fetch.target not in self.bursts.granted:  # (one start-up burst per target)
                self.bursts.grant(fetch.target, now)
            # The new rows' statuses go out now, before the table is filled and painted, so the
            # first frame with rows can already show live statuses.
            self.dispatch_now()
            if first:
                # Let them open their connections and send before the rows are painted (a
                # frame takes 15-40 ms; sent after it, the statuses came one frame later).
                for _ in range(_YIELDS_BEFORE_PAINT):
                    await asyncio.sleep(0)
        elif fetch.kind is FetchKind.LATEST:
            page = await service.list_executions(name, max_results=1)
            if not store.freshness(target).listed:
                await self._wait_for_list(fetch.target)  # (a warm start's read, sent with the list)
            latest = page.items[0] if page.items else None
            before = store.latest_execution(target, name)
            change = store.set_latest(target, name, latest)
            change = change.merge(store.mark_read(target, name, fetch.kind.operation, self.session.now()))
            row = store.row(target, name)
            changed = bool(change.pipelines) and (
                before is None
                or latest is None
                or (before.execution_id, before.status) != (latest.execution_id, latest.status)
                or (row is not None and not row.loaded)
            )
            status = latest.status if latest else None
            policy.on_result(fetch, self.monotonic(), changed, status=status, retried=_retried())
            if changed:
                self.dispatch_soon()  # its follow-up (the state) should not wait for the tick
        elif fetch.kind is FetchKind.STATE:
            state = await service.get_pipeline_state(name)
            # One call per cycle: the latest execution is fetched again only when this state,
            # having changed, says the known one is out of date.
            changed = stage_statuses_changed(store.state(target, name), state)
            outdated = changed and latest_outdated(store.latest_execution(target, name), state)
            change = store.set_state(target, name, state)
            change = change.merge(store.mark_read(target, name, fetch.kind.operation, self.session.now()))
            waiting = any(a.token for s in state.stages for a in s.actions)
            policy.on_result(fetch, self.monotonic(), outdated, approval=waiting, retried=_retried())
            if outdated:
                self.dispatch_soon()  # the new status within the running cadence, not a tick later
        else:
            definition = await service.get_pipeline(name)
            change = store.set_definition(target, name, definition)
            policy.on_result(fetch, self.monotonic(), version=definition.version)
        return change

    def answered(self, target: Target, fetch: Fetch, change: StoreChange) -> StoreChange:
        """``change`` and what a success says of the target: the permission it needed works, and
        its data is current (unless its list is denied)."""
        store = self.session.store
        change = change.merge(store.clear_denied(target, iam_action(fetch.kind.operation)))
        if _LIST_PERMISSION not in store.freshness(target).denied:
            # (While the list is denied, no other success makes the target's data current.)
            change = change.merge(store.mark_fresh(target, self.session.now()))
        return change

    # --- a failure ---------------------------------------------------------------------------

    def unavailable(self, target: Target, fetch: Fetch, code: str) -> None:
        """The endpoint does not offer this operation: say so once (``PollNotices.unavailable``)."""
        self.told.unavailable(target, fetch.kind.operation, code, self.policy.settings.unavailable_pause)

    def failed(self, target: Target, fetch: Fetch, error: AwsError) -> None:
        """Keep the data; mark the target stale (unless it is one pipeline's problem); tell once."""
        if error.kind in _LOCAL_ERRORS:
            return
        # What this read would have told is unknown until one succeeds (the approvals inbox and
        # the summary counts say so instead of counting it as "none").
        operation = fetch.kind.operation
        if error.kind is ErrorKind.ACCESS_DENIED:
            why = f"access denied ({operation})"  # as the store says it of calls not yet tried
        else:
            why = short_reason(stale_reason(error, target, operation))
        self.emit(self.mark_unread(target, fetch, why))
        if error.kind is ErrorKind.ACCESS_DENIED:
            # Kept until a call needing it succeeds; the screens that need it and one notice
            # name the permission. Only a denied list leaves the whole target without data.
            reason = stale_reason(error, target, fetch.kind.operation)
            permission = missing_permission(error, fetch.kind.operation)
            self.emit(self.session.store.mark_denied(target, permission))
            if fetch.kind is not FetchKind.LIST:
                self.told.denied(target, permission, reason)
                return
        self.mark_stale(target, error, fetch.kind.operation)

    def mark_stale(self, target: Target, error: AwsError, operation: str) -> None:
        """The target's data is stale for ``error``'s reason; told once, by whichever call (a poll
        or a screen's own read) is the first to meet it."""
        reason = stale_reason(error, target, operation)
        change = self.session.store.mark_stale(target, reason)
        self.emit(change)
        if change.freshness:
            self.told.stale(target, reason, "warning" if error.retryable else "error")

    def mark_unread(self, target: Target, fetch: Fetch, why: str) -> StoreChange:
        """What the failed fetch would have read is unknown (the list, or one pipeline's row)."""
        store = self.session.store
        if fetch.kind is FetchKind.LIST:
            return store.mark_list_failed(target, why)
        if fetch.kind in (FetchKind.LATEST, FetchKind.STATE) and fetch.name:
            return store.mark_unread(target, fetch.name, why)
        return StoreChange(target)
