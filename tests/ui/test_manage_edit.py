"""`E`: the definition edited in $EDITOR and applied, through the real client against the simulator.

The editor is a small Python script set as $VISUAL that rewrites the file (each test says how).
Every flow: the change shown, the typed name where it is needed, UpdatePipeline sent once (or not at
all), the audit line, and the text never lost.
"""

from __future__ import annotations

import json
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from tests.support.apps import (
    EAST,
    open_dialog,
    open_pipeline,
    press_confirm,
    sim_app,
    wait_for_result,
    wait_for_screen,
)
from tests.support.dialogs import audit, body_text, drawn
from tests.support.notices import told
from tests.support.sim import aio_client
from tests.support.wait import wait_for_text, wait_until
from tui.core.actions import Outcome
from tui.sim import Simulator
from tui.ui import manage
from tui.ui.screens.manage_dialogs import EditProblems, UpdateDialog


@pytest.fixture(autouse=True)
def _edit_files_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The edit files (kept when an edit is not applied) go to the test's folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, name: str = "editor", again: str | None = None
) -> Path:
    """A scripted editor: ``body`` edits ``doc`` (the file's JSON, {"pipeline": …}) or ``text``.

    ``again``: what it does instead when it is opened a second time (to fix what the first made).
    """
    if again is not None:
        body = (
            "import os\n"
            "text = None\n"
            "if not os.path.exists(path + '.seen'):\n"
            "    open(path + '.seen', 'w').close()\n"
            + textwrap.indent(body, "    ")
            + "\nelse:\n"
            + textwrap.indent(again, "    ")
        )
    script = tmp_path / f"{name}.py"
    script.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "doc = json.loads(text)\n"
        "p = doc['pipeline']\n" + body + "\n"
        "if text is not None: open(path, 'w', encoding='utf-8').write(text)\n"
        "else: open(path, 'w', encoding='utf-8').write(json.dumps(doc, indent=2))\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    return script


BUMP_TIMEOUT = (
    "text = None\np['stages'][1]['actions'][0]['configuration']['ProjectName'] = 'web-frontend-build-v2'"
)


async def test_edit_with_a_scripted_editor_applies_once_and_audits(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, BUMP_TIMEOUT)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, "web-frontend")
        before = app.store.definition(EAST, "web-frontend")
        assert before is not None
        await pilot.press("E")
        dialog = await wait_for_screen(pilot, app, UpdateDialog)
        (session,) = manage.operations_state(app).sessions
        assert session.path.exists()
        text = body_text(dialog)
        assert "~ action Build › Build: configuration.ProjectName changed" in text
        assert "web-frontend-build-v2" in text  # the unified diff
        assert str(session.path) in text
        assert not dialog.query("#dialog-protected-name")  # not protected, not CFN, nothing running
        assert isinstance(dialog.focused, Button) and not dialog.focused.has_class("dialog-choice")
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED, result.message
        await wait_until(pilot, lambda: not session.path.exists())  # applied: the file goes
        await wait_until(
            pilot,
            lambda: (
                (d := app.store.definition(EAST, "web-frontend")) is not None
                and d.version == before.version + 1
            ),
        )
        await wait_for_text(pilot, f"v{before.version + 1}")  # the title shows the new version
    assert sim.calls["UpdatePipeline"] == 1
    (line,) = audit(tmp_path)
    assert line["operation"] == "UpdatePipeline" and line["outcome"] == "succeeded"
    params = line["params"]
    assert params["versionBefore"] == before.version and params["versionAfter"] == before.version + 1
    assert str(params["diffDigest"]).startswith("sha256:")
    assert f"version {before.version} → {before.version + 1}" in str(line["message"])
    async with aio_client(sim, "codepipeline") as cp:
        got = await cp.get_pipeline(name="web-frontend")
    assert (
        got["pipeline"]["stages"][1]["actions"][0]["configuration"]["ProjectName"] == "web-frontend-build-v2"
    )


@pytest.mark.slow
async def test_a_local_error_is_located_and_the_edit_resumes(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # First pass: a duplicate action name and a string runOrder; the second pass fixes both.
    editor(
        tmp_path,
        monkeypatch,
        "acts = p['stages'][2]['actions']\nacts[1]['name'] = acts[0]['name']\nacts[0]['runOrder'] = 'first'",
        again="acts = p['stages'][2]['actions']\nacts[1]['name'] = 'E2E'\nacts[0]['runOrder'] = 1",
    )
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        problems = await open_dialog(pilot, app, "E", EditProblems, "web-frontend")
        text = body_text(problems)
        assert "2 problems in your edit of web-frontend" in text
        assert "action name 'Unit-Tests' is used twice in stage 'Test'" in text
        assert "runOrder of Test › Unit-Tests must be an integer" in text
        assert "line " in text
        (session,) = manage.operations_state(app).sessions
        kept = session.path.read_text()
        assert '"first"' in kept  # the edited text is kept, not the original
        assert str(session.path) in text
        await pilot.press("e")  # edit again: the editor fixes it
        dialog = await wait_for_screen(pilot, app, UpdateDialog)
        assert "E2E-Tests" in body_text(dialog) and "E2E" in body_text(dialog)
        await pilot.press("escape")  # cancel: offered to edit again, keep or discard
        await wait_for_screen(pilot, app, EditProblems)
        await pilot.press("k")
        await wait_until(pilot, lambda: not isinstance(app.screen, EditProblems))
        assert session.path.exists()  # kept
    assert sim.calls["UpdatePipeline"] == 0
    assert audit(tmp_path) == []


@pytest.mark.slow
async def test_an_aws_validation_error_is_shown_and_the_edit_resumes(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An input artifact nobody produces: only AWS (the simulator) checks that.
    editor(
        tmp_path,
        monkeypatch,
        "p['stages'][2]['actions'][0]['inputArtifacts'] = [{'name': 'NoSuchArtifact'}]",
        again="act = p['stages'][2]['actions'][0]\n"
        "act['configuration']['ProjectName'] = 'fixed'\n"
        "act['inputArtifacts'] = [{'name': 'BuildArtifact'}]",
    )
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "E", UpdateDialog, "web-frontend")
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert result.error is not None and result.error.code == "InvalidStructureException"
        await wait_for_text(pilot, "Not done:", "InvalidStructureException", "NoSuchArtifact")
        assert app.screen is dialog  # a definite failure keeps the dialog
        await pilot.press("escape")
        problems = await wait_for_screen(pilot, app, EditProblems)
        assert "AWS refused the edit of web-frontend" in body_text(problems)
        (session,) = manage.operations_state(app).sessions
        assert "NoSuchArtifact" in session.path.read_text()  # the text is kept
        await pilot.press("e")
        await wait_for_screen(pilot, app, UpdateDialog)
        await pilot.click("#choice-confirm")
        result = await wait_for_result(pilot, app, count=2)
        assert result.outcome is Outcome.SUCCEEDED, result.message
    assert sim.calls["UpdatePipeline"] == 2
    assert [line["outcome"] for line in audit(tmp_path)] == ["failed", "succeeded"]


@pytest.mark.slow
async def test_a_version_change_meanwhile_refuses_and_shows_three_ways(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, BUMP_TIMEOUT)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "E", UpdateDialog, "web-frontend")
        # Someone else changes the pipeline while the dialog is open.
        async with aio_client(sim, "codepipeline") as cp:
            decl = (await cp.get_pipeline(name="web-frontend"))["pipeline"]
            decl["stages"][3]["actions"][0]["runOrder"] = 2
            await cp.update_pipeline(pipeline=decl)
        updates = sim.calls["UpdatePipeline"]
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.FAILED and result.error is not None
        assert result.error.code == "PipelineVersionChanged"
        assert sim.calls["UpdatePipeline"] == updates  # nothing sent
        await wait_for_text(pilot, "Not done:", "Nothing was sent")
        assert app.screen is dialog
        await pilot.press("escape")
        problems = await wait_for_screen(pilot, app, EditProblems)
        text = body_text(problems)
        assert "changed at AWS while you edited it" in text
        assert "Changed at AWS" in text and "~ action Deploy › Deploy-Site: runOrder changed" in text
        assert "Your edit" in text and "configuration.ProjectName changed" in text
        # Edit again: now against the new version (the other change is not reverted by accident)
        await pilot.press("e")
        dialog = await wait_for_screen(pilot, app, UpdateDialog)
        assert "Deploy-Site: runOrder changed" in body_text(dialog)  # the edit would undo theirs: shown
    line = audit(tmp_path)[0]
    assert line["outcome"] == "failed" and line["error_code"] == "PipelineVersionChanged"


@pytest.mark.slow
async def test_cloudformation_managed_needs_the_typed_name_and_says_why(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, BUMP_TIMEOUT)
    # (TagResource refuses aws: keys, as AWS does: CloudFormation puts them on at creation.)
    sim.engine.world().pipelines["web-frontend"].tags["aws:cloudformation:stack-name"] = "web-stack"
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "E", UpdateDialog, "web-frontend")
        text = body_text(dialog)
        assert "managed by CloudFormation stack web-stack" in text and "drift" in text
        assert "(managed by CloudFormation)" in text
        confirm = dialog.query_one("#choice-confirm", Button)
        assert confirm.disabled
        assert dialog.focused is dialog.query_one("#dialog-protected-name", Input)
        await pilot.press("enter", "enter", "space")
        assert sim.calls["UpdatePipeline"] == 0
        dialog.query_one("#dialog-protected-name", Input).value = ""  # (the space went into it)
        await pilot.press(*"web-frontend")
        await wait_until(pilot, lambda: not confirm.disabled)
        await pilot.press("enter")  # enter in the name field still does not send
        assert sim.calls["UpdatePipeline"] == 0
        result = await press_confirm(pilot, app)
        assert result.ok
    assert sim.calls["UpdatePipeline"] == 1
    assert sim.calls["ListTagsForResource"] >= 1


async def test_read_only_refuses_the_edit(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = editor(tmp_path, monkeypatch, BUMP_TIMEOUT)
    app = sim_app(sim, tmp_path, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend")
        for key in ("E", "D"):
            before = len(told(app))
            await pilot.press(key)
            await wait_until(pilot, lambda before=before: len(told(app)) > before)
            assert told(app)[-1].message.startswith("read-only: "), key
            assert app.screen is screen
    assert sim.calls["UpdatePipeline"] == 0 and sim.calls["DeletePipeline"] == 0
    assert not manage.operations_state(app).sessions
    assert script.exists()


def test_editor_command_prefers_visual_then_editor_then_vi() -> None:
    assert manage.editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert manage.editor_command({"EDITOR": "nano"}) == ["nano"]
    assert manage.editor_command({}) == ["vi"]


def test_the_edit_file_is_private_and_holds_no_metadata(tmp_path: Path) -> None:
    from tui.core import definition as defn

    path = manage.write_edit_file("web/../x", defn.editable_text({"name": "x", "metadata": {"a": 1}}))
    assert path.parent == tmp_path
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert json.loads(path.read_text()) == {"pipeline": {"name": "x"}}
    assert "/" not in path.name.removeprefix("cptui-")


async def test_at_80x24_the_name_field_and_the_buttons_stay_on_screen(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, BUMP_TIMEOUT)
    sim.engine.world().pipelines["web-frontend"].tags["aws:cloudformation:stack-name"] = "web-stack"
    app = sim_app(sim, tmp_path, protected=("web-*",))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, "E", UpdateDialog, "web-frontend")
        await pilot.pause()
        for selector in (
            "#dialog-protected-label",
            "#dialog-protected-name",
            "#choice-confirm",
            "#dialog-cancel-button",
        ):
            widget = dialog.query_one(selector)
            # what is drawn there is that widget (not clipped away under the dialog's edge)
            await wait_until(pilot, lambda widget=widget: drawn(dialog, widget))
        # the body opens at its top: the warning is the first thing in view
        assert dialog.query_one(".manage-warning").region.height > 0


@pytest.mark.slow
async def test_executions_in_progress_and_unreadable_tags_need_the_typed_name(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """payments-api-prod has an execution waiting for approval: the dialog says what UpdatePipeline
    does to it; its tags cannot be read (denied), so CloudFormation management is not known."""
    editor(
        tmp_path,
        monkeypatch,
        "text = None\np['stages'][-1]['actions'][0]['runOrder'] = 2",
    )
    sim.set_faults("deny=ListTagsForResource")
    app = sim_app(sim, tmp_path)  # (not protected: the name is asked for these reasons alone)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "E", UpdateDialog, "payments-api-prod")
        text = body_text(dialog)
        assert "execution(s) in progress" in text and "UpdatePipeline cancels every execution" in text
        assert "Whether CloudFormation manages this pipeline is not known" in text
        assert "ListTagsForResource" in text
        assert "(CloudFormation not known · executions in progress)" in text
        assert dialog.query_one("#choice-confirm", Button).disabled
        await pilot.press(*"payments-api-prod")
        result = await press_confirm(pilot, app)
        assert result.ok, result.message
    assert sim.calls["UpdatePipeline"] == 1
    async with aio_client(sim, "codepipeline") as cp:
        executions = (await cp.list_pipeline_executions(pipelineName="payments-api-prod", maxResults=5))[
            "pipelineExecutionSummaries"
        ]
    assert executions[0]["status"] == "Cancelled"  # as the dialog said
