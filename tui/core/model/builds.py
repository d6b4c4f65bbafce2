"""CodeBuild builds (BatchGetBuilds): status, phases and where their logs are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tui.core.model.enums import BuildStatus


@dataclass(frozen=True)
class BuildPhase:
    phase_type: str
    status: BuildStatus | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_seconds: int | None = None
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildLogs:
    group_name: str | None = None
    stream_name: str | None = None
    deep_link: str | None = None
    cloudwatch_enabled: bool = True
    s3_location: str | None = None
    s3_deep_link: str | None = None  # the log object in the S3 console, when logs go to S3


@dataclass(frozen=True)
class Build:
    build_id: str
    arn: str
    project: str
    status: BuildStatus
    current_phase: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    initiator: str = ""
    source_version: str | None = None
    resolved_source_version: str | None = None
    phases: tuple[BuildPhase, ...] = ()
    logs: BuildLogs = field(default_factory=BuildLogs)

    @property
    def complete(self) -> bool:
        return self.status != BuildStatus.IN_PROGRESS
