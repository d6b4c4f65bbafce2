"""LogScreen on the real App, real aiobotocore services and the simulator.

The simulator's ManualClock is the App's clock; tests move it and wait (bounded) for the screen to
catch up. The follower's cadences are shortened so that a poll follows a clock step quickly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pyperclip
import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.support.apps import EAST, open_pipeline, sim_app
from tests.support.notices import told
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.logmerge import event_lines
from tui.core.logtail import LogFollower
from tui.core.model import LogEvent
from tui.core.sanitize import strip_ansi
from tui.sim import ManualClock, Simulator
from tui.sim import livetail as sim_livetail
from tui.sim.world.builds import Build as SimBuild
from tui.ui.screens.logs import LogScreen, log_file_name

ACTION_ERROR = "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR"


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LogScreen, "POLL_INTERVAL", 0.1)
    monkeypatch.setattr(LogScreen, "BUILD_CHECK_INTERVAL", 0.3)


@pytest.fixture
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard here")

    monkeypatch.setattr(pyperclip, "copy", unavailable)


def logs_app(sim: Simulator, tmp_path: Path) -> CptuiApp:
    """The App on the simulator, not polling, with a budget roomy enough for fast test cadences."""
    return sim_app(sim, tmp_path, utc=True, tps=50.0, start_polling=False)


@pytest.fixture
async def app_and_pilot(sim: Simulator, tmp_path: Path) -> AsyncIterator[tuple[CptuiApp, Pilot[Any]]]:
    app = logs_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        yield app, pilot


def failed_e2e_build(sim: Simulator) -> SimBuild:
    world = sim.engine.world()
    builds = [
        b
        for b in world.builds.values()
        if b.project == "web-frontend-e2e" and b.outcome == "FAILED" and b.complete_at(world.now)
    ]
    return max(builds, key=lambda b: b.start)


def stream_lines(sim: Simulator, build: SimBuild) -> list[str]:
    """The build's whole log as display lines, straight from the simulator's store."""
    world = sim.engine.world()
    stream = world.logs.groups[build.log_group].streams[build.log_stream]
    events = [LogEvent(ms, msg) for _, ms, msg, _ in stream.events(0, stream.visible(world.now))]
    return event_lines(events)[0]


def view_lines(screen: LogScreen) -> list[str]:
    view = screen.view
    return [view.raw_line(n) for n in range(view.first_line, view.total_lines)]


def reads_past(screen: LogScreen, target: int) -> Callable[[], bool]:
    """True once the build is finished or the follower has made ``target`` reads."""
    follower = screen.follower
    assert follower is not None
    return lambda: screen.finished or follower.reads >= target


async def open_logs(pilot: Pilot[Any], app: CptuiApp, screen: LogScreen) -> LogScreen:
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.follower is not None and screen.follower.build is not None)
    return screen


async def test_l_on_a_codebuild_action_opens_its_log(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        pipeline = await open_pipeline(pilot, app, "web-frontend")
        pipeline.graph.select("Test", "E2E-Tests")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), timeout=10)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        expected = failed_e2e_build(sim)
        assert screen.build_id == expected.id
        await wait_until(pilot, lambda: screen.finished, timeout=10)
        text = await wait_for_text(pilot, "web-frontend-e2e", "✖ Failed")
        assert "web-frontend-e2e" in text and "✖ Failed" in text
        assert "✖ BUILD" in text  # the failed phase, with its glyph
        assert "COMMAND_EXECUTION_ERROR" in text
        assert view_lines(screen) == stream_lines(sim, expected)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is pipeline)


async def test_triage_opens_at_the_first_error_with_the_failed_phase_and_action_error(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]]
) -> None:
    app, pilot = app_and_pilot
    build = failed_e2e_build(sim)
    screen = await open_logs(
        pilot, app, LogScreen(EAST, build.id, error_message=ACTION_ERROR, jump_to_error=True)
    )
    await wait_until(pilot, lambda: screen.finished and screen.view.cursor is not None, timeout=10)
    lines = view_lines(screen)
    cursor = screen.view.cursor
    assert cursor is not None
    first_error = next(i for i, line in enumerate(lines) if "FAILED" in strip_ansi(line))
    assert cursor - screen.view.first_line == first_error
    text = await wait_for_text(pilot, "Action error: Build terminated with state: FAILED")
    assert strip_ansi(lines[first_error])[:60] in text  # the error line is on screen ...
    assert "✖ BUILD FAILED: Error while executing command: python -m pytest" in text
    assert "Action error: Build terminated with state: FAILED" in text  # ... under the callout
    assert not screen.view.follow
    # `e` again goes to the next error line.
    await pilot.press("e")
    await wait_until(pilot, lambda: screen.view.cursor != cursor)
    assert screen.view.cursor is not None and screen.view.cursor > cursor


async def test_l_on_a_failed_pipeline_row_opens_the_failed_build_at_its_first_error(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        pipelines = app.screen
        table = pipelines.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count >= 9, timeout=10)
        while table.cursor_row < table.row_count - 1 and not str(
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ).endswith("web-frontend"):
            await pilot.press("down")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), timeout=10)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        assert screen.build_id == failed_e2e_build(sim).id
        assert screen.jump_to_error
        await wait_until(pilot, lambda: screen.finished and screen.view.cursor is not None, timeout=10)
        assert "FAILED" in strip_ansi(screen.view.raw_line(screen.view.cursor or 0))
        await wait_for_text(pilot, "Action error: Build terminated with state: FAILED")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is pipelines)
        # A pipeline that neither failed nor runs says so instead of opening anything.
        await pilot.press("home")
        while table.cursor_row < table.row_count - 1 and not (
            (row := pipelines.cursor_row) is not None  # type: ignore[attr-defined]
            and row.status is not None
            and row.status.value == "Succeeded"
        ):
            await pilot.press("down")
        await pilot.press("l")
        await wait_until(
            pilot, lambda: any("has no failed or running CodeBuild" in n.message for n in told(app))
        )
        assert app.screen is pipelines


async def test_search_moves_between_matches_and_save_writes_the_log(
    sim: Simulator,
    app_and_pilot: tuple[CptuiApp, Pilot[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, pilot = app_and_pilot
    monkeypatch.chdir(tmp_path)
    build = failed_e2e_build(sim)
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    await wait_until(pilot, lambda: screen.finished)
    expected = stream_lines(sim, build)
    passed = sum(1 for line in expected if "passed" in strip_ansi(line).lower())
    await pilot.press("slash", *"passed", "enter")
    await wait_until(pilot, lambda: screen.view.match_status is not None and not screen.view.searching)
    status = screen.view.match_status
    assert status is not None and status[1] == passed
    await wait_for_text(pilot, f"/{passed}")
    first = screen.view.cursor
    await pilot.press("n")
    assert screen.view.cursor is not None and first is not None and screen.view.cursor > first
    await pilot.press("N")
    assert screen.view.cursor == first
    await pilot.press("s")
    path = tmp_path / log_file_name(build.id)
    await wait_until(pilot, lambda: screen.saved_to == path)
    assert path.name == f"web-frontend-e2e-{build.id.split(':')[1]}.log"
    assert path.read_text(encoding="utf-8").splitlines() == [strip_ansi(line) for line in expected]
    assert "\x1b" not in path.read_text(encoding="utf-8")


@pytest.mark.slow
async def test_follow_a_running_build_to_its_end(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GetLogEvents polling: every step of the clock is followed by reads, so the test can wait on
    # them. (A live session only speaks when the clock moves after it started; that path is tested
    # below and, with an injected clock, in test_logtail.py.)
    monkeypatch.setattr(LogScreen, "LIVE_TAIL", False)
    app, pilot = app_and_pilot
    world = sim.engine.world()
    build = min(world.running_builds(), key=lambda b: b.end)
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    # The status line changes with every batch (the line count): never with a layout pass, which
    # would redraw the whole screen each time.
    status = screen.query_one("#logs-status", Static)
    status_refresh = status.refresh
    status_layouts: list[bool] = []

    def spy(*regions: Region, **options: bool) -> Static:
        status_layouts.append(options.get("layout", False))
        return status_refresh(*regions, **options)

    status.refresh = spy  # type: ignore[method-assign]
    await wait_until(pilot, lambda: screen.follower is not None and screen.view.total_lines > 0, timeout=10)
    assert not screen.finished
    assert "following" in screen_text(app) or "reading" in screen_text(app)
    follower = screen.follower
    assert follower is not None
    while not screen.finished:
        assert clock.now().timestamp() < build.end + 120, "the follower did not notice the end"
        clock.advance(10.0)
        # Two reads (or live updates) later, the follower has seen the world after the step (a
        # generous bound: 5 s was not enough on a busy machine).
        await wait_until(pilot, reads_past(screen, follower.reads + 2), timeout=15)
    await wait_until(pilot, lambda: not screen._pending_lines)
    await pilot.pause()
    assert view_lines(screen) == stream_lines(sim, build)
    assert screen.follower is not None and screen.follower.build is not None
    assert screen.follower.build.complete
    await wait_for_text(pilot, "✔ complete")
    assert screen.view.follow  # nobody scrolled: it stayed at the bottom
    assert screen.view.scroll_y == screen.view.max_scroll_y
    assert status_layouts and not any(status_layouts)


async def follow_live(
    sim: Simulator, app: CptuiApp, pilot: Pilot[Any]
) -> tuple[SimBuild, LogScreen, LogFollower]:
    """Open the log of the running build that ends first; wait until it follows with live tail."""
    build = min(sim.engine.world().running_builds(), key=lambda b: b.end)
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    await wait_until(pilot, lambda: screen.follower is not None and screen.follower.mode.value == "live tail")
    assert screen.follower is not None
    return build, screen, screen.follower


async def advance_until(
    sim: Simulator,
    pilot: Pilot[Any],
    done: Callable[[], bool],
    seconds: int = 120,
    pause: float = 0.05,
    step: int = 1,
) -> None:
    """Move the world ``step`` seconds at a time, letting the app run, until ``done`` (or ``seconds``)."""
    clock = sim.clock
    assert isinstance(clock, ManualClock)
    for _ in range(0, seconds, step):
        if done():
            return
        clock.advance(float(step))
        await pilot.pause(pause)


async def test_live_tail_through_the_app_budget(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]]
) -> None:
    app, pilot = app_and_pilot
    _, _, follower = await follow_live(sim, app, pilot)
    await advance_until(sim, pilot, lambda: follower.live_events > 0)  # the session delivered lines
    assert follower.live_events > 0 and follower.live_error is None
    await wait_for_text(pilot, "following (live tail)")
    assert app.poller.calls["StartLiveTail"] == 1  # it went through app.reads (the rate budget)


@pytest.mark.slow
async def test_a_sampled_live_tail_says_so_and_the_full_log_is_read_at_the_end(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # CloudWatch samples an update of over 500 events; the simulator does the same beyond its
    # MAX_PER_UPDATE, made tiny here so that an ordinary build's log counts as a flood.
    monkeypatch.setattr(sim_livetail, "MAX_PER_UPDATE", 2)
    app, pilot = app_and_pilot
    build, screen, follower = await follow_live(sim, app, pilot)
    await advance_until(sim, pilot, lambda: follower.live_sampled)
    assert follower.live_sampled
    await wait_for_text(pilot, "following (live tail, sampled)")
    # Once the build ends, the session's lines are replaced by a full read: nothing is missing.
    remaining = int(build.end - sim.clock.now().timestamp()) + 60
    # (Five seconds a step: what the session shows in between is replaced by that read anyway.)
    await advance_until(sim, pilot, lambda: screen.finished, seconds=remaining, pause=0.02, step=5)
    await wait_until(pilot, lambda: screen.finished, timeout=10)
    assert view_lines(screen) == stream_lines(sim, build)


async def test_scrolling_up_pauses_follow_and_f_resumes(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]]
) -> None:
    app, pilot = app_and_pilot
    build = min(sim.engine.world().running_builds(), key=lambda b: b.end)
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    await wait_until(pilot, lambda: screen.view.total_lines > 20, timeout=10)
    await pilot.press("up")
    await wait_until(pilot, lambda: "paused — end/f to follow" in screen_text(app))
    await pilot.press("f")
    await wait_until(pilot, lambda: "following" in screen_text(app))
    assert screen.view.follow


async def test_expired_stream_shows_why_and_the_console_link(
    sim: Simulator, app_and_pilot: tuple[CptuiApp, Pilot[Any]], no_system_clipboard: None
) -> None:
    app, pilot = app_and_pilot
    build = failed_e2e_build(sim)
    world = sim.engine.world()
    del world.logs.groups[build.log_group].streams[build.log_stream]
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    await wait_until(pilot, lambda: screen.unavailable is not None, timeout=10)
    text = await wait_for_text(pilot, "expired")
    assert "https://console.aws.amazon.com/cloudwatch/home" in text
    assert "✖ Failed" in text  # the header still shows the build
    await pilot.press("y")
    assert app.clipboard == screen.unavailable.deep_link if screen.unavailable else False


@pytest.mark.parametrize(
    ("destination", "says", "link"),
    [
        (
            "s3",
            "sends its logs to S3 only (codebuild-logs-web-frontend-e2e/",
            "https://s3.console.aws.amazon.com/",
        ),
        ("none", "CloudWatch Logs are turned off for this build's project", "codesuite/codebuild/projects/"),
    ],
)
async def test_logs_not_in_cloudwatch_say_where_they_are(
    sim: Simulator,
    app_and_pilot: tuple[CptuiApp, Pilot[Any]],
    no_system_clipboard: None,
    destination: str,
    says: str,
    link: str,
) -> None:
    app, pilot = app_and_pilot
    build = failed_e2e_build(sim)
    build.log_destination = destination  # the project's logs setting, as BatchGetBuilds reports it
    screen = await open_logs(pilot, app, LogScreen(EAST, build.id))
    await wait_until(pilot, lambda: screen.unavailable is not None, timeout=10)
    text = await wait_for_text(pilot, "✖ Failed")  # the header still shows the build
    assert says in " ".join(text.split())
    unavailable = screen.unavailable
    assert unavailable is not None and unavailable.deep_link is not None
    assert link in unavailable.deep_link
    assert screen.view.total_lines == 0  # nothing read from CloudWatch Logs
    await pilot.press("y")
    assert app.clipboard == unavailable.deep_link


async def test_unknown_build_says_so(app_and_pilot: tuple[CptuiApp, Pilot[Any]]) -> None:
    app, pilot = app_and_pilot
    screen = LogScreen(EAST, "gone-project:11111111-2222-3333-4444-555555555555")
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.unavailable is not None, timeout=10)
    text = await wait_for_text(pilot, "was not found")
    assert "codesuite/codebuild/projects/gone-project/build/" in text
