"""The web server of ``cptui serve``: textual-serve's, with every request checked.

textual-serve (1.1.x) spawns one app process per browser websocket and relays the terminal. Its
``Server`` is kept for the websocket relay, the page template and the downloads; this subclass
changes what is unsafe in it:

- every route needs the token and a same-site Origin (a middleware, before any handler runs);
- the page's own URLs carry the token in their path (``/ws/<token>``, ``/static/<token>/...``);
- each spawned app gets ``security.child_environment`` (allow-listed, with the browser's address in
  ``CPTUI_SERVE_CLIENT`` for the audit log) instead of the server's whole environment;
- no access log (it would hold the token); refusals are logged with the token redacted;
- at most ``max_sessions`` apps at once; responses are never cached, framed or sent as a referrer.

Only imported when the ``serve`` extra is installed (``tui.serve.cli`` checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tui.serve.security import allowed_origins, client_label, redacted, refusal

log = logging.getLogger("cptui.serve")

# What textual-serve's own environment adds for the web driver; everything else comes from the
# allow-list.
_DRIVER_KEYS = (
    "TEXTUAL_DRIVER",
    "TEXTUAL_FPS",
    "TEXTUAL_COLOR_SYSTEM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "COLUMNS",
    "ROWS",
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Referrer-Policy": "no-referrer",  # the page's URL holds the token
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",  # no clickjacking of a confirmation dialog
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
QUIT_TIMEOUT = 10.0
MIN_COLUMNS, MAX_COLUMNS = 20, 1000
MIN_ROWS, MAX_ROWS = 5, 500
FORBIDDEN_TEXT = "403: forbidden. Open the URL cptui serve printed (it carries the token).\n"


class _Session(AppService):
    """One browser's app process, started with the environment it was given."""

    def __init__(self, command: str, *, environment: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self._environment = dict(environment)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        driver = super()._build_environment(width=width, height=height)
        env = dict(self._environment)
        env.update({key: driver[key] for key in _DRIVER_KEYS if key in driver})
        return env

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*terminal_size(width, height))

    async def stop(self) -> None:
        """Ask the app to quit (textual-serve's stop), then wait for its process: killed if it has
        not exited within ``QUIT_TIMEOUT`` seconds, so no browser leaves an app process behind."""
        await super().stop()
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_TIMEOUT)
        except TimeoutError:
            log.warning("app process %d did not quit; killing it", process.pid)
            process.kill()
            await process.wait()


def terminal_size(width: object, height: object) -> tuple[int, int]:
    """The browser's terminal size, within bounds (a page may ask for any size; the app would
    allocate it)."""
    return (
        min(MAX_COLUMNS, max(MIN_COLUMNS, to_int(str(width), 80))),
        min(MAX_ROWS, max(MIN_ROWS, to_int(str(height), 24))),
    )


def public_host(host: str) -> str:
    """How a URL names ``host``: this machine's name for every address (0.0.0.0 / ::), an IPv6
    address in brackets."""
    if host in {"0.0.0.0", "::", ""}:
        return socket.getfqdn()
    return f"[{host}]" if ":" in host else host


def websocket_url(public_url: str, path: str) -> str:
    """``path`` under ``public_url`` with a websocket scheme (wss behind https)."""
    parts = urlsplit(public_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + path, "", ""))


class GuardedServer(Server):
    """textual-serve's server with the token, the Origin check and the environment filter."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        token: str,
        environment: Callable[[str], Mapping[str, str]],
        public_url: str | None = None,
        max_sessions: int = 8,
        title: str = "cptui",
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.token = token
        self.environment = environment  # the browser's address -> the app's environment
        self.max_sessions = max_sessions
        self.fixed_public_url = public_url
        self.origins: frozenset[str] = frozenset()
        self.sessions: set[web.WebSocketResponse] = set()
        self.bound(port)

    def bound(self, port: int) -> None:
        """Learn the listening port (``--port 0`` picks one), and with it the URL and Origins."""
        self.port = port
        if self.fixed_public_url is None:
            host = public_host(self.host)
            self.public_url = f"http://{host}:{port}"
        self.origins = allowed_origins(self.public_url, self.host, port)

    @property
    def url(self) -> str:
        """The URL to open: the public URL with the token."""
        return f"{self.public_url.rstrip('/')}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/static/{token}/{filename:.+}", self.handle_static, name="static"),
                web.get("/download/{token}/{key}", self.handle_download, name="download"),
            ]
        )
        app.on_response_prepare.append(self._add_headers)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        token = request.query.get("token") or request.match_info.get("token")
        reason = refusal(
            token=token, expected=self.token, origin=request.headers.get("Origin"), allowed=self.origins
        )
        if reason is not None:
            if request.path == "/favicon.ico":  # (every page load asks; not worth a line)
                return web.Response(status=403, text=FORBIDDEN_TEXT)
            log.warning("refused %s %s: %s", request.remote, redacted(request.path_qs, self.token), reason)
            return web.Response(status=403, text=FORBIDDEN_TEXT)
        response: web.StreamResponse = await handler(request)
        return response

    async def _add_headers(self, _request: web.Request, response: web.StreamResponse) -> None:
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        base = self.public_url.rstrip("/")
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket_url(self.public_url, f"/ws/{self.token}"),
            "config": {"static": {"url": f"{base}/static/{self.token}/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_static(self, request: web.Request) -> web.StreamResponse:
        base = Path(self.statics_path).resolve()
        path = (base / request.match_info["filename"]).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if len(self.sessions) >= self.max_sessions:
            log.warning("refused %s: %d sessions already open", request.remote, len(self.sessions))
            raise web.HTTPServiceUnavailable(text=f"{self.max_sessions} sessions already open\n")
        client = client_label(request.remote, request.headers.get("X-Forwarded-For"))
        websocket = web.WebSocketResponse(heartbeat=15)
        if not websocket.can_prepare(request).ok:  # a plain GET: say so, not a dropped connection
            raise web.HTTPBadRequest(text="this is the websocket of cptui serve's page\n")
        width, height = terminal_size(request.query.get("width", "80"), request.query.get("height", "24"))
        session: _Session | None = None
        self.sessions.add(websocket)
        try:
            await websocket.prepare(request)
            log.info("session for %s started", client)
            session = _Session(
                self.command,
                environment=self.environment(client),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            log.exception(error)
        finally:
            self.sessions.discard(websocket)
            if session is not None:
                await session.stop()
                log.info("session for %s ended", client)
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        for websocket in list(self.sessions):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


async def run(server: GuardedServer, *, announce: Callable[[str], None]) -> None:
    """Serve until SIGINT/SIGTERM/SIGHUP; ``announce`` gets the URL (with the real port) once listening."""
    app = await server._make_app()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, server.host, server.port)
        await site.start()
        server.bound(int(runner.addresses[0][1]))
        announce(server.url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, not main thread
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
