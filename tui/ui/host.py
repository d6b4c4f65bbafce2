"""What the screens and dialogs reach for in the running app: the ``Host`` protocol.

The UI never imports the app (``tui/app/`` sits above ``tui/ui/``; ``tests/unit/test_layers.py`` checks
it): ``CptuiApp`` offers these members, and a screen gets them with ``host_of(self.app)``. What a
screen may do is what is written here: read the session (the store, a budgeted on-demand read, the
action runner), ask the poller to keep a pipeline fresh, follow an execution, switch targets, navigate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from textual.app import App
from textual.signal import Signal

from tui.aws.service import PipelineService
from tui.core.actions import ActionRunner
from tui.core.config import Config
from tui.core.fleet_health import FleetRow
from tui.core.model import ActionExecution, Execution, ExecutionSummary, Target
from tui.core.reads import Reads
from tui.core.session import Session
from tui.core.store import Store, StoreChange
from tui.core.targets import PickerEntry
from tui.core.watchlist import WatchList

T = TypeVar("T")


class Polling(Protocol):
    """The screens' say in polling: what is on screen, and refresh now."""

    def poll_fast(self, target: Target, name: str) -> None:
        """A screen shows this pipeline: fetch it now, then poll it at the active cadence."""

    def stop_polling_fast(self, target: Target, name: str) -> None: ...

    def set_visible(self, target: Target, names: Iterable[str]) -> None: ...

    def refresh_now(self, target: Target | None = None, name: str | None = None) -> None: ...

    def unavailable(self, target: Target) -> list[str]:
        """The operations resting for ``target`` because its endpoint does not offer them."""
        ...


class TargetsView(Protocol):
    """The targets (profile x region) and which of them the screen shows."""

    @property
    def view(self) -> Target | None:
        """The one target the screen shows; None: every target."""

    @property
    def view_targets(self) -> list[Target]: ...

    @property
    def aliases(self) -> Mapping[str, str]: ...

    def shows(self, target: Target) -> bool: ...

    def alias(self, target: Target) -> str | None: ...

    def set_view(self, target: Target | None) -> None: ...

    def entries(self) -> list[PickerEntry]: ...

    def default_region(self, profile: str | None) -> str: ...

    def add_target(self, profile: str | None, region: str, *, show: bool = True) -> Target: ...


class Following(Protocol):
    """The executions followed with `w` until they end."""

    @property
    def watchlist(self) -> WatchList: ...

    def follow(
        self,
        target: Target,
        pipeline: str,
        execution_id: str | None = None,
        known: ExecutionSummary | None = None,
    ) -> object:
        """Follow an execution (default: the pipeline's latest) until it ends; says so in a notice.
        ``known``: what the caller knows of it (a history row), when it is not the latest."""

    def dismiss(self, key: str) -> None: ...

    def dismiss_finished(self) -> int: ...


class HistoryReads(Protocol):
    """History insights' reads (tui/app/insights_control.py): through the rate budget, finished
    executions once; fleet health's rows, read within a share of each target's budget."""

    @property
    def window(self) -> int:
        """Executions per pipeline the insights look back over (``[general] insights_window``)."""

    @property
    def fleet_rows(self) -> Mapping[str, FleetRow]: ...

    async def history(
        self, target: Target, name: str, window: int | None = None
    ) -> list[ExecutionSummary]: ...

    async def window_actions(
        self,
        target: Target,
        name: str,
        history: Sequence[ExecutionSummary],
        progress: Callable[[Mapping[str, tuple[ActionExecution, ...]]], None] | None = None,
    ) -> dict[str, tuple[ActionExecution, ...]]: ...

    async def execution(self, target: Target, name: str, execution_id: str) -> Execution: ...

    def fleet_snapshot(self) -> list[FleetRow]: ...

    async def read_fleet(self, on_row: Callable[[FleetRow], None], *, force: bool = False) -> None: ...


class SessionView(Protocol):
    """The session as the screens read it (``tui.core.session.Session``, which the app exposes): the
    store, the config, the targets (profile x region) and their services, the action runner, the
    budgeted reads, the clock."""

    @property
    def store(self) -> Store: ...

    @property
    def config(self) -> Config: ...

    @property
    def targets(self) -> list[Target]: ...

    @property
    def services(self) -> dict[str, PipelineService]: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def actions(self) -> ActionRunner: ...

    @property
    def reads(self) -> Reads:
        """On-demand reads within each target's rate budget; they raise ``AwsError``."""

    def now(self) -> datetime: ...


class Host(SessionView, Protocol):
    """The app as the UI sees it (``CptuiApp`` implements it): the session (its members are the
    ``Session`` object's), the store's change signal, and the app's controllers as protocols."""

    @property
    def session(self) -> Session: ...

    @property
    def store_changed(self) -> Signal[StoreChange]: ...

    @property
    def poller(self) -> Polling: ...

    @property
    def targets_view(self) -> TargetsView: ...

    @property
    def alerts(self) -> Following: ...

    @property
    def insights(self) -> HistoryReads: ...

    def open_pipeline(self, target: Target, name: str) -> None: ...

    def toggle_favourite(self, pipeline: str) -> None: ...

    def log_view_changed(self, *, wrap: bool, timestamps: bool) -> None:
        """The log view's toggles: the next log opens the same way."""

    def report_error(self, error: BaseException, *, once: str | None = None) -> None: ...


def host_of(app: App[Any]) -> Host:
    """The running app as the UI's ``Host`` (``CptuiApp`` is checked to be one, statically)."""
    return cast(Host, app)


# The session object is what the screens read through ``SessionView``: mypy checks here that it is one.
_IS_A_SESSION_VIEW: type[SessionView] = Session
