"""The ``cptui`` command: parse arguments, read the config, build one service per target, run the app.

Textual, aiobotocore, the app and the simulator are imported where they are first needed, so
``cptui --version`` and usage errors answer at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui import __version__
from tui.core.config import Config, ConfigError
from tui.core.endpoints import Endpoint, UsageError, load, resolve_targets
from tui.core.model import Target
from tui.core.toml_lines import TomlLines

if TYPE_CHECKING:
    from tui.aws.client import AwsPipelineService
    from tui.aws.service import PipelineService
    from tui.core.targets import TargetFactory
    from tui.sim import Simulator

DEMO_CREDENTIALS: tuple[str, str, str | None] = ("AKID123456789012", "demo", None)
DEMO_REGION = "us-east-1"
# The demo's two accounts. The simulator reads the account from the access key id, so each "profile"
# here is only a name for static keys; none of them is looked up in ~/.aws.
DEMO_ACCOUNTS: dict[str, str] = {"demo-prod": "123456789012", "demo-shared": "210987654321"}
DEFAULT_SEED = 7
EXIT_USAGE = 2
DEMO_CONFLICT = (
    "cptui: --demo runs against the embedded simulator; drop --profile, --region and --endpoint-url"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cptui",
        description="A terminal dashboard for AWS CodePipeline.",
        epilog=(
            "Targets are every --profile x --region pair; without either, the [[targets]] of the "
            "config file; without those, AWS_PROFILE and AWS_REGION / AWS_DEFAULT_REGION / the "
            "profile's region. Push mode: cptui events setup | status | teardown (see --help there). "
            "In a browser: cptui serve (see cptui serve --help)."
        ),
    )
    parser.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="AWS profile to watch (repeatable)",
    )
    parser.add_argument(
        "--region", action="append", metavar="REGION", help="AWS region to watch (repeatable)"
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: $XDG_CONFIG_HOME/cptui/config.toml)",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="never offer a mutation (approve, retry, ...)"
    )
    parser.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="send every API call here (default: AWS_ENDPOINT_URL, else AWS)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the warm-start cache ($XDG_CACHE_HOME/cptui)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against the embedded simulator: no AWS account, no network",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed of the --demo simulator (default {DEFAULT_SEED})",
    )
    parser.add_argument("--version", action="version", version=f"cptui {__version__}")
    return parser


def demo_targets() -> list[Target]:
    """The targets ``--demo`` shows: two accounts, two regions (production in red)."""
    return [
        Target(region=DEMO_REGION, profile="demo-prod", name="prod/us-east-1", color="red"),
        Target(region="us-west-2", profile="demo-prod", name="prod/us-west-2", color="red"),
        Target(region=DEMO_REGION, profile="demo-shared", name="shared/us-east-1", color="#af87ff"),
    ]


def demo_credentials(target: Target) -> tuple[str, str, str | None]:
    """Static keys whose access key id names the target's demo account (``AKID<account>``)."""
    account = DEMO_ACCOUNTS.get(target.profile or "", DEMO_ACCOUNTS["demo-prod"])
    return (f"AKID{account}", "demo", None)


def demo_factory(endpoint_url: str) -> TargetFactory:
    """Targets added in the demo's picker: the demo's profiles, on the simulator."""
    from tui.aws.client import create_service
    from tui.core.targets import TargetFactory

    def make(target: Target) -> PipelineService:
        return create_service(target, endpoint_url=endpoint_url, credentials=demo_credentials(target))

    return TargetFactory(
        make=make, profiles=lambda: list(DEMO_ACCOUNTS), default_region=lambda _p: DEMO_REGION
    )


def check_keymap(keys: Mapping[str, str], path: Path | None, lines: TomlLines) -> None:
    """A ``[keys]`` remap against every screen's bindings; imports Textual and the screens, so only a
    config that remaps keys pays for it."""
    from tui.app.keymap import check_keymap as check

    check(keys, path, lines)


def served_app_options(argv: list[str]) -> argparse.Namespace | str:
    """cptui's own options as ``cptui serve`` passes them to each browser's app, checked now as the app
    would at start: the parsed options, or what is wrong (argparse prints its own message first)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        return "cptui serve: see cptui --help for the app's options"
    try:
        config = load(args.config, check_keymap=check_keymap)
        if args.demo and (args.profile or args.region or args.endpoint_url):
            raise UsageError(DEMO_CONFLICT)
        if not args.demo:
            resolve_targets(args, config)
    except (ConfigError, UsageError) as exc:
        return str(exc)
    return args


def build_services(endpoints: Sequence[Endpoint]) -> list[AwsPipelineService]:
    """One service per target; nothing connects until the app makes its first call."""
    from tui.aws.client import create_service

    return [create_service(e.target, endpoint_url=e.endpoint_url) for e in endpoints]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cptui`` console script and ``python -m tui``; returns the exit status."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["events"]:  # cptui events setup | status | teardown
        from tui.events.cli import main as events_main

        return events_main(args_list[1:], check_keymap=check_keymap)
    if args_list[:1] == ["serve"]:  # cptui serve [--host ...] [cptui options]: in a browser
        from tui.serve.cli import main as serve_main

        return serve_main(args_list[1:], app_options=served_app_options)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        config = with_cache(load(args.config, check_keymap=check_keymap), args.no_cache)
        read_only = bool(args.read_only or config.general.read_only)
        if args.demo:
            if args.profile or args.region or args.endpoint_url:
                raise UsageError(DEMO_CONFLICT)
            return _run_demo(args.seed, config, read_only)
        services = build_services(resolve_targets(args, config))
    except (ConfigError, UsageError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    return _run_app(services, config, read_only)


def with_cache(config: Config, no_cache: bool) -> Config:
    """The config with its warm-start cache folder: none with ``--no-cache`` or ``[general] cache =
    false``, else ``$XDG_CACHE_HOME/cptui`` (the demo moves it into its temporary directory)."""
    from tui.core.paths import default_cache_dir

    if no_cache or not config.general.cache:
        return replace(config, cache_dir=None)
    return replace(config, cache_dir=default_cache_dir())


def _run_demo(seed: int, config: Config, read_only: bool) -> int:
    from tui.aws.client import create_service
    from tui.sim import Simulator

    with tempfile.TemporaryDirectory(prefix="cptui-demo-") as state, removed_on_signal(Path(state)):
        handle = Simulator(scenario="demo", seed=seed).start_in_thread()
        try:
            services = [
                create_service(target, endpoint_url=handle.url, credentials=demo_credentials(target))
                for target in demo_targets()
            ]
            demo = with_demo_events(demo_config(config, Path(state)), handle.simulator)
            return _run_app(services, demo, read_only, factory=demo_factory(handle.url))
        finally:
            handle.stop()


@contextmanager
def removed_on_signal(folder: Path) -> Iterator[None]:
    """Remove ``folder`` also when the process is ended by SIGHUP (terminal closed) or SIGTERM,
    which skip ``finally`` blocks; then die of the signal as before."""

    def remove_and_die(signum: int, _frame: object) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    wanted = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    try:
        previous = {sig: signal.signal(sig, remove_and_die) for sig in wanted}
    except ValueError:  # not the main thread: signals cannot be handled here
        previous = {}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def demo_config(config: Config, state: Path) -> Config:
    """The demo's config: everything it writes stays in ``state`` (a temporary directory).

    The audit log, and beside it notified.json and watchlist.json, would otherwise be the user's real
    ones: the demo's fake approvals and retries must not appear in the real audit trail. Preferences
    changed in the demo (favourites, theme) stay in the demo too: not in the user's config file."""
    general = replace(config.general, audit_log=state / "audit.jsonl")
    # The warm-start cache too: the demo's pipelines never land in (or come from) the user's cache.
    cache = state / "cache" if config.cache_dir is not None else None
    return replace(config, path=None, general=general, cache_dir=cache)


def with_demo_events(config: Config, simulator: Simulator) -> Config:
    """The demo runs in push mode: each demo target gets a queue and rule in the simulator (what
    ``cptui events setup`` would create) and the config points at them."""
    from tui.core.config import EventQueueConfig
    from tui.events.resources import resource_name

    entries = []
    for target in demo_targets():
        account = DEMO_ACCOUNTS.get(target.profile or "", DEMO_ACCOUNTS["demo-prod"])
        name = resource_name("demo", target.region)
        queue = simulator.setup_event_queue(account, target.region, name)
        entries.append(
            EventQueueConfig(
                region=target.region,
                profile=target.profile,
                queue_url=queue.url,
                queue_name=name,
                rule_name=name,
                managed=True,
            )
        )
    return replace(config, events=replace(config.events, enabled=True, targets=tuple(entries)))


def _run_app(
    services: list[AwsPipelineService], config: Config, read_only: bool, factory: TargetFactory | None = None
) -> int:
    from tui.app.gc_freeze import pause_for_start

    pause_for_start()  # (the imports below allocate a lot, and nothing is garbage yet)
    from tui.app.application import CptuiApp
    from tui.core.targets import aws_factory

    if factory is None:
        # Targets added in the app go where the others go (--endpoint-url), if they all go to one place.
        endpoints = {s.endpoint_url for s in services}
        factory = aws_factory(endpoints.pop() if len(endpoints) == 1 else None)
    app = CptuiApp(services=services, config=config, read_only=read_only, clock=None, target_factory=factory)
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    code = app.return_code
    return int(code) if code is not None else 0
