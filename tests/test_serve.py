"""cptui serve without a server: the token, the Origin check, the environment the served app gets,
read-only by default, the missing-extra message, the usage errors, the browser's address in the
audit log. The HTTP layer is in test_serve_http.py, the real browser in test_serve_browser.py."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from awsfixtures import isolate_aws_env

import tui.serve
from tui import cli
from tui.aws.service import PipelineService
from tui.core import actions
from tui.core.actions import ActionRunner, Outcome
from tui.core.audit import SERVE_CLIENT_ENV, AuditLog
from tui.core.model import Target
from tui.serve import cli as serve_cli
from tui.serve import security
from tui.serve.security import (
    TokenError,
    allowed_origins,
    child_environment,
    client_label,
    is_loopback,
    new_token,
    origin_allowed,
    read_token_file,
    redacted,
    refusal,
    token_matches,
)

SERVER_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/home/ops",
    "TERM": "xterm-256color",
    "LANG": "en_US.UTF-8",
    "LC_ALL": "en_US.UTF-8",
    "XDG_CONFIG_HOME": "/home/ops/.config",
    "XDG_STATE_HOME": "/home/ops/.state",
    "CPTUI_BENCH_EXIT": "1",
    "AWS_CONFIG_FILE": "/home/ops/.aws/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/home/ops/.aws/credentials",
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL_CODEPIPELINE": "https://codepipeline.internal",
    "AWS_PROFILE": "ops",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12",
    "AWS_SECRET_ACCESS_KEY": "server-secret-key",
    "AWS_SESSION_TOKEN": "server-session-token",
    "GITHUB_TOKEN": "ghp_not_for_the_app",
    "SSH_AUTH_SOCK": "/tmp/ssh-agent.sock",
    "DATABASE_URL": "postgres://user:pw@db/prod",
    "TEXTUAL_DRIVER": "something.else",
    SERVE_CLIENT_ENV: "forged by the server's own environment",
}


TARGET = Target(region="us-east-1", profile="ops")


class Recorder:
    """A stand-in service whose every call succeeds (the runner's bookkeeping is what is tested)."""

    def __getattr__(self, name: str) -> Any:
        async def method(*_args: Any, **_kwargs: Any) -> str:
            return "exec-1"

        return method


# --- token ------------------------------------------------------------------------------------


def test_new_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(token) >= 40
        assert security.valid_token(token) == token


def test_token_matches_only_the_exact_token() -> None:
    token = new_token()
    assert token_matches(token, token)
    assert not token_matches(None, token)
    assert not token_matches("", token)
    assert not token_matches(token[:-1], token)
    assert not token_matches(token + "x", token)
    assert not token_matches("\udcff" + token, token)  # (undecodable query bytes do not raise)


def test_token_file_first_line_stripped(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("  a-long-enough-token_1234  \nsecond line\n", encoding="utf-8")
    assert read_token_file(path) == "a-long-enough-token_1234"


@pytest.mark.parametrize(
    ("content", "why"),
    [("", "at least 16"), ("short", "at least 16"), ("has spaces in the middle", "letters, digits")],
)
def test_token_file_refuses_weak_or_unsafe_tokens(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "token"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenError, match=why):
        read_token_file(path)


def test_token_file_missing_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--token-file", str(tmp_path / "nope"), "--demo"]) == 2
    assert "--token-file" in capsys.readouterr().err


# --- origin, loopback, refusal ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("wallboard.example.com", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_origins_of_a_loopback_server_are_its_own_port_only() -> None:
    allowed = allowed_origins("http://127.0.0.1:8000", "127.0.0.1", 8000)
    assert origin_allowed(None, allowed)  # curl, a top-level navigation
    for ours in (
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
        "HTTP://LOCALHOST:8000",
    ):
        assert origin_allowed(ours, allowed), ours
    for theirs in (
        "http://127.0.0.1:8001",  # another local web app
        "https://127.0.0.1:8000",
        "http://evil.example",
        "http://localhost.evil.example:8000",
        "null",
        "",
        "http://127.0.0.1:notaport",
    ):
        assert not origin_allowed(theirs, allowed), theirs


def test_origins_behind_a_proxy_are_the_public_url_only() -> None:
    allowed = allowed_origins("https://wallboard.example.com/", "0.0.0.0", 8000)
    assert origin_allowed("https://wallboard.example.com", allowed)
    assert origin_allowed("https://wallboard.example.com:443", allowed)
    assert not origin_allowed("http://wallboard.example.com", allowed)
    assert not origin_allowed("http://localhost:8000", allowed)


def test_refusal_reasons() -> None:
    token = new_token()
    allowed = allowed_origins("http://127.0.0.1:8000", "127.0.0.1", 8000)
    ours = "http://127.0.0.1:8000"
    assert refusal(token=token, expected=token, origin=ours, allowed=allowed) is None
    assert refusal(token=token, expected=token, origin=None, allowed=allowed) is None
    assert refusal(token=None, expected=token, origin=ours, allowed=allowed) == "no token"
    assert refusal(token="guess", expected=token, origin=ours, allowed=allowed) == "wrong token"
    reason = refusal(token=token, expected=token, origin="http://evil\x1b[2J.example", allowed=allowed)
    assert reason is not None and "is not this server" in reason and "\x1b" not in reason


def test_redacted_hides_the_token() -> None:
    assert redacted("/ws/abc123?width=80", "abc123") == "/ws/<token>?width=80"


# --- the served app's environment ---------------------------------------------------------------


def test_environment_is_an_allow_list() -> None:
    env = child_environment(SERVER_ENV, client="127.0.0.1")
    for kept in (
        "PATH",
        "HOME",
        "TERM",
        "LANG",
        "LC_ALL",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "CPTUI_BENCH_EXIT",
    ):
        assert env[kept] == SERVER_ENV[kept], kept
    for dropped in ("GITHUB_TOKEN", "SSH_AUTH_SOCK", "DATABASE_URL", "TEXTUAL_DRIVER"):
        assert dropped not in env, dropped
    assert env[SERVE_CLIENT_ENV] == "127.0.0.1"  # the server's own value is never passed on


def test_environment_without_profile_keeps_the_default_chain() -> None:
    env = child_environment(SERVER_ENV, client="c")
    for kept in (
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_REGION",
        "AWS_ENDPOINT_URL_CODEPIPELINE",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ):
        assert env[kept] == SERVER_ENV[kept], kept


def test_environment_with_profile_drops_the_environment_keys() -> None:
    env = child_environment(SERVER_ENV, profiles=["prod"], client="c")
    assert env["AWS_CONFIG_FILE"] == SERVER_ENV["AWS_CONFIG_FILE"]
    assert env["AWS_REGION"] == "eu-west-1"
    for dropped in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert dropped not in env, dropped


def test_environment_of_the_demo_has_no_aws_at_all() -> None:
    env = child_environment(SERVER_ENV, demo=True, client="c")
    assert not [key for key in env if key.startswith("AWS_")]
    assert "server-secret-key" not in env.values()


def test_client_label_records_a_forwarded_for_claim_as_such() -> None:
    assert client_label("192.0.2.7") == "192.0.2.7"
    assert client_label(None) == "unknown address"
    label = client_label("127.0.0.1", "203.0.113.9\x1b[31m, 10.0.0.1")
    assert label == "127.0.0.1 (X-Forwarded-For: 203.0.113.9, 10.0.0.1)"


# --- the command each session runs ----------------------------------------------------------------


def test_served_app_is_read_only_by_default() -> None:
    command = shlex.split(serve_cli.app_command(["--demo"], allow_actions=False))
    assert command[:3] == [sys.executable, "-m", "tui"]
    assert command[3:] == ["--demo", "--read-only"]


def test_allow_actions_drops_read_only_but_keeps_the_users_own() -> None:
    assert serve_cli.app_arguments(["--demo"], allow_actions=True) == ["--demo"]
    # --read-only given by the user (or read_only in the config) still wins
    assert serve_cli.app_arguments(["--demo", "--read-only"], allow_actions=True) == ["--demo", "--read-only"]


def test_serve_options_are_not_abbreviations_of_cptui_options() -> None:
    args, rest = serve_cli.build_parser().parse_known_args(["--pro", "x", "--demo", "--port", "9000"])
    assert args.port == 9000
    assert rest == ["--pro", "x", "--demo"]


def test_exposure_warning_only_off_loopback() -> None:
    assert serve_cli.exposure_warning("127.0.0.1") is None
    warning = serve_cli.exposure_warning("0.0.0.0")
    assert warning is not None and "reverse proxy" in warning and "TLS" in warning


# --- usage errors, the missing extra --------------------------------------------------------------


@pytest.mark.parametrize("missing", ["textual_serve", "aiohttp_jinja2"])
def test_missing_extra_says_how_to_install(
    missing: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # import MISSING -> ImportError
    monkeypatch.setitem(sys.modules, f"{missing}.server", None)
    monkeypatch.delitem(sys.modules, "tui.serve.server", raising=False)
    monkeypatch.delattr(tui.serve, "server", raising=False)

    def no_serving(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("cptui serve went on to serve without its extra")

    monkeypatch.setattr(serve_cli.asyncio, "run", no_serving)
    assert cli.main(["serve", "--demo", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'cptui[serve]'" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--port", "70000", "--demo"], "not a port number"),
        (["--max-sessions", "0", "--demo"], "at least 1"),
        (["--public-url", "wallboard.example.com", "--demo"], "http:// or https://"),
        (["--demo", "--profile", "prod"], "drop --profile"),
        (["--no-such-option"], "cptui --help"),
        (["--profile", "missing", "--region", "us-east-1"], "'missing' is not in ~/.aws/config"),
    ],
)
def test_usage_errors_exit_2_before_serving(
    argv: list[str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, "[profile prod]\nregion = us-east-1\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert cli.main(["serve", *argv]) == 2
    assert says in capsys.readouterr().err


# --- the audit log names the browser -------------------------------------------------------------


async def test_actions_of_a_served_app_are_audited_with_the_browser_address(tmp_path: Path) -> None:
    log = AuditLog.for_session(tmp_path / "audit.jsonl", environ={SERVE_CLIENT_ENV: "192.0.2.44"})
    runner = ActionRunner(log, read_only=False)
    result = await runner.run(actions.start_execution(TARGET, "p"), cast(PipelineService, Recorder()))
    assert result.outcome is Outcome.SUCCEEDED
    (line,) = log.read()
    assert line["client"] == "192.0.2.44"


async def test_actions_in_a_terminal_have_no_client(tmp_path: Path) -> None:
    log = AuditLog.for_session(tmp_path / "audit.jsonl", environ={})
    runner = ActionRunner(log, read_only=False)
    await runner.run(actions.start_execution(TARGET, "p"), cast(PipelineService, Recorder()))
    (line,) = log.read()
    assert line["client"] is None
