"""An app started by ``cptui serve --allow-actions`` (the browser's address in CPTUI_SERVE_CLIENT):
an action still goes through its confirmation dialog, and its audit line names the browser. The real
App on real aiobotocore services against the simulator, as in test_ui_actions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import (
    APPROVAL,
    open_dialog,
    open_pipeline,
    sim_app,
    wait_for_result,
    wait_for_screen,
)
from tests.support.dialogs import answer_approval
from tui.core.actions import Outcome
from tui.core.audit import SERVE_CLIENT_ENV, AuditLog
from tui.sim import Simulator
from tui.ui.screens.dialogs import ApprovalDialog


async def test_served_approval_is_confirmed_and_audited_with_the_browser(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SERVE_CLIENT_ENV, "198.51.100.7 (X-Forwarded-For: 203.0.113.9)")
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        await pilot.press("a")
        await wait_for_screen(pilot, app, ApprovalDialog)  # the confirmation, as in a terminal
        assert sim.calls["PutApprovalResult"] == 0
        await answer_approval(pilot, "from the wallboard")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    assert sim.calls["PutApprovalResult"] == 1
    (line,) = AuditLog(tmp_path / "audit.jsonl").read()
    assert line["operation"] == "PutApprovalResult"
    assert line["client"] == "198.51.100.7 (X-Forwarded-For: 203.0.113.9)"


async def test_terminal_approval_has_no_client(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SERVE_CLIENT_ENV, raising=False)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        await answer_approval(pilot, "from a terminal")
        await wait_for_result(pilot, app)
    (line,) = AuditLog(tmp_path / "audit.jsonl").read()
    assert line["client"] is None
