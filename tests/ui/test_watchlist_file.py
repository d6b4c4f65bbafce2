"""The watch list survives a restart: the file alone, then the app followed across two runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.apps import PROD_EAST, PROD_WEST, follow_from_pipeline, sim_app, wait_fleet
from tests.support.notices import alerts
from tests.support.wait import wait_for_text, wait_until
from tui.core.model import Status
from tui.core.watchlist import WatchList, WatchListFile
from tui.sim import Simulator
from tui.ui.screens.watchlist import WatchListScreen

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_entries_round_trip_and_other_targets_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "state" / "watchlist.json"
    watched = WatchList()
    watched.follow(PROD_EAST, "auth-service", "e-1", NOW, status=Status.IN_PROGRESS, started=NOW)
    watched.follow(PROD_WEST, "payments-api-dr", "e-2", NOW, status=Status("FutureStatus"))
    watched.follow(PROD_EAST, "docs-site", "e-3", NOW, status=Status.SUCCEEDED)  # added as finished
    WatchListFile(path).save(watched.entries())

    only_east = WatchListFile(path)
    east = only_east.load({PROD_EAST.key: PROD_EAST})
    assert {(e.pipeline, e.execution_id, e.status, e.finished) for e in east} == {
        ("auth-service", "e-1", Status.IN_PROGRESS, False),
        ("docs-site", "e-3", Status.SUCCEEDED, True),
    }
    assert next(e for e in east if e.execution_id == "e-1").started == NOW
    # A run that watches only us-east-1 writes the file again: the us-west-2 entry stays in it.
    only_east.save(east[:1])
    both = WatchListFile(path).load({PROD_EAST.key: PROD_EAST, PROD_WEST.key: PROD_WEST})
    assert sorted(e.execution_id for e in both) == ["e-1", "e-2"]
    assert next(e for e in both if e.execution_id == "e-2").status == "FutureStatus"  # kept as it is


def test_a_broken_file_costs_only_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text("{not json", encoding="utf-8")
    assert WatchListFile(path).load({PROD_EAST.key: PROD_EAST}) == []
    good = {"target": PROD_EAST.key, "pipeline": "p", "execution_id": "e", "added_at": NOW.isoformat()}
    bad = {"target": PROD_EAST.key, "pipeline": "p", "execution_id": "x", "added_at": "yesterday"}
    path.write_text(json.dumps({"version": 1, "followed": [bad, good, "junk"]}), encoding="utf-8")
    (entry,) = WatchListFile(path).load({PROD_EAST.key: PROD_EAST})
    assert entry.execution_id == "e" and entry.status is None
    assert WatchListFile(None).load({PROD_EAST.key: PROD_EAST}) == []  # nowhere to keep: nothing


async def test_following_survives_a_restart_and_the_end_is_told(sim: Simulator, tmp_path: Path) -> None:
    first = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST,))
    async with first.run_test(size=(120, 36)) as pilot:
        latest = await follow_from_pipeline(pilot, first, PROD_EAST, "auth-service")
        await wait_until(pilot, lambda: (tmp_path / "watchlist.json").exists())

    second = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST,))  # the same state directory
    async with second.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, second)
        (entry,) = second.alerts.watchlist.entries()
        assert entry.execution_id == latest.execution_id and not entry.finished
        assert second.poller.policy.is_polled_fast(PROD_EAST.key, "auth-service")  # followed closely again
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(second.screen, WatchListScreen))
        await wait_for_text(pilot, "Following 1 running")
        second.alerts.tmux = False
        sim.clock.advance(1800)  # the build ends well within half an hour
        second.poller.refresh_now(PROD_EAST, "auth-service")
        await wait_until(pilot, lambda: not second.alerts.watchlist.running(), timeout=15)
        await wait_until(pilot, lambda: alerts(second), timeout=15)
        (notice,) = alerts(second)
        assert notice.message.startswith(f"auth-service {latest.execution_id[:8]} ")
        assert notice.title == "Pipeline failed" or notice.title.startswith("Execution ")
        await wait_until(pilot, lambda: _saved_finished(tmp_path / "watchlist.json"), timeout=5)


def _saved_finished(path: Path) -> bool:
    data = json.loads(path.read_text(encoding="utf-8"))
    return all(item["finished_at"] for item in data["followed"]) and len(data["followed"]) == 1


def test_times_are_kept_with_their_zone(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    watched = WatchList()
    later = NOW + timedelta(minutes=5)
    watched.follow(PROD_EAST, "auth-service", "e-1", NOW, status=Status.IN_PROGRESS, started=NOW)
    watched.update(f"{PROD_EAST.key}/auth-service/e-1", Status.FAILED, later, stage="Deploy")
    WatchListFile(path).save(watched.entries())
    (entry,) = WatchListFile(path).load({PROD_EAST.key: PROD_EAST})
    assert entry.finished_at == later and entry.stage == "Deploy" and entry.status is Status.FAILED
    assert entry.added_at.tzinfo is not None
