"""Where a pipeline stands (``tui.core.model.standing_of``) and what the store knows (``Store.coverage``):
one derivation for the list, the graph, the inbox and notifications; unknown is never "none"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.model import (
    ActionState,
    ApprovalRequest,
    ConditionKind,
    ConditionStatus,
    ExecutionRef,
    ExecutionSummary,
    PipelineState,
    PipelineSummary,
    StageConditionState,
    StageState,
    StandingKind,
    Status,
    Target,
    TransitionState,
    current_stage,
    standing_of,
)
from tui.core.pipeline_rows import matches, parse_filter, status_cell
from tui.core.store import NOT_READ_YET, Store

T = Target(region="us-east-1")
U = Target(region="eu-west-1", name="dr")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EID = "e" * 36


def latest(status: Status, eid: str = EID) -> ExecutionSummary:
    return ExecutionSummary("p", eid, status, start_time=NOW - timedelta(minutes=5))


def held_state(enabled: bool) -> PipelineState:
    """The execution ran Source and Plan, and waits at the inbound transition of Production."""
    return PipelineState(
        "p",
        1,
        (
            StageState("Source", latest=ExecutionRef(EID, Status.SUCCEEDED)),
            StageState("Plan", latest=ExecutionRef(EID, Status.SUCCEEDED)),
            StageState(
                "Production",
                transition=TransitionState(enabled=enabled, disabled_reason=None if enabled else "freeze"),
                latest=ExecutionRef("old", Status.FAILED),
                inbound=(ExecutionRef(EID, Status.IN_PROGRESS),),
            ),
        ),
    )


def approval(expires: datetime | None = NOW + timedelta(hours=1)) -> ApprovalRequest:
    return ApprovalRequest(T, "p", "Approval", "Approve", "tok", execution_id=EID, expires_at=expires)


def test_held_before_a_disabled_transition_is_held_not_running() -> None:
    standing = standing_of(latest(Status.IN_PROGRESS), held_state(enabled=False))
    assert standing.kind is StandingKind.HELD
    assert standing.stage == "Production"
    assert (standing.glyph, standing.word) == ("⊘", "Held")
    assert standing.sentence == "Held at the disabled transition into Production"


def test_waiting_before_an_enabled_transition_is_queued() -> None:
    standing = standing_of(latest(Status.IN_PROGRESS), held_state(enabled=True))
    assert standing.kind is StandingKind.QUEUED and standing.stage == "Production"


def test_a_waiting_approval_is_approval_with_its_expiry() -> None:
    state = PipelineState(
        "p",
        1,
        (
            StageState(
                "Approval",
                latest=ExecutionRef(EID, Status.IN_PROGRESS),
                actions=(ActionState("Approve", Status.IN_PROGRESS, token="tok"),),
            ),
        ),
    )
    standing = standing_of(latest(Status.IN_PROGRESS), state, approvals=[approval()])
    assert standing.kind is StandingKind.APPROVAL
    assert (standing.stage, standing.expires_at) == ("Approval", NOW + timedelta(hours=1))
    assert (standing.glyph, standing.word) == ("⏸", "Approval")
    assert "waiting" in standing.words() and "approval" in standing.words()


def test_running_failed_stopped_succeeded_never_and_loading() -> None:
    running_state = PipelineState(
        "p", 1, (StageState("Build", latest=ExecutionRef(EID, Status.IN_PROGRESS)),)
    )
    running = standing_of(latest(Status.IN_PROGRESS), running_state)
    assert (running.kind, running.stage, running.word) == (StandingKind.RUNNING, "Build", "Running")
    failed_state = PipelineState("p", 1, (StageState("Deploy", latest=ExecutionRef(EID, Status.FAILED)),))
    failed = standing_of(latest(Status.FAILED), failed_state)
    assert (failed.kind, failed.stage, failed.sentence) == (StandingKind.FAILED, "Deploy", "Failed in Deploy")
    assert standing_of(latest(Status.STOPPED), None).kind is StandingKind.STOPPED
    assert standing_of(latest(Status.SUCCEEDED), None).kind is StandingKind.SUCCEEDED
    assert standing_of(None, None).word == "Never run"
    assert standing_of(None, None, loaded=False).kind is StandingKind.LOADING
    other = standing_of(latest(Status("Paused")), None)
    assert (other.kind, other.word) == (StandingKind.OTHER, "Paused")


def test_the_store_row_carries_the_standing_and_the_list_cell_says_held() -> None:
    store = Store([T])
    store.set_pipelines(T, [PipelineSummary("p", 1)])
    store.set_latest(T, "p", latest(Status.IN_PROGRESS))
    store.set_state(T, "p", held_state(enabled=False))
    row = store.row(T, "p")
    assert row is not None and row.standing.kind is StandingKind.HELD
    assert row.stage == "Production"
    assert status_cell(row).plain == "⊘ Held"
    assert matches(row, parse_filter("status:held"))
    assert not matches(row, parse_filter("status:failed"))


def test_the_standing_and_the_stage_column_name_one_stage() -> None:
    """One derivation (``current_stage``) names the list's stage column and the standing's stage,
    wherever the execution runs, ended or waits, and whatever the store passes."""

    def stages(*pairs: tuple[str, str, Status]) -> PipelineState:
        return PipelineState("p", 1, tuple(StageState(n, latest=ExecutionRef(e, s)) for n, e, s in pairs))

    # GetPipelineState ahead of the known latest execution: a newer one runs Build already.
    ahead = stages(("Source", "newer", Status.SUCCEEDED), ("Build", "newer", Status.IN_PROGRESS))
    failed = stages(("Source", EID, Status.SUCCEEDED), ("Deploy", EID, Status.FAILED))
    cases = [
        (latest(Status.IN_PROGRESS), ahead, "Build"),
        (latest(Status.STOPPING), stages(("Build", EID, Status.STOPPING)), "Build"),
        (latest(Status.FAILED), failed, "Deploy"),
        (latest(Status.STOPPED), stages(("Deploy", EID, Status.STOPPED)), "Deploy"),
        (latest(Status.SUCCEEDED), failed, None),
        # Superseded, Cancelled, a status AWS adds tomorrow: no stage, in the column or the standing.
        (latest(Status.SUPERSEDED), failed, None),
        (latest(Status("Paused")), failed, None),
    ]
    for execution, state, stage in cases:
        assert current_stage(execution, state) == stage, execution.status
        assert standing_of(execution, state).stage == stage, execution.status
        store = Store([T])
        store.set_pipelines(T, [PipelineSummary("p", 1)])
        store.set_latest(T, "p", execution)
        store.set_state(T, "p", state)
        row = store.row(T, "p")
        assert row is not None and row.stage == row.standing.stage == stage, execution.status
    # Held at a transition: the column says where it waits, as the standing does.
    assert current_stage(latest(Status.IN_PROGRESS), held_state(enabled=False)) == "Production"
    assert current_stage(latest(Status.IN_PROGRESS), None) is None


# --- coverage: what is known well enough to say "none" -------------------------------------------


def listed(*names: str, target: Target = T, store: Store | None = None) -> Store:
    store = store or Store([T, U])
    store.set_pipelines(target, [PipelineSummary(n, 1) for n in names])
    return store


def test_nothing_listed_is_not_complete_and_names_the_target() -> None:
    store = Store([T])
    coverage = store.coverage(NOW)
    assert not coverage.complete
    store.mark_list_failed(T, "cannot reach endpoint")
    assert (
        store.coverage(NOW).describe() == "pipeline list of default/us-east-1 not read: cannot reach endpoint"
    )


def test_a_running_pipeline_needs_its_state_read_a_quiet_one_does_not() -> None:
    store = listed("run", "quiet")
    store.set_latest(T, "run", latest(Status.IN_PROGRESS))
    store.set_latest(T, "quiet", latest(Status.SUCCEEDED))
    store.mark_read(T, "run", "ListPipelineExecutions", NOW)
    store.mark_read(T, "quiet", "ListPipelineExecutions", NOW)
    coverage = store.coverage(NOW, [T])
    assert dict(coverage.unread) == {NOT_READ_YET: 1} and not coverage.failing
    store.set_state(T, "run", held_state(enabled=True))
    store.mark_read(T, "run", "GetPipelineState", NOW)
    assert store.coverage(NOW, [T]).complete


def test_a_failed_read_says_why_until_a_read_succeeds() -> None:
    store = listed("a", "b", "c")
    for name in "abc":
        store.set_latest(T, name, latest(Status.SUCCEEDED))
        store.mark_read(T, name, "ListPipelineExecutions", NOW)
    change = store.mark_unread(T, "b", "access denied (GetPipelineState)")
    assert change.freshness
    coverage = store.coverage(NOW, [T])
    assert coverage.failing
    assert coverage.describe() == "1 of 3 pipelines not read: access denied (GetPipelineState)"
    assert store.mark_read(T, "b", "GetPipelineState", NOW).freshness
    assert store.coverage(NOW, [T]).complete


def test_a_failing_target_makes_all_its_pipelines_unknown() -> None:
    store = listed("a")
    store.set_latest(T, "a", latest(Status.SUCCEEDED))
    store.mark_read(T, "a", "ListPipelineExecutions", NOW)
    store.mark_stale(T, "stale — throttled, retrying")
    assert store.coverage(NOW, [T]).describe() == "1 of 1 pipeline not read: throttled"


def test_old_reads_are_not_recent() -> None:
    store = listed("a")
    store.set_latest(T, "a", latest(Status.SUCCEEDED))
    store.mark_read(T, "a", "ListPipelineExecutions", NOW)
    assert store.coverage(NOW + timedelta(minutes=5), [T]).complete
    assert "not read for over 10 min" in store.coverage(NOW + timedelta(minutes=11), [T]).describe()


def test_a_denied_permission_names_pipelines_never_tried() -> None:
    store = listed("run")
    store.set_latest(T, "run", latest(Status.IN_PROGRESS))
    store.mark_denied(T, "codepipeline:GetPipelineState")
    assert store.coverage(NOW, [T]).describe() == "1 of 1 pipeline not read: access denied (GetPipelineState)"


def test_the_watch_list_says_held_as_the_list_does_and_marks_unread_entries() -> None:
    from tui.core.watchlist import Followed
    from tui.ui.screens.watchlist import followed_cells

    entry = Followed(T, "p", EID, NOW, status=Status.IN_PROGRESS, stage="Plan", started=NOW)
    held = standing_of(latest(Status.IN_PROGRESS), held_state(enabled=False))
    cells = followed_cells(entry, NOW, held)
    assert cells[0].plain == "⊘ Held" and cells[3].plain == "Production"
    assert followed_cells(entry, NOW)[0].plain == "● Running"
    assert followed_cells(entry, NOW, None, "throttled")[0].plain == "● Running ⚠?"


def test_the_summary_line_counts_standings_and_says_what_is_not_read() -> None:
    from tui.ui.widgets.header import summary_text

    store = listed("held", "quiet")
    store.set_latest(T, "held", latest(Status.IN_PROGRESS))
    store.set_state(T, "held", held_state(enabled=False))
    store.set_latest(T, "quiet", latest(Status.SUCCEEDED))
    for name in ("held", "quiet"):
        store.mark_read(T, name, "ListPipelineExecutions", NOW)
    store.mark_read(T, "held", "GetPipelineState", NOW)
    rows = store.rows(T)
    complete = summary_text(rows, coverage=store.coverage(NOW, [T])).plain
    assert complete.startswith("● 0 running  ⊘ 1 held  ⏸ 0 waiting for approval  ✖ 0 failed")
    assert "?" not in complete and "not read" not in complete
    store.mark_unread(T, "held", "access denied (GetPipelineState)")
    partial = summary_text(rows, coverage=store.coverage(NOW, [T])).plain
    assert "⏸ 0+? waiting for approval" in partial
    assert partial.endswith("⚠ 1 not read: access denied (GetPipelineState)")


def test_a_stage_held_by_its_entry_condition_is_held_not_running() -> None:
    """A V2 stage whose entry condition is being checked (a closed deployment window, say) holds the
    execution: the list says Held, the header counts it as held, the title says which stage."""
    gate = StageConditionState(ConditionKind.BEFORE_ENTRY, ConditionStatus.IN_PROGRESS)
    state = PipelineState(
        "p",
        1,
        (
            StageState("Source", latest=ExecutionRef(EID, Status.SUCCEEDED)),
            StageState("Production", latest=ExecutionRef(EID, Status.IN_PROGRESS), before_entry=gate),
        ),
    )
    standing = standing_of(latest(Status.IN_PROGRESS), state)
    assert standing.kind is StandingKind.CONDITION
    assert (standing.word, standing.glyph, standing.stage) == ("Held", "⊘", "Production")
    assert standing.sentence == "Held by a stage condition in Production"
    assert standing.overrides_status and "held" in standing.words()
    # Once the condition passed, the stage runs its actions: Running again.
    passed = StageConditionState(ConditionKind.BEFORE_ENTRY, ConditionStatus.SUCCEEDED)
    moving = PipelineState(
        "p",
        2,
        (StageState("Production", latest=ExecutionRef(EID, Status.IN_PROGRESS), before_entry=passed),),
    )
    assert standing_of(latest(Status.IN_PROGRESS), moving).kind is StandingKind.RUNNING
