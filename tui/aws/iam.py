"""Which IAM action an API operation needs: plain Python, cheap to import (no botocore)."""

from __future__ import annotations

# Operations outside CodePipeline, for naming the IAM action a denied call needed.
_SERVICE_OF_OPERATION = {
    "BatchGetBuilds": "codebuild",
    "GetLogEvents": "logs",
    "StartLiveTail": "logs",
    "GetCallerIdentity": "sts",
    # push mode (tui.events)
    **dict.fromkeys(
        (
            "CreateQueue",
            "GetQueueUrl",
            "GetQueueAttributes",
            "SetQueueAttributes",
            "TagQueue",
            "ListQueueTags",
            "DeleteQueue",
            "ReceiveMessage",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility",
            "ChangeMessageVisibilityBatch",
        ),
        "sqs",
    ),
    **dict.fromkeys(
        (
            "PutRule",
            "DescribeRule",
            "PutTargets",
            "ListTargetsByRule",
            "RemoveTargets",
            "DeleteRule",
            "TagResource",
            "ListTagsForResource",
        ),
        "events",
    ),
}
# Batch operations are authorised as their single form (sqs:DeleteMessage covers the batch).
_IAM_ACTION_OF_OPERATION = {
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def pascal_operation(operation: str) -> str:
    """``put_approval_result`` -> ``PutApprovalResult``; PascalCase names pass through."""
    if "_" not in operation and operation[:1].isupper():
        return operation
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_"))


def iam_action(operation: str, service: str | None = None) -> str:
    """The IAM action an API operation needs, e.g. ``codepipeline:PutApprovalResult``.

    ``service`` (the botocore service name, which is also the IAM prefix of the services cptui
    calls) settles names several services share: CodePipeline's ListTagsForResource is
    ``codepipeline:ListTagsForResource``, EventBridge's is ``events:ListTagsForResource``."""
    op = pascal_operation(operation)
    prefix = service or _SERVICE_OF_OPERATION.get(op, "codepipeline")
    return f"{prefix}:{_IAM_ACTION_OF_OPERATION.get(op, op)}"
