"""LogFollower against the simulator, through the real aiobotocore client (create_service).

The follower's waits are injected: here a wait moves the simulator's ManualClock forward instead of
sleeping, and the follower's clock is the simulated one, so a build runs to its end in a few hundred
polls without any wall-clock waiting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.apps import sim_services
from tests.support.aws import DEMO_CREDENTIALS, isolate_aws_env
from tests.support.wait import poll_until
from tui.aws.client import AwsPipelineService
from tui.aws.errors import AccessDenied
from tui.aws.service import PipelineService
from tui.core.action_build import build_id_for_action
from tui.core.logmerge import SeamDedupe, event_lines
from tui.core.logtail import LogFollower, LogsUnavailable, TailMode, log_group_arn
from tui.core.model import Build, BuildLogs, BuildStatus, LogEvent, LogPage, Target
from tui.sim import ManualClock, Simulator

T = TypeVar("T")
TARGET = Target(region="us-east-1")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)


@pytest.fixture
def service(sim: Simulator) -> AwsPipelineService:
    (made,) = sim_services(sim, [TARGET], credentials=DEMO_CREDENTIALS)
    return made


class Recorder:
    """A Caller that calls the service and remembers each operation and its result, in order."""

    def __init__(self, service: PipelineService) -> None:
        self.service = service
        self.log: list[tuple[str, Any]] = []

    def __call__(self, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> Awaitable[T]:
        async def run() -> T:
            result = await fn(self.service)
            self.log.append((operation, result))
            return result

        return run()

    def ops(self, name: str) -> list[Any]:
        return [result for op, result in self.log if op == name]


def sim_time(sim: Simulator) -> Callable[[], float]:
    return lambda: sim.clock.now().timestamp()


class LiveTally:
    """The service, with a count of the live-tail sessions open and the updates they delivered, and
    of the simulator's looks at its clock (its live-tail loop looks every 20 ms of real time)."""

    def __init__(self, service: PipelineService, sim: Simulator) -> None:
        self.service = service
        self.open = 0
        self.updates = 0
        self.looks = 0
        engine_now = sim.engine.now

        def now() -> float:
            self.looks += 1
            return engine_now()

        sim.engine.now = now  # type: ignore[method-assign]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)

    async def live_tail(self, group_arn: str, stream_names: Sequence[str]) -> AsyncIterator[list[LogEvent]]:
        session = self.service.live_tail(group_arn, stream_names)
        self.open += 1
        try:
            async for events in session:
                self.updates += 1
                yield events
        finally:
            self.open -= 1
            await session.aclose()  # type: ignore[attr-defined]

    def caught_up(self, updates: int, looks: int) -> bool:
        """Since the counts were ``updates`` and ``looks``: an update arrived, or the simulator looked
        at its clock twice (it had then written whatever that second brought), or no session is open."""
        return self.updates > updates or self.looks >= looks + 2 or not self.open


def sim_sleep(
    sim: Simulator, step: float = 1.0, live: LiveTally | None = None
) -> Callable[[float], Awaitable[None]]:
    """A wait that moves simulated time (at most ``step`` seconds at a time) instead of sleeping.

    ``live``: while a live-tail session is open, the wait lasts until the simulator has served the
    moved clock to it (bounded), so simulated time does not run past what the session can buffer.
    """
    clock = sim.clock
    assert isinstance(clock, ManualClock)

    async def wait(seconds: float) -> None:
        clock.advance(min(max(seconds, 0.05), step))
        if live is not None and live.open:
            updates, looks = live.updates, live.looks
            await poll_until(lambda: live.caught_up(updates, looks), timeout=10.0)

    return wait


def follower(
    sim: Simulator,
    caller: Any,
    build_id: str,
    *,
    step: float = 1.0,
    live: LiveTally | None = None,
    **options: Any,
) -> LogFollower:
    return LogFollower(
        caller, build_id, region="us-east-1", sleep=sim_sleep(sim, step, live), clock=sim_time(sim), **options
    )


async def drain(log: LogFollower) -> tuple[list[str], list[TailMode]]:
    """Every line the follower produced (retractions applied) and the modes it went through."""
    lines: list[str] = []
    modes: list[TailMode] = []
    async for update in log.updates():
        if update.retract:
            del lines[-update.retract :]
        lines.extend(update.lines)
        if not modes or modes[-1] != log.mode:
            modes.append(log.mode)
        if update.done:
            break
    return lines, modes


async def full_log(service: PipelineService, build: Build) -> list[str]:
    """The whole stream read independently, page by page, as display lines."""
    group, stream = build.logs.group_name, build.logs.stream_name
    assert group and stream
    events: list[LogEvent] = []
    token: str | None = None
    while True:
        page = await service.get_log_events(group, stream, next_token=token)
        events.extend(page.events)
        if page.next_forward_token == token:
            return event_lines(events)[0]
        token = page.next_forward_token


def soonest_running(sim: Simulator) -> str:
    """The running build that finishes first (the demo always has a few)."""
    world = sim.engine.world()
    return min(world.running_builds(), key=lambda b: b.end).id


def finished_build(sim: Simulator, outcome: str = "FAILED") -> str:
    world = sim.engine.world()
    return next(b.id for b in world.builds.values() if b.complete_at(world.now) and b.outcome == outcome)


# --- plain helpers ------------------------------------------------------------------------------


def test_event_lines_split_messages_and_keep_the_last_redraw() -> None:
    events = [
        LogEvent(1, "plain\n"),
        LogEvent(2, "two\nlines\n"),
        LogEvent(3, "Downloading 10%\rDownloading 90%\rDownloading 100%\r\n"),
        LogEvent(4, "windows\r\n"),
        LogEvent(5, ""),
    ]
    assert event_lines(events) == (
        ["plain", "two", "lines", "Downloading 100%", "windows", ""],
        [1, 2, 2, 3, 4, 5],
    )


def test_seam_dedupe_is_a_multiset_union() -> None:
    seam = SeamDedupe()
    gap = [LogEvent(10, "a"), LogEvent(11, ""), LogEvent(11, ""), LogEvent(12, "b")]
    assert seam.admit("get", gap) == gap
    # The live session delivers the tail of the gap again, then new events.
    live = [LogEvent(11, ""), LogEvent(11, ""), LogEvent(12, "b"), LogEvent(13, "c"), LogEvent(13, "c")]
    assert seam.admit("live", live) == [LogEvent(13, "c"), LogEvent(13, "c")]
    assert seam.admit("get", [LogEvent(13, "c")]) == []
    small = SeamDedupe(capacity=2)
    small.admit("get", [LogEvent(1, "x"), LogEvent(2, "y"), LogEvent(3, "z")])
    assert small.horizon == 1
    assert small.admit("live", [LogEvent(1, "x"), LogEvent(4, "w")]) == [LogEvent(4, "w")]


def test_build_ids_and_group_arns() -> None:
    assert build_id_for_action("CodeBuild", "proj:1234") == "proj:1234"
    assert build_id_for_action("CodeDeploy", "d-123") is None
    assert build_id_for_action("CodeBuild", None) is None
    build = Build("p:1", "arn:aws:codebuild:eu-west-1:210987654321:build/p:1", "p", BuildStatus.SUCCEEDED)
    assert log_group_arn(build, "/aws/codebuild/p") == (
        "arn:aws:logs:eu-west-1:210987654321:log-group:/aws/codebuild/p"
    )
    assert log_group_arn(Build("p:1", "", "p", BuildStatus.SUCCEEDED), "g") is None


# --- against the simulator ----------------------------------------------------------------------


async def test_finished_build_is_read_to_the_same_token_and_stops(
    sim: Simulator, service: AwsPipelineService
) -> None:
    build_id = finished_build(sim)
    calls = Recorder(service)
    log = follower(sim, calls, build_id, page_limit=50)
    lines, _ = await drain(log)
    assert log.build is not None and log.build.status == BuildStatus.FAILED
    assert lines == await full_log(service, log.build)
    assert any("exit status 1" in line for line in lines)
    pages: list[LogPage] = calls.ops("GetLogEvents")
    # 50 events a page, then one read that hands back the token it was given: caught up.
    total = sum(len(p.events) for p in pages)
    assert total == len(lines) and len(pages) == -(-total // 50) + 1
    assert not pages[-1].events and pages[-1].next_forward_token == pages[-2].next_forward_token
    assert len(calls.ops("BatchGetBuilds")) == 1
    assert log.mode == TailMode.DONE


async def test_polling_follows_a_running_build_until_a_read_after_it_finished_is_empty(
    sim: Simulator, service: AwsPipelineService
) -> None:
    build_id = soonest_running(sim)
    calls = Recorder(service)
    log = follower(sim, calls, build_id, live_tail=False)
    lines, modes = await drain(log)
    assert [m for m in modes if m != TailMode.STARTING] == [TailMode.READING, TailMode.POLLING, TailMode.DONE]
    assert log.build is not None and log.build.complete
    assert lines == await full_log(service, log.build)
    # Reads at the end of the stream hand back the token they were given ...
    pages: list[LogPage] = calls.ops("GetLogEvents")
    tokens = [p.next_forward_token for p in pages]
    assert sum(1 for a, b in pairwise(tokens) if a == b) > 10
    # ... and the follower stopped only after the build was seen finished AND a later read was empty.
    finished_at = next(
        i for i, (op, result) in enumerate(calls.log) if op == "BatchGetBuilds" and result[0].complete
    )
    after = [result for op, result in calls.log[finished_at + 1 :] if op == "GetLogEvents"]
    assert after and not after[-1].events
    assert calls.log[-1][0] == "GetLogEvents"
    assert "StartLiveTail" not in sim.calls


async def test_live_tail_follows_a_running_build(sim: Simulator, service: AwsPipelineService) -> None:
    build_id = soonest_running(sim)
    live = LiveTally(service, sim)
    calls = Recorder(live)
    # Up to 5 simulated seconds per wait: the simulator buffers 10 live updates, so none is lost.
    log = follower(sim, calls, build_id, step=5.0, live=live)
    # Two 5 s steps would use up the 10 s start timeout while the first update is still on its way
    # over loopback (seen under load); what this test follows is the session, not its start timeout.
    log.live_start_timeout = 60.0
    lines, modes = await drain(log)
    assert live.open == 0  # the session was closed (the simulator ends its stream at once)
    assert TailMode.LIVE in modes
    assert log.live_error is None
    assert log.live_events > 0
    assert sim.calls["StartLiveTail"] == 1
    assert log.build is not None and log.build.complete
    # Gap read + live events + the reconciling read: exactly the log, no duplicates, in order.
    assert lines == await full_log(service, log.build)


async def test_live_tail_failure_falls_back_to_polling(sim: Simulator, service: AwsPipelineService) -> None:
    sim.set_faults("deny=StartLiveTail")
    build_id = soonest_running(sim)
    log = follower(sim, Recorder(service), build_id)
    lines, modes = await drain(log)
    assert isinstance(log.live_error, AccessDenied)
    assert TailMode.POLLING in modes and log.mode == TailMode.DONE
    assert log.build is not None
    assert lines == await full_log(service, log.build)


async def test_throttling_backs_off_and_carries_on(sim: Simulator) -> None:
    # One attempt per call: botocore's own retries (real sleeps) would hide the follower's back-off.
    (service,) = sim_services(sim, [TARGET], credentials=DEMO_CREDENTIALS, max_attempts=1)
    sim.set_faults("throttle=0.3@GetLogEvents+BatchGetBuilds")
    notices: list[str] = []
    advance = sim_sleep(sim)

    async def wait(seconds: float) -> None:
        notices.append(log.notice or "")  # what the status line shows during the wait
        await advance(seconds)

    log = LogFollower(
        Recorder(service), finished_build(sim, "SUCCEEDED"), region="us-east-1", page_limit=20,
        sleep=wait, clock=sim_time(sim),
    )  # fmt: skip
    lines, _ = await drain(log)
    assert sim.fault_counts["throttle"] > 0
    assert any(n.startswith("throttled on") and "retrying in" in n for n in notices)
    assert log.notice is None
    sim.set_faults("")
    assert log.build is not None
    assert lines == await full_log(service, log.build)


async def test_unknown_build_and_expired_stream_say_why_with_a_link(
    sim: Simulator, service: AwsPipelineService
) -> None:
    log = follower(sim, Recorder(service), "no-such-project:00000000-0000-0000-0000-000000000000")
    with pytest.raises(LogsUnavailable, match="not found") as unknown:
        await drain(log)
    assert unknown.value.deep_link and "codebuild" in unknown.value.deep_link
    # A finished build whose stream is gone (retention expired): ResourceNotFoundException.
    build_id = finished_build(sim)
    world = sim.engine.world()
    gone = world.builds[build_id]
    del world.logs.groups[gone.log_group].streams[gone.log_stream]
    log = follower(sim, Recorder(service), build_id)
    with pytest.raises(LogsUnavailable, match="expired") as expired:
        await drain(log)
    assert expired.value.deep_link and "cloudwatch" in expired.value.deep_link
    assert expired.value.build is not None and expired.value.build.build_id == build_id


class _NoCloudWatch:
    """A stand-in service for the one branch the simulator does not model: logging turned off."""

    def __init__(self, logs: BuildLogs) -> None:
        self.logs = logs

    async def batch_get_builds(self, ids: list[str]) -> list[Build]:
        arn = "arn:aws:codebuild:us-east-1:123456789012:build/p:1"
        return [Build("p:1", arn, "p", BuildStatus.SUCCEEDED, logs=self.logs)]


@pytest.mark.parametrize(
    ("logs", "reason"),
    [
        (BuildLogs(cloudwatch_enabled=False, s3_location="acme-logs/p/1.gz"), "S3 only"),
        (BuildLogs(cloudwatch_enabled=False), "turned off"),
        (BuildLogs(), "no CloudWatch log stream"),
    ],
)
async def test_builds_without_cloudwatch_logs(logs: BuildLogs, reason: str) -> None:
    stub: Any = _NoCloudWatch(logs)

    def call(operation: str, fn: Callable[[Any], Awaitable[T]]) -> Awaitable[T]:
        return fn(stub)

    log = LogFollower(call, "p:1", region="us-east-1")
    with pytest.raises(LogsUnavailable, match=reason) as error:
        await drain(log)
    assert error.value.deep_link and "p%3A1" in error.value.deep_link


def test_the_follower_and_the_line_ring_do_not_import_textual() -> None:
    import subprocess
    import sys

    modules = "tui.core.logtail, tui.core.logmerge, tui.core.action_build, tui.core.logbuffer"
    code = f"import sys, {modules}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
