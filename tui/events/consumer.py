"""EventBridge events -> store updates: parse, drop duplicates, keep order, apply.

Delivery is at-least-once, best effort and unordered: the same event may come twice (dropped here
by its ``id``, remembered in a bounded window), an older event may come after a newer one (each
execution's pipeline, stage and action keep the ``time`` of the last event applied, and an older one
is skipped: a row never goes back from Succeeded to Running because a late STARTED arrived), and
some never come at all (the confirming read and the safety sweep heal that; see ``receiver``).

Applying an event changes the store at once (``Store.set_latest`` / ``set_state``): the row's status
and stage, a stage's latest execution, an action's state. The caller then asks for one confirming
read of that pipeline through the rate budget, which replaces the guess with what AWS says.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tui.core.model import ActionState, ExecutionRef, ExecutionSummary, Status, Target, Trigger, TriggerType
from tui.core.store import Store, StoreChange
from tui.events.resources import DETAIL_TYPES

PIPELINE, STAGE, ACTION, BUILD, PHASE = DETAIL_TYPES
_KIND = {PIPELINE: "pipeline", STAGE: "stage", ACTION: "action", BUILD: "build", PHASE: "phase"}
# The states events spell (CodePipeline's event reference) -> the statuses the API reports.
STATUS_OF_STATE: Mapping[str, Status] = {
    "STARTED": Status.IN_PROGRESS,
    "RESUMED": Status.IN_PROGRESS,
    "SUCCEEDED": Status.SUCCEEDED,
    "FAILED": Status.FAILED,
    "STOPPING": Status.STOPPING,
    "STOPPED": Status.STOPPED,
    "SUPERSEDED": Status.SUPERSEDED,
    "CANCELED": Status.CANCELLED,
    "ABANDONED": Status.ABANDONED,
}
_RUNNING = (Status.IN_PROGRESS, Status.STOPPING)
_MAX_TEXT = 1024  # a field longer than this is not a name AWS would send


class NotAnEvent(ValueError):
    """A message body that is not one of the events push mode reads (kept out of the store)."""


@dataclass(frozen=True)
class PipelineEvent:
    """One CodePipeline or CodeBuild state change, as far as cptui uses it."""

    id: str
    kind: str  # pipeline, stage, action, build, phase
    time: datetime
    account: str
    region: str
    pipeline: str | None = None
    execution_id: str | None = None
    start_time: datetime | None = None
    stage: str | None = None
    action: str | None = None
    status: Status | None = None
    # build / phase events
    build_id: str | None = None
    project: str | None = None
    build_status: str | None = None
    phase: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def order_key(self) -> tuple[str, ...]:
        """What this event's ``time`` orders against: the execution, its stage, its action."""
        parts: tuple[str | None, ...] = (self.pipeline, self.execution_id, self.stage, self.action)
        if self.kind == "pipeline":
            parts = parts[:2]
        elif self.kind == "stage":
            parts = parts[:3]
        elif self.kind in ("build", "phase"):
            parts = ("build", self.build_id, self.phase if self.kind == "phase" else None, None)
        return tuple(p or "" for p in parts)


def _text(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise NotAnEvent(f"{what} is missing or not a string")
    return value


def parse_time(value: Any) -> datetime:
    """``2026-11-26T09:00:00Z`` (or with milliseconds) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise NotAnEvent("time is missing")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise NotAnEvent(f"time {value[:40]!r} is not a timestamp") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_event(body: str | bytes) -> PipelineEvent:
    """The event in one SQS message body; raises ``NotAnEvent`` for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAnEvent("the message is not JSON") from exc
    if not isinstance(data, dict):
        raise NotAnEvent("the message is not a JSON object")
    kind = _KIND.get(str(data.get("detail-type")))
    if kind is None:
        raise NotAnEvent(f"detail-type {str(data.get('detail-type'))[:80]!r} is not one cptui reads")
    detail = data.get("detail")
    if not isinstance(detail, dict):
        raise NotAnEvent("the event has no detail")
    common: dict[str, Any] = {
        "id": _text(data.get("id"), "id"),
        "kind": kind,
        "time": parse_time(data.get("time")),
        "account": str(data.get("account") or ""),
        "region": str(data.get("region") or ""),
        "detail": detail,
    }
    if kind in ("build", "phase"):
        status = detail.get("build-status") if kind == "build" else detail.get("completed-phase-status")
        return PipelineEvent(
            **common,
            build_id=_text(detail.get("build-id"), "build-id"),
            project=_text(detail.get("project-name"), "project-name", required=False),
            build_status=str(status) if isinstance(status, str) else None,
            phase=_text(
                detail.get("completed-phase") if kind == "phase" else detail.get("current-phase"),
                "phase",
                required=False,
            ),
        )
    state = _text(detail.get("state"), "state")
    assert state is not None
    start = detail.get("start-time")
    return PipelineEvent(
        **common,
        pipeline=_text(detail.get("pipeline"), "pipeline"),
        execution_id=_text(detail.get("execution-id"), "execution-id"),
        start_time=parse_time(start) if isinstance(start, str) else None,
        stage=_text(detail.get("stage"), "stage") if kind in ("stage", "action") else None,
        action=_text(detail.get("action"), "action") if kind == "action" else None,
        status=STATUS_OF_STATE.get(state, Status(state.title())),
    )


class _Bounded(OrderedDict[Any, Any]):
    """A dict that forgets its oldest entries beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass(frozen=True)
class Applied:
    """What applying one event did. ``pipeline`` is set when a confirming read is due."""

    change: StoreChange
    pipeline: str | None = None
    duplicate: bool = False
    stale: bool = False  # older than what was already applied: skipped
    build: PipelineEvent | None = None  # a build or phase event (for an open log screen)


class EventApplier:
    """Turns events into store updates, once each and never backwards."""

    def __init__(self, store: Store, *, remember: int = 10_000) -> None:
        self.store = store
        self._seen = _Bounded(remember)  # event ids already handled
        self._times = _Bounded(remember * 2)  # order key -> (time, terminal) of the last applied
        self._starts = _Bounded(remember)  # (pipeline, execution id) -> start time
        self.applied = 0
        self.duplicates = 0
        self.stale = 0

    def seen(self, event_id: str) -> bool:
        return event_id in self._seen

    def apply(self, target: Target, event: PipelineEvent) -> Applied:
        """Apply one event to ``target``'s data in the store."""
        if event.id in self._seen:
            self.duplicates += 1
            return Applied(StoreChange(target), duplicate=True)
        self._seen.put(event.id, True)
        if event.kind in ("build", "phase"):
            self.applied += 1
            return Applied(StoreChange(target), build=event)
        assert event.pipeline is not None and event.execution_id is not None
        if event.start_time is not None:
            self._starts.put((event.pipeline, event.execution_id), event.start_time)
        if self._older(event):
            self.stale += 1
            # Still worth a confirming read: the store may hold a guess the late event contradicts.
            return Applied(StoreChange(target), pipeline=event.pipeline, stale=True)
        terminal = event.status is not None and event.status not in _RUNNING
        self._times.put(event.order_key, (event.time, terminal))
        self.applied += 1
        if event.kind == "pipeline":
            change = self._pipeline(target, event)
        elif event.kind == "stage":
            change = self._stage(target, event)
        else:
            change = self._action(target, event)
        return Applied(change, pipeline=event.pipeline)

    def _older(self, event: PipelineEvent) -> bool:
        last = self._times.get(event.order_key)
        if last is None:
            return False
        time: datetime = last[0]
        terminal: bool = last[1]
        if event.time != time:
            return event.time < time
        # The same second: an end is never undone by a start that was only delivered later.
        return terminal and event.status in _RUNNING

    def _newer_execution(self, pipeline: str, mine: str, other: ExecutionSummary | None) -> bool:
        """True when execution ``mine`` started no earlier than ``other`` (None: there is none)."""
        if other is None or other.execution_id == mine:
            return True
        started = self._starts.get((pipeline, mine))
        theirs = other.start_time or self._starts.get((pipeline, other.execution_id))
        return bool(started is None or theirs is None or started >= theirs)

    def _pipeline(self, target: Target, event: PipelineEvent) -> StoreChange:
        name, eid, status = event.pipeline or "", event.execution_id or "", event.status
        assert status is not None
        latest = self.store.latest_execution(target, name)
        if latest is not None and latest.execution_id == eid:
            known = latest.last_update_time
            if known is not None and event.time < known:
                return StoreChange(target)  # the store already has something newer
            if (
                known is not None
                and event.time == known
                and latest.status not in _RUNNING
                and status in _RUNNING
            ):
                return StoreChange(target)
            updated = replace(latest, status=status, last_update_time=event.time)
        elif self._newer_execution(name, eid, latest):
            trigger = None
            raw = event.detail.get("execution-trigger")
            if isinstance(raw, dict) and isinstance(raw.get("trigger-type"), str):
                detail = raw.get("trigger-detail")
                trigger = Trigger(TriggerType(raw["trigger-type"]), detail if isinstance(detail, str) else "")
            updated = ExecutionSummary(
                pipeline_name=name,
                execution_id=eid,
                status=status,
                start_time=event.start_time or event.time,
                last_update_time=event.time,
                trigger=trigger,
            )
        else:
            return StoreChange(target)  # an older execution: the row shows a newer one
        return self.store.set_latest(target, name, updated)

    def _stage(self, target: Target, event: PipelineEvent) -> StoreChange:
        name, eid, status = event.pipeline or "", event.execution_id or "", event.status
        assert status is not None
        state = self.store.state(target, name)
        if state is None or not any(s.name == event.stage for s in state.stages):
            return StoreChange(target)  # nothing to update yet: the confirming read brings it
        stages = []
        for stage in state.stages:
            if stage.name == event.stage:
                current = stage.latest
                if current is not None and current.execution_id != eid:
                    other = ExecutionSummary(name, current.execution_id, current.status)
                    if not self._newer_execution(name, eid, other):
                        return StoreChange(target)
                stage = replace(stage, latest=ExecutionRef(eid, status))
            stages.append(stage)
        return self.store.set_state(target, name, replace(state, stages=tuple(stages)))

    def _action(self, target: Target, event: PipelineEvent) -> StoreChange:
        name, eid, status = event.pipeline or "", event.execution_id or "", event.status
        assert status is not None
        state = self.store.state(target, name)
        if state is None:
            return StoreChange(target)
        result = event.detail.get("execution-result")
        result = result if isinstance(result, dict) else {}

        def text(key: str) -> str | None:
            value = result.get(key)
            return value[:_MAX_TEXT] if isinstance(value, str) else None

        stages = []
        found = False
        for stage in state.stages:
            if stage.name == event.stage:
                if stage.latest is not None and stage.latest.execution_id != eid:
                    other = ExecutionSummary(name, stage.latest.execution_id, stage.latest.status)
                    if not self._newer_execution(name, eid, other):
                        return StoreChange(target)
                    stage = replace(stage, latest=ExecutionRef(eid, Status.IN_PROGRESS))
                actions = []
                for action in stage.actions:
                    if action.name == event.action:
                        found = True
                        running = status in _RUNNING
                        action = replace(
                            action,
                            status=status,
                            last_status_change=event.time,
                            action_execution_id=_str(event.detail.get("action-execution-id"))
                            or action.action_execution_id,
                            summary=None if running else text("external-execution-summary"),
                            error_code=None if running else text("error-code"),
                            error_message=None
                            if running or status is not Status.FAILED
                            else text("external-execution-summary"),
                            external_execution_url=text("external-execution-url")
                            or action.external_execution_url,
                            external_execution_id=text("external-execution-id")
                            or action.external_execution_id,
                            token=action.token if status is Status.IN_PROGRESS else None,
                        )
                    actions.append(action)
                if not found:
                    actions.append(ActionState(event.action or "", status, last_status_change=event.time))
                    found = True
                stage = replace(stage, actions=tuple(actions))
            stages.append(stage)
        if not found:
            return StoreChange(target)
        return self.store.set_state(target, name, replace(state, stages=tuple(stages)))


def _str(value: Any) -> str | None:
    return value[:_MAX_TEXT] if isinstance(value, str) and value else None
