"""History insights from hand-built histories: retries, superseded and stopped executions,
rollbacks, parallel executions (tui/core/insights.py, tui/core/fleet_health.py,
tui/core/execution_diff.find_breakage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.core.execution_diff import find_breakage
from tui.core.fleet_health import coverage_of, delivery, fleet_rank, fleet_row, red_periods
from tui.core.history_cache import HistoryCache
from tui.core.insights import (
    flaky_actions,
    outcomes_of,
    percentile,
    pipeline_insights,
    step_stats,
)
from tui.core.model import (
    ActionExecution,
    ExecutionSummary,
    ExecutionType,
    SourceRevision,
    Status,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=5)


def ex(
    n: int,
    status: str,
    *,
    hours: float | None = None,
    minutes: float = 10,
    rev: str | None = None,
    rollback: bool = False,
) -> ExecutionSummary:
    """Execution ``n`` starting ``hours`` after T0 (default: n hours), lasting ``minutes``."""
    start = T0 + timedelta(hours=n if hours is None else hours)
    return ExecutionSummary(
        pipeline_name="p",
        execution_id=f"e{n:02d}",
        status=Status(status),
        start_time=start,
        last_update_time=start + timedelta(minutes=minutes),
        source_revisions=(SourceRevision("Source", rev or f"{n:040x}"),),
        execution_type=ExecutionType.ROLLBACK if rollback else ExecutionType.STANDARD,
    )


def act(
    execution: ExecutionSummary,
    stage: str,
    action: str,
    status: str,
    *,
    at: float = 0,
    minutes: float = 2,
    attempt: int = 0,
) -> ActionExecution:
    assert execution.start_time is not None
    start = execution.start_time + timedelta(minutes=at)
    return ActionExecution(
        pipeline_execution_id=execution.execution_id,
        action_execution_id=f"{execution.execution_id}-{stage}-{action}-{attempt}",
        stage_name=stage,
        action_name=action,
        status=Status(status),
        start_time=start,
        last_update_time=start + timedelta(minutes=minutes),
    )


def newest_first(*items: ExecutionSummary) -> list[ExecutionSummary]:
    return sorted(items, key=lambda s: s.start_time or T0, reverse=True)


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == 19.0


def test_outcomes_count_only_standard_succeeded_and_failed() -> None:
    history = newest_first(
        ex(1, "Succeeded"),
        ex(2, "Failed"),
        ex(3, "Stopped"),
        ex(4, "Superseded"),
        ex(5, "Succeeded", rollback=True),
        ex(6, "InProgress"),
        ex(7, "Succeeded"),
        ex(8, "SomethingNew"),
    )
    o = outcomes_of(history)
    assert (o.succeeded, o.failed, o.stopped, o.superseded, o.rollbacks, o.running, o.other) == (
        2,
        1,
        1,
        1,
        1,
        1,
        1,
    )
    assert o.success_rate == pytest.approx(2 / 3)
    assert outcomes_of([]).success_rate is None  # unknown, not 0 %


def test_durations_p50_p95_and_current_run_against_them() -> None:
    done = [ex(i, "Succeeded", minutes=10 + i) for i in range(1, 11)]
    failed = ex(11, "Failed", minutes=1)  # a quick failure does not pull the usual duration down
    running = ExecutionSummary("p", "e12", Status.IN_PROGRESS, start_time=NOW - timedelta(minutes=32))
    build = ActionExecution(
        "e12", "a-build", "Build", "Build", Status.IN_PROGRESS, start_time=NOW - timedelta(minutes=20)
    )
    actions = {s.execution_id: [act(s, "Build", "Build", "Succeeded", minutes=5)] for s in done}
    actions["e12"] = [build]
    insights = pipeline_insights("p", newest_first(*done, failed, running), actions, NOW)
    assert insights.durations.p50 == 15 * 60
    assert insights.durations.p95 == 20 * 60
    assert [b.execution_id for b in insights.bars] == [s.execution_id for s in done] + ["e11"]
    this_run, step = insights.current
    assert this_run.elapsed == 32 * 60
    assert this_run.ratio == pytest.approx(32 / 15)
    assert "2.1× its usual p50 (15m 00s), past its p95 (20m 00s)" in this_run.sentence
    assert step.label == "Build › Build"
    assert step.sentence.startswith("Build › Build is at 4.0× its usual p50 (5m 00s)")
    assert insights.per_day == pytest.approx(12 / (5 - 1 / 24))


def test_step_stats_rank_the_failing_stage_and_the_slower_action() -> None:
    history = []
    actions = {}
    for i in range(1, 9):
        s = ex(i, "Failed" if i in (3, 6, 7) else "Succeeded")
        history.append(s)
        build_minutes = 2 if i <= 4 else 6  # got slower in the newer half
        runs = [act(s, "Build", "Build", "Succeeded", minutes=build_minutes)]
        runs.append(act(s, "Test", "E2E", "Failed" if i in (3, 6, 7) else "Succeeded", at=build_minutes))
        if i == 7:
            runs[0] = act(s, "Build", "Build", "Failed", minutes=1)
            runs.pop()
        actions[s.execution_id] = runs
    stages, steps = step_stats(newest_first(*history), actions)
    assert [(s.stage, s.failures) for s in stages] == [("Test", 2), ("Build", 1)]
    assert stages[0].share == pytest.approx(2 / 3)
    build = next(s for s in steps if s.action == "Build")
    assert build.slower == pytest.approx(3.0)
    assert build.p50 == 2 * 60  # 7 successful runs: 2,2,2,2,6,6,6 minutes (oldest first)
    e2e = next(s for s in steps if s.action == "E2E")
    assert (e2e.runs, e2e.failures) == (7, 2)


def test_flaky_retry_in_the_same_execution_and_rerun_with_the_same_revision() -> None:
    e1 = ex(1, "Succeeded", rev="a" * 40)
    e2 = ex(2, "Failed", rev="b" * 40)
    e3 = ex(3, "Succeeded", rev="b" * 40)  # same revision: a re-run that passed
    e4 = ex(4, "Failed", rev="c" * 40)
    e5 = ex(5, "Succeeded", rev="d" * 40)  # new revision: a fix, not flakiness
    actions = {
        # retry: failed, then the same action succeeded in the same execution
        "e01": [
            act(e1, "Test", "Unit", "Failed", minutes=1, attempt=0),
            act(e1, "Test", "Unit", "Succeeded", at=5, attempt=1),
        ],
        "e02": [act(e2, "Test", "Unit", "Failed")],
        "e03": [act(e3, "Test", "Unit", "Succeeded")],
        "e04": [act(e4, "Test", "E2E", "Failed")],
        "e05": [act(e5, "Test", "E2E", "Succeeded")],
    }
    (flaky,) = flaky_actions(newest_first(e1, e2, e3, e4, e5), actions)
    assert (flaky.label, flaky.retries, flaky.reruns, flaky.occurrences) == ("Test › Unit", 1, 1, 2)
    assert flaky.last_execution_id == "e03"


def test_flaky_rerun_skips_parallel_executions_of_other_revisions() -> None:
    # PARALLEL mode: e2 (another revision) runs between the failed e1 and its re-run e3.
    e1 = ex(1, "Failed", rev="a" * 40)
    e2 = ex(2, "Succeeded", hours=1.2, rev="b" * 40)
    e3 = ex(3, "Succeeded", hours=1.4, rev="a" * 40)
    actions = {
        "e01": [act(e1, "Build", "Build", "Failed")],
        "e02": [act(e2, "Build", "Build", "Succeeded")],
        "e03": [act(e3, "Build", "Build", "Succeeded")],
    }
    (flaky,) = flaky_actions(newest_first(e1, e2, e3), actions)
    assert (flaky.reruns, flaky.last_execution_id) == (1, "e03")


def test_breakage_is_the_first_failure_after_the_last_success() -> None:
    history = newest_first(
        ex(1, "Succeeded"),
        ex(2, "Succeeded"),
        ex(3, "Failed"),  # the first failure since e02: what broke it
        ex(4, "Stopped"),  # neither breaks nor mends
        ex(5, "Succeeded", rollback=True),  # a rollback is not a fix of the change
        ex(6, "Failed"),
        ex(7, "InProgress"),
    )
    breakage = find_breakage(history)
    assert breakage is not None
    assert (breakage.first_failure_id, breakage.last_success_id, breakage.failures_since) == ("e03", "e02", 2)
    assert find_breakage(newest_first(ex(1, "Failed"), ex(2, "Succeeded"))) is None
    never = find_breakage(newest_first(ex(1, "Failed"), ex(2, "Failed")))
    assert never is not None and (never.first_failure_id, never.last_success_id) == ("e01", None)


def test_red_periods_and_time_to_restore() -> None:
    history = newest_first(
        ex(1, "Succeeded"),
        ex(2, "Failed"),  # red from 2h10m
        ex(3, "Failed"),
        ex(4, "Succeeded"),  # green at 4h10m: restored after 2 h
        ex(5, "Failed"),  # red from 5h10m, still red
        ex(6, "Stopped"),
    )
    periods = red_periods(history)
    assert [(p.start, p.end) for p in periods] == [
        (T0 + timedelta(hours=2, minutes=10), T0 + timedelta(hours=4, minutes=10)),
        (T0 + timedelta(hours=5, minutes=10), None),
    ]
    d = delivery(history, NOW)
    assert d.time_to_restore == 2 * 3600
    assert d.red_for == (NOW - (T0 + timedelta(hours=5, minutes=10))).total_seconds()


def test_delivery_metrics() -> None:
    history = newest_first(
        ex(1, "Failed", rev="a" * 40),  # revision a first picked up at 1h
        ex(2, "Succeeded", rev="a" * 40),  # shipped at 2h10m: lead time 1h10m
        ex(3, "Succeeded", rev="b" * 40),  # shipped at 3h10m: lead time 10m ...
        ex(4, "Succeeded", hours=3.5, rollback=True),  # ... and rolled back: a failed change
        ex(5, "Succeeded", rev="c" * 40),  # lead time 10m
        ex(6, "Superseded", rev="d" * 40),
    )
    d = delivery(history, NOW)
    span_days = (NOW - (T0 + timedelta(hours=1))).total_seconds() / 86400
    assert d.deployments_per_day == pytest.approx(3 / span_days)
    assert d.lead_time == 10 * 60
    assert d.change_failure_rate == pytest.approx(2 / 4)
    assert d.time_to_restore == 3600
    assert d.red_for is None
    empty = delivery([], NOW)
    assert (empty.deployments_per_day, empty.lead_time, empty.change_failure_rate) == (None, None, None)


def test_fleet_rows_rank_worst_first_and_unknown_last() -> None:
    good = fleet_row("t@p1", "p1", "t", newest_first(ex(1, "Succeeded"), ex(2, "Succeeded")), NOW)
    bad = fleet_row("t@p2", "p2", "t", newest_first(ex(1, "Succeeded"), ex(2, "Failed")), NOW)
    from tui.core.fleet_health import FleetRow

    unknown = FleetRow("t@p3", "p3", "t", error="could not be read: access denied")
    waiting = FleetRow("t@p4", "p4", "t", error="waiting for budget")
    rows = sorted([unknown, good, waiting, bad], key=fleet_rank)
    assert [r.pipeline for r in rows[:2]] == ["p2", "p1"]
    assert bad.failure_rate == 0.5 and bad.red_share is not None and bad.red_share > 0.9
    assert bad.recent == (Status.SUCCEEDED, Status.FAILED)
    assert good.red_share == 0.0
    assert coverage_of(rows).sentence == "2 of 4 pipelines read, 1 could not be read, 1 waiting for budget"


def test_history_cache_keeps_only_finished_executions() -> None:
    cache = HistoryCache(max_entries=2)
    done, running = ex(1, "Succeeded"), ex(2, "InProgress")
    cache.put_actions("t", done, [act(done, "Build", "Build", "Succeeded")])
    cache.put_actions("t", running, [act(running, "Build", "Build", "InProgress")])
    assert cache.actions("t", done) is not None
    assert cache.actions("t", running) is None
    cache.put_summaries("t", [done, running, ex(3, "Failed"), ex(4, "Stopped")])
    assert cache.summary("t", "p", "e01") is None  # bounded: the oldest entry went first
    assert cache.summary("t", "p", "e04") is not None
    assert cache.summary("t", "p", "e02") is None


def test_pipeline_wide_action_executions_drop_items_without_their_execution() -> None:
    from tui.aws.convert import pipeline_action_executions

    items = [
        {"actionExecutionId": "a1", "pipelineExecutionId": "e1", "stageName": "Build", "actionName": "B"},
        {"actionExecutionId": "a2", "stageName": "Build", "actionName": "B"},  # whose? unknown: left out
        {"pipelineExecutionId": "e1"},  # no id of its own
    ]
    (only,) = pipeline_action_executions(items)
    assert (only.action_execution_id, only.pipeline_execution_id) == ("a1", "e1")
    assert pipeline_action_executions(None) == []


def test_duration_chart_draws_a_column_per_execution_and_marks_p50() -> None:
    from tui.core.insights import Bar
    from tui.ui.widgets.insight_charts import LABEL_WIDTH, duration_chart

    bars = [Bar(f"e{i}", 60.0 * (i + 1), Status.FAILED if i == 2 else Status.SUCCEEDED) for i in range(4)]
    lines = duration_chart(bars, LABEL_WIDTH + 1 + 12, 4, p50=120.0).plain.splitlines()
    assert len(lines) == 5  # four rows of bars, then the outcomes
    assert lines[-1].split() == ["✔", "✔", "✖", "✔"]  # never colour alone
    assert any(line.strip().startswith("p50") for line in lines)
    assert lines[0].strip().startswith("4m")  # the top of the scale: the longest execution
    empty = duration_chart([], 40, 4).plain
    assert "No finished execution" in empty


def test_names_from_aws_are_shown_as_typed_in_the_insights_tables() -> None:
    from rich.console import Console

    from tui.core.insights import Flaky, StepStats
    from tui.ui.screens.insights import flaky_text, steps_table

    hostile = "[bold]Deploy[/] \x1b[31m[link=http://x]"
    console = Console(width=120, record=True, color_system=None)
    console.print(steps_table("Stages", [StepStats(hostile, None, 3, 1, 1.0, 60.0, 90.0)]))
    out = console.export_text()
    assert "[bold]Deploy[/]" in out and "\x1b" not in out
    ins = pipeline_insights("p", [], {}, NOW)
    flaky = Flaky(hostile, "[/]", 1, 0, NOW, "e1")
    text = flaky_text(ins.__class__(**{**ins.__dict__, "flaky": (flaky,)}))
    assert "[bold]Deploy[/] " in text.plain and "› [/]" in text.plain
