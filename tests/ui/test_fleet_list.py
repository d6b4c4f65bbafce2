"""The fleet in the pipelines list: several accounts and regions side by side, grouped or one at a
time, each target failing on its own; the picker (`P`) and the palette switch and add targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.apps import (
    PIPELINES,
    PROD_EAST,
    PROD_WEST,
    SHARED,
    SHARED_ACCOUNT,
    sim_app,
    wait_fleet,
    wait_for_screen,
)
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.fleet_rows import group_key
from tui.sim import Simulator
from tui.ui.commands import target_commands
from tui.ui.screens.pipelines import PipelinesScreen
from tui.ui.screens.targets import TargetPicker


def pipelines(app: object) -> PipelinesScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, PipelinesScreen)
    return screen


async def fleet_listed(pilot: Pilot[Any], app: CptuiApp) -> PipelinesScreen:
    """The pipelines list once every target's every pipeline is on it."""
    await wait_fleet(pilot, app)
    screen = pipelines(app)
    await wait_until(pilot, lambda: len(screen.shown_rows()) == sum(PIPELINES.values()))
    return screen


async def test_every_target_is_listed_with_where_it_lives(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fleet_listed(pilot, app)
        by_target = {t.key: sum(1 for r in screen.shown_rows() if r.target == t) for t in app.targets}
        assert by_target == PIPELINES
        await wait_until(pilot, lambda: SHARED_ACCOUNT in app.targets_view.aliases)
        text = await wait_for_text(pilot, "3 targets", "shared/us-east-1")
        assert "3 targets" in text and "Profile/region" in text
        for label in ("prod/us-east-1", "prod/us-west-2", "shared/us-east-1"):
            assert label in text
        assert "payments-api-shared" in text and "payments-api-dr" in text
        assert app.targets_view.aliases == {SHARED_ACCOUNT: "acme-shared"}  # the other account has none


async def test_g_groups_rows_under_a_header_per_target(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fleet_listed(pilot, app)
        mixed = [r.target.key for r in screen.shown_rows()]
        assert mixed != sorted(mixed, key=[t.key for t in app.targets].index)  # by activity: mixed
        await pilot.press("g")
        await wait_until(pilot, lambda: screen.grouped)
        keys = screen.table.row_keys_in_order()
        headers = [keys.index(group_key(t)) for t in app.targets]
        assert headers == sorted(headers) and headers[0] == 0
        for target, start in zip(app.targets, headers, strict=True):
            count = PIPELINES[target.key]
            block = keys[start + 1 : start + 1 + count]
            assert all(k.startswith(f"{target.key}/") for k in block)
        text = screen_text(app)
        assert "▼ shared/us-east-1" in text and "3 pipelines" in text and "11 pipelines" in text
        assert "17 pipelines" in text  # the summary counts pipelines, not header rows
        await pilot.press("g")
        await wait_until(
            pilot, lambda: not any(k.startswith("group:") for k in screen.table.row_keys_in_order())
        )
        # Typed into the filter, g is a letter, not the grouping key.
        await pilot.press("slash", *"stage:staging")
        await wait_until(pilot, lambda: screen.filter_text == "stage:staging")
        assert not screen.grouped


@pytest.mark.parametrize(
    ("fault", "reason"), [("expired=1", "credentials expired"), ("throttle=1", "throttled")]
)
@pytest.mark.slow
async def test_one_failing_target_does_not_stall_the_others(
    sim: Simulator, tmp_path: Path, fault: str, reason: str
) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        screen = pipelines(app)

        def latest(targets: tuple[object, ...]) -> set[tuple[str, str, str]]:
            return {
                (r.name, r.latest.execution_id, r.latest.status.value)
                for r in app.store.rows()
                if r.target in targets and r.latest is not None
            }

        shared_before, prod_before = latest((SHARED,)), latest((PROD_EAST, PROD_WEST))
        sim.set_faults(f"{fault}@account:{SHARED_ACCOUNT}")
        sim.clock.advance(1800)  # half an hour: builds end, new executions start
        await pilot.press("g", "r")
        await wait_until(pilot, lambda: app.store.freshness(SHARED).stale_reason is not None, timeout=10)
        await wait_until(pilot, lambda: latest((PROD_EAST, PROD_WEST)) != prod_before, timeout=15)
        assert latest((SHARED,)) == shared_before  # kept, marked stale, not lost
        assert reason in (app.store.freshness(SHARED).stale_reason or "")
        for target in (PROD_EAST, PROD_WEST):
            assert app.store.freshness(target).stale_reason is None
        await wait_for_text(pilot, "⚠ stale", reason)  # the group header says why (a frame after the store)
        await pilot.press("g")  # flat again: each of the stale target's rows carries the mark
        await wait_until(pilot, lambda: "⚠ shared/us-east-1" in screen_text(app))
        assert "⚠ prod/us-east-1" not in screen_text(app)
        # It recovers on its own once the credentials work again.
        sim.set_faults("")
        await pilot.press("r")
        await wait_until(pilot, lambda: app.store.freshness(SHARED).stale_reason is None, timeout=10)
        assert screen.grouped is False


async def test_the_picker_switches_between_one_target_and_all(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        screen = pipelines(app)
        await pilot.press("P")
        picker = await wait_for_screen(pilot, app, TargetPicker)
        labels = [e.label for e in picker.entries]
        assert labels[:4] == ["All targets (3)", "prod/us-east-1", "prod/us-west-2", "shared/us-east-1"]
        assert "add profile demo-prod …" in labels and "add profile demo-shared …" in labels
        await pilot.press("down", "down", "down", "enter")
        await wait_until(pilot, lambda: app.screen is screen and app.targets_view.view == SHARED)
        await wait_until(pilot, lambda: {r.target for r in screen.shown_rows()} == {SHARED})
        assert len(screen.shown_rows()) == PIPELINES[SHARED.key]
        await wait_until(pilot, lambda: "acme-shared" in screen_text(app))
        header = screen_text(app).splitlines()[0]
        assert "shared/us-east-1" in header and "account 210987654321 (acme-shared)" in header
        assert "1 of 3 targets" in header
        # Back to all, from the palette's command this time.
        (show_all,) = [c for title, c, _ in target_commands(app) if title == "target: show all targets"]
        show_all()
        await wait_until(pilot, lambda: len(screen.shown_rows()) == sum(PIPELINES.values()))
        assert app.targets_view.view is None
        await wait_for_text(pilot, "3 targets")
        titles = [title for title, _, _ in target_commands(app)]
        assert "target: switch to prod/us-west-2" in titles and "target: add profile demo-shared …" in titles


async def test_a_profile_is_added_in_a_region_at_runtime(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST,))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        screen = pipelines(app)
        await pilot.press("P")
        picker = await wait_for_screen(pilot, app, TargetPicker)
        index = [e.label for e in picker.entries].index("add profile demo-shared …")
        await pilot.press(*["down"] * index, "enter")
        region = picker.query_one("#picker-region", Input)
        await wait_until(pilot, lambda: region.has_focus)
        assert region.value == "us-east-1"  # the profile's region, prefilled
        region.value = "mars-1"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "expected a region" in screen_text(app))
        assert app.screen is picker and len(app.targets) == 1
        region.value = "us-east-1"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and len(app.targets) == 2)
        added = app.targets[1]
        assert (added.profile, added.region) == ("demo-shared", "us-east-1")
        assert app.targets_view.view == added
        # Its own service, polled from now on: the second account's pipelines arrive.
        await wait_until(pilot, lambda: len(screen.shown_rows()) == PIPELINES[SHARED.key], timeout=15)
        assert {r.name for r in screen.shown_rows()} >= {"payments-api-shared", "batch-reports-shared"}
        identity = app.store.identity(added)
        assert identity is not None and identity.account == SHARED_ACCOUNT
        # The same profile and region again is refused.
        await pilot.press("P")
        again = await wait_for_screen(pilot, app, TargetPicker)
        again.ask_region("demo-shared")
        assert not again.add("us-east-1")
        await wait_until(pilot, lambda: "already a target" in screen_text(app))
        assert len(app.targets) == 2
