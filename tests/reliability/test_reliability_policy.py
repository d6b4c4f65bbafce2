"""The small rules behind the reliability guarantees, without an app: the credentials probe, the
wording of errors, and what an ambiguous mutation is called."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.aws import isolate_aws_env
from tui.aws.errors import AccessDenied, AwsError, CredentialsError, ErrorKind, ServiceError, Throttled
from tui.core.actions import ActionRequest, ActionRunner, Outcome
from tui.core.audit import AuditLog
from tui.core.error_text import credentials_text, error_text
from tui.core.model import Target
from tui.core.poll_state import Fetch, FetchKind, PollSettings
from tui.core.poller import PollPolicy

T = "ops@us-east-1"


def _policy() -> PollPolicy:
    policy = PollPolicy(PollSettings())
    policy.add_target(T, 0.0)
    return policy


def _answer(policy: PollPolicy, fetches: list[Fetch], now: float, error: ErrorKind | None = None) -> None:
    for fetch in fetches:
        if error is not None:
            policy.on_error(fetch, now, error)
        elif fetch.kind is FetchKind.LIST:
            policy.set_pipelines(T, {"a": 1, "b": 1}, now)
            policy.on_result(fetch, now)
        else:
            policy.on_result(fetch, now)


def test_failing_credentials_get_one_probe_every_30_seconds_then_everything_resumes() -> None:
    policy = _policy()
    now = 0.0
    _answer(policy, policy.next_due(now), now)  # the list arrives
    now = 1.0
    _answer(policy, policy.next_due(now), now)  # the identity and the rows' first loads
    now = 200.0
    due = policy.next_due(now)
    assert due
    _answer(policy, due, now, ErrorKind.CREDENTIALS)  # everything in flight fails
    probes: list[tuple[float, Fetch]] = []
    while now < 200.0 + 300:
        now += 0.5
        for fetch in policy.next_due(now):
            probes.append((now, fetch))
            _answer(policy, [fetch], now, ErrorKind.CREDENTIALS)
    assert len(probes) == 10  # one call per 30 s
    assert all(f.kind is FetchKind.LIST for _, f in probes)  # the identity was known: the list
    assert all(b - a >= 30.0 for (a, _), (b, _) in itertools.pairwise(probes))
    # Someone logs in: the next probe succeeds, and the rest follows at once.
    now += 30.0
    (probe,) = policy.next_due(now)
    _answer(policy, [probe], now)
    assert {f.kind for f in policy.next_due(now + 0.5)} >= {FetchKind.LATEST}


def test_refresh_during_a_credentials_failure_probes_first() -> None:
    policy = _policy()
    _answer(policy, policy.next_due(0.0), 0.0, ErrorKind.CREDENTIALS)
    policy.refresh_now(5.0)
    due = policy.next_due(5.0)
    assert [f.kind for f in due] == [FetchKind.IDENTITY]  # one call, at once


@pytest.mark.parametrize(
    ("config", "profile", "missing", "text"),
    [
        ("", None, False, "credentials expired — refresh your AWS credentials (or set AWS_PROFILE)"),
        ("", None, True, "no AWS credentials found — run: aws configure, or set AWS_PROFILE"),
        ("[profile ci]\nregion = us-east-1\n", "ci", True, "no AWS credentials for profile ci — run: "),
        (
            "[profile ops]\nsso_start_url = https://x.awsapps.com/start\n",
            "ops",
            False,
            "credentials expired — run: aws sso login --profile ops",
        ),
        (
            "[profile ops]\nsso_session = corp\n",
            "ops",
            True,
            "not logged in — run: aws sso login --profile ops",
        ),
    ],
)
def test_credentials_text_names_the_fix(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    config: str,
    profile: str | None,
    missing: bool,
    text: str,
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, config)
    assert credentials_text(profile, missing=missing).startswith(text)


def test_error_text() -> None:
    denied = AccessDenied("User x is not authorized", operation="BatchGetBuilds")
    assert error_text(denied) == "access denied: missing codebuild:BatchGetBuilds"
    named = AccessDenied("no", missing_action="logs:GetLogEvents")
    assert error_text(named) == "access denied: missing logs:GetLogEvents"
    assert error_text(AccessDenied("plain \x1b[2Jwords")) == "plain words"  # nothing to name: its text
    assert error_text(AwsError("[bold]x\x07[/bold]")) == "[bold]x[/bold]"
    assert error_text(CredentialsError("x", code="NoCredentialsError"), profile=None).startswith("no AWS")


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (ServiceError("AWS had a problem", code="InternalFailure"), Outcome.UNKNOWN),
        (Throttled("AWS is throttling", code="ThrottlingException"), Outcome.FAILED),
        (AccessDenied("no", code="AccessDeniedException"), Outcome.FAILED),
    ],
)
async def test_an_ambiguous_answer_to_a_mutation_is_unknown(
    tmp_path: Path, error: AwsError, outcome: Outcome
) -> None:
    sent: list[object] = []

    async def call(service: object) -> object:
        sent.append(service)
        raise error

    runner = ActionRunner(AuditLog(tmp_path / "audit.jsonl"), read_only=False)
    request = ActionRequest(
        operation="StartPipelineExecution",
        target=Target(region="us-east-1"),
        pipeline="p",
        subject="p",
        title="Release change",
        confirmation="start p",
        params={},
        call=call,
    )
    result = await runner.run(request, object())  # type: ignore[arg-type]
    assert result.outcome is outcome
    assert len(sent) == 1
    assert [line["outcome"] for line in runner.audit.read()] == [outcome.value]
