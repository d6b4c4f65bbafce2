"""The pipeline's declaration (GetPipeline) as highlighted JSON: scroll, search, copy, save, edit.

`d` on the pipeline screen opens it. The declaration is read once when the screen opens (and again
with `r`); its text is AWS's, so every line goes through ``clean`` before it is highlighted (JSON
already escapes C0 controls; bidi overrides and C1 controls would still pass through).
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.aws.errors import AwsError
from tui.core import definition as defn
from tui.core.error_text import error_text
from tui.core.model import PipelineDeclaration, Target
from tui.core.sanitize import clean
from tui.ui import clipboard
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.widgets.footer import KeyFooter


class DefinitionScreen(Screen[None]):
    """The declaration of ``name`` in ``target`` (no ``metadata``: what `E` edits)."""

    DEFAULT_CSS = """
    DefinitionScreen #definition-title { height: 1; padding: 0 1; background: $primary 20%; }
    DefinitionScreen #definition-notice { height: auto; padding: 0 1; color: $warning; }
    DefinitionScreen #definition-scroll { height: 1fr; }
    DefinitionScreen #definition-search { display: none; dock: bottom; margin-bottom: 1; }
    DefinitionScreen #definition-search.-shown { display: block; }
    """
    BINDINGS = [
        bind("filter", "search", "Search"),
        bind("search_next", "next_match", "Next match"),
        bind("search_prev", "previous_match", "Prev match"),
        bind("copy", "copy", "Copy"),
        bind("save_log", "save", "Save to a file"),
        bind("edit", "edit", "Edit"),
        bind("refresh", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, target: Target, name: str) -> None:
        super().__init__()
        self.target = target
        self.pipeline_name = name
        self.declaration: PipelineDeclaration | None = None
        self.text = ""
        self.lines: list[str] = []
        self.query_text = ""
        self.matches: list[int] = []  # 0-based line numbers
        self.match_index = -1
        self.saved_to: Path | None = None

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble((clean(self.pipeline_name), "bold"), ("  definition", "dim")), id="definition-title"
        )
        yield Static("", id="definition-notice", markup=False)
        with VerticalScroll(id="definition-scroll"):
            yield Static(Text("Loading the definition (GetPipeline)…", style="dim"), id="definition-body")
        yield Input(placeholder="search: text, enter to find, esc to close", id="definition-search")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#definition-scroll").focus()
        self.load()

    @work(exclusive=True, group="definition-read", exit_on_error=False)
    async def load(self) -> None:
        name = self.pipeline_name
        try:
            declaration = await self.host.reads.declaration(self.target, name)
        except AwsError as error:
            self._notice(f"⚠ Could not read the definition: {error_text(error, profile=self.target.profile)}")
            if self.declaration is None:
                self.query_one("#definition-body", Static).update(
                    Text("The definition could not be read.", "dim")
                )
            return
        self.declaration = declaration
        self.text = defn.render(defn.strip_metadata(declaration.document))
        self.lines = [clean(line, max_len=2000) for line in self.text.splitlines()]
        self._notice("")
        title = Text.assemble(
            (clean(self.pipeline_name), "bold"),
            ("  definition", "dim"),
            (f"  v{declaration.version} · {len(self.lines)} lines", "dim"),
        )
        self.query_one("#definition-title", Static).update(title)
        self._find(self.query_text, keep=True)
        self._render_body()

    def _render_body(self) -> None:
        highlight = {i + 1 for i in self.matches}
        syntax = Syntax(
            "\n".join(self.lines),
            "json",
            theme="ansi_dark",
            line_numbers=True,
            word_wrap=False,
            highlight_lines=highlight,
            background_color="default",
        )
        self.query_one("#definition-body", Static).update(syntax)

    def _notice(self, text: str) -> None:
        notice = self.query_one("#definition-notice", Static)
        notice.update(Text(text))
        notice.display = bool(text)

    # --- search ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#definition-search", Input)
        search.value = self.query_text
        search.add_class("-shown")
        search.focus()

    def _close_search(self) -> None:
        self.query_one("#definition-search", Input).remove_class("-shown")
        self.query_one("#definition-scroll").focus()

    @on(Input.Submitted, "#definition-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_search()
        self._find(event.value)
        self._render_body()
        self._show_match()

    def _find(self, query: str, *, keep: bool = False) -> None:
        self.query_text = query
        if not query:
            self.matches, self.match_index = [], -1
            return
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        self.matches = [i for i, line in enumerate(self.lines) if pattern.search(line)]
        if not keep or self.match_index >= len(self.matches):
            self.match_index = 0 if self.matches else -1

    def _show_match(self) -> None:
        if not self.query_text:
            return
        if not self.matches:
            self.notify(
                f"no match for {clean(self.query_text, max_len=40)!r}", severity="warning", markup=False
            )
            return
        line = self.matches[self.match_index]
        scroll = self.query_one("#definition-scroll", VerticalScroll)
        scroll.scroll_to(y=max(0, line - 3), animate=False)
        self._notice(f"match {self.match_index + 1} of {len(self.matches)}: line {line + 1}")

    def action_next_match(self) -> None:
        if self.matches:
            self.match_index = (self.match_index + 1) % len(self.matches)
        self._show_match()

    def action_previous_match(self) -> None:
        if self.matches:
            self.match_index = (self.match_index - 1) % len(self.matches)
        self._show_match()

    # --- copy, save, edit ------------------------------------------------------------------------

    def action_copy(self) -> None:
        if not self.text:
            self.notify("The definition is not read yet.", severity="warning")
            return
        via = clipboard.copy(self.app, self.text)
        self.notify(f"Copied the definition ({len(self.lines)} lines) to the {via}.", markup=False)

    def action_save(self) -> None:
        if not self.text or self.declaration is None:
            self.notify("The definition is not read yet.", severity="warning")
            return
        path = Path.cwd() / f"{defn.file_stem(self.pipeline_name)}-v{self.declaration.version}.json"
        try:
            path.write_text(self.text, encoding="utf-8")
        except OSError as error:
            self.notify(clean(f"Could not save the definition: {error}"), severity="error", markup=False)
            return
        self.saved_to = path
        self.notify(clean(f"Saved the definition to {path}"), markup=False)

    def action_edit(self) -> None:
        from tui.ui import manage

        manage.open_edit(self.app, self.target, self.pipeline_name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            from tui.ui import send

            return not send.read_only(self.host)
        return True

    def action_refresh(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        """Back from a dialog or an edit: read it again if the pipeline's version moved on."""
        known = self.host.store.definition(self.target, self.pipeline_name)
        if self.declaration is not None and known is not None and known.version != self.declaration.version:
            self.load()

    def action_back(self) -> None:
        search = self.query_one("#definition-search", Input)
        if search.has_class("-shown"):
            self._close_search()
            return
        self.dismiss()
