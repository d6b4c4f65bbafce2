"""CodeBuild BatchGetBuilds and CloudWatch Logs GetLogEvents / FilterLogEvents.

GetLogEvents tokens are ``f/<n>/s`` (read forward from event n) and ``b/<n>/s`` (read backward,
ending before event n), as opaque to clients as AWS's. At the end of a stream the same
``nextForwardToken`` comes back, which is how AWS tells a follower there is nothing new.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from tui.sim import paging
from tui.sim.errors import SimError
from tui.sim.logstream import LogGroup, LogStream
from tui.sim.protocol import Ctx
from tui.sim.world.builds import Build
from tui.sim.world.world import World

MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26  # bytes AWS counts per event on top of its message
FILTER_SCAN_LIMIT = 20_000
_TOKEN = re.compile(r"^([fb])/(\d+)(?:/s)?$")


def build_dict(world: World, b: Build, now: float) -> dict[str, Any]:
    """One entry of BatchGetBuilds at time ``now``."""
    complete = b.complete_at(now)
    phases: list[dict[str, Any]] = []
    for ph in b.phases:
        if ph.start > now:
            break
        entry: dict[str, Any] = {"phaseType": ph.name, "startTime": ph.start}
        if ph.name != "COMPLETED" and ph.end <= now:
            failed = b.outcome == "FAILED" and ph.name == "BUILD"
            entry.update(endTime=ph.end, durationInSeconds=round(ph.end - ph.start))
            entry["phaseStatus"] = "FAILED" if failed else "SUCCEEDED"
            context = {"statusCode": "", "message": ""}
            if failed:
                context = {
                    "statusCode": "COMMAND_EXECUTION_ERROR",
                    "message": f"Error while executing command: {b.failure_command}. Reason: exit status 1",
                }
            entry["contexts"] = [context]
        phases.append(entry)
    group_arn = world.logs.group_arn(b.log_group)
    out: dict[str, Any] = {
        "id": b.id,
        "arn": b.arn,
        "buildNumber": b.number,
        "startTime": b.start,
        "currentPhase": b.current_phase(now),
        "buildStatus": b.status_at(now),
        "sourceVersion": b.source_version,
        "resolvedSourceVersion": b.resolved_source_version,
        "projectName": b.project,
        "phases": phases,
        "source": {"type": "CODEPIPELINE", "buildspec": "buildspec.yml", "insecureSsl": False},
        "secondarySources": [],
        "secondarySourceVersions": [],
        "artifacts": {"location": ""},
        "cache": {"type": "NO_CACHE"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_MEDIUM",
            "environmentVariables": [],
            "privilegedMode": b.kind == "build",
            "imagePullCredentialsType": "CODEBUILD",
        },
        "serviceRole": b.service_role,
        "logs": _logs(b, world.region, group_arn),
        "timeoutInMinutes": 480 if b.kind == "train" else 60,
        "queuedTimeoutInMinutes": 480,
        "buildComplete": complete,
        "initiator": b.initiator,
        "encryptionKey": f"arn:aws:kms:{world.region}:{world.account}:alias/aws/s3",
    }
    if complete:
        out["endTime"] = b.end
    return out


def batch_get_builds(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ids: list[str] = params["ids"]
    if len(ids) > 100:
        raise SimError("InvalidInputException", "Number of build ids must be less than or equal to 100")
    found, missing = [], []
    for bid in dict.fromkeys(ids):
        build = ctx.world.builds.get(bid)
        if build is None:
            missing.append(bid)
        else:
            found.append(build_dict(ctx.world, build, ctx.world.now))
    return {"builds": found, "buildsNotFound": missing}


def _group(ctx: Ctx, params: dict[str, Any]) -> LogGroup:
    ident = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not ident:
        raise SimError("InvalidParameterException", "Either logGroupName or logGroupIdentifier is required.")
    group = ctx.world.logs.resolve_group(ident)
    if group is None:
        raise SimError("ResourceNotFoundException", "The specified log group does not exist.")
    return group


def _token(kind: str, n: int) -> str:
    return f"{kind}/{n:056d}/s"


def get_log_events(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    group = _group(ctx, params)
    stream = group.streams.get(params["logStreamName"])
    if stream is None:
        raise SimError("ResourceNotFoundException", "The specified log stream does not exist.")
    lo, hi = 0, stream.visible(ctx.world.now)
    if params.get("startTime") is not None:
        lo = min(hi, stream.count_before(int(params["startTime"])))
    if params.get("endTime") is not None:
        hi = max(lo, min(hi, stream.count_before(int(params["endTime"]))))
    limit = int(params.get("limit") or MAX_EVENTS)
    token = params.get("nextToken")
    forward = bool(params.get("startFromHead"))
    pos = lo if forward else hi
    if token:
        match = _TOKEN.match(token)
        if match is None:
            raise SimError("InvalidParameterException", "The specified nextToken is invalid.")
        forward, pos = match.group(1) == "f", int(match.group(2))
    if forward:
        start = min(max(pos, lo), hi) if pos <= hi else pos
        stop = max(start, min(start + limit, hi))
        events = _read(stream, start, stop, from_end=False)
        stop = start + len(events)
    else:
        stop = max(lo, min(pos, hi))
        start = max(lo, stop - limit)
        events = _read(stream, start, stop, from_end=True)
        start = stop - len(events)
    return {"events": events, "nextForwardToken": _token("f", stop), "nextBackwardToken": _token("b", start)}


def _logs(b: Build, region: str, group_arn: str) -> dict[str, Any]:
    """The build's ``logs``, as CodeBuild reports each destination (no group or stream when the
    project does not send its logs to CloudWatch Logs)."""
    if b.log_destination == "s3":
        location = f"codebuild-logs-{b.project}/{b.id.split(':', 1)[1]}.gz"
        return {
            "cloudWatchLogs": {"status": "DISABLED"},
            "s3Logs": {"status": "ENABLED", "location": location, "encryptionDisabled": False},
            "s3DeepLink": f"https://s3.console.aws.amazon.com/s3/object/{location}?region={region}",
            "s3LogsArn": f"arn:aws:s3:::{location}",
        }
    if b.log_destination == "none":
        return {
            "cloudWatchLogs": {"status": "DISABLED"},
            "s3Logs": {"status": "DISABLED", "encryptionDisabled": False},
        }
    return {
        "groupName": b.log_group,
        "streamName": b.log_stream,
        "deepLink": (
            f"https://console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#logEvent:group={quote(b.log_group, safe='')};stream={b.log_stream}"
        ),
        "cloudWatchLogsArn": f"{group_arn}:log-stream:{b.log_stream}",
        "cloudWatchLogs": {"status": "ENABLED"},
        "s3Logs": {"status": "DISABLED", "encryptionDisabled": False},
    }


def _read(stream: LogStream, start: int, stop: int, from_end: bool) -> list[dict[str, Any]]:
    """Events [start, stop) capped at 1 MB; the cap trims the far end from the reader."""
    indexes = range(stop - 1, start - 1, -1) if from_end else range(start, stop)
    out: list[dict[str, Any]] = []
    size = 0
    for i in indexes:
        ms, msg, ing = stream.event(i)
        size += len(msg.encode()) + EVENT_OVERHEAD
        if size > MAX_BYTES and out:
            break
        out.append({"timestamp": ms, "message": msg, "ingestionTime": ing})
    if from_end:
        out.reverse()
    return out


def matcher(pattern: str | None) -> Any:
    """A predicate for CloudWatch's simple term patterns: ``a b`` (all), ``?a ?b`` (any),
    ``-a`` (none), ``"a phrase"``. Terms are case-sensitive, as in CloudWatch."""
    terms = re.findall(r'-?\??"[^"]*"|\S+', pattern or "")
    need: list[str] = []
    anyof: list[str] = []
    nope: list[str] = []
    for term in terms:
        target = need
        if term.startswith("?"):
            target, term = anyof, term[1:]
        elif term.startswith("-"):
            target, term = nope, term[1:]
        target.append(term.strip('"'))

    def match(message: str) -> bool:
        if any(t in message for t in nope) or not all(t in message for t in need):
            return False
        return not anyof or any(t in message for t in anyof)

    return match


def _scan(stream: LogStream, start: int, stop: int) -> Iterator[tuple[int, str, int, str, int]]:
    for i in range(start, stop):
        ms, msg, ing = stream.event(i)
        yield ms, stream.name, i, msg, ing


def filter_log_events(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    group = _group(ctx, params)
    names = params.get("logStreamNames")
    prefix = params.get("logStreamNamePrefix")
    streams = [
        s
        for n, s in sorted(group.streams.items())
        if (not names or n in names) and (not prefix or n.startswith(prefix))
    ]
    now_ms = int(ctx.world.now * 1000) + 1
    start_ms = params.get("startTime")
    end_ms = params.get("endTime")
    after: tuple[int, str, int] | None = None
    if params.get("nextToken"):
        ms, name, idx = paging.decode(params["nextToken"], "InvalidParameterException")
        after = (int(ms), str(name), int(idx))
    iters = []
    for s in streams:
        lo = s.count_before(int(start_ms)) if start_ms is not None else 0
        hi = s.count_before(min(now_ms, int(end_ms) + 1 if end_ms is not None else now_ms))
        if after is not None:
            lo = max(lo, s.count_before(after[0]))
        iters.append(_scan(s, lo, hi))
    match = matcher(params.get("filterPattern"))
    limit = int(params.get("limit") or MAX_EVENTS)
    events: list[dict[str, Any]] = []
    scanned = 0
    last: tuple[int, str, int] | None = None
    more = False
    for ms, name, idx, msg, ing in heapq.merge(*iters):
        if after is not None and (ms, name, idx) <= after:
            continue
        if len(events) >= limit or scanned >= FILTER_SCAN_LIMIT:
            more = True
            break
        scanned += 1
        last = (ms, name, idx)
        if match(msg):
            event_id = f"{ms:017d}{zlib.crc32(name.encode()):010d}{idx:029d}"
            events.append(
                {
                    "logStreamName": name,
                    "timestamp": ms,
                    "message": msg,
                    "ingestionTime": ing,
                    "eventId": event_id,
                }
            )
    out: dict[str, Any] = {"events": events, "searchedLogStreams": []}
    if more and last is not None:
        out["nextToken"] = paging.encode(list(last))
    return out
