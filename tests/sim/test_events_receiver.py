"""``tui.events.receiver`` against the simulator's SQS with the real aiobotocore client: events
arrive, are handed over and deleted; what is held at exit is released; a missing or refused queue
is reported (the app falls back to polling)."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.apps import sim_services
from tests.support.wait import poll_until
from tui.aws.client import AwsPipelineService
from tui.core.model import Target
from tui.events.consumer import PipelineEvent
from tui.events.receiver import REASON_DENIED, REASON_MISSING, Receiver
from tui.sim import Simulator

ACCOUNT = "123456789012"


@pytest.fixture
def service(sim: Simulator) -> AwsPipelineService:
    (made,) = sim_services(sim, [Target(region="us-east-1")], credentials=(f"AKID{ACCOUNT}", "x", None))
    return made


async def test_events_are_handed_over_then_deleted(sim: Simulator, service: AwsPipelineService) -> None:
    queue = sim.setup_event_queue()
    sim.clock.advance(120)  # the demo's pipelines move: events queue up
    got: list[PipelineEvent] = []
    states: list[tuple[bool, str | None]] = []
    receiver = Receiver(
        service, queue.url, got.extend, lambda ok, why: states.append((ok, why)), wait_seconds=1
    )
    task = asyncio.create_task(receiver.run())
    await poll_until(lambda: receiver.deleted >= 1 and receiver.deleted == receiver.received)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert got and all(e.kind in ("pipeline", "stage", "action", "build", "phase") for e in got)
    assert states[0] == (True, None)
    q = sim.engine.sqs.queues[(ACCOUNT, "us-east-1", "cptui-events")]
    assert all(m.in_flight is False for m in q.messages.values())  # nothing left held


async def test_messages_held_at_exit_are_released(sim: Simulator, service: AwsPipelineService) -> None:
    queue = sim.setup_event_queue()
    sim.clock.advance(120)
    stuck = asyncio.Event()

    async def never_done(events: list[PipelineEvent]) -> None:
        stuck.set()
        await asyncio.Event().wait()  # the app exits before this batch is applied

    # Short polls: a long poll still open at the server when the app exits would take the released
    # messages again (what failed this test now and then on a busy machine).
    receiver = Receiver(service, queue.url, never_done, lambda ok, why: None, wait_seconds=0)
    task = asyncio.create_task(receiver.run())
    await asyncio.wait_for(stuck.wait(), 20)
    held = receiver.received
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert held and receiver.released == held and receiver.deleted == 0
    q = sim.engine.sqs.queues[(ACCOUNT, "us-east-1", "cptui-events")]
    now = sim.engine.now()
    assert sum(m.visible_at <= now for m in q.messages.values()) >= held  # visible again at once


async def reported(service: AwsPipelineService, url: str) -> list[tuple[bool, str | None]]:
    """What a receiver on ``url`` reports first (it then waits a minute before trying again)."""
    states: list[tuple[bool, str | None]] = []
    receiver = Receiver(
        service, url, lambda e: None, lambda ok, why: states.append((ok, why)), retry_after=60
    )
    task = asyncio.create_task(receiver.run())
    await poll_until(lambda: bool(states))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return states


async def test_a_deleted_queue_is_reported(sim: Simulator, service: AwsPipelineService) -> None:
    queue = sim.setup_event_queue()
    await service.aws_call("sqs", "DeleteQueue", mutation=True, QueueUrl=queue.url)
    assert await reported(service, queue.url) == [(False, REASON_MISSING)]


async def test_denied_receive_is_reported_with_the_action(
    sim: Simulator, service: AwsPipelineService
) -> None:
    sim.set_faults("deny=ReceiveMessage")
    queue = sim.setup_event_queue()
    assert await reported(service, queue.url) == [(False, REASON_DENIED)]


async def test_a_batch_is_deleted_after_its_confirmation_and_released_if_it_never_comes(
    sim: Simulator, service: AwsPipelineService
) -> None:
    queue = sim.setup_event_queue()
    sim.clock.advance(120)
    gates: list[asyncio.Event] = []

    def on_events(events: list[PipelineEvent]) -> object:
        gate = asyncio.Event()
        gates.append(gate)
        return gate.wait()  # the confirming reads, done when the gate opens

    receiver = Receiver(service, queue.url, on_events, lambda ok, why: None, wait_seconds=1)  # type: ignore[arg-type]
    task = asyncio.create_task(receiver.run())
    await poll_until(lambda: len(gates) >= 1)
    receives = sim.calls["ReceiveMessage"]
    await poll_until(lambda: sim.calls["ReceiveMessage"] > receives)  # it went on to the next receive ...
    assert receiver.deleted == 0  # ... and deleted nothing before it is confirmed
    gates[0].set()
    await poll_until(lambda: receiver.deleted >= 1)
    first = receiver.deleted
    for _ in range(50):  # more events: this batch is never confirmed
        if len(gates) >= 2:
            break
        receives = sim.calls["ReceiveMessage"]
        sim.clock.advance(300)
        # the receiver takes the next batch, or goes on to its next receive before time moves again
        await poll_until(lambda after=receives + 1: len(gates) >= 2 or sim.calls["ReceiveMessage"] > after)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert receiver.deleted == first and receiver.released == receiver.received - first
