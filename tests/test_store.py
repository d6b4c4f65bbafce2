"""The store: writes report exactly what changed; rows and approvals derive from the state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.model import (
    ActionCategory,
    ActionDef,
    ActionState,
    ExecutionMode,
    ExecutionRef,
    ExecutionSummary,
    Identity,
    PipelineDef,
    PipelineState,
    PipelineSummary,
    PipelineType,
    SourceRevision,
    StageDef,
    StageState,
    Status,
    Target,
)
from tui.core.store import (
    DEFAULT_APPROVAL_TIMEOUT,
    Store,
    StoreChange,
    approvals_from_state,
    changed_stages,
    latest_outdated,
    row_key,
    stage_statuses_changed,
)

T = Target(region="us-east-1", profile="ops")
U = Target(region="eu-west-1", profile="ops")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def summary(name: str, version: int = 1) -> PipelineSummary:
    return PipelineSummary(
        name, version, PipelineType.V2, ExecutionMode.QUEUED, updated=NOW - timedelta(days=3)
    )


def execution(name: str, eid: str, status: Status, minutes_ago: int = 5) -> ExecutionSummary:
    start = NOW - timedelta(minutes=minutes_ago)
    return ExecutionSummary(
        name,
        eid,
        status,
        start_time=start,
        last_update_time=start + timedelta(minutes=1),
        source_revisions=(SourceRevision("Source", "a" * 40, "Fix the thing"),),
    )


def stage(name: str, eid: str | None, status: Status, *actions: ActionState) -> StageState:
    latest = ExecutionRef(eid, status) if eid else None
    return StageState(name, latest=latest, actions=actions)


def state(name: str, *stages: StageState) -> PipelineState:
    return PipelineState(name, 1, stages)


def loaded_store(*names: str) -> Store:
    store = Store([T])
    store.set_pipelines(T, [summary(n) for n in names])
    return store


# --- diffs ----------------------------------------------------------------------------------


def test_listing_adds_rows_and_reports_the_new_ones() -> None:
    store = Store([T])
    change = store.set_pipelines(T, [summary("a"), summary("b")])
    assert change.pipelines == {"a", "b"} and change.listing and change.freshness
    assert [r.name for r in store.rows()] == ["a", "b"]
    assert all(r.status is None for r in store.rows())  # loading, not "never ran"


def test_the_same_list_again_changes_nothing() -> None:
    store = loaded_store("a", "b")
    change = store.set_pipelines(T, [summary("a"), summary("b")])
    assert change.empty


def test_a_new_version_and_a_removal_are_exactly_what_is_reported() -> None:
    store = loaded_store("a", "b", "c")
    store.set_latest(T, "c", execution("c", "e1", Status.SUCCEEDED))
    change = store.set_pipelines(T, [summary("a", version=2), summary("b")])
    assert change.pipelines == {"a", "c"} and change.listing
    assert store.latest_execution(T, "c") is None and store.row(T, "c") is None


def test_latest_execution_changes_only_its_pipeline() -> None:
    store = loaded_store("a", "b")
    change = store.set_latest(T, "a", execution("a", "e1", Status.IN_PROGRESS))
    assert change.pipelines == {"a"} and not change.stages
    assert store.set_latest(T, "a", execution("a", "e1", Status.IN_PROGRESS)).empty
    change = store.set_latest(T, "a", execution("a", "e1", Status.SUCCEEDED))
    assert change.pipelines == {"a"}
    row = store.row(T, "a")
    assert row is not None and row.status is Status.SUCCEEDED


def test_a_pipeline_that_never_ran_is_idle_once_loaded() -> None:
    store = loaded_store("a")
    change = store.set_latest(T, "a", None)
    assert change.pipelines == {"a"}
    row = store.row(T, "a")
    assert row is not None and row.status is Status.IDLE and row.loaded


def test_state_diff_names_exactly_the_changed_stages() -> None:
    store = loaded_store("a")
    first = state(
        "a",
        stage("Source", "e1", Status.SUCCEEDED),
        stage("Build", "e1", Status.IN_PROGRESS),
        stage("Deploy", None, Status.IDLE),
    )
    change = store.set_state(T, "a", first)
    assert change.stages == {"a": frozenset({"Source", "Build", "Deploy"})}
    second = state(
        "a",
        stage("Source", "e1", Status.SUCCEEDED),
        stage("Build", "e1", Status.SUCCEEDED),
        stage("Deploy", "e1", Status.IN_PROGRESS),
    )
    change = store.set_state(T, "a", second)
    assert change.pipelines == {"a"}
    assert change.stages == {"a": frozenset({"Build", "Deploy"})}
    assert store.set_state(T, "a", second).empty


def test_an_action_detail_change_is_a_stage_change_but_not_a_status_change() -> None:
    before = state("a", stage("Build", "e1", Status.IN_PROGRESS, ActionState("Build", Status.IN_PROGRESS)))
    after = state(
        "a",
        stage(
            "Build", "e1", Status.IN_PROGRESS, ActionState("Build", Status.IN_PROGRESS, percent_complete=40)
        ),
    )
    assert changed_stages(before, after) == {"Build"}
    assert not stage_statuses_changed(before, after)
    assert stage_statuses_changed(None, after)


def test_a_state_tells_when_the_known_latest_execution_is_out_of_date() -> None:
    # What lets a running pipeline cost one GetPipelineState per cycle instead of two calls.
    run = execution("pay", "e2", Status.IN_PROGRESS)
    ended = execution("pay", "e2", Status.SUCCEEDED)
    building = state("pay", stage("Source", "e2", Status.SUCCEEDED), stage("Build", "e2", Status.IN_PROGRESS))
    assert not latest_outdated(run, building)  # still running where the state says
    assert latest_outdated(ended, building)  # a stage runs it again (a retry)
    done = state("pay", stage("Source", "e2", Status.SUCCEEDED), stage("Build", "e2", Status.SUCCEEDED))
    assert latest_outdated(run, done)  # it ended
    assert not latest_outdated(ended, done)
    newer = state("pay", stage("Source", "e3", Status.IN_PROGRESS), stage("Build", "e2", Status.SUCCEEDED))
    assert latest_outdated(ended, newer) and latest_outdated(run, newer)  # a new execution started
    held = StageState(
        "Build",
        latest=ExecutionRef("e1", Status.SUCCEEDED),
        inbound=(ExecutionRef("e2", Status.IN_PROGRESS),),
    )
    waiting = state("pay", stage("Source", "e2", Status.SUCCEEDED), held)
    assert not latest_outdated(run, waiting)  # held at a disabled transition: still running
    assert latest_outdated(None, done) and not latest_outdated(
        None, state("pay", stage("Source", None, Status.IDLE))
    )


def test_changes_merge_across_writes_and_targets() -> None:
    a = StoreChange(T, frozenset({"x"}), {"x": frozenset({"Build"})})
    b = StoreChange(T, frozenset({"x", "y"}), {"x": frozenset({"Deploy"})}, freshness=True)
    merged = a.merge(b)
    assert merged.target == T and merged.pipelines == {"x", "y"} and merged.freshness
    assert merged.stages == {"x": frozenset({"Build", "Deploy"})}
    assert a.merge(StoreChange(U, frozenset({"z"}))).target is None


def test_targets_are_kept_apart() -> None:
    store = Store([T, U])
    store.set_pipelines(T, [summary("same")])
    store.set_pipelines(U, [summary("same")])
    change = store.set_latest(U, "same", execution("same", "e9", Status.FAILED))
    assert change.target == U
    assert store.latest_execution(T, "same") is None
    keys = {r.key for r in store.rows()}
    assert keys == {row_key(T, "same"), row_key(U, "same")}
    assert [r.target for r in store.rows(U)] == [U]


# --- rows -----------------------------------------------------------------------------------


def test_the_row_names_the_running_or_failed_stage() -> None:
    store = loaded_store("a")
    store.set_latest(T, "a", execution("a", "e2", Status.FAILED))
    store.set_state(
        T,
        "a",
        state(
            "a",
            stage("Source", "e2", Status.SUCCEEDED),
            stage("Build", "e1", Status.FAILED),  # an older execution's failure
            stage("Deploy", "e2", Status.FAILED),
        ),
    )
    row = store.row(T, "a")
    assert row is not None and row.stage == "Deploy"
    store.set_latest(T, "a", execution("a", "e3", Status.IN_PROGRESS))
    store.set_state(
        T, "a", state("a", stage("Source", "e3", Status.IN_PROGRESS), stage("Deploy", "e2", Status.FAILED))
    )
    row = store.row(T, "a")
    assert row is not None and row.stage == "Source"
    store.set_latest(T, "a", execution("a", "e3", Status.SUCCEEDED))
    row = store.row(T, "a")
    assert row is not None and row.stage is None


def test_rows_sort_favourites_first_then_by_last_activity() -> None:
    store = Store([T], is_favourite=lambda n: n == "fav")
    store.set_pipelines(T, [summary(n) for n in ("old", "new", "fav", "never")])
    store.set_latest(T, "old", execution("old", "e1", Status.SUCCEEDED, minutes_ago=90))
    store.set_latest(T, "new", execution("new", "e2", Status.IN_PROGRESS, minutes_ago=2))
    store.set_latest(T, "fav", execution("fav", "e3", Status.SUCCEEDED, minutes_ago=900))
    store.set_latest(T, "never", None)
    assert [r.name for r in store.rows()] == ["fav", "new", "old", "never"]
    assert store.rows()[0].favourite


def test_hidden_pipelines_have_no_row_but_their_approvals_still_count() -> None:
    store = Store([T], is_hidden=lambda n: n.startswith("tmp-"))
    store.set_pipelines(T, [summary("tmp-x"), summary("real")])
    assert [r.name for r in store.rows()] == ["real"]
    waiting = ActionState("Approve", Status.IN_PROGRESS, last_status_change=NOW, token="tok")
    store.set_state(T, "tmp-x", state("tmp-x", stage("Gate", "e1", Status.IN_PROGRESS, waiting)))
    assert len(store.approvals()) == 1


def test_freshness_reports_changes_only() -> None:
    store = Store([T])
    assert store.mark_fresh(T, NOW).freshness
    assert store.mark_fresh(T, NOW).empty
    change = store.mark_stale(T, "stale — throttled, retrying")
    assert change.freshness and store.freshness(T).stale_reason == "stale — throttled, retrying"
    assert store.freshness(T).updated_at == NOW  # the data's age is kept
    assert store.mark_fresh(T, NOW + timedelta(seconds=3)).freshness
    assert store.freshness(T).stale_reason is None
    assert store.set_identity(
        T, Identity("123456789012", "arn:aws:sts::123456789012:assumed-role/x")
    ).freshness


# --- approvals ------------------------------------------------------------------------------


def _gate(timeout_minutes: int | None) -> PipelineDef:
    approve = ActionDef(
        "Approve",
        ActionCategory.APPROVAL,
        "AWS",
        "Manual",
        configuration={"CustomData": "Check the canary", "ExternalEntityLink": "https://example.com/c"},
        timeout_minutes=timeout_minutes,
    )
    return PipelineDef("a", 1, PipelineType.V2, ExecutionMode.QUEUED, (StageDef("Gate", (approve,)),))


def _waiting_state(since: datetime) -> PipelineState:
    waiting = ActionState("Approve", Status.IN_PROGRESS, last_status_change=since, token="tok-1")
    other = ActionState("Notify", Status.SUCCEEDED, last_status_change=since)
    return state(
        "a", stage("Build", "e7", Status.SUCCEEDED), stage("Gate", "e7", Status.IN_PROGRESS, waiting, other)
    )


def test_approval_extraction_takes_token_stage_and_waiting_since() -> None:
    since = NOW - timedelta(hours=2)
    latest = execution("a", "e7", Status.IN_PROGRESS)
    (request,) = approvals_from_state(T, _waiting_state(since), _gate(90), latest)
    assert (request.pipeline_name, request.stage_name, request.action_name) == ("a", "Gate", "Approve")
    assert request.token == "tok-1" and request.execution_id == "e7"
    assert request.waiting_since == since
    assert request.expires_at == since + timedelta(minutes=90)
    assert request.custom_data == "Check the canary"
    assert request.external_url == "https://example.com/c"
    assert request.source_revisions == latest.source_revisions


def test_approval_expiry_defaults_to_seven_days_and_is_unknown_without_definition() -> None:
    since = NOW - timedelta(hours=2)
    (no_definition,) = approvals_from_state(T, _waiting_state(since), None)
    (no_timeout,) = approvals_from_state(T, _waiting_state(since), _gate(None))
    assert timedelta(days=7) == DEFAULT_APPROVAL_TIMEOUT
    assert no_timeout.expires_at == since + timedelta(days=7)
    assert no_definition.expires_at is None  # a guess of 7 days could hide a 5-minute timeout
    assert no_definition.source_revisions == ()  # no latest execution known


def test_store_approvals_follow_the_state_and_the_definition() -> None:
    store = loaded_store("a", "b")
    since = NOW - timedelta(minutes=30)
    store.set_latest(T, "a", execution("a", "e7", Status.IN_PROGRESS))
    change = store.set_state(T, "a", _waiting_state(since))
    assert change.pipelines == {"a"}
    row = store.row(T, "a")
    assert row is not None and row.waiting_approval and row.stage == "Gate"
    (request,) = store.approvals()
    assert request.expires_at is None
    store.set_definition(T, "a", _gate(60))
    (request,) = store.approvals()
    assert request.expires_at == since + timedelta(minutes=60)
    answered = state("a", stage("Build", "e7", Status.SUCCEEDED), stage("Gate", "e7", Status.SUCCEEDED))
    store.set_state(T, "a", answered)
    assert store.approvals() == []
    row = store.row(T, "a")
    assert row is not None and not row.waiting_approval
