"""Model objects for widget tests of the pipeline, history and execution screens (no simulator needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui.core.model import (
    ActionCategory,
    ActionDef,
    ActionExecution,
    ActionState,
    ArtifactRevision,
    Execution,
    ExecutionMode,
    ExecutionRef,
    ExecutionSummary,
    ExecutionType,
    PipelineDef,
    PipelineState,
    PipelineType,
    SourceRevision,
    StageDef,
    StageState,
    Status,
    TransitionState,
    Trigger,
    TriggerType,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
EXEC_LATEST = "a1b2c3d4-1111-4222-8333-444455556666"
EXEC_WAIT_1 = "e5f6a7b8-1111-4222-8333-444455556666"
EXEC_WAIT_2 = "c0ffee00-1111-4222-8333-444455556666"
COMMIT = "3f2a9c1d7e8b6a5f4c3d2e1f0a9b8c7d6e5f4a3b"


def _action(name: str, category: ActionCategory, provider: str, run_order: int = 1) -> ActionDef:
    owner = "ThirdParty" if provider == "GitHub" else "AWS"
    return ActionDef(name=name, category=category, owner=owner, provider=provider, run_order=run_order)


def wide_definition() -> PipelineDef:
    """Seven stages; Test has two parallel actions then a third; Prod's inbound transition matters."""
    stages = (
        StageDef("Source", (_action("Checkout", ActionCategory.SOURCE, "CodeCommit"),)),
        StageDef("Build", (_action("Compile", ActionCategory.BUILD, "CodeBuild"),)),
        StageDef(
            "Test",
            (
                _action("UnitTests", ActionCategory.TEST, "CodeBuild", 1),
                _action("Lint", ActionCategory.TEST, "CodeBuild", 1),
                _action("Report", ActionCategory.INVOKE, "Lambda", 2),
            ),
        ),
        StageDef("Staging", (_action("DeployStaging", ActionCategory.DEPLOY, "CloudFormation"),)),
        StageDef("Approve", (_action("ReleaseGate", ActionCategory.APPROVAL, "Manual"),)),
        StageDef("Prod", (_action("DeployProd", ActionCategory.DEPLOY, "ECS"),)),
        StageDef("Verify", (_action("Smoke", ActionCategory.TEST, "CodeBuild"),)),
    )
    return PipelineDef(
        name="web-frontend",
        version=3,
        pipeline_type=PipelineType.V2,
        execution_mode=ExecutionMode.QUEUED,
        stages=stages,
    )


def _ok(name: str, minutes: int, summary: str | None = None) -> ActionState:
    return ActionState(
        name=name,
        status=Status.SUCCEEDED,
        last_status_change=NOW - timedelta(minutes=minutes),
        summary=summary,
    )


def wide_state() -> PipelineState:
    """Test failed (Lint), Prod's transition disabled by alice with two executions waiting."""
    latest = ExecutionRef(EXEC_LATEST, Status.SUCCEEDED)
    stages = (
        StageState("Source", latest=latest, actions=(_ok("Checkout", 20, "Fix login redirect"),)),
        StageState("Build", latest=latest, actions=(_ok("Compile", 15),)),
        StageState(
            "Test",
            latest=ExecutionRef(EXEC_LATEST, Status.FAILED),
            actions=(
                _ok("UnitTests", 9),
                ActionState(
                    "Lint",
                    Status.FAILED,
                    NOW - timedelta(minutes=3),
                    error_code="JobFailed",
                    error_message="Build failed: 3 lint errors",
                    external_execution_id="lint-project:0b1c",
                ),
            ),
        ),
        StageState(
            "Staging",
            latest=ExecutionRef("9999aaaa-0000", Status.SUCCEEDED),
            actions=(_ok("DeployStaging", 60),),
        ),
        StageState(
            "Approve",
            latest=ExecutionRef("9999aaaa-0000", Status.SUCCEEDED),
            actions=(_ok("ReleaseGate", 55),),
        ),
        StageState(
            "Prod",
            transition=TransitionState(
                enabled=False,
                last_changed_by="arn:aws:iam::123456789012:user/alice",
                last_changed_at=NOW - timedelta(hours=2),
                disabled_reason="Release freeze until Monday",
            ),
            inbound=(
                ExecutionRef(EXEC_WAIT_1, Status.IN_PROGRESS),
                ExecutionRef(EXEC_WAIT_2, Status.IN_PROGRESS),
            ),
            actions=(_ok("DeployProd", 24 * 60),),
            latest=ExecutionRef("8888bbbb-0000", Status.SUCCEEDED),
        ),
        StageState(
            "Verify",
            latest=ExecutionRef("8888bbbb-0000", Status.SUCCEEDED),
            actions=(_ok("Smoke", 24 * 60 - 5),),
        ),
    )
    return PipelineState(name="web-frontend", version=3, stages=stages)


def with_action(state: PipelineState, stage: str, action: ActionState) -> PipelineState:
    """The same state with one action replaced."""
    stages = tuple(
        replace(s, actions=tuple(action if a.name == action.name else a for a in s.actions))
        if s.name == stage
        else s
        for s in state.stages
    )
    return replace(state, stages=stages)


def summary(index: int, status: Status = Status.SUCCEEDED, **changes: object) -> ExecutionSummary:
    """The index-th most recent execution (0 = newest), 30 minutes apart."""
    start = NOW - timedelta(minutes=30 * index + 10)
    base = ExecutionSummary(
        pipeline_name="web-frontend",
        execution_id=f"{index:08x}-0000-4000-8000-000000000000",
        status=status,
        start_time=start,
        last_update_time=start + timedelta(minutes=7, seconds=12),
        source_revisions=(SourceRevision("Checkout", f"{index:08x}" + "ab" * 16, f"Commit number {index}"),),
        trigger=Trigger(TriggerType.WEBHOOK, "arn:aws:codestar-connections:webhook"),
        execution_mode=ExecutionMode.QUEUED,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def execution(exec_id: str, commit: str, message: str, variables: dict[str, str]) -> Execution:
    return Execution(
        pipeline_name="web-frontend",
        pipeline_version=3,
        execution_id=exec_id,
        status=Status.FAILED,
        artifact_revisions=(
            ArtifactRevision("SourceOutput", commit, None, message),
            ArtifactRevision("Assets", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", '"9f2c51e0"', "upload"),
        ),
        variables=variables,
        trigger=Trigger(TriggerType.WEBHOOK, "push"),
        execution_mode=ExecutionMode.QUEUED,
        execution_type=ExecutionType.STANDARD,
    )


def action_executions(exec_id: str) -> list[ActionExecution]:
    start = NOW - timedelta(minutes=20)

    def one(stage: str, action: str, status: Status, offset: int, **kw: object) -> ActionExecution:
        base = ActionExecution(
            pipeline_execution_id=exec_id,
            action_execution_id=f"{stage}-{action}-id",
            stage_name=stage,
            action_name=action,
            status=status,
            start_time=start + timedelta(minutes=offset),
            last_update_time=start + timedelta(minutes=offset + 2),
            provider="CodeBuild",
        )
        return replace(base, **kw)  # type: ignore[arg-type]

    return [
        one(
            "Source",
            "Checkout",
            Status.SUCCEEDED,
            0,
            provider="CodeCommit",
            output_artifacts=("SourceOutput",),
        ),
        one(
            "Build",
            "Compile",
            Status.SUCCEEDED,
            2,
            input_artifacts=("SourceOutput",),
            output_artifacts=("BuildOutput",),
        ),
        one("Test", "UnitTests", Status.SUCCEEDED, 5, input_artifacts=("BuildOutput",)),
        one(
            "Test",
            "Lint",
            Status.FAILED,
            5,
            input_artifacts=("BuildOutput",),
            external_execution_id="lint-project:0b1c2d3e",
            external_execution_url="https://console.aws.amazon.com/codebuild/home#/builds/lint-project:0b1c2d3e",
            error_code="JobFailed",
            error_message="Build failed: 3 lint errors in src/app.ts",
        ),
    ]
