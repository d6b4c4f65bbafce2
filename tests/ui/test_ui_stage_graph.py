"""StageGraph widget: rendering, selection keys, per-stage refresh, narrow terminals.

A minimal harness App hosts the widget with model objects; no simulator is needed for the widget's
own behaviour (the pipeline screen's pilot tests drive it against the simulator).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.app import App, ComposeResult

from tests.support.samples import NOW, wide_definition, wide_state, with_action
from tests.support.wait import screen_lines, screen_text, wait_for_text
from tui.core.model import ActionState, PipelineDef, PipelineState, StageDef, Status
from tui.ui.widgets.stage_box import MIN_BOX_WIDTH, StageBox, TransitionArrow, principal
from tui.ui.widgets.stage_graph import StageGraph, box_width


class GraphApp(App[None]):
    def __init__(self, definition: PipelineDef | None, state: PipelineState | None) -> None:
        super().__init__()
        self.graph = StageGraph(definition, state, now=NOW)
        self.messages: list[StageGraph.SelectionChanged | StageGraph.ActionActivated] = []

    def compose(self) -> ComposeResult:
        yield self.graph

    def on_mount(self) -> None:
        self.graph.focus()

    def on_stage_graph_selection_changed(self, message: StageGraph.SelectionChanged) -> None:
        self.messages.append(message)

    def on_stage_graph_action_activated(self, message: StageGraph.ActionActivated) -> None:
        self.messages.append(message)


async def test_stages_render_in_order_with_status_glyphs() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for_text(pilot, "✔ Verify")
        top = screen_lines(app)[0]
        titles = ["✔ Source", "✔ Build", "✖ Test", "✔ Staging", "✔ Approve", "✔ Prod", "✔ Verify"]
        positions = [top.find(title) for title in titles]
        assert all(p >= 0 for p in positions), top
        assert positions == sorted(positions)
        text = screen_text(app)
        assert "✖ Failed" in text
        assert "Build failed: 3" in text and "lint errors" in text


async def test_disabled_transition_shows_reason_and_who() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        text = await wait_for_text(pilot, "⊘ inbound disabled")
        assert "Release freeze" in text
        assert "by alice" in text
        arrows = app.graph.arrows
        assert not arrows["Prod"].enabled
        assert arrows["Prod"].has_class("-disabled")
        assert "─✕─" in text
        assert all(arrow.enabled for name, arrow in arrows.items() if name != "Prod")


async def test_inbound_waiting_executions_are_listed() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        text = await wait_for_text(pilot, "⏸ 2 waiting:")
        assert "e5f6a7b8" in text and "c0ffee00" in text


async def test_parallel_actions_are_grouped_by_run_order() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        box = app.graph.boxes["Test"]
        # Inside the border only: the selected box's own border is drawn with ┃ too.
        lines = [strip.text[1:-1] for strip in box.render_lines(box.region.reset_offset)][1:-1]
        body = "\n".join(lines)
        assert "⇉ 2 in parallel" in body
        unit = next(line for line in lines if "UnitTests" in line)
        lint = next(line for line in lines if "Lint" in line)
        report = next(line for line in lines if "Report" in line)
        assert "┃" in unit and "┃" in lint and "┃" not in report
        assert lines.index(report) > lines.index(lint)
        assert "↓ then" in body


async def test_selection_moves_between_stages_and_actions() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        graph = app.graph
        # Attention first: the failed stage and its failed action.
        assert (graph.selected_stage, graph.selected_action) == ("Test", "Lint")
        await pilot.press("up")
        assert graph.selected_action == "UnitTests"
        await pilot.press("j", "j")
        assert graph.selected_action == "Report"
        await pilot.press("j")  # stays at the last action
        assert graph.selected_action == "Report"
        await pilot.press("right")
        assert (graph.selected_stage, graph.selected_action) == ("Staging", "DeployStaging")
        await pilot.press("left", "left", "left", "left")
        assert graph.selected_stage == "Source"
        await pilot.press("enter")
        await pilot.pause()
        assert graph.boxes["Source"].has_class("-selected")
        assert not graph.boxes["Test"].has_class("-selected")
        activated = [m for m in app.messages if isinstance(m, StageGraph.ActionActivated)]
        assert [(m.stage, m.action) for m in activated] == [("Source", "Checkout")]
        changes = [m for m in app.messages if isinstance(m, StageGraph.SelectionChanged)]
        assert changes[-1].stage == "Source"


async def test_update_repaints_only_changed_stages() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        graph = app.graph
        refreshes = {name: box.refresh_count for name, box in graph.boxes.items()}
        renders = {name: box.render_count for name, box in graph.boxes.items()}

        assert graph.update(wide_definition(), wide_state(), NOW) == 0

        running = ActionState("Compile", Status.IN_PROGRESS, NOW, summary="compiling")
        assert graph.update(wide_definition(), with_action(wide_state(), "Build", running), NOW) == 1
        await pilot.pause()
        for name, box in graph.boxes.items():
            if name == "Build":
                assert box.refresh_count == refreshes[name] + 1
                assert box.render_count > renders[name]
            else:
                assert box.refresh_count == refreshes[name], name
                assert box.render_count == renders[name], name
        await wait_for_text(pilot, "compiling")


async def test_clock_ticks_repaint_only_boxes_whose_relative_time_changed() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        before = {name: box.refresh_count for name, box in app.graph.boxes.items()}
        # 20 s later: "3m ago" (Test) stays, so does everything else at minute/hour granularity.
        assert app.graph.tick(NOW + timedelta(seconds=20)) == 0
        # Two minutes later the minute-granular boxes change, the day-old ones (Prod, Verify) do not.
        repainted = app.graph.tick(NOW + timedelta(minutes=2))
        assert 0 < repainted < len(app.graph.boxes)
        assert app.graph.boxes["Test"].refresh_count == before["Test"] + 1
        assert app.graph.boxes["Verify"].refresh_count == before["Verify"]


async def test_transition_change_repaints_arrow_and_box() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        state = wide_state()
        stages = tuple(replace(s, transition=replace(s.transition, enabled=True)) for s in state.stages)
        assert app.graph.update(wide_definition(), replace(state, stages=stages), NOW) == 1
        await pilot.pause()
        assert app.graph.arrows["Prod"].enabled
        assert "inbound disabled" not in screen_text(app)


async def test_readable_at_80_columns_with_three_boxes() -> None:
    app = GraphApp(wide_definition(), wide_state())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        graph = app.graph
        visible = [b for b in graph.boxes.values() if graph.region.contains_region(b.region)]
        assert len(visible) == 3
        assert all(b.region.width >= MIN_BOX_WIDTH for b in graph.boxes.values())
        top = screen_lines(app)[0]
        for name in ("Source", "Build", "Test"):
            assert name in top
        # The selection follows the keys off screen: the selected box scrolls fully into view.
        for _ in range(6):
            await pilot.press("right")
        await pilot.pause()
        assert graph.selected_stage == "Verify"
        assert graph.region.contains_region(graph.boxes["Verify"].region)
        assert "Verify" in screen_lines(app)[0]


def test_box_width_shares_space_but_never_below_minimum() -> None:
    assert box_width(80, 7) == 24
    assert box_width(120, 7) >= 26
    assert box_width(20, 7) == MIN_BOX_WIDTH
    assert box_width(200, 2) == 40


def test_principal_shortens_arns() -> None:
    assert principal("arn:aws:iam::123456789012:user/alice") == "alice"
    assert principal("arn:aws:sts::123456789012:assumed-role/Admin/bob") == "bob"
    assert principal(None) == "unknown"
    assert principal("root") == "root"


async def test_loading_placeholder_then_structure_and_hostile_text() -> None:
    app = GraphApp(None, None)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await wait_for_text(pilot, "Loading the pipeline definition")
        hostile = replace(
            wide_definition(),
            stages=(StageDef("[bold]Evil\x1b]52;c;aGk=\x07"), *wide_definition().stages[:2]),
        )
        app.graph.update(hostile, None, NOW)
        await pilot.pause()
        assert len(app.query(StageBox)) == 3
        # Boxes that arrive after the first resize still share the width.
        assert all(b.region.width == box_width(120, 3) for b in app.query(StageBox))
        assert len(app.query(TransitionArrow)) == 2
        text = screen_text(app)
        assert "[bold]Evil" in text
        assert "\x1b" not in text and "52;c" not in text
        assert "… loading state" in text
        assert app.graph.selected_stage == "[bold]Evil\x1b]52;c;aGk=\x07"
