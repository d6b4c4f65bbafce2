"""The start-up burst: the rows on screen are read at once, then the normal rate; a throttle during
the burst is quiet and shrinks it for the next start
(tui/core/poller.py, tui/core/budget.py, tui/core/cache.py).

Fake clock throughout: time is a float the test advances.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tui.aws.errors import ErrorKind
from tui.core.budget import TokenBucket
from tui.core.cache import BURST_FILE, load_bursts, remember_burst
from tui.core.model import Status
from tui.core.poll_state import Fetch, FetchKind, PollSettings, StartupOutcome
from tui.core.poller import PollPolicy

T = "ops@us-east-1"
NAMES = [f"p{i:02d}" for i in range(50)]


def listed(policy: PollPolicy, now: float = 0.0) -> None:
    """The first list came back with 50 pipelines, 30 of them on screen."""
    policy.add_target(T, now)
    (fetch,) = policy.next_due(now)
    assert fetch.kind is FetchKind.LIST
    policy.set_pipelines(T, {n: 1 for n in NAMES}, now)
    policy.on_result(fetch, now)
    policy.set_visible(T, NAMES[:30])


def latest(fetches: list[Fetch]) -> list[str]:
    return [f.name or "" for f in fetches if f.kind is FetchKind.LATEST]


def test_the_bucket_grant_exceeds_burst_once_and_refills_only_to_burst() -> None:
    bucket = TokenBucket(4.0, 8.0, 0.0)
    bucket.grant(34.0, 0.0)
    assert bucket.available(0.0) == 34.0
    assert bucket.available(5.0) == 34.0  # never cut by a refill
    for _ in range(34):
        assert bucket.try_take(5.0)
    assert not bucket.try_take(5.0)
    assert bucket.available(100.0) == 8.0  # back to the normal bucket


def test_the_rows_on_screen_go_out_at_once_then_the_normal_rate() -> None:
    policy = PollPolicy(PollSettings())
    listed(policy)
    assert policy.grant_startup(T, 34, 0.0) == 34
    first = policy.next_due(0.0)
    # Every row on screen at once, in parallel (beyond burst 8 and max_in_flight 6), first.
    assert latest(first)[:30] == NAMES[:30]
    assert len(first) == 34 - int(policy.settings.reserve)
    for fetch in first:
        policy.on_result(fetch, 0.1, status=Status.SUCCEEDED)
    # Then the normal rate: 4 calls/s from an empty bank, whatever is still due.
    later: list[Fetch] = []
    t = 0.1
    while t < 5.0:
        t += 0.25
        due = policy.next_due(t)
        later += due
        for fetch in due:
            policy.on_result(fetch, t + 0.05, status=Status.SUCCEEDED)
    assert 0 < len(later) <= 4 * 5 + 1


def test_without_a_grant_the_start_is_bounded_by_burst_and_max_in_flight() -> None:
    policy = PollPolicy(PollSettings())
    listed(policy)
    first = policy.next_due(0.0)
    assert len(first) <= policy.settings.max_in_flight  # what the burst is for


def test_the_grant_is_capped_at_what_the_list_needs() -> None:
    policy = PollPolicy(PollSettings())
    policy.add_target(T, 0.0)
    (fetch,) = policy.next_due(0.0)
    policy.set_pipelines(T, {"a": 1, "b": 1}, 0.0)
    policy.on_result(fetch, 0.0)
    assert policy.grant_startup(T, 40, 0.0) == 2 + int(policy.settings.reserve) + 1


class Endpoint:
    """The endpoint's own quota, as the simulator's ``tps=N`` fault: a bucket of ``size`` refilled
    ``rate`` per second (fake clock); a read without a token is throttled."""

    def __init__(self, size: float, rate: float, now: float = 0.0) -> None:
        self.size, self.rate, self.tokens, self.stamp = size, rate, size, now
        self.throttled = 0

    def accepts(self, now: float) -> bool:
        self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.throttled += 1
        return False


def answer(policy: PollPolicy, endpoint: Endpoint, fetch: Fetch, when: float, seen: dict[str, float]) -> bool:
    """The endpoint answers ``fetch`` at ``when``: the read comes (a pipeline's first status is noted
    in ``seen``) or it is throttled. Returns whether the failure rested the operation (``on_error``)."""
    if endpoint.accepts(when):
        policy.on_result(fetch, when, status=Status.SUCCEEDED)
        if fetch.kind is FetchKind.LATEST:
            seen.setdefault(fetch.name or "", when)
        return False
    return policy.on_error(fetch, when, ErrorKind.THROTTLED, "ThrottlingException")


def start_against(
    policy: PollPolicy, endpoint: Endpoint, grant: int, until: float = 15.0
) -> dict[str, float]:
    """Drive the start-up against ``endpoint``: ticks every 0.25 s, each read answered 50 ms after
    it went out (accepted or throttled). Returns when each pipeline's first status came."""
    listed(policy)
    policy.grant_startup(T, grant, 0.0)
    seen: dict[str, float] = {}
    pending: list[tuple[float, Fetch]] = []
    t = 0.0
    while t < until:
        for fetch in policy.next_due(t):
            pending.append((t + 0.05, fetch))
        t = round(t + 0.05, 3)
        for when, fetch in [p for p in pending if p[0] <= t]:
            pending.remove((when, fetch))
            assert answer(policy, endpoint, fetch, when, seen) is False  # a throttle never rests it
    return seen


def test_a_throttled_burst_is_retried_at_once_paced_to_what_the_endpoint_accepts() -> None:
    """tps=10 at the endpoint, 30 rows on screen, a burst sized to the screen: 10 reads answered,
    the rest throttled and retried at about 10/s (not cptui's 4 calls/s, not botocore's 0-3 s
    backoff): every row on screen within a second of the quota's own floor (2.0 s)."""
    policy = PollPolicy(PollSettings())
    endpoint = Endpoint(10, 10)
    seen = start_against(policy, endpoint, 34)
    on_screen = [seen.get(n, 99.0) for n in NAMES[:30]]
    assert max(on_screen) <= 3.0, sorted(on_screen)
    assert endpoint.throttled > 0 and policy.startup_throttled(T)
    assert not policy.throttled(T)  # the sustained rate was never the problem: not halved
    assert policy.bucket(T).rate == policy.settings.tps
    # Off screen waited for the rows on screen, then came at the normal rate.
    assert min(seen[n] for n in NAMES[30:]) >= max(on_screen)
    # What the endpoint took at once is what the next start sends.
    assert policy.startup_outcome(T, 15.0) == StartupOutcome(34, 10, burst_throttled=True, clean=False)
    assert policy.startup_outcome(T, 15.0) is None  # told once


def test_a_throttle_after_the_burst_halves_the_rate_as_before() -> None:
    policy = PollPolicy(PollSettings())
    listed(policy)
    policy.grant_startup(T, 34, 0.0)
    for fetch in policy.next_due(0.0):
        policy.on_result(fetch, 0.1, status=Status.SUCCEEDED)
    # (The phase over, the bank starts empty: the next read a token's worth later.)
    fetch = next(f for t in (3.0, 3.25, 3.5, 3.75) for f in policy.next_due(t))
    assert not policy.in_startup(fetch)
    policy.on_error(fetch, 3.9, ErrorKind.THROTTLED, "ThrottlingException")
    assert policy.throttled(T) and not policy.startup_throttled(T)


def test_the_remembered_burst_round_trips_and_a_corrupt_file_is_ignored(tmp_path: Path) -> None:
    remember_burst(tmp_path, T, 17)
    remember_burst(tmp_path, "other@eu-west-1", 9)
    assert load_bursts(tmp_path) == {T: 17, "other@eu-west-1": 9}
    assert not [p for p in tmp_path.iterdir() if p.name != BURST_FILE]  # no temporary file left
    (tmp_path / BURST_FILE).write_text("{not json")
    assert load_bursts(tmp_path) == {}
    (tmp_path / BURST_FILE).write_text(json.dumps({"format": 99, "bursts": {T: 3}}))
    assert load_bursts(tmp_path) == {}
    (tmp_path / BURST_FILE).write_text(json.dumps({"format": 1, "bursts": {T: "x", "b": 0, "c": 4}}))
    assert load_bursts(tmp_path) == {"c": 4}
    assert load_bursts(None) == {}


# --- the app against the simulator ----------------------------------------------------------------


async def test_a_full_first_screen_under_an_endpoint_quota_shows_no_throttling(tmp_path: Path) -> None:
    """50 pipelines, 120x40, the endpoint's own quota tps=10 (a bucket of 10): the rows on screen are
    read in one burst; whatever the quota throttles is retried quietly (no notice, not stale)."""
    from tests.support.apps import EAST, sim_app
    from tests.support.notices import told
    from tests.support.sim import demo_simulator
    from tests.support.wait import wait_until
    from tui.core.config import PollingConfig

    sim = demo_simulator("scale", pipelines=50, faults="tps=10")
    await sim.start()
    target = EAST
    app = sim_app(sim, tmp_path, polling=PollingConfig(), cache_dir=tmp_path / "cache")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: len([r for r in app.store.rows() if r.loaded]) >= 30, timeout=30)
            granted = app.poller.bursts.granted[target.key]
            assert granted >= 30  # sized to the screen: every row on screen in one burst
            await pilot.pause()
            assert not [n for n, *_ in told(app) if "throttl" in n.lower()]
            # On a loaded machine the reads after the burst can bunch up past the quota for a
            # moment; what must hold is that the header settles unthrottled (no notice was told).
            await wait_until(
                pilot,
                lambda: not app.store.freshness(target).stale_reason and not app.poller.throttled(target),
                timeout=15,
            )
            assert not [n for n, *_ in told(app) if "throttl" in n.lower()]
            if app.poller.policy.startup_throttled(target.key):
                # The quota did throttle the burst: the next start sends about what it accepted.
                await wait_until(pilot, lambda: bool(load_bursts(tmp_path / "cache")), timeout=15)
                assert 8 <= load_bursts(tmp_path / "cache")[target.key] < granted
    finally:
        await sim.stop()


def test_a_remembered_burst_caps_the_configured_one(tmp_path: Path) -> None:
    from tui.app.application import CptuiApp
    from tui.aws import create_service
    from tui.core.config import Config, GeneralConfig, PollingConfig
    from tui.core.model import Target

    target = Target(region="us-east-1")
    remember_burst(tmp_path, target.key, 12)
    service = create_service(target, endpoint_url="http://127.0.0.1:9", credentials=("AKID1", "x", None))
    config = Config(
        general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"), polling=PollingConfig(startup_burst=40)
    )
    assert CptuiApp([service], replace(config, cache_dir=tmp_path)).poller.bursts.burst(target.key) == 12
    assert CptuiApp([service], config).poller.bursts.burst(target.key) == 40


def test_startup_burst_is_validated_with_its_line() -> None:
    import pytest

    from tui.core.config import ConfigError, parse_config

    assert parse_config("[polling]\nstartup_burst = 30\n").polling.startup_burst == 30
    assert parse_config("").polling.startup_burst is None
    with pytest.raises(ConfigError) as caught:
        parse_config("[polling]\ntps = 2\nstartup_burst = 0\n")
    assert "3" in str(caught.value) and "startup_burst" in str(caught.value)


def test_the_cache_folder_follows_xdg_no_cache_the_config_and_the_demo(
    tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    from tui import cli
    from tui.core.config import Config, GeneralConfig

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cli.with_cache(Config(), False).cache_dir == tmp_path / "xdg" / "cptui"
    assert cli.with_cache(Config(), True).cache_dir is None  # --no-cache
    assert cli.with_cache(Config(general=GeneralConfig(cache=False)), False).cache_dir is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid by the XDG spec: ignored
    assert cli.with_cache(Config(), False).cache_dir == Path.home() / ".cache" / "cptui"
    demo = cli.demo_config(cli.with_cache(Config(), False), tmp_path / "demo")
    assert demo.cache_dir == tmp_path / "demo" / "cache"  # never the user's cache
    assert cli.demo_config(Config(), tmp_path / "demo").cache_dir is None


def _poller_with(tmp_path: Path, outcome: StartupOutcome | None) -> Any:
    from tui.app.application import CptuiApp
    from tui.aws import create_service
    from tui.core.config import Config, GeneralConfig, PollingConfig
    from tui.core.model import Target

    target = Target(region="us-east-1")
    service = create_service(target, endpoint_url="http://127.0.0.1:9", credentials=("AKID1", "x", None))
    config = Config(
        general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"),
        polling=PollingConfig(startup_burst=40),
        cache_dir=tmp_path,
    )
    poller = CptuiApp([service], config).poller
    outcomes = [outcome]
    poller.policy.startup_outcome = lambda key, now: outcomes.pop() if outcomes else None
    return poller


def test_a_throttled_burst_is_remembered_as_what_the_endpoint_accepted(tmp_path: Path) -> None:
    key = "@us-east-1"
    # 40 tokens (38 reads and the reserve): the endpoint answered 10 at once; next time 12 tokens.
    poller = _poller_with(tmp_path, StartupOutcome(40, 10, burst_throttled=True, clean=False))
    poller.bursts.settle(key, 0.0)
    poller.bursts.settle(key, 0.0)  # told once
    assert load_bursts(tmp_path) == {key: 12}
    assert poller.bursts.burst(key) == 12
    # The next run starts with it; a throttle again shrinks it, never below ``burst`` (8).
    again = _poller_with(tmp_path, StartupOutcome(12, 3, burst_throttled=True, clean=False))
    assert again.bursts.burst(key) == 12
    again.bursts.settle(key, 0.0)
    assert load_bursts(tmp_path) == {key: 8}


def test_clean_starts_let_the_remembered_burst_grow_back_to_the_screen(tmp_path: Path) -> None:
    key = "@us-east-1"
    remember_burst(tmp_path, key, 8)
    sizes = []
    for _ in range(6):
        poller = _poller_with(tmp_path, None)
        granted = poller.bursts.burst(key)
        sizes.append(granted)
        poller.policy.startup_outcome = lambda k, now, g=granted: StartupOutcome(g, g - 2, False, True)
        poller.bursts.settle(key, 0.0)
    assert sizes == [8, 12, 18, 27, 40, 40]  # by half each clean start, up to what the screen asks
    # A start that was not clean (a paced read throttled, not the burst) leaves it as it is.
    remember_burst(tmp_path, key, 12)
    poller = _poller_with(tmp_path, StartupOutcome(12, 10, burst_throttled=False, clean=False))
    poller.bursts.settle(key, 0.0)
    assert load_bursts(tmp_path) == {key: 12}


def test_a_read_answered_only_after_a_retry_counts_as_throttled() -> None:
    """botocore retries a throttle by itself: an answer that needed one says the burst was too big."""
    policy = PollPolicy(PollSettings())
    listed(policy)
    policy.grant_startup(T, 12, 0.0)
    burst = policy.next_due(0.0)
    assert len(burst) == 10
    for i, fetch in enumerate(burst):
        policy.on_result(fetch, 0.1, status=Status.SUCCEEDED, retried=i >= 6)
    assert policy.startup_throttled(T) and not policy.throttled(T)
    t = 0.1
    while policy.in_startup_phase(T) and t < 30:
        t += 0.25
        for fetch in policy.next_due(t):
            policy.on_result(fetch, t, status=Status.SUCCEEDED)
        outcome = policy.startup_outcome(T, t)
        if outcome is not None:
            assert outcome == StartupOutcome(12, 6, burst_throttled=True, clean=False)
            break
    else:
        raise AssertionError("the start-up phase never ended")


def test_a_burst_smaller_than_the_bank_is_not_paced() -> None:
    """A budget whose own bank holds more than the burst (here 40 calls/s, burst 40) was never
    limited by it: the rest goes out at once through the bucket, not at a start-up pace."""
    policy = PollPolicy(PollSettings(tps=40.0, burst=40.0))
    listed(policy)
    policy.grant_startup(T, 6, 0.0)
    first = policy.next_due(0.0)
    assert set(NAMES[:30]) <= set(latest(first)) or len(first) >= policy.settings.max_in_flight
    assert any(f.kind is FetchKind.IDENTITY for f in first)  # who the caller is: at once too


def test_the_phase_ends_once_every_row_on_screen_is_read() -> None:
    """No quota: the burst covers the screen and the phase ends with its answers, clean."""
    policy = PollPolicy(PollSettings())
    seen = start_against(policy, Endpoint(1000, 1000), 34, until=0.2)
    assert set(NAMES[:30]) <= set(seen)
    assert policy.startup_outcome(T, 0.2) == StartupOutcome(34, 32, burst_throttled=False, clean=True)
    assert not policy.in_startup_phase(T)


async def test_the_burst_reads_the_rows_the_first_frame_will_show(tmp_path: Path) -> None:
    """Before the list is painted, the rows it will show first (its order: favourites, then the
    latest activity the list knows of) are the ones the burst reads, not the first names."""
    from tests.support.apps import EAST, sim_app
    from tests.support.sim import demo_simulator
    from tests.support.wait import wait_until
    from tui.core.config import PollingConfig

    sim = demo_simulator("scale", pipelines=50)
    await sim.start()
    target = EAST
    last = sorted(sim.engine.world("123456789012", "us-east-1").pipelines)[-4:]  # pinned on top
    app = sim_app(sim, tmp_path, polling=PollingConfig(startup_burst=10), favourites=last)
    (service,) = app.services.values()
    asked: list[str] = []
    original = service.list_executions

    async def recording(name: str, **kwargs: object) -> object:
        asked.append(name)
        return await original(name, **kwargs)  # type: ignore[arg-type]

    service.list_executions = recording  # type: ignore[method-assign,assignment]
    predicted: list[str] = []
    grant = app.poller.bursts.grant

    def remember(key: str, now: float) -> None:
        predicted.extend(r.name for r in app.store.rows(target)[:10])
        grant(key, now)

    app.poller.bursts.grant = remember  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: len(asked) >= 10, timeout=30)
            # The burst: its tokens less the reserve, one of them for who the caller is.
            burst = app.poller.bursts.granted[target.key] - int(app.poller.policy.settings.reserve) - 1
            assert set(asked[:burst]) <= set(predicted)
            assert set(last) & set(asked[:burst])  # the favourites on top, not just the first names
    finally:
        await sim.stop()


async def test_a_start_up_read_is_sent_once_and_an_answer_after_a_retry_says_so(sim: Any) -> None:
    """The real client against the simulator: a read made with ``SINGLE_ATTEMPT`` comes back
    throttled at once (one request, not botocore's three), so the start-up phase can pace the
    retry itself; an ordinary read that botocore retried leaves ``LAST_RETRIES`` above 0."""
    import pytest

    from tui.aws import create_service
    from tui.aws.errors import AwsError
    from tui.aws.service import LAST_RETRIES, SINGLE_ATTEMPT
    from tui.core.model import Target
    from tui.sim.faults import Fault

    faults = sim._faults
    decide = faults.decide
    throttle_next = [0]
    requests: list[str] = []

    def throttling(service: str, op: str, account: str, region: str, resource: str) -> Fault:
        if op == "ListPipelineExecutions":
            requests.append(op)
            if throttle_next[0] > 0:
                throttle_next[0] -= 1
                return Fault(code="ThrottlingException", message="Rate exceeded")
        return decide(service, op, account, region, resource)

    faults.decide = throttling
    east = Target(region="us-east-1")
    service = create_service(east, endpoint_url=sim.url, credentials=("AKID1", "x", None))
    name = sorted(sim.engine.world("123456789012", "us-east-1").pipelines)[0]
    try:
        await service.list_executions(name, max_results=1)
        assert LAST_RETRIES.get() == 0
        throttle_next[0], requests[:] = 1, []
        token = SINGLE_ATTEMPT.set(True)
        try:
            with pytest.raises(AwsError) as caught:
                await service.list_executions(name, max_results=1)
        finally:
            SINGLE_ATTEMPT.reset(token)
        assert caught.value.kind is ErrorKind.THROTTLED and len(requests) == 1
        throttle_next[0], requests[:] = 1, []
        await service.list_executions(name, max_results=1)  # botocore retries it, and says so
        assert len(requests) == 2 and LAST_RETRIES.get() == 1
    finally:
        await service.close()


# --- where the time above the quota's floor went (bench/startup.py trace) --------------------------


def paced_start(policy: PollPolicy, endpoint: Endpoint, rows: int, grant: int) -> dict[str, float]:
    """The controller's loop on a fake clock: a tick every 0.25 s, a tick as soon as a read is
    answered (``_dispatch_soon``), and a tick when the start-up pace says its next read can go
    (``startup_wait``); each read is answered 10 ms after it went out. Returns when each pipeline's
    first status came."""
    policy.add_target(T, 0.0)
    (listing,) = policy.next_due(0.0)
    policy.set_pipelines(T, {n: 1 for n in NAMES}, 0.0)
    policy.on_result(listing, 0.0)
    policy.set_visible(T, NAMES[:rows])
    policy.grant_startup(T, grant, 0.0)
    seen: dict[str, float] = {}
    answers: list[tuple[float, Fetch]] = []
    wakes = {round(0.25 * i, 6) for i in range(int(15 / 0.25))}
    t = 0.0
    while t < 15.0:
        for when, fetch in sorted((a for a in answers if a[0] <= t), key=lambda a: a[0]):
            answers.remove((when, fetch))
            answer(policy, endpoint, fetch, when, seen)
        for fetch in policy.next_due(t):
            answers.append((round(t + 0.01, 6), fetch))
            wakes.add(round(t + 0.01, 6))
        wait = policy.startup_wait(t)
        if wait is not None:
            wakes.add(round(t + wait + 0.002, 6))
        later = [w for w in wakes if w > t]
        if not later:
            break
        t = min(later)
    return seen


def test_the_pace_says_when_its_next_read_can_go_so_the_rows_come_at_the_quotas_floor() -> None:
    """tps=10 at the endpoint (a bucket of 10), 36 rows on screen, the burst sized to the screen:
    10 answered at once, 26 throttled. Ticking only every quarter second sent the paced reads two or
    three at a time, late (2.9 s instead of 2.6 s, ``bench/startup.py trace``); ticking when the
    pace has its token, every row on screen has its status within a tenth of a second of the
    quota's own floor (26 more at 10/s: 2.6 s)."""
    policy = PollPolicy(PollSettings())
    endpoint = Endpoint(10, 10)
    seen = paced_start(policy, endpoint, rows=36, grant=36 + int(policy.settings.reserve))
    on_screen = [seen.get(n, 99.0) for n in NAMES[:36]]
    assert max(on_screen) <= 2.6 + 0.1, sorted(on_screen)
    assert policy.startup_wait(20.0) is None  # the phase is over: nothing paced


def test_who_the_caller_is_waits_while_the_burst_is_the_limit() -> None:
    """The identity (and the account alias it leads to) would take two of the endpoint's tokens
    from the rows on screen: it goes once every row on screen has its status."""
    policy = PollPolicy(PollSettings())
    identity_at: list[float] = []
    original = policy.next_due

    def watching(now: float) -> list[Fetch]:
        due = original(now)
        if any(f.kind is FetchKind.IDENTITY for f in due):
            identity_at.append(now)
        return due

    policy.next_due = watching  # type: ignore[method-assign]
    rows_at = start_against(policy, Endpoint(10, 10), 32)
    assert identity_at, "who the caller is was never read"
    assert identity_at[0] >= max(rows_at[n] for n in NAMES[:30])


@pytest.mark.simulator("scale", pipelines=50, faults="tps=10")
async def test_under_a_quota_the_identity_waits_for_the_rows_and_the_pace_ticks_between_ticks(
    tmp_path: Path, sim: Any
) -> None:
    """The real client against the simulator with tps=10, 120x40: GetCallerIdentity reaches the
    endpoint only once every row on screen has its status (it shares the quota there), the paced
    reads are timed by the pace (``_pace_timer``), and the header still learns the account."""
    from tests.support.apps import EAST, sim_app
    from tests.support.wait import wait_until
    from tui.core.config import PollingConfig
    from tui.sim.faults import Fault

    app = sim_app(sim, tmp_path, polling=PollingConfig())
    faults = sim._faults
    decide = faults.decide
    unread_when_identity_asked: list[list[str]] = []

    def on_screen_unread() -> list[str]:
        policy = app.poller.policy
        return [r.name for r in app.store.rows(EAST) if policy.is_visible(EAST.key, r.name) and not r.loaded]

    def watching(service: str, op: str, account: str, region: str, resource: str) -> Fault:
        if op == "GetCallerIdentity":
            unread_when_identity_asked.append(on_screen_unread())
        return decide(service, op, account, region, resource)

    faults.decide = watching
    paced: list[bool] = []
    async with app.run_test(size=(120, 40)) as pilot:

        def pacing() -> bool:
            if getattr(app.poller, "_pace_timer", None) is not None:
                paced.append(True)
            return app.store.identity(EAST) is not None

        await wait_until(pilot, pacing, timeout=60)
        assert unread_when_identity_asked and unread_when_identity_asked[0] == []
        assert app.poller.policy.startup_throttled(EAST.key)  # the burst met the quota ...
        assert paced  # ... and what followed went at the pace's own times


@pytest.mark.simulator("scale", pipelines=50)
async def test_the_probe_goes_by_what_the_table_shows_not_the_store(tmp_path: Path, sim: Any) -> None:
    """The start-up probe (``tui/app/bench_hook.py``) said every row on screen was live one row
    early: a read's answer is in the store a message before the list redraws the row, and a frame
    painted in between counted it. What the table draws decides."""
    from rich.text import Text

    from tests.support.apps import EAST, sim_app
    from tests.support.wait import wait_until
    from tui.app.bench_hook import _Probe
    from tui.ui.screens.pipelines import PipelinesScreen

    app = sim_app(sim, tmp_path)
    ready = tmp_path / "ready.txt"
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PipelinesScreen), timeout=30)
        screen = app.screen
        assert isinstance(screen, PipelinesScreen)

        def all_live() -> bool:
            keys = screen._visible_keys()
            rows = {r.key: r for r in app.store.rows(EAST)}
            return bool(keys) and all(k in rows and rows[k].loaded for k in keys)

        await wait_until(pilot, all_live, timeout=30)
        await pilot.pause()
        # The store says the last row on screen is live; the table still draws it loading (as it
        # does for the moment between the answer and the list's redraw).
        last = screen._visible_keys()[-1]
        drawn = screen.table.get_cell(last, "status")
        screen.table.update_cell(last, "status", Text("… loading"))
        probe = _Probe(app, str(ready), None)
        probe.check(painted=True)
        reached = [line.split()[0] for line in ready.read_text().splitlines()]
        assert "live_first" in reached and "live_screen" not in reached
        screen.table.update_cell(last, "status", drawn)
        probe.check(painted=True)
        assert "live_screen" in [line.split()[0] for line in ready.read_text().splitlines()]


def test_the_first_call_does_not_load_the_system_ca_store_for_aiohttps_unused_defaults() -> None:
    """aiohttp builds two default SSL contexts when it is imported, each loading the system's CA
    store (0.1-0.2 s on the first call's path at start-up). aiobotocore never uses them; its own
    verifying context still has botocore's CAs, a new default context the system's, and the
    environment is as it was. (A fresh interpreter: this one imported aiohttp long ago.)"""
    import subprocess
    import sys

    probe = """
import json, os, ssl
os.environ["SSL_CERT_DIR"] = "/keep/this"  # (a directory is read lazily: the file still loads)
from tui.aws.caller import _import_aiobotocore
assert _import_aiobotocore()
import aiohttp.connector
from aiobotocore.httpsession import AIOHTTPSession
print(json.dumps({
    "aiohttp_defaults": aiohttp.connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"],
    "aiobotocore": AIOHTTPSession(verify=True)._build_verify_context().cert_store_stats()["x509_ca"],
    "cert_file": os.environ.get("SSL_CERT_FILE"),
    "cert_dir": os.environ.get("SSL_CERT_DIR"),
}))
"""
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["aiohttp_defaults"] == 0  # not loaded: the time it took is not spent
    assert seen["aiobotocore"] > 0  # what AWS connections verify against is intact
    assert seen["cert_dir"] == "/keep/this" and seen["cert_file"] is None  # put back as it was
