"""The open enums of cptui's vocabulary: statuses, modes, types and categories as AWS names them.

"Open": an unknown value that AWS adds tomorrow becomes a pseudo-member that keeps its text
instead of crashing (``OpenEnum``); ``known`` tells the two apart.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class OpenEnum(str, Enum):
    """A string enum that accepts values it does not know, keeping them as they are."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        # Pseudo-member: not registered in the class, compares equal to its text.
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)


class Status(OpenEnum):
    """Union of pipeline-, stage- and action-execution statuses, plus ``Idle`` for never-run."""

    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    STOPPING = "Stopping"
    SUPERSEDED = "Superseded"
    CANCELLED = "Cancelled"
    ABANDONED = "Abandoned"
    SKIPPED = "Skipped"
    IDLE = "Idle"

    @property
    def glyph(self) -> str:
        """A glyph per status, so status is never conveyed by colour alone."""
        return _GLYPHS.get(self.value, "?")

    @property
    def style(self) -> str:
        """A theme-variable-friendly style name: success, error, warning, accent or muted."""
        return _STYLES.get(self.value, "warning")

    @property
    def is_terminal(self) -> bool:
        return self.value not in ("InProgress", "Stopping", "Idle")

    @property
    def label(self) -> str:
        return {"InProgress": "Running"}.get(self.value, self.value)


# An execution (or a stage) in these is still going: it may yet wait, fail or succeed.
RUNNING_STATUSES: tuple[Status, ...] = (Status.IN_PROGRESS, Status.STOPPING)

_GLYPHS = {
    "InProgress": "●",
    "Succeeded": "✔",
    "Failed": "✖",
    "Stopped": "■",
    "Stopping": "◧",
    "Superseded": "↷",
    "Cancelled": "⊘",
    "Abandoned": "⊘",
    "Skipped": "»",
    "Idle": "○",
}
_STYLES = {
    "InProgress": "accent",
    "Succeeded": "success",
    "Failed": "error",
    "Stopped": "warning",
    "Stopping": "warning",
    "Superseded": "muted",
    "Cancelled": "muted",
    "Abandoned": "muted",
    "Skipped": "muted",
    "Idle": "muted",
}


class ExecutionMode(OpenEnum):
    QUEUED = "QUEUED"
    SUPERSEDED = "SUPERSEDED"
    PARALLEL = "PARALLEL"


class PipelineType(OpenEnum):
    V1 = "V1"
    V2 = "V2"


class ExecutionType(OpenEnum):
    STANDARD = "STANDARD"
    ROLLBACK = "ROLLBACK"


class TriggerType(OpenEnum):
    CREATE_PIPELINE = "CreatePipeline"
    START_PIPELINE_EXECUTION = "StartPipelineExecution"
    POLL_FOR_SOURCE_CHANGES = "PollForSourceChanges"
    WEBHOOK = "Webhook"
    CLOUDWATCH_EVENT = "CloudWatchEvent"
    PUT_ACTION_REVISION = "PutActionRevision"
    WEBHOOK_V2 = "WebhookV2"
    MANUAL_ROLLBACK = "ManualRollback"
    AUTOMATED_ROLLBACK = "AutomatedRollback"


class ActionCategory(OpenEnum):
    SOURCE = "Source"
    BUILD = "Build"
    DEPLOY = "Deploy"
    TEST = "Test"
    INVOKE = "Invoke"
    APPROVAL = "Approval"
    COMPUTE = "Compute"


class RetryMode(OpenEnum):
    FAILED_ACTIONS = "FAILED_ACTIONS"
    ALL_ACTIONS = "ALL_ACTIONS"


class BuildStatus(OpenEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    FAULT = "FAULT"
    TIMED_OUT = "TIMED_OUT"
    IN_PROGRESS = "IN_PROGRESS"
    STOPPED = "STOPPED"

    def as_status(self) -> Status:
        return {
            "SUCCEEDED": Status.SUCCEEDED,
            "IN_PROGRESS": Status.IN_PROGRESS,
            "STOPPED": Status.STOPPED,
        }.get(self.value, Status.FAILED)


class ConditionKind(OpenEnum):
    """Which of a stage's conditions: OverrideStageCondition takes BEFORE_ENTRY or ON_SUCCESS."""

    BEFORE_ENTRY = "BEFORE_ENTRY"
    ON_SUCCESS = "ON_SUCCESS"
    ON_FAILURE = "ON_FAILURE"

    @property
    def label(self) -> str:
        return {"BEFORE_ENTRY": "entry", "ON_SUCCESS": "on success", "ON_FAILURE": "on failure"}.get(
            self.value, self.value
        )

    @property
    def overridable(self) -> bool:
        """Whether OverrideStageCondition accepts this kind (its ConditionType enum)."""
        return self.value in ("BEFORE_ENTRY", "ON_SUCCESS")


class ConditionResult(OpenEnum):
    """What a condition engages when it fails (entry: FAIL/SKIP; on success: FAIL/ROLLBACK; on
    failure: ROLLBACK/RETRY)."""

    FAIL = "FAIL"
    SKIP = "SKIP"
    ROLLBACK = "ROLLBACK"
    RETRY = "RETRY"


class ConditionStatus(OpenEnum):
    """A condition evaluation's status (ConditionExecutionStatus)."""

    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    ERRORED = "Errored"
    SUCCEEDED = "Succeeded"
    CANCELLED = "Cancelled"
    ABANDONED = "Abandoned"
    OVERRIDDEN = "Overridden"
