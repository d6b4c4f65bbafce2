"""The long-polling loop over one target's queue: receive, hand over, delete, release on exit.

``Receiver.run`` repeats ReceiveMessage (``WaitTimeSeconds=20``, up to 10 messages) until it is
cancelled. Each batch is parsed (``consumer.parse_event``) and handed to ``on_events``, which
applies the events to the store and asks for the confirming reads; it may return an awaitable that
ends once those reads are done. The handled messages are then deleted with DeleteMessageBatch (in
the background: the next receive does not wait for the confirmations). What was received but not
deleted when the loop is cancelled (the app exits) is made visible again at once
(ChangeMessageVisibility 0), so the next run, or another reader, gets it without waiting for the
visibility timeout.

These calls are outside the CodePipeline rate budget: one long poll per 20 s per target.

``on_state`` hears whether the queue works: ``(True, None)`` after a receive succeeds, ``(False,
reason)`` when it fails: the app then polls as before. A missing or refused queue is retried every
``retry_after`` seconds (a queue created or a permission granted meanwhile brings push mode back);
a network failure is retried sooner, with a back-off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tui.aws.errors import AccessDenied, AwsError, CredentialsError, NotFound
from tui.events.consumer import NotAnEvent, PipelineEvent, parse_event

log = logging.getLogger(__name__)

WAIT_SECONDS = 20
MAX_MESSAGES = 10
_BATCH = 10  # DeleteMessageBatch / ChangeMessageVisibilityBatch take at most 10 entries

REASON_DENIED = "access denied on sqs:ReceiveMessage"
REASON_MISSING = "queue does not exist"
REASON_UNREACHABLE = "queue unreachable"
REASON_CREDENTIALS = "credentials expired"


class QueueApi(Protocol):
    async def aws_call(
        self, service: str, operation: str, *, mutation: bool = False, **params: Any
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Message:
    message_id: str
    handle: str
    body: str


def why(error: AwsError) -> str:
    """The header's reason for falling back to polling, from the receive's failure."""
    if isinstance(error, AccessDenied):
        action = error.missing_action or "sqs:ReceiveMessage"
        return f"access denied on {action}"
    if isinstance(error, NotFound):
        return REASON_MISSING
    if isinstance(error, CredentialsError):
        return REASON_CREDENTIALS
    return REASON_UNREACHABLE


class Receiver:
    """Reads one queue until cancelled. ``managed``: cptui made the queue, so a message that is not
    an event cptui reads is deleted; in someone else's queue it is left for its owner."""

    def __init__(
        self,
        api: QueueApi,
        queue_url: str,
        on_events: Callable[[list[PipelineEvent]], Awaitable[None] | None],
        on_state: Callable[[bool, str | None], None],
        *,
        managed: bool = True,
        wait_seconds: int = WAIT_SECONDS,
        retry_after: float = 300.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.api = api
        self.queue_url = queue_url
        self.on_events = on_events
        self.on_state = on_state
        self.managed = managed
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.backoff_max = backoff_max
        self.received = 0
        self.deleted = 0
        self.released = 0
        self.ignored = 0
        self._pending: list[Message] = []  # received, not handed over yet
        # Batches handed over whose confirmations are awaited before they are deleted.
        self._settling: dict[asyncio.Task[None], list[Message]] = {}

    async def receive(self, wait: int | None = None) -> list[Message]:
        answer = await self.api.aws_call(
            "sqs",
            "ReceiveMessage",
            QueueUrl=self.queue_url,
            WaitTimeSeconds=self.wait_seconds if wait is None else wait,
            MaxNumberOfMessages=MAX_MESSAGES,
        )
        out: list[Message] = []
        for raw in answer.get("Messages") or []:
            handle, body = raw.get("ReceiptHandle"), raw.get("Body")
            if isinstance(handle, str) and isinstance(body, str):
                out.append(Message(str(raw.get("MessageId") or ""), handle, body))
        return out

    async def run(self) -> None:
        """Receive until cancelled; releases what it holds on the way out."""
        failures = 0
        ok = False
        try:
            while True:
                try:
                    # The first receive (and the first after a failure) does not wait: whether the
                    # queue works is known at once, not after a 20 s long poll.
                    self._pending = await self.receive(None if ok else 0)
                except AwsError as error:
                    failures += 1
                    ok = False
                    self.on_state(False, why(error))
                    if isinstance(error, AccessDenied | NotFound | CredentialsError):
                        delay = self.retry_after
                    else:
                        delay = min(self.backoff_max, 2.0 ** min(failures, 6))
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                ok = True
                self.on_state(True, None)
                if self._pending:
                    await self._handle(self._pending)
                    self._pending = []
        finally:
            held, self._pending = self._pending, []
            for task, messages in list(self._settling.items()):
                task.cancel()
                held.extend(messages)
            if self._settling:
                await asyncio.gather(*self._settling, return_exceptions=True)
                self._settling.clear()
            if held:
                await asyncio.shield(self.release(held))

    async def _handle(self, messages: list[Message]) -> None:
        self.received += len(messages)
        events: list[PipelineEvent] = []
        done: list[Message] = []
        for message in messages:
            try:
                events.append(parse_event(message.body))
                done.append(message)
            except NotAnEvent as exc:
                self.ignored += 1
                log.info("ignoring message %s: %s", message.message_id, exc)
                if self.managed:
                    done.append(message)  # it would come back forever
        result = self.on_events(events) if events else None
        if result is None:
            await self.delete(done)
            return
        task = asyncio.get_running_loop().create_task(self._settle(result, done))
        self._settling[task] = done

    async def _settle(self, confirmed: Awaitable[None], messages: list[Message]) -> None:
        """Delete a batch once its confirming reads are done."""
        try:
            await confirmed
            await self.delete(messages)
        finally:
            self._settling.pop(asyncio.current_task(), None)  # type: ignore[arg-type]

    async def delete(self, messages: Sequence[Message]) -> None:
        """DeleteMessageBatch, ten at a time; failures are logged (the message comes back later
        and is dropped then as a duplicate)."""
        for start in range(0, len(messages), _BATCH):
            chunk = messages[start : start + _BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": m.handle} for i, m in enumerate(chunk)]
            try:
                answer = await self.api.aws_call(
                    "sqs", "DeleteMessageBatch", mutation=True, QueueUrl=self.queue_url, Entries=entries
                )
            except AwsError as exc:
                log.warning("DeleteMessageBatch failed: %s", exc)
                continue
            self.deleted += len(answer.get("Successful") or [])

    async def release(self, messages: Sequence[Message]) -> None:
        """Make received messages visible again now (ChangeMessageVisibility 0)."""
        for message in messages:
            try:
                await self.api.aws_call(
                    "sqs",
                    "ChangeMessageVisibility",
                    mutation=True,
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message.handle,
                    VisibilityTimeout=0,
                )
                self.released += 1
            except AwsError as exc:
                log.info("could not release message %s: %s", message.message_id, exc)
