"""Names are data on every surface that builds text from a string: the command palette (opened and
searched), notices, titles and dialogs.

A pipeline and a target are given names that hold markup (``[/]`` crashed the palette with
a MarkupError, ``prod [EU]`` showed as ``prod``, ``[link=…]`` would make a link), an escape sequence
and a zero-width character. The real App reads them from the simulator over aiobotocore; each
surface must show them literally and never crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from tests.support.apps import sim_app
from tests.support.strips import screen_strips
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.actions import ActionRequest
from tui.core.config import PollingConfig
from tui.core.model import Target
from tui.sim import Simulator
from tui.sim import pipelines as specs
from tui.sim.world.state import PipelineSpec, StageSpec
from tui.ui.screens import dialog_base
from tui.ui.screens.dialog_base import ActionDialog
from tui.ui.screens.pipeline import PipelineScreen

# What the AWS side holds, and what the screen must show for it (markup kept, the escape sequence
# gone, the zero-width space made visible).
PIPE = "prod [EU] [/]\x1b[5m\u200bp"
PIPE_SHOWN = "prod [EU] [/]⟨U+200B⟩p"
TARGET = "eu [link=https://evil.example]t[/link]"
HOSTILE_NOTICE = "[/] [b]B[/b] [link=x]y[/link] prod [EU]\x1b]0;T\x07\u200d"
NOTICE_SHOWN = "[/] [b]B[/b] [link=x]y[/link] prod [EU]⟨U+200D⟩"


def add_hostile_pipeline(sim: Simulator) -> None:
    world = sim.engine.world()
    with sim.engine.lock:
        source = specs.codecommit("repo")
        build = specs.codebuild("Compile", "hostile-project")
        world.add_pipeline(PipelineSpec(PIPE, [StageSpec("Source", [source]), StageSpec("Build", [build])]))


@pytest.fixture
def app(sim: Simulator, tmp_path: Path) -> CptuiApp:
    add_hostile_pipeline(sim)
    targets = [Target(region="us-east-1", name=TARGET), Target(region="us-east-1", name="plain")]
    return sim_app(sim, tmp_path, targets=targets, polling=PollingConfig(), protected=None)


def prompts(app: CptuiApp) -> list[str]:
    """The first line of every entry the palette lists (its prompt, as shown)."""
    options = app.screen.query_one(CommandList)
    return [
        str(getattr(prompt, "plain", prompt)).split("\n")[0]
        for prompt in (options.get_option_at_index(i).prompt for i in range(options.option_count))
    ]


def no_link(app: CptuiApp) -> bool:
    """No rendered cell carries a link (markup from the data would have made one)."""
    for strip in screen_strips(app):
        for segment in strip:
            if segment.style is not None and segment.style.link:
                return False
    return True


async def test_the_palette_shows_hostile_names_as_typed_when_opened_and_searched(app: CptuiApp) -> None:
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.store.rows()) > 9, timeout=20)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        # Discovery (the list before anything is typed) and search (fuzzy match highlighted).
        wanted = {f"go to pipeline {PIPE_SHOWN} ({TARGET})", f"target: switch to {TARGET}"}
        await wait_until(pilot, lambda: wanted <= set(prompts(app)), timeout=10)
        assert app.is_running and app.return_code is None
        await pilot.press(*"prod [eu]")
        await wait_for_text(pilot, f"go to pipeline {PIPE_SHOWN}")
        assert prompts(app)[0].startswith(f"go to pipeline {PIPE_SHOWN}")
        assert no_link(app) and app.is_running
        # Choosing it opens the pipeline, whose title and stage box show the names as typed.
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        # (the simulator, like AWS, refuses such a name in GetPipeline: only ListPipelines from an
        # emulator could hand one out; the title must show it all the same)
        text = await wait_for_text(pilot, f"{PIPE_SHOWN}   {TARGET}")
        assert "\u200b" not in text and no_link(app)


async def test_notices_are_never_parsed_as_markup(app: CptuiApp) -> None:
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        # Even a caller that asks for markup gets plain text: data cannot style, link or crash it.
        app.notify(HOSTILE_NOTICE, title="[/] t", markup=True)
        app.screen.notify("[/] again", markup=True)
        text = await wait_for_text(pilot, NOTICE_SHOWN, "[/] again", "[/] t")
        assert "\x1b" not in text and no_link(app)
        assert app.is_running


class _HostileDialog(ActionDialog):
    """A frame around a hostile pipeline name (protected: its name is shown to be typed)."""

    CSS_PATH = str(Path(dialog_base.__file__).parent / "dialogs.tcss")

    def draft(self, choice: str) -> ActionRequest | None:
        return None


async def test_a_dialog_shows_a_hostile_name_as_typed(app: CptuiApp) -> None:
    async with app.run_test(size=(160, 40)) as pilot:
        app.push_screen(_HostileDialog(title=f"Disable {PIPE}", pipeline=PIPE, identity=None, protected=True))
        await wait_until(pilot, lambda: isinstance(app.screen, _HostileDialog))
        text = await wait_for_text(pilot, f"Disable {PIPE_SHOWN}", f"Type its name ({PIPE_SHOWN})")
        assert "\u200b" not in text and "\x1b" not in screen_text(app) and no_link(app)
