"""StartLiveTail: an event-stream response that pushes a ``sessionUpdate`` per simulated second.

The stream opens with the JSON protocol's ``initial-response`` event, then ``sessionStart``, then
one ``sessionUpdate`` for every second the clock moves on, with the events that arrived in that
second (at most 500; beyond that a sample, flagged ``sampled``). Like CloudWatch, at most ten
updates are buffered: if the clock jumps further, older seconds are dropped. After three
simulated hours the session ends with ``SessionTimeoutException``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tui.sim import eventstream
from tui.sim.errors import SimError
from tui.sim.handlers_codebuild_logs import matcher
from tui.sim.logstream import LogStream
from tui.sim.protocol import Ctx

if TYPE_CHECKING:
    from tui.sim.engine import Engine

MAX_PER_UPDATE = 500
MAX_BUFFERED_UPDATES = 10
SESSION_SECONDS = 3 * 3600
POLL_SECONDS = 0.02  # real time between looks at the clock


def _matching_streams(ctx: Ctx, params: dict[str, Any]) -> list[tuple[str, LogStream]]:
    names = params.get("logStreamNames") or []
    prefixes = params.get("logStreamNamePrefixes") or []
    out = []
    for ident in params["logGroupIdentifiers"]:
        group = ctx.world.logs.resolve_group(ident)
        if group is None:
            continue
        for name, stream in group.streams.items():
            if names and name not in names:
                continue
            if prefixes and not any(name.startswith(p) for p in prefixes):
                continue
            out.append((ident, stream))
    return out


async def start_live_tail(
    ctx: Ctx, params: dict[str, Any], engine: Engine, request: web.Request
) -> web.StreamResponse:
    """Serve one Live Tail session until the client leaves or the session times out."""
    for ident in params["logGroupIdentifiers"]:
        if ctx.world.logs.resolve_group(ident) is None:
            raise SimError("ResourceNotFoundException", f"Log group {ident} does not exist.")
    match = matcher(params.get("logEventFilterPattern"))
    account, region = ctx.world.account, ctx.world.region
    response = web.StreamResponse(
        status=200,
        headers={"Content-Type": eventstream.CONTENT_TYPE, "x-amzn-RequestId": ctx.request_id},
    )
    await response.prepare(request)
    start = {
        "requestId": ctx.request_id,
        "sessionId": ctx.request_id,
        "logGroupIdentifiers": list(params["logGroupIdentifiers"]),
    }
    for key in ("logStreamNames", "logStreamNamePrefixes", "logEventFilterPattern"):
        if params.get(key):
            start[key] = params[key]
    try:
        await response.write(eventstream.event("initial-response", {}))
        await response.write(eventstream.event("sessionStart", start))
        last = ctx.world.now
        seen: dict[int, int] = {id(s): s.visible(last) for _, s in _matching_streams(ctx, params)}
        deadline = last + SESSION_SECONDS
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if request.transport is None or request.transport.is_closing():
                return response  # the client went away
            now = engine.now()
            if now - last < 1.0:
                continue
            ticks = int(now - last)
            skipped = max(0, ticks - MAX_BUFFERED_UPDATES)
            with engine.lock:
                world = engine.world(account, region)
                ctx = Ctx(ctx.caller, world, ctx.request_id)
                streams = _matching_streams(ctx, params)
                updates = [
                    _update(streams, seen, last + k + 1, match, discard=k < skipped) for k in range(ticks)
                ]
            for update in updates:
                if update is not None:
                    await response.write(eventstream.event("sessionUpdate", update))
            if last + ticks >= deadline:
                await response.write(
                    eventstream.exception("SessionTimeoutException", "Session timed out after three hours.")
                )
                return response
            last += ticks
    except (ConnectionResetError, asyncio.CancelledError):
        return response


def _update(
    streams: list[tuple[str, LogStream]], seen: dict[int, int], tick: float, match: Any, discard: bool
) -> dict[str, Any] | None:
    results: list[dict[str, Any]] = []
    for ident, stream in streams:
        upto = stream.visible(tick)
        begin = seen.get(id(stream), 0)
        seen[id(stream)] = upto
        if discard:
            continue
        for i in range(begin, upto):
            ms, msg, ing = stream.event(i)
            if match(msg):
                results.append(
                    {
                        "logStreamName": stream.name,
                        "logGroupIdentifier": ident,
                        "message": msg,
                        "timestamp": ms,
                        "ingestionTime": ing,
                    }
                )
    if discard:
        return None
    sampled = len(results) > MAX_PER_UPDATE
    if sampled:
        step = len(results) / MAX_PER_UPDATE
        results = [results[int(i * step)] for i in range(MAX_PER_UPDATE)]
    results.sort(key=lambda r: r["timestamp"])
    return {"sessionMetadata": {"sampled": sampled}, "sessionResults": results}
