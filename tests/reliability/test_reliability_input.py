"""Bad input from the user: a one-line message naming the fix, and exit status 2 when the app cannot
start; when it can (an endpoint that does not answer yet, a terminal that is too small for now) it
starts, says what is wrong, and recovers by itself.

tests/sim/test_cli.py already covers a malformed config (file and line), a missing config file, a
malformed region, a profile without a region and an unknown profile.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

import tui.aws.client
from tests.support.apps import all_loaded
from tests.support.aws import isolate_aws_env
from tests.support.rig import drive, make_rig, running
from tests.support.sim import demo_simulator
from tests.support.wait import flat_text, wait_until
from tui import cli
from tui.aws.session import SessionPool
from tui.core.config import Config
from tui.sim import Simulator
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.pipelines import PipelinesScreen
from tui.ui.screens.too_small import TooSmallScreen


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    isolate_aws_env(monkeypatch, tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(tui.aws.client, "DEFAULT_POOL", SessionPool())
    return tmp_path


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """Instead of running the app, remember the services it would have run with."""
    runs: list[list[Any]] = []

    def fake_run(services: list[Any], config: Config, read_only: bool) -> int:
        runs.append(services)
        return 0

    monkeypatch.setattr(cli, "_run_app", fake_run)
    return runs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--region", "us-east-9"],
            "cptui: CodePipeline is not offered in region us-east-9 (did you mean us-east-2, us-east-1",
        ),
        (
            ["--region", "eu-wset-1"],
            "cptui: CodePipeline is not offered in region eu-wset-1 (did you mean eu-west-1",
        ),
        (
            ["--region", "us-east-1", "--endpoint-url", "localhost:4566"],
            "cptui: --endpoint-url localhost:4566: expected an http:// or https:// URL",
        ),
    ],
    ids=["unknown-region", "misspelt-region", "endpoint-without-scheme"],
)
def test_bad_input_exits_2_with_one_line_naming_the_fix(
    env: Path, started: list[list[Any]], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not started


def test_any_region_goes_behind_a_custom_endpoint(env: Path, started: list[list[Any]]) -> None:
    assert cli.main(["--region", "us-east-9", "--endpoint-url", "http://127.0.0.1:4566"]) == 0
    (services,) = started
    assert services[0].target.region == "us-east-9"


def _held_port() -> socket.socket:
    """A loopback port bound but not listening: connections are refused, and no other process can
    take it until it is closed."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    return held


@pytest.mark.slow
async def test_an_unreachable_endpoint_at_start_shows_a_banner_and_the_app_recovers_by_itself(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Networks recover: the app starts, says it cannot reach the endpoint, and shows the data once
    the endpoint answers, without a restart or a key press."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID123456789012")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    held = _held_port()
    port = int(held.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    args = cli.build_parser().parse_args(["--endpoint-url", url, "--region", "us-east-1"])
    services = cli.build_services(cli.resolve_targets(args, Config()))
    sim = demo_simulator()
    rig = make_rig(sim, tmp_path, services=services)
    app = rig.app
    target = app.targets[0]
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            # The refusal and botocore's retries of it take real time, not the poll clock's: the
            # real-time bound (30 s) governs this wait, not a count of simulated steps.
            await drive(
                pilot,
                rig,
                lambda: app.store.freshness(target).stale_reason is not None,
                every=0.5,
                seconds=3600,
            )
            reason = f"cannot reach {url} (connection refused), retrying"
            assert app.store.freshness(target).stale_reason == reason, rig.errors
            banner = f"Cannot list pipelines: {reason}"
            await drive(pilot, rig, lambda: banner in flat_text(app), seconds=10, every=0.2)
            held.close()
            await sim.start(port=port)  # the network is back
            took = await drive(pilot, rig, lambda: all_loaded(app), seconds=120, every=0.5)
            assert took <= 70  # the longest network back-off (60 s) and a little
            assert app.store.freshness(target).stale_reason is None
            assert "cannot reach" not in flat_text(app)
    finally:
        held.close()
        await sim.stop()
    assert not rig.unexpected()


async def test_a_terminal_too_small_shows_what_it_needs_and_the_layout_returns(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, size=(52, 14)) as (rig, app, pilot):
        await drive(pilot, rig, lambda: isinstance(app.screen, TooSmallScreen), every=0.5)
        await wait_until(pilot, lambda: "terminal too small: 52×14" in flat_text(app))
        assert "terminal too small: 52×14, need at least 60×16" in flat_text(app)
        await pilot.press("question_mark")  # nothing opens over the message
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        # Polling goes on underneath.
        await drive(pilot, rig, lambda: bool(app.store.rows()) and all(r.loaded for r in app.store.rows()))

        await pilot.resize_terminal(120, 36)
        await drive(pilot, rig, lambda: isinstance(app.screen, PipelinesScreen), every=0.5)
        await pilot.pause()
        assert "terminal too small" not in flat_text(app)
        assert app.screen.table.row_count == len(app.store.rows())  # type: ignore[attr-defined]

        # Shrinking on another screen, then growing back, returns to that screen.
        app.open_pipeline(app.targets[0], "web-frontend")
        await drive(pilot, rig, lambda: isinstance(app.screen, PipelineScreen), every=0.5)
        pipeline = app.screen
        await pilot.resize_terminal(59, 30)
        await drive(pilot, rig, lambda: isinstance(app.screen, TooSmallScreen), every=0.5)
        await wait_until(pilot, lambda: "terminal too small: 59×30" in flat_text(app))
        assert "terminal too small: 59×30, need at least 60×16" in flat_text(app)
        await pilot.resize_terminal(60, 16)
        await drive(pilot, rig, lambda: app.screen is pipeline, every=0.5)
        await pilot.press("question_mark")
        await drive(pilot, rig, lambda: isinstance(app.screen, HelpScreen), every=0.5)


async def test_q_quits_from_the_too_small_message(sim: Simulator, tmp_path: Path) -> None:
    async with running(sim, tmp_path, size=(40, 10)) as (rig, app, pilot):
        await drive(pilot, rig, lambda: isinstance(app.screen, TooSmallScreen), every=0.5)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0  # leaving
