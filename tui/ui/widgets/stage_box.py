"""One stage of the stage graph (``StageBox``) and the transition arrow in front of it.

Each box owns the rendering of one stage so that a poll that changes one stage repaints one box. A box
compares a *render key* (the models, the relative times as displayed, the selection and its width)
with the last one and refreshes only when it differs; the built content is cached for that key, so
Textual asking for it twice (height, then paint) costs one build.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable
from datetime import datetime

from rich.text import Text
from textual.content import Content
from textual.widget import Widget

from tui.core.fmt import ago, short_id, status_text, time_left
from tui.core.model import (
    ActionDef,
    ActionState,
    ApprovalRequest,
    ConditionKind,
    StageConditionState,
    StageDef,
    StageState,
    Status,
)
from tui.core.sanitize import clean

MIN_BOX_WIDTH = 24
MAX_BOX_WIDTH = 40
ARROW_WIDTH = 3
# Border (2) + horizontal padding (2): what is left for text inside a box.
BOX_CHROME = 4

_MUTED = "$text-muted"


def _styled(text: str, style: str = "") -> Content:
    return Content.styled(text, style) if style else Content(text)


def _status_content(status: Status) -> Content:
    return Content.from_rich_text(status_text(status))


def _fit(left: Content, right: str, width: int, style: str = _MUTED) -> Content:
    """``left`` and ``right`` on one line of ``width`` cells; ``left`` is cut first so ``right`` survives."""
    if not right:
        return left
    room = width - len(right) - 1
    if room < 4:
        return left
    if len(left) > room:
        left = left[: room - 1] + "…"
    return left + " " * (width - len(left) - len(right)) + _styled(right, style)


def principal(arn: str | None) -> str:
    """A short name for who did something: the last part of an IAM/STS ARN (user or session name)."""
    text = clean(arn)
    if not text.startswith("arn:"):
        return text or "unknown"
    return text.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _condition_status(state: StageConditionState | None) -> str:
    """A condition's latest evaluation in a word ("" when it has not been evaluated)."""
    if state is None or state.status is None:
        return ""
    return str(state.status.value).lower().replace("inprogress", "checking")


class StageBox(Widget):
    """A stage: status, inbound transition, waiting executions and its actions grouped by runOrder."""

    DEFAULT_CSS = """
    StageBox {
        width: 24;
        height: auto;
        padding: 0 1;
        border: round $foreground 40%;
        border-title-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StageBox.-status-success { border: round $success; }
    StageBox.-status-error { border: round $error; }
    StageBox.-status-warning { border: round $warning; }
    StageBox.-status-accent { border: round $accent; }
    StageBox.-selected { border: heavy $primary; background: $boost; }
    StageBox.-selected.-status-success { border: heavy $success; }
    StageBox.-selected.-status-error { border: heavy $error; }
    StageBox.-selected.-status-warning { border: heavy $warning; }
    StageBox.-selected.-status-accent { border: heavy $accent; }
    """

    def __init__(
        self,
        stage: StageDef,
        state: StageState | None,
        *,
        now: datetime,
        approvals: tuple[ApprovalRequest, ...] = (),
        missing_state: str = "… loading state",
    ) -> None:
        # No DOM id: stage names may hold characters ids do not allow.
        super().__init__()
        self.stage = stage
        self.state = state
        self.now = now
        self.selected = False
        self.selected_action: str | None = None
        self.approvals = approvals  # approvals waiting in this stage
        self.cursor_visible = False
        self.inner_width = MIN_BOX_WIDTH - BOX_CHROME
        self.refresh_count = 0
        self.render_count = 0
        self.action_lines: dict[str, tuple[int, int]] = {}
        self._key: Hashable = None
        self._cache: tuple[Hashable, Content] | None = None
        self._status_class = ""
        # Shown while there is no state: loading, or why it cannot be read.
        self.missing_state = missing_state
        self._apply_key(self._render_key())

    # --- state in, refresh only on change -------------------------------------------------------

    @property
    def status(self) -> Status:
        return self.state.status if self.state else Status.IDLE

    def set_data(
        self,
        stage: StageDef,
        state: StageState | None,
        now: datetime,
        *,
        approvals: tuple[ApprovalRequest, ...] | None = None,
    ) -> bool:
        """Take new models; refresh (and return True) only if what is displayed changed."""
        self.stage, self.state, self.now = stage, state, now
        if approvals is not None:
            self.approvals = approvals
        return self._maybe_refresh()

    def _approval(self, action: str) -> ApprovalRequest | None:
        return next((a for a in self.approvals if a.action_name == action), None)

    def _time_left(self, approval: ApprovalRequest) -> str:
        return time_left(approval.expires_at, self.now)

    def set_missing_state(self, text: str) -> bool:
        """What the status line says while there is no state; refresh only if that shows."""
        self.missing_state = text
        return self._maybe_refresh()

    def set_selection(self, selected: bool, action: str | None, cursor_visible: bool) -> bool:
        """Mark this box (and one of its actions) selected; refresh only if that changes anything."""
        self.selected, self.selected_action, self.cursor_visible = selected, action, cursor_visible
        return self._maybe_refresh()

    def set_inner_width(self, width: int) -> bool:
        """The box's text width (its CSS width minus border and padding), used to wrap reasons."""
        self.inner_width = max(1, width)
        return self._maybe_refresh()

    def action_state(self, name: str) -> ActionState | None:
        return self.state.action(name) if self.state else None

    def _times(self) -> tuple[str, ...]:
        if self.state is None:
            return ()
        times = [ago(a.last_status_change, self.now) for a in self.state.actions]
        times.append(ago(self.state.transition.last_changed_at, self.now))
        return tuple(times)

    def _render_key(self) -> Hashable:
        return (
            self.stage,
            self.state,
            self._times(),
            tuple((a.action_name, a.expires_at and self._time_left(a)) for a in self.approvals),
            self.selected,
            self.selected_action if self.selected else None,
            self.cursor_visible and self.selected,
            self.inner_width,
            self.missing_state if self.state is None else None,
        )

    def _maybe_refresh(self) -> bool:
        key = self._render_key()
        if key == self._key:
            return False
        self._apply_key(key)
        self.refresh_count += 1
        self.refresh(layout=True)
        return True

    def _apply_key(self, key: Hashable) -> None:
        self._key = key
        held = self.state is not None and self.state.blocked_by_condition is not None
        status_class = f"-status-{'warning' if self.approvals or held else self.status.style}"
        if status_class != self._status_class:
            if self._status_class:
                self.remove_class(self._status_class)
            self.add_class(status_class)
            self._status_class = status_class
        self.set_class(self.selected, "-selected")
        glyph = Text("⏸", style="yellow") if self.approvals else status_text(self.status, label=False)
        title = Text.assemble(glyph, " ", clean(self.stage.name))
        if self.border_title != title.markup:
            self.border_title = title
        latest = self.state.latest if self.state else None
        subtitle = short_id(latest.execution_id) if latest else ""
        if self.border_subtitle != subtitle:
            self.border_subtitle = Text(subtitle)

    # --- rendering ------------------------------------------------------------------------------

    def render(self) -> Content:
        self.render_count += 1
        if self._cache is not None and self._cache[0] == self._key:
            return self._cache[1]
        content = Content("\n").join(self._lines())
        self._cache = (self._key, content)
        return content

    def _lines(self) -> list[Content]:
        lines: list[Content] = []
        name = clean(self.stage.name)
        # The border title has inner_width - 2 cells ("╭─ " … " ─╮"); a name cut there
        # ("Production-us-e…" / "Production-eu-w…") is spelled out in full inside the box.
        if len(name) + 2 > self.inner_width - 2:
            wrapped = textwrap.wrap(name, self.inner_width, max_lines=2, placeholder="…")
            lines.extend(_styled(part, "bold") for part in wrapped)
        lines.append(self._status_line())
        lines.extend(self._transition_lines())
        lines.extend(self._inbound_lines())
        lines.extend(self._condition_lines(ConditionKind.BEFORE_ENTRY))
        self.action_lines = {}
        groups = self.stage.run_orders
        for index, group in enumerate(groups):
            parallel = len(group) > 1
            if index > 0:
                lines.append(_styled("↓ then", _MUTED))
            if parallel:
                lines.append(_styled(f"⇉ {len(group)} in parallel", _MUTED))
            for action in group:
                start = len(lines)
                lines.extend(self._action_lines(action, parallel))
                self.action_lines[action.name] = (start, len(lines))
        if not self.stage.actions:
            lines.append(_styled("no actions", _MUTED))
        lines.extend(self._condition_lines(ConditionKind.ON_SUCCESS))
        lines.extend(self._condition_lines(ConditionKind.ON_FAILURE))
        return lines

    def _condition_lines(self, kind: ConditionKind) -> list[Content]:
        """A V2 condition: its kind and result, then each rule with its latest evaluation."""
        declared = self.stage.conditions(kind)
        if declared is None:
            return []
        state = self.condition_state(kind)
        result = declared.effective_result
        head = f"◆ {kind.label}" + (f" → {result.value}" if result is not None else "")
        status = _condition_status(state)
        held = self.state is not None and self.state.blocked_by_condition is state and state is not None
        style = "$warning bold" if held else _MUTED
        lines = [_fit(_styled(head, style), status, self.inner_width, "$warning" if held else _MUTED)]
        rule_states = {r.name: r for r in state.rules} if state is not None else {}
        for rule in declared.rules:
            rule_state = rule_states.get(rule.name)
            rule_status = rule_state.status.label if rule_state is not None else ""
            lines.append(
                _fit(_styled(f"  {clean(rule.name)}", _MUTED), rule_status, self.inner_width, _MUTED)
            )
        return lines

    def condition_state(self, kind: ConditionKind) -> StageConditionState | None:
        if self.state is None:
            return None
        return {
            ConditionKind.BEFORE_ENTRY: self.state.before_entry,
            ConditionKind.ON_SUCCESS: self.state.on_success,
            ConditionKind.ON_FAILURE: self.state.on_failure,
        }.get(kind)

    def _status_line(self) -> Content:
        if self.state is None:
            return _styled(self.missing_state, _MUTED)
        held = self.state.blocked_by_condition
        if held is not None:
            # A stage held by a condition says so (not just "In progress").
            text = f"⏸ held by {held.kind.label} condition"
            if len(text) > self.inner_width:
                text = "⏸ held by condition"  # (the ◆ line below names which)
            return _styled(text, "$warning bold")
        changes = [a.last_status_change for a in self.state.actions if a.last_status_change]
        when = ago(max(changes), self.now) if changes else ""
        if self.approvals:
            # The words the list and the inbox use (``Standing``), with the time left.
            first = self.approvals[0]
            return _fit(
                _styled("⏸ Approval", "$warning bold"), self._time_left(first), self.inner_width, "$warning"
            )
        return _fit(_status_content(self.status), when, self.inner_width)

    def _transition_lines(self) -> list[Content]:
        transition = self.state.transition if self.state else None
        if transition is None or transition.enabled:
            return []
        lines = [_styled("⊘ inbound disabled", "$error bold")]
        reason = clean(transition.disabled_reason) or "(no reason given)"
        wrapped = textwrap.wrap(reason, max(4, self.inner_width - 2), max_lines=3, placeholder=" …")
        lines.extend(_styled("  " + part) for part in wrapped)
        who = principal(transition.last_changed_by)
        when = ago(transition.last_changed_at, self.now)
        lines.append(_fit(_styled(f"  by {who}", _MUTED), when, self.inner_width))
        return lines

    def _inbound_lines(self) -> list[Content]:
        inbound = self.state.inbound if self.state else ()
        if not inbound:
            return []
        ids = " ".join(short_id(ref.execution_id) for ref in inbound)
        head = Content.assemble(("⏸ ", "$warning"), f"{len(inbound)} waiting:")
        if len(head) + 1 + len(ids) <= self.inner_width:
            return [head + " " + _styled(ids, _MUTED)]
        return [head, _styled("  " + ids, _MUTED)]

    def _action_lines(self, action: ActionDef, parallel: bool) -> list[Content]:
        state = self.action_state(action.name)
        status = state.status if state else Status.IDLE
        gutter = _styled("┃ ", _MUTED) if parallel else Content("")
        name = clean(action.name)
        is_selected = self.selected and self.selected_action == action.name
        if is_selected:
            # The cursor spans the row so it stays visible on monochrome terminals.
            pad = max(0, self.inner_width - len(gutter) - len(name) - 2)
            cursor = "reverse bold" if self.cursor_visible else "underline bold"
            label = _styled(name + " " * pad, cursor)
        else:
            label = _styled(name, "bold")
        approval = self._approval(action.name)
        glyph = (
            _styled("⏸", "$warning")
            if approval is not None
            else Content.from_rich_text(status_text(status, label=False))
        )
        head = gutter + glyph + " " + label
        when = ago(state.last_status_change, self.now) if state else ""
        if approval is not None:
            when = self._time_left(approval)
        width = self.inner_width - len(gutter)
        detail = _fit(_styled("  " + clean(action.provider_label), _MUTED), when, width)
        lines = [head, gutter + detail]
        if state and status == Status.FAILED and (state.error_message or state.error_code):
            message = clean(state.error_message or state.error_code)
            wrapped = textwrap.wrap(message, max(4, width - 2), max_lines=2, placeholder=" …")
            lines.extend(gutter + _styled("  " + part, "$error") for part in wrapped)
        elif state and state.summary:
            lines.append(gutter + _styled("  " + clean(state.summary), _MUTED))
        return lines


class TransitionArrow(Widget):
    """The arrow into a stage: ``→`` when its inbound transition is enabled, ``✕`` in $error when not."""

    DEFAULT_CSS = """
    TransitionArrow {
        width: 3;
        height: 3;
        margin-top: 1;
        color: $text-muted;
    }
    TransitionArrow.-disabled { color: $error; text-style: bold; }
    """

    def __init__(self, enabled: bool = True, reason: str | None = None) -> None:
        super().__init__()
        self.enabled = enabled
        self.reason = reason
        self._apply()

    def set_transition(self, enabled: bool, reason: str | None) -> bool:
        """Show a new transition state; refresh only if it changed."""
        if (enabled, reason) == (self.enabled, self.reason):
            return False
        self.enabled, self.reason = enabled, reason
        self._apply()
        self.refresh()
        return True

    def _apply(self) -> None:
        self.set_class(not self.enabled, "-disabled")
        self.tooltip = None if self.enabled else Text("Transition disabled: " + clean(self.reason))

    def render(self) -> Content:
        return Content("\n─→─" if self.enabled else "\n─✕─")
