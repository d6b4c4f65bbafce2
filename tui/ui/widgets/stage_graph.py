"""The stage graph: a pipeline's stages left to right, with their actions and transitions.

``StageGraph.update(definition, state, now)`` hands each ``StageBox`` its own stage; only boxes whose
display changed repaint. The structure (which stages, in which order) is rebuilt only when the
definition's stage list changes, which is rare (a pipeline update).

Selection: ← → move between stages, ↑ ↓ / j k between the actions of the selected stage (crossing into
the neighbouring stage's first/last action is deliberately not done: ← → is how you change stage).
The graph posts ``SelectionChanged`` and, on enter, ``ActionActivated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.widgets import Static

from tui.core.model import ApprovalRequest, PipelineDef, PipelineState, StageDef, StageState, Status
from tui.ui.widgets.stage_box import (
    ARROW_WIDTH,
    BOX_CHROME,
    MAX_BOX_WIDTH,
    MIN_BOX_WIDTH,
    StageBox,
    TransitionArrow,
)


def box_width(available: int, stages: int) -> int:
    """Width of every stage box: as many boxes as fit at MIN_BOX_WIDTH, sharing the space, capped.

    At 80 columns this gives three 24-column boxes; wider terminals show more (or roomier) boxes.
    """
    if stages <= 0 or available <= 0:
        return MIN_BOX_WIDTH
    fit = max(1, (available + ARROW_WIDTH) // (MIN_BOX_WIDTH + ARROW_WIDTH))
    shown = min(stages, fit)
    width = (available - ARROW_WIDTH * (shown - 1)) // shown
    return max(MIN_BOX_WIDTH, min(MAX_BOX_WIDTH, width))


def _initial_stage(definition: PipelineDef, state: PipelineState | None) -> str | None:
    """Start where attention is needed: the first failed stage, else a running one, else the first."""
    if not definition.stages:
        return None
    if state is not None:
        for wanted in (Status.FAILED, Status.IN_PROGRESS):
            for stage_state in state.stages:
                if stage_state.status == wanted and definition.stage(stage_state.name):
                    return stage_state.name
    return definition.stages[0].name


def _initial_action(stage: StageDef, state: StageState | None) -> str | None:
    ordered = [a for group in stage.run_orders for a in group]
    if not ordered:
        return None
    if state is not None:
        for action in ordered:
            action_state = state.action(action.name)
            if action_state and action_state.status == Status.FAILED:
                return action.name
    return ordered[0].name


class StageGraph(ScrollableContainer, can_focus=True):
    """Stages left to right; scrolls horizontally and keeps the selected stage in view."""

    DEFAULT_CSS = """
    StageGraph {
        layout: horizontal;
        overflow: auto auto;
        height: 1fr;
        padding: 0 0;
    }
    StageGraph > .stage-graph--placeholder {
        width: 1fr;
        padding: 1 2;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("left", "move_stage(-1)", "Prev stage", show=False),
        Binding("right", "move_stage(1)", "Next stage", show=False),
        Binding("up,k", "move_action(-1)", "Prev action", show=False),
        Binding("down,j", "move_action(1)", "Next action", show=False),
        Binding("enter", "activate", "Open action", show=True),
    ]

    @dataclass
    class SelectionChanged(Message):
        """The selected stage or action changed."""

        graph: StageGraph
        stage: str | None
        action: str | None

    @dataclass
    class ActionActivated(Message):
        """Enter was pressed on an action."""

        graph: StageGraph
        stage: str
        action: str

    def __init__(
        self,
        definition: PipelineDef | None = None,
        state: PipelineState | None = None,
        *,
        now: datetime | None = None,
        placeholder: str = "Loading the pipeline definition…",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.definition = definition
        self.state = state
        self.now = now or datetime.now(UTC)
        self.placeholder = placeholder
        self.missing_state = "… loading state"
        self.boxes: dict[str, StageBox] = {}
        self.approvals: tuple[ApprovalRequest, ...] = ()
        self.arrows: dict[str, TransitionArrow] = {}
        self._selected_stage: str | None = None
        self._selected_action: str | None = None
        self._box_width = MIN_BOX_WIDTH
        self._available = 0  # the graph's width, known from the first resize
        # The first selection goes where attention is needed, which needs the state: until the
        # state arrives (or the user moves), the selection is provisional.
        self._selection_settled = False
        if definition is not None:
            self._select_initial()

    # --- public API -----------------------------------------------------------------------------

    @property
    def selected_stage(self) -> str | None:
        return self._selected_stage

    @property
    def selected_action(self) -> str | None:
        return self._selected_action

    def compose(self) -> ComposeResult:
        yield from self._build_children()

    def set_missing_state(self, text: str) -> None:
        """What each stage box says while there is no state (loading, or why it cannot be read)."""
        self.missing_state = text
        for box in self.boxes.values():
            box.set_missing_state(text)

    def set_placeholder(self, text: str) -> None:
        """What stands in for the graph while there is no definition (loading, or why not)."""
        if text == self.placeholder:
            return
        self.placeholder = text
        if self.definition is None:
            for static in self.query(".stage-graph--placeholder").results(Static):
                static.update(text)

    def update(
        self,
        definition: PipelineDef | None,
        state: PipelineState | None,
        now: datetime | None = None,
        *,
        approvals: tuple[ApprovalRequest, ...] | None = None,
    ) -> int:
        """Show new models; returns how many stage boxes were repainted (0 when nothing changed).

        ``approvals``: the approvals waiting in this pipeline (the store's), so a waiting stage says
        so with its time left, as the list and the inbox do (None: keep the last ones)."""
        if now is not None:
            self.now = now
        if approvals is not None:
            self.approvals = approvals
        old_names = [s.name for s in self.definition.stages] if self.definition else None
        self.definition, self.state = definition, state
        new_names = [s.name for s in definition.stages] if definition else None
        if new_names != old_names:
            self._restructure()
            return len(self.boxes)
        if definition is None:
            return 0
        if not self._selection_settled and state is not None:
            self._select_initial()
            self.call_after_refresh(self._scroll_to_selection)
        repainted = 0
        for stage in definition.stages:
            stage_state = state.stage(stage.name) if state else None
            waiting = tuple(a for a in self.approvals if a.stage_name == stage.name)
            if self.boxes[stage.name].set_data(stage, stage_state, self.now, approvals=waiting):
                repainted += 1
            self._update_arrow(stage.name, stage_state)
        self._ensure_valid_selection()
        return repainted

    def tick(self, now: datetime) -> int:
        """Advance the clock for relative times ("3m ago"); repaints only boxes whose text changed."""
        return self.update(self.definition, self.state, now)

    def select(self, stage: str | None, action: str | None = None) -> None:
        """Select a stage (and an action in it); unknown names fall back to sensible defaults."""
        if self.definition is None or stage is None or self.definition.stage(stage) is None:
            return
        stage_def = self.definition.stage(stage)
        assert stage_def is not None
        if action is None or stage_def.action(action) is None:
            action = _initial_action(stage_def, self._stage_state(stage))
        changed = (stage, action) != (self._selected_stage, self._selected_action)
        self._selected_stage, self._selected_action = stage, action
        self._selection_settled = True
        self._apply_selection()
        if changed:
            self.post_message(self.SelectionChanged(self, stage, action))
        self._scroll_to_selection()

    # --- structure ------------------------------------------------------------------------------

    def _build_children(self) -> list[Static | StageBox | TransitionArrow]:
        self.boxes, self.arrows = {}, {}
        if self.definition is None:
            return [Static(self.placeholder, classes="stage-graph--placeholder", markup=False)]
        if not self.definition.stages:
            return [Static("This pipeline has no stages.", classes="stage-graph--placeholder")]
        # The box width depends on how many stages share the width.
        self._resize_boxes()
        children: list[Static | StageBox | TransitionArrow] = []
        for index, stage in enumerate(self.definition.stages):
            stage_state = self._stage_state(stage.name)
            if index > 0:
                transition = stage_state.transition if stage_state else None
                arrow = TransitionArrow(
                    transition.enabled if transition else True,
                    transition.disabled_reason if transition else None,
                )
                self.arrows[stage.name] = arrow
                children.append(arrow)
            # Everything the first render shows goes in through the constructor (its border title
            # and status class are applied there: a waiting approval is ⏸ from the first frame).
            box = StageBox(
                stage,
                stage_state,
                now=self.now,
                approvals=tuple(a for a in self.approvals if a.stage_name == stage.name),
                missing_state=self.missing_state,
            )
            self._size_box(box)
            self.boxes[stage.name] = box
            children.append(box)
        self._apply_selection()
        return children

    def _restructure(self) -> None:
        self._ensure_valid_selection()
        self.remove_children()
        self.mount_all(self._build_children())

    def _stage_state(self, name: str) -> StageState | None:
        return self.state.stage(name) if self.state else None

    def _update_arrow(self, name: str, stage_state: StageState | None) -> None:
        arrow = self.arrows.get(name)
        if arrow is None:
            return
        transition = stage_state.transition if stage_state else None
        arrow.set_transition(
            transition.enabled if transition else True, transition.disabled_reason if transition else None
        )

    # --- sizing ---------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._available = self.scrollable_content_region.width
        self._resize_boxes()
        self.call_after_refresh(self._scroll_to_selection)

    def _resize_boxes(self) -> None:
        stages = len(self.definition.stages) if self.definition else 0
        width = box_width(self._available, stages) if self._available else MIN_BOX_WIDTH
        if width != self._box_width:
            self._box_width = width
            for box in self.boxes.values():
                self._size_box(box)

    def _size_box(self, box: StageBox) -> None:
        box.styles.width = self._box_width
        box.set_inner_width(self._box_width - BOX_CHROME)

    # --- selection ------------------------------------------------------------------------------

    def _select_initial(self) -> None:
        assert self.definition is not None
        stage = _initial_stage(self.definition, self.state)
        stage_def = self.definition.stage(stage) if stage else None
        self._selected_stage = stage
        self._selected_action = (
            _initial_action(stage_def, self._stage_state(stage_def.name)) if stage_def else None
        )
        self._selection_settled = self.state is not None

    def _ensure_valid_selection(self) -> None:
        if self.definition is None:
            return
        stage = self.definition.stage(self._selected_stage) if self._selected_stage else None
        if stage is None:
            self._select_initial()
        elif self._selected_action is None or stage.action(self._selected_action) is None:
            self._selected_action = _initial_action(stage, self._stage_state(stage.name))
        self._apply_selection()

    def _apply_selection(self) -> None:
        for name, box in self.boxes.items():
            selected = name == self._selected_stage
            box.set_selection(selected, self._selected_action if selected else None, self.has_focus)

    def _ordered_actions(self) -> list[str]:
        if self.definition is None or self._selected_stage is None:
            return []
        stage = self.definition.stage(self._selected_stage)
        return [a.name for group in stage.run_orders for a in group] if stage else []

    def action_move_stage(self, delta: int) -> None:
        if self.definition is None or not self.definition.stages:
            return
        names = [s.name for s in self.definition.stages]
        index = names.index(self._selected_stage) if self._selected_stage in names else 0
        target = max(0, min(len(names) - 1, index + delta))
        self.select(names[target])

    def action_move_action(self, delta: int) -> None:
        actions = self._ordered_actions()
        if not actions:
            return
        index = actions.index(self._selected_action) if self._selected_action in actions else 0
        target = max(0, min(len(actions) - 1, index + delta))
        self.select(self._selected_stage, actions[target])

    def action_activate(self) -> None:
        if self._selected_stage and self._selected_action:
            self.post_message(self.ActionActivated(self, self._selected_stage, self._selected_action))

    def on_focus(self) -> None:
        self._apply_selection()

    def on_blur(self) -> None:
        self._apply_selection()

    def _scroll_to_selection(self) -> None:
        box = self.boxes.get(self._selected_stage or "")
        if box is None or not box.is_mounted or not self.boxes:
            return
        region = box.virtual_region
        view = self.scrollable_content_region
        x, y = self.scroll_x, self.scroll_y
        if region.x < x:
            x = region.x
        elif region.right > x + view.width:
            # Snap to a box's left edge so the view never starts with half a box.
            starts = sorted(b.virtual_region.x for b in self.boxes.values())
            x = next((s for s in starts if s >= region.right - view.width), region.x)
        top, bottom = region.y, region.bottom
        lines = box.action_lines.get(self._selected_action or "")
        if lines is not None:
            # +1: the box's top border.
            top, bottom = region.y + 1 + lines[0], region.y + 1 + lines[1]
        if top < y:
            y = top
        elif bottom > y + view.height:
            y = bottom - view.height
        if (x, y) != (self.scroll_x, self.scroll_y):
            self.scroll_to(x, y, animate=False, immediate=True)
