"""ActionRunner policy: once per confirmation, read-only refusal, audit of every attempt.

These use a recording stand-in for the service because they test the runner's bookkeeping, not the
AWS path; the integration tests in test_ui_actions.py drive the real client against the simulator.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, cast

import pytest

from tests.support.wait import poll_until
from tui.aws.errors import AccessDenied, OutcomeUnknown
from tui.aws.service import PipelineService
from tui.core import actions
from tui.core.actions import ActionRunner, Outcome
from tui.core.audit import AuditLog
from tui.core.config import PipelinesConfig
from tui.core.model import ApprovalRequest, Identity, RetryMode, Target

TARGET = Target(region="us-east-1", profile="ops")


class Recorder:
    """Counts calls; optionally blocks or fails, to exercise the runner's edges."""

    def __init__(self, error: Exception | None = None, gate: asyncio.Event | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.error = error
        self.gate = gate

    def __getattr__(self, name: str) -> Any:
        async def method(*args: Any, **kwargs: Any) -> str:
            self.calls.append((name, args, kwargs))
            if self.gate is not None:
                await self.gate.wait()
            if self.error is not None:
                raise self.error
            return "exec-1"

        return method


def make_runner(tmp_path: Path, *, read_only: bool = False) -> ActionRunner:
    return ActionRunner(
        AuditLog(tmp_path / "audit.jsonl"),
        read_only=read_only,
        identity=lambda _t: Identity(account="123456789012", arn="arn:aws:sts::123456789012:x/ops"),
    )


def approval() -> ApprovalRequest:
    return ApprovalRequest(
        target=TARGET,
        pipeline_name="payments-api-prod",
        stage_name="Approval",
        action_name="ManualApproval",
        token="secret-token-value-1234",
        execution_id="e-1",
    )


async def test_second_run_of_same_confirmation_sends_nothing(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    service = Recorder()
    request = actions.approve(approval(), approved=True, summary="lgtm")
    first = await runner.run(request, cast(PipelineService, service))
    second = await runner.run(request, cast(PipelineService, service))
    assert first.outcome is Outcome.SUCCEEDED
    assert second is first
    assert len(service.calls) == 1
    assert service.calls[0][0] == "put_approval_result"


async def test_concurrent_duplicate_is_refused_while_first_in_flight(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    gate = asyncio.Event()
    service = Recorder(gate=gate)
    first = actions.retry_stage(TARGET, "p", "Build", "e-1", RetryMode.FAILED_ACTIONS)
    again = actions.retry_stage(TARGET, "p", "Build", "e-1", RetryMode.FAILED_ACTIONS)
    task = asyncio.create_task(runner.run(first, cast(PipelineService, service)))
    await poll_until(lambda: service.calls)  # the first call started and blocks on the gate
    refused = await runner.run(again, cast(PipelineService, service))
    gate.set()
    done = await task
    assert refused.outcome is Outcome.REFUSED
    assert done.outcome is Outcome.SUCCEEDED
    assert len(service.calls) == 1


async def test_read_only_refuses_in_the_runner_and_audits(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, read_only=True)
    service = Recorder()
    result = await runner.run(
        actions.stop_execution(TARGET, "p", "e-1", abandon=True, reason="bad"),
        cast(PipelineService, service),
    )
    assert result.outcome is Outcome.REFUSED
    assert service.calls == []
    (line,) = runner.audit.read()
    assert line["outcome"] == "refused"
    assert line["operation"] == "StopPipelineExecution"


async def test_outcome_unknown_and_failure_are_reported_not_raised(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    unknown = await runner.run(
        actions.start_execution(TARGET, "p"),
        cast(PipelineService, Recorder(error=OutcomeUnknown("no answer", code="", operation="x"))),
    )
    denied = await runner.run(
        actions.set_transition(TARGET, "p", "Deploy", enabled=False, reason="freeze"),
        cast(
            PipelineService,
            Recorder(
                error=AccessDenied(
                    "missing codepipeline:DisableStageTransition", code="AccessDeniedException"
                )
            ),
        ),
    )
    assert unknown.outcome is Outcome.UNKNOWN
    assert denied.outcome is Outcome.FAILED
    assert "DisableStageTransition" in denied.message
    outcomes = [r["outcome"] for r in runner.audit.read()]
    assert outcomes == ["unknown", "failed"]


async def test_audit_never_holds_tokens(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    await runner.run(
        actions.approve(approval(), approved=False, summary="no"), cast(PipelineService, Recorder())
    )
    await runner.run(actions.start_execution(TARGET, "p"), cast(PipelineService, Recorder()))
    text = (tmp_path / "audit.jsonl").read_text()
    assert "secret-token-value-1234" not in text
    records = [json.loads(x) for x in text.splitlines()]
    assert records[0]["params"]["status"] == "Rejected"
    assert records[0]["identity"].endswith("x/ops")
    assert records[0]["account"] == "123456789012"
    assert "clientRequestToken" not in records[1]["params"]


@pytest.mark.parametrize(
    ("name", "patterns", "expected"),
    [("payments-api-prod", ["*-prod"], True), ("web-frontend", ["*-prod"], False), ("x", [], False)],
)
def test_protected_patterns(name: str, patterns: list[str], expected: bool) -> None:
    assert PipelinesConfig(protected=tuple(patterns)).is_protected(name) is expected


def test_confirmation_names_account_and_region() -> None:
    request = actions.set_transition(TARGET, "p", "Deploy", enabled=False, reason="freeze [bold]x[/]")
    text = request.with_where(Identity(account="123456789012", arn="a"))
    assert "Disable the transition into stage Deploy of p" in text
    assert "account 123456789012, region us-east-1 (ops)" in text


def test_the_package_names_every_runner_and_builder_export() -> None:
    """``tui.core.actions`` is the one import for the runner and the builders: whatever either module
    defines in public is named in the package's ``__all__`` (a new builder cannot be left out)."""
    import inspect

    from tui.core.actions import builders, runner

    defined = {
        name
        for module in (runner, builders)
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    }
    assert defined == set(actions.__all__)
    assert all(
        getattr(actions, name) is getattr(runner if hasattr(runner, name) else builders, name)
        for name in defined
    )
