"""The pipelines list against the simulator, with the real aiobotocore client: rows, filter, open,
a poll that keeps the cursor, throttling, manual refresh, help and the command palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput, CommandPalette
from textual.pilot import Pilot

from tests.support.apps import EAST, pipelines_screen, service_at, sim_app, wait_loaded
from tests.support.sim import FakeMonotonic, aio_client
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.core.model import Status, Target
from tui.core.store import row_key
from tui.sim import Simulator
from tui.ui.screens.help import HelpScreen
from tui.ui.widgets.header import header_text


async def _truth(sim: Simulator) -> dict[str, str]:
    """Each pipeline's latest execution status, asked of the simulator with a plain client."""
    found: dict[str, str] = {}
    async with aio_client(sim, "codepipeline") as client:
        for pipeline in (await client.list_pipelines())["pipelines"]:
            name = pipeline["name"]
            page = await client.list_pipeline_executions(pipelineName=name, maxResults=1)
            if page["pipelineExecutionSummaries"]:
                found[name] = page["pipelineExecutionSummaries"][0]["status"]
    return found


async def test_rows_appear_with_the_demos_statuses(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        # The stages and approvals come from the reads the statuses ask for, after every row's status.
        def stages_read() -> bool:
            rows = screen.shown_rows()
            failed = [r for r in rows if r.status is Status.FAILED]
            return any(r.waiting_approval for r in rows) and all(r.stage for r in failed)

        await wait_until(pilot, stages_read, timeout=10)
        shown = {r.name: r for r in screen.shown_rows()}
        assert set(shown) == set(sim.engine.world().pipelines)
        truth = await _truth(sim)
        assert {n: str(r.status) for n, r in shown.items() if n in truth} == truth
        text = screen_text(app)
        assert "✖ Failed" in text and "● Running" in text and "⏸ Approval" in text
        assert "account 123456789012" in text and "us-east-1" in text
        waiting = [r for r in shown.values() if r.waiting_approval]
        assert len(waiting) == 1 and waiting[0].stage  # the stage it waits in
        failed = [r for r in shown.values() if r.status is Status.FAILED]
        assert failed and all(r.stage for r in failed)  # where it failed


async def test_filter_by_column_and_by_text(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        everything = len(screen.shown_rows())
        await pilot.press("slash", *"status:failed")
        await wait_until(pilot, lambda: screen.filter_text == "status:failed")
        failed = screen.shown_rows()
        assert failed and all(r.status is Status.FAILED for r in failed)
        assert len(failed) == sum(1 for s in (await _truth(sim)).values() if s == "Failed")
        await wait_for_text(pilot, f"{len(failed)} of {everything} shown")
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(screen.shown_rows()) == everything)
        assert not screen.filter_input.display
        await pilot.press("slash", *"pay")
        await wait_until(pilot, lambda: screen.filter_text == "pay")
        assert [r.name for r in screen.shown_rows()] == ["payments-api-prod"]
        await pilot.press("enter")  # enter keeps the filter and returns to the table
        assert screen.table.has_focus and screen.filter_text == "pay"


async def test_enter_opens_the_pipeline_screen(sim: Simulator, tmp_path: Path) -> None:
    from tui.ui.screens.pipeline import PipelineScreen

    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        await pilot.press("down", "down")
        chosen = screen.cursor_row
        assert chosen is not None
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        assert app.screen.pipeline_name == chosen.name  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.cursor_row is not None and screen.cursor_row.key == chosen.key


async def test_a_poll_keeps_the_cursor_on_the_same_pipeline(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        await pilot.press(*["down"] * 5)
        under_cursor = screen.table.cursor_key
        assert under_cursor is not None and screen.table.cursor_row == 5
        before = {r.key: (r.status, r.latest) for r in app.store.rows()}
        order_before = [r.key for r in screen.shown_rows()]
        sim.clock.advance(15 * 60)  # executions progress, finish, start
        await pilot.press("r")
        await wait_until(
            pilot,
            lambda: {r.key: (r.status, r.latest) for r in app.store.rows()} != before and app.poller.idle,
            timeout=15,
        )
        await pilot.pause()
        after = {r.key: (r.status, r.latest) for r in app.store.rows()}
        assert [k for k in before if before[k] != after.get(k)]  # the poll really brought news
        assert screen.table.cursor_key == under_cursor  # whatever moved, the cursor did not
        assert screen.table.cursor_row == [r.key for r in screen.shown_rows()].index(under_cursor)
        assert order_before  # (the order may or may not have changed; the cursor follows its row)


async def test_throttling_marks_the_data_stale_and_the_app_keeps_running(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        target = app.targets[0]
        sim.set_faults("throttle=1")
        await pilot.press("r")
        await wait_until(
            pilot,
            lambda: app.store.freshness(target).stale_reason == "stale — throttled, retrying",
            timeout=20,
        )
        assert app.poller.throttled(target)
        await wait_for_text(pilot, "stale — throttled, retrying")
        assert len(pipelines_screen(app).shown_rows()) == len(app.store.rows())  # data kept
        sim.set_faults("")
        await pilot.press("r")
        await wait_until(pilot, lambda: app.store.freshness(target).stale_reason is None, timeout=20)
        await wait_for_text(pilot, "updated")


async def test_expired_credentials_say_how_to_log_in(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        sim.set_faults("expired=1")
        await pilot.press("r")
        target = app.targets[0]
        await wait_until(pilot, lambda: app.store.freshness(target).stale_reason is not None, timeout=20)
        # Not an SSO profile (no AWS config here): the hint is a refresh, not `aws sso login`.
        reason = "credentials expired — refresh your AWS credentials (or set AWS_PROFILE)"
        assert app.store.freshness(target).stale_reason == reason


async def test_r_refreshes_at_once(sim: Simulator, tmp_path: Path) -> None:
    clock = FakeMonotonic()
    app = sim_app(sim, tmp_path, monotonic=clock)
    async with app.run_test(size=(120, 36)) as pilot:

        def loaded_while_time_moves() -> bool:
            clock.advance(0.5)  # poll time moves only while the first load runs
            return bool(app.store.rows()) and all(r.loaded for r in app.store.rows()) and app.poller.idle

        await wait_until(pilot, loaded_while_time_moves, timeout=20)
        lists, latest = sim.calls["ListPipelines"], sim.calls["ListPipelineExecutions"]
        for _ in range(3):  # the poller looks: poll time is frozen, so nothing is due
            app.poller.tick()
            await pilot.pause()
        assert sim.calls["ListPipelines"] == lists
        await pilot.press("r")
        # with poll time frozen, only the user's request can have made these calls
        await wait_until(pilot, lambda: sim.calls["ListPipelines"] > lists, timeout=5)
        assert sim.calls["ListPipelineExecutions"] > latest

        def refreshed_while_time_moves() -> bool:
            clock.advance(0.25)  # the budget refills for the rest of the rows on screen
            return app.poller.idle

        await wait_until(pilot, refreshed_while_time_moves, timeout=10)
        assert sim.calls["ListPipelineExecutions"] >= latest + len(app.store.rows())  # every row on screen


@pytest.mark.slow
async def test_favourites_are_pinned_on_top_with_a_star(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, favourites=("docs-*",))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        first = pipelines_screen(app).shown_rows()[0]
        assert first.name == "docs-site" and first.favourite
        await wait_for_text(pilot, "★ docs-site")


async def test_80_columns_drop_trigger_and_duration(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        header = screen_text(app).splitlines()[2]
        assert "Pipeline" in header and "Status" in header and "Stage" in header
        assert "Trigger" not in header and "Duration" not in header
        await pilot.resize_terminal(120, 36)
        await wait_until(pilot, lambda: "Trigger" in screen_text(app).splitlines()[2])


async def test_help_lists_the_screens_and_global_keys(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = await wait_for_text(pilot, "on this screen (pipelines)")
        for words in ("Filter", "Refresh", "Approvals", "Quit", "on this screen (pipelines)", "everywhere"):
            assert words in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def choose_in_palette(pilot: Pilot[Any], query: str, entry: str) -> None:
    """Open the command palette, put ``query`` in its search field at once (typed key by key, every
    key runs a search over every command: seconds per key on a busy machine), and press Enter once
    ``entry`` is listed."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    pilot.app.screen.query_one(CommandInput).value = query
    await wait_until(pilot, lambda: entry in screen_text(pilot.app))
    await pilot.press("enter")


async def test_the_palette_goes_to_a_pipeline(sim: Simulator, tmp_path: Path) -> None:
    from tui.ui.screens.pipeline import PipelineScreen

    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await choose_in_palette(pilot, "go to pipeline docs", "go to pipeline docs-site")
        await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        assert app.screen.pipeline_name == "docs-site"  # type: ignore[attr-defined]


async def test_ctrl_c_does_not_quit_or_act(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and pipelines_screen(app)


def test_header_text_names_identity_region_and_age() -> None:
    from datetime import UTC, datetime, timedelta

    from tui.core.model import Identity, Target
    from tui.core.store import Store

    target = Target(region="eu-west-1", profile="ops")
    store = Store([target])
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    store.set_identity(target, Identity("210987654321", "arn:aws:sts::210987654321:assumed-role/Ops/me"))
    store.mark_fresh(target, now - timedelta(seconds=3))
    line = header_text([target], store, now).plain
    assert "eu-west-1" in line and "210987654321" in line and "updated 3s ago" in line
    store.mark_stale(target, "stale — throttled, retrying")
    assert "stale — throttled, retrying" in header_text([target], store, now).plain
    assert row_key(target, "x") == "ops@eu-west-1/x"


async def test_the_palette_runs_the_screens_actions(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await choose_in_palette(pilot, "pipelines: filter", "pipelines: filter")
        await wait_until(pilot, lambda: pipelines_screen(app).filter_input.has_focus)


async def test_keys_from_the_config_replace_the_defaults(sim: Simulator, tmp_path: Path) -> None:
    from tui.core.config import Config, GeneralConfig

    app = sim_app(sim, tmp_path)
    app.config = Config(general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"), keys={"filter": "f"})
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        await pilot.press("slash")
        await pilot.pause()
        assert not screen.filter_input.display
        await pilot.press("f")
        await wait_until(pilot, lambda: screen.filter_input.has_focus)


async def test_two_targets_show_where_each_row_lives(sim: Simulator, tmp_path: Path) -> None:
    west = Target(region="us-west-2", name="prod/us-west-2")
    app = sim_app(sim, tmp_path, targets=(EAST, west))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot, app, timeout=25)
        rows = pipelines_screen(app).shown_rows()
        assert {r.target for r in rows} == {EAST, west}
        assert len({r.key for r in rows}) == len(rows)
        text = screen_text(app)
        assert "Profile/region" in text and "prod/us-west-2" in text
        assert "2 targets" in text


async def test_access_denied_names_the_missing_permission(sim: Simulator, tmp_path: Path) -> None:
    sim.set_faults("deny=ListPipelines")
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        target = app.targets[0]
        await wait_until(pilot, lambda: app.store.freshness(target).stale_reason is not None, timeout=10)
        reason = app.store.freshness(target).stale_reason
        assert reason == "access denied: missing codepipeline:ListPipelines"
        await wait_for_text(pilot, reason)


def test_stale_reasons_say_what_to_do() -> None:
    from tui.app.poll_notices import stale_reason
    from tui.aws.errors import AccessDenied, CredentialsError, NetworkError, Throttled

    ops = Target(region="eu-west-1", profile="ops")
    assert stale_reason(Throttled("Rate exceeded"), ops) == "stale — throttled, retrying"
    assert stale_reason(CredentialsError("expired"), ops) == (
        "credentials expired — refresh the credentials of profile ops"
    )
    denied = AccessDenied("no", operation="ListPipelines")
    assert stale_reason(denied, ops) == "access denied: missing codepipeline:ListPipelines"
    named = AccessDenied("no", missing_action="codepipeline:GetPipelineState")
    assert stale_reason(named, ops) == "access denied: missing codepipeline:GetPipelineState"
    assert stale_reason(NetworkError("refused"), ops) == "cannot reach endpoint, retrying"
    # Which endpoint, and why (issue 11, 5.10).
    refused = NetworkError("x", endpoint="http://127.0.0.1:1234", reason="connection refused")
    assert stale_reason(refused, ops) == "cannot reach http://127.0.0.1:1234 (connection refused), retrying"


async def test_an_unreachable_endpoint_is_reported_and_retried(tmp_path: Path) -> None:
    from tui.app.application import CptuiApp
    from tui.core.config import Config, GeneralConfig

    service = service_at("http://127.0.0.1:9")
    app = CptuiApp([service], Config(general=GeneralConfig(audit_log=tmp_path / "audit.jsonl")))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.store.freshness(EAST).stale_reason is not None, timeout=15)
        reason = "cannot reach http://127.0.0.1:9 (connection refused), retrying"
        assert app.store.freshness(EAST).stale_reason == reason
        await wait_for_text(pilot, "cannot reach http://127.0.0.1:9", "Cannot list pipelines")


def test_fleet_header_keeps_a_stale_targets_fix_whole() -> None:
    """With several targets, one whose credentials expired and whose account is not known yet, the
    header shows the login command whole at 120 and 80 columns (the summary gives way, not the fix)."""
    from datetime import UTC, datetime

    from tui.core.model import Identity, Target
    from tui.core.store import Store

    prod = Target(region="us-east-1", profile="prod", name="prod/us-east-1")
    sso = Target(region="us-east-1", profile="sso-dev", name="dev (sso)")
    store = Store([prod, sso])
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    store.set_identity(prod, Identity("123456789012", "arn:aws:sts::123456789012:assumed-role/Ops/me"))
    store.mark_fresh(prod, now)
    store.mark_stale(sso, "credentials expired — run: aws sso login --profile sso-dev")
    for width in (120, 80):
        line = header_text([prod, sso], store, now, width=width).plain
        assert "aws sso login --profile sso-dev" in line, (width, line)
        assert line.count("⚠") == 1, line
