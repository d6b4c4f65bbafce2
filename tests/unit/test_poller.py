"""The polling policy with a fake clock: cadence, budget, back-off, recovery, focus, scale.

The policy is plain Python; ``World`` below plays the app's part (run each fetch, report back after
a latency) over simulated seconds, so ten minutes of polling take a fraction of a real second.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable

import pytest

from tui.aws.errors import ErrorKind
from tui.core.budget import TokenBucket
from tui.core.model import Status
from tui.core.poll_state import Fetch, FetchKind, PollSettings
from tui.core.poller import PollPolicy

T = "ops@us-east-1"


class World:
    """Runs a policy against pretend pipelines: ``running`` ones change stage now and then."""

    def __init__(
        self,
        n: int = 200,
        running: int = 5,
        visible: int = 10,
        settings: PollSettings | None = None,
        change_p: float = 0.1,
        latency: float = 0.2,
        seed: int = 7,
    ) -> None:
        self.policy = PollPolicy(settings or PollSettings())
        self.names = [f"p{i:03d}" for i in range(n)]
        self.running = set(self.names[:running])
        self.failed: set[str] = set()
        self.visible = self.names[:visible]  # sorted by activity: the running ones are on top
        self.change_p = change_p
        self.latency = latency
        self.rnd = random.Random(seed)
        self.now = 0.0
        self.pending: list[tuple[float, Fetch]] = []
        self.calls: list[float] = []
        self.starts: dict[tuple[FetchKind, str | None], list[float]] = defaultdict(list)
        self.fail_with: Callable[[Fetch, float], ErrorKind | None] = lambda fetch, now: None
        self.policy.add_target(T, 0.0)

    def status(self, name: str) -> Status:
        if name in self.running:
            return Status.IN_PROGRESS
        return Status.FAILED if name in self.failed else Status.SUCCEEDED

    def complete(self, fetch: Fetch) -> None:
        p = self.policy
        error = self.fail_with(fetch, self.now)
        if error is not None:
            p.on_error(fetch, self.now, error)
        elif fetch.kind is FetchKind.LIST:
            p.set_pipelines(T, dict.fromkeys(self.names, 1), self.now)
            p.set_visible(T, self.visible)
            p.on_result(fetch, self.now)
        elif fetch.kind is FetchKind.LATEST:
            first = len(self.starts[fetch.slot]) == 1
            p.on_result(fetch, self.now, changed=first, status=self.status(fetch.name or ""))
        elif fetch.kind is FetchKind.STATE:
            # A state shows the latest execution out of date (a new one, or it ended) only for
            # running pipelines, now and then.
            outdated = fetch.name in self.running and self.rnd.random() < self.change_p
            p.on_result(fetch, self.now, changed=outdated, approval=False)
        else:
            p.on_result(fetch, self.now, version=1)

    def run(self, seconds: float, step: float = 0.2) -> None:
        end = self.now + seconds
        while self.now < end:
            done = [f for at, f in self.pending if at <= self.now]
            self.pending = [(at, f) for at, f in self.pending if at > self.now]
            for fetch in done:
                self.complete(fetch)
            for fetch in self.policy.next_due(self.now):
                self.calls.append(self.now)
                self.starts[fetch.slot].append(self.now)
                self.pending.append((self.now + self.latency, fetch))
            self.now = round(self.now + step, 6)

    def max_gap(self, kind: FetchKind, names: list[str], after: float) -> float:
        """Longest time between fetch starts (or until now) from ``after`` on, over ``names``."""
        worst = 0.0
        for name in names:
            times = [*self.starts[(kind, name)], self.now]
            gaps = [b - a for a, b in itertools.pairwise(times) if b >= after]
            worst = max(worst, *gaps) if gaps else max(worst, self.now - after)
        return worst

    def calls_between(self, start: float, end: float) -> int:
        return sum(1 for c in self.calls if start <= c < end)


def conforms(calls: list[float], rate: float, burst: float) -> bool:
    """True when every call could have taken a token from a (rate, burst) bucket."""
    bucket = TokenBucket(rate, burst, 0.0)
    return all(bucket.try_take(t) for t in sorted(calls))


def max_in_any_second(calls: list[float]) -> int:
    return max((sum(1 for c in calls if t <= c < t + 1.0) for t in calls), default=0)


# --- the first calls ------------------------------------------------------------------------


def test_a_new_target_asks_for_the_list_first_and_the_identity_once_it_answers() -> None:
    policy = PollPolicy()
    policy.add_target(T, 0.0)
    first = policy.next_due(0.0)
    assert [f.kind for f in first] == [FetchKind.LIST]
    assert policy.next_due(0.1) == []  # in flight: nothing is asked twice, the identity waits
    policy.set_pipelines(T, {"pay": 1}, 0.2)
    policy.on_result(first[0], 0.2)
    assert {f.kind for f in policy.next_due(0.2)} == {FetchKind.LATEST, FetchKind.IDENTITY}


def test_an_empty_list_lets_the_identity_go_at_once() -> None:
    policy = PollPolicy()
    policy.add_target(T, 0.0)
    (listing,) = policy.next_due(0.0)
    policy.set_pipelines(T, {}, 0.1)
    policy.on_result(listing, 0.1)
    assert [f.kind for f in policy.next_due(0.1)] == [FetchKind.IDENTITY]


def test_a_failed_list_still_lets_the_identity_go() -> None:
    policy = PollPolicy()
    policy.add_target(T, 0.0)
    (listing,) = policy.next_due(0.0)
    policy.on_error(listing, 0.1, ErrorKind.ACCESS_DENIED)
    assert [f.kind for f in policy.next_due(0.1)] == [FetchKind.IDENTITY]


def test_first_load_fetches_rows_on_screen_before_the_rest() -> None:
    world = World(n=60, running=0, visible=5)
    world.run(1.0)
    latest = [name for (kind, name), _ in sorted(world.starts.items(), key=lambda kv: kv[1][0])]
    first_rows = [n for n in latest if n is not None][:5]
    assert set(first_rows) == set(world.visible)


# --- cadence per class ----------------------------------------------------------------------


def test_cadence_per_class() -> None:
    world = World(n=6, running=1, visible=3)  # p000 running (on screen), p001-p002 visible, rest idle
    world.run(1.0)
    world.policy.poll_fast(T, "p005", world.now)
    world.run(600.0)
    after = 130.0

    def gaps(kind: FetchKind, name: str | None) -> list[float]:
        times = [t for t in world.starts[(kind, name)] if t >= after]
        return [b - a for a, b in itertools.pairwise(times)]

    running_state = gaps(FetchKind.STATE, "p000")
    assert running_state and min(running_state) >= 4.5 and max(running_state) <= 5.0
    # succeeded on the first load: no state polling, one prefetch at most
    assert len(world.starts[(FetchKind.STATE, "p001")]) <= 1
    visible = gaps(FetchKind.LATEST, "p001")
    assert min(visible) >= 13.0 and max(visible) <= 15.1
    idle = gaps(FetchKind.LATEST, "p003")
    assert idle and min(idle) >= 60.0 and max(idle) <= 120.0
    watched_latest = gaps(FetchKind.LATEST, "p005")
    watched_state = gaps(FetchKind.STATE, "p005")
    # one call per cycle: the state; the latest execution as a safety net at the visible cadence
    assert max(watched_state) <= 5.0 and max(watched_latest) <= 15.1
    assert len(world.starts[(FetchKind.DEFINITION, "p005")]) == 1  # cached by version
    listing = gaps(FetchKind.LIST, None)
    assert min(listing) >= 54.0 and max(listing) <= 60.1


def test_unwatch_returns_a_pipeline_to_its_class() -> None:
    world = World(n=4, running=0, visible=0)
    world.run(1.0)
    world.policy.poll_fast(T, "p002", world.now)
    world.run(30.0)
    world.policy.stop_polling_fast(T, "p002")
    before = len(world.starts[(FetchKind.LATEST, "p002")])
    states = len(world.starts[(FetchKind.STATE, "p002")])
    world.run(50.0)
    assert states >= 7 and before >= 2
    assert len(world.starts[(FetchKind.LATEST, "p002")]) == before  # idle again: not within 50 s
    assert len(world.starts[(FetchKind.STATE, "p002")]) == states  # and its state is not polled


# --- follow-up fetches ----------------------------------------------------------------------


def test_state_is_fetched_when_the_latest_execution_changes() -> None:
    world = World(n=3, running=0, visible=3)
    world.run(20.0)
    prefetched = len(world.starts[(FetchKind.STATE, "p001")])
    assert prefetched <= 1  # succeeded: at most the one prefetch, no polling
    world.failed.add("p001")
    original = world.complete

    def complete(fetch: Fetch) -> None:
        if fetch.kind is FetchKind.LATEST and fetch.name == "p001":
            world.policy.on_result(fetch, world.now, changed=True, status=Status.FAILED)
        else:
            original(fetch)

    world.complete = complete  # type: ignore[method-assign]
    world.run(16.0)
    assert len(world.starts[(FetchKind.STATE, "p001")]) == prefetched + 1  # once, not every poll


def test_a_state_that_shows_the_latest_execution_out_of_date_asks_for_it() -> None:
    world = World(n=2, running=1, visible=2, change_p=1.0)
    world.run(20.0)
    # every state poll said "out of date": each one is followed by a LATEST
    states = len(world.starts[(FetchKind.STATE, "p000")])
    assert len(world.starts[(FetchKind.LATEST, "p000")]) >= states - 1


def test_an_execution_that_ends_gets_a_final_state() -> None:
    world = World(n=2, running=1, visible=2, change_p=0.0)
    world.run(10.0)
    states = len(world.starts[(FetchKind.STATE, "p000")])
    world.running.clear()
    world.policy.refresh_now(world.now, T, "p000")
    world.run(20.0)
    # the refresh's LATEST sees it ended -> one more state; then no more state polls
    after = len(world.starts[(FetchKind.STATE, "p000")])
    assert states + 1 <= after <= states + 3
    world.run(30.0)
    assert len(world.starts[(FetchKind.STATE, "p000")]) == after


def test_a_pending_approval_fetches_the_definition_once_per_version() -> None:
    policy = PollPolicy()
    policy.add_target(T, 0.0)
    for when in (0.0, 0.1):  # the list, then the identity
        for f in policy.next_due(when):
            policy.on_result(f, when + 0.05)
    policy.set_pipelines(T, {"pay": 3}, 0.1)
    (latest,) = policy.next_due(0.2)
    policy.on_result(latest, 0.3, changed=True, status=Status.IN_PROGRESS)
    (state,) = policy.next_due(0.4)
    assert state.kind is FetchKind.STATE
    policy.on_result(state, 0.5, changed=True, approval=True)
    due = {f.kind for f in policy.next_due(0.6)}
    assert FetchKind.DEFINITION in due
    definition = Fetch(T, FetchKind.DEFINITION, "pay")
    policy.on_result(definition, 0.7, version=3)
    assert all(f.kind is not FetchKind.DEFINITION for f in policy.next_due(10.0))
    policy.set_pipelines(T, {"pay": 4}, 11.0)  # edited: the cached definition is stale
    assert any(f.kind is FetchKind.DEFINITION for f in policy.next_due(11.0))


# --- manual refresh -------------------------------------------------------------------------


def test_refresh_now_jumps_the_queue_and_may_use_the_reserve() -> None:
    world = World(n=200, running=5, visible=10)
    world.run(20.0)  # first load in progress: the bucket is at its reserve
    assert world.policy.bucket(T).available(world.now) < 1.0 + world.policy.settings.reserve
    world.policy.refresh_now(world.now, T, "p150")
    fetches = world.policy.next_due(world.now + 0.25)
    assert [(f.kind, f.name) for f in fetches[:2]] == [
        (FetchKind.LATEST, "p150"),
        (FetchKind.STATE, "p150"),
    ] or [(f.kind, f.name) for f in fetches[:2]] == [
        (FetchKind.STATE, "p150"),
        (FetchKind.LATEST, "p150"),
    ]
    assert all(f.urgent for f in fetches[:2])


def test_refresh_now_refreshes_what_is_on_screen() -> None:
    world = World(n=30, running=1, visible=5)
    world.run(40.0)
    asked = world.now
    world.policy.refresh_now(asked)
    world.run(2.0)

    def refreshed(kind: FetchKind, name: str | None) -> bool:
        return any(t >= asked for t in world.starts[(kind, name)])

    assert refreshed(FetchKind.LIST, None)
    assert all(refreshed(FetchKind.LATEST, n) for n in world.visible)
    assert refreshed(FetchKind.STATE, "p000")  # running
    assert not refreshed(FetchKind.LATEST, "p020")  # off screen: not part of "r"


# --- budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("visible", [10, 30])
@pytest.mark.slow
def test_the_budget_holds_in_every_second(visible: int) -> None:
    world = World(n=200, running=5, visible=visible)
    world.run(600.0)
    s = world.policy.settings
    assert conforms(world.calls, s.tps, s.burst)
    assert max_in_any_second(world.calls) <= s.tps + s.burst
    assert len(world.calls) / 600.0 <= s.tps


@pytest.mark.slow
def test_200_pipelines_5_running_over_ten_minutes() -> None:
    """The issue's target: ≤ 4 calls/s on average, running ≤ 5 s, on screen ≤ 15 s, all ≤ 2 min."""
    world = World(n=200, running=5, visible=15)  # 80x24 shows about 15 rows, the 5 running on top
    world.run(600.0)
    average = len(world.calls) / 600.0
    steady = world.calls_between(150.0, 600.0) / 450.0
    assert average <= 4.0 and steady <= 4.0
    assert world.max_gap(FetchKind.STATE, world.names[:5], after=1.0) <= 5.0
    # every pipeline loaded within 2 minutes of start, and refreshed within 2 minutes after that
    assert max(world.starts[(FetchKind.LATEST, n)][0] for n in world.names) <= 120.0
    assert world.max_gap(FetchKind.LATEST, world.names[15:], after=120.0) <= 120.5
    # rows on screen: within 15 s, allowing the budget's small stretch at this many rows
    iv = world.policy.intervals(T, world.now)
    assert world.max_gap(FetchKind.LATEST, world.names[5:15], after=120.0) <= max(15.0, iv.visible) + 0.5


@pytest.mark.slow
def test_200_pipelines_30_rows_on_screen_within_the_budget_running_at_one_call_a_cycle() -> None:
    """120x36 shows about 30 rows. Keeping every promise exactly would cost 5/5 + 25/15 + 170/120
    ≈ 4.1 calls/s, more than the budget: running pipelines keep 5 s at one call per cycle, the rest
    stretch together by a little (bench/run.py measures the same on the real app)."""
    world = World(n=200, running=5, visible=30, change_p=0.0)
    world.run(600.0)
    s = world.policy.settings
    assert world.calls_between(150.0, 600.0) / 450.0 <= s.tps
    assert conforms(world.calls, s.tps, s.burst)
    running = world.names[:5]
    assert world.max_gap(FetchKind.STATE, running, after=1.0) <= 5.0
    # one call per cycle: the latest execution only as the safety net (none of them changed)
    assert all(len(world.starts[(FetchKind.LATEST, n)]) <= 600.0 / s.idle_interval + 1 for n in running)
    iv = world.policy.intervals(T, world.now)
    assert 1.0 < 1 / iv.factor <= 1.2
    assert world.max_gap(FetchKind.LATEST, world.names[5:30], after=200.0) <= 1.25 * s.visible_interval
    assert world.max_gap(FetchKind.LATEST, world.names[30:], after=200.0) <= 1.25 * s.idle_interval


@pytest.mark.slow
def test_with_fewer_rows_on_screen_every_promise_is_kept() -> None:
    world = World(n=200, running=5, visible=10)
    world.run(600.0)
    assert world.policy.intervals(T, world.now).factor == 1.0
    assert world.max_gap(FetchKind.STATE, world.names[:5], after=1.0) <= 5.0
    assert world.max_gap(FetchKind.LATEST, world.names[5:10], after=120.0) <= 15.0
    assert world.max_gap(FetchKind.LATEST, world.names[10:], after=120.0) <= 120.0
    assert world.calls_between(150.0, 600.0) / 450.0 <= 3.8


@pytest.mark.slow
def test_too_many_rows_on_screen_stretch_visible_and_idle_not_running() -> None:
    world = World(n=200, running=5, visible=40)
    world.run(600.0)
    iv = world.policy.intervals(T, world.now)
    assert iv.factor < 1.0 and iv.visible > 15.0 and iv.idle > 120.0
    # running pipelines keep their cadence: within the 5 s promise
    assert world.max_gap(FetchKind.STATE, world.names[:5], after=1.0) <= 5.0
    # (give or take a token's wait when several fetches fall due together)
    assert world.max_gap(FetchKind.LATEST, world.names[5:40], after=200.0) <= iv.visible + 1.5
    assert conforms(world.calls, 4.0, 8.0)


@pytest.mark.slow
def test_with_far_too_many_pipelines_rows_on_screen_stretch_at_most_twice() -> None:
    # 1,000 pipelines at 4 calls/s: a uniform stretch would poll rows on screen every ~56 s.
    world = World(n=1000, running=5, visible=30)
    world.run(400.0)
    s = world.policy.settings
    iv = world.policy.intervals(T, world.now)
    assert iv.visible == pytest.approx(s.visible_interval * s.visible_stretch_max)
    assert iv.idle > 3 * s.idle_interval  # what is off screen takes the rest of the squeeze
    assert iv.planned <= s.tps * s.poll_share + 1e-6
    assert world.max_gap(FetchKind.LATEST, world.names[5:30], after=300.0) <= iv.visible + 1.0
    assert world.max_gap(FetchKind.STATE, world.names[:5], after=1.0) <= 5.0
    assert conforms(world.calls, s.tps, s.burst)


def test_on_demand_calls_share_the_budget() -> None:
    policy = PollPolicy()
    policy.add_target(T, 0.0)
    taken = 0
    while policy.take_token(T, 0.0) == 0.0:
        taken += 1
    assert taken == 8  # the whole burst: on-demand calls ignore the poll reserve
    assert policy.next_due(0.0) == []  # polls wait for the refill
    assert policy.take_token(T, 0.0) == pytest.approx(0.25)
    planned = policy.intervals(T, 0.0).planned
    assert planned <= 4.0


# --- throttling -----------------------------------------------------------------------------


def test_throttling_halves_the_budget_and_it_recovers_additively() -> None:
    bucket = TokenBucket(4.0, 8.0, 0.0)
    bucket.throttled(10.0)
    assert bucket.rate == 2.0 and bucket.reduced and bucket.available(10.0) == 0.0
    bucket.throttled(10.2)  # calls that were in flight together: one halving
    assert bucket.rate == 2.0
    bucket.throttled(11.0)
    assert bucket.rate == 1.0
    rates = []
    for t in range(12, 80):
        bucket.available(float(t))
        rates.append(bucket.rate)
    assert rates == sorted(rates)  # only ever grows back, step by step
    assert rates[0] == 1.0 and rates[15 - 12] == 1.0 and rates[16 - 12] == 1.25
    # 0.25/s every 5 s: 12 steps, 60 s after the last throttle
    assert rates[70 - 12] == 3.75 and rates[71 - 12] == 4.0
    assert not bucket.reduced
    assert not bucket.reduced


def test_a_throttled_poll_is_retried_under_the_smaller_budget_and_nothing_is_lost() -> None:
    world = World(n=100, running=5, visible=10)
    world.run(120.0)
    throttle_until = world.now + 20.0

    def throttle(fetch: Fetch, now: float) -> ErrorKind | None:
        return ErrorKind.THROTTLED if now < throttle_until else None

    world.fail_with = throttle
    world.run(20.0)
    bucket = world.policy.bucket(T)
    assert bucket.rate <= 0.5  # halved again and again, towards the floor
    throttled_calls = world.calls_between(throttle_until - 20.0, throttle_until)
    assert throttled_calls <= 8 + 20  # the bank emptied, then a small trickle
    world.fail_with = lambda fetch, now: None
    world.run(80.0)
    assert bucket.rate == 4.0  # recovered
    assert world.policy.in_flight(T) <= world.policy.settings.max_in_flight
    # running pipelines are back at their cadence, and every pipeline was fetched again
    assert world.max_gap(FetchKind.STATE, world.names[:5], after=world.now - 30.0) <= 5.0
    last = {n: world.starts[(FetchKind.LATEST, n)][-1] for n in world.names}
    assert all(world.now - t <= 200.0 for t in last.values())


def test_throttling_stretches_the_plan_to_the_smaller_budget() -> None:
    world = World(n=200, running=5, visible=10)
    world.run(200.0)
    before = world.policy.intervals(T, world.now)
    world.policy.on_throttle(T, world.now)
    after = world.policy.intervals(T, world.now)
    assert after.factor < before.factor
    assert after.planned <= world.policy.bucket(T).rate


# --- errors ---------------------------------------------------------------------------------


def test_network_errors_back_off_exponentially_and_refresh_ends_the_pause() -> None:
    world = World(n=5, running=0, visible=5)
    world.fail_with = lambda fetch, now: ErrorKind.NETWORK
    world.run(60.0)
    lists = world.starts[(FetchKind.LIST, None)]
    gaps = [b - a for a, b in itertools.pairwise(lists)]
    assert len(lists) >= 4 and gaps == sorted(gaps)  # 2.5, 5, 10, 20 ... s
    assert world.policy.paused(T, world.now)
    world.fail_with = lambda fetch, now: None
    world.policy.refresh_now(world.now)
    assert not world.policy.paused(T, world.now)
    assert any(f.kind is FetchKind.LIST for f in world.policy.next_due(world.now))


def test_access_denied_pauses_only_that_operation() -> None:
    world = World(n=5, running=2, visible=5)

    def deny_state(fetch: Fetch, now: float) -> ErrorKind | None:
        return ErrorKind.ACCESS_DENIED if fetch.kind is FetchKind.STATE else None

    world.fail_with = deny_state
    world.run(120.0)
    assert len(world.starts[(FetchKind.STATE, "p000")]) == 1  # denied once, then left alone
    assert len(world.starts[(FetchKind.LATEST, "p003")]) >= 7  # the rest keeps going


def test_a_deleted_pipeline_is_forgotten() -> None:
    world = World(n=3, running=0, visible=3)
    world.run(2.0)
    world.policy.on_error(Fetch(T, FetchKind.LATEST, "p002"), world.now, ErrorKind.NOT_FOUND)
    assert "p002" not in world.policy.pipelines(T)


def test_the_policy_and_the_store_never_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, tui.core.poller, tui.core.store, tui.core.budget; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_operation_failing_the_same_way_while_others_work_rests_for_minutes() -> None:
    """Issue 11: an emulator answering every GetPipelineState with 500 was asked 60 times in 70 s.
    Three identical failures while other calls succeed rest that operation (the rest keeps going)."""
    world = World(n=20, running=5, visible=10)
    world.run(30)
    world.fail_with = lambda fetch, now: ErrorKind.SERVICE if fetch.kind is FetchKind.STATE else None
    start = world.now
    world.run(600)
    state_starts = sum(
        1 for (kind, _), times in world.starts.items() if kind is FetchKind.STATE for t in times if t >= start
    )
    assert state_starts <= 3 * PollSettings().max_in_flight  # a few at first, then one burst per pause
    assert world.policy.rested(T, FetchKind.STATE, world.now)
    # Rows on screen kept their cadence meanwhile; running ones are followed by their latest execution.
    assert world.max_gap(FetchKind.LATEST, world.visible, start + 60) <= 2 * PollSettings().visible_interval
    running = sorted(world.running)
    assert world.max_gap(FetchKind.LATEST, running, start + 60) <= 2 * PollSettings().active_interval
    # The endpoint learns it: after the pause the state comes back and is polled as before.
    world.fail_with = lambda fetch, now: None
    world.run(PollSettings().unavailable_pause + 30)
    after = world.now
    world.run(60)
    assert world.max_gap(FetchKind.STATE, sorted(world.running), after) <= 2 * PollSettings().active_interval


def test_a_whole_endpoint_failing_is_an_outage_not_an_unavailable_operation() -> None:
    """When nothing works, no operation is rested: the target's back-off retries within a minute."""
    world = World(n=20, running=5, visible=10)
    world.run(30)
    world.fail_with = lambda fetch, now: ErrorKind.SERVICE
    world.run(300)
    assert not world.policy.rested(T, FetchKind.STATE, world.now)
    assert not world.policy.rested(T, FetchKind.LATEST, world.now)


def test_an_operation_rested_during_an_outage_is_tried_again_when_the_endpoint_recovers() -> None:
    """A success that came in during an outage must not leave an operation rested for minutes
    once everything works again."""
    world = World(n=20, running=5, visible=10)
    world.run(30)
    world.fail_with = lambda fetch, now: ErrorKind.SERVICE if fetch.kind is FetchKind.STATE else None
    world.run(120)
    assert world.policy.rested(T, FetchKind.STATE, world.now)
    world.fail_with = lambda fetch, now: ErrorKind.SERVICE  # now everything fails: an outage
    world.run(120)
    world.fail_with = lambda fetch, now: None
    recovered = world.now
    world.run(120)
    assert (
        world.max_gap(FetchKind.STATE, sorted(world.running), recovered + 80)
        <= 2 * PollSettings().active_interval
    )
