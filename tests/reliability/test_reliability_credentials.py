"""Credentials that expire mid-session, or are missing at start: one clear banner naming the fix,
the last data kept on screen, a cheap probe now and then, and polling resumes by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.aws.client
from tests.support.apps import all_loaded
from tests.support.aws import isolate_aws_env
from tests.support.rig import drive, running, step
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.aws.errors import AwsError
from tui.aws.session import SessionPool
from tui.cli import build_parser, build_services, resolve_targets
from tui.core.config import Config
from tui.core.model import Target
from tui.sim import Simulator

SSO_CONFIG = """\
[profile ops]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Operator
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""
STATIC_CONFIG = """\
[profile ci]
region = us-east-1
"""
PROBE = 30.0  # PollSettings.credentials_probe


@pytest.mark.parametrize(
    ("profile", "aws_config", "banner"),
    [
        (None, "", "credentials expired — refresh your AWS credentials (or set AWS_PROFILE)"),
        ("ops", SSO_CONFIG, "credentials expired — run: aws sso login --profile ops"),
        ("ci", STATIC_CONFIG, "credentials expired — refresh the credentials of profile ci"),
    ],
    ids=["default-chain", "sso-profile", "static-profile"],
)
async def test_expired_credentials_one_banner_data_kept_probe_and_resume(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile: str | None,
    aws_config: str,
    banner: str,
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, aws_config)
    target = Target(region="us-east-1", profile=profile)
    async with running(sim, tmp_path, targets=(target,)) as (rig, app, pilot):
        await drive(pilot, rig, lambda: all_loaded(app), every=0.5)
        rows = [r.key for r in app.store.rows()]
        sim.set_faults("expired=1")
        await drive(pilot, rig, lambda: app.store.freshness(target).stale_reason == banner, seconds=120)
        await wait_for_text(pilot, banner)
        assert [r.key for r in app.store.rows()] == rows  # the last data stays
        assert app.screen.table.row_count == len(rows)  # type: ignore[attr-defined]

        # Five minutes pass with the credentials still expired: one cheap probe every 30 s.
        before = sum(sim.calls.values())
        for _ in range(150):
            await step(pilot, rig, 2.0)
        probes = sum(sim.calls.values()) - before
        assert 300 / PROBE - 2 <= probes <= 300 / PROBE + 2, probes
        assert {op for op in sim.calls} >= {"GetCallerIdentity", "ListPipelines"}
        assert app.store.freshness(target).stale_reason == banner
        told = [message for message, *_ in rig.notices if banner in message]
        assert len(told) == 1, rig.notices  # one notice, however long it lasts

        # Someone logs in: the next probe succeeds and everything resumes, no key pressed.
        sim.set_faults("")
        took = await drive(pilot, rig, lambda: app.store.freshness(target).stale_reason is None, seconds=60)
        assert took <= PROBE + 1
        await drive(  # the screen repaints a frame after the store
            pilot,
            rig,
            lambda: banner not in screen_text(app) and "updated" in screen_text(app),
            seconds=5,
            every=0.1,
            sim_time=False,
        )
        assert len([m for m, *_ in rig.notices if banner in m]) == 1


async def test_missing_credentials_at_start_give_a_message_and_resume_once_configured(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No credentials anywhere (no variables, empty config and credentials files): the app starts,
    says what to run, sends nothing unsigned, and picks the credentials up once they exist."""
    isolate_aws_env(monkeypatch, tmp_path)
    monkeypatch.setattr(tui.aws.client, "DEFAULT_POOL", SessionPool())  # no session from other tests
    args = build_parser().parse_args(["--endpoint-url", sim.url, "--region", "us-east-1"])
    services = build_services(resolve_targets(args, Config()))
    banner = "no AWS credentials found — run: aws configure, or set AWS_PROFILE"
    async with running(sim, tmp_path, services=services) as (rig, app, pilot):
        target = app.targets[0]
        await drive(pilot, rig, lambda: app.store.freshness(target).stale_reason is not None, every=0.5)
        assert app.store.freshness(target).stale_reason == banner
        # The screen repaints from the store's signal on its next turn: wait for it, do not race it.
        await wait_until(pilot, lambda: f"Cannot list pipelines: {banner}" in screen_text(app))
        text = screen_text(app)
        assert banner in text
        assert "Traceback" not in text
        assert sum(sim.calls.values()) == 0  # botocore refused to send unsigned requests
        assert [m for m, *_ in rig.notices if banner in m] == [f"{banner}"]

        # `aws configure` writes a key: the next probe finds it, without a restart or a key press.
        (tmp_path / "aws-credentials").write_text(
            "[default]\naws_access_key_id = AKID123456789012\naws_secret_access_key = x\n"
        )
        took = await drive(pilot, rig, lambda: all_loaded(app), seconds=90, every=0.5)
        assert took <= PROBE + 30
        assert app.store.freshness(target).stale_reason is None


async def test_expired_credentials_met_first_by_an_on_demand_read_are_still_told_once(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen's own read (here the state of a pipeline) can meet the expiry before any poll does:
    it marks the data stale, and the one notice must still be told (the polls that fail after it
    find the data already stale and say nothing more)."""
    isolate_aws_env(monkeypatch, tmp_path, "")
    target = Target(region="us-east-1")
    banner = "credentials expired — refresh your AWS credentials (or set AWS_PROFILE)"
    async with running(sim, tmp_path, targets=(target,)) as (rig, app, pilot):
        await drive(pilot, rig, lambda: all_loaded(app), every=0.5)
        name = app.store.rows()[0].name
        sim.set_faults("expired=1")
        with pytest.raises(AwsError):
            await app.reads.state(target, name)
        assert app.store.freshness(target).stale_reason == banner
        for _ in range(60):  # two minutes of polls and probes failing the same way
            await step(pilot, rig, 2.0)
        told = [message for message, *_ in rig.notices if banner in message]
        assert len(told) == 1, rig.notices
