"""The cptui App: makes the session and the controllers, and shows the screens.

``CptuiApp(services, config)`` is all it takes: the CLI builds real services (or the demo's, pointed
at the embedded simulator); tests build them against the simulator on loopback. The ``Session``
(tui/core/session.py: store, config, targets and services, action runner, budgeted reads, clock) is
the app's ``session``; screens read it through ``Host`` (tui/ui/host.py), controllers are handed it
with the few app services each needs (tui/app/context.py). AWS calls run only in workers: the poll
controller's, and screens' on-demand reads through ``Session.reads`` (``tui.core.reads``), which
shares each target's rate budget with the polls. ``report_error`` is the one place an error becomes
a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from textual import events
from textual.actions import ActionParseResult
from textual.app import App
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.signal import Signal
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.app.alert_control import Alerts, state_path_for, watch_path_for
from tui.app.bench_hook import install_from_env as install_bench_probe
from tui.app.bindings import APP_BINDINGS
from tui.app.context import AppNotices, AppScheduler, StoreChanges
from tui.app.gc_freeze import freeze_after_loading
from tui.app.poll_control import PollController
from tui.app.prefs_control import Preferences
from tui.app.targets_control import TargetsController
from tui.app.warm_start import WarmStart
from tui.aws.errors import AwsError
from tui.aws.service import PipelineService
from tui.core.actions import ActionRunner
from tui.core.config import Config
from tui.core.model import Target
from tui.core.poll_state import PollSettings
from tui.core.reads import Reads
from tui.core.sanitize import clean
from tui.core.session import Session
from tui.core.store import Store, StoreChange
from tui.core.targets import TargetFactory
from tui.ui.commands import CptuiCommands
from tui.ui.host import Host
from tui.ui.screens.too_small import fit_terminal, too_small
from tui.ui.widgets.footer import install as install_footers
from tui.ui.widgets.textual_private import write_to_terminal

T = TypeVar("T")
NOTICE_MAX = 400  # characters of a notice: about six lines of a toast
# App actions that open a screen: not offered while the terminal is too small to show one.
_NEEDS_ROOM = frozenset({"help", "approvals", "command_palette", "targets", "watchlist"})


def poll_settings(config: Config) -> PollSettings:
    """The poller's settings from the ``[polling]`` section."""
    p = config.polling
    return PollSettings(
        list_interval=p.list_interval,
        active_interval=p.active_interval,
        visible_interval=p.visible_interval,
        idle_interval=p.idle_interval,
        tps=p.tps,
        burst=float(p.burst),
        startup_burst=p.startup_burst,
    )


class CptuiApp(App[None]):
    """A terminal dashboard for AWS CodePipeline."""

    CSS_PATH = "app.tcss"
    TITLE = "cptui"
    COMMANDS = App.COMMANDS | {CptuiCommands}
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        services: Sequence[PipelineService],
        config: Config | None = None,
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
        start_polling: bool = True,
        monotonic: Callable[[], float] | None = None,
        target_factory: TargetFactory | None = None,
    ) -> None:
        super().__init__()
        # The store, config, targets and services, action runner, budgeted reads and clock.
        self.session = Session(services, config, read_only=read_only, clock=clock)
        session = self.session
        # The store's change signal: screens subscribe to it; controllers publish through ``changes``.
        self.changes = StoreChanges(self)
        self.store_changed: Signal[StoreChange] = self.changes.signal
        # What the controllers get of the app: its timers and workers, its notices.
        scheduler, notices = AppScheduler(self), AppNotices(self)
        settings = poll_settings(session.config)
        height = self._screen_height
        if monotonic is None:
            self.poller = PollController(
                session, scheduler, notices, self.changes, settings, screen_height=height
            )
        else:
            self.poller = PollController(
                session, scheduler, notices, self.changes, settings, screen_height=height, monotonic=monotonic
            )
        # On-demand reads (screens, dialogs, aliases, followed executions) share the polls' budget.
        session.use_budget(self.poller)
        from tui.app.push_control import EventsController

        self.event_feed = EventsController(
            session, scheduler, notices, self.poller, lambda: self.screen_stack
        )
        self.targets_view = TargetsController(
            session,
            scheduler,
            self.changes,
            target_factory,
            joins=(self.poller.add_target, self.event_feed.add_target),
        )
        from tui.app.insights_control import InsightsController

        # History insights and fleet health, read on demand.
        self.insights = InsightsController(session, self.poller.policy)
        # The last run's lists, painted at the first frame (nothing without a cache folder).
        self.warm_start = WarmStart(session, scheduler, self.poller.publish)
        self.warm_start.paint()
        audit_log = session.config.general.audit_log
        self.alerts = Alerts(
            session,
            scheduler,
            notices,
            self.changes,
            self.poller,
            lambda data: self.write_to_terminal(data),  # (looked up at each write: tests capture it)
            state_path=state_path_for(audit_log),
            watch_path=watch_path_for(audit_log),
            monotonic=monotonic,
        )
        self.preferences = Preferences(session, notices, self.refresh_rows)
        self._start_polling = start_polling
        self.audit_problem: str | None = None  # why the audit log cannot be written (checked at start)
        self._recent_notices: dict[str, datetime] = {}
        self._sized = False
        if session.config.general.theme in self.available_themes:
            self.theme = session.config.general.theme

    # --- the session (``Host``'s session part is the ``Session`` object's) ---------------------

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def config(self) -> Config:
        return self.session.config

    @config.setter
    def config(self, config: Config) -> None:
        self.session.config = config

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    @read_only.setter
    def read_only(self, read_only: bool) -> None:
        self.session.read_only = read_only

    @property
    def targets(self) -> list[Target]:
        return self.session.targets

    @property
    def services(self) -> dict[str, PipelineService]:
        return self.session.services

    @property
    def reads(self) -> Reads:
        return self.session.reads

    @property
    def actions(self) -> ActionRunner:
        return self.session.actions

    def now(self) -> datetime:
        """The session's clock (tests share the simulator's manual clock)."""
        return self.session.now()

    def subscribe_store(self, callback: Callable[[StoreChange], object], *, immediate: bool = False) -> None:
        """A controller's subscription to the store's changes, for as long as the app runs."""
        self.changes.subscribe(callback, immediate=immediate)

    def _screen_height(self) -> int:
        return self.size.height

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(dict(self.config.keys))
        self.theme_changed_signal.subscribe(self, lambda theme: self.preferences.theme_changed(theme.name))
        install_footers(self)  # dialogs show their own keys, not those of the screen below
        from tui.ui.screens.pipelines import PipelinesScreen

        listing = PipelinesScreen()
        self.push_screen(listing)
        self._check_audit_log(listing)
        self.subscribe_store(self.targets_view.on_store_changed, immediate=True)
        self.alerts.start()
        self.warm_start.start()
        if self._start_polling:
            # After the first frame: the first call imports aiobotocore (a fifth of a second), and
            # the screen should be up before that.
            listing.call_after_refresh(self.poller.start)
            listing.call_after_refresh(self.event_feed.start)
        # Benchmark probe (bench/startup.py): a no-op unless CPTUI_BENCH_READY_FILE is set.
        install_bench_probe(self)
        # Full garbage collections of a thousand pipelines' objects stall keys for 0.2-0.3 s: freeze them.
        freeze_after_loading(self.session, AppScheduler(self), self.changes, headless=self.is_headless)
        # After the list is on the stack, so the message (if needed) goes on top of it.
        self.call_after_refresh(self._fit_terminal)

    def _check_audit_log(self, listing: Widget) -> None:
        """Audit or refuse: when the audit log cannot be written, say so at once (banner and
        notice, naming the file and the fix); ``ActionRunner`` refuses every mutation meanwhile."""
        if self.read_only:
            return
        audit = self.actions.audit
        self.audit_problem = audit.problem()
        if self.audit_problem is None:
            return
        from tui.ui.widgets.audit_banner import AuditBanner, banner_text

        text = banner_text(audit.path, self.audit_problem, audit.fix())
        listing.call_after_refresh(listing.mount, AuditBanner(text))
        self.notify(text, severity="error", timeout=30)

    def _fit_terminal(self) -> None:
        self._sized = True
        fit_terminal(self, self.size)

    def on_resize(self, event: events.Resize) -> None:
        if self._sized:  # (the first resize comes before any screen of ours is up)
            fit_terminal(self, event.size)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Below the minimum size only quitting makes sense: nothing opens over the message.
        return not (action in _NEEDS_ROOM and too_small(self))

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run an action; a key that is unavailable (greyed, or hidden in read-only) says why.

        A screen that offers ``unavailable_reason(action) -> str | None`` gets that one line shown
        as a notice when its key is pressed while ``check_action`` says no, instead of nothing.
        """
        target, name, parameters = self._parse_action(
            action, self if default_namespace is None else default_namespace, namespaces
        )
        explain = getattr(target, "unavailable_reason", None)
        if callable(explain) and not target.check_action(name, parameters):
            reason = explain(name)
            if isinstance(reason, str) and reason:
                self.notify(reason, severity="warning", markup=False)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    async def on_unmount(self) -> None:
        self.poller.stop()
        await self.warm_start.close()  # the last lists, written off the UI thread
        await self.event_feed.stop()  # releases received, unapplied messages: before the clients close
        for service in self.services.values():
            try:
                await service.close()
            except Exception:  # closing is best effort: the process is leaving anyway
                continue

    def write_to_terminal(self, data: str) -> None:
        """Raw output to the terminal (the bell, OSC sequences), through the driver; none headless."""
        write_to_terminal(self, data)

    # --- errors ------------------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notice: plain text, sanitized and capped (a toast must never cover the screen).

        A notice is never parsed as markup, whatever the caller passes (``markup`` is accepted for
        Textual's signature and ignored): names and errors are data, and a ``[/]`` in one would crash
        the app, ``[link=…]`` make a link, ``prod [EU]`` lose its ``[EU]``."""
        del markup
        message = clean(message, max_len=NOTICE_MAX, single_line=False)
        title = clean(title, max_len=80)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def report_error(self, error: BaseException, *, once: str | None = None) -> None:
        """The one place an error becomes a notice: sanitized, and not repeated within the
        configured window (``once`` names the notice when its text varies)."""
        text = clean(str(error), max_len=300) or type(error).__name__
        key = once or text
        now = self.now()
        last = self._recent_notices.get(key)
        window = self.config.notifications.dedupe_window
        if last is not None and 0 <= (now - last).total_seconds() < window:
            return
        self._recent_notices[key] = now
        severity = "warning" if isinstance(error, AwsError) and error.retryable else "error"
        self.notify(text, severity=severity, markup=False)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Workers started by the app (polls, palette commands) end here when they fail."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    # --- navigation --------------------------------------------------------------------------

    def open_pipeline(self, target: Target, name: str) -> None:
        """Push the pipeline's screen."""
        from tui.ui.screens.pipeline import PipelineScreen

        self.push_screen(PipelineScreen(target, name))

    # --- actions -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.poller.refresh_now()

    def action_help(self) -> None:
        from tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_approvals(self) -> None:
        from tui.ui.screens.approvals import ApprovalsScreen

        if not isinstance(self.screen, ApprovalsScreen):
            self.push_screen(ApprovalsScreen())

    def action_targets(self) -> None:
        """`P`: switch the view between targets, or add a profile in a region."""
        from tui.ui.screens.targets import TargetPicker

        if not isinstance(self.screen, TargetPicker):
            self.push_screen(TargetPicker())

    def action_watchlist(self) -> None:
        """`W`: the executions followed with `w`."""
        from tui.ui.screens.watchlist import WatchListScreen

        if not isinstance(self.screen, WatchListScreen):
            self.push_screen(WatchListScreen())

    def toggle_favourite(self, pipeline: str) -> None:
        """`*` on the list: pin the pipeline on top (in every target), or unpin it; saved."""
        self.preferences.toggle_favourite(pipeline)

    def log_view_changed(self, *, wrap: bool, timestamps: bool) -> None:
        """The log view's ``wrap`` / ``timestamps`` toggles: the next log opens the same way."""
        self.preferences.log_view_changed(wrap=wrap, timestamps=timestamps)

    def refresh_rows(self) -> None:
        """Derive every row again (a favourite changed) and publish the change."""
        for change in self.store.rederive_all():
            self.poller.publish(change)

    def action_help_quit(self) -> None:
        # ctrl+c never runs anything here: it only says how to leave.
        self.notify("Press q to quit.", timeout=3)


# The screens reach the app only through ``Host`` (tui/ui/host.py): mypy checks here that it is one.
_IS_A_HOST: type[Host] = CptuiApp
