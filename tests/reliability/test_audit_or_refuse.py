"""Audit or refuse: a mutation nobody could trace afterwards is not sent, and the demo never writes
the user's real state.

- With an audit log that cannot be written (its folder is a file: tests run as root, so chmod would
  not stop them), the app says so at start (banner and notice naming the file and the fix) and
  refuses every mutation with nothing sent to the simulator.
- When the audit line fails after the call went out, the call's outcome is still shown, with the
  audit failure beside it.
- ``cptui --demo`` keeps audit.jsonl, notified.json and watchlist.json in a temporary directory.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.apps import EAST
from tests.support.rig import Rig, drive, make_rig, running
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui import cli
from tui.app.application import CptuiApp
from tui.aws.client import AwsPipelineService
from tui.core import actions
from tui.core.actions import Outcome
from tui.core.audit import AuditLog
from tui.core.config import Config
from tui.sim import Simulator
from tui.ui import send

PIPELINE, STAGE = "web-frontend", "Test"
SIZE = (120, 36)


def disable() -> actions.ActionRequest:
    return actions.set_transition(EAST, PIPELINE, STAGE, enabled=False, reason="audit test")


def transition_enabled(sim: Simulator) -> bool:
    world = sim.engine.world()
    with sim.engine.lock:
        return world.pipelines[PIPELINE].transitions[STAGE].enabled


def sent(rig: Rig, operation: str) -> int:
    return sum(1 for _, op, _, _ in rig.log.calls if op == operation)


@pytest.fixture
async def blocked(sim: Simulator, tmp_path: Path) -> Rig:
    """The App with its audit log under a regular file: the folder can never be made."""
    (tmp_path / "state").write_text("a file, not a folder\n")
    return make_rig(sim, tmp_path / "state")


async def test_an_unwritable_audit_log_is_named_at_start_and_refuses_every_mutation(
    sim: Simulator, blocked: Rig, tmp_path: Path
) -> None:
    app = blocked.app
    path = tmp_path / "state" / "audit.jsonl"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        text = await wait_for_text(pilot, "Actions are off: the audit log", "Fix: make")
        assert app.audit_problem is not None
        banner = app.screen.query_one("#audit-banner")
        assert str(path) in str(banner.render()) and "[general] audit_log" in str(banner.render())
        assert any(str(path) in message and severity == "error" for message, severity, _ in blocked.notices)
        assert "Actions are off" in text
        assert "Quit" in text.splitlines()[-1]  # the banner does not cover the footer

        result = await send.run_confirmed(app, disable())
        assert result.outcome is Outcome.REFUSED
        assert result.message.startswith(f"nothing was sent: audit log {path} is not writable (")
        await drive(pilot, blocked, lambda: any("nothing was sent" in m for m, *_ in blocked.notices))
        assert sent(blocked, "DisableStageTransition") == 0 and transition_enabled(sim)
        # The same request again (a second press) is refused again, not remembered as sent.
        again = await send.run_confirmed(app, disable())
        assert again.outcome is Outcome.REFUSED and sent(blocked, "DisableStageTransition") == 0
        assert not path.parent.is_dir()


async def test_read_only_mode_needs_no_audit_log(sim: Simulator, blocked: Rig) -> None:
    blocked.app.read_only = True
    async with blocked.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert blocked.app.audit_problem is None and not blocked.app.screen.query("#audit-banner")


async def test_when_the_audit_line_fails_after_the_call_its_outcome_is_still_shown(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(sim, tmp_path, size=SIZE, notifications=True) as (rig, app, pilot):
        await pilot.pause()
        assert app.audit_problem is None and not app.screen.query("#audit-banner")

        def fail(self: AuditLog, record: object) -> None:
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr(AuditLog, "append", fail)  # the disk went read-only after the check
        result = await send.run_confirmed(app, disable())
        assert (
            result.outcome is Outcome.SUCCEEDED and result.audit_error == "[Errno 30] Read-only file system"
        )
        assert sent(rig, "DisableStageTransition") == 1 and not transition_enabled(sim)
        message, severity, _ = rig.notices[-1]
        assert message.startswith(f"Disable transition — {PIPELINE}/{STAGE}")
        assert "audit line was NOT written" in message and "Read-only file system" in message
        assert severity == "error"
        assert not rig.errors


def test_the_demo_keeps_its_state_in_a_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, state = tmp_path / "home", tmp_path / "state"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    seen: dict[str, Any] = {}

    def run_demo_app(
        services: list[AwsPipelineService], config: Config, read_only: bool, factory: Any = None
    ) -> int:
        async def run() -> None:
            app = CptuiApp(services, config, read_only=read_only, target_factory=factory)
            try:
                async with app.run_test(size=SIZE) as pilot:
                    target = services[0].target
                    await wait_until(pilot, lambda: app.store.state(target, PIPELINE) is not None, timeout=30)
                    request = actions.set_transition(target, PIPELINE, STAGE, enabled=False, reason="demo")
                    seen["result"] = await send.run_confirmed(app, request)
                    seen["audit"] = config.general.audit_log
                    seen["beside"] = [app.alerts.watch_file.path, app.alerts.log.path]
                    seen["files"] = sorted(p.name for p in config.general.audit_log.parent.iterdir())
                    seen["screen"] = screen_text(app)
            finally:
                for service in services:
                    await service.close()

        asyncio.run(run())
        return 0

    monkeypatch.setattr(cli, "_run_app", run_demo_app)
    assert cli.main(["--demo"]) == 0
    assert seen["result"].outcome is Outcome.SUCCEEDED, seen["result"]
    audit: Path = seen["audit"]
    assert "audit.jsonl" in seen["files"]
    assert not audit.is_relative_to(home) and not audit.is_relative_to(state)
    assert all(p.parent == audit.parent for p in seen["beside"])  # watchlist.json, notified.json
    assert not audit.parent.exists()  # removed when the demo ended
    assert not state.exists() and list(home.iterdir()) == []


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_the_demo_folder_goes_when_the_process_is_ended_by_a_signal(signame: str, tmp_path: Path) -> None:
    """Closing the terminal (SIGHUP) or ``kill`` (SIGTERM) skip ``finally``: the folder must go anyway,
    and the process still dies of the signal."""
    folder = tmp_path / "cptui-demo-x"
    folder.mkdir()
    (folder / "audit.jsonl").write_text("{}\n")
    script = (
        "import os, signal, time\n"
        "from pathlib import Path\n"
        "from tui.cli import removed_on_signal\n"
        f"with removed_on_signal(Path({str(folder)!r})):\n"
        f"    os.kill(os.getpid(), signal.{signame})\n"
        "    time.sleep(30)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)
    assert done.returncode == -getattr(signal, signame)
    assert not folder.exists()
