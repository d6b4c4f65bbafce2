"""Look at ``cptui serve`` in a real headless browser: chromium, driven over the DevTools protocol.

Used by the end-to-end test and to regenerate the README's picture::

    python -m tui.serve.browser screenshots/serve.png

which starts ``cptui serve --demo`` on a free loopback port, opens its URL in headless chromium,
waits until the terminal in the page shows a demo pipeline, and saves a PNG of the page.

The terminal's text is read from xterm.js's buffer (what the page renders), not from the websocket:
textual-serve's page keeps its terminal object private, so a script added before the page loads
notes the object when its constructor sets ``websocket_url`` (textual.js of textual-serve 1.1).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEMO_PIPELINE = "payments-api"
# Runs in the page before textual.js: keep the terminal session object when it is built.
_HOOK = """
Object.defineProperty(Object.prototype, "websocket_url", {
  configurable: true,
  set(value) {
    Object.defineProperty(
      this, "websocket_url", {value, writable: true, configurable: true, enumerable: true}
    );
    window.__cptuiSession = this;
  },
});
"""
# The rendered terminal's rows as text ("" until the session exists).
_READ_ROWS = """
(() => {
  const session = window.__cptuiSession;
  if (!session || !session.terminal) return "";
  const buffer = session.terminal.buffer.active;
  const rows = [];
  for (let y = 0; y < session.terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""

_TWO_FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


class BrowserError(RuntimeError):
    """The browser, the page or the server did not get where expected (says where it stopped)."""


def find_chromium() -> str | None:
    """A chromium on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A minimal DevTools protocol client on one page target."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = websocket
        self._next = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        await self._ws.send_json({"id": ident, "method": method, "params": params})
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if data.get("id") == ident:
                if "error" in data:
                    raise BrowserError(f"{method}: {data['error']}")
                result: dict[str, Any] = data.get("result", {})
                return result
        raise BrowserError(f"{method}: the browser closed the connection")


@dataclass
class Chromium:
    """A headless chromium process with its DevTools port."""

    process: subprocess.Popen[bytes]
    port: int


@contextlib.contextmanager
def chromium(
    executable: str, *, size: tuple[int, int] = (1280, 800), timeout: float = 20
) -> Iterator[Chromium]:
    """Headless chromium with a throw-away profile, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="cptui-chromium-") as profile:
        args = [
            executable,
            "--headless=new",
            "--no-sandbox",  # (root in a container has no user namespaces)
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--mute-audio",
            f"--window-size={size[0]},{size[1]}",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            active = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not (active.exists() and active.read_text().strip()):
                if process.poll() is not None:
                    raise BrowserError(f"{executable} exited with status {process.returncode} at start")
                if time.monotonic() > deadline:
                    raise BrowserError(f"{executable} did not open its DevTools port in {timeout:.0f} s")
                time.sleep(0.05)
            yield Chromium(process, int(active.read_text().splitlines()[0]))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def terminal_text(
    browser: Chromium,
    url: str,
    *,
    want: str,
    gone: str | None = None,
    timeout: float = 40,
    png: Path | None = None,
) -> str:
    """Open ``url``, wait until the rendered terminal's text contains ``want`` (and, if given, no
    longer ``gone``), optionally save a PNG of the page; returns the terminal's text.
    ``BrowserError`` (with the last text seen) on timeout."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{browser.port}/json/list") as response:
            targets = await response.json()
        page = next((t for t in targets if t.get("type") == "page"), None)
        if page is None:
            raise BrowserError("chromium has no page target")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tools = DevTools(ws)
            await tools.call("Page.enable")
            await tools.call("Page.addScriptToEvaluateOnNewDocument", source=_HOOK)
            await tools.call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            text = ""
            while want not in text or (gone is not None and gone in text):
                if time.monotonic() > deadline:
                    raise BrowserError(
                        f"{want!r} not in the page's terminal after {timeout:.0f} s; it shows:\n{text}"
                    )
                await asyncio.sleep(0.25)
                result = await tools.call("Runtime.evaluate", expression=_READ_ROWS, returnByValue=True)
                text = str(result.get("result", {}).get("value") or "")
            if png is not None:
                # the terminal's buffer holds the text; the canvas shows it after the next frames
                await tools.call("Runtime.evaluate", expression=_TWO_FRAMES, awaitPromise=True)
                shot = await tools.call("Page.captureScreenshot", format="png")
                png.parent.mkdir(parents=True, exist_ok=True)
                png.write_bytes(base64.b64decode(shot["data"]))
            return text


@dataclass
class Served:
    """A running ``cptui serve`` and the URL it printed (with the token)."""

    process: subprocess.Popen[str]
    url: str
    stderr: queue.Queue[str]


@contextlib.contextmanager
def serving(
    cptui_args: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 30
) -> Iterator[Served]:
    """``cptui serve --port 0 ARGS`` in a subprocess, until the block ends."""
    command = [sys.executable, "-m", "tui", "serve", "--port", "0", *cptui_args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    lines: queue.Queue[str] = queue.Queue()
    errors: queue.Queue[str] = queue.Queue()

    def pump(stream: Any, into: queue.Queue[str]) -> None:
        for line in stream:
            into.put(line)

    for stream, into in ((process.stdout, lines), (process.stderr, errors)):
        threading.Thread(target=pump, args=(stream, into), daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        url = ""
        while not url:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BrowserError(
                    f"cptui serve printed no URL in {timeout:.0f} s: {_drain(errors)}"
                ) from None
            url = next((word for word in line.split() if word.startswith("http")), "")
        yield Served(process, url, errors)
    finally:
        process.terminate()  # SIGTERM: the server closes its sessions, their apps quit
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def _drain(errors: queue.Queue[str]) -> str:
    text = []
    while not errors.empty():
        text.append(errors.get_nowait())
    return "".join(text).strip() or "(nothing on stderr)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tui.serve.browser",
        description="Serve --demo, open it in headless chromium, save a PNG of the page.",
    )
    parser.add_argument("png", type=Path, nargs="?", default=Path("screenshots/serve.png"))
    parser.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print("no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    width, height = (int(n) for n in args.size.split("x"))
    with serving(["--demo"]) as served, chromium(executable, size=(width, height)) as browser:
        text = asyncio.run(
            terminal_text(browser, served.url, want=DEMO_PIPELINE, gone="loading", png=args.png)
        )
    print(text)
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
