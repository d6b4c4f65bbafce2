"""`/status:bogus` or `/foo:bar` used to show 0 rows and nothing else; the filter now names the
unknown column or value, and what is valid, in one line right above the filter box."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import pipelines_screen, sim_app, wait_loaded
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.core.pipeline_rows import FIELDS, filter_notice
from tui.sim import Simulator


def test_known_terms_need_no_notice() -> None:
    for text in (
        "",
        "pay",
        "status:failed",
        "status:fail",
        "status:approval",
        "status:never",
        "type:v2",
        "where:us-east",
        "stage:deploy name:pay",
        "profile:prod",
        "fix: typo",
        "http://x",
    ):
        assert filter_notice(text) == "", text


def test_an_unknown_column_is_named_with_the_valid_ones() -> None:
    notice = filter_notice("foo:bar pay")
    assert notice == f"foo: is not a column (use {', '.join(FIELDS)}); matched as text"


def test_an_unknown_status_or_type_is_named_with_valid_ones() -> None:
    assert filter_notice("status:bogus").startswith("status:bogus is not a status (use failed, running, ")
    assert filter_notice("type:v9") == "type:v9 is not a type (use v1, v2, queued, superseded, parallel)"
    assert " · " in filter_notice("status:bogus foo:bar")


@pytest.mark.slow
async def test_the_list_says_why_it_is_empty(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        await pilot.press("slash", *"status:bogus")
        await wait_until(pilot, lambda: screen.filter_text == "status:bogus")
        text = await wait_for_text(pilot, "⚠ status:bogus is not a status (use failed, running")
        assert screen.shown_rows() == []
        lines = text.splitlines()
        notice = next(i for i, line in enumerate(lines) if "is not a status" in line)
        assert "status:bogus" in lines[notice + 2]  # right above the filter box (its top border between)

        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.filter_text == "")
        await wait_until(pilot, lambda: "is not a status" not in screen_text(app))

        await pilot.press("slash", *"foo:bar")
        await wait_for_text(pilot, "⚠ foo: is not a column (use status, stage, type, name, where, trigger)")
        await pilot.press("ctrl+u", *"status:failed")
        await wait_until(pilot, lambda: screen.filter_text == "status:failed")
        await wait_until(pilot, lambda: "is not a" not in screen_text(app))
        assert screen.shown_rows()
