"""``cptui events setup | status | teardown``: push mode's resources, one target at a time.

Targets are resolved as for the app (``--profile`` x ``--region``, else the config's targets,
else the environment); ``--endpoint-url`` sends every call elsewhere (the simulator). Setup and
teardown print exactly what they will change and ask; ``--yes`` answers for scripts, and without a
terminal to ask on and no ``--yes`` they refuse (exit 2). The queue's and rule's names and the
queue URL go into the config under ``[[events.targets]]``; an entry with a ``queue_url`` that is not
``managed`` is a queue someone else manages: setup and teardown leave it alone.

Exit status: 0 done (or nothing to do), 1 something failed or needs attention, 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.aws.errors import AwsError
from tui.core.config import Config, ConfigError, EventQueueConfig, KeymapCheck
from tui.core.config_save import save_event_queue
from tui.core.endpoints import Endpoint, UsageError, load, resolve_targets
from tui.core.model import Target
from tui.core.paths import default_config_path
from tui.core.sanitize import clean
from tui.events import admin

if TYPE_CHECKING:
    from tui.aws.client import AwsPipelineService

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cptui events",
        description=(
            "Push mode: an SQS queue per user and target receiving CodePipeline and CodeBuild state "
            "changes from an EventBridge rule."
        ),
    )
    parser.add_argument("command", choices=("setup", "status", "teardown"))
    parser.add_argument("--profile", action="append", metavar="NAME", help="AWS profile (repeatable)")
    parser.add_argument("--region", action="append", metavar="REGION", help="AWS region (repeatable)")
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to read and write")
    parser.add_argument("--endpoint-url", metavar="URL", help="send every API call here")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before changing anything")
    return parser


def main(
    argv: list[str],
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    make_service: Callable[[Endpoint], AwsPipelineService] | None = None,
    check_keymap: KeymapCheck | None = None,
) -> int:
    """``cptui events …``; ``check_keymap``: how ``cptui`` checks a ``[keys]`` remap (the file is read
    and written here too, and must stay one ``cptui`` reads)."""

    out = stdout or sys.stdout
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        config = load(args.config, check_keymap=check_keymap)
        endpoints = resolve_targets(args, config)
    except (ConfigError, UsageError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if config.path is None:
        config = replace(config, path=default_config_path())
    make = make_service or _service
    session = _Session(config, args.command, bool(args.yes), stdin or sys.stdin, out, check_keymap)
    return asyncio.run(session.run([(e, make(e)) for e in endpoints]))


def _service(endpoint: Endpoint) -> AwsPipelineService:
    from tui.aws.client import create_service

    return create_service(endpoint.target, endpoint_url=endpoint.endpoint_url)


class _Session:
    def __init__(
        self,
        config: Config,
        command: str,
        yes: bool,
        stdin: TextIO,
        out: TextIO,
        check_keymap: KeymapCheck | None,
    ) -> None:
        self.config = config
        self.check_keymap = check_keymap
        self.command = command
        self.yes = yes
        self.stdin = stdin
        self.out = out

    def say(self, text: str = "", end: str = "\n") -> None:
        print(text, file=self.out, flush=True, end=end)

    async def run(self, services: list[tuple[Endpoint, AwsPipelineService]]) -> int:
        worst = EXIT_OK
        try:
            for endpoint, service in services:
                try:
                    code = await getattr(self, self.command)(endpoint, service)
                except AwsError as exc:
                    self.say(f"  failed: {clean(str(exc))}")
                    code = EXIT_FAILED
                except ConfigError as exc:
                    self.say(f"  config not written: {clean(str(exc))}")
                    code = EXIT_FAILED
                worst = max(worst, code)
        finally:
            for _, service in services:
                await service.close()
        return worst

    def confirm(self, question: str) -> int | None:
        """None: go ahead; else the exit status to stop with."""
        if self.yes:
            return None
        if not self.stdin.isatty():
            self.say("refused: no terminal to confirm on; run it in a terminal, or pass --yes")
            return EXIT_USAGE
        self.say(f"{question} [y/N] ", end="")
        answer = self.stdin.readline().strip().lower()
        if answer in ("y", "yes"):
            return None
        self.say("\nnothing changed" if not answer else "nothing changed")
        return EXIT_FAILED

    def heading(self, endpoint: Endpoint, names: admin.Names | None = None) -> None:
        where = f" (account {names.account})" if names else ""
        self.say(f"{clean(endpoint.target.label)}{where}:")

    async def setup(self, endpoint: Endpoint, service: AwsPipelineService) -> int:
        target = endpoint.target
        entry = self.config.events.for_target(target)
        if entry is not None and not entry.managed:
            self.heading(endpoint)
            self.say(f"  uses {clean(entry.queue_url)}, a queue someone else manages: setup leaves it alone")
            return EXIT_OK
        names = await admin.names_for(service, *(_names(entry)))
        self.heading(endpoint, names)
        plan = await admin.plan_setup(service, names)
        for line in plan.describe():
            self.say(f"  {clean(line)}")
        if plan.refused:
            return EXIT_FAILED
        queue_url = plan.found.queue_url
        if plan.steps:
            stop = self.confirm("Create these?")
            if stop is not None:
                return stop
            outcome = await admin.apply_setup(service, plan)
            queue_url = outcome.queue_url
            self.say(f"  done: {len(outcome.done)} change(s)")
        self._remember(
            target,
            EventQueueConfig(
                region=target.region,
                profile=target.profile,
                queue_url=queue_url,
                queue_name=names.queue_name,
                rule_name=names.rule_name,
                managed=True,
            ),
        )
        return EXIT_OK

    async def teardown(self, endpoint: Endpoint, service: AwsPipelineService) -> int:
        target = endpoint.target
        entry = self.config.events.for_target(target)
        if entry is not None and not entry.managed:
            self.heading(endpoint)
            self.say(
                f"  uses {clean(entry.queue_url)}, a queue someone else manages: teardown leaves it alone"
            )
            return EXIT_OK
        names = await admin.names_for(service, *(_names(entry)))
        self.heading(endpoint, names)
        plan = await admin.plan_teardown(service, names)
        for line in plan.describe():
            self.say(f"  {clean(line)}")
        if plan.steps:
            stop = self.confirm("Remove these?")
            if stop is not None:
                return stop
            outcome = await admin.apply_teardown(service, plan)
            self.say(f"  done: {len(outcome.done)} change(s)")
        if entry is not None:
            self._remember(target, None)
        return EXIT_OK

    async def status(self, endpoint: Endpoint, service: AwsPipelineService) -> int:
        target = endpoint.target
        entry = self.config.events.for_target(target)
        if entry is not None and not entry.managed and entry.queue_url:
            self.heading(endpoint)
            answer = await service.aws_call(
                "sqs",
                "GetQueueAttributes",
                QueueUrl=entry.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )
            attrs = answer.get("Attributes") or {}
            self.say(f"  queue {clean(entry.queue_url)} (managed by someone else): reachable")
            self.say(
                f"  events waiting: {clean(attrs.get('ApproximateNumberOfMessages', '?'))}, "
                f"being read: {clean(attrs.get('ApproximateNumberOfMessagesNotVisible', '?'))}"
            )
            return EXIT_OK
        names = await admin.names_for(service, *(_names(entry)))
        self.heading(endpoint, names)
        report = await admin.status(service, names)
        for line in report.describe():
            self.say(f"  {clean(line)}")
        if entry is None and not report.problems:
            self.say("  (not in the config yet: run `cptui events setup` to record it)")
        return EXIT_FAILED if report.problems else EXIT_OK

    def _remember(self, target: Target, entry: EventQueueConfig | None) -> None:
        current = self.config.events.for_target(target)
        if current == entry:
            return
        self.config = save_event_queue(self.config, target, entry, check_keymap=self.check_keymap)
        where = self.config.path
        self.say(f"  {'recorded in' if entry else 'removed from'} {where} [events]")


def _names(entry: EventQueueConfig | None) -> tuple[str | None, str | None]:
    if entry is None:
        return (None, None)
    return (entry.queue_name, entry.rule_name)
