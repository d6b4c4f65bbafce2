"""Which IAM action an API operation needs: plain Python, cheap to import (no botocore)."""

from __future__ import annotations

# Operations outside CodePipeline, for naming the IAM action a denied call needed.
_SERVICE_OF_OPERATION = {
    "BatchGetBuilds": "codebuild",
    "GetLogEvents": "logs",
    "StartLiveTail": "logs",
    "GetCallerIdentity": "sts",
}


def pascal_operation(operation: str) -> str:
    """``put_approval_result`` -> ``PutApprovalResult``; PascalCase names pass through."""
    if "_" not in operation and operation[:1].isupper():
        return operation
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_"))


def iam_action(operation: str) -> str:
    """The IAM action an API operation needs, e.g. ``codepipeline:PutApprovalResult``."""
    op = pascal_operation(operation)
    return f"{_SERVICE_OF_OPERATION.get(op, 'codepipeline')}:{op}"
