"""What to fetch, and when: the polling policy. Plain Python, no Textual, an injected clock.

The app's ``PollController`` (tui/app/poll_control.py) asks ``next_due(now)`` a few times a second, runs each
returned ``Fetch`` in a worker and reports back with ``on_result`` / ``on_error``. Time here is
monotonic seconds (a float), never the simulated or wall-clock ``datetime`` the screens display.

Each fetch is one API call, the cheapest that keeps a row right:
- running (latest execution InProgress/Stopping) or polled fast (a screen shows the pipeline): ONE call
  per cycle, GetPipelineState at ``active_interval``: it carries every stage's status and latest
  execution id. ListPipelineExecutions(1) only when that state says the known latest execution is
  out of date (a new execution id, or the known one ended or restarted: ``on_result(changed=True)``),
  plus a safety net every ``idle_interval`` (``visible_interval`` when polled fast); GetPipeline for a
  pipeline polled fast when the cached definition is not the listed version;
- visible (a row on screen): ListPipelineExecutions(1) every ``visible_interval``;
- idle (everything else): ListPipelineExecutions(1) every ``idle_interval``, in a paced sweep;
- GetPipelineState for a pipeline that is not running only after its latest execution changed
  (on the first load, only when it did not simply succeed): the failed stage and waiting approvals
  come from there; GetPipeline only for pipelines polled fast and pending approvals;
- ListPipelines every ``list_interval``; the caller identity once;
- in spare budget only, once each: every pipeline's definition and state (so opening one is
  instant and the cache is warm), oldest first, paced at half of what the plan leaves unused.

Order of service: what the user asked for (``refresh_now``, ``poll_fast``), then pipelines polled
fast, running pipelines and one-shot follow-ups by deadline, then first loads (rows on screen first:
a row with no status is worse than one a few seconds old) and rows on screen overdue by twice their
interval, then visible rows by deadline, then the idle sweep (paced, so it never comes in clumps),
then prefetches.
One ``TokenBucket`` per target is shared by polls and on-demand calls (``take_token``); polls leave
``reserve`` tokens for on-demand calls unless the user asked. When planned demand exceeds what the
bucket refills (many rows on screen, or a throttle halved the rate) the visible and idle intervals
stretch by the same factor, so the budget always holds and running pipelines keep their cadence;
rows on screen stretch at most ``visible_stretch_max`` times, what is off screen takes the rest.
At start-up the controller grants a one-off burst (``grant_startup``: the rows on screen): that many
first loads start at once, in parallel, beyond ``burst`` and ``max_in_flight``, top row first. The
start-up phase lasts until every row on screen has its status (at most ``_STARTUP_MAX``): after the
burst, what the user asked for, the list and the rows on screen go paced to what the endpoint took at
once per second (``_pace``: an AWS bucket refills at about its size per second; a tenth more every
half second, 15 % less after a throttle), not at ``tps``; everything else waits. A throttle in the
phase is the burst (or the pace), not the sustained rate: the rate is not halved, the fetch is due
again at once (the controller sends those reads once, not through botocore's retries, which waited
0-3 s in no order). At its end the bank is emptied (the endpoint's bucket was just spent) and
``startup_outcome`` tells the controller what to remember for the next start.

Push mode (``set_push``): while events flow for a target (``tui.events``), every pipeline not polled
fast is read only by the paced safety sweep, within a calls-per-second budget (``[events]
sweep_interval``, default 600 s, the shortest period; ``sweep_calls_per_second``, default 0.15):
rows on screen, running pipelines and those with an event in the last hour first, everything else
(and the list) at the period the budget leaves (``tui.core.sweep``); prefetches only for the former.
Each event asks for one confirming GetPipelineState (``confirm``), which asks for the latest
execution when it shows it moved on. Pipelines a screen shows keep their active cadence.
``set_push(target, None)``: back to polling.

Failures: a throttle halves the budget and the fetch is due again at once (within the smaller
budget); network and service errors pause the target with an exponential back-off; failing
credentials pause it and then send one cheap probe every ``credentials_probe`` seconds until a call
succeeds, so polling resumes by itself after ``aws sso login``. One operation failing the same way
(kind and code) ``unavailable_after`` times in a row while other calls succeed is one the endpoint
does not offer (an emulator's 500 for GetPipelineState): it rests for ``unavailable_pause`` seconds
(``on_error`` returns True once, for the one notice), and running pipelines or those polled fast are followed
through ListPipelineExecutions at the active cadence meanwhile. A target-wide outage rests nothing,
and its recovery ends any rest taken during it.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tui.aws.errors import ErrorKind
from tui.core.budget import TokenBucket
from tui.core.model import Status
from tui.core.sweep import SweepPlan, plan_sweep

RUNNING_STATUSES = frozenset({Status.IN_PROGRESS, Status.STOPPING})
# A first load that finds one of these has nothing a GetPipelineState would add to the row.
_QUIET_STATUSES = frozenset({Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED})

# Service tiers, best first.
# (_SWEPT_FIRST: push mode's sweep of rows on screen and pipelines with recent activity, at their
# period, before the rest of the sweep, which takes what they leave, oldest first.)
_URGENT, _HOT, _FIRST, _VISIBLE, _SWEPT_FIRST, _SWEEP, _PREFETCH = range(7)
# Credit pools that pace a tier (candidates not in a pool are limited by the bucket only).
_NO_POOL, _SWEEP_POOL, _PREFETCH_POOL = range(3)
_PREFETCH_MAX_RATE = 1.0
# Planning allowance: a running pipeline's latest execution starts or ends about this often (seconds),
# each time costing one ListPipelineExecutions beyond its GetPipelineState cycle.
_CHANGE_EVERY = 120.0
# Usage is measured over this window (seconds) when planning.
_WINDOW = 30.0
# A paced pool banks this much unused credit: after a moment without tokens the sweep catches up
# instead of losing its share (at 2.0 the worst off-screen gap at 200 pipelines was 164 s, not 138).
_CREDIT_MAX = 8.0
_NO_RANK = 1 << 30  # (off screen: after every row on screen)
# Push mode: after a scan that found nothing to start, the next one waits until something falls due
# (at most this long: an interval that shrank meanwhile is noticed this late at worst). At 1,000
# pipelines a scan took 4-8 ms, four times a second, while events arrived and nothing was due.
_QUIET_MAX = 1.0
# The start-up phase ends by this long (seconds) after its grant, whatever is still unread.
_STARTUP_MAX = 20.0
# A throttle during the paced start-up cuts the pace to this share (once per second at most).
_PACE_CUT = 0.85
# ... and grows by this share every this many seconds without one.
_PACE_GROW, _PACE_GROW_EVERY = 0.1, 0.5


class FetchKind(StrEnum):
    IDENTITY = "identity"
    LIST = "list"
    LATEST = "latest"
    STATE = "state"
    DEFINITION = "definition"

    @property
    def operation(self) -> str:
        """The AWS operation this fetch costs."""
        return _OPERATIONS[self]


# Ties (e.g. everything a refresh asked for) go list first (at start-up the rows wait for it, the
# account name does not), then states, then the rest, by name.
_KIND_ORDER = {
    FetchKind.LIST: 0,
    FetchKind.IDENTITY: 1,
    FetchKind.STATE: 2,
    FetchKind.LATEST: 3,
    FetchKind.DEFINITION: 4,
}

_OPERATIONS = {
    FetchKind.IDENTITY: "GetCallerIdentity",
    FetchKind.LIST: "ListPipelines",
    FetchKind.LATEST: "ListPipelineExecutions",
    FetchKind.STATE: "GetPipelineState",
    FetchKind.DEFINITION: "GetPipeline",
}


@dataclass(frozen=True)
class Fetch:
    """One API call the policy wants made now. ``target`` is a ``Target.key``."""

    target: str
    kind: FetchKind
    name: str | None = None
    urgent: bool = field(default=False, compare=False)

    @property
    def slot(self) -> tuple[FetchKind, str | None]:
        return (self.kind, self.name)


@dataclass(frozen=True)
class PollSettings:
    """Cadence (seconds) and budget (calls per second) for each target."""

    list_interval: float = 60.0
    active_interval: float = 5.0
    visible_interval: float = 15.0
    idle_interval: float = 120.0
    tps: float = 4.0
    burst: float = 8.0
    reserve: float = 2.0  # tokens polls leave for on-demand calls (history pages, logs, ...)
    # Of the refill rate (less what on-demand calls measurably use) that planned polling may use;
    # the bucket enforces the budget and ``reserve`` keeps tokens for on-demand calls.
    poll_share: float = 0.98
    max_in_flight: int = 6
    # Reads started at once when the first list arrives (``grant_startup``); None: the controller
    # sizes it to the screen. A throttle during it halves it for the next start (tui/core/cache.py).
    startup_burst: int | None = None
    min_tps: float = 0.25
    recovery_step: float = 0.25  # calls/s given back ...
    recovery_every: float = 5.0  # ... per this many seconds without a throttle
    error_backoff_max: float = 60.0
    denied_pause: float = 300.0
    # One operation failing the same way this many times in a row while the endpoint answers
    # others (an emulator without GetPipelineState answers 500 or NotImplemented to every call)
    # is rested for ``unavailable_pause`` seconds instead of being retried every few seconds.
    unavailable_after: int = 3
    unavailable_pause: float = 300.0
    # While credentials fail, one cheap call this often checks whether they work again.
    credentials_probe: float = 30.0
    # A periodic fetch may start this much before its interval ends (a fraction, capped in
    # seconds), so waiting for a token never breaks the interval's promise. A second is enough:
    # each second earlier costs calls (at 2 s, rows on screen were polled every 13.5 s, not 15).
    slack: float = 0.1
    slack_max: float = 1.0
    # The idle sweep takes a pipeline once this fraction of its interval has passed, oldest
    # first, at ``sweep_pace`` times the rate the interval needs (the spare absorbs backlogs).
    sweep_min_age: float = 0.5
    sweep_pace: float = 1.05
    # Under a budget too small for everything, rows on screen wait at most this many times their
    # interval (30 s, not 56 s, at 1,000 pipelines); what is off screen waits longer instead.
    visible_stretch_max: float = 2.0
    # Push mode: a pipeline with an event this recently (seconds) is swept first, like a row on
    # screen (``tui.core.sweep``).
    sweep_recent: float = 3600.0

    def window(self, every: float) -> float:
        """How early a fetch with this interval may start."""
        return min(every * self.slack, self.slack_max)

    def rate(self, every: float) -> float:
        """Planned calls per second of one periodic fetch (it starts, on average, mid-window)."""
        return 1.0 / max(0.1, every - self.window(every) / 2)


@dataclass(frozen=True)
class Intervals:
    """The effective cadence of one target after stretching for the budget."""

    active: float
    visible: float
    idle: float
    factor: float  # 1.0 = not stretched; 0.5 = visible and idle intervals doubled
    sweep_rate: float  # calls/s the idle sweep is paced at
    planned: float  # calls/s all of it is planned to cost
    # Push mode: the period of the pipelines swept first (on screen, recent activity; ``idle`` is
    # everyone else's), and how often the list is read.
    first: float | None = None
    listing: float = 60.0


@dataclass
class _Pipe:
    name: str
    added_at: float = 0.0
    version: int | None = None
    status: Status | None = None
    seen: bool = False  # a LATEST result arrived at least once
    latest_at: float | None = None  # when the last LATEST fetch started
    state_at: float | None = None
    want_latest: float | None = None  # when a one-shot fetch was asked for
    want_state: float | None = None
    has_approval: bool = False
    def_version: int | None = None
    has_def: bool = False
    def_at: float | None = None  # when the last GetPipeline started

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES


@dataclass(frozen=True)
class StartupOutcome:
    """How the start-up phase went: ``granted`` reads in the burst, ``accepted`` of them answered at
    the first attempt; ``burst_throttled``: the endpoint throttled one of the burst (or answered it
    only after a retry); ``clean``: nothing in the whole phase was throttled or retried."""

    granted: int
    accepted: int
    burst_throttled: bool
    clean: bool


@dataclass
class _Startup:
    """The start-up phase of one target (see ``PollPolicy.grant_startup``)."""

    granted: int
    until: float  # the phase ends by then at the latest
    wave: set[tuple[FetchKind, str | None]] = field(default_factory=set)  # the burst's reads in flight
    accepted: int = 0  # the burst's reads answered at the first attempt
    burst_throttled: bool = False
    throttled: bool = False  # anything in the phase throttled or retried
    beyond_bank: bool = True  # the burst was more than the bucket held (else it was never the limit)
    pace: TokenBucket | None = None  # after the burst: reads paced to what the endpoint accepts
    factor: float = 1.0  # the pace's share of ``accepted`` per second, cut by each throttle
    cut_at: float | None = None
    paced_at: float = 0.0  # when the pace began
    grown: int = 0  # growth steps taken since it began, or since the last cut


@dataclass
class _Target:
    key: str
    bucket: TokenBucket
    added_at: float
    pipes: dict[str, _Pipe] = field(default_factory=dict)
    visible: set[str] = field(default_factory=set)
    rank: dict[str, int] = field(default_factory=dict)  # rows on screen: top first
    fast: Counter[str] = field(default_factory=Counter)
    urgent: set[tuple[FetchKind, str | None]] = field(default_factory=set)
    # slot -> the schedule stamp before dispatch, restored when a retryable error means "again".
    in_flight: dict[tuple[FetchKind, str | None], float | None] = field(default_factory=dict)
    listed_at: float | None = None
    list_answered: bool = False  # a ListPipelines call came back (with pipelines or an error)
    identity_ok: bool = False
    identity_at: float | None = None
    failures: int = 0
    paused_until: float = 0.0
    probing: bool = False  # credentials failed: one probe at a time until a call succeeds
    denied_until: dict[FetchKind, float] = field(default_factory=dict)
    # Per operation: (error kind, code) of its last failures, how many in a row, and since when.
    streaks: dict[FetchKind, tuple[tuple[ErrorKind, str], int, float]] = field(default_factory=dict)
    last_success: float | None = None
    rested_until: dict[FetchKind, float] = field(default_factory=dict)
    credit: list[float] = field(default_factory=lambda: [0.0, 1.0, 0.0])  # per pool
    # Push mode: events flow for this target, so every pipeline not on a screen is read only
    # every ``push`` seconds (the safety sweep) plus once after each event (``confirm``).
    push: float | None = None
    # ... within this many calls per second (None: every pipeline every ``push`` seconds), those on
    # screen and with recent activity (an event: when) first (``tui.core.sweep``).
    push_budget: float | None = None
    activity: dict[str, float] = field(default_factory=dict)
    # Push mode: nothing can start before then unless something changes (``_quiet``), and the
    # intervals the last scan used (a skipped scan keeps pacing the credit pools with them).
    quiet_until: float = 0.0
    last_intervals: Intervals | None = None
    next_eligible: float = math.inf  # (set by each scan)
    rates: tuple[float, float, float] = (0.0, 0.0, 0.0)  # per pool: credits earned per second
    credit_stamp: float = 0.0
    # (when, tier) of recent dispatches, and when on-demand calls took tokens: measured load.
    recent: deque[tuple[float, int]] = field(default_factory=deque)
    on_demand: deque[float] = field(default_factory=deque)
    # The start-up burst (``grant_startup``): fetches it may still start at once, the ones it
    # started that have not answered, and whether the endpoint throttled one of them.
    startup_left: int = 0
    startup_slots: set[tuple[FetchKind, str | None]] = field(default_factory=set)
    startup_throttled: bool = False
    # The start-up phase (from the grant until every row on screen has its status): its state,
    # and its outcome once over (taken by ``startup_outcome``).
    startup: _Startup | None = None
    startup_done: StartupOutcome | None = None

    def order(self, c: Candidate) -> tuple[int, float, int, int, str]:
        """Service order: tier, deadline, kind, then rows on screen top first, then by name."""
        return (c[0], c[1], _KIND_ORDER[c[3].kind], self.rank.get(c[3].name or "", _NO_RANK), c[3].name or "")

    def measured(self, now: float, tiers: tuple[int, ...]) -> float:
        """Calls per second recently dispatched in these tiers."""
        while self.recent and self.recent[0][0] < now - _WINDOW:
            self.recent.popleft()
        span = min(_WINDOW, max(1.0, now - self.added_at))
        return sum(1 for _, tier in self.recent if tier in tiers) / span

    def on_demand_rate(self, now: float) -> float:
        while self.on_demand and self.on_demand[0] < now - _WINDOW:
            self.on_demand.popleft()
        return len(self.on_demand) / _WINDOW


Candidate = tuple[int, float, int, Fetch]  # (tier, deadline, pool, fetch)


class PollPolicy:
    """Decides which fetches are due; the caller runs them and reports back."""

    def __init__(self, settings: PollSettings | None = None) -> None:
        self.settings = settings or PollSettings()
        self._targets: dict[str, _Target] = {}

    # --- setup and focus ---------------------------------------------------------------------

    def add_target(self, target: str, now: float) -> None:
        """Start polling a target (a ``Target.key``): identity and the pipeline list are due now."""
        if target in self._targets:
            return
        s = self.settings
        bucket = TokenBucket(
            s.tps,
            s.burst,
            now,
            min_rate=s.min_tps,
            recovery_step=s.recovery_step,
            recovery_every=s.recovery_every,
        )
        self._targets[target] = _Target(target, bucket, added_at=now, credit_stamp=now)

    def grant_startup(self, target: str, tokens: int, now: float) -> int:
        """The start-up burst: up to ``tokens`` fetches start at once, in parallel (the rows on screen
        first), beyond ``burst`` and ``max_in_flight``; then the normal rate. Called once the first
        list is known; capped at what that list needs. Returns the burst granted."""
        t = self._targets[target]
        t.quiet_until = 0.0  # (something changed: scan again)
        tokens = min(int(tokens), len(t.pipes) + int(self.settings.reserve) + 1)
        if tokens <= 0:
            return 0
        beyond_bank = tokens > t.bucket.available(now)
        t.bucket.grant(float(tokens), now)
        t.startup_left = tokens
        t.startup = _Startup(granted=tokens, until=now + _STARTUP_MAX, beyond_bank=beyond_bank)
        return tokens

    def in_startup_phase(self, target: str) -> bool:
        """True from the grant until every row on screen has its status (or ``_STARTUP_MAX``) and
        ``startup_outcome`` has told how it went."""
        t = self._targets.get(target)
        return t is not None and (t.startup is not None or t.startup_done is not None)

    def startup_outcome(self, target: str, now: float) -> StartupOutcome | None:
        """How the start-up phase went, once it is over (returned once; None before and after)."""
        t = self._targets.get(target)
        if t is None:
            return None
        self._startup_check(t, now)
        outcome, t.startup_done = t.startup_done, None
        return outcome

    def _startup_check(self, t: _Target, now: float) -> _Startup | None:
        """The phase, unless it just ended: every row on screen read and the burst answered, or
        its time is up. At its end the bank is emptied: the endpoint's own bucket was just spent,
        so what follows starts at the normal rate, not with a burst of its own (when it throttled:
        an endpoint that did not keeps the bank for the one-off reads the statuses asked for)."""
        st = t.startup
        if st is None:
            return None
        unread = any(not p.seen for name in t.visible if (p := t.pipes.get(name)) is not None)
        if now < st.until and (unread or st.wave or t.startup_left):
            return st
        t.startup = None
        t.startup_left = 0
        if st.throttled:
            t.bucket.available(now)  # (refilled up to now first: emptied now, not back-dated)
            t.bucket.tokens = min(t.bucket.tokens, 0.0)
        t.startup_done = StartupOutcome(st.granted, st.accepted, st.burst_throttled, not st.throttled)
        return None

    def _pace(self, st: _Startup, now: float) -> TokenBucket:
        """After the burst, the phase's reads go at what the endpoint accepted in it, per second
        (an AWS bucket refills at about its size per second), never below ``tps``: a tenth more
        every half second without a throttle, 15 % less after one (``_startup_throttled``)."""
        if st.pace is not None:
            grown = int((now - (st.cut_at if st.cut_at is not None else st.paced_at)) / _PACE_GROW_EVERY)
            if grown > st.grown:
                st.factor += _PACE_GROW * (grown - st.grown)
                st.grown = grown
        else:
            st.paced_at = now
        rate = max(self.settings.tps, st.accepted * st.factor)
        if st.pace is None:
            st.pace = TokenBucket(rate, max(1.0, rate / 2), now)
            st.pace.tokens = 0.0  # the burst just emptied the endpoint's bucket
        elif st.pace.rate != rate:
            st.pace.available(now)  # what was earned so far, at the old rate
            st.pace.base_rate = st.pace.rate = rate
            st.pace.burst = max(1.0, rate / 2)
        return st.pace

    def _startup_throttled(self, t: _Target, fetch: Fetch, now: float) -> None:
        """A throttle (or a read answered only after a retry) during the start-up phase."""
        st = t.startup
        if st is None:
            return
        st.throttled = True
        t.startup_throttled = True
        if fetch.slot in st.wave:
            st.burst_throttled = True
            t.startup_left = 0  # the rest of the burst goes paced
        elif st.pace is not None and (st.cut_at is None or now - st.cut_at >= 1.0):
            # Paced too fast (reads in flight together are often throttled together: once a second).
            st.factor *= _PACE_CUT
            st.cut_at = now
            st.grown = 0
            st.pace.tokens = min(st.pace.tokens, 0.0)

    @staticmethod
    def _identity_waits(t: _Target) -> bool:
        """While a start-up burst beyond the bank is on (the endpoint's quota may be the limit),
        who the caller is waits until every row on screen has its status: an endpoint that counts
        it (and the account alias it leads to) in the same quota gives the rows' reads two tokens
        fewer, and its own client is made in the middle of the burst (a tenth of a second at
        tps=10: ``bench/startup.py trace``)."""
        st = t.startup
        return st is not None and (st.beyond_bank or st.throttled)

    def startup_wait(self, now: float) -> float | None:
        """Seconds until the paced part of a start-up phase can send its next read (None: no
        target is paced, or nothing waits for the pace). The controller's timer ticks then, not at
        its next quarter-second tick: a pace of 10 reads/s loses a tenth of its reads otherwise."""
        waits = []
        for t in self._targets.values():
            st = t.startup
            if st is None or st.pace is None or t.startup_left:
                continue
            wait = st.pace.wait_time(now)
            if wait > 0.0:
                waits.append(wait)
        return min(waits) if waits else None

    def has_visible(self, target: str) -> bool:
        """True once the screen said which of this target's rows it shows."""
        return bool(self._targets[target].visible)

    def in_startup(self, fetch: Fetch) -> bool:
        """True when ``fetch`` was started by the start-up phase and has not answered yet, or the
        phase is still on (a throttle then is the phase's to handle: quiet, paced, retried)."""
        t = self._targets.get(fetch.target)
        return t is not None and (fetch.slot in t.startup_slots or t.startup is not None)

    def startup_throttled(self, target: str) -> bool:
        """True once the endpoint throttled a fetch of the start-up burst (it was too big)."""
        return self._targets[target].startup_throttled

    @property
    def targets(self) -> list[str]:
        return list(self._targets)

    def bucket(self, target: str) -> TokenBucket:
        """The target's rate budget (shared with on-demand calls)."""
        return self._targets[target].bucket

    def set_pipelines(self, target: str, versions: Mapping[str, int], now: float) -> None:
        """The listed pipelines (name -> version): new ones are due now, deleted ones forgotten."""
        t = self._targets[target]
        t.quiet_until = 0.0  # (something changed: scan again)
        for name in list(t.pipes):
            if name not in versions and name not in t.fast:
                del t.pipes[name]
        for name, version in versions.items():
            pipe = t.pipes.get(name)
            if pipe is None:
                t.pipes[name] = _Pipe(name, added_at=now, version=version)
            elif pipe.version != version:
                pipe.version = version
                pipe.def_at = None  # a new version: its definition may be fetched at once

    def pipelines(self, target: str) -> list[str]:
        return list(self._targets[target].pipes)

    def poll_fast(self, target: str, name: str, now: float = 0.0) -> None:
        """A screen shows this pipeline: fetch it now, then poll it at the active cadence."""
        t = self._targets[target]
        t.quiet_until = 0.0  # (something changed: scan again)
        t.fast[name] += 1
        pipe = t.pipes.setdefault(name, _Pipe(name, added_at=now))
        t.urgent.update({(FetchKind.LATEST, name), (FetchKind.STATE, name)})
        if not pipe.has_def or pipe.def_version != pipe.version:
            t.urgent.add((FetchKind.DEFINITION, name))

    def stop_polling_fast(self, target: str, name: str) -> None:
        t = self._targets[target]
        t.quiet_until = 0.0  # (something changed: scan again)
        t.fast[name] -= 1
        if t.fast[name] <= 0:
            del t.fast[name]

    def set_visible(self, target: str, names: Iterable[str]) -> None:
        """The rows on screen for this target, top first (replaces the previous ones)."""
        t = self._targets[target]
        t.quiet_until = 0.0  # (something changed: scan again)
        t.rank = {name: i for i, name in enumerate(names)}
        t.visible = set(t.rank)

    def set_push(self, target: str, sweep: float | None, budget: float | None = None) -> None:
        """Events flow for ``target`` (``sweep``: the shortest time between safety reads of each
        pipeline; ``budget``: calls per second the sweep and the list may cost, which stretches
        that period with the number of pipelines, see ``tui.core.sweep``), or stopped flowing
        (None: poll as before)."""
        t = self._targets.get(target)
        if t is not None:
            t.quiet_until = 0.0
            t.push = sweep
            t.push_budget = budget if sweep is not None else None

    def push_sweep(self, target: str) -> float | None:
        t = self._targets.get(target)
        return t.push if t is not None else None

    def sweep_plan(self, target: str, now: float) -> SweepPlan | None:
        """Push mode's sweep as planned now (None while polling): ``rest`` is the longest any
        pipeline goes unread (what bounds a lost event), ``first`` the period of those on screen
        and with recent activity."""
        t = self._targets.get(target)
        if t is None or t.push is None:
            return None
        return self._plan(t, now)

    def _swept_first(self, t: _Target, pipe: _Pipe, now: float) -> bool:
        """Push mode: a pipeline the sweep reads first (a row on screen, running, or an event lately)."""
        if pipe.name in t.visible or pipe.running:
            return True
        at = t.activity.get(pipe.name)
        return at is not None and now - at <= self.settings.sweep_recent

    def _plan(self, t: _Target, now: float) -> SweepPlan:
        assert t.push is not None
        swept = [p for p in t.pipes.values() if p.name not in t.fast]
        first = sum(1 for p in swept if self._swept_first(t, p, now))
        return plan_sweep(len(swept), first, t.push, t.push_budget, self.settings.sweep_pace)

    def confirm(self, target: str, name: str, now: float) -> None:
        """An event changed this pipeline: read its state once (through the budget) to confirm;
        a state that shows the latest execution moved on asks for that too. An unknown pipeline
        (created since the last list) asks for the list."""
        t = self._targets.get(target)
        if t is None:
            return
        t.quiet_until = 0.0
        pipe = t.pipes.get(name)
        if pipe is None:
            t.urgent.add((FetchKind.LIST, None))
            return
        if pipe.want_state is None:
            pipe.want_state = now
        t.activity[name] = now

    def confirmed(self, target: str, name: str) -> bool:
        """True once no confirming read of this pipeline is waiting or in flight."""
        t = self._targets.get(target)
        if t is None:
            return True
        pipe = t.pipes.get(name)
        waiting = pipe is not None and pipe.want_state is not None
        return not waiting and (FetchKind.STATE, name) not in t.in_flight

    def refresh_now(self, now: float, target: str | None = None, name: str | None = None) -> None:
        """The user asked: what is on screen (or one pipeline) jumps the queue; pauses end."""
        for t in self._targets.values():
            t.quiet_until = 0.0  # (something changed: scan again)
            if target is not None and t.key != target:
                continue
            t.paused_until = 0.0
            t.failures = 0
            t.denied_until.clear()
            t.rested_until.clear()  # (the streak stays: one more failure rests it again)
            if name is not None:
                t.urgent.update({(FetchKind.LATEST, name), (FetchKind.STATE, name)})
                continue
            t.urgent.add((FetchKind.LIST, None))
            if not t.identity_ok:
                t.urgent.add((FetchKind.IDENTITY, None))
            for pname in t.visible | set(t.fast):
                t.urgent.add((FetchKind.LATEST, pname))
            for pname, pipe in t.pipes.items():
                if pipe.running or pname in t.fast:
                    t.urgent.add((FetchKind.STATE, pname))

    # --- planning ----------------------------------------------------------------------------

    def intervals(self, target: str, now: float) -> Intervals:
        """Effective cadence: visible and idle stretch when the plan exceeds the budget.

        The plan counts every periodic fetch (calls per second), an allowance for the LATEST
        fetches that running pipelines' new or ended executions trigger (or what the hot set
        measurably costs, whichever is more) and what on-demand calls used lately. Capacity is the
        bucket's current, possibly throttled, rate times ``poll_share``.
        """
        s = self.settings
        t = self._targets[target]
        capacity = max(0.05, t.bucket.rate * s.poll_share - t.on_demand_rate(now))
        n_hot = n_fast = n_vis = 0
        push = t.push
        for p in t.pipes.values():
            if p.name in t.fast:
                n_fast += 1
            elif push is not None:
                continue  # events tell: everything else is in the safety sweep
            elif p.running:
                n_hot += 1
            elif p.name in t.visible:
                n_vis += 1
        n_idle = len(t.pipes) - n_hot - n_fast - n_vis
        if push is not None:
            # The safety sweep within its budget: those on screen and with recent activity first.
            plan = self._plan(t, now)
            idle_interval, first_interval = plan.rest, plan.first
            list_interval = max(s.list_interval, plan.rest)
            list_rate = plan.list_rate
            idle = plan.rate
        else:
            idle_interval = first_interval = s.idle_interval
            list_interval = s.list_interval
            list_rate = 1.0 / list_interval
            idle = n_idle * s.sweep_pace / idle_interval
        hot = (
            n_fast * (s.rate(s.active_interval) + 1.0 / _CHANGE_EVERY + 1.0 / s.visible_interval)
            + n_hot * (s.rate(s.active_interval) + 1.0 / _CHANGE_EVERY + 1.0 / s.idle_interval)
            + list_rate
        )
        hot = max(hot, t.measured(now, (_HOT,)))
        active = s.active_interval
        if hot > 0.8 * capacity:
            # Even the hot set does not fit: slow it too, and keep a fifth for everything else.
            active = s.active_interval * hot / (0.8 * capacity)
            hot = 0.8 * capacity
        visible = n_vis * s.rate(s.visible_interval)
        factor = vis_factor = 1.0
        spare = capacity - hot
        if visible + idle > 0 and visible + idle > spare:
            factor = vis_factor = max(0.02, spare / (visible + idle))
            if factor < 1 / s.visible_stretch_max and idle > 0:
                # Rows on screen are what the user is reading: they stretch at most this much,
                # what is off screen takes the rest of the squeeze (down to the same floor).
                vis_factor = 1 / s.visible_stretch_max
                factor = (spare - visible * vis_factor) / idle
                if factor < 0.02:
                    factor = 0.02
                    vis_factor = max(0.02, (spare - idle * factor) / max(visible, 1e-9))
        sweep = max(0.01, idle * factor)
        return Intervals(
            active,
            s.visible_interval / vis_factor,
            idle_interval / factor,
            factor,
            sweep,
            hot + visible * vis_factor + idle * factor,
            first_interval / factor if push is not None else None,
            list_interval,
        )

    # --- scheduling --------------------------------------------------------------------------

    def next_due(self, now: float) -> list[Fetch]:
        """The fetches to start now, most pressing first; each has already taken its token."""
        out: list[Fetch] = []
        for t in self._targets.values():
            quiet = not t.urgent and now < t.quiet_until and t.last_intervals is not None
            iv = t.last_intervals if quiet and t.last_intervals is not None else self.intervals(t.key, now)
            t.last_intervals = iv
            elapsed = max(0.0, now - t.credit_stamp)
            t.credit_stamp = now
            spare = max(0.0, t.bucket.rate * self.settings.poll_share - iv.planned)
            t.rates = (0.0, iv.sweep_rate, min(_PREFETCH_MAX_RATE, spare / 2))
            t.credit = [min(_CREDIT_MAX, c + r * elapsed) for c, r in zip(t.credit, t.rates, strict=True)]
            if now < t.paused_until:
                continue
            if t.probing:
                # Nothing else can work until credentials do: one cheap call, then wait again.
                if not t.in_flight and t.bucket.try_take(now):
                    out.append(self._probe(t, now))
                continue
            if t.startup_left and t.bucket.available(now) <= t.bucket.burst:
                t.startup_left = 0  # the burst's bank is spent: paced, then the normal rate
            st = self._startup_check(t, now)
            if st is not None and not t.startup_left and (st.beyond_bank or st.throttled):
                # (A burst smaller than the bank the bucket already holds was never the limit:
                # the normal path serves that phase, unless the endpoint throttles.)
                pace = self._pace(st, now)
                if pace.available(now) >= 1.0 - 1e-9:
                    self._paced(t, pace, self._candidates(t, now, iv), now, out)
                continue
            if not t.urgent and t.bucket.available(now) < 1.0 + self.settings.reserve - 1e-9:
                continue  # nothing could start: skip the scan
            if quiet:
                continue  # nothing falls due before ``quiet_until`` (push mode)
            candidates = self._candidates(t, now, iv)
            if t.push is not None and not candidates and t.startup is None:
                t.quiet_until = min(t.next_eligible, now + _QUIET_MAX)
            candidates.sort(key=t.order)
            limit = max(self.settings.max_in_flight, len(t.in_flight) + t.startup_left)
            for tier, _deadline, pool, fetch in candidates:
                if len(t.in_flight) >= limit:
                    break
                if pool != _NO_POOL and t.credit[pool] < 1.0:
                    continue
                reserve = 0.0 if fetch.urgent else self.settings.reserve
                if pool == _PREFETCH_POOL:
                    # Only from a nearly full bucket: a prefetch must never delay a due poll.
                    reserve = max(reserve, t.bucket.burst - 2.0)
                elif pool == _SWEEP_POOL:
                    # The sweep may spend banked credit in a burst: one token stays for what falls
                    # due on screen meanwhile.
                    reserve += 1.0
                if not t.bucket.try_take(now, reserve):
                    break
                if pool != _NO_POOL:
                    t.credit[pool] -= 1.0
                t.urgent.discard(fetch.slot)
                t.in_flight[fetch.slot] = self._mark_started(t, fetch, now)
                t.recent.append((now, tier))
                if t.startup_left:
                    t.startup_left -= 1
                    t.startup_slots.add(fetch.slot)
                    if st is not None:
                        st.wave.add(fetch.slot)
                out.append(fetch)
        return out

    def _paced(
        self, t: _Target, pace: TokenBucket, candidates: list[Candidate], now: float, out: list[Fetch]
    ) -> None:
        """The start-up phase after its burst: what the user asked for, the list, the rows on screen's
        statuses, then their stages (the reads their statuses asked for), paced to what the
        endpoint accepted (``_pace``), not to ``tps``; everything else (what is off screen) waits
        the second or two until the phase ends: a person is waiting for the rows they see."""

        def rank(c: Candidate) -> int:
            """0: asked for or the list; 1: a first status on screen; 2: a row on screen's stages
            (a one-off read its status asked for); 3: not now."""
            fetch = c[3]
            if c[0] == _URGENT or fetch.name is None:
                return 0
            if fetch.name not in t.visible:
                return 3
            if c[0] == _FIRST and fetch.kind is FetchKind.LATEST:
                return 1
            pipe = t.pipes.get(fetch.name)
            once = pipe is not None and (pipe.want_state is not None or pipe.want_latest is not None)
            return 2 if c[0] == _HOT and once else 3

        ranked = [(rank(c), c) for c in candidates]
        wanted = sorted((r for r in ranked if r[0] < 3), key=lambda r: (r[0], t.order(r[1])))
        for _, (tier, _deadline, _pool, fetch) in wanted:
            if not pace.try_take(now):
                break
            t.urgent.discard(fetch.slot)
            t.in_flight[fetch.slot] = self._mark_started(t, fetch, now)
            t.recent.append((now, tier))
            t.startup_slots.add(fetch.slot)
            out.append(fetch)

    def _candidates(self, t: _Target, now: float, iv: Intervals) -> list[Candidate]:
        """Everything that may start now, with its tier and deadline; ``t.next_eligible``: when the
        first of what may not start yet will (for a periodic fetch: its window opens, and its pool
        has credit)."""
        s = self.settings
        found: list[Candidate] = []
        t.next_eligible = math.inf

        def later(at: float, pool: int = _NO_POOL) -> None:
            if pool != _NO_POOL:
                at = max(at, credit_at[pool])
            if at < t.next_eligible:
                t.next_eligible = at

        def periodic(
            tier: int, kind: FetchKind, name: str | None, last: float | None, every: float, since: float
        ) -> None:
            if last is None:
                # Never fetched: a first load goes as fast as the budget allows, before visible
                # refreshes and the sweep; what is on screen first (its deadline is nearer).
                tier = tier if tier in (_URGENT, _HOT) else _FIRST
                found.append((tier, since + every, _NO_POOL, Fetch(t.key, kind, name)))
                return
            if tier == _SWEEP:
                # (most pipelines most of the time, so checked first and no Fetch made for nothing)
                if sweep_ok and now - last >= every * min_age:
                    found.append((_SWEEP, last + every, _SWEEP_POOL, Fetch(t.key, kind, name)))
                else:
                    later(last + every * min_age, _SWEEP_POOL)
            elif tier == _SWEPT_FIRST:
                # Ahead of the rest, so only once due: early reads would take the rest's share.
                if sweep_ok and now - last >= every - s.window(every):
                    found.append((_SWEPT_FIRST, last + every, _SWEEP_POOL, Fetch(t.key, kind, name)))
                else:
                    later(last + every - s.window(every), _SWEEP_POOL)
            elif tier == _VISIBLE and now - last >= overdue - s.window(overdue):
                # Overdue on screen (first loads went first): it competes with them by deadline,
                # so rows on screen are never left behind for the whole of a long first load.
                found.append((_FIRST, last + every, _NO_POOL, Fetch(t.key, kind, name)))
            elif now - last >= every - s.window(every):
                found.append((tier, last + every, _NO_POOL, Fetch(t.key, kind, name)))
            else:
                later(last + every - s.window(every))
                if tier == _VISIBLE:
                    later(last + overdue - s.window(overdue))

        overdue = s.visible_interval * s.visible_stretch_max
        # Push mode's sweep is paced by its budget alone, oldest first: it starts at once after the
        # switch (the first loads all came together; at half the period the last of them would
        # wait well beyond it) and spreads the reads over the period from then on.
        min_age = 0.0 if t.push is not None else s.sweep_min_age
        # Paced pools without credit cannot start anything: do not even list their candidates.
        sweep_ok = t.credit[_SWEEP_POOL] >= 1.0
        prefetch_ok = t.credit[_PREFETCH_POOL] >= 1.0
        # When each pool has a whole credit, at the rates it earns them now.
        credit_at = [
            now + max(0.0, 1.0 - c) / r if r > 0 else math.inf for c, r in zip(t.credit, t.rates, strict=True)
        ]

        def once(tier: int, deadline: float, kind: FetchKind, name: str, pool: int = _NO_POOL) -> None:
            found.append((tier, deadline, pool, Fetch(t.key, kind, name)))

        for kind, name in t.urgent:
            if (kind, name) not in t.in_flight and not self._blocked(t, kind, now):
                found.append((_URGENT, now, _NO_POOL, Fetch(t.key, kind, name, urgent=True)))

        blocked = {kind: self._blocked(t, kind, now) for kind in FetchKind}
        in_flight, urgent = t.in_flight, t.urgent

        def free(kind: FetchKind, name: str | None) -> bool:
            slot = (kind, name)
            return not blocked[kind] and slot not in in_flight and slot not in urgent

        list_interval = iv.listing
        since = t.added_at - list_interval  # the list is due at once
        # Who the caller is waits for the first list's answer: at start-up its client and request
        # would otherwise delay the list (a list that fails - denied, expired, unreachable - lets
        # it go at once, so the header can still say who); and while the start-up burst is the
        # limit, for the rows on screen too (``_identity_waits``).
        waits = self._identity_waits(t)
        if not t.identity_ok and t.list_answered and not waits and free(FetchKind.IDENTITY, None):
            periodic(_HOT, FetchKind.IDENTITY, None, t.identity_at, s.list_interval, since)
        if free(FetchKind.LIST, None):
            periodic(_HOT, FetchKind.LIST, None, t.listed_at, list_interval, since)
        state_blocked = blocked[FetchKind.STATE]
        for pipe in t.pipes.values():
            name = pipe.name
            fast = name in t.fast
            visible = name in t.visible
            # (push mode: prefetches only for those, so the budget holds at any number of pipelines)
            first = t.push is None or self._swept_first(t, pipe, now)
            if fast:
                # Its state is polled at the active cadence and asks for LATEST when out of date.
                tier, latest_every = _HOT, s.visible_interval
            elif t.push is not None:
                # Events tell what changes (each confirmed by one read): a paced safety sweep, in
                # its budget; what is on screen or did something lately is read first.
                if first and iv.first is not None:
                    tier, latest_every = _SWEPT_FIRST, iv.first
                else:
                    tier, latest_every = _SWEEP, iv.idle
            elif pipe.running:
                tier, latest_every = _HOT, iv.idle
            elif visible:
                tier, latest_every = _VISIBLE, iv.visible
            else:
                tier, latest_every = _SWEEP, iv.idle
            hot = fast or (pipe.running and t.push is None)
            if hot and state_blocked:
                # No state to say when the latest execution moved on: ask for it directly.
                latest_every = iv.active
            # Prefetches go oldest first, rows on screen before the rest.
            warm = pipe.added_at - (s.idle_interval if visible else 0.0)
            if free(FetchKind.LATEST, name):
                if pipe.want_latest is not None:
                    once(_HOT, pipe.want_latest + s.active_interval, FetchKind.LATEST, name)
                else:
                    periodic(tier, FetchKind.LATEST, name, pipe.latest_at, latest_every, pipe.added_at)
            if free(FetchKind.STATE, name):
                if pipe.want_state is not None:
                    once(_HOT, pipe.want_state + s.active_interval, FetchKind.STATE, name)
                elif hot:
                    periodic(_HOT, FetchKind.STATE, name, pipe.state_at, iv.active, pipe.added_at)
                elif pipe.state_at is None and pipe.seen and first:
                    if prefetch_ok:
                        once(_PREFETCH, warm, FetchKind.STATE, name, _PREFETCH_POOL)
                    else:
                        later(now, _PREFETCH_POOL)
            current = pipe.has_def and pipe.def_version == pipe.version
            retry_ok = pipe.def_at is None or now - pipe.def_at >= s.list_interval
            if not current and not retry_ok and pipe.def_at is not None:
                later(pipe.def_at + s.list_interval)
            if not current and retry_ok and free(FetchKind.DEFINITION, name):
                if fast or pipe.has_approval:
                    once(_HOT, now + s.active_interval, FetchKind.DEFINITION, name)
                elif not pipe.has_def and pipe.seen and first:
                    if prefetch_ok:
                        once(_PREFETCH, warm, FetchKind.DEFINITION, name, _PREFETCH_POOL)
                    else:
                        later(now, _PREFETCH_POOL)
        return found

    def _probe(self, t: _Target, now: float) -> Fetch:
        """The call that tells whether credentials work again: the identity, else the list."""
        kind = FetchKind.LIST if t.identity_ok else FetchKind.IDENTITY
        fetch = Fetch(t.key, kind, None, urgent=True)
        t.urgent.discard(fetch.slot)
        t.in_flight[fetch.slot] = self._mark_started(t, fetch, now)
        t.recent.append((now, _URGENT))
        return fetch

    @staticmethod
    def _mark_started(t: _Target, fetch: Fetch, now: float) -> float | None:
        """Record the dispatch; return the previous stamp so a retryable failure can restore it."""
        if fetch.kind is FetchKind.LIST:
            prev, t.listed_at = t.listed_at, now
            return prev
        if fetch.kind is FetchKind.IDENTITY:
            prev, t.identity_at = t.identity_at, now
            return prev
        pipe = t.pipes.get(fetch.name or "")
        if pipe is None:
            return None
        if fetch.kind is FetchKind.LATEST:
            prev, pipe.latest_at, pipe.want_latest = pipe.latest_at, now, None
            return prev
        if fetch.kind is FetchKind.STATE:
            prev, pipe.state_at, pipe.want_state = pipe.state_at, now, None
            return prev
        prev, pipe.def_at = pipe.def_at, now
        return prev

    # --- results -----------------------------------------------------------------------------

    def on_result(
        self,
        fetch: Fetch,
        now: float,
        changed: bool = False,
        *,
        status: Status | None = None,
        approval: bool | None = None,
        version: int | None = None,
        retried: bool = False,
    ) -> None:
        """A fetch succeeded. ``changed``: the row-relevant data differs from what was known;
        ``retried``: only after the client retried it (botocore's own retries of a throttle).

        LATEST passes the latest execution's ``status`` (None: the pipeline never ran); STATE
        passes ``approval`` (an approval waits) and ``changed`` meaning the state shows the known
        latest execution out of date (``tui.core.store.latest_outdated``: a new execution, or the known
        one ended or restarted), so LATEST is fetched once; DEFINITION passes the ``version``.
        """
        t = self._targets.get(fetch.target)
        if t is None:
            return
        t.quiet_until = 0.0
        t.in_flight.pop(fetch.slot, None)
        t.startup_slots.discard(fetch.slot)
        if (st := t.startup) is not None:
            if retried:
                self._startup_throttled(t, fetch, now)
            elif fetch.slot in st.wave:
                st.accepted += 1
            st.wave.discard(fetch.slot)
        if t.failures:
            # The target was backing off (an outage, not one missing operation): what was rested
            # meanwhile gets its chance again now (one more identical failure rests it again).
            t.rested_until.clear()
        t.failures = 0
        t.probing = False
        t.last_success = now
        t.streaks.pop(fetch.kind, None)
        t.rested_until.pop(fetch.kind, None)
        t.list_answered |= fetch.kind is FetchKind.LIST
        if fetch.kind is FetchKind.IDENTITY:
            t.identity_ok = True
            return
        pipe = t.pipes.get(fetch.name or "")
        if pipe is None:
            return
        if fetch.kind is FetchKind.LATEST:
            first = not pipe.seen
            previous = pipe.status
            pipe.status = status if status is not None else Status.IDLE
            pipe.seen = True
            if changed and not (first and pipe.status in _QUIET_STATUSES):
                pipe.want_state = now
            if previous in RUNNING_STATUSES and not pipe.running:
                # The execution ended: the stage column and approvals need the final state.
                pipe.want_state = now
        elif fetch.kind is FetchKind.STATE:
            if approval is not None:
                pipe.has_approval = approval
            if changed:
                pipe.want_latest = now
        elif fetch.kind is FetchKind.DEFINITION:
            pipe.has_def = True
            pipe.def_version = version if version is not None else pipe.version

    def on_error(self, fetch: Fetch, now: float, kind: ErrorKind, code: str = "") -> bool:
        """A fetch failed. Retryable kinds retry after a back-off; others wait their interval.

        Returns True when this failure rests the operation (see ``unavailable_after``): the
        caller says once that the endpoint does not offer it.
        """
        t = self._targets.get(fetch.target)
        if t is None:
            return False
        t.quiet_until = 0.0
        prev = t.in_flight.pop(fetch.slot, None)
        t.list_answered |= fetch.kind is FetchKind.LIST
        s = self.settings
        st = t.startup
        in_phase = fetch.slot in t.startup_slots or st is not None
        t.startup_slots.discard(fetch.slot)
        if st is not None and kind is not ErrorKind.THROTTLED:
            st.wave.discard(fetch.slot)
        if in_phase and kind is ErrorKind.THROTTLED:
            # The burst (or the pace after it) was more than the endpoint's own bucket holds, not
            # the sustained rate too high: the rate stays, the rest of the phase goes paced (and
            # slower), and the fetch is due again at once, before what is off screen.
            if st is not None:
                self._startup_throttled(t, fetch, now)
                st.wave.discard(fetch.slot)
            else:
                t.startup_throttled = True
            self._restore(t, fetch, prev)
            return False
        if self._rest(t, fetch, now, kind, code):
            return True
        if kind is ErrorKind.THROTTLED:
            self.on_throttle(fetch.target, now)
            self._restore(t, fetch, prev)
        elif kind in (ErrorKind.NETWORK, ErrorKind.SERVICE, ErrorKind.CREDENTIALS):
            if now >= t.paused_until:  # calls that failed together count as one failure
                t.failures += 1
            backoff = min(s.error_backoff_max, 2.5 * 2 ** (t.failures - 1))
            if kind is ErrorKind.CREDENTIALS:
                # Nothing works until someone logs in again: probe now and then, resume by itself.
                t.probing = True
                backoff = s.credentials_probe
            t.paused_until = max(t.paused_until, now + backoff)
            self._restore(t, fetch, prev)
        elif kind is ErrorKind.ACCESS_DENIED:
            t.denied_until[fetch.kind] = now + s.denied_pause
        elif kind is ErrorKind.NOT_FOUND and fetch.name is not None and fetch.name not in t.fast:
            # Deleted since the last list: forget it; the next ListPipelines settles it.
            t.pipes.pop(fetch.name, None)
        return False

    def _rest(self, t: _Target, fetch: Fetch, now: float, kind: ErrorKind, code: str) -> bool:
        """Count identical failures of one operation; rest it once they show the endpoint does not
        offer it: the same answer ``unavailable_after`` times in a row while other calls succeed
        (a whole endpoint failing is an outage: the target's back-off handles that)."""
        if kind not in (ErrorKind.SERVICE, ErrorKind.UNSUPPORTED, ErrorKind.OTHER):
            t.streaks.pop(fetch.kind, None)
            return False
        signature = (kind, code)
        previous = t.streaks.get(fetch.kind)
        if previous is not None and previous[0] == signature:
            count, since = previous[1] + 1, previous[2]
        else:
            count, since = 1, now
        t.streaks[fetch.kind] = (signature, count, since)
        others_work = t.last_success is not None and t.last_success >= since
        if count < self.settings.unavailable_after or not (others_work or kind is ErrorKind.UNSUPPORTED):
            return False
        t.rested_until[fetch.kind] = now + self.settings.unavailable_pause
        # Its failures are accounted for by the rest: they were no outage of the target's, and
        # the next success must not end the rest (see ``on_result``).
        t.failures = 0
        return True

    def rested(self, target: str, kind: FetchKind, now: float) -> bool:
        """True while ``kind`` is rested for ``target`` (the endpoint does not offer it)."""
        t = self._targets.get(target)
        return t is not None and t.rested_until.get(kind, 0.0) > now

    @staticmethod
    def _blocked(t: _Target, kind: FetchKind, now: float) -> bool:
        return t.denied_until.get(kind, 0.0) > now or t.rested_until.get(kind, 0.0) > now

    def on_cancel(self, fetch: Fetch) -> None:
        """A fetch was cancelled (the app is closing): free its slot, schedule unchanged."""
        t = self._targets.get(fetch.target)
        if t is not None:
            t.quiet_until = 0.0
        if t is not None and fetch.slot in t.in_flight:
            self._restore(t, fetch, t.in_flight.pop(fetch.slot))

    def on_throttle(self, target: str, now: float) -> None:
        """Any call for this target was throttled (a poll or on-demand): shrink the budget."""
        t = self._targets.get(target)
        if t is not None:
            t.quiet_until = 0.0
            t.bucket.throttled(now)

    @staticmethod
    def _restore(t: _Target, fetch: Fetch, prev: float | None) -> None:
        if fetch.kind is FetchKind.LIST:
            t.listed_at = prev
        elif fetch.kind is FetchKind.IDENTITY:
            t.identity_at = prev
        elif (pipe := t.pipes.get(fetch.name or "")) is not None:
            if fetch.kind is FetchKind.LATEST:
                pipe.latest_at = prev
            elif fetch.kind is FetchKind.STATE:
                pipe.state_at = prev
            else:
                pipe.def_at = prev

    # --- on-demand calls and inspection ------------------------------------------------------

    def take_token(self, target: str, now: float) -> float:
        """For an on-demand call: 0.0 when a token was taken, else seconds to wait and ask again."""
        t = self._targets[target]
        if t.bucket.try_take(now):
            t.on_demand.append(now)
            return 0.0
        return max(0.01, t.bucket.wait_time(now))

    def in_flight(self, target: str | None = None) -> int:
        """Fetches dispatched and not yet reported."""
        return sum(len(t.in_flight) for t in self._targets.values() if target in (None, t.key))

    def pending_urgent(self, target: str | None = None) -> int:
        """Fetches the user asked for that have not started yet."""
        return sum(len(t.urgent) for t in self._targets.values() if target in (None, t.key))

    def paused(self, target: str, now: float) -> bool:
        return now < self._targets[target].paused_until

    def throttled(self, target: str) -> bool:
        """True while the target's budget is reduced after a throttle."""
        return self._targets[target].bucket.reduced

    def is_polled_fast(self, target: str, name: str) -> bool:
        return name in self._targets[target].fast

    def is_visible(self, target: str, name: str) -> bool:
        return name in self._targets[target].visible
