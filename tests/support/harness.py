"""A stand-in for CptuiApp's screen-facing surface (store, poller, call, now, store_changed).

For screen tests that exercise the screens' own logic (paging, reconciliation, ordering) with
hand-made model objects. It does not test the AWS path: the simulator-backed tests in the same files
use the real App and the real aiobotocore client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from textual.app import App
from textual.screen import Screen
from textual.signal import Signal

from tests.support.notices import record_notices
from tui.aws.errors import AwsError
from tui.core.model import (
    ActionExecution,
    Execution,
    ExecutionSummary,
    Page,
    PipelineDef,
    PipelineState,
    Target,
)
from tui.core.reads import Reads
from tui.core.store import Freshness
from tui.core.store import StoreChange as Change

__all__ = ["TARGET", "Change", "FakeService", "Freshness", "HarnessApp"]

T = TypeVar("T")
TARGET = Target(region="us-east-1")


class FakeStore:
    def __init__(self) -> None:
        self.definitions: dict[str, PipelineDef] = {}
        self.states: dict[str, PipelineState] = {}
        self.latest: dict[str, ExecutionSummary] = {}
        self.fresh = Freshness()

    def definition(self, target: Target, name: str) -> PipelineDef | None:
        return self.definitions.get(name)

    def state(self, target: Target, name: str) -> PipelineState | None:
        return self.states.get(name)

    def latest_execution(self, target: Target, name: str) -> ExecutionSummary | None:
        return self.latest.get(name)

    def freshness(self, target: Target) -> Freshness:
        return self.fresh


class FakePoller:
    def __init__(self) -> None:
        self.polled_fast: list[tuple[Target, str]] = []
        self.refreshes = 0

    def poll_fast(self, target: Target, name: str) -> None:
        self.polled_fast.append((target, name))

    def stop_polling_fast(self, target: Target, name: str) -> None:
        self.polled_fast.remove((target, name))

    def refresh_now(self, target: Target | None = None, name: str | None = None) -> None:
        self.refreshes += 1

    def unavailable(self, target: Target) -> list[str]:
        return []


class FakeService:
    """Serves executions from a list, paged like ListPipelineExecutions; records calls."""

    def __init__(self, executions: list[ExecutionSummary]) -> None:
        self.executions = executions
        self.full: dict[str, Execution] = {}
        self.actions: dict[str, list[ActionExecution]] = {}
        self.calls: list[tuple[str, Any]] = []
        self.errors: dict[str, Exception] = {}

    async def list_executions(
        self, name: str, *, max_results: int = 25, next_token: str | None = None
    ) -> Page[ExecutionSummary]:
        self.calls.append(("ListPipelineExecutions", next_token))
        start = int(next_token) if next_token else 0
        end = start + max_results
        token = str(end) if end < len(self.executions) else None
        return Page(tuple(self.executions[start:end]), token)

    async def get_execution(self, name: str, execution_id: str) -> Execution:
        self.calls.append(("GetPipelineExecution", execution_id))
        if "GetPipelineExecution" in self.errors:
            raise self.errors["GetPipelineExecution"]
        return self.full[execution_id]

    async def list_action_executions(self, name: str, execution_id: str) -> list[ActionExecution]:
        self.calls.append(("ListActionExecutions", execution_id))
        return self.actions.get(execution_id, [])


class _NoBudget:
    async def acquire(self, target: Target) -> None:
        return None

    def call_finished(self, target: Target, operation: str, error: AwsError | None = None) -> None:
        return None


class _Everywhere(Mapping[str, Any]):
    """The one fake service, whatever the target."""

    def __init__(self, service: FakeService) -> None:
        self.service = service

    def __getitem__(self, key: str) -> FakeService:
        return self.service

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


class HarnessApp(App[None]):
    """Hosts one screen with the App contract's surface, backed by fakes."""

    def __init__(
        self, screen_factory: Callable[[], Screen[Any]], service: FakeService, now: datetime
    ) -> None:
        super().__init__()
        self.store = FakeStore()
        self.poller = FakePoller()
        self.service = service
        self.clock = now
        self.store_changed: Signal[Change] = Signal(self, "store_changed")
        self._screen_factory = screen_factory
        record_notices(self)  # ``notices.told(app)`` sees every notice, as with ``apps.sim_app``

    def now(self) -> datetime:
        return self.clock

    @property
    def reads(self) -> Reads:
        """The real reads over the fake service, with no budget to wait for."""
        return Reads(_Everywhere(self.service), _NoBudget())

    def on_mount(self) -> None:
        self.push_screen(self._screen_factory())
