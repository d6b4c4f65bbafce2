"""Managing a pipeline (issue 13): edit its definition in $EDITOR and apply it, delete it, override
a stage condition. The glue between the keys and ``tui.core.actions``, like ``operations``, and
through the same path: ``send.launch`` (one flow per subject, refused in read-only mode),
``send.attach`` / ``run_confirmed`` (the runner: audit or refuse, one call per confirmation).

The edit, step by step:
1. GetPipeline (the declaration as AWS sent it, its version); write it without ``metadata`` to a
   private temporary file;
2. suspend the app and run ``$VISUAL`` / ``$EDITOR`` (else ``vi``) on the file;
3. parse and check it locally (``tui.core.definition``); a problem is shown with where it is, and
   the operator edits again, keeps the file, or discards it — the text is never lost: the file stays
   until the edit is applied or discarded, and its path is shown;
4. read the tags (CloudFormation?) and the executions in progress, show the change structurally and
   as a diff in ``UpdateDialog`` (typed name when CloudFormation manages it or executions run);
5. on confirm, the request reads the pipeline again and refuses if its version moved (three-way
   view), else calls UpdatePipeline once; the audit line has both versions and the diff's digest;
6. AWS's refusal (InvalidStructureException …) is shown and the edit can be resumed, against the
   pipeline as it is now when the version moved.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported

from tui.aws.errors import AwsError
from tui.core import actions, console_links, definition_diff
from tui.core import definition as defn
from tui.core.actions import ActionResult, Outcome
from tui.core.error_text import error_text
from tui.core.model import (
    ConditionKind,
    PipelineDeclaration,
    Status,
    Target,
    cloudformation_stack,
)
from tui.core.sanitize import clean
from tui.core.store import StoreChange
from tui.ui import send
from tui.ui.host import host_of
from tui.ui.screens.dialog_base import ActionDialog
from tui.ui.screens.manage_dialogs import (
    DeleteDialog,
    EditProblems,
    OverrideDialog,
    UpdateDialog,
    refusal_lines,
)

RUNNING_HISTORY = 25  # executions read to find the ones in progress (one ListPipelineExecutions)


def editor_command(environ: dict[str, str] | None = None) -> list[str]:
    """``$VISUAL``, else ``$EDITOR``, else ``vi``, split as a shell would (``code --wait``)."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or "vi"
    return shlex.split(raw) or ["vi"]


def write_edit_file(pipeline: str, text: str) -> Path:
    """A private (0600) temporary file holding ``text``; kept until applied or discarded."""
    fd, name = tempfile.mkstemp(prefix=f"cptui-{defn.file_stem(pipeline)}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)


async def run_editor(app: App[Any], path: Path) -> str | None:
    """Open ``path`` in the operator's editor with the app suspended; why it failed, or None."""
    command = [*editor_command(), str(path)]
    try:
        try:
            with app.suspend():
                completed = subprocess.run(command, check=False)
        except SuspendNotSupported:
            # No terminal to hand over (tests, a web driver): run it without one.
            completed = await asyncio.to_thread(
                subprocess.run,
                command,
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    except OSError as error:
        return f"could not run the editor {command[0]!r}: {error.strerror or error} (set $VISUAL or $EDITOR)"
    finally:
        app.refresh()
    if completed.returncode != 0:
        return f"the editor {command[0]!r} exited with status {completed.returncode}: nothing was applied"
    return None


async def cloudformation(app: App[Any], target: Target, arn: str) -> tuple[str | None, str | None]:
    """The CloudFormation stack managing the pipeline (its tags), and why that is not known."""
    if not arn:
        return None, "its ARN is not known"
    try:
        tags = await host_of(app).reads.tags(target, arn)
    except AwsError as error:
        return None, error_text(error, max_len=160)
    return cloudformation_stack(tags), None


async def running_executions(app: App[Any], target: Target, pipeline: str) -> tuple[list[str], str | None]:
    """The ids of executions in progress (one read), and why they could not be read."""
    try:
        page = await host_of(app).reads.executions(target, pipeline, max_results=RUNNING_HISTORY)
    except AwsError as error:
        latest = host_of(app).store.latest_execution(target, pipeline)
        if latest is not None and latest.status in (Status.IN_PROGRESS, Status.STOPPING):
            return [latest.execution_id], None
        return [], error_text(error, max_len=160)
    return [e.execution_id for e in page.items if e.status in (Status.IN_PROGRESS, Status.STOPPING)], None


def _arn(app: App[Any], target: Target, pipeline: str, known: str = "") -> str:
    if known:
        return known
    definition = host_of(app).store.definition(target, pipeline)
    if definition is not None and definition.arn:
        return definition.arn
    identity = host_of(app).store.identity(target)
    return console_links.pipeline_arn(target.region, identity.account if identity else None, pipeline) or ""


async def _ask(app: App[Any], title: str, lines: Sequence[str], path: Path) -> str:
    choice: Any = await app.push_screen(EditProblems(title, lines, str(path)), wait_for_dismiss=True)
    return str(choice or "keep")


async def _confirm(app: App[Any], dialog: ActionDialog, hint: str) -> ActionResult | None:
    """``send.confirm_and_run`` with a hint after a failure (what Esc leads to)."""
    send.attach(app, dialog)
    dialog.explain = lambda result: f"{send.explain(result)} — {hint}"
    await app.push_screen(dialog, wait_for_dismiss=True)
    return dialog.result


@dataclass
class EditSession:
    """One edit: the declaration it began from (moves on after a version conflict), the file."""

    target: Target
    pipeline: str
    base: PipelineDeclaration
    path: Path
    original: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def open_edit(app: App[Any], target: Target, pipeline: str) -> bool:
    """`E`: edit the definition in $EDITOR, check it, show the change, apply it once."""

    async def flow() -> None:
        base = await host_of(app).reads.declaration(target, pipeline)
        original = defn.editable_text(base.document)
        session = EditSession(target, pipeline, base, write_edit_file(pipeline, original), original)
        operations_state(app).sessions.append(session)
        await edit_loop(app, session)

    return send.launch(app, "edit|" + "|".join((target.key, pipeline)), flow)


@dataclass
class ManageState:
    sessions: list[EditSession] = field(default_factory=list)


_STATES: weakref.WeakKeyDictionary[Any, ManageState] = weakref.WeakKeyDictionary()


def operations_state(app: App[Any]) -> ManageState:
    """The edits of this app (tests read the file paths from here)."""
    found = _STATES.get(app)
    if found is None:
        found = _STATES[app] = ManageState()
    return found


async def edit_loop(app: App[Any], session: EditSession) -> None:
    """Editor → checks → dialog → send, until applied, kept or discarded."""
    target, pipeline, path = session.target, session.pipeline, session.path
    while True:
        failed = await run_editor(app, path)
        if failed is not None:
            choice = await _ask(app, "The editor did not finish", [failed], path)
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                send.tell(app, f"could not read {path}: {error.strerror or error}", "error")
                return
            document, problems = defn.parse_edit(text, name=pipeline)
            if (
                document is not None
                and not problems
                and definition_diff.same_declaration(session.base.document, document)
            ):
                session.discard()
                send.tell(app, f"{clean(pipeline)}: no change to the definition; nothing sent")
                return
            if problems or document is None:
                count = len(problems)
                choice = await _ask(
                    app,
                    f"{count} problem{'s' if count != 1 else ''} in your edit of {pipeline}: nothing sent",
                    [str(p) for p in problems],
                    path,
                )
            else:
                result = await _review_and_send(app, session, document)
                if result is not None and result.outcome in (Outcome.SUCCEEDED, Outcome.UNKNOWN):
                    if result.ok:
                        session.discard()
                        await _show_new_version(app, target, pipeline)
                    else:
                        send.tell(app, f"your text is kept in {path}", "warning")
                    return
                choice = await _ask(app, *_after_refusal(session, document, result), path)
        if choice == "discard":
            session.discard()
            send.tell(app, f"{clean(pipeline)}: edit discarded; nothing sent")
            return
        if choice != "edit":
            send.tell(app, f"{clean(pipeline)}: not applied; your text is kept in {path}", "warning")
            return


def _after_refusal(
    session: EditSession, document: dict[str, Any], result: ActionResult | None
) -> tuple[str, list[str]]:
    """The title and lines of ``EditProblems`` after the dialog closed without applying."""
    if result is None:
        return "Not applied: you cancelled", ["Nothing was sent."]
    error = result.error
    if isinstance(error, actions.VersionChanged):
        current = error.current
        view = definition_diff.three_way(
            session.base.document,
            current.document,
            document,
            base_version=session.base.version,
            their_version=current.version,
        )
        # Editing again compares against the pipeline as it is now.
        session.base = current
        lines = [*view.lines(), "", f"Edit again to apply your text on top of version {current.version}."]
        return f"{session.pipeline} changed at AWS while you edited it", lines
    return f"AWS refused the edit of {session.pipeline}", refusal_lines(result)


async def _review_and_send(
    app: App[Any], session: EditSession, document: dict[str, Any]
) -> ActionResult | None:
    target, pipeline = session.target, session.pipeline
    stack, tags_problem = await cloudformation(app, target, _arn(app, target, pipeline, session.base.arn))
    running, _running_problem = await running_executions(app, target, pipeline)
    dialog = UpdateDialog(
        target,
        session.base,
        document,
        identity=host_of(app).store.identity(target),
        protected=send.is_protected(host_of(app), target, pipeline),
        stack=stack,
        tags_problem=tags_problem,
        running=running,
        path=str(session.path),
    )
    return await _confirm(app, dialog, "Esc to see it and edit again (your text is kept)")


async def _show_new_version(app: App[Any], target: Target, pipeline: str) -> None:
    """Read the definition again so the graph and the title show the new version at once."""
    try:
        definition = await host_of(app).reads.pipeline(target, pipeline)
    except AwsError:
        return  # the next poll reads it
    _publish(app, host_of(app).store.set_definition(target, pipeline, definition))


def _publish(app: App[Any], change: StoreChange) -> None:
    """Tell the screens about a store change made here (not by a poll)."""
    if not change.empty:
        host_of(app).store_changed.publish(change)


# --- delete ------------------------------------------------------------------------------------


def open_delete(app: App[Any], target: Target, pipeline: str) -> bool:
    """`D`: delete the pipeline (typed name always), then its row goes."""

    async def flow() -> None:
        stack, tags_problem = await cloudformation(app, target, _arn(app, target, pipeline))
        summary = host_of(app).store.summary(target, pipeline)
        latest = host_of(app).store.latest_execution(target, pipeline)
        running = int(latest is not None and latest.status in (Status.IN_PROGRESS, Status.STOPPING))
        dialog = DeleteDialog(
            target,
            pipeline,
            version=summary.version if summary else None,
            identity=host_of(app).store.identity(target),
            stack=stack,
            tags_problem=tags_problem,
            running=running,
        )
        result = await send.confirm_and_run(app, dialog)
        if result is not None and result.ok:
            _leave_pipeline_screens(app, target, pipeline)
            _publish(app, host_of(app).store.remove_pipeline(target, pipeline))

    return send.launch(app, "delete|" + "|".join((target.key, pipeline)), flow)


def _leave_pipeline_screens(app: App[Any], target: Target, pipeline: str) -> None:
    """Close the screens showing the deleted pipeline (they would poll a pipeline that is gone)."""
    stack = list(app.screen_stack)
    for index, screen in enumerate(stack):
        if getattr(screen, "target", None) == target and getattr(screen, "pipeline_name", None) == pipeline:
            for _ in range(len(stack) - index):
                app.pop_screen()
            return


# --- override ----------------------------------------------------------------------------------


def open_override(
    app: App[Any],
    target: Target,
    pipeline: str,
    stage: str,
    execution_id: str,
    kind: ConditionKind,
    rules: Sequence[str],
) -> bool:
    """`O`: override the condition holding the stage, for that execution."""
    dialog = OverrideDialog(
        target,
        pipeline,
        stage,
        execution_id,
        kind,
        rules=rules,
        identity=host_of(app).store.identity(target),
        protected=send.is_protected(host_of(app), target, pipeline),
    )
    return send.launch(
        app,
        "override|" + "|".join((target.key, pipeline, stage)),
        lambda: send.confirm_and_run(app, dialog),
    )
