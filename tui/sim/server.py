"""The simulator's HTTP front: one aiohttp route, AWS's JSON 1.1 (JSON 1.0 for SQS, whose errors
also carry ``x-amzn-query-error``) and the STS / IAM query protocols (GetCallerIdentity,
AssumeRole, ListAccountAliases). SQS's ReceiveMessage long-polls without holding the engine lock.

Every request: read the body, find the operation (``X-Amz-Target`` or the form's ``Action``),
count it, apply faults, validate input against botocore's model, bring the caller's world up to
the clock, run the handler, and answer with ``x-amzn-RequestId``.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import parse_qs

from aiohttp import web

from tui.sim import handlers_codebuild_logs as cbl
from tui.sim import handlers_events, handlers_sqs
from tui.sim.engine import Engine
from tui.sim.errors import SimError
from tui.sim.faults import Faults
from tui.sim.handlers_codepipeline import HANDLERS as CODEPIPELINE
from tui.sim.handlers_codepipeline import Handler
from tui.sim.livetail import start_live_tail
from tui.sim.protocol import (
    JSON_CONTENT_TYPE,
    Caller,
    Ctx,
    StsInvalid,
    caller_from,
    iam_account_aliases,
    json_body,
    json_error,
    sts_assume_role,
    sts_caller_identity,
    sts_error,
)
from tui.sim.sqs import FAULT_CODES, JSON10, QUERY_CODES
from tui.sim.validate import SERVICES, validate
from tui.sim.world.runners import new_uuid

HANDLERS: dict[str, dict[str, Handler]] = {
    "codepipeline": CODEPIPELINE,
    "codebuild": {"BatchGetBuilds": cbl.batch_get_builds},
    "logs": {"GetLogEvents": cbl.get_log_events, "FilterLogEvents": cbl.filter_log_events},
}


class SimServer:
    """Routes requests to handlers; owns the call counter and the fault injector."""

    def __init__(self, engine: Engine, faults: Faults) -> None:
        self.engine = engine
        self.faults = faults
        self.calls: Counter[str] = Counter()
        self.handlers = HANDLERS | {
            "sqs": handlers_sqs.handlers(engine),
            "events": handlers_events.handlers(engine),
        }
        self._ids = random.Random(f"{engine.seed}:request-ids")
        self.app = web.Application(client_max_size=8 * 1024 * 1024)
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def _request_id(self) -> str:
        return new_uuid(self._ids)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        request_id = self._request_id()
        caller = caller_from(request.headers.get("Authorization"))
        target = request.headers.get("X-Amz-Target")
        if target is None:
            return await self._query(request, body, caller, request_id)
        prefix, _, op = target.partition(".")
        service = SERVICES.get(prefix, "")
        self.calls[op] += 1
        try:
            params = self._params(body)
            fault = self.faults.decide(
                service, op, caller.account, caller.region, self._resource(service, caller, params)
            )
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                self._drop(request)
            if fault.code:
                raise SimError(fault.code, fault.message, fault.status)
            if service == "logs" and op == "StartLiveTail":
                validate(service, op, params)
                with self.engine.lock:
                    ctx = Ctx(caller, self.engine.world(caller.account, caller.region), request_id)
                return await start_live_tail(ctx, params, self.engine, request)
            handler = self.handlers.get(service, {}).get(op)
            if handler is None:
                raise SimError("UnknownOperationException", f"Operation {target} is not supported.")
            validate(service, op, params)
            endpoint = f"{request.scheme}://{request.host}"
            if service == "sqs" and op == "ReceiveMessage":
                result = await self._long_poll(handler, caller, request_id, endpoint, params)
            else:
                with self.engine.lock:
                    world = self.engine.world(caller.account, caller.region)
                    result = handler(Ctx(caller, world, request_id, endpoint), params)
            return web.Response(body=json_body(result), headers=self._headers(request_id, service))
        except SimError as err:
            return self._error(err, request_id, service)

    def _error(self, err: SimError, request_id: str, service: str) -> web.Response:
        headers = self._headers(request_id, service) | {"x-amzn-ErrorType": err.code}
        if service != "sqs":
            return web.Response(status=err.status, body=json_error(err.code, err.message), headers=headers)
        # SQS's JSON protocol is "query compatible": the old Query code rides in a header.
        kind = "Receiver" if err.status >= 500 else "Sender"
        wire, query = FAULT_CODES.get(
            err.code, (f"com.amazonaws.sqs#{err.code}", QUERY_CODES.get(err.code, err.code))
        )
        headers["x-amzn-query-error"] = f"{query};{kind}"
        body = json_error(wire, err.message)
        return web.Response(status=err.status, body=body, headers=headers)

    async def _long_poll(
        self, handler: Handler, caller: Caller, request_id: str, endpoint: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """ReceiveMessage: answer as soon as a message is visible, or after the wait (real time)."""
        wait = params.get("WaitTimeSeconds")
        deadline: float | None = None
        while True:
            with self.engine.lock:
                world = self.engine.world(caller.account, caller.region)
                self.engine.advance()  # every world's due transitions publish their events now
                ctx = Ctx(caller, world, request_id, endpoint)
                result = handler(ctx, params)
                if deadline is None:
                    if wait is None:
                        queue = self.engine.sqs.by_url(params["QueueUrl"], caller.region)
                        wait = int(queue.attr("ReceiveMessageWaitTimeSeconds"))
                    deadline = time.monotonic() + float(wait)
            if result or time.monotonic() >= deadline:
                return result
            await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))

    @staticmethod
    def _params(body: bytes) -> dict[str, Any]:
        try:
            params = json.loads(body or b"{}")
        except ValueError as exc:
            raise SimError("SerializationException", "Request body is not valid JSON") from exc
        if not isinstance(params, dict):
            raise SimError("SerializationException", "Request body must be a JSON object")
        return params

    @staticmethod
    def _headers(request_id: str, service: str = "") -> dict[str, str]:
        content_type = JSON10 if service == "sqs" else JSON_CONTENT_TYPE
        return {"Content-Type": content_type, "x-amzn-RequestId": request_id}

    @staticmethod
    def _resource(service: str, caller: Caller, params: dict[str, Any]) -> str:
        acct, region = caller.account, caller.region
        if service == "codepipeline":
            if params.get("resourceArn"):  # the tagging operations
                return str(params["resourceArn"])
            declared = params.get("pipeline")  # Create/UpdatePipeline
            declared_name = declared.get("name") if isinstance(declared, dict) else None
            name = params.get("pipelineName") or params.get("name") or declared_name
            return f"arn:aws:codepipeline:{region}:{acct}:{name}" if name else "*"
        if service == "logs":
            group = params.get("logGroupName")
            return f"arn:aws:logs:{region}:{acct}:log-group:{group}" if group else "*"
        if service == "codebuild":
            return f"arn:aws:codebuild:{region}:{acct}:project/*"
        if service == "sqs":
            parts = [p for p in str(params.get("QueueUrl") or params.get("QueueName") or "*").split("/") if p]
            return f"arn:aws:sqs:{region}:{acct}:{parts[-1]}" if parts else "*"
        if service == "events":
            name = params.get("Name") or params.get("Rule")
            if name:
                return f"arn:aws:events:{region}:{acct}:rule/{name}"
            return str(params.get("ResourceARN") or "*")
        return "*"

    @staticmethod
    def _drop(request: web.Request) -> NoReturn:
        # Close the socket without a byte of answer: the client sees a dropped connection.
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError

    async def _query(
        self, request: web.Request, body: bytes, caller: Caller, request_id: str
    ) -> web.Response:
        form = parse_qs(body.decode("utf-8", "replace"))
        op = (form.get("Action") or [""])[0]
        self.calls[op] += 1
        headers = {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}
        service = "iam" if op == "ListAccountAliases" else "sts"
        fault = self.faults.decide(service, op, caller.account, caller.region, "*")
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            self._drop(request)
        if fault.code:
            return web.Response(
                status=fault.status, body=sts_error(fault.code, fault.message, request_id), headers=headers
            )
        if op == "GetCallerIdentity":
            return web.Response(body=sts_caller_identity(caller, request_id), headers=headers)
        if op == "ListAccountAliases":
            return web.Response(body=iam_account_aliases(caller, request_id), headers=headers)
        if op == "AssumeRole":
            try:
                body_xml = sts_assume_role(form, request_id, datetime.now(UTC))
            except StsInvalid as exc:
                body_xml = sts_error("ValidationError", str(exc), request_id)
                return web.Response(status=400, body=body_xml, headers=headers)
            return web.Response(body=body_xml, headers=headers)
        body_xml = sts_error("InvalidAction", f"Could not find operation {op}", request_id)
        return web.Response(status=400, body=body_xml, headers=headers)
