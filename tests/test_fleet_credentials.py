"""Credentials as the AWS tools resolve them, against the simulator: named profiles, assumed roles
(``role_arn`` + ``source_profile``, through the simulator's STS AssumeRole), environment keys, and an
SSO profile whose session expired, which names its login command while the other targets go on."""

from __future__ import annotations

from pathlib import Path

import pytest
from awsfixtures import isolate_aws_env
from fleetfixtures import PROD_EAST
from screen_text import screen_text
from simfixtures import aio_client
from uiwait import wait_until

from tui.aws.client import create_service
from tui.aws.session import SessionPool
from tui.cli import demo_credentials
from tui.core.model import Target
from tui.sim import Simulator

PROFILES = """
[profile base]
aws_access_key_id = AKID123456789012BASE
aws_secret_access_key = base-secret
region = us-east-1

[profile shared-role]
role_arn = arn:aws:iam::210987654321:role/cptui-readonly
source_profile = base
region = us-east-1

[profile sso-dev]
sso_session = corp
sso_account_id = 210987654321
sso_role_name = ReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


@pytest.fixture
def aws_profiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sim: Simulator) -> Path:
    """Profiles in a temporary AWS config; every client (STS's for AssumeRole too) goes to the simulator."""
    isolate_aws_env(monkeypatch, tmp_path, PROFILES)
    monkeypatch.setenv("HOME", str(tmp_path))  # no SSO token cache: the SSO session has expired
    monkeypatch.setenv("AWS_ENDPOINT_URL", sim.url)
    return tmp_path


async def test_a_role_profile_assumes_the_role_and_lands_in_its_account(
    sim: Simulator, aws_profiles: Path
) -> None:
    pool = SessionPool()
    base = create_service(Target(region="us-east-1", profile="base"), sessions=pool)
    role = create_service(Target(region="us-east-1", profile="shared-role"), sessions=pool)
    try:
        assert (await base.identity()).account == "123456789012"
        identity = await role.identity()
        assert identity.account == "210987654321"
        assert sim.calls["AssumeRole"] == 1
        names = {p.name for p in await role.list_pipelines()}
        assert "payments-api-shared" in names and "payments-api-prod" not in names
        assert await role.account_alias() == "acme-shared"
        assert await base.account_alias() is None  # no alias: none shown, nothing fails
        assert sim.calls["AssumeRole"] == 1  # the session caches the role's credentials
    finally:
        await base.close()
        await role.close()


async def test_environment_keys_are_the_default_chain(
    sim: Simulator, aws_profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID210987654321ENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    service = create_service(Target(region="us-east-1"), sessions=SessionPool())
    try:
        assert (await service.identity()).account == "210987654321"
    finally:
        await service.close()


async def test_assume_role_answers_like_sts(sim: Simulator) -> None:
    async with aio_client(sim, "sts", account="123456789012") as sts:
        reply = await sts.assume_role(
            RoleArn="arn:aws:iam::210987654321:role/deploy/cptui-readonly", RoleSessionName="cptui"
        )
        assert reply["Credentials"]["AccessKeyId"].startswith("AKID210987654321")
        assert (
            reply["AssumedRoleUser"]["Arn"] == "arn:aws:sts::210987654321:assumed-role/cptui-readonly/cptui"
        )
        with pytest.raises(sts.exceptions.ClientError, match="not a valid role ARN"):
            await sts.assume_role(RoleArn="arn:aws:iam::not-an-account:role/x", RoleSessionName="cptui")


async def test_denied_account_aliases_mean_no_alias(sim: Simulator) -> None:
    sim.set_faults("deny=ListAccountAliases")
    service = create_service(
        Target(region="us-east-1"), endpoint_url=sim.url, credentials=("AKID210987654321", "x", None)
    )
    try:
        assert await service.account_alias() is None
        assert sim.fault_counts["deny"] == 1
    finally:
        await service.close()


async def test_an_expired_sso_session_names_its_login_and_the_others_go_on(
    sim: Simulator, aws_profiles: Path, tmp_path: Path
) -> None:
    from tui.app.application import CptuiApp
    from tui.core.config import Config, GeneralConfig, PollingConfig

    sso = Target(region="us-east-1", profile="sso-dev", name="dev (sso)")
    config = Config(
        general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"), polling=PollingConfig(tps=40.0, burst=40)
    )
    services = [
        create_service(PROD_EAST, endpoint_url=sim.url, credentials=demo_credentials(PROD_EAST)),
        create_service(sso, endpoint_url=sim.url, sessions=SessionPool()),
    ]
    app = CptuiApp(services, config, clock=sim.clock.now)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.store.freshness(sso).stale_reason is not None, timeout=10)
        reason = app.store.freshness(sso).stale_reason
        assert reason == "credentials expired — run: aws sso login --profile sso-dev"
        await wait_until(pilot, lambda: "aws sso login --profile sso-dev" in screen_text(app), timeout=15)
        # The other target loads as if nothing happened.
        await wait_until(pilot, lambda: app.store.freshness(PROD_EAST).listed, timeout=10)
        await wait_until(pilot, lambda: all(r.loaded for r in app.store.rows(PROD_EAST)), timeout=15)
        assert len(app.store.rows(PROD_EAST)) == 11 and app.store.rows(sso) == []
        assert app.store.freshness(PROD_EAST).stale_reason is None
