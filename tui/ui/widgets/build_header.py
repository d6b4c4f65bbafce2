"""BuildHeader: a CodeBuild build at a glance, above its log.

One line of facts (project, status, current phase, started, duration, initiator, source version), one
line of phases with their status and duration (the failed phase stands out), and, for a failed build or
when the pipeline action reported an error, a callout with the failed phase's reason and the action's
error message. Everything from AWS goes through ``tui.core.sanitize.clean``; status is a glyph plus a word.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui.core.fmt import ago, duration
from tui.core.model import Build, BuildPhase, BuildStatus, Status
from tui.core.sanitize import clean

_THEME = {
    "success": "$success",
    "error": "$error",
    "warning": "$warning",
    "accent": "$accent",
    "muted": "$text-muted",
}
_LABELS = {
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "FAULT": "Fault",
    "TIMED_OUT": "Timed out",
    "IN_PROGRESS": "Running",
    "STOPPED": "Stopped",
}
_FAILED = {"FAILED", "FAULT", "TIMED_OUT"}


def build_status_label(status: BuildStatus) -> str:
    return _LABELS.get(status.value, clean(status.value))


def _status_style(status: Status) -> str:
    return _THEME.get(status.style, "$warning")


def phase_seconds(phase: BuildPhase, now: datetime) -> float | None:
    """A phase's duration: as reported, else from its times, else running time so far."""
    if phase.duration_seconds is not None:
        return float(phase.duration_seconds)
    if phase.start_time is None:
        return None
    end = phase.end_time or now
    return (end - phase.start_time).total_seconds()


def failed_phase(build: Build) -> BuildPhase | None:
    """The phase that failed the build (the first one whose status is a failure)."""
    return next((p for p in build.phases if p.status is not None and p.status.value in _FAILED), None)


def summary_content(build: Build, now: datetime) -> Content:
    """Project, status, phase, started, duration, initiator and source version on one line."""
    status = build.status.as_status()
    parts: list[str | tuple[str, str]] = [
        (clean(build.project), "bold"),
        "  ",
        (f"{status.glyph} {build_status_label(build.status)}", _status_style(status) + " bold"),
    ]
    if build.current_phase and not build.complete:
        parts += ["  phase ", (clean(build.current_phase), "bold")]
    if build.start_time is not None:
        parts += ["  started ", (ago(build.start_time, now), "")]
        end = build.end_time or (None if build.complete else now)
        if end is not None:
            parts += [
                "  took " if build.complete else "  running ",
                duration((end - build.start_time).total_seconds()),
            ]
    if build.initiator:
        parts += ["  by ", (clean(build.initiator, max_len=48), "$text-muted")]
    source = build.resolved_source_version or build.source_version
    if source:
        short = clean(source)
        short = short[:8] if len(short) == 40 else clean(source, max_len=24)
        parts += ["  source ", (short, "$text-muted")]
    return Content.assemble(*parts)


def phases_content(build: Build, now: datetime, width: int | None = None) -> Content:
    """Each phase as ``glyph NAME duration``; the failed one reversed, the running one accented.

    With ``width``, phases are packed into lines of at most that many cells, never split in two.
    """
    phases = [p for p in build.phases if p.phase_type != "COMPLETED"]
    if not phases:
        return Content.styled("No phases yet.", "$text-muted")
    broken = failed_phase(build)
    chips: list[tuple[str, str]] = []
    for phase in phases:
        status = phase.status.as_status() if phase.status else Status.IDLE
        if phase.status is None and not build.complete and phase.end_time is None:
            status = Status.IN_PROGRESS  # the phase running now
        took = phase_seconds(phase, now)
        label = f"{status.glyph} {clean(phase.phase_type)}"
        if took is not None:
            label += f" {duration(took)}"
        style = _status_style(status)
        if phase is broken:
            style = f"bold reverse {style}"
        chips.append((label, style))
    parts: list[str | tuple[str, str]] = []
    used = 0
    for label, style in chips:
        if parts:
            if width is not None and used + 2 + len(label) > width:
                parts.append("\n")
                used = 0
            else:
                parts.append("  ")
                used += 2
        parts.append((label, style))
        used += len(label)
    return Content.assemble(*parts)


def failure_content(build: Build | None, error_message: str | None) -> Content | None:
    """The failed phase with its reason, and the pipeline action's error message; None if neither."""
    parts: list[str | tuple[str, str]] = []
    broken = failed_phase(build) if build is not None else None
    if broken is not None:
        reason = "; ".join(clean(m, max_len=400) for m in broken.messages) or "no reason given"
        status = broken.status.value if broken.status else "FAILED"
        parts += [(f"✖ {clean(broken.phase_type)} {status}", "bold $error"), f": {reason}"]
    if error_message:
        if parts:
            parts.append("\n")
        parts += [("Action error: ", "bold"), clean(error_message, max_len=600)]
    return Content.assemble(*parts) if parts else None


class BuildHeader(Widget):
    """The build's facts and phases, updated in place as the build moves on."""

    DEFAULT_CSS = """
    BuildHeader {
        height: auto;
        padding: 0 1;
        & > #build-summary { height: 1; }
        & > #build-phases { height: auto; color: $text-muted; }
        & > #build-failure {
            height: auto;
            display: none;
            border: round $error;
            padding: 0 1;
        }
        & > #build-failure.-shown { display: block; }
    }
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        error_message: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._now = now
        self.error_message = error_message
        self.build: Build | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Loading the build…", "$text-muted"), id="build-summary")
        yield Static("", id="build-phases")
        yield Static("", id="build-failure")

    def on_mount(self) -> None:
        self._show_failure()

    def update_build(self, build: Build) -> None:
        """Show ``build`` (a fresh BatchGetBuilds result); only what changed is redrawn."""
        self.build = build
        now = self._now()
        self.query_one("#build-summary", Static).update(summary_content(build, now))
        self._show_phases(now)
        self._show_failure()

    def not_loaded(self) -> None:
        """The read failed before the build came: "Loading the build…" goes (the screen says why)."""
        if self.build is None:
            summary = self.query_one("#build-summary", Static)
            summary.update(Content.styled("Build not loaded.", "$text-muted"))

    def on_resize(self) -> None:
        if self.build is not None:
            self._show_phases(self._now())

    def _show_phases(self, now: datetime) -> None:
        assert self.build is not None
        width = self.query_one("#build-phases", Static).content_region.width or None
        self.query_one("#build-phases", Static).update(phases_content(self.build, now, width))

    def _show_failure(self) -> None:
        content = failure_content(self.build, self.error_message)
        box = self.query_one("#build-failure", Static)
        box.set_class(content is not None, "-shown")
        if content is not None:
            box.update(content)
