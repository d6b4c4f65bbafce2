"""A V2 pipeline's triggers, variables and rule executions as the one-line descriptions the
pipeline and execution screens draw (tui/core/definition_lines.py)."""

from __future__ import annotations

from tui.core.definition_lines import rule_execution_lines, trigger_lines, variable_lines
from tui.core.model import (
    ExecutionMode,
    GitFilter,
    GitPullRequestFilter,
    GitPushFilter,
    PipelineDef,
    PipelineTriggerDef,
    PipelineType,
    PipelineVariableDef,
    RuleExecution,
    Status,
)

SOURCE = ("CodeStarSourceConnection", "Source")


def pipeline(**fields: object) -> PipelineDef:
    return PipelineDef("p", 1, PipelineType.V2, ExecutionMode.QUEUED, (), **fields)  # type: ignore[arg-type]


def test_triggers_say_what_starts_the_pipeline_with_which_filters() -> None:
    push = GitPushFilter(
        branches=GitFilter(("main", "release/*"), ("release/legacy-*",)),
        file_paths=GitFilter((), ("docs/**",)),
    )
    pull = GitPullRequestFilter(events=("OPEN",), branches=GitFilter(("main",)))
    triggers = (
        PipelineTriggerDef(
            *SOURCE, push=(push, GitPushFilter()), pull_request=(pull, GitPullRequestFilter())
        ),
        PipelineTriggerDef(*SOURCE),
    )
    assert trigger_lines(pipeline(triggers=triggers)) == [
        "git push → Source (CodeStarSourceConnection): branches main, release/* not release/legacy-*; "
        "files not docs/**",
        "git push → Source (CodeStarSourceConnection): any",
        "pull request (OPEN) → Source (CodeStarSourceConnection): branches main",
        "pull request (any event) → Source (CodeStarSourceConnection)",
        "any change → Source (CodeStarSourceConnection)",
    ]
    assert trigger_lines(pipeline()) == []


def test_variables_with_and_without_a_default() -> None:
    variables = (PipelineVariableDef("CHANNEL", "stable"), PipelineVariableDef("TICKET"))
    assert variable_lines(pipeline(variables=variables)) == ["CHANNEL = stable", "TICKET (no default)"]


def test_rule_executions_sorted_by_stage_and_rule_with_the_error_before_the_summary() -> None:
    items = [
        RuleExecution(
            "e", "r2", "Prod", "Window", Status.IN_PROGRESS, provider="DeploymentWindow", summary="outside"
        ),
        RuleExecution(
            "e", "r1", "Prod", "Alarms", Status.FAILED, summary="s", error_message="alarm in ALARM"
        ),
        RuleExecution("e", "r3", "Beta", "Check", Status.SUCCEEDED),
    ]
    assert rule_execution_lines(items) == [
        f"Beta › Check: {Status.SUCCEEDED.label}",
        f"Prod › Alarms: {Status.FAILED.label} — alarm in ALARM",
        f"Prod › Window (DeploymentWindow): {Status.IN_PROGRESS.label} — outside",
    ]
