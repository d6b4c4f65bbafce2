"""Hostile text from every AWS field the app renders, through every screen.

One corpus (Rich markup, OSC 52 clipboard writes, title changes, screen clears, C1 controls, bidi
overrides, wide characters, very long strings) is written into the simulator's world state (its
API validates some fields like AWS does, so the world is seeded directly) and the real App reads it
over the wire. On every screen the rendered segments must hold no control character, no payload
of a stripped sequence, no link or click action from the data, markup shown as typed, and the
layout intact (header and footer on their rows, every row the terminal's width). The exported
SVG must hold no raw escape either.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.support.apps import EAST, all_loaded
from tests.support.rig import Rig, control_chars, drive, make_rig, open_pipeline, strips_text
from tests.support.strips import screen_strips
from tests.support.wait import flat_text
from tui.aws.errors import AwsError
from tui.core.actions import ActionRequest
from tui.sim import Simulator
from tui.sim import pipelines as specs
from tui.sim.logstream import ScriptSegment
from tui.sim.world.state import PipelineSpec, StageSpec
from tui.sim.world.world import World
from tui.ui import send
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.dialogs import ApprovalDialog, TransitionDialog
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.logs import LogScreen
from tui.ui.screens.pipelines import PipelinesScreen

SIZE = (120, 36)
MARKUP = "[bold]BOLD[/bold] [link=https://evil.example]click[/link] [@click=app.quit]quit[/]"
# "BOLD" with neither of its tags: the data's markup took effect (cutting or covering text can
# take away one side, never both).
PARSED = re.compile(r"(?<!\[bold\])BOLD(?!\[/bold)")
PAYLOADS = ("SEVMTE8=", "PWNED-TITLE", "C1-TITLE", "evil.example/payload")
CONTROL = (
    "\x1b]52;c;SEVMTE8=\x07"  # OSC 52: write the clipboard
    "\x1b]0;PWNED-TITLE\x1b\\"  # OSC 0: set the window title
    "\x1b[2J\x1b[3J\x1b[H"  # clear screen and scrollback, cursor home
    "\x9b2J\x9d0;C1-TITLE\x9c"  # the same with C1 bytes
    "\x1b]8;;https://evil.example/payload\x1b\\"  # OSC 8 hyperlink
    "\x07\x08\x7f\x00\r"
)
WIDE = "漢字テスト🚀👩‍💻é"
BIDI = "\u202egnp.exe\u202c"
HOSTILE = f"{MARKUP}{CONTROL} {WIDE} {BIDI} " + "long-" * 600
MULTILINE = f"{MARKUP}\n{CONTROL}line two\r\nline three {WIDE}\n" + "x" * 2000
CODE = "[b]E[/b]\x1b[31m"
LONG_NAME = ("Long.name@with-every_allowed" * 4)[:100]
LOG_LINES = [
    "\x1b[31mRED-TEXT\x1b[0m plain [bold]LOG-MARKUP[/bold] \x1b]0;PWNED-TITLE\x07 \x1b]52;c;SEVMTE8=\x07 end",
    "\x1b[2J\x1b[H after clear \x9b2J \x9d0;C1-TITLE\x9c [link=https://evil.example]log-link[/link]",
    f"{WIDE} wide {BIDI} " + "w" * 400,
    "tab\there and CR\rcarriage \x1b]8;;https://evil.example/payload\x07",
]
APPROVAL = ("payments-api-prod", "Approval", "Approve-Production")
DISABLED = ("infra-network", "Production")
FAILED = ("web-frontend", "Test")


def seed_hostile_world(sim: Simulator) -> str:
    """Write the corpus into every field of the world the app shows; returns a failed build's id."""
    world = sim.engine.world()
    with sim.engine.lock:
        for p in world.pipelines.values():
            for ex in p.executions.values():
                ex.status_summary = HOSTILE
                ex.trigger_detail = HOSTILE
                ex.stop_reason = HOSTILE
                ex.variables = {k: HOSTILE for k in ex.variables} or ex.variables
                for i, revision in enumerate(ex.revisions):
                    # GitHub-style JSON summaries and plain ones.
                    revision.summary = json.dumps({"CommitMessage": MULTILINE}) if i % 2 else MULTILINE
            for run in p.action_runs:
                run.summary = HOSTILE
                run.updated_by = HOSTILE
                if run.error_message is not None or run.error_code is not None:
                    run.error_message, run.error_code = HOSTILE, CODE
                if run.output_variables:
                    run.output_variables = {k: HOSTILE for k in run.output_variables}
                if run.spec.provider != "CodeBuild" and run.external_id:
                    run.external_id = HOSTILE  # a CodeBuild id is the build's: the log screen needs it
            for transition in p.transitions.values():
                if not transition.enabled:
                    transition.reason, transition.changed_by = HOSTILE, HOSTILE
            for stage in p.spec.stages:
                for action in stage.actions:
                    if action.category == "Approval":
                        action.configuration["CustomData"] = MULTILINE
                        action.configuration["ExternalEntityLink"] = "https://evil.example/" + HOSTILE
        for build in world.builds.values():
            build.initiator = HOSTILE
        _add_long_named_pipeline(world)
        return _append_hostile_log(world)


def _add_long_named_pipeline(world: World) -> None:
    source = replace(specs.codecommit("repo"), name=LONG_NAME)
    build = specs.codebuild(LONG_NAME[::-1], "long-project")
    stages = [StageSpec(f"Source{LONG_NAME}"[:100], [source]), StageSpec(LONG_NAME[:99] + "B", [build])]
    world.add_pipeline(PipelineSpec(LONG_NAME, stages, trigger_every=None))


def _append_hostile_log(world: World) -> str:
    """Hostile lines at the end of a finished failed build's log (the view opens at the end)."""
    done = [b for b in world.builds.values() if b.outcome == "FAILED" and b.complete_at(world.now)]
    build = max(done, key=lambda b: b.end)
    stream = world.logs.groups[build.log_group].streams[build.log_stream]
    at = int(build.end * 1000) - 1
    stream.segments.append(ScriptSegment(lambda: [(at, line) for line in LOG_LINES]))
    return build.id


def check_screen(app: App[Any], where: str) -> str:
    """Everything that must hold for the screen on display; returns its flattened text."""
    rows = strips_text(app)
    assert len(rows) == SIZE[1], where
    assert not control_chars(app), (where, control_chars(app)[:5])
    text = "\n".join(rows)
    for payload in PAYLOADS:
        assert payload not in text, (where, payload)
    for row in rows:
        # Markup from the data never takes effect: "BOLD" only ever shows with its tag.
        assert not PARSED.search(row), (where, row)
    assert "\u202e" not in text and "\u202c" not in text, where
    for strip in screen_strips(app):
        assert strip.cell_length == SIZE[0], (where, strip.text)
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not (style.link and "evil" in style.link), (where, segment)
            assert "@click" not in (style.meta or {}) or "quit" not in str(style.meta), (where, segment)
    svg = app.export_screenshot()
    for raw in ("\x1b", "\x07", "\x9b", "\x9d", *PAYLOADS):
        assert raw not in svg, (where, repr(raw))
    return flat_text(app)


def assert_literal_markup(text: str, where: str) -> None:
    """The markup shows as typed (parsed, the brackets would be gone; cut, the tail may be)."""
    assert "[bold]BOLD" in text, where


@pytest.fixture
def rig(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rig:
    monkeypatch.setattr(LogScreen, "LIVE_TAIL", False)
    return make_rig(sim, tmp_path, tps=40, burst=40)


async def _wait_for(pilot: Pilot[Any], rig: Rig, kind: type[Any]) -> Any:
    await drive(pilot, rig, lambda: isinstance(rig.app.screen, kind) and rig.app.screen.is_mounted, every=0.5)
    await pilot.pause()
    return rig.app.screen


@pytest.mark.slow
async def test_the_same_hostile_corpus_through_every_screen(sim: Simulator, rig: Rig) -> None:
    build_id = seed_hostile_world(sim)
    app = rig.app
    seen: dict[str, str] = {}
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await drive(pilot, rig, lambda: all_loaded(app), every=0.5)
        await pilot.pause()
        text = seen["pipelines"] = check_screen(app, "pipelines")
        rows = strips_text(app)
        assert rows[0].startswith(" cptui"), rows[0]  # the header on its row
        assert "Quit" in rows[-1]  # the footer on its row
        # A 100-character name is cut to its column (which leaves no room for the trigger column).
        assert LONG_NAME[:30] in text and LONG_NAME not in text

        # The pipeline with the disabled transition: its reason, and the execution panel.
        screen = await open_pipeline(pilot, rig, DISABLED[0])
        await drive(pilot, rig, lambda: screen.execution is not None, every=0.5)
        await pilot.pause()
        text = seen["pipeline"] = check_screen(app, "pipeline")
        assert "⊘ inbound disabled" in text and "[link=https://evil.example]click[/link]" in text
        assert "Quit" in strips_text(app)[-1] or "Back" in strips_text(app)[-1]
        screen.graph.select(DISABLED[1])
        await pilot.press("t")
        dialog = await _wait_for(pilot, rig, TransitionDialog)
        text = seen["transition dialog"] = check_screen(app, "transition dialog")
        assert_literal_markup(text, "transition dialog")
        dialog.dismiss(None)
        await _wait_for(pilot, rig, type(screen))
        await pilot.press("escape")
        await _wait_for(pilot, rig, PipelinesScreen)

        # The failed stage: its error message in the graph; history; the execution in detail.
        screen = await open_pipeline(pilot, rig, FAILED[0])
        await drive(pilot, rig, lambda: screen.execution is not None, every=0.5)
        await pilot.pause()
        seen["failed pipeline"] = check_screen(app, "failed pipeline")
        await pilot.press("h")
        history = await _wait_for(pilot, rig, HistoryScreen)
        await drive(pilot, rig, lambda: history.table.row_count > 0, every=0.5)
        await pilot.pause()
        text = seen["history"] = check_screen(app, "history")
        assert_literal_markup(text, "history")
        failed = next(k for k, s in history.executions.items() if str(s.status) == "Failed")
        history.table.move_cursor(row=history.table.get_row_index(failed))
        await pilot.press("enter")
        execution = await _wait_for(pilot, rig, ExecutionScreen)
        await drive(pilot, rig, lambda: execution.execution is not None and execution.actions, every=0.5)
        await drive(pilot, rig, lambda: execution.diff is not None, every=0.5, seconds=30)
        await pilot.pause()
        text = seen["execution"] = check_screen(app, "execution")
        assert_literal_markup(text, "execution")
        await pilot.press("escape", "escape", "escape")
        await _wait_for(pilot, rig, PipelinesScreen)

        # A failed build's log: ANSI colours kept as styles, everything else inert.
        await app.push_screen(LogScreen(EAST, build_id=build_id, title="hostile"))
        logs = await _wait_for(pilot, rig, LogScreen)
        await drive(pilot, rig, lambda: logs.finished and "LOG-MARKUP" in flat_text(app), every=0.5)
        await pilot.pause()
        text = seen["logs"] = check_screen(app, "logs")
        assert "[bold]LOG-MARKUP[/bold]" in text and "[link=https://evil.example]log-link[/link]" in text
        assert_literal_markup(text, "logs")  # the build's initiator, in the header
        red = [
            s.style.color
            for strip in screen_strips(app)
            for s in strip
            if "RED-TEXT" in s.text and s.style and s.style.color is not None
        ]
        # SGR 31 survives as a style (the theme's red), not as an escape.
        assert red and all(_reddish(color.get_truecolor()) for color in red if color), red
        await pilot.press("escape")
        await _wait_for(pilot, rig, PipelinesScreen)

        # The approvals inbox and the approval dialog: custom data, link, revisions.
        await pilot.press("A")
        inbox = await _wait_for(pilot, rig, ApprovalsScreen)
        await drive(pilot, rig, lambda: inbox.table.row_count > 0, every=0.5)
        await pilot.pause()
        seen["inbox"] = check_screen(app, "inbox")
        await pilot.press("a")
        await _wait_for(pilot, rig, ApprovalDialog)
        text = seen["approval dialog"] = check_screen(app, "approval dialog")
        assert_literal_markup(text, "approval dialog")
        assert "[@click=app.quit]quit[/]" in text
        await pilot.press("escape")
        await _wait_for(pilot, rig, ApprovalsScreen)
        await pilot.press("escape")
        await _wait_for(pilot, rig, PipelinesScreen)

        # Notices: an AWS error message and an action's failure, through the one error path.
        app.report_error(AwsError(HOSTILE))
        request = ActionRequest(
            operation="StopPipelineExecution",
            target=EAST,
            pipeline=DISABLED[0],
            subject=HOSTILE[:200],
            title="Stop execution",
            confirmation="stop",
            params={},
            call=_raise_hostile,
        )
        await send.run_confirmed(app, request)
        await drive(pilot, rig, lambda: flat_text(app).count("[bold]BOLD") >= 2, every=0.1, seconds=20)
        text = seen["notices"] = check_screen(app, "notices")
        assert text.count("[bold]BOLD[/bold]") >= 2, text
        assert app.is_running
    for message, _severity, _title in rig.notices:
        assert not any(ch in message for ch in "\x1b\x07\x9b\x9d"), repr(message)
    assert set(seen) == {
        "pipelines",
        "pipeline",
        "transition dialog",
        "failed pipeline",
        "history",
        "execution",
        "logs",
        "inbox",
        "approval dialog",
        "notices",
    }
    assert not rig.unexpected()


def _reddish(color: Any) -> bool:
    return bool(color.red > 150 and color.green < 100)


async def _raise_hostile(service: object) -> object:
    raise AwsError(HOSTILE, code=CODE, operation="StopPipelineExecution")
