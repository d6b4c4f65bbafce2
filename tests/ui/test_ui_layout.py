"""What fits on a line, on the real App against the simulator (real aiobotocore client):

- the footer shows whole keys by each screen's priority and always ends with `? Help` / `? more`,
  at 80 and 120 columns, on every main screen; a dialog shows its own keys, not the screen's below;
- the header summarises a fleet (`3 targets · 2 accounts`) and drops segments whole, never cutting
  one; `P` lists each target with its account, identity, region and state;
- `l` on a running row opens the running build's log;
- over SSH (`SSH_CONNECTION`), `b` then enter shows the link (OSC 8, `y` copies via OSC 52) and never
  calls the browser.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.apps import EAST, open_pipeline, pipelines_screen, sim_app, wait_fleet, wait_loaded
from tests.support.notices import told
from tests.support.strips import screen_strips
from tests.support.wait import screen_lines, screen_text, wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.store import PipelineRow
from tui.sim import Simulator
from tui.ui.host import host_of
from tui.ui.operations import approval_for
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.link import LinkScreen
from tui.ui.screens.logs import LogScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.targets import TargetPicker
from tui.ui.screens.watchlist import WatchListScreen
from tui.ui.widgets.footer import GAP, FooterItem, KeyFooter, footer_items

SIZES = [(80, 24), (120, 36)]


# --- the footer ---------------------------------------------------------------------------------


def footer_line(items: list[FooterItem]) -> str:
    return (" " * GAP).join(f" {i.key_display} {i.description} " for i in items).rstrip()


def footer_fits(app: CptuiApp) -> bool:
    """The bottom line is exactly the footer's whole keys, ending with the help key, within the width."""
    footers = app.screen.query(KeyFooter)
    if not footers:
        return False
    footer = footers.first()
    line = screen_lines(app)[-1].rstrip()  # first: the footer lays its keys out as it is drawn
    shown = footer.shown
    if not shown:
        return False
    return line == footer_line(shown) and len(line) <= app.size.width


def check_footer(app: CptuiApp) -> list[FooterItem]:
    footer = app.screen.query_one(KeyFooter)
    bottom = screen_lines(app)[-1]  # first: the footer lays its keys out as it is drawn
    shown = footer.shown
    last = shown[-1]
    assert (last.key_display, last.description) in {("?", "Help"), ("?", "more")}, shown
    every = footer.items(10_000)
    if last.description == "Help":
        assert shown == every  # nothing was left out
    else:
        assert len(shown) < len(every)  # something was, and `?` lists it
    assert "▏" not in bottom
    return shown


async def assert_footer(pilot: Pilot[Any], app: CptuiApp, first: str) -> None:
    """The current screen's footer fits whole, ends with the help key and starts with ``first``."""
    await wait_until(pilot, lambda: footer_fits(app), timeout=10)
    shown = check_footer(app)
    assert shown[0].description == first, [i.description for i in shown]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_main_screen_footer_fits_by_priority(
    sim: Simulator, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        await assert_footer(pilot, app, "Build log")
        # (the selection waits for the drawn graph: selected before the definition is read, it
        # would be lost, and `a` would land elsewhere)
        await open_pipeline(pilot, app, "payments-api-prod", "Approval", "Approve-Production")
        await assert_footer(pilot, app, "Approve")  # the key this moment is about comes first
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.executions)
        await assert_footer(pilot, app, "Open execution")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExecutionScreen), timeout=10)
        await assert_footer(pilot, app, "Logs")
        await pilot.press("escape", "escape", "escape")
        await wait_until(pilot, lambda: app.screen is pipelines_screen(app))
        state = app.store.state(EAST, "web-frontend")
        action = state.stage("Test").action("E2E-Tests") if state and state.stage("Test") else None
        assert action is not None and action.external_execution_id
        logs = LogScreen(EAST, action.external_execution_id)
        await app.push_screen(logs)
        await assert_footer(pilot, app, "First error")
        await pilot.press("escape")
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))
        await assert_footer(pilot, app, "Approve / reject")
        await pilot.press("escape", "W")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchListScreen))
        await wait_until(pilot, lambda: footer_fits(app), timeout=10)
        check_footer(app)


async def test_a_dialog_shows_its_own_keys_not_the_screens_below(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        # (the selection waits for the drawn graph: selected before the definition is read, it
        # would be lost, and `a` would land elsewhere)
        pipeline = await open_pipeline(pilot, app, "payments-api-prod", "Approval", "Approve-Production")
        await wait_until(pilot, lambda: footer_fits(app))
        # `a` opens the dialog only once the state says the approval waits (else a "no approval" notice).
        await wait_until(
            pilot,
            lambda: (
                approval_for(host_of(app), EAST, "payments-api-prod", "Approval", "Approve-Production")
                is not None
            ),
            timeout=10,
        )
        await pilot.press("a")
        await wait_until(
            pilot, lambda: app.screen is not pipeline and bool(app.screen.query(KeyFooter)), timeout=10
        )
        await wait_until(pilot, lambda: footer_fits(app))
        bottom = screen_lines(app)[-1]
        assert "Cancel" in bottom
        for theirs in ("History", "Retry", "Rollback", "Approvals", "Quit"):
            assert theirs not in bottom, bottom


def test_footer_keeps_whole_keys_in_priority_order_and_ends_with_help() -> None:
    keys = [
        FooterItem(k, k, d) for k, d in [("a", "Approve"), ("R", "Retry"), ("l", "Logs"), ("h", "History")]
    ]
    help_key = FooterItem("question_mark", "?", "Help")
    wide = footer_items(keys, help_key, 200)
    assert [i.description for i in wide] == ["Approve", "Retry", "Logs", "History", "Help"]
    narrow = footer_items(keys, help_key, 30)
    assert narrow[-1].description == "more"
    assert len(footer_line(narrow)) <= 30
    assert [i.description for i in narrow][:1] == ["Approve"]  # the first priority stays
    assert footer_items([], None, 10) == []  # a dialog without keys: nothing, no help key


# --- the header and the targets picker ----------------------------------------------------------


async def test_fleet_header_at_80_columns_summarises_targets_and_accounts(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_fleet(pilot, app)
        await wait_for_text(pilot, "3 targets · 2 accounts")
        header = screen_lines(app)[0].rstrip()
        assert "3 targets · 2 accounts" in header and "updated" in header
        assert "…" not in header and not header.endswith(",")  # nothing cut in the middle
        assert len(header) <= 80
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, TargetPicker))
        text = await wait_for_text(pilot, "prod/us-east-1", "shared/us-east-1", "210987654321")
        for target in app.targets:
            identity = app.store.identity(target)
            assert identity is not None
            assert identity.account in text and target.region in text
        assert "arn:aws:" in text  # who you are in each target
        assert "updated" in text  # and how fresh its data is


async def test_fleet_header_at_120_columns_adds_what_fits_whole(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        await wait_for_text(pilot, "3 targets · 2 accounts")
        header = screen_lines(app)[0].rstrip()
        assert "…" not in header and not header.endswith(",") and len(header) <= 120
        assert "P lists them" in header


# --- `l` on a running row -----------------------------------------------------------------------


async def test_l_on_a_running_row_opens_the_running_build(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)

        from tui.core.action_build import running_build

        async def running_build_id(row: PipelineRow) -> str | None:
            if not row.running or row.waiting_approval:
                return None
            definition = await app.services[row.target.key].get_pipeline(row.name)
            found = running_build(app.store.state(row.target, row.name), definition)
            return found[2] if found else None

        candidates = [(r, await running_build_id(r)) for r in screen.shown_rows()]
        running = [(r, b) for r, b in candidates if b]
        assert running, "the demo has a running CodeBuild action"
        row, build_id = running[0]
        while screen.cursor_row is None or screen.cursor_row.name != row.name:
            await pilot.press("down")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen), timeout=10)
        logs = app.screen
        assert isinstance(logs, LogScreen)
        assert logs.build_id == build_id and not logs.jump_to_error
        assert "has no failed" not in screen_text(app)


# --- `b` over SSH -------------------------------------------------------------------------------


async def choose_the_first_link(pilot: Pilot[Any], app: CptuiApp) -> None:
    """On web-frontend's screen, once loaded: ``b`` (the console links), then Enter on the first."""
    await wait_loaded(pilot, app)
    pipeline = PipelineScreen(EAST, "web-frontend")
    await app.push_screen(pipeline)
    await wait_until(pilot, lambda: pipeline.execution is not None, timeout=10)
    await pilot.press("b")
    await wait_until(pilot, lambda: app.screen is not pipeline)
    await pilot.press("enter")


async def test_b_over_ssh_shows_the_link_and_never_calls_the_browser(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    copied: list[str] = []
    app = sim_app(sim, tmp_path)
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_the_first_link(pilot, app)
        await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen))
        link = app.screen
        assert isinstance(link, LinkScreen) and link.url.startswith("https://")
        # Drawn whole on lines of its own: the lines holding the URL are the URL and nothing else.
        await wait_for_text(pilot, "Over SSH")
        lines = [line.strip() for line in screen_lines(app)]
        start = next(i for i, line in enumerate(lines) if line and link.url.startswith(line))
        joined = ""
        for line in lines[start:]:
            if not line or not link.url.startswith(joined + line):
                break
            joined += line
        assert joined == link.url
        # The URL carries an OSC 8 hyperlink (Textual writes a segment's link as OSC 8).
        strips = screen_strips(app)
        linked = [seg.text for strip in strips for seg in strip if seg.style and seg.style.link == link.url]
        assert "".join(linked) == link.url
        assert "\x1b]8;id=" in "".join(strip.render(app.console) for strip in strips)
        await pilot.press("o")  # not offered over SSH
        await pilot.press("y")
        await wait_until(pilot, lambda: copied == [link.url])
        assert opened == []


async def test_b_without_ssh_still_opens_the_browser(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    app = sim_app(sim, tmp_path)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 36)) as pilot:
        await choose_the_first_link(pilot, app)
        await wait_until(pilot, lambda: bool(opened))
        assert opened[0].startswith("https://") and not isinstance(app.screen, LinkScreen)
        # The notice names the link; the URL itself is never in a toast (its gutter would be copied).
        await wait_until(pilot, lambda: any("Opening" in n.message for n in told(app)))
        assert not any("https://" in n.message for n in told(app))
