"""Finished executions never change: what insights read about them is kept per execution id.

Plain Python. Keys are ``(target key, pipeline, execution id)``. Only finished executions are kept
(a running one's summary and action executions move on); an execution's action executions are kept
once the execution has finished and none of them runs. Bounded: the oldest entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from tui.core.model import ActionExecution, Execution, ExecutionSummary

Key = tuple[str, str, str]
MAX_ENTRIES = 200_000


class HistoryCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._summaries: OrderedDict[Key, ExecutionSummary] = OrderedDict()
        self._actions: OrderedDict[Key, tuple[ActionExecution, ...]] = OrderedDict()
        self._executions: OrderedDict[Key, Execution] = OrderedDict()

    def _trim(self, store: OrderedDict[Key, object]) -> None:
        while len(store) > self.max_entries:
            store.popitem(last=False)

    # --- summaries (ListPipelineExecutions rows) ------------------------------------------------

    def put_summaries(self, target: str, items: Sequence[ExecutionSummary]) -> None:
        for s in items:
            if s.status.is_terminal:
                self._summaries[(target, s.pipeline_name, s.execution_id)] = s
        self._trim(self._summaries)  # type: ignore[arg-type]

    def summary(self, target: str, pipeline: str, execution_id: str) -> ExecutionSummary | None:
        return self._summaries.get((target, pipeline, execution_id))

    # --- action executions ------------------------------------------------------------------

    def actions(self, target: str, summary: ExecutionSummary) -> tuple[ActionExecution, ...] | None:
        """The cached action executions of a finished execution (None: read them)."""
        return self._actions.get((target, summary.pipeline_name, summary.execution_id))

    def put_actions(self, target: str, summary: ExecutionSummary, actions: Sequence[ActionExecution]) -> None:
        if not summary.status.is_terminal or any(not a.status.is_terminal for a in actions):
            return
        self._actions[(target, summary.pipeline_name, summary.execution_id)] = tuple(actions)
        self._trim(self._actions)  # type: ignore[arg-type]

    # --- full executions (GetPipelineExecution, for "what broke it") ---------------------------

    def execution(self, target: str, pipeline: str, execution_id: str) -> Execution | None:
        return self._executions.get((target, pipeline, execution_id))

    def put_execution(self, target: str, execution: Execution) -> None:
        if execution.status.is_terminal:
            self._executions[(target, execution.pipeline_name, execution.execution_id)] = execution
            self._trim(self._executions)  # type: ignore[arg-type]
