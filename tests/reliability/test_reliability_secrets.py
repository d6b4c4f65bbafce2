"""No credential, session token or approval token is ever written anywhere the app writes: the
audit log, a screenshot, a notice, a log file.

The app runs with distinctive keys and a session token, approves a real approval (whose token comes
from the simulator), fails a few times on the way (throttled, denied, expired credentials), takes
screenshots, and every output is searched for every secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.apps import EAST
from tests.support.dialogs import answer_approval
from tests.support.notices import told
from tests.support.outcomes import results as recorded
from tests.support.rig import Rig, drive, open_pipeline, running
from tui.core.actions import Outcome
from tui.sim import Simulator
from tui.ui.screens.dialogs import ApprovalDialog

ACCESS_KEY = "AKID123456789012LEAKCHECKAK"  # the simulator reads the account from the first digits
SECRET_KEY = "LEAKCHECK-secret-key-4f0c9e"
SESSION_TOKEN = "LEAKCHECK-session-token-b7d21a"
APPROVAL = ("payments-api-prod", "Approval", "Approve-Production")


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Everything cptui logs at DEBUG, and anything else at WARNING, into a file under tmp."""
    path = tmp_path / "logs" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    ours = logging.getLogger("tui")
    root = logging.getLogger()
    previous = ours.level
    ours.setLevel(logging.DEBUG)
    ours.addHandler(handler)
    root.addHandler(handler)
    yield path
    ours.removeHandler(handler)
    root.removeHandler(handler)
    ours.setLevel(previous)
    handler.close()


async def _approve(pilot: Pilot[Any], rig: Rig, summary: str) -> None:
    await pilot.press("a")
    await drive(pilot, rig, lambda: isinstance(rig.app.screen, ApprovalDialog), every=0.2)
    await answer_approval(pilot, summary)


@pytest.mark.slow
async def test_no_secret_reaches_the_audit_log_a_screenshot_a_notice_or_a_log(
    sim: Simulator, tmp_path: Path, debug_log: Path
) -> None:
    (pending,) = [p for p in sim.engine.world().pending_approvals() if p.pipeline == APPROVAL[0]]
    secrets = {
        "access key": ACCESS_KEY,
        "secret key": SECRET_KEY,
        "session token": SESSION_TOKEN,
        "approval token": pending.token,
    }
    screenshots: list[str] = []
    credentials = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    async with running(sim, tmp_path, credentials=credentials, notifications=True) as (rig, app, pilot):
        results = recorded(app)  # (recorded from the app's birth)
        screen = await open_pipeline(pilot, rig, APPROVAL[0])
        await drive(pilot, rig, lambda: app.store.approvals(), every=0.5)
        assert any(a.token == pending.token for a in app.store.approvals())  # it is in memory
        screen.graph.select(APPROVAL[1], APPROVAL[2])

        sim.set_faults("throttle=1@PutApprovalResult")  # one failed attempt ...
        await _approve(pilot, rig, "first try")
        await drive(pilot, rig, lambda: len(results) == 1, every=0.2)
        sim.set_faults("deny=PutApprovalResult")  # ... a denied one ...
        await _approve(pilot, rig, "second try")
        await drive(pilot, rig, lambda: len(results) == 2, every=0.2)
        screenshots.append(app.export_screenshot())
        sim.set_faults("")
        await pilot.press("a")  # ... and the one that goes through, screenshot with the dialog open
        await drive(pilot, rig, lambda: isinstance(app.screen, ApprovalDialog), every=0.2)
        app.screen.query_one("#approval-summary", Input).value = "third try"
        await pilot.pause()
        screenshots.append(app.export_screenshot())
        await pilot.click("#choice-approve")
        await drive(pilot, rig, lambda: len(results) == 3, every=0.2)
        assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED]

        sim.set_faults("expired=1")  # the credentials "expire": a banner and a notice
        await drive(pilot, rig, lambda: app.store.freshness(EAST).stale_reason is not None, every=0.5)
        screenshots.append(app.export_screenshot())
        sim.set_faults("")
        await pilot.press("escape")
        await pilot.pause()
        screenshots.append(app.export_screenshot())
        shown = [n.message for n in told(app)]
    assert sim.calls["PutApprovalResult"] == 3

    outputs: dict[str, str] = {f"screenshot {i}": svg for i, svg in enumerate(screenshots)}
    outputs["notices"] = "\n".join(message for message, *_ in rig.notices)
    outputs["notifications shown"] = "\n".join(shown)
    outputs["results"] = "\n".join(f"{r.message} {r.request.params}" for r in results)
    outputs["errors"] = "\n".join(str(e) for e in rig.errors)
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        outputs[str(path.relative_to(tmp_path))] = path.read_text(encoding="utf-8", errors="replace")
    assert "audit.jsonl" in outputs and outputs["audit.jsonl"].count("\n") == 3  # every attempt
    assert "logs/debug.log" in outputs
    assert len(screenshots) == 4 and outputs["notices"]
    leaks = [(where, what) for where, text in outputs.items() for what, s in secrets.items() if s in text]
    assert not leaks, leaks
