"""Random API responses generated from botocore's own output shapes, seeded.

``ShapeGen(seed).output("codepipeline", "GetPipelineState")`` returns a JSON-ready dict that is
valid for the operation's output shape in type, but otherwise unexpected: optional members come
and go at random, enums take known values and values AWS has not invented yet, strings hold plain
words, wide characters and markup, lists are empty or not. ``parse`` runs it through botocore's
own JSON parser, so tests see exactly what the client returns. ``GeneratedEndpoint`` serves such
responses over the JSON 1.1 protocol on loopback for the CodePipeline reads the app makes (plus
STS GetCallerIdentity), keeping only what the app needs to find its way: names and ids it asked
for come back, and no endless pagination.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from aiohttp import web
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser

UNKNOWN_ENUMS = ("FutureValue", "QUANTUM", "", "in_progress", "Succeeded ")
WORDS = ("deploy", "fix", "léger", "漢字", "🚀", "[bold]x[/bold]", "a" * 80, "tab\tand\nline", "-", "@")
# Members the app needs to address a thing; AWS always sends them in practice (the model says
# optional), so they are present 90% of the time rather than half.
IDENTITY_MEMBERS = frozenset(
    {"name", "pipelineExecutionId", "actionExecutionId", "stageName", "actionName", "id", "pipelineName"}
)
_SESSION = botocore.session.get_session()


def operation_model(service: str, operation: str) -> OperationModel:
    return _SESSION.get_service_model(service).operation_model(operation)


@dataclass
class ShapeGen:
    """Seeded values for botocore shapes."""

    seed: int
    optional: float = 0.5  # chance an optional member is present
    unknown_enum: float = 0.25  # chance an enum takes a value outside the model
    max_items: int = 3
    max_depth: int = 9
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def output(self, service: str, operation: str) -> dict[str, Any]:
        """A response body for ``operation`` (without event-stream members)."""
        shape = operation_model(service, operation).output_shape
        return self.value(shape) if shape is not None else {}

    def value(self, shape: Shape, depth: int = 0, name: str = "") -> Any:
        kind = shape.type_name
        if kind == "structure":
            out: dict[str, Any] = {}
            if depth > self.max_depth:
                return out
            required = set(shape.required_members)
            for member, sub in shape.members.items():
                if sub.serialization.get("eventstream"):
                    continue
                chance = 0.9 if member in IDENTITY_MEMBERS else self.optional
                if member in required or self.rng.random() < chance:
                    out[member] = self.value(sub, depth + 1, member)
            return out
        if kind == "list":
            count = self.rng.randint(0, self.max_items) if depth <= self.max_depth else 0
            return [self.value(shape.member, depth + 1, name) for _ in range(count)]  # type: ignore[attr-defined]
        if kind == "map":
            count = self.rng.randint(0, 2) if depth <= self.max_depth else 0
            return {self.text(): self.value(shape.value, depth + 1) for _ in range(count)}  # type: ignore[attr-defined]
        if kind == "string":
            if shape.enum:
                if self.rng.random() < self.unknown_enum:
                    return self.rng.choice(UNKNOWN_ENUMS)
                return self.rng.choice(shape.enum)
            return self.text()
        if kind in ("integer", "long"):
            low = int(shape.metadata.get("min", 0))
            return self.rng.randint(low, max(low, min(int(shape.metadata.get("max", 10_000)), 10_000)))
        if kind in ("double", "float"):
            return self.rng.uniform(0, 1000)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            # 2020..2030, and now and then one from the future or the epoch.
            return self.rng.choice((self.rng.uniform(1.58e9, 1.9e9), 0.0, 4.1e9))
        if kind == "blob":
            return base64.b64encode(self.text().encode()).decode()
        return None

    def text(self) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(0, 4))]
        return " ".join(words) if self.rng.random() < 0.8 else "".join(words)


def parse(service: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as botocore's client would return it (timestamps as datetimes, ...)."""
    model = operation_model(service, operation)
    parser = create_parser(model.service_model.protocol)
    raw = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    parsed: dict[str, Any] = parser.parse(raw, model.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


# --- a loopback endpoint ----------------------------------------------------------------------

CALLER = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/gen/gen</Arn>
<UserId>AROAGEN:gen</UserId><Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>gen-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""
Fixer = Callable[[dict[str, Any], dict[str, Any]], None]


class GeneratedEndpoint:
    """Answers the app's CodePipeline reads with generated responses (aiohttp on loopback).

    ``pipelines`` names are fixed (so later calls can ask for them); ``history`` is how many
    executions ListPipelineExecutions pages through for a history screen (maxResults > 1).
    """

    def __init__(self, seed: int, *, pipelines: int = 6, history: int = 1000) -> None:
        self.gen = ShapeGen(seed)
        self.names = [f"gen-{i}" for i in range(pipelines)]
        self.history = history
        self.calls: list[str] = []
        self.definitions: dict[str, dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._fixers: dict[str, Fixer] = {
            "ListPipelines": self._list_pipelines,
            "GetPipeline": self._get_pipeline,
            "GetPipelineState": self._get_state,
            "ListPipelineExecutions": self._list_executions,
            "GetPipelineExecution": self._get_execution,
            "ListActionExecutions": self._no_more_pages,
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        target = request.headers.get("X-Amz-Target")
        if target is None:  # STS speaks the query protocol
            self.calls.append("GetCallerIdentity")
            return web.Response(body=CALLER.encode(), content_type="text/xml")
        operation = target.rsplit(".", 1)[-1]
        self.calls.append(operation)
        fixer = self._fixers.get(operation)
        if fixer is None or not target.startswith("CodePipeline_"):
            error = {"__type": "UnknownOperationException", "message": f"{operation} is not generated"}
            return web.json_response(error, status=400, content_type="application/x-amz-json-1.1")
        params = json.loads(body or b"{}")
        response = self.gen.output("codepipeline", operation)
        fixer(params, response)
        return web.Response(body=json.dumps(response).encode(), content_type="application/x-amz-json-1.1")

    # Only what the app needs to find its way is fixed; everything else stays as generated.

    def _list_pipelines(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        items = [self.gen.value(_shape("PipelineSummary")) for _ in self.names]
        for item, name in zip(items, self.names, strict=True):
            item["name"] = name
        out["pipelines"] = items
        out.pop("nextToken", None)

    def _get_pipeline(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        declaration = out.setdefault("pipeline", self.gen.value(_shape("PipelineDeclaration")))
        declaration["name"] = params["name"]
        self.definitions[params["name"]] = declaration

    def _get_state(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        out["pipelineName"] = params["name"]
        stages = (self.definitions.get(params["name"]) or {}).get("stages") or []
        for i, stage_state in enumerate(out.get("stageStates") or []):
            # Mostly the definition's stages (the normal case), now and then one it does not have.
            if i < len(stages) and self.gen.rng.random() < 0.7 and "name" in stages[i]:
                stage_state["stageName"] = stages[i]["name"]

    def _list_executions(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        out.pop("nextToken", None)
        if params.get("maxResults", 100) <= 1:
            out["pipelineExecutionSummaries"] = (out.get("pipelineExecutionSummaries") or [])[:1]
            if params["pipelineName"] == self.names[0]:
                # The first row's status is one AWS has not invented yet: shown as it is.
                first = self.gen.value(_shape("PipelineExecutionSummary"))
                first.update(pipelineExecutionId="gen-exec-0", status="FutureStatus")
                out["pipelineExecutionSummaries"] = [first]
            return
        # A history screen: more executions than asked for, page after page.
        start = int(params.get("nextToken") or 0)
        page = [
            self.gen.value(_shape("PipelineExecutionSummary")) for _ in range(min(1000, self.history - start))
        ]
        for i, item in enumerate(page):
            item["pipelineExecutionId"] = f"gen-exec-{start + i}"
        out["pipelineExecutionSummaries"] = page
        if start + len(page) < self.history:
            out["nextToken"] = str(start + len(page))

    def _get_execution(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        execution = out.setdefault("pipelineExecution", {})
        execution["pipelineName"] = params["pipelineName"]
        execution["pipelineExecutionId"] = params["pipelineExecutionId"]

    def _no_more_pages(self, params: dict[str, Any], out: dict[str, Any]) -> None:
        out.pop("nextToken", None)


def _shape(name: str) -> Shape:
    return _SESSION.get_service_model("codepipeline").shape_for(name)
