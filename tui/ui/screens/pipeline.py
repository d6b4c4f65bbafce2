"""One pipeline: the stage graph and the current execution.

The screen asks the poller to watch the pipeline while it is mounted, re-renders from the store when
``store_changed`` names this pipeline (the graph repaints only the stages that changed), and fetches
GetPipelineExecution for the latest execution once per new execution id, in a worker. That read is
a ``Datum``: its loading and error notes are drawn from it only, and a failed read is tried again
when the poller next refreshes this pipeline, so an error goes as soon as the endpoint answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.aws.errors import AwsError
from tui.core.datum import Datum
from tui.core.definition_lines import rule_execution_lines, trigger_lines, variable_lines
from tui.core.error_text import error_text
from tui.core.fmt import ago, short_id, standing_text
from tui.core.model import Execution, PipelineDef, RuleExecution, Status, Target
from tui.core.sanitize import clean
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.screens.fast_polling import start_fast_polling, stop_fast_polling
from tui.ui.screens.logs import open_build_logs
from tui.ui.screens.operator_keys import OPERATOR_BINDINGS, OperatorKeys
from tui.ui.widgets.execution_panel import ExecutionPanel
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.stage_graph import StageGraph

if TYPE_CHECKING:
    from tui.core.store import StoreChange

# Relative times ("3m ago") are re-evaluated this often; only boxes whose text changed repaint.
TICK_SECONDS = 5.0
# The polled operations this screen's graph and panel are drawn from.
_POLLED_HERE = frozenset({"GetPipeline", "GetPipelineState", "ListPipelineExecutions"})


class PipelineScreen(OperatorKeys, Screen[None]):
    """Stage graph + current execution of ``name`` in ``target``; operator keys from ``OperatorKeys``."""

    CSS_PATH = "pipeline.tcss"

    BINDINGS = [
        bind("history", "history", "History"),
        bind("insights", "insights", "Insights"),
        bind("logs", "logs", "Logs"),
        bind("refresh", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
        bind("watch", "watch", "Follow latest execution", show=False),
        *OPERATOR_BINDINGS,
    ]

    def __init__(self, target: Target, name: str) -> None:
        super().__init__()
        self.target = target
        self.pipeline_name = name
        # GetPipelineExecution of the latest execution (keyed by its id).
        self.latest_read: Datum[Execution] = Datum()
        # (execution id, status) last fetched: a new execution or a new status fetches again.
        self._fetched_key: tuple[str, str] | None = None
        # ListRuleExecutions of the latest execution (V2 stage conditions), keyed by its id.
        # Keyed by the executions on screen whose rules matter (the latest, and in PARALLEL mode
        # the one a stage with conditions holds).
        self.rules_read: Datum[list[RuleExecution]] = Datum()
        self._rules_key: object = None  # (execution, its status, the conditions' states) last read

    @property
    def execution(self) -> Execution | None:
        return self.latest_read.value

    @property
    def execution_note(self) -> str | None:
        """The panel's note: the read's error, or that it is loading; nothing once it is read."""
        return self.latest_read.marker("Loading execution details…")

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def graph(self) -> StageGraph:
        return self.query_one(StageGraph)

    @property
    def selected_stage(self) -> str | None:
        """Name of the selected stage (for actions such as retry or transition)."""
        return self.graph.selected_stage

    @property
    def selected_action(self) -> str | None:
        """Name of the selected action within the selected stage."""
        return self.graph.selected_action

    def compose(self) -> ComposeResult:
        store = self.host.store
        yield Static(self._title(), id="pipeline-title", markup=False)
        yield Static("", id="pipeline-notice", markup=False)
        yield Static("", id="pipeline-v2", markup=False)
        yield StageGraph(
            store.definition(self.target, self.pipeline_name),
            store.state(self.target, self.pipeline_name),
            now=self.host.now(),
            id="stage-graph",
        )
        yield Static("", id="pipeline-rules", markup=False)
        yield ExecutionPanel(
            store.latest_execution(self.target, self.pipeline_name),
            now=self.host.now(),
            note="Loading the latest execution…",
            id="execution-panel",
        )
        yield KeyFooter()

    def _title(self) -> Text:
        store = self.host.store
        definition = store.definition(self.target, self.pipeline_name)
        title = Text.assemble((clean(self.pipeline_name), "bold"))
        row = store.row(self.target, self.pipeline_name)
        if row is not None and row.loaded:
            # Where it stands, as the list and the inbox say it (one derivation: ``Standing``).
            title.append("   ")
            title.append_text(standing_text(row.standing, self.host.now()))
        if definition is not None:
            title.append(f"   {clean(definition.pipeline_type)} · {clean(definition.execution_mode)}", "dim")
            title.append(f" · v{definition.version}", "dim")
        # The account's colour (e.g. red for production), when the config gives one.
        title.append(f"   {clean(self.target.label)}", self.target.color or "dim")
        return title

    def on_mount(self) -> None:
        start_fast_polling(self, self.host, self.target, self.pipeline_name, self._on_store_changed)
        self.graph.focus()
        self.set_interval(TICK_SECONDS, self._tick)
        self.render_from_store()

    def on_unmount(self) -> None:
        stop_fast_polling(self, self.host, self.target, self.pipeline_name)

    # --- data -----------------------------------------------------------------------------------

    def _on_store_changed(self, change: StoreChange) -> None:
        if change.target not in (None, self.target):
            return
        if self.pipeline_name in change.pipelines or change.freshness:
            self.render_from_store()
        answering = not self.host.store.freshness(self.target).stale_reason
        if answering and self.latest_read.retry_due(self.host.now()):
            # A poll just succeeded: the endpoint answers, so the failed read is tried again now
            # (its error goes with the answer, not when the execution next moves).
            latest = self.host.store.latest_execution(self.target, self.pipeline_name)
            if latest is not None:
                self.fetch_execution(latest.execution_id)

    def render_from_store(self) -> int:
        """Bring the screen up to date with the store; returns the number of stage boxes repainted."""
        store, now = self.host.store, self.host.now()
        definition = store.definition(self.target, self.pipeline_name)
        state = store.state(self.target, self.pipeline_name)
        latest = store.latest_execution(self.target, self.pipeline_name)
        approvals = store.approvals(self.target)
        mine = tuple(a for a in approvals if a.pipeline_name == self.pipeline_name)
        repainted = self.graph.update(definition, state, now, approvals=mine)
        if definition is None:
            self.graph.set_placeholder(self._definition_marker())
        if state is None:
            self.graph.set_missing_state(self._state_marker())
        self.query_one("#pipeline-title", Static).update(self._title())
        self._show_v2(definition)
        key = (latest.execution_id, str(latest.status)) if latest is not None else None
        if latest is not None and key != self._fetched_key:
            self._fetched_key = key
            self.fetch_execution(latest.execution_id)
        if latest is not None and definition is not None and any(s.all_conditions for s in definition.stages):
            conditions = (
                tuple((s.name, s.before_entry, s.on_success, s.on_failure) for s in state.stages)
                if state
                else ()
            )
            ids = [latest.execution_id]
            for stage in state.stages if state else ():
                stage_def = definition.stage(stage.name)
                if stage_def is not None and stage_def.all_conditions and stage.latest is not None:
                    ids.append(stage.latest.execution_id)
            on_screen = tuple(dict.fromkeys(ids))
            rules_key = (key, on_screen, conditions)
            if rules_key != self._rules_key:
                # A condition's evaluation moved: read the executions' rule executions again.
                self._rules_key = rules_key
                self.fetch_rule_executions(on_screen)
        note = self._panel_note(latest is not None)
        row = store.row(self.target, self.pipeline_name)
        panel = self.query_one(ExecutionPanel)
        panel.standing = (
            row.standing if row is not None and latest is not None and row.latest == latest else None
        )
        panel.update(latest, self.execution, definition=definition, now=now, note=note)
        self._show_freshness()
        # Operator keys grey out with the data (retry only on a failed stage, approve on a waiting one).
        self.refresh_bindings()
        return repainted

    def _unreadable(self, operation: str) -> bool:
        """Whether ``operation`` (``GetPipeline``, ``GetPipelineState``) cannot be read for now: the
        endpoint fails, access to it is denied, or the poller stopped asking for it."""
        freshness = self.host.store.freshness(self.target)
        return (
            bool(freshness.stale_reason)
            or any(p.endswith(f":{operation}") for p in freshness.denied)
            or operation in self.host.poller.unavailable(self.target)
        )

    def _definition_marker(self) -> str:
        """ "Loading…" only while the definition can still come; else that it could not be read
        (the notice above says why), so no loading marker stands under an error."""
        if self._unreadable("GetPipeline"):
            return "The pipeline definition could not be read."
        return "Loading the pipeline definition…"

    def _state_marker(self) -> str:
        """Each stage box's line while there is no state: loading, or that it cannot be read."""
        return "state not read" if self._unreadable("GetPipelineState") else "… loading state"

    def _panel_note(self, has_latest: bool) -> str | None:
        if has_latest:
            return self.execution_note
        row = self.host.store.row(self.target, self.pipeline_name)
        # Unknown is not none: "No execution yet." only once the latest execution was read.
        return "No execution yet." if row is not None and row.loaded else "Loading the latest execution…"

    def _show_freshness(self) -> None:
        freshness = self.host.store.freshness(self.target)
        reason = getattr(freshness, "stale_reason", None)
        updated = getattr(freshness, "updated_at", None)
        denied = [p for p in getattr(freshness, "denied", ()) if p.rsplit(":", 1)[-1] in _POLLED_HERE]
        if reason:
            since = f" (data from {ago(updated, self.host.now())})" if updated else ""
            self._notice(f"⚠ {clean(reason)}{since}")
        elif denied:
            self._notice(f"⚠ access denied: missing {clean(', '.join(denied))}")
        elif unavailable := [op for op in self.host.poller.unavailable(self.target) if op in _POLLED_HERE]:
            # Unknown is not "loading": say the endpoint does not answer it (tried again now and then).
            ops = ", ".join(unavailable)
            self._notice(f"⚠ {ops} is not available from this endpoint; trying again later")
        elif self.latest_read.error:
            self._notice(self.latest_read.error)
        else:
            self._notice("")

    def _show_v2(self, definition: PipelineDef | None) -> None:
        """Triggers and pipeline-level variables (V2), and the rule executions of the execution on
        screen when a stage has conditions."""
        parts = Text()
        triggers = trigger_lines(definition) if definition else []
        variables = variable_lines(definition) if definition else []
        if triggers:
            parts.append("Triggers  ", "bold")
            parts.append(" · ".join(clean(t, max_len=160) for t in triggers))
        if variables:
            if parts:
                parts.append("\n")
            parts.append("Variables ", "bold")
            parts.append(" · ".join(clean(v, max_len=80) for v in variables))
        v2 = self.query_one("#pipeline-v2", Static)
        v2.update(parts)
        v2.display = bool(parts)
        rules = self.query_one("#pipeline-rules", Static)
        has_conditions = definition is not None and any(s.all_conditions for s in definition.stages)
        text = Text()
        if has_conditions and self.rules_read.key is not None:
            ids = cast("tuple[str, ...]", self.rules_read.key)
            text.append(f"Rule executions of {', '.join(short_id(i) for i in ids)}  ", "bold")
            if self.rules_read.error:
                text.append(self.rules_read.error, "yellow")
            elif self.rules_read.value is None:
                text.append("loading…", "dim")
            elif not self.rules_read.value:
                text.append("none yet", "dim")
            else:
                text.append(
                    " · ".join(clean(r, max_len=160) for r in rule_execution_lines(self.rules_read.value))
                )
        rules.update(text)
        rules.display = bool(text)

    @work(exclusive=True, group="pipeline-rules", exit_on_error=False)
    async def fetch_rule_executions(self, execution_ids: tuple[str, ...]) -> None:
        """ListRuleExecutions for the executions on screen (only when a stage has conditions)."""
        name = self.pipeline_name
        self.rules_read.start(execution_ids, self.host.now())
        found: list[RuleExecution] = []
        try:
            for execution_id in execution_ids:
                found += await self.host.reads.rule_executions(self.target, name, execution_id)
        except AwsError as error:
            self.rules_read.fail(f"could not be read: {error_text(error, profile=self.target.profile)}")
        else:
            self.rules_read.set_value(found, self.host.now())
        self._show_v2(self.host.store.definition(self.target, self.pipeline_name))

    @work(exclusive=True, group="pipeline-execution", exit_on_error=False)
    async def fetch_execution(self, execution_id: str) -> None:
        """GetPipelineExecution for the latest execution: variables and full source revisions."""
        name = self.pipeline_name
        self.latest_read.start(execution_id, self.host.now())
        try:
            execution: Execution = await self.host.reads.execution(self.target, name, execution_id)
        except AwsError as error:
            reason = error_text(error, profile=self.target.profile)
            self.latest_read.fail(f"⚠ Could not load execution {clean(execution_id[:8])}: {reason}")
        else:
            self.latest_read.set_value(execution, self.host.now())
        self.render_from_store()

    def _tick(self) -> None:
        now = self.host.now()
        self.graph.tick(now)
        self.query_one("#pipeline-title", Static).update(self._title())  # time left counts down
        latest = self.host.store.latest_execution(self.target, self.pipeline_name)
        self.query_one(ExecutionPanel).update(
            latest, self.execution, now=now, note=self._panel_note(latest is not None)
        )

    def _notice(self, text: str) -> None:
        notice = self.query_one("#pipeline-notice", Static)
        notice.update(Text(text))
        notice.display = bool(text)

    # --- keys -----------------------------------------------------------------------------------

    def on_stage_graph_selection_changed(self, message: StageGraph.SelectionChanged) -> None:
        self.refresh_bindings()

    def on_stage_graph_action_activated(self, message: StageGraph.ActionActivated) -> None:
        definition = self.host.store.definition(self.target, self.pipeline_name)
        stage_def = definition.stage(message.stage) if definition else None
        action_def = stage_def.action(message.action) if stage_def else None
        state = self.host.store.state(self.target, self.pipeline_name)
        stage_state = state.stage(message.stage) if state else None
        action_state = stage_state.action(message.action) if stage_state else None
        if (
            action_def is not None
            and action_def.provider == "CodeBuild"
            and action_state is not None
            and action_state.external_execution_id
            and self._open_logs(message.stage, message.action)
        ):
            return
        execution_id = stage_state.latest.execution_id if stage_state and stage_state.latest else None
        if execution_id is None:
            self.notify("This stage has not run yet.", severity="information")
            return
        from tui.ui.screens.execution import ExecutionScreen

        self.app.push_screen(
            ExecutionScreen(
                self.target, self.pipeline_name, execution_id, focus=(message.stage, message.action)
            )
        )

    def action_logs(self) -> None:
        stage, action = self.selected_stage, self.selected_action
        definition = self.host.store.definition(self.target, self.pipeline_name)
        stage_def = definition.stage(stage) if definition and stage else None
        action_def = stage_def.action(action) if stage_def and action else None
        if action_def is None or action_def.provider != "CodeBuild":
            self.notify("Select a CodeBuild action to see its logs.", severity="warning")
            return
        assert stage is not None and action is not None
        self._open_logs(stage, action)

    def _open_logs(self, stage: str, action: str) -> bool:
        state = self.host.store.state(self.target, self.pipeline_name)
        stage_state = state.stage(stage) if state else None
        action_state = stage_state.action(action) if stage_state else None
        if action_state is None:
            return open_build_logs(self.app, self.target, None)
        failed = action_state.status == Status.FAILED
        return open_build_logs(
            self.app,
            self.target,
            action_state.external_execution_id,
            title=f"{self.pipeline_name} › {stage} › {action}",
            error_message=(action_state.error_message or action_state.error_code or "failed")
            if failed
            else None,
        )

    def action_watch(self) -> None:
        """`w`: follow the latest execution until it ends (listed by `W`, notified when done)."""
        self.host.alerts.follow(self.target, self.pipeline_name)

    def action_history(self) -> None:
        from tui.ui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.target, self.pipeline_name))

    def action_insights(self) -> None:
        """`i`: is this normal? Success rate, durations, flaky actions, what broke it."""
        from tui.ui.screens.insights import InsightsScreen

        self.app.push_screen(InsightsScreen(self.target, self.pipeline_name))

    def action_refresh(self) -> None:
        self.host.poller.refresh_now(self.target, self.pipeline_name)
        self._fetched_key = None
        self.render_from_store()

    def action_back(self) -> None:
        self.dismiss()
