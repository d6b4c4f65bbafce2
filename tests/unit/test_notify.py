"""Notifications without a terminal: event detection from store data, the told-events file, the OSC
escape sequences, the watch list and the fleet helpers (all plain Python)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.model import (
    ActionState,
    ExecutionMode,
    ExecutionRef,
    ExecutionSummary,
    Identity,
    PipelineState,
    PipelineSummary,
    PipelineType,
    StageState,
    Status,
    Target,
)
from tui.core.notify import (
    Desktop,
    Event,
    EventDetector,
    EventKind,
    NotifiedLog,
    desktop_protocol,
    desktop_sequence,
    osc_text,
    tmux_passthrough,
)
from tui.core.store import Store
from tui.core.targets import PickKind, new_target, picker_entries, where_label
from tui.core.watchlist import WatchList, followed_key

REPO = Path(__file__).resolve().parents[2]
T = Target(region="us-east-1", profile="ops", name="ops/us-east-1")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def summary(name: str) -> PipelineSummary:
    return PipelineSummary(name, 1, PipelineType.V2, ExecutionMode.QUEUED, updated=NOW - timedelta(days=3))


def execution(name: str, eid: str, status: Status, ended_ago: float = 60) -> ExecutionSummary:
    end = NOW - timedelta(seconds=ended_ago)
    return ExecutionSummary(name, eid, status, start_time=end - timedelta(minutes=5), last_update_time=end)


def waiting(name: str, eid: str, token: str | None, since: datetime) -> PipelineState:
    gate = ActionState(
        "Approve",
        Status.IN_PROGRESS if token else Status.IDLE,
        last_status_change=since,
        token=token,
    )
    return PipelineState(
        name, 1, (StageState("Approval", latest=ExecutionRef(eid, Status.IN_PROGRESS), actions=(gate,)),)
    )


def store_with(*names: str) -> Store:
    store = Store([T], is_favourite=lambda n: n == "fav", is_hidden=lambda n: n == "hidden")
    store.set_pipelines(T, [summary(n) for n in names])
    return store


# --- approvals --------------------------------------------------------------------------------


def test_an_approval_that_starts_waiting_is_one_event() -> None:
    store, detector = store_with("p"), EventDetector(recent=30)
    store.set_latest(T, "p", execution("p", "e1", Status.IN_PROGRESS))
    store.set_state(T, "p", waiting("p", "e1", None, NOW - timedelta(hours=1)))
    assert detector.observe(store, T, ["p"], NOW) == []
    # Later the gate starts waiting: news, however the clock compares.
    store.set_state(T, "p", waiting("p", "e1", "tok-1", NOW - timedelta(minutes=10)))
    (event,) = detector.observe(store, T, ["p"], NOW)
    assert (event.kind, event.pipeline, event.stage, event.action, event.token) == (
        EventKind.APPROVAL,
        "p",
        "Approval",
        "Approve",
        "tok-1",
    )
    assert event.severity == "warning" and event.title == "Approval waiting"
    assert detector.observe(store, T, ["p"], NOW) == []  # the same wait is not news twice


def test_the_first_load_reports_only_recent_approvals() -> None:
    detector = EventDetector(recent=30)
    old = store_with("p")
    old.set_latest(T, "p", execution("p", "e1", Status.IN_PROGRESS))
    old.set_state(T, "p", waiting("p", "e1", "tok-old", NOW - timedelta(minutes=15)))
    assert detector.observe(old, T, ["p"], NOW) == []
    fresh = store_with("q")
    fresh.set_latest(T, "q", execution("q", "e2", Status.IN_PROGRESS))
    fresh.set_state(T, "q", waiting("q", "e2", "tok-new", NOW - timedelta(seconds=10)))
    (event,) = detector.observe(fresh, T, ["q"], NOW)
    assert event.token == "tok-new"


def test_hidden_pipelines_notify_nothing() -> None:
    store, detector = store_with("hidden"), EventDetector(recent=30)
    store.set_latest(T, "hidden", execution("hidden", "e1", Status.IN_PROGRESS))
    store.set_state(T, "hidden", waiting("hidden", "e1", "tok", NOW))
    assert detector.observe(store, T, ["hidden"], NOW) == []


# --- failures -----------------------------------------------------------------------------------


def test_a_favourite_that_fails_is_an_event_other_pipelines_are_not() -> None:
    store, detector = store_with("fav", "other"), EventDetector(is_favourite=lambda n: n == "fav")
    for name in ("fav", "other"):
        store.set_latest(T, name, execution(name, "e1", Status.IN_PROGRESS))
    assert detector.observe(store, T, ["fav", "other"], NOW) == []
    for name in ("fav", "other"):
        store.set_latest(T, name, execution(name, "e1", Status.FAILED, ended_ago=3600))
    (event,) = detector.observe(store, T, ["fav", "other"], NOW)
    assert (event.kind, event.pipeline, event.execution_id, event.severity) == (
        EventKind.FAILED,
        "fav",
        "e1",
        "error",
    )
    assert detector.observe(store, T, ["fav"], NOW) == []


def test_a_failure_says_where_it_failed_as_the_list_does() -> None:
    """The event names the stage from the row's ``Standing`` (the list's and the graph's words)."""
    store, detector = store_with("fav"), EventDetector(is_favourite=lambda n: n == "fav")
    store.set_latest(T, "fav", execution("fav", "e1", Status.IN_PROGRESS))
    detector.observe(store, T, ["fav"], NOW)
    store.set_latest(T, "fav", execution("fav", "e1", Status.FAILED))
    failed = StageState("Deploy", latest=ExecutionRef("e1", Status.FAILED))
    store.set_state(T, "fav", PipelineState("fav", 1, (failed,)))
    row = store.row(T, "fav")
    assert row is not None and row.standing.stage == "Deploy"
    (event,) = detector.observe(store, T, ["fav"], NOW)
    assert event.stage == "Deploy"
    assert event.body.startswith("fav e1 failed in Deploy")


def test_a_failure_found_at_first_load_counts_only_if_recent() -> None:
    detector = EventDetector(is_favourite=lambda n: True, recent=30)
    store = store_with("old", "new")
    store.set_latest(T, "old", execution("old", "e1", Status.FAILED, ended_ago=600))
    store.set_latest(T, "new", execution("new", "e2", Status.FAILED, ended_ago=5))
    assert [e.pipeline for e in detector.observe(store, T, ["old", "new"], NOW)] == ["new"]


# --- told events ----------------------------------------------------------------------------------


def test_told_events_persist_and_expire_with_the_window(tmp_path: Path) -> None:
    path = tmp_path / "state" / "notified.json"
    first = NotifiedLog(path, window=30)
    assert first.claim("a", NOW) and not first.claim("a", NOW + timedelta(seconds=5))
    # A restart (a new log on the same file) within the window remembers it ...
    again = NotifiedLog(path, window=30)
    assert not again.claim("a", NOW + timedelta(seconds=20))
    assert again.claim("b", NOW + timedelta(seconds=20))
    # ... and forgets it once the window has passed; the file is pruned on the next write.
    later = NotifiedLog(path, window=30)
    assert later.claim("a", NOW + timedelta(seconds=45))
    saved = json.loads(path.read_text())["notified"]
    assert set(saved) == {"a", "b"} and saved["a"].startswith("2026-11-26T09:00:45")
    assert set(NotifiedLog(path, window=30).told(NOW + timedelta(seconds=70))) == {"a"}


def test_an_unreadable_state_file_costs_only_memory(tmp_path: Path) -> None:
    path = tmp_path / "notified.json"
    path.write_text("{not json")
    log = NotifiedLog(path, window=30)
    assert log.claim("a", NOW) and not log.claim("a", NOW)
    assert "a" in json.loads(path.read_text())["notified"]
    in_memory = NotifiedLog(None, window=30)
    assert in_memory.claim("a", NOW) and not in_memory.claim("a", NOW)


def test_a_clock_far_behind_the_file_does_not_mute_events_forever(tmp_path: Path) -> None:
    path = tmp_path / "notified.json"
    NotifiedLog(path, window=30).claim("a", NOW)
    assert NotifiedLog(path, window=30).claim("a", NOW - timedelta(days=400))


# --- terminal sequences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, Desktop.OSC9),
        ({"TERM_PROGRAM": "WezTerm"}, Desktop.OSC9),
        ({"TERM": "xterm-kitty"}, Desktop.OSC9),
        ({"TERM": "foot"}, Desktop.OSC777),
        ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, Desktop.OSC777),
        ({"TERM": "xterm-256color"}, Desktop.OSC9),
        ({}, Desktop.OSC9),
    ],
)
def test_the_escape_is_chosen_from_the_terminal(env: dict[str, str], expected: Desktop) -> None:
    assert desktop_protocol(env) is expected


def test_osc_payloads_carry_no_control_characters() -> None:
    hostile = "deploy\x1b]9;pwned\x07\x9c\u202eevil\nnext\ttab\x00"
    text = osc_text(hostile)
    assert all(ch.isprintable() for ch in text) and "\x1b" not in text and "\x07" not in text
    assert "\u202e" not in text and "\x9c" not in text
    osc9 = desktop_sequence(Desktop.OSC9, "cptui: Pipeline failed", hostile)
    assert osc9.startswith("\x1b]9;cptui: Pipeline failed: deploy") and osc9.endswith("\x07")
    assert osc9.count("\x1b") == 1 and osc9.count("\x07") == 1
    osc777 = desktop_sequence(Desktop.OSC777, "a;b", "c;d" + hostile)
    assert osc777.startswith("\x1b]777;notify;a,b;c,d")
    assert osc777.count(";") == 3 and osc777.count("\x1b") == 1 and osc777.count("\x07") == 1


def test_inside_tmux_the_sequence_is_passed_through() -> None:
    wrapped = tmux_passthrough(desktop_sequence(Desktop.OSC9, "t", "b"))
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"


def test_event_text_is_sanitized() -> None:
    event = Event(EventKind.FAILED, T, "web\x1b[31mred", "0123456789abcdef", Status.FAILED, stage="Te\x07st")
    assert "\x1b" not in event.body and "\x07" not in event.body
    assert event.body == "webred 01234567 failed in Test (ops/us-east-1)"


# --- the watch list -------------------------------------------------------------------------------


def test_a_followed_execution_ends_once_and_stays_until_dismissed() -> None:
    watch = WatchList()
    entry = watch.follow(T, "p", "e1", NOW, status=Status.IN_PROGRESS)
    assert entry is not None and not entry.finished
    assert watch.follow(T, "p", "e1", NOW) is None  # already followed
    assert watch.update(entry.key, Status.IN_PROGRESS, NOW, stage="Build") is None
    event = watch.update(entry.key, Status.SUCCEEDED, NOW + timedelta(minutes=3), stage="Deploy")
    assert event is not None and (event.kind, event.status, event.severity) == (
        EventKind.FINISHED,
        Status.SUCCEEDED,
        "information",
    )
    assert event.title == "Execution succeeded"
    assert watch.update(entry.key, Status.SUCCEEDED, NOW + timedelta(minutes=4)) is None
    (done,) = watch.entries()
    assert done.finished and done.stage == "Deploy"
    assert watch.dismiss_finished() == 1 and len(watch) == 0


def test_a_failed_followed_execution_is_a_failure_event() -> None:
    watch = WatchList()
    entry = watch.follow(T, "p", "e1", NOW, status=Status.IN_PROGRESS)
    assert entry is not None
    event = watch.update(entry.key, Status.FAILED, NOW, stage="Test")
    assert event is not None and event.kind is EventKind.FAILED and event.stage == "Test"


def test_following_an_ended_execution_is_quiet() -> None:
    watch = WatchList()
    ended = watch.follow(T, "p", "e1", NOW, status=Status.FAILED)
    assert ended is not None and ended.finished
    unknown = watch.follow(T, "p", "e2", NOW)  # status not known yet, e.g. an old history row
    assert unknown is not None
    assert watch.update(unknown.key, Status.SUCCEEDED, NOW) is None  # never seen running: no news
    assert watch.running() == []


def test_the_store_tracks_the_latest_and_the_rest_needs_fetching() -> None:
    store, watch = store_with("p"), WatchList()
    store.set_latest(T, "p", execution("p", "e2", Status.IN_PROGRESS))
    latest = watch.follow(T, "p", "e2", NOW, status=Status.IN_PROGRESS)
    older = watch.follow(T, "p", "e1", NOW, status=Status.IN_PROGRESS)
    assert latest is not None and older is not None
    assert [e.execution_id for e in watch.needs_fetch(store)] == ["e1"]
    store.set_latest(T, "p", execution("p", "e2", Status.STOPPED))
    (event,) = watch.update_from_store(store, NOW)
    assert event.execution_id == "e2" and event.status is Status.STOPPED and event.severity == "warning"
    assert watch.get(followed_key(T, "p", "e2")) is not None
    assert [e.execution_id for e in watch.running()] == ["e1"]


# --- fleet helpers --------------------------------------------------------------------------------


def test_picker_lists_all_then_targets_then_profiles() -> None:
    other = Target(region="eu-west-1", profile="dev")
    entries = picker_entries([T, other], ["dev", "ops", "sandbox", "dev"], view=other)
    assert [(e.kind, e.current) for e in entries[:3]] == [
        (PickKind.ALL, False),
        (PickKind.TARGET, False),
        (PickKind.TARGET, True),
    ]
    assert [e.profile for e in entries[3:]] == ["dev", "ops", "sandbox"]


def test_a_new_target_is_checked_and_keeps_its_account_colour() -> None:
    prod = Target(region="us-east-1", profile="prod", color="red")
    added = new_target("prod", " eu-west-1 ", [prod])
    assert (added.profile, added.region, added.color) == ("prod", "eu-west-1", "red")
    assert new_target("dev", "eu-west-1", [prod]).color is None
    with pytest.raises(ValueError, match="region like"):
        new_target("prod", "Europe", [prod])
    with pytest.raises(ValueError, match="already a target"):
        new_target("prod", "us-east-1", [prod])


def test_where_label_prefers_name_then_profile_then_account() -> None:
    identity = Identity("210987654321", "arn:aws:sts::210987654321:assumed-role/x/y")
    assert where_label(T, identity) == "ops/us-east-1"
    assert where_label(Target(region="eu-west-1", profile="dev"), identity) == "dev/eu-west-1"
    assert where_label(Target(region="eu-west-1"), identity) == "210987654321/eu-west-1"
    assert where_label(Target(region="eu-west-1"), None) == "default/eu-west-1"


def test_notification_targets_and_session_modules_do_not_import_textual() -> None:
    code = (
        "import sys, tui.core.notify, tui.core.watchlist, tui.core.targets, tui.core.fleet_rows,"
        " tui.core.session;"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)
