"""CodeBuild: BatchGetBuilds' builds, their phases and where their logs are."""

from __future__ import annotations

from tui.aws.convert.readers import Json, dicts, having, integer, member, required, text, timestamp
from tui.core.model import Build, BuildLogs, BuildPhase, BuildStatus


def _build_status(value: object) -> BuildStatus | None:
    return BuildStatus(value) if isinstance(value, str) and value else None


def build_logs(data: Json) -> BuildLogs:
    cloudwatch = member(data, "cloudWatchLogs")
    s3 = member(data, "s3Logs")
    s3_enabled = bool(s3) and s3.get("status") != "DISABLED"
    return BuildLogs(
        group_name=text(data, "groupName") or text(cloudwatch, "groupName"),
        stream_name=text(data, "streamName") or text(cloudwatch, "streamName"),
        deep_link=text(data, "deepLink"),
        # Absent status means the project default, which is enabled.
        cloudwatch_enabled=cloudwatch.get("status") != "DISABLED",
        s3_location=(text(s3, "location") or text(data, "s3DeepLink")) if s3_enabled else None,
        s3_deep_link=text(data, "s3DeepLink") if s3_enabled else None,
    )


def build(data: Json) -> Build:
    """One item of BatchGetBuilds' ``builds``."""
    build_id = str(required(data, "id"))
    return Build(
        build_id=build_id,
        arn=str(data.get("arn") or ""),
        project=str(data.get("projectName") or build_id.split(":", 1)[0]),
        status=_build_status(data.get("buildStatus")) or BuildStatus.IN_PROGRESS,
        current_phase=str(data.get("currentPhase") or ""),
        start_time=timestamp(data, "startTime"),
        end_time=timestamp(data, "endTime"),
        initiator=str(data.get("initiator") or ""),
        source_version=text(data, "sourceVersion"),
        resolved_source_version=text(data, "resolvedSourceVersion"),
        phases=tuple(
            BuildPhase(
                phase_type=str(p.get("phaseType") or ""),
                status=_build_status(p.get("phaseStatus")),
                start_time=timestamp(p, "startTime"),
                end_time=timestamp(p, "endTime"),
                duration_seconds=integer(p, "durationInSeconds"),
                messages=tuple(str(c["message"]) for c in dicts(p, "contexts") if c.get("message")),
            )
            for p in dicts(data, "phases")
        ),
        logs=build_logs(member(data, "logs")),
    )


def builds(response: Json) -> list[Build]:
    """BatchGetBuilds' response: builds without an id are left out."""
    return [build(b) for b in having(response.get("builds"), "id")]
