"""cptui serve in a real headless browser (Debian's chromium): the page loads with the printed URL,
its xterm.js terminal renders the demo (a pipeline name, the read-only badge); without the token the
browser gets the 403 page. Skipped, saying why, when no chromium is on PATH (.ci/run installs it).

``CPTUI_SERVE_SCREENSHOT=path.png`` also saves a PNG of the page (``python -m tui.serve.browser``
regenerates the README's screenshots/serve.png)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from tui.serve.browser import DEMO_PIPELINE, BrowserError, chromium, find_chromium, serving, terminal_text
from tui.serve.security import child_environment

CHROMIUM = find_chromium()
pytest.importorskip("textual_serve", reason="the [serve] extra is not installed (pip install -e '.[dev]')")
BUDGET = 50.0  # seconds, start to rendered page, under load (it takes about 5 s on an idle machine)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it when it can)",
)


@pytest.mark.slow
def test_demo_in_headless_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    env = {**child_environment(os.environ), "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    shot = os.environ.get("CPTUI_SERVE_SCREENSHOT")
    png = Path(shot) if shot else tmp_path / "serve.png"
    deadline = time.monotonic() + BUDGET
    with serving(["--demo"], env=env, timeout=20) as served, chromium(CHROMIUM, timeout=10) as browser:
        left = max(5.0, deadline - time.monotonic())
        text = asyncio.run(terminal_text(browser, served.url, want=DEMO_PIPELINE, timeout=left, png=png))
        assert "read-only" in text.splitlines()[0]  # the header's badge: the served app cannot act
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        base = served.url.partition("/?token=")[0]
        with pytest.raises(BrowserError, match="not in the page"):  # no token: 403, no terminal
            asyncio.run(terminal_text(browser, f"{base}/", want=DEMO_PIPELINE, timeout=3))
