"""The operator keys of the pipeline screen, as a mixin: a, R, B, t, X, S (mutations), y, b (copy, link).

Kept out of ``pipeline.py`` so the screen stays about showing a pipeline. The host screen provides
``target``, ``pipeline_name``, ``selected_stage``, ``selected_action`` and ``cptui``, lists
``OPERATOR_BINDINGS`` in its ``BINDINGS`` and calls ``refresh_bindings()`` when the selection or
the store changes, so ``check_action`` can hide the keys in read-only mode and grey out the ones
AWS would refuse right now (retry on a stage that did not fail, approve on a non-waiting action).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

from tui.core.model import ConditionKind, Status, Target
from tui.ui import copy_link, send
from tui.ui import operations as operator
from tui.ui.host import Host
from tui.ui.keys import bind

MUTATIONS = frozenset(
    {"approve", "retry", "rollback", "transition", "stop", "start", "edit", "delete", "override"}
)
# What each mutation key does, for the one-line "why not" of a key that is unavailable.
MUTATION_NAMES = {
    "approve": "approving",
    "retry": "retrying a stage",
    "rollback": "rolling back",
    "transition": "enabling or disabling a transition",
    "stop": "stopping an execution",
    "start": "starting an execution",
    "edit": "editing the definition",
    "delete": "deleting a pipeline",
    "override": "overriding a stage condition",
}


def read_only_reason(action: str) -> str:
    """What a mutation key says in read-only mode."""
    what = MUTATION_NAMES.get(action, "this action")
    return f"read-only: {what} is off (--read-only or read_only = true in the config)"


OPERATOR_BINDINGS = [
    bind("approve", "approve", "Approve"),
    bind("retry", "retry", "Retry"),
    bind("rollback", "rollback", "Rollback"),
    bind("transition", "transition", "Transition"),
    bind("stop", "stop", "Stop"),
    bind("start", "start", "Start"),
    bind("copy", "copy", "Copy"),
    bind("link", "link", "Link"),
    bind("definition", "definition", "Definition"),
    bind("edit", "edit", "Edit definition"),
    bind("delete", "delete", "Delete pipeline", show=False),
    bind("override", "override", "Override condition", show=False),
]


NO_APPROVAL = "No manual approval is waiting here: select a waiting approval action first"


class OperatorKeys:
    """Mixin for a Screen showing one pipeline (``PipelineScreen``)."""

    target: Target
    pipeline_name: str

    if TYPE_CHECKING:

        @property
        def host(self) -> Host: ...

        app: App[Any]

        @property
        def selected_stage(self) -> str | None: ...

        @property
        def selected_action(self) -> str | None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide mutations in read-only mode; grey out approve/retry where AWS would refuse."""
        if action not in MUTATIONS:
            return True
        app = self.host
        if send.read_only(app):
            return False
        if action == "approve":
            found = operator.approval_for(
                app, self.target, self.pipeline_name, self.selected_stage, self.selected_action
            )
            return True if found is not None else None
        if action == "retry":
            blocker = operator.retry_blocker(app, self.target, self.pipeline_name, self.selected_stage)
            return True if blocker is None else None
        if action == "override":
            return True if self._blocking_condition()[1] is not None else None
        return True

    def unavailable_reason(self, action: str) -> str | None:
        """Why a greyed or hidden key does nothing here, in one line (the app shows it on a press)."""
        if action not in MUTATIONS:
            return None
        app = self.host
        if send.read_only(app):
            return read_only_reason(action)
        if action == "approve":
            return NO_APPROVAL
        if action == "retry":
            return operator.retry_blocker(app, self.target, self.pipeline_name, self.selected_stage)
        if action == "override":
            return self._blocking_condition()[0]
        return None

    def action_approve(self) -> None:
        approval = operator.approval_for(
            self.host, self.target, self.pipeline_name, self.selected_stage, self.selected_action
        )
        if approval is None:
            self.app.notify(NO_APPROVAL, severity="warning", markup=False)
            return
        operator.open_approval(self.app, approval)

    def action_retry(self) -> None:
        operator.open_retry(self.app, self.target, self.pipeline_name, self.selected_stage)

    def action_rollback(self) -> None:
        operator.open_rollback(self.app, self.target, self.pipeline_name, self.selected_stage)

    def action_transition(self) -> None:
        operator.open_transition(self.app, self.target, self.pipeline_name, self.selected_stage)

    def action_stop(self) -> None:
        operator.open_stop(self.app, self.target, self.pipeline_name)

    def action_start(self) -> None:
        operator.open_start(self.app, self.target, self.pipeline_name)

    def action_definition(self) -> None:
        from tui.ui.screens.definition import DefinitionScreen

        self.app.push_screen(DefinitionScreen(self.target, self.pipeline_name))

    def action_edit(self) -> None:
        from tui.ui import manage

        manage.open_edit(self.app, self.target, self.pipeline_name)

    def action_delete(self) -> None:
        from tui.ui import manage

        manage.open_delete(self.app, self.target, self.pipeline_name)

    def _blocking_condition(
        self,
    ) -> tuple[str | None, tuple[str, str, ConditionKind, tuple[str, ...]] | None]:
        """The condition holding the selected stage now: (why not, None) or (None, (stage,
        execution id, kind, rules))."""
        stage = self.selected_stage
        if stage is None:
            return "Select a stage held by a condition to override it", None
        state = self.host.store.state(self.target, self.pipeline_name)
        stage_state = state.stage(stage) if state else None
        blocked = stage_state.blocked_by_condition if stage_state else None
        if stage_state is None or blocked is None or stage_state.latest is None:
            return f"Stage {stage} is not held by a condition now: nothing to override", None
        if not blocked.kind.overridable:
            return f"Stage {stage}'s {blocked.kind.label} condition cannot be overridden", None
        definition = self.host.store.definition(self.target, self.pipeline_name)
        stage_def = definition.stage(stage) if definition else None
        conditions = stage_def.conditions(blocked.kind) if stage_def else None
        evaluated = {r.name: r.status.label for r in blocked.rules}
        rules = (
            tuple(
                f"{r.name} ({r.provider})" + (f": {evaluated[r.name]}" if r.name in evaluated else "")
                for r in conditions.rules
            )
            if conditions
            else ()
        )
        return None, (stage, stage_state.latest.execution_id, blocked.kind, rules)

    def action_override(self) -> None:
        from tui.ui import manage

        why, found = self._blocking_condition()
        if found is None:
            self.app.notify(why or "nothing to override", severity="warning", markup=False)
            return
        stage, execution_id, kind, rules = found
        manage.open_override(self.app, self.target, self.pipeline_name, stage, execution_id, kind, rules)

    def _execution_id(self) -> str | None:
        """The selected stage's latest execution, else the pipeline's latest."""
        app, stage = self.host, self.selected_stage
        state = app.store.state(self.target, self.pipeline_name)
        stage_state = state.stage(stage) if state and stage else None
        if stage_state is not None and stage_state.latest is not None:
            return stage_state.latest.execution_id
        latest = app.store.latest_execution(self.target, self.pipeline_name)
        return latest.execution_id if latest else None

    def action_copy(self) -> None:
        extra: dict[str, str] = {}
        state = self.host.store.state(self.target, self.pipeline_name)
        stage = state.stage(self.selected_stage) if state and self.selected_stage else None
        action = stage.action(self.selected_action) if stage and self.selected_action else None
        if action is not None:
            if action.external_execution_id:
                extra["External id"] = action.external_execution_id
            if action.external_execution_url and action.status != Status.IDLE:
                extra["External URL"] = action.external_execution_url
        items = copy_link.copy_items(
            self.host, self.target, self.pipeline_name, self._execution_id(), extra=extra
        )
        copy_link.open_copy(self.app, items)

    def action_link(self) -> None:
        copy_link.open_link(
            self.app, copy_link.link_items(self.target, self.pipeline_name, self._execution_id())
        )
