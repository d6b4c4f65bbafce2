"""Nothing mutates on a reflex: every mutating dialog, opened as an operator would, and then the keys
a reflex sends (Enter, Enter Enter, space) from the focus it opens with. The simulator counts every
mutation call: there must be none, and nothing in the audit log.

Also here: a definite failure keeps the dialog open with what was typed, protection by default,
keys that are unavailable say why, and the approval dialog's summary takes only keys typed while
it is visible.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input

from tests.support.apps import (
    APPROVAL,
    EAST,
    mutations_sent,
    open_pipeline,
    press_confirm,
    sim_app,
    wait_for_result,
    wait_for_screen,
)
from tests.support.dialogs import audit
from tests.support.notices import told
from tests.support.wait import wait_for_text, wait_for_workers, wait_until
from tui.app.application import CptuiApp
from tui.core import actions
from tui.core.actions import Outcome
from tui.core.config import PipelinesConfig
from tui.core.model import Target
from tui.sim import Simulator
from tui.ui import operations as operator
from tui.ui import send
from tui.ui.screens.dialog_base import ActionDialog
from tui.ui.screens.dialogs import (
    ApprovalDialog,
    ConfirmDialog,
    RetryDialog,
    RollbackDialog,
    StartDialog,
    StopDialog,
    TransitionDialog,
)
from tui.ui.screens.manage_dialogs import DeleteDialog, UpdateDialog

pytestmark = pytest.mark.slow  # each test drives dialogs through several keys and flows


@pytest.fixture(autouse=True)
def _scripted_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`E` runs $VISUAL: a script that changes one value, so the update dialog opens."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        "doc = json.load(open(sys.argv[1]))\n"
        "doc['pipeline']['stages'][-1]['actions'][0]['runOrder'] = 7\n"
        "json.dump(doc, open(sys.argv[1], 'w'))\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the edit files kept on cancel


REFLEXES: tuple[tuple[str, ...], ...] = (("enter",), ("enter", "enter"), ("space",))

# Every mutating dialog: (name, key, where, dialog type).
DIALOGS = [
    ("approve-or-reject", "a", APPROVAL, ApprovalDialog),
    ("retry", "R", ("web-frontend", "Test", None), RetryDialog),
    ("rollback", "B", ("order-service", "Build", None), RollbackDialog),
    ("stop", "X", ("auth-service", "Build", None), StopDialog),
    ("start", "S", ("docs-site", "Build", None), StartDialog),
    ("start-with-variables", "S", ("payments-api-prod", "Build", None), StartDialog),
    ("disable-transition", "t", ("web-frontend", "Deploy", None), TransitionDialog),
    ("enable-transition", "t", ("infra-network", "Production", None), TransitionDialog),
    ("update-definition", "E", ("docs-site", "Build", None), UpdateDialog),
    ("delete-pipeline", "D", ("docs-site", "Build", None), DeleteDialog),
]


def details_text(dialog: ApprovalDialog) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(dialog._details())
    return console.export_text()


def toasts(app: CptuiApp) -> list[str]:
    return [n.message for n in told(app)]


async def dialog_ready(pilot: Pilot[Any], app: CptuiApp, kind: type[Screen[Any]]) -> ActionDialog:
    """The dialog, once it has its opening focus (the approval summary is armed after a frame)."""
    dialog = await wait_for_screen(pilot, app, kind)
    assert isinstance(dialog, ActionDialog)
    await wait_until(pilot, lambda: dialog.focused is not None and not dialog.focused.disabled)
    return dialog


async def back_to(pilot: Pilot[Any], app: CptuiApp, screen: Screen[Any]) -> None:
    """Close whatever the reflex left open (a dialog, or a screen Enter opened after a cancel, or
    what a flow shows after its dialog closed: the edit's "edit again / keep / discard"), until the
    flow has ended."""

    def operator_busy() -> bool:
        return any(w.is_running or w.state.name == "PENDING" for w in app.workers if w.group == "operator")

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while app.screen is not screen or operator_busy():
        assert loop.time() < deadline, f"still open: {app.screen!r}"
        if app.screen is not screen:
            await pilot.press("escape")
        await pilot.pause()
    await wait_for_workers(pilot, "operator")


async def reflexes_send_nothing(
    pilot: Pilot[Any], app: CptuiApp, sim: Simulator, screen: Screen[Any], key: str, kind: type[Screen[Any]]
) -> None:
    for keys in REFLEXES:
        await pilot.press(key)
        dialog = await dialog_ready(pilot, app, kind)
        opening = dialog.focused
        assert not isinstance(opening, Button) or not opening.has_class("dialog-choice"), (
            f"{kind.__name__} opens with a confirm button focused"
        )
        await pilot.press(*keys)
        await pilot.pause()
        await wait_for_workers(pilot, "dialog-send")
        assert not dialog.confirmed, f"{kind.__name__}: {keys} confirmed"
        assert mutations_sent(sim) == 0, f"{kind.__name__}: {keys} sent a call"
        await back_to(pilot, app, screen)


@pytest.mark.parametrize("protected", [(), ("*",)], ids=["plain", "protected"])
@pytest.mark.parametrize(("name", "key", "where", "kind"), DIALOGS, ids=[d[0] for d in DIALOGS])
async def test_enter_enter_enter_or_space_from_the_opening_focus_sends_nothing(
    sim: Simulator,
    tmp_path: Path,
    name: str,
    key: str,
    where: tuple[str, str, str | None],
    kind: type[Screen[Any]],
    protected: tuple[str, ...],
) -> None:
    app = sim_app(sim, tmp_path, protected=protected)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, *where)
        await reflexes_send_nothing(pilot, app, sim, screen, key, kind)
    assert mutations_sent(sim) == 0
    assert audit(tmp_path) == []


async def test_the_ready_made_confirmation_needs_its_key_or_button(sim: Simulator, tmp_path: Path) -> None:
    """``send.perform``'s ConfirmDialog: Enter from the opening focus cancels; ``y`` sends."""
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Deploy")
        for keys in REFLEXES:
            request = actions.set_transition(EAST, "web-frontend", "Deploy", enabled=False, reason="x")
            app.run_worker(send.perform(app, request), group="operator")
            await dialog_ready(pilot, app, ConfirmDialog)
            await pilot.press(*keys)
            await pilot.pause()
            assert mutations_sent(sim) == 0, keys
            await back_to(pilot, app, screen)
        request = actions.set_transition(EAST, "web-frontend", "Deploy", enabled=False, reason="x")
        app.run_worker(send.perform(app, request), group="operator")
        await dialog_ready(pilot, app, ConfirmDialog)
        await wait_for_text(pilot, "Disable transition (y)", "y confirm")
        await pilot.press("y")
        await wait_for_result(pilot, app)
    assert sim.calls["DisableStageTransition"] == 1


async def test_enter_moves_to_the_next_field_and_never_onto_a_button(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, "payments-api-prod", "Build")
        await pilot.press("S")
        dialog = await dialog_ready(pilot, app, StartDialog)
        first = dialog.focused
        await pilot.press("enter")
        assert dialog.focused is not first and isinstance(dialog.focused, Input)
        for _ in range(len(dialog.fields()) + 2):
            await pilot.press("enter")
        assert isinstance(dialog.focused, Input)  # still a field: the last one
        await wait_for_text(pilot, "Tab to Release change and press Enter")
        await pilot.press("tab", "enter")  # a deliberate Tab to the button, then Enter
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    assert sim.calls["StartPipelineExecution"] == 1


# --- a definite failure keeps the dialog and the text ---------------------------------------------


async def test_a_denied_approve_keeps_the_dialog_and_the_summary(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        sim.set_faults("deny=PutApprovalResult")
        await pilot.press("a")
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        await pilot.press(*"canary is green")
        await pilot.click("#choice-approve")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.FAILED
        await wait_for_text(pilot, "Not done:", "codepipeline:PutApprovalResult")
        assert app.screen is dialog  # still open
        assert dialog.query_one("#approval-summary", Input).value == "canary is green"
        assert not dialog.query_one("#choice-approve", Button).disabled  # can be sent again
        sim.set_faults("")
        # Pressed, not clicked: the "Not done" line just moved the button, and a click aimed at
        # where the layout had it a frame ago can land beside it on a busy machine.
        dialog.query_one("#choice-approve", Button).press()
        result = await wait_for_result(pilot, app, count=2)
        assert result.outcome is Outcome.SUCCEEDED
        await wait_until(pilot, lambda: app.screen is not dialog)  # success closes it
    assert sim.calls["PutApprovalResult"] == 2
    assert [line["outcome"] for line in audit(tmp_path)] == ["failed", "succeeded"]


async def test_an_unknown_outcome_closes_the_dialog(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Test")
        sim.set_faults("drop=1@RetryStageExecution")
        await pilot.press("R")
        await dialog_ready(pilot, app, RetryDialog)
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.UNKNOWN
        await wait_until(pilot, lambda: app.screen is screen)  # the next poll shows the truth


# --- protection by default ------------------------------------------------------------------------


def test_prod_is_protected_unless_configured_otherwise() -> None:
    default = PipelinesConfig()
    assert default.is_protected("payments-api-prod")
    assert default.is_protected("Billing-PRODUCTION")  # ignoring case
    assert not default.is_protected("web-frontend")
    production = Target(region="eu-west-1", profile="ops", name="Production EU")
    assert default.is_protected("web-frontend", production)  # the target's name counts too
    assert default.is_protected("web-frontend", Target(region="us-east-1", profile="acme-prod"))  # label
    assert not PipelinesConfig(protected=()).is_protected("payments-api-prod", production)


async def test_payments_api_prod_asks_for_its_name_with_no_config(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, protected=None)  # no `protected` in the config
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        await pilot.press("a")
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        await pilot.press(*"ok")
        await wait_for_text(pilot, "protected pipeline: type payments-api-prod exactly")
        assert dialog.query("#dialog-protected-label")
        assert dialog.query_one("#choice-approve", Button).disabled
        await pilot.press("enter")  # on to the name field
        await pilot.press(*"payments-api-prod", "enter")
        assert sim.calls["PutApprovalResult"] == 0  # enter in the name field does not confirm
        await pilot.click("#choice-approve")
        await wait_for_result(pilot, app)
    assert sim.calls["PutApprovalResult"] == 1


async def test_protected_empty_list_turns_it_off(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, protected=[])
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        await pilot.press("a")
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        assert not dialog.query("#dialog-protected-name")
        await pilot.press(*"ok")
        assert not dialog.query_one("#choice-approve", Button).disabled


# --- unavailable keys say why -----------------------------------------------------------------------


async def test_greyed_keys_say_why_in_one_line(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Build", "Build")
        assert screen.check_action("retry", ()) is None and screen.check_action("approve", ()) is None
        await pilot.press("R")
        await wait_until(pilot, lambda: any("Stage Build has not failed" in t for t in toasts(app)))
        await pilot.press("a")
        await wait_until(pilot, lambda: any("No manual approval is waiting here" in t for t in toasts(app)))
        assert app.screen is screen
    assert mutations_sent(sim) == 0


async def test_every_action_key_says_read_only(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, *APPROVAL)
        for key in ("a", "R", "B", "t", "X", "S"):
            before = len(toasts(app))
            await pilot.press(key)
            await wait_until(pilot, lambda before=before: len(toasts(app)) > before)
            assert toasts(app)[-1].startswith("read-only: "), (key, toasts(app)[-1])
            assert app.screen is screen
    assert mutations_sent(sim) == 0


# --- keys go to what is visible ---------------------------------------------------------------------


async def test_keys_typed_before_the_approval_dialog_showed_do_not_reach_its_summary(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        await pilot.press("a")
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        summary = dialog.query_one("#approval-summary", Input)
        assert summary.armed_at is not None  # type: ignore[attr-defined]
        early = events.Key("j", "j")
        early.time = summary.armed_at - 0.5  # type: ignore[attr-defined]  # typed before it was drawn
        summary.post_message(early)
        await pilot.pause()
        assert summary.value == ""
        await pilot.press("o", "k")  # typed while it is visible: they count
        assert summary.value == "ok"


def open_approval_without_revisions(app: CptuiApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Open the dialog on the demo's approval as if it came without its revisions and the store had no
    execution to take them from: the dialog reads the execution itself."""
    (approval,) = [a for a in app.store.approvals() if a.pipeline_name == APPROVAL[0]]
    monkeypatch.setattr(app.store, "latest_execution", lambda target, pipeline: None)
    assert operator.open_approval(app, replace(approval, source_revisions=()))


async def test_the_approval_dialog_opens_before_the_execution_is_read(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read of the execution's revisions is slow: the dialog is up (and takes keys) meanwhile."""
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        sim.set_faults("latency=1500ms@GetPipelineExecution")
        reads = sim.calls["GetPipelineExecution"]
        open_approval_without_revisions(app, monkeypatch)
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        assert dialog.loading and "loading…" in details_text(dialog)
        await pilot.press(*"ok")
        assert dialog.query_one("#approval-summary", Input).value == "ok"
        await wait_until(pilot, lambda: not dialog.loading, timeout=15)
        # (the pipeline screen behind the dialog may read its own execution again meanwhile)
        assert sim.calls["GetPipelineExecution"] >= reads + 1
        assert dialog.revisions, "the execution's revisions filled in"
        assert "loading…" not in details_text(dialog)
        assert dialog.query_one("#approval-summary", Input).value == "ok"


async def test_a_reason_and_enter_do_not_disable_a_transition(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, "web-frontend", "Deploy")
        await pilot.press("t")
        dialog = await dialog_ready(pilot, app, TransitionDialog)
        await pilot.press(*"freeze", "enter", "enter", "space", "enter")
        await pilot.pause()
        assert app.screen is dialog and not dialog.confirmed
        assert sim.calls["DisableStageTransition"] == 0
        await press_confirm(pilot, app)
    assert sim.calls["DisableStageTransition"] == 1


async def test_the_approval_dialog_says_when_the_revisions_could_not_be_read(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown is not none: a denied read of the execution is said, not shown as "not known yet"."""
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        sim.set_faults("deny=GetPipelineExecution")
        open_approval_without_revisions(app, monkeypatch)
        dialog = await dialog_ready(pilot, app, ApprovalDialog)
        await wait_until(pilot, lambda: not dialog.loading, timeout=15)
        text = details_text(dialog)
        assert "could not be read" in text and "GetPipelineExecution" in text, text
        assert "not known yet" not in text
        await pilot.press("escape")
    assert sim.calls["PutApprovalResult"] == 0
