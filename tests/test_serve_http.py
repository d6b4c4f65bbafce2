"""cptui serve's HTTP layer, on real sockets on 127.0.0.1: every page, static file and websocket
needs the token and a same-site Origin; the spawned app gets the allow-listed environment with the
browser's address; and ``cptui serve --demo`` itself, as a process, end to end without a browser."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tui import cli
from tui.core.audit import SERVE_CLIENT_ENV
from tui.serve.browser import serving
from tui.serve.security import child_environment, new_token

pytest.importorskip("textual_serve", reason="the [serve] extra is not installed (pip install -e '.[dev]')")
from tui.serve import server as serve_server
from tui.serve.server import GuardedServer

FAKE_APP = Path(__file__).with_name("serve_fake_app.py")
SERVER_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/home/ops",
    "LANG": "C.UTF-8",
    "AWS_SECRET_ACCESS_KEY": "server-secret-key",
    "GITHUB_TOKEN": "ghp_not_for_the_app",
}


class Running:
    """A GuardedServer listening on a free loopback port."""

    def __init__(self, guarded: GuardedServer, test_server: TestServer) -> None:
        self.guarded = guarded
        self.test_server = test_server
        self.base = f"http://127.0.0.1:{test_server.port}"
        self.token = guarded.token

    @property
    def origin(self) -> str:
        return self.base


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    def environment(client: str) -> Mapping[str, str]:
        return child_environment(SERVER_ENV, demo=True, client=client)

    guarded = GuardedServer(
        shlex.join([sys.executable, str(FAKE_APP), "--read-only"]),
        host="127.0.0.1",
        port=0,
        token=new_token(),
        environment=environment,
        max_sessions=2,
    )
    test_server = TestServer(await guarded._make_app(), host="127.0.0.1", port=0)
    await test_server.start_server()
    guarded.bound(test_server.port)
    try:
        yield Running(guarded, test_server)
    finally:
        await test_server.close()


async def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers or {}) as response:
        await response.read()
        return response.status


async def ws_refused_with(url: str, headers: dict[str, str] | None = None) -> int | None:
    """The HTTP status a websocket handshake is refused with, or None if it was accepted."""
    async with aiohttp.ClientSession() as http:
        try:
            async with http.ws_connect(url, headers=headers or {}):
                return None
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def test_page_needs_the_token(running: Running) -> None:
    assert await status_of(f"{running.base}/") == 403
    assert await status_of(f"{running.base}/?token=") == 403
    assert await status_of(f"{running.base}/?token={new_token()}") == 403
    assert await status_of(f"{running.base}/?token={running.token[:-1]}") == 403
    assert await status_of(f"{running.base}/anything-else") == 403  # (no 404 that maps the routes)


async def test_page_with_the_token_carries_it_into_its_own_urls(running: Running) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{running.base}/?token={running.token}") as response,
    ):
        assert response.status == 200
        page = await response.text()
        headers = response.headers
    assert (
        f'data-session-websocket-url="ws://127.0.0.1:{running.test_server.port}/ws/{running.token}"' in page
    )
    assert f"/static/{running.token}/js/textual.js" in page
    assert headers["Referrer-Policy"] == "no-referrer"  # the token must not leave in a Referer
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


async def test_page_with_a_foreign_origin_is_refused(running: Running) -> None:
    url = f"{running.base}/?token={running.token}"
    assert await status_of(url, {"Origin": running.origin}) == 200
    assert await status_of(url, {"Origin": f"http://localhost:{running.test_server.port}"}) == 200
    assert await status_of(url, {"Origin": "http://evil.example"}) == 403
    assert await status_of(url, {"Origin": "null"}) == 403


async def test_static_files_need_the_token_and_stay_in_their_folder(running: Running) -> None:
    good = f"{running.base}/static/{running.token}/js/textual.js"
    assert await status_of(good) == 200
    assert await status_of(f"{running.base}/static/{new_token()}/js/textual.js") == 403
    assert await status_of(f"{running.base}/static/{running.token}/no-such-file.js") == 404
    escaping = f"{running.base}/static/{running.token}/%2e%2e/server.py"
    assert await status_of(escaping) in (403, 404)


async def test_websocket_needs_the_token(running: Running) -> None:
    ws = f"ws://127.0.0.1:{running.test_server.port}/ws"
    assert await ws_refused_with(f"{ws}/{new_token()}?width=80&height=24") == 403
    assert await ws_refused_with(f"{ws}?width=80&height=24") == 403
    assert running.guarded.sessions == set()


async def test_websocket_with_a_foreign_origin_is_refused(running: Running) -> None:
    url = f"ws://127.0.0.1:{running.test_server.port}/ws/{running.token}?width=80&height=24"
    assert await ws_refused_with(url, {"Origin": "http://evil.example"}) == 403
    assert await ws_refused_with(url, {"Origin": f"http://127.0.0.1:{running.test_server.port + 1}"}) == 403


async def receive_app_dump(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Connect a websocket and return what the fake app sent (its environment and arguments)."""
    async with aiohttp.ClientSession() as http, http.ws_connect(url, headers=headers or {}) as ws:
        message = await ws.receive(timeout=30)
        assert message.type == aiohttp.WSMsgType.BINARY, message
        dump: dict[str, Any] = json.loads(message.data)
        return dump


async def test_websocket_with_the_token_runs_the_app_with_the_filtered_environment(running: Running) -> None:
    url = f"ws://127.0.0.1:{running.test_server.port}/ws/{running.token}?width=100&height=30"
    dump = await receive_app_dump(url, {"Origin": running.origin, "X-Forwarded-For": "203.0.113.9"})
    env = dump["env"]
    assert dump["argv"] == ["--read-only"]
    assert env[SERVE_CLIENT_ENV] == "127.0.0.1 (X-Forwarded-For: 203.0.113.9)"
    assert env["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert env["COLUMNS"] == "100" and env["ROWS"] == "30"
    assert env["HOME"] == "/home/ops"
    assert "GITHUB_TOKEN" not in env
    assert "AWS_SECRET_ACCESS_KEY" not in env
    # nothing of this test process's own environment beyond the allow-list either
    allowed = {*SERVER_ENV, SERVE_CLIENT_ENV, *serve_server._DRIVER_KEYS}
    assert set(env) <= allowed | {"PWD", "SHLVL", "_"}  # (what /bin/sh adds)


def test_serve_main_gives_sessions_the_filtered_environment_of_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The wiring: cptui serve hands the server a filter of the real environment, and a command
    that ends in --read-only; nothing listens (run is replaced)."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_for_the_app")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-secret-key")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    seen: dict[str, Any] = {}

    async def fake_run(guarded: GuardedServer, *, announce: Any) -> None:
        seen["server"] = guarded

    monkeypatch.setattr(serve_server, "run", fake_run)
    assert cli.main(["serve", "--demo", "--port", "0"]) == 0
    guarded: GuardedServer = seen["server"]
    assert guarded.host == "127.0.0.1"
    assert shlex.split(guarded.command)[-2:] == ["--demo", "--read-only"]
    env = guarded.environment("192.0.2.1")
    assert env["PATH"] == os.environ["PATH"]
    assert env[SERVE_CLIENT_ENV] == "192.0.2.1"
    assert "GITHUB_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env


async def test_sessions_are_capped(running: Running) -> None:
    url = f"ws://127.0.0.1:{running.test_server.port}/ws/{running.token}?width=80&height=24"
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(url)
        second = await http.ws_connect(url)
        await first.receive(timeout=30)
        await second.receive(timeout=30)
        assert await ws_refused_with(url) == 503
        await first.close()
        await second.close()


def test_cptui_serve_demo_process(tmp_path: Path) -> None:
    """The real command: prints a URL with the token; the page answers 403 without it and 200 with
    it; a websocket with the token runs the demo app, whose screen names a demo pipeline."""
    import asyncio

    env = {**child_environment(os.environ), "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    with serving(["--demo"], env=env, timeout=20) as served:
        base, _, token = served.url.partition("/?token=")
        assert base.startswith("http://127.0.0.1:")
        assert len(token) >= 40

        async def check() -> str:
            assert await status_of(f"{base}/") == 403
            assert await status_of(served.url) == 200
            ws = base.replace("http://", "ws://") + f"/ws/{token}?width=120&height=36"
            assert await ws_refused_with(ws, {"Origin": "http://evil.example"}) == 403
            seen = b""
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(ws, headers={"Origin": base}) as socket,
            ):
                while b"payments-api" not in seen or b"read-only" not in seen:
                    message = await socket.receive(timeout=40)
                    if message.type != aiohttp.WSMsgType.BINARY:
                        break
                    seen += message.data
            return seen.decode("utf-8", "replace")

        screen = asyncio.run(asyncio.wait_for(check(), timeout=40))
        assert "payments-api" in screen
        assert "read-only" in screen


async def test_websocket_url_without_upgrade_is_a_plain_400(running: Running) -> None:
    assert await status_of(f"{running.base}/ws/{running.token}") == 400
    assert running.guarded.sessions == set()


async def test_terminal_size_from_the_page_is_bounded(running: Running) -> None:
    url = f"ws://127.0.0.1:{running.test_server.port}/ws/{running.token}?width=99999999&height=-3"
    env = (await receive_app_dump(url))["env"]
    assert (env["COLUMNS"], env["ROWS"]) == ("1000", "5")
