"""Reading a StartLiveTail event stream as lists of ``LogEvent``, one list per session update."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from botocore.eventstream import ParserError

from tui.aws import convert
from tui.aws.errormap import map_error
from tui.aws.errors import Unsupported
from tui.core.model import LiveBatch, LogEvent

_OPERATION = "StartLiveTail"


async def live_tail_updates(
    response: Mapping[str, Any], *, profile: str | None
) -> AsyncIterator[list[LogEvent]]:
    """Yield each ``sessionUpdate``'s events (an empty list is a heartbeat: the tail is alive).

    Stream errors (a session that times out after three hours, a dropped connection) are raised
    as domain errors; an endpoint that answered with something other than an event stream
    raises ``Unsupported`` so the caller falls back to GetLogEvents.
    """
    stream = response.get("responseStream")
    if stream is None or not hasattr(stream, "__aiter__"):
        raise Unsupported(
            "live tail is not supported by this endpoint (no event stream in the response)",
            code="NoEventStream",
            operation=_OPERATION,
        )
    events = stream.__aiter__()
    try:
        while True:
            try:
                event = await events.__anext__()
            except StopAsyncIteration:
                return
            except ParserError as exc:
                raise Unsupported(
                    f"live tail is not supported by this endpoint ({exc})",
                    code=type(exc).__name__,
                    operation=_OPERATION,
                ) from exc
            except Exception as exc:
                raise map_error(exc, _OPERATION, mutation=False, profile=profile) from exc
            update = event.get("sessionUpdate") if isinstance(event, Mapping) else None
            if update is None:
                continue  # sessionStart, or an event type newer than this code
            metadata = update.get("sessionMetadata")
            sampled = bool(metadata.get("sampled")) if isinstance(metadata, Mapping) else False
            yield LiveBatch(
                (convert.log_event(e) for e in update.get("sessionResults") or []), sampled=sampled
            )
    finally:
        await events.aclose()
        stream.close()
