"""``cptui serve``: options, checks, the command each browser session runs, then the server.

Textual-serve and aiohttp are imported only after the options are checked, and only if the extra is
installed; without it the command says how to install it (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tui.serve.security import TokenError, child_environment, is_loopback, new_token, read_token_file

EXIT_USAGE = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 8
EXTRA_MODULES = frozenset({"textual_serve", "aiohttp", "aiohttp_jinja2", "jinja2"})  # what [serve] brings
MISSING_EXTRA = (
    "cptui serve needs the optional extra 'serve' (textual-serve), which is not installed:\n"
    "    pip install 'cptui[serve]'\n"
    "(or, in a checkout: pip install -e '.[serve]')"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cptui serve",
        allow_abbrev=False,  # --p must not swallow cptui's --profile
        description=(
            "Serve the dashboard to a browser. Every request needs the printed URL's token; the app "
            "is read-only unless --allow-actions."
        ),
        epilog=(
            "Any other option is a cptui option (--demo, --profile, --region, --config, ...) and is "
            "passed to the app each browser session runs. TLS and user accounts are not provided: "
            "put a reverse proxy in front to serve beyond this machine (see the README)."
        ),
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="read the access token from FILE (first line) instead of generating a random one",
    )
    parser.add_argument(
        "--allow-actions",
        action="store_true",
        help="let browsers approve, retry, ... (each still confirmed; audited with the browser's address)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers use, behind a reverse proxy (e.g. https://wallboard.example.com)",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"browser sessions (app processes) at once (default {DEFAULT_MAX_SESSIONS})",
    )
    return parser


def app_arguments(cptui_args: Sequence[str], *, allow_actions: bool) -> list[str]:
    """The cptui options each session runs with: read-only unless actions are allowed."""
    return [*cptui_args, *([] if allow_actions else ["--read-only"])]


def app_command(cptui_args: Sequence[str], *, allow_actions: bool) -> str:
    """The shell command textual-serve starts per session: this Python, this cptui."""
    return shlex.join([sys.executable, "-m", "tui", *app_arguments(cptui_args, allow_actions=allow_actions)])


def exposure_warning(host: str) -> str | None:
    """What binding to ``host`` means, when it is not this machine only."""
    if is_loopback(host):
        return None
    return (
        f"cptui serve: warning: listening on {host}, reachable from other machines. The token is "
        "sent in clear over plain HTTP and there are no user accounts: put a reverse proxy with TLS "
        "and authentication in front (README: Serving in a browser), and pass --public-url."
    )


def main(
    argv: Sequence[str],
    *,
    app_options: Callable[[list[str]], argparse.Namespace | str],
    environ: Mapping[str, str] | None = None,
) -> int:
    """``cptui serve ...``; returns the exit status. ``app_options`` parses and checks cptui's own
    options (``tui.cli.served_app_options``: the entry point passes it, as this layer is below it)."""
    env = os.environ if environ is None else environ
    parser = build_parser()
    try:
        args, rest = parser.parse_known_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    problem = _check(args)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    cptui = app_options(rest)
    if isinstance(cptui, str):
        print(cptui, file=sys.stderr)
        return EXIT_USAGE
    try:
        token = read_token_file(args.token_file) if args.token_file else new_token()
    except TokenError as exc:
        print(f"cptui serve: --token-file {args.token_file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:  # (import_module: "from tui.serve import server" would be content with the package's attribute)
        importlib.import_module("tui.serve.server")
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in EXTRA_MODULES:
            raise  # a bug of ours, not a missing extra
        print(MISSING_EXTRA, file=sys.stderr)
        return EXIT_USAGE
    from tui.serve import server

    profiles = list(cptui.profile or [])

    def environment(client: str) -> dict[str, str]:
        return child_environment(env, profiles=profiles, demo=bool(cptui.demo), client=client)

    warning = exposure_warning(args.host)
    if warning:
        print(warning, file=sys.stderr)
    guarded = server.GuardedServer(
        app_command(rest, allow_actions=args.allow_actions),
        host=args.host,
        port=args.port,
        token=token,
        environment=environment,
        public_url=args.public_url,
        max_sessions=args.max_sessions,
    )
    mode = "actions allowed (each confirmed and audited)" if args.allow_actions else "read-only"
    logging.basicConfig(level=logging.INFO, format="cptui serve: %(message)s", stream=sys.stderr)

    def announce(url: str) -> None:
        print(f"cptui serve: {mode}; open {url}\n(Ctrl+C to stop)", flush=True)

    try:
        asyncio.run(server.run(guarded, announce=announce))
    except OSError as exc:  # the port is taken, the address is not ours, ...
        reason = exc.strerror or exc
        print(f"cptui serve: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _check(args: argparse.Namespace) -> str | None:
    """A usage problem in the serve options, or None."""
    if not 0 <= args.port <= 65535:
        return f"cptui serve: --port {args.port}: not a port number (0-65535)"
    if args.max_sessions < 1:
        return "cptui serve: --max-sessions must be at least 1"
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        return f"cptui serve: --public-url {args.public_url}: must start with http:// or https://"
    return None
