"""The simulator's world as plain mutable records: pipeline definitions and their runtime state.

Times are floats, seconds since the epoch (what the AWS JSON protocols send). Status strings are
exactly AWS's (``InProgress``, ``Succeeded`` ...), so the handlers copy them to the wire as they are.

How a test finds things (see also ``tui.sim.world.world.World``):

- ``world.pipelines["payments-api-prod"]`` is a ``Pipeline``; ``.executions`` maps id to
  ``Execution`` in start order, ``.latest()`` is the newest one.
- ``execution.stages["Build"]`` is the ``StageRun`` of that stage in that execution (absent if the
  execution never entered it); ``.actions["Unit-Tests"]`` the ``ActionRun`` of its latest attempt.
- ``pipeline.stage_latest[stage]`` is the id of the latest execution that entered the stage, as
  GetPipelineState reports it; ``pipeline.waiting[stage]`` the executions held at its inbound side.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# Pipeline execution statuses that are final.
FINAL = frozenset({"Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"})


@dataclass
class ActionSpec:
    """One action of a pipeline declaration, plus how the simulator plays it."""

    name: str
    category: str  # Source, Build, Test, Deploy, Approval, Invoke
    owner: str  # AWS, ThirdParty, Custom
    provider: str  # CodeCommit, S3, CodeStarSourceConnection, CodeBuild, CodeDeploy, ECS ...
    run_order: int = 1
    version: str = "1"
    configuration: dict[str, str] = field(default_factory=dict)
    input_artifacts: list[str] = field(default_factory=list)
    output_artifacts: list[str] = field(default_factory=list)
    namespace: str | None = None
    region: str | None = None
    timeout_minutes: int | None = None  # manual approvals: how long they wait
    # Simulation behaviour, not part of the AWS declaration.
    duration: tuple[float, float] = (30.0, 90.0)
    fail_rate: float = 0.0
    build_kind: str = "build"  # CodeBuild log flavour: build, test, lint, train
    # Declaration members the engine does not act on (roleArn, commands, outputVariables,
    # environmentVariables), kept so GetPipeline returns what UpdatePipeline was given.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageSpec:
    name: str
    actions: list[ActionSpec]
    # V2 stage conditions as declared (AWS's BeforeEntryConditions / SuccessConditions /
    # FailureConditions shapes, e.g. {"conditions": [{"result": "FAIL", "rules": [...]}]}).
    before_entry: dict[str, Any] | None = None
    on_success: dict[str, Any] | None = None
    on_failure: dict[str, Any] | None = None
    # Declaration members the engine does not act on (blockers), kept for the round trip.
    extra: dict[str, Any] = field(default_factory=dict)

    def conditions(self, kind: str) -> dict[str, Any] | None:
        """The declared conditions of ``kind`` (BEFORE_ENTRY, ON_SUCCESS, ON_FAILURE)."""
        return {
            "BEFORE_ENTRY": self.before_entry,
            "ON_SUCCESS": self.on_success,
            "ON_FAILURE": self.on_failure,
        }[kind]

    def action(self, name: str) -> ActionSpec | None:
        return next((a for a in self.actions if a.name == name), None)

    def run_orders(self) -> list[list[ActionSpec]]:
        """Actions grouped by runOrder, ascending; each group runs in parallel."""
        orders = sorted({a.run_order for a in self.actions})
        return [[a for a in self.actions if a.run_order == o] for o in orders]


@dataclass
class VariableSpec:
    name: str
    default: str | None = None
    description: str | None = None


@dataclass
class PipelineSpec:
    """A pipeline declaration (GetPipeline) plus simulation knobs."""

    name: str
    stages: list[StageSpec]
    pipeline_type: str = "V2"  # V1 or V2
    execution_mode: str = "SUPERSEDED"  # V1 is always SUPERSEDED
    variables: list[VariableSpec] = field(default_factory=list)
    version: int = 1
    created: float = 0.0
    updated: float = 0.0
    # Seconds between simulated source changes (min, max); None: only manual starts.
    trigger_every: tuple[float, float] | None = (900.0, 2400.0)
    # V2 triggers as declared (PipelineTriggerDeclaration dicts); None: derived from the source.
    triggers: list[dict[str, Any]] | None = None
    # Pipeline-level members kept as written (roleArn, artifactStore(s)); empty: the defaults.
    extra: dict[str, Any] = field(default_factory=dict)

    def stage(self, name: str) -> StageSpec | None:
        return next((s for s in self.stages if s.name == name), None)

    def stage_index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.stages) if s.name == name)


@dataclass
class Revision:
    """A source revision an execution carries (sourceRevisions / artifactRevisions)."""

    action: str
    artifact: str
    revision_id: str
    change_id: str  # revisionChangeIdentifier: commit id, or the S3 object's ETag
    summary: str
    url: str | None
    created: float


@dataclass
class ActionRun:
    """One attempt of one action in one execution (one row of ListActionExecutions)."""

    id: str  # actionExecutionId
    execution_id: str
    stage: str
    spec: ActionSpec
    start: float
    status: str = "InProgress"  # InProgress, Succeeded, Failed, Abandoned
    last_update: float = 0.0
    planned: str = "Succeeded"  # the outcome the engine will apply when it finishes
    ends_at: float | None = None
    summary: str | None = None
    external_id: str | None = None
    external_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    token: str | None = None  # approval token while the approval waits
    updated_by: str | None = None
    output_variables: dict[str, str] = field(default_factory=dict)
    build_id: str | None = None
    revision: Revision | None = None

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class StageRun:
    """One execution's pass through one stage."""

    name: str
    entered: float
    status: str = "InProgress"  # InProgress, Succeeded, Failed, Stopped, Stopping, Cancelled
    group: int = 0  # index of the runOrder group now running
    actions: dict[str, ActionRun] = field(default_factory=dict)
    retry_running: bool = False
    manual_retries: int = 0
    auto_retries: int = 0
    last_retry: str | None = None  # ManualStageRetry or AutomatedStageRetry
    # A condition being evaluated for this stage run (BEFORE_ENTRY before its actions start,
    # ON_SUCCESS after they all succeeded, ON_FAILURE after one failed); None: none pending.
    gate: str | None = None


@dataclass
class RuleRun:
    """One evaluation of one condition rule (one row of ListRuleExecutions)."""

    id: str  # ruleExecutionId
    execution_id: str
    stage: str
    kind: str  # BEFORE_ENTRY, ON_SUCCESS, ON_FAILURE
    rule: dict[str, Any]  # the RuleDeclaration
    start: float
    pipeline_version: int
    status: str = "InProgress"  # InProgress, Succeeded, Failed, Abandoned
    last_update: float = 0.0
    planned: str = "Succeeded"
    ends_at: float | None = None  # when it settles (None: re-checked until its timeout)
    timeout_at: float | None = None
    summary: str | None = None
    external_id: str | None = None
    external_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    resolved: dict[str, str] = field(default_factory=dict)  # resolvedConfiguration
    updated_by: str | None = None  # who overrode the condition it belongs to

    @property
    def name(self) -> str:
        return str(self.rule.get("name", ""))


@dataclass
class ConditionRun:
    """One evaluation of a stage's conditions of one kind, for one execution."""

    execution_id: str
    stage: str
    kind: str
    result: str  # the declared result: FAIL, SKIP, ROLLBACK, RETRY
    start: float
    status: str = "InProgress"  # InProgress, Succeeded, Failed, Errored, Cancelled, Abandoned, Overridden
    summary: str | None = None
    last_update: float = 0.0
    rules: list[RuleRun] = field(default_factory=list)


@dataclass
class Execution:
    """A pipeline execution (ListPipelineExecutions / GetPipelineExecution)."""

    id: str
    pipeline: str
    pipeline_version: int
    start: float
    mode: str
    trigger_type: str
    trigger_detail: str
    status: str = "InProgress"
    status_summary: str | None = None
    last_update: float = 0.0
    execution_type: str = "STANDARD"  # or ROLLBACK
    rollback_target: str | None = None
    stop_reason: str | None = None
    abandon: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    revision_overrides: dict[str, str] = field(default_factory=dict)
    stages: dict[str, StageRun] = field(default_factory=dict)
    stage_index: int = 0  # the stage it is in, or waits to enter
    waiting_at: str | None = None  # stage whose inbound side holds it
    only_stage: str | None = None  # a rollback runs just this stage

    @property
    def final(self) -> bool:
        return self.status in FINAL


@dataclass
class Transition:
    """A stage's inbound transition (GetPipelineState inboundTransitionState)."""

    enabled: bool = True
    reason: str | None = None
    changed_by: str | None = None
    changed_at: float | None = None


@dataclass
class Forced:
    """A test's or scenario's override for the next run of one action."""

    outcome: str | None = None  # Succeeded or Failed
    duration: float | None = None


@dataclass
class Pipeline:
    """A pipeline's declaration and everything that happened to it."""

    spec: PipelineSpec
    rng: random.Random
    executions: dict[str, Execution] = field(default_factory=dict)
    transitions: dict[str, Transition] = field(default_factory=dict)
    occupants: dict[str, list[str]] = field(default_factory=dict)
    waiting: dict[str, list[str]] = field(default_factory=dict)
    stage_latest: dict[str, str] = field(default_factory=dict)
    action_latest: dict[tuple[str, str], ActionRun] = field(default_factory=dict)
    action_runs: list[ActionRun] = field(default_factory=list)
    current_revision: dict[str, Revision] = field(default_factory=dict)
    client_tokens: dict[str, str] = field(default_factory=dict)
    forced: dict[tuple[str, str], list[Forced]] = field(default_factory=dict)
    answered_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    next_trigger: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # The latest condition evaluation per (stage, kind), as GetPipelineState shows it.
    condition_latest: dict[tuple[str, str], ConditionRun] = field(default_factory=dict)
    rule_runs: list[RuleRun] = field(default_factory=list)
    forced_rules: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    def latest(self) -> Execution | None:
        """The newest execution by start time (what AWS calls the latest execution)."""
        return max(self.executions.values(), key=lambda e: e.start, default=None)

    def newest_first(self) -> list[Execution]:
        return sorted(self.executions.values(), key=lambda e: (e.start, e.id), reverse=True)

    def stage_status(self, stage: str) -> str | None:
        """The status GetPipelineState shows for a stage's latest execution, if any."""
        eid = self.stage_latest.get(stage)
        if eid is None:
            return None
        run = self.executions[eid].stages.get(stage)
        return run.status if run else None

    def force(
        self, stage: str, action: str, outcome: str | None = None, duration: float | None = None
    ) -> None:
        """Make the next run of ``stage/action`` end with ``outcome`` after ``duration`` seconds."""
        self.forced.setdefault((stage, action), []).append(Forced(outcome, duration))

    def force_rule(self, stage: str, rule: str, outcome: str) -> None:
        """Make the next evaluation of condition rule ``stage/rule`` end with ``outcome``
        (Succeeded or Failed)."""
        self.forced_rules.setdefault((stage, rule), []).append(outcome)
