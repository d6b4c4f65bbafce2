"""Following a CodeBuild build's log: a build id in, a stream of line batches out. Plain Python.

``LogFollower.updates()`` resolves the build (BatchGetBuilds) to its CloudWatch log group and stream,
reads what is there (GetLogEvents from the head, following ``nextForwardToken``), then, while the build
runs, follows it:

- with StartLiveTail when the endpoint offers it. A live session only shows events ingested after it
  starts, so the follower opens the session first, then reads the gap with GetLogEvents, and drops
  events the two sources both delivered (the same ``(timestamp, message)``, counted as a multiset).
  Live lines are provisional: a session samples floods (over 500 events a second) and drops what it
  cannot buffer, so when it ends (build finished, session failed or timed out) the log is read by
  token from the seam, and live lines that differ from that read are retracted and replaced
  (``TailUpdate.retract``): the final log is exactly what GetLogEvents holds (how two sources become
  one log is ``tui.core.logmerge``; this module is when to read what);
- else (or when the session fails or ends) with GetLogEvents every ``poll_interval`` seconds. At the end
  of a stream AWS returns the token it was given: that is "caught up", not an error.

It re-checks the build every ``build_check_interval`` seconds and stops once the build is finished and a
read made after that returns nothing. Every call goes through the ``Caller`` it is given (the App's
rate-budgeted ``app.reads``); throttling and transient failures back off and carry on, with a ``notice``
for the status line.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, TypeVar

from tui.aws.errors import AwsError, NotFound
from tui.aws.service import PipelineService
from tui.core import console_links
from tui.core.logmerge import SeamDedupe, event_lines, reconcile
from tui.core.model import Build, LiveBatch, LogEvent, LogPage

T = TypeVar("T")

_MAX_EMPTY_PAGES = 20  # AWS may hand out empty pages with new tokens; stop chasing them after this


class Caller(Protocol):
    """Runs one AWS call against the service: ``Reads.call`` bound to a target, or a plain adapter."""

    def __call__(self, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> Awaitable[T]: ...


def direct_caller(service: PipelineService) -> Caller:
    """A ``Caller`` that calls ``service`` directly (no rate budget): for tests and tools."""

    class _Direct:
        def __call__(self, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> Awaitable[T]:
            return fn(service)

    return _Direct()


class TailMode(str, Enum):
    """How the follower is reading, for the status line."""

    STARTING = "starting"
    READING = "reading"
    LIVE = "live tail"
    POLLING = "polling"
    DONE = "complete"


class LogsUnavailable(Exception):
    """The build's log cannot be read from CloudWatch Logs; ``deep_link`` opens it in the console."""

    def __init__(self, reason: str, *, build: Build | None = None, deep_link: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.build = build
        self.deep_link = deep_link


@dataclass
class TailUpdate:
    """New lines (raw, one per log line, with their event's timestamp in ms) and/or a fresh build."""

    lines: list[str] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)
    build: Build | None = None
    done: bool = False
    retract: int = 0  # remove this many of the last lines shown before adding ``lines``
    events: Sequence[LogEvent] | None = None  # internal: raw events, for reconciliation


def log_group_arn(build: Build, group: str) -> str | None:
    """The log group's ARN in the build's account and region (StartLiveTail wants ARNs)."""
    parts = build.arn.split(":")
    if len(parts) < 6 or not parts[3] or not parts[4]:
        return None
    return f"arn:aws:logs:{parts[3]}:{parts[4]}:log-group:{group}"


class LogFollower:
    """Turns one build into a stream of ``TailUpdate`` batches (see the module docstring)."""

    def __init__(
        self,
        call: Caller,
        build_id: str,
        *,
        region: str,
        live_tail: bool = True,
        poll_interval: float = 1.0,
        build_check_interval: float = 5.0,
        max_backoff: float = 30.0,
        page_limit: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call_raw = call
        self.build_id = build_id
        self.region = region
        self.use_live_tail = live_tail
        self.poll_interval = poll_interval
        self.build_check_interval = build_check_interval
        self.max_backoff = max_backoff
        self.page_limit = page_limit
        self._sleep = sleep
        self._clock = clock
        self._wake = asyncio.Event()
        self._token: str | None = None
        self._last_check = 0.0
        self.build: Build | None = None
        self.mode = TailMode.STARTING
        self.notice: str | None = None  # transient trouble ("throttled, retrying in 4s")
        self.live_error: Exception | None = None  # why live tail stopped or was not used
        self.live_start_timeout = 10.0  # seconds to wait for a session's first update
        self.max_provisional = 200_000  # live events kept for reconciliation
        self.live_events = 0  # events shown from live-tail sessions
        # CloudWatch sampled a flood: lines are missing until the log is read in full (the session
        # ends with a read by token from the seam that fills them in).
        self.live_sampled = False
        self.reads = 0  # pages read and live updates received: progress, for tests and benchmarks

    # --- plumbing -------------------------------------------------------------------------

    def wake(self) -> None:
        """Cut the current wait short (e.g. the pipeline's state just changed)."""
        self._wake.set()

    def check_build_now(self) -> None:
        """The build changed (a CodeBuild event in push mode): read it (header, phases) at once
        rather than at the next ``build_check_interval``."""
        self._last_check = float("-inf")
        self.wake()

    @property
    def deep_link(self) -> str:
        logs = self.build.logs if self.build else None
        found = (logs.deep_link or logs.s3_deep_link) if logs else None
        return found or console_links.build_url(self.region, self.build_id)

    async def _wait(self, seconds: float, getter: asyncio.Future[_LiveItem] | None = None) -> None:
        """Wait ``seconds``, or less if ``wake`` is called or ``getter`` completes."""
        timer = asyncio.ensure_future(self._sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        waiting: set[asyncio.Future[Any]] = {timer, woken}
        if getter is not None:
            waiting.add(getter)
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in (timer, woken):
                future.cancel()
        self._wake.clear()

    async def _call(self, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> T:
        """One call through the caller; retryable failures back off and try again."""
        delay = self.poll_interval
        while True:
            try:
                result = await self._call_raw(operation, fn)
            except AwsError as error:
                if not error.retryable:
                    raise
                delay = min(self.max_backoff, max(delay * 2, 1.0))
                self.notice = f"{error.kind.value.replace('_', ' ')} on {operation}, retrying in {delay:.0f}s"
                await self._wait(delay)
                continue
            self.notice = None
            return result

    async def _refresh_build(self) -> Build:
        builds = await self._call("BatchGetBuilds", lambda s: s.batch_get_builds([self.build_id]))
        self._last_check = self._clock()
        build = next((b for b in builds if b.build_id == self.build_id), None)
        if build is None:
            raise LogsUnavailable(
                f"Build {self.build_id} was not found: it may have been deleted, or it belongs to "
                "another account or region.",
                deep_link=console_links.build_url(self.region, self.build_id),
            )
        self.build = build
        return build

    def _check_due(self) -> bool:
        return self._clock() - self._last_check >= self.build_check_interval

    def _unavailable(self, reason: str) -> LogsUnavailable:
        return LogsUnavailable(reason, build=self.build, deep_link=self.deep_link)

    # --- the stream -----------------------------------------------------------------------

    async def updates(self) -> AsyncIterator[TailUpdate]:
        """Batches of new lines until the build is finished and its log read to the end."""
        build = await self._refresh_build()
        yield TailUpdate(build=build)
        while not (build.logs.group_name and build.logs.stream_name) or not build.logs.cloudwatch_enabled:
            if not build.logs.cloudwatch_enabled:
                raise self._unavailable(_no_cloudwatch_reason(build))
            if build.complete:
                raise self._unavailable(
                    "This build has no CloudWatch log stream (it ended before it started logging)."
                )
            await self._wait(self.poll_interval)  # provisioning: the stream comes with the first line
            build = await self._refresh_build()
            yield TailUpdate(build=build)
        group, stream = build.logs.group_name or "", build.logs.stream_name or ""

        self.mode = TailMode.READING
        async for update in self._read_to_end(group, stream, None):
            yield update
        # A build that was already finished before the read above has nothing more to come.
        if not build.complete:
            if self.use_live_tail and (arn := log_group_arn(build, group)) is not None:
                async for update in self._follow_live(arn, group, stream):
                    yield update
            async for update in self._follow_polling(group, stream):
                yield update
        self.mode = TailMode.DONE
        yield TailUpdate(build=self.build, done=True)

    async def _read_page(self, group: str, stream: str) -> LogPage:
        token, limit = self._token, self.page_limit
        return await self._call(
            "GetLogEvents",
            lambda s: s.get_log_events(group, stream, next_token=token, start_from_head=True, limit=limit),
        )

    async def _read_to_end(
        self, group: str, stream: str, seam: SeamDedupe | None, *, raw: bool = False
    ) -> AsyncIterator[TailUpdate]:
        """Read pages from the current token until AWS hands the same token back."""
        empty = 0
        while True:
            try:
                page = await self._read_page(group, stream)
            except NotFound as error:
                if self.build is not None and not self.build.complete:
                    # The stream is created with the first line; it may not be there yet.
                    await self._wait(self.poll_interval)
                    await self._refresh_build()
                    return
                raise self._unavailable(
                    "The build's log stream is gone: it expired (the log group's retention) or was deleted."
                ) from error
            self.reads += 1
            events: Sequence[LogEvent] = page.events
            if seam is not None:
                events = seam.admit("get", events)
            if events and raw:
                yield TailUpdate(events=events)
            elif events:
                lines, stamps = event_lines(events)
                yield TailUpdate(lines=lines, timestamps=stamps)
            caught_up = page.next_forward_token is None or page.next_forward_token == self._token
            self._token = page.next_forward_token or self._token
            if caught_up:
                return
            empty = 0 if page.events else empty + 1
            if empty >= _MAX_EMPTY_PAGES:
                return

    async def _follow_polling(self, group: str, stream: str) -> AsyncIterator[TailUpdate]:
        """GetLogEvents every ``poll_interval`` until the build is done and a later read is empty."""
        build = self.build
        assert build is not None
        if not build.complete:
            self.mode = TailMode.POLLING
        while True:
            await self._wait(self.poll_interval)
            if not build.complete and self._check_due():
                build = await self._refresh_build()
                yield TailUpdate(build=build)
            got = False
            async for update in self._read_to_end(group, stream, None):
                got = True
                yield update
            if build.complete and not got:
                return  # finished, and a read made after we knew it returned nothing

    async def _follow_live(self, arn: str, group: str, stream: str) -> AsyncIterator[TailUpdate]:
        """Live tail until the build is done or the session ends or fails; then reconcile by token.

        Lines from the session are provisional: a session drops what it cannot buffer and samples
        floods, so when it ends the log is read by token from where the session took over, and any
        provisional lines that differ from that authoritative read are retracted and replaced.
        """
        queue: asyncio.Queue[_LiveItem] = asyncio.Queue()
        task = asyncio.create_task(self._pump_live(arn, stream, queue), name=f"live tail {self.build_id}")
        seam = SeamDedupe()
        provisional: list[LogEvent] | None = []  # None: too many to reconcile
        last_live = 0
        started = False
        start_deadline = self._clock() + self.live_start_timeout
        self.mode = TailMode.LIVE
        try:
            while True:
                wait = max(0.0, self.build_check_interval - (self._clock() - self._last_check))
                if not started:
                    wait = min(wait, max(0.0, start_deadline - self._clock()))
                item = await self._next_live(queue, wait)
                if isinstance(item, list):
                    self.reads += 1
                    if isinstance(item, LiveBatch) and item.sampled:
                        self.live_sampled = True  # said on the status line until the full read
                    if not started:
                        started = True
                        # Events ingested between the last read and the session's start are only
                        # in GetLogEvents: read them now (seam dedupe drops what both deliver).
                        async for update in self._read_to_end(group, stream, seam):
                            yield update
                    events = seam.admit("live", item)
                    if events:
                        self.live_events += len(events)
                        last_live = max(last_live, max(e.timestamp for e in events))
                        if provisional is not None:
                            provisional.extend(events)
                            if len(provisional) > self.max_provisional:
                                provisional = None
                        lines, stamps = event_lines(events)
                        yield TailUpdate(lines=lines, timestamps=stamps)
                elif isinstance(item, _Quiet):
                    if not started and self._clock() >= start_deadline:
                        self.live_error = TimeoutError("the live tail session sent nothing")
                        break
                else:
                    self.live_error = item  # None: the session ended (AWS ends them after 3 hours)
                    break
                if self._check_due():
                    build = await self._refresh_build()
                    yield TailUpdate(build=build)
                    if build.complete:
                        break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.mode = TailMode.POLLING
        async for update in self._reconcile(group, stream, provisional, last_live):
            yield update

    async def _reconcile(
        self, group: str, stream: str, provisional: list[LogEvent] | None, last_live: int
    ) -> AsyncIterator[TailUpdate]:
        """Read by token to the end and make the shown lines match it (see ``_follow_live``)."""
        authoritative: list[LogEvent] = []
        async for update in self._read_events(group, stream):
            if provisional is None:
                # Too many live lines to compare: keep only what is newer than the last one shown.
                fresh = [e for e in update if e.timestamp > last_live]
                if fresh:
                    lines, stamps = event_lines(fresh)
                    yield TailUpdate(lines=lines, timestamps=stamps)
            else:
                authoritative.extend(update)
        if provisional is None:
            return
        correction = reconcile(provisional, authoritative)
        if correction.retract or correction.lines:
            yield TailUpdate(
                lines=correction.lines, timestamps=correction.timestamps, retract=correction.retract
            )

    async def _read_events(self, group: str, stream: str) -> AsyncIterator[Sequence[LogEvent]]:
        """Raw pages of events from the current token to the end (for reconciliation)."""
        async for update in self._read_to_end(group, stream, None, raw=True):
            assert update.events is not None
            yield update.events

    async def _pump_live(self, arn: str, stream: str, queue: asyncio.Queue[_LiveItem]) -> None:
        """Run the live-tail session, putting each update (then None, or the error) on ``queue``."""
        opened: list[AsyncIterator[list[LogEvent]]] = []

        async def open_session(service: PipelineService) -> list[LogEvent] | None:
            session = service.live_tail(arn, [stream]).__aiter__()
            opened.append(session)
            # The first update proves the session started (and keeps it inside the budgeted call).
            return await anext(session, None)

        try:
            first = await self._call_raw("StartLiveTail", open_session)
            if first is not None:
                await queue.put(first)
                async for events in opened[0]:
                    await queue.put(events)
            await queue.put(None)
        except Exception as error:  # any failure means: fall back to GetLogEvents
            await queue.put(error)
        finally:
            aclose = getattr(opened[0], "aclose", None) if opened else None
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _next_live(self, queue: asyncio.Queue[_LiveItem], seconds: float) -> _LiveItem | _Quiet:
        """The next live item, or ``_QUIET`` after ``seconds`` (or on ``wake``)."""
        getter = asyncio.ensure_future(queue.get())
        await self._wait(seconds, getter)
        if getter.done():
            return getter.result()
        getter.cancel()
        return _QUIET


class _Quiet:
    """Nothing arrived in time."""


_QUIET = _Quiet()
_LiveItem = list[LogEvent] | Exception | None  # an update, the error that ended it, or None: ended


def _no_cloudwatch_reason(build: Build) -> str:
    if build.logs.s3_location:
        return (
            f"This build sends its logs to S3 only ({build.logs.s3_location}), not to CloudWatch Logs: "
            "open it in the console."
        )
    return "CloudWatch Logs are turned off for this build's project, so there is no log to show here."
