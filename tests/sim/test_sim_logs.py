"""CloudWatch Logs in the simulator: GetLogEvents tokens, FilterLogEvents, StartLiveTail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.support.sim import aio_client
from tui.sim import Simulator
from tui.sim.world.builds import Build


def _running(sim: Simulator, project: str) -> Build:
    return next(b for b in sim.engine.world().running_builds() if b.project == project)


@pytest.mark.slow
async def test_follow_a_running_build_with_forward_tokens(sim: Simulator) -> None:
    build = _running(sim, "auth-service-build")
    args = {"logGroupName": build.log_group, "logStreamName": build.log_stream}
    async with aio_client(sim, "logs") as logs:
        first = await logs.get_log_events(**args, startFromHead=True)
        assert first["events"] and first["events"][0]["message"].startswith("[Container] ")
        at_end = await logs.get_log_events(**args, startFromHead=True, nextToken=first["nextForwardToken"])
        assert at_end["events"] == []
        assert at_end["nextForwardToken"] == first["nextForwardToken"]  # same token at the end
        sim.clock.advance(120)
        more = await logs.get_log_events(**args, startFromHead=True, nextToken=at_end["nextForwardToken"])
        assert more["events"] and more["nextForwardToken"] != first["nextForwardToken"]
        assert more["events"][0]["timestamp"] >= first["events"][-1]["timestamp"]
        whole = await logs.get_log_events(**args, startFromHead=True)
        assert [e["message"] for e in whole["events"]] == [
            e["message"] for e in first["events"] + more["events"]
        ]


async def test_read_backwards_from_the_tail(sim: Simulator) -> None:
    world = sim.engine.world()
    done = next(b for b in world.builds.values() if b.complete_at(world.now) and b.kind == "test")
    args = {"logGroupName": done.log_group, "logStreamName": done.log_stream}
    async with aio_client(sim, "logs") as logs:
        everything = (await logs.get_log_events(**args, startFromHead=True))["events"]
        tail = await logs.get_log_events(**args, limit=10)
        assert tail["events"] == everything[-10:]
        before = await logs.get_log_events(**args, limit=10, nextToken=tail["nextBackwardToken"])
        assert before["events"] == everything[-20:-10]
        head = await logs.get_log_events(**args, startFromHead=True, limit=5)
        at_head = await logs.get_log_events(**args, nextToken=head["nextBackwardToken"])
        assert at_head["events"] == [] and at_head["nextBackwardToken"] == head["nextBackwardToken"]
        window = await logs.get_log_events(
            **args,
            startFromHead=True,
            startTime=everything[5]["timestamp"],
            endTime=everything[9]["timestamp"],
        )
        assert all(
            everything[5]["timestamp"] <= e["timestamp"] < everything[9]["timestamp"]
            for e in window["events"]
        )
        with pytest.raises(logs.exceptions.InvalidParameterException):
            await logs.get_log_events(**args, nextToken="x/123")
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            await logs.get_log_events(logGroupName=done.log_group, logStreamName="no-such-stream")


@pytest.mark.simulator(log_rate=3000)
async def test_firehose_pages_are_capped_and_filter_paginates(sim: Simulator) -> None:
    train = _running(sim, "ml-train")
    args = {"logGroupName": train.log_group, "logStreamName": train.log_stream}
    async with aio_client(sim, "logs") as logs:
        page = await logs.get_log_events(**args, startFromHead=True)
        size = sum(len(e["message"].encode()) + 26 for e in page["events"])
        assert len(page["events"]) < 10_000 and 1_048_576 - 500 < size <= 1_048_576  # the 1 MB cap
        small = await logs.get_log_events(**args, startFromHead=True, limit=100)
        assert len(small["events"]) == 100
        found = await logs.filter_log_events(logGroupName=train.log_group, filterPattern="epoch", limit=50)
        assert len(found["events"]) == 50 and found["nextToken"]
        again = await logs.filter_log_events(
            logGroupName=train.log_group, filterPattern="epoch", limit=50, nextToken=found["nextToken"]
        )
        assert again["events"][0]["timestamp"] >= found["events"][-1]["timestamp"]
        assert {e["eventId"] for e in found["events"]}.isdisjoint(e["eventId"] for e in again["events"])
        none = await logs.filter_log_events(
            logGroupName=train.log_group,
            filterPattern="-epoch -Container",
            logStreamNames=[train.log_stream],
            limit=20,
        )
        assert all("epoch" not in e["message"] for e in none["events"])


async def _next(stream: Any) -> dict[str, Any]:
    return await asyncio.wait_for(stream.__anext__(), timeout=5)  # type: ignore[no-any-return]


@asynccontextmanager
async def live_tail(sim: Simulator, **request: Any) -> AsyncIterator[tuple[Any, dict[str, Any]]]:
    """A StartLiveTail session on the simulator: its event stream and the first event (sessionStart);
    the stream is closed after."""
    async with aio_client(sim, "logs") as logs:
        response = await logs.start_live_tail(**request)
        events = response["responseStream"].__aiter__()
        start = await _next(events)
        yield events, start
        response["responseStream"].close()


async def test_live_tail_starts_then_pushes_one_update_per_second(sim: Simulator) -> None:
    build = _running(sim, "auth-service-build")
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{build.log_group}"
    stream = [build.log_stream]
    async with live_tail(sim, logGroupIdentifiers=[group_arn], logStreamNames=stream) as (events, start):
        assert start["sessionStart"]["logGroupIdentifiers"] == [group_arn]
        seen: list[dict[str, Any]] = []
        for _ in range(30):
            sim.clock.advance(1)
            update = await _next(events)
            seen += update["sessionUpdate"]["sessionResults"]
            assert update["sessionUpdate"]["sessionMetadata"]["sampled"] is False
        assert seen and all(r["logStreamName"] == build.log_stream for r in seen)
        times = [r["timestamp"] for r in seen]
        assert times == sorted(times)


@pytest.mark.slow
@pytest.mark.simulator(log_rate=3000)
async def test_live_tail_samples_a_firehose(sim: Simulator) -> None:
    train = _running(sim, "ml-train")
    async with live_tail(sim, logGroupIdentifiers=[train.log_group]) as (events, _):
        sim.clock.advance(1)
        update = (await _next(events))["sessionUpdate"]
        assert update["sessionMetadata"]["sampled"] is True
        assert len(update["sessionResults"]) == 500


async def test_live_tail_times_out_after_three_hours(sim: Simulator) -> None:
    from botocore.exceptions import EventStreamError

    build = _running(sim, "auth-service-build")
    async with live_tail(sim, logGroupIdentifiers=[build.log_group]) as (events, _):
        sim.clock.advance(3 * 3600)
        updates = 0
        with pytest.raises(EventStreamError, match="SessionTimeoutException"):
            while True:
                await _next(events)
                updates += 1
        assert updates == 10  # only the ten most recent seconds are buffered
