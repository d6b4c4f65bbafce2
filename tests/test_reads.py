"""The on-demand reads (tui/core/reads.py): typed, each within its target's budget, reported once."""

from __future__ import annotations

from typing import Any

import pytest

from tui.aws.errors import AwsError, ErrorKind, Throttled
from tui.core.model import Page, Target
from tui.core.reads import Reads

TARGET = Target("eu-west-1")


class Budget:
    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []

    async def acquire(self, target: Target) -> None:
        self.log.append(("acquire", target.key))

    def call_finished(self, target: Target, operation: str, error: AwsError | None = None) -> None:
        self.log.append(("finished", operation, error.kind if error else None))


class Service:
    def __init__(self, fail: AwsError | None = None) -> None:
        self.fail = fail
        self.asked: list[tuple[Any, ...]] = []

    async def get_execution(self, name: str, execution_id: str) -> str:
        self.asked.append(("get_execution", name, execution_id))
        if self.fail:
            raise self.fail
        return "the execution"

    async def list_executions(
        self, name: str, *, max_results: int = 25, next_token: str | None = None
    ) -> Page[str]:
        self.asked.append(("list_executions", name, max_results, next_token))
        return Page(("a",), None)


async def test_a_typed_read_takes_a_token_calls_once_and_reports_the_operation() -> None:
    budget, service = Budget(), Service()
    reads = Reads({TARGET.key: service}, budget)  # type: ignore[dict-item]
    assert await reads.execution(TARGET, "web", "e-1") == "the execution"  # type: ignore[comparison-overlap]
    assert await reads.executions(TARGET, "web", max_results=50, next_token="t")
    assert service.asked == [("get_execution", "web", "e-1"), ("list_executions", "web", 50, "t")]
    assert budget.log == [
        ("acquire", TARGET.key),
        ("finished", "GetPipelineExecution", None),
        ("acquire", TARGET.key),
        ("finished", "ListPipelineExecutions", None),
    ]


async def test_a_failed_read_is_reported_with_its_error_and_raised() -> None:
    budget = Budget()
    throttled = Throttled("slow down")
    reads = Reads({TARGET.key: Service(fail=throttled)}, budget)  # type: ignore[dict-item]
    with pytest.raises(AwsError):
        await reads.execution(TARGET, "web", "e-1")
    assert budget.log[-1] == ("finished", "GetPipelineExecution", ErrorKind.THROTTLED)


async def test_a_target_without_a_service_is_refused_before_any_token() -> None:
    budget = Budget()
    with pytest.raises(LookupError):
        await Reads({}, budget).execution(TARGET, "web", "e-1")
    assert budget.log == []
