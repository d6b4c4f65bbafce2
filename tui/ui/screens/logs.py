"""LogScreen: a CodeBuild build's header and phases above its log, followed live while it runs.

A worker drains ``tui.core.logtail.LogFollower`` (every call through ``app.reads``, the rate budget) into a
pending buffer; a timer hands the buffer to the ``LogView`` at most once a frame, so a flood of lines
costs one repaint per frame, not one per line. Builds whose log cannot be shown here (logs disabled, S3
only, expired, unknown build) get the reason and the console deep link instead.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.aws.errors import AwsError
from tui.aws.service import PipelineService
from tui.core import console_links
from tui.core.config import LogsConfig
from tui.core.error_text import error_text
from tui.core.logbuffer import iter_plain
from tui.core.logtail import Caller, LogFollower, LogsUnavailable, TailMode, TailUpdate
from tui.core.model import Build, Target
from tui.core.reads import Reads
from tui.core.sanitize import clean
from tui.ui import clipboard
from tui.ui.keys import bind
from tui.ui.widgets.build_header import BuildHeader
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.log_view import LogView

if TYPE_CHECKING:
    from tui.core.config import Config

T = TypeVar("T")


class _LogsHost(Protocol):
    """What the log screen needs from the App (``CptuiApp`` provides it)."""

    config: Config

    def now(self) -> datetime: ...

    @property
    def reads(self) -> Reads: ...


def log_file_name(build_id: str) -> str:
    """``<project>-<build-uuid>.log``, with anything a file name should not hold replaced."""
    project, _, uuid = build_id.partition(":")
    name = f"{project}-{uuid}" if uuid else project
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") + ".log"


def write_log(path: Path, lines: list[str]) -> int:
    """Write lines as they read on screen (no escape sequences) to ``path``; returns the count."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in iter_plain(lines):
            out.write(line)
            out.write("\n")
    return len(lines)


class LogScreen(Screen[None]):
    """A build's header, phases and log; follows the log while the build runs."""

    CSS_PATH = "logs.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        bind("filter", "search", "Search"),
        bind("search_next", "next_match", "Next match"),
        bind("search_prev", "previous_match", "Prev match"),
        bind("error_jump", "jump_error", "First error"),
        bind("follow", "follow", "Follow"),
        bind("timestamps", "toggle_timestamps", "Timestamps"),
        bind("wrap", "toggle_wrap", "Wrap"),
        bind("save_log", "save", "Save"),
        bind("copy", "copy", "Copy line"),
        bind("link", "link", "Console link"),
        bind("refresh", "refresh", "Refresh", show=False),
    ]

    FLUSH_INTERVAL = 1 / 30  # hand pending lines to the view at most once a frame
    POLL_INTERVAL = 1.0  # GetLogEvents cadence while the build runs
    BUILD_CHECK_INTERVAL = 5.0  # BatchGetBuilds cadence while the build runs
    LIVE_TAIL = True

    def __init__(
        self,
        target: Target,
        build_id: str,
        *,
        title: str = "",
        error_message: str | None = None,
        jump_to_error: bool = False,
    ) -> None:
        super().__init__()
        self.target = target
        self.build_id = build_id
        self.title_text = title
        self.error_message = error_message
        self.jump_to_error = jump_to_error
        self.follower: LogFollower | None = None
        self.unavailable: LogsUnavailable | None = None
        self.failure: AwsError | None = None
        self.finished = False
        self.saved_to: Path | None = None
        self._pending_lines: list[str] = []
        self._pending_stamps: list[int] = []
        self._jump_pending = jump_to_error
        self._error_line: int | None = None
        self._status: Content | None = None

    # --- wiring ---------------------------------------------------------------------------

    @property
    def host(self) -> _LogsHost:
        return cast(_LogsHost, self.app)

    @property
    def logs_config(self) -> LogsConfig:
        config = getattr(self.app, "config", None)
        return getattr(config, "logs", None) or LogsConfig()

    @property
    def utc(self) -> bool:
        general = getattr(getattr(self.app, "config", None), "general", None)
        return bool(getattr(general, "utc", False))

    @property
    def clock_24h(self) -> bool:
        general = getattr(getattr(self.app, "config", None), "general", None)
        return bool(getattr(general, "clock_24h", True))

    def _now(self) -> datetime:
        now = getattr(self.app, "now", None)
        return now() if callable(now) else datetime.now(UTC)

    def _budgeted_caller(self) -> Caller:
        host, target = self.host, self.target

        class _Budgeted:
            def __call__(self, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> Awaitable[T]:
                return host.reads.call(target, operation, fn)

        return _Budgeted()

    @property
    def view(self) -> LogView:
        return self.query_one("#log-view", LogView)

    def compose(self) -> ComposeResult:
        settings = self.logs_config
        project, _, uuid = self.build_id.partition(":")
        title = Content.assemble(
            (clean(self.title_text or project), "bold"),
            "  ›  build ",
            (clean(uuid or self.build_id), "bold"),
            (f"   {clean(self.target.label)}", "$text-muted"),
        )
        yield Static(title, id="logs-title")
        yield BuildHeader(now=self._now, error_message=self.error_message, id="build-header")
        yield Static("", id="logs-message")
        yield LogView(
            max_lines=settings.max_lines,
            error_patterns=settings.error_patterns,
            show_timestamps=settings.timestamps,
            wrap=settings.wrap,
            utc=self.utc,
            clock_24h=self.clock_24h,
            id="log-view",
        )
        yield Input(placeholder="search: text or regex, enter to find, esc to close", id="logs-search")
        yield Static("", id="logs-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.view.focus()
        self.set_interval(self.FLUSH_INTERVAL, self._flush)
        self._update_status()
        self._follow()

    # --- following ------------------------------------------------------------------------

    @work(exclusive=True, group="log-follow", exit_on_error=False)
    async def _follow(self) -> None:
        follower = LogFollower(
            self._budgeted_caller(),
            self.build_id,
            region=self.target.region,
            live_tail=self.LIVE_TAIL,
            poll_interval=self.POLL_INTERVAL,
            build_check_interval=self.BUILD_CHECK_INTERVAL,
        )
        self.follower = follower
        try:
            updates = follower.updates()
            # aclosing: leaving (or the screen closing) must end the follower, and any live-tail session.
            async with aclosing(cast(AsyncGenerator[TailUpdate, None], updates)):
                async for update in updates:
                    await self._apply_update(update, follower)
        except LogsUnavailable as error:
            self._flush()
            self.unavailable = error
            if error.build is not None:
                self.query_one(BuildHeader).update_build(error.build)
            self.query_one(BuildHeader).not_loaded()
            self._show_message(error.reason, error.deep_link)
        except AwsError as error:
            self._flush()
            self.failure = error
            self.query_one(BuildHeader).not_loaded()
            self._show_message(
                f"Could not read the log: {error_text(error, profile=self.target.profile)}",
                follower.deep_link,
            )
        self._update_status()

    async def _apply_update(self, update: TailUpdate, follower: LogFollower) -> None:
        if update.build is not None:
            self.query_one(BuildHeader).update_build(update.build)
        if update.retract:
            # Provisional live-tail lines being corrected: drop them (pending ones first).
            pending = min(update.retract, len(self._pending_lines))
            if pending:
                del self._pending_lines[-pending:]
                del self._pending_stamps[-pending:]
            if update.retract > pending:
                self.view.retract(update.retract - pending)
        if update.lines:
            self._pending_lines.extend(update.lines)
            self._pending_stamps.extend(update.timestamps)
        if update.done:
            self.finished = True
        if self._jump_pending and (update.done or follower.mode in (TailMode.LIVE, TailMode.POLLING)):
            # Triage: the backlog is in; open at the first error instead of the end.
            self._jump_pending = False
            self._flush()
            found = await self.view.jump_to_error()
            self._error_line = found
            if found is None:
                self.notify("No line matches the error patterns; showing the end of the log.")
        if update.build is not None or update.done:
            self._update_status()

    def _flush(self) -> None:
        """Hand pending lines to the view (called by the frame timer)."""
        if self._pending_lines:
            lines, stamps = self._pending_lines, self._pending_stamps
            self._pending_lines, self._pending_stamps = [], []
            self.view.append(lines, stamps)
        self._update_status()

    def _show_message(self, reason: str, deep_link: str | None) -> None:
        parts: list[str | tuple[str, str]] = [("⚠ ", "$warning bold"), clean(reason, single_line=False)]
        if deep_link:
            parts += ["\n\nOpen it in the AWS console:\n", (clean(deep_link), "underline")]
            parts += [("\n\nb: show the link   y: copy the link", "$text-muted")]
        message = self.query_one("#logs-message", Static)
        message.update(Content.assemble(*parts))
        message.add_class("-shown")
        if not self.view.line_count:
            self.view.display = False

    # --- status line ----------------------------------------------------------------------

    def _update_status(self) -> None:
        view = self.view
        follower = self.follower
        parts: list[str | tuple[str, str]] = []
        running = not self.finished and self.unavailable is None and self.failure is None
        if self.unavailable is not None or self.failure is not None:
            parts.append(("⚠ log unavailable", "$warning"))
        elif self.finished:
            parts.append(("✔ complete", "$success"))
        elif follower is None or follower.mode in (TailMode.STARTING, TailMode.READING):
            parts.append(("… reading", "$accent"))
        elif view.follow:
            # Sampled: CloudWatch sent a sample of a flood; the missing lines are read in full
            # when the live session ends.
            sampled = ", sampled" if follower.live_sampled and follower.mode is TailMode.LIVE else ""
            parts.append((f"● following ({follower.mode.value}{sampled})", "$accent"))
        else:
            parts.append(("⏸ paused — end/f to follow", "$warning bold"))
        parts.append(f"   {view.total_lines:,} lines")
        if view.dropped:
            parts.append((f" ({view.dropped:,} earlier dropped)", "$text-muted"))
        status = view.match_status
        if view.searching:
            parts.append("   searching…")
        elif status is not None:
            current, total = status
            if total:
                parts.append(f"   match {current}/{total}")
            else:
                parts.append((f"   no match for {clean(view.search_query, max_len=40)!r}", "$warning"))
        if running and follower is not None and follower.notice:
            parts.append((f"   {clean(follower.notice)}", "$warning"))
        content = Content.assemble(*parts)
        if content != self._status:
            self._status = content
            # One row, always (logs.tcss): no layout pass, which would redraw the whole screen with
            # every batch of lines while following (the line count changes with each).
            self.query_one("#logs-status", Static).update(content, layout=False)

    @on(LogView.StateChanged)
    def _view_changed(self) -> None:
        self._update_status()

    # --- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        search = self.query_one("#logs-search", Input)
        if search.has_class("-shown"):
            self._close_search()
            return
        self.dismiss(None)

    def action_search(self) -> None:
        search = self.query_one("#logs-search", Input)
        search.value = self.view.search_query
        search.add_class("-shown")
        search.focus()

    def _close_search(self) -> None:
        self.query_one("#logs-search", Input).remove_class("-shown")
        self.view.focus()

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._close_search()
        self.view.search(event.value)
        self._update_status()

    def action_next_match(self) -> None:
        if not self.view.next_match():
            self._no_match()

    def action_previous_match(self) -> None:
        if not self.view.next_match(forward=False):
            self._no_match()

    def _no_match(self) -> None:
        if self.view.match_status is None:
            self.notify("Search with / first.", severity="information")

    def action_follow(self) -> None:
        self.view.action_bottom()

    def action_toggle_timestamps(self) -> None:
        self.view.show_timestamps = not self.view.show_timestamps
        self._remember_view()

    def action_toggle_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self._remember_view()

    def _remember_view(self) -> None:
        # The next log opens the same way (written back to the config's [logs] by the app).
        remember = getattr(self.app, "log_view_changed", None)
        if callable(remember):
            remember(wrap=self.view.wrap, timestamps=self.view.show_timestamps)

    def action_refresh(self) -> None:
        if self.follower is not None:
            self.follower.wake()

    @work(exclusive=True, group="log-error", exit_on_error=False)
    async def action_jump_error(self) -> None:
        view = self.view
        again = self._error_line is not None and view.cursor == self._error_line
        found = await view.jump_to_error(next_after_cursor=again)
        self._error_line = found
        if found is None:
            self.notify("No line matches the error patterns (logs.error_patterns).", severity="information")

    def action_copy(self) -> None:
        if not self.view.line_count:
            link = self._deep_link()
            via = clipboard.copy(cast(Any, self.app), link)
            self.notify(f"Copied the console link to the {via}.")
            return
        text = self.view.selected_text()
        via = clipboard.copy(cast(Any, self.app), text)
        self.notify(f"Copied the line to the {via}.")

    def _deep_link(self) -> str:
        if self.unavailable is not None and self.unavailable.deep_link:
            return self.unavailable.deep_link
        if self.follower is not None:
            return self.follower.deep_link
        return console_links.build_url(self.target.region, self.build_id)

    def action_link(self) -> None:
        """`b`: the build's console link, shown whole to click or copy (``o`` opens it, not over SSH)."""
        from tui.ui.screens.link import LinkScreen

        self.app.push_screen(LinkScreen("Console link", self._deep_link()))

    def action_save(self) -> None:
        path = Path.cwd() / log_file_name(self.build_id)
        self._save(path, self.view.snapshot(), self.view.dropped)

    @work(thread=True, exclusive=True, group="log-save", exit_on_error=False)
    def _save(self, path: Path, lines: list[str], dropped: int) -> None:
        try:
            count = write_log(path, lines)
        except OSError as error:
            self.app.call_from_thread(
                self.notify, clean(f"Could not save the log: {error}"), severity="error", markup=False
            )
            return
        self.saved_to = path
        note = f" ({dropped:,} earlier lines were dropped: raise logs.max_lines)" if dropped else ""
        self.app.call_from_thread(self.notify, clean(f"Saved {count:,} lines to {path}{note}"), markup=False)

    @property
    def build(self) -> Build | None:
        return self.follower.build if self.follower else None


def open_build_logs(
    app: App[object],
    target: Target,
    build_id: str | None,
    *,
    title: str = "",
    error_message: str | None = None,
) -> bool:
    """Push the CodeBuild log screen for ``build_id``; notify (and return False) when it cannot.

    With an ``error_message`` (a failed action) the log view opens at the first error.
    """
    if not build_id:
        app.notify("This action has no CodeBuild build yet.", severity="warning")
        return False
    app.push_screen(
        LogScreen(
            target,
            build_id=build_id,
            title=title,
            error_message=error_message,
            jump_to_error=error_message is not None,
        )
    )
    return True
