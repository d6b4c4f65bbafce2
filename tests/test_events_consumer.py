"""``tui.events.consumer``: event JSON -> store updates, once each, never backwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tui.core.model import (
    ActionState,
    ExecutionRef,
    ExecutionSummary,
    PipelineState,
    PipelineSummary,
    StageState,
    Status,
    Target,
)
from tui.core.store import Store
from tui.events.consumer import EventApplier, NotAnEvent, parse_event

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TARGET = Target(region="us-east-1")


def _event(
    kind: str,
    state: str,
    *,
    at: int,
    eid: str = "e2",
    stage: str | None = None,
    action: str | None = None,
    event_id: str | None = None,
    start: int = 0,
) -> str:
    detail_type = {
        "pipeline": "CodePipeline Pipeline Execution State Change",
        "stage": "CodePipeline Stage Execution State Change",
        "action": "CodePipeline Action Execution State Change",
    }[kind]
    detail: dict[str, Any] = {
        "pipeline": "web",
        "execution-id": eid,
        "state": state,
        "start-time": (T0 + timedelta(seconds=start)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "version": 1.0,
    }
    if stage:
        detail["stage"] = stage
    if action:
        detail["action"] = action
    return json.dumps(
        {
            "version": "0",
            "id": event_id or f"{kind}-{state}-{at}-{eid}",
            "detail-type": detail_type,
            "source": "aws.codepipeline",
            "account": "123456789012",
            "time": (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
    )


@pytest.fixture
def store() -> Store:
    s = Store([TARGET])
    s.set_pipelines(TARGET, [PipelineSummary("web", 1)])
    s.set_latest(
        TARGET, "web", ExecutionSummary("web", "e1", Status.SUCCEEDED, start_time=T0 - timedelta(hours=1))
    )
    s.set_state(
        TARGET,
        "web",
        PipelineState(
            "web",
            1,
            (
                StageState(
                    "Source",
                    latest=ExecutionRef("e1", Status.SUCCEEDED),
                    actions=(ActionState("Src", Status.SUCCEEDED),),
                ),
                StageState(
                    "Build",
                    latest=ExecutionRef("e1", Status.SUCCEEDED),
                    actions=(ActionState("Compile", Status.SUCCEEDED),),
                ),
            ),
        ),
    )
    return s


def test_a_new_execution_shows_at_once(store: Store) -> None:
    applier = EventApplier(store)
    applied = applier.apply(TARGET, parse_event(_event("pipeline", "STARTED", at=10, start=10)))
    assert applied.pipeline == "web" and "web" in applied.change.pipelines
    row = store.row(TARGET, "web")
    assert row is not None and row.status is Status.IN_PROGRESS and row.latest is not None
    assert row.latest.execution_id == "e2"
    applier.apply(TARGET, parse_event(_event("stage", "STARTED", at=11, stage="Build", start=10)))
    applier.apply(
        TARGET, parse_event(_event("action", "STARTED", at=12, stage="Build", action="Compile", start=10))
    )
    state = store.state(TARGET, "web")
    assert state is not None
    build = state.stages[1]
    assert build.latest == ExecutionRef("e2", Status.IN_PROGRESS)
    assert build.actions[0].status is Status.IN_PROGRESS
    assert store.row(TARGET, "web").stage == "Build"  # type: ignore[union-attr]


def test_duplicates_are_applied_once(store: Store) -> None:
    applier = EventApplier(store)
    body = _event("pipeline", "STARTED", at=10, start=10)
    first = applier.apply(TARGET, parse_event(body))
    second = applier.apply(TARGET, parse_event(body))
    assert not first.duplicate and second.duplicate and second.change.empty
    assert applier.applied == 1 and applier.duplicates == 1


def test_an_older_event_after_a_newer_one_does_not_regress_the_row(store: Store) -> None:
    applier = EventApplier(store)
    applier.apply(TARGET, parse_event(_event("pipeline", "SUCCEEDED", at=60, start=10)))
    late = applier.apply(TARGET, parse_event(_event("pipeline", "STARTED", at=10, start=10)))
    assert late.stale and late.change.empty
    assert store.row(TARGET, "web").status is Status.SUCCEEDED  # type: ignore[union-attr]
    # The same second: an end is not undone by a start delivered after it.
    applier.apply(TARGET, parse_event(_event("stage", "SUCCEEDED", at=70, stage="Build", start=10)))
    applier.apply(TARGET, parse_event(_event("stage", "STARTED", at=70, stage="Build", start=10)))
    assert store.state(TARGET, "web").stages[1].latest == ExecutionRef("e2", Status.SUCCEEDED)  # type: ignore[union-attr]
    # An older execution's late event leaves the newer execution on the row.
    applier.apply(TARGET, parse_event(_event("pipeline", "FAILED", at=80, eid="e0", start=-600)))
    row = store.row(TARGET, "web")
    assert row is not None and row.latest is not None and row.latest.execution_id == "e2"


def test_a_read_newer_than_the_event_wins(store: Store) -> None:
    store.set_latest(
        TARGET,
        "web",
        ExecutionSummary(
            "web", "e2", Status.SUCCEEDED, start_time=T0, last_update_time=T0 + timedelta(seconds=90)
        ),
    )
    EventApplier(store).apply(TARGET, parse_event(_event("pipeline", "STARTED", at=10, start=0)))
    assert store.row(TARGET, "web").status is Status.SUCCEEDED  # type: ignore[union-attr]


def test_the_dedupe_window_is_bounded(store: Store) -> None:
    applier = EventApplier(store, remember=5)
    for i in range(20):
        applier.apply(
            TARGET,
            parse_event(
                _event("action", "STARTED", at=i, stage="Build", action="Compile", event_id=f"id{i}")
            ),
        )
    assert len(applier._seen) == 5 and applier.seen("id19") and not applier.seen("id0")


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"detail-type": "EC2 Instance State-change Notification", "detail": {}}),
        json.dumps(
            {
                "detail-type": "CodePipeline Pipeline Execution State Change",
                "id": "x",
                "time": "2026-11-26T09:00:00Z",
                "detail": {"pipeline": 5},
            }
        ),
    ],
)
def test_what_is_not_an_event_is_refused(body: str) -> None:
    with pytest.raises(NotAnEvent):
        parse_event(body)


def test_build_events_parse() -> None:
    body = json.dumps(
        {
            "id": "b1",
            "detail-type": "CodeBuild Build Phase Change",
            "source": "aws.codebuild",
            "account": "123456789012",
            "region": "us-east-1",
            "time": "2026-11-26T09:00:00Z",
            "detail": {
                "completed-phase": "BUILD",
                "project-name": "p",
                "build-id": "arn:b",
                "completed-phase-status": "FAILED",
            },
        }
    )
    event = parse_event(body)
    assert (event.kind, event.build_id, event.phase, event.build_status) == (
        "phase",
        "arn:b",
        "BUILD",
        "FAILED",
    )
