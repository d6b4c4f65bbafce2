"""Helpers for the reliability tests: the real App on the simulator with a poll clock the test
drives, a call recorder, and checks of what reaches the terminal.

Time: the App's wall clock is the simulator's ManualClock and its poll clock is a ``FakeMonotonic``;
``drive`` moves both (or only the poll clock) in steps and ticks the poller after each step, so
minutes of simulated time pass in seconds of real time, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.support import apps
from tests.support.apps import CREDENTIALS, EAST, Credentials
from tests.support.notices import Notice, told
from tests.support.sim import FakeMonotonic
from tests.support.strips import screen_strips
from tests.support.wait import wait_settled
from tui.app.application import CptuiApp
from tui.aws.client import AwsPipelineService
from tui.aws.errors import AwsError
from tui.core.model import Target
from tui.sim import ManualClock, Simulator
from tui.ui.screens.pipeline import PipelineScreen

__all__ = [
    "CREDENTIALS",
    "EAST",
    "CallLog",
    "Rig",
    "control_chars",
    "drive",
    "make_rig",
    "open_pipeline",
    "running",
    "step",
]
# Terminal control that must never reach the screen from AWS text: C0 (tab, newline and all),
# DEL and C1 (0x9b is a one-byte CSI, 0x9d a one-byte OSC).
CONTROL = frozenset([*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0))])


@dataclass
class CallLog:
    """A ``CallObserver`` for the service: every logical call (botocore retries are inside one)."""

    clock: Callable[[], float]
    calls: list[tuple[float, str, bool, str | None]] = field(default_factory=list)
    chained: Any = None

    def __call__(self, target: Target, operation: str, ok: bool, error_kind: str | None) -> None:
        self.calls.append((self.clock(), operation, ok, error_kind))
        if self.chained is not None:
            self.chained(target, operation, ok, error_kind)

    def failures(self) -> Counter[str]:
        return Counter(kind for _, _, ok, kind in self.calls if not ok and kind)


@dataclass
class Rig:
    """One App on the simulator, with its poll clock, services and call log."""

    app: CptuiApp
    sim: Simulator
    mono: FakeMonotonic
    services: list[AwsPipelineService]
    log: CallLog
    errors: list[BaseException] = field(default_factory=list)  # everything report_error saw

    @property
    def notices(self) -> list[Notice]:
        """Every notice the app told, in order."""
        return told(self.app)

    @property
    def clock(self) -> ManualClock:
        clock = self.sim.clock
        assert isinstance(clock, ManualClock)
        return clock

    def unexpected(self) -> list[BaseException]:
        """Errors that reached the one error handler and were not AWS errors: crashes."""
        return [e for e in self.errors if not isinstance(e, AwsError)]

    def wait(self, pilot: Pilot[Any], every: float = 0.5) -> apps.Waiter:
        """A waiter for ``apps.open_pipeline``: step time (``drive``) until the condition holds."""

        async def until(condition: Callable[[], object]) -> float:
            return await drive(pilot, self, condition, every=every)

        return until


def make_rig(
    sim: Simulator,
    tmp_path: Path,
    *,
    targets: Sequence[Target] = (EAST,),
    tps: float = 4.0,
    burst: int = 8,
    credentials: Credentials | None = CREDENTIALS,
    read_timeout: float = 10.0,
    services: Sequence[AwsPipelineService] | None = None,
    protected: Sequence[str] = (),
) -> Rig:
    """``apps.sim_app`` with the default rate budget, a poll clock the test moves, a call log on
    every service and a record of what reached ``report_error``.

    ``protected``: nothing by default, so the rigs that approve payments-api-prod need not type its name.
    """
    mono = FakeMonotonic()
    log = CallLog(mono)
    made = (
        list(services)
        if services is not None
        else apps.sim_services(sim, targets, credentials=credentials, read_timeout=read_timeout)
    )
    for service in made:
        log.chained, service.observer = service.observer, log
    app = apps.sim_app(
        sim, tmp_path, services=made, tps=tps, burst=burst, protected=protected, monotonic=mono
    )
    rig = Rig(app, sim, mono, made, log)
    original = app.report_error

    def report_error(error: BaseException, *, once: str | None = None) -> None:
        rig.errors.append(error)
        original(error, once=once)

    app.report_error = report_error  # type: ignore[method-assign]
    return rig


@asynccontextmanager
async def running(
    sim: Simulator,
    tmp_path: Path,
    *,
    faults: str = "",
    size: tuple[int, int] = (120, 36),
    notifications: bool = False,
    **options: Any,
) -> AsyncIterator[tuple[Rig, CptuiApp, Pilot[None]]]:
    """The reliability tests' set-up: the simulator's ``faults`` set, ``make_rig(**options)``, its
    app run at ``size``; yields (rig, app, pilot). On the way out, no crash reached ``report_error``."""
    if faults:
        sim.set_faults(faults)
    rig = make_rig(sim, tmp_path, **options)
    async with rig.app.run_test(size=size, notifications=notifications) as pilot:
        yield rig, rig.app, pilot
    assert not rig.unexpected(), rig.unexpected()


async def step(pilot: Pilot[Any], rig: Rig, seconds: float, *, sim_time: bool = True) -> None:
    """Move the poll clock (and the simulator's, unless ``sim_time`` is False) and tick once."""
    rig.mono.advance(seconds)
    if sim_time:
        rig.clock.advance(seconds)
    rig.app.poller.tick()
    await pilot.pause(0.01)


async def drive(
    pilot: Pilot[Any],
    rig: Rig,
    until: Callable[[], object],
    *,
    seconds: float = 120.0,
    every: float = 1.0,
    sim_time: bool = True,
    real_timeout: float = 30.0,
) -> float:
    """Step time until ``until()`` holds on a settled screen; returns the simulated seconds it took.

    Once ``until()`` holds, the screen is let settle (in real time: no simulated time passes) and
    ``until()`` asked again, so a test that reads the screen next does not read a frame composed
    while a layout was pending (a notice updated but not yet given its row). Fails after
    ``seconds`` of simulated time or ``real_timeout`` seconds of real time.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + real_timeout

    def remaining() -> float:
        return max(0.0, deadline - loop.time())

    waited = 0.0
    while True:
        if until():
            await wait_settled(pilot, timeout=remaining())
            if until():
                return waited
        if waited >= seconds:
            raise AssertionError(f"condition not met within {seconds} simulated seconds")
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {real_timeout}s of real time")
        await step(pilot, rig, every, sim_time=sim_time)
        waited += every


def strips_text(app: App[Any]) -> list[str]:
    """Every segment's text of the current screen (all layers: toasts, modals), per row."""
    rows = []
    for strip in screen_strips(app):
        rows.append("".join(segment.text for segment in strip))
    return rows


def control_chars(app: App[Any]) -> list[tuple[int, str]]:
    """(row, repr of the character) for every control character about to reach the terminal."""
    found: list[tuple[int, str]] = []
    for row, text in enumerate(strips_text(app)):
        found.extend((row, repr(ch)) for ch in text if ch in CONTROL)
    return found


async def open_pipeline(pilot: Pilot[Any], rig: Rig, name: str, target: Target = EAST) -> PipelineScreen:
    """Push the pipeline's screen and step time until its graph is drawn from a definition."""
    return await apps.open_pipeline(pilot, rig.app, name, target=target, loaded=False, wait=rig.wait(pilot))
