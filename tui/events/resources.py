"""What ``cptui events setup`` creates for one target, by name: plain data, no AWS calls.

One SQS queue per user and target (``cptui-<user>-<region>``), encrypted with SSE-SQS (EventBridge
cannot deliver to a queue encrypted with the ``alias/aws/sqs`` KMS key), keeping messages for a day;
an EventBridge rule of the same name on the default bus matching CodePipeline's and CodeBuild's
state changes, with the queue as its one target; and a queue policy that lets only that rule send.
Everything carries the tag ``cptui:managed = true``: teardown removes only what carries it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

MANAGED_TAG = "cptui:managed"
MANAGED_VALUE = "true"
TARGET_ID = "cptui-queue"
POLICY_SID = "cptui-events"
RETENTION_SECONDS = 86400  # a day: events wait through a lunch break, not forever
# Longer than a ReceiveMessage can wait (20 s) plus the confirming read: a message a crashed cptui
# received comes back in a minute.
VISIBILITY_SECONDS = 60
DETAIL_TYPES: tuple[str, ...] = (
    "CodePipeline Pipeline Execution State Change",
    "CodePipeline Stage Execution State Change",
    "CodePipeline Action Execution State Change",
    "CodeBuild Build State Change",
    "CodeBuild Build Phase Change",
)
SOURCES: tuple[str, ...] = ("aws.codepipeline", "aws.codebuild")
RULE_DESCRIPTION = "cptui push mode: CodePipeline and CodeBuild state changes to an SQS queue"

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_USER_MAX = 40  # cptui- + user + - + region stays within the rule name limit (64)


def event_pattern() -> dict[str, Any]:
    """The rule's event pattern."""
    return {"source": list(SOURCES), "detail-type": list(DETAIL_TYPES)}


def event_pattern_text() -> str:
    return json.dumps(event_pattern(), separators=(",", ":"))


def user_from_arn(arn: str) -> str:
    """The person behind an identity ARN: an IAM user's name, an assumed role's session name."""
    tail = arn.rsplit(":", 1)[-1]
    parts = [p for p in tail.split("/") if p]
    if not parts:
        return "user"
    return parts[-1]  # user/NAME -> NAME; assumed-role/ROLE/SESSION -> SESSION


def safe_user(user: str) -> str:
    """``user`` as it may appear in a queue and rule name (a short hash keeps long ones unique)."""
    cleaned = _UNSAFE.sub("-", user).strip("-") or "user"
    if len(cleaned) <= _USER_MAX:
        return cleaned
    digest = hashlib.sha256(user.encode()).hexdigest()[:6]
    return f"{cleaned[: _USER_MAX - 7]}-{digest}"


def resource_name(user: str, region: str) -> str:
    """The queue's and the rule's name: ``cptui-<user>-<region>``."""
    return f"cptui-{safe_user(user)}-{region}"


def queue_attributes() -> dict[str, str]:
    """The attributes setup creates the queue with (and restores if someone changed them)."""
    return {
        "SqsManagedSseEnabled": "true",
        "MessageRetentionPeriod": str(RETENTION_SECONDS),
        "VisibilityTimeout": str(VISIBILITY_SECONDS),
    }


def queue_policy(queue_arn: str, rule_arn: str) -> dict[str, Any]:
    """Only ``events.amazonaws.com``, only ``sqs:SendMessage``, only from this rule."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": POLICY_SID,
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }


def queue_arn(region: str, account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:sqs:{region}:{account}:{name}"


def rule_arn(region: str, account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:events:{region}:{account}:rule/{name}"


def partition_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"
