"""What the polling policy works with: the fetches it asks for, its settings, and what it knows of
each target and pipeline. Plain data (tui/core/poller.py decides with it)."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from enum import StrEnum

from tui.aws.errors import ErrorKind
from tui.core.budget import TokenBucket
from tui.core.model import Status

RUNNING_STATUSES = frozenset({Status.IN_PROGRESS, Status.STOPPING})
# A first load that finds one of these has nothing a GetPipelineState would add to the row.
QUIET_STATUSES = frozenset({Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED})

# Service tiers, best first.
# (SWEPT_FIRST: push mode's sweep of rows on screen and pipelines with recent activity, at their
# period, before the rest of the sweep, which takes what they leave, oldest first.)
URGENT, HOT, FIRST, VISIBLE, SWEPT_FIRST, SWEEP, PREFETCH = range(7)
# Credit pools that pace a tier (candidates not in a pool are limited by the bucket only).
NO_POOL, SWEEP_POOL, PREFETCH_POOL = range(3)
# Usage is measured over this window (seconds) when planning.
WINDOW = 30.0
NO_RANK = 1 << 30  # (off screen: after every row on screen)


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
KIND_ORDER = {
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
class Pipe:
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
class StartupPhase:
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
class TargetState:
    key: str
    bucket: TokenBucket
    added_at: float
    pipes: dict[str, Pipe] = field(default_factory=dict)
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
    # Push mode: nothing can start before then unless something changes (every PollPolicy call
    # that changes what it knows resets it), and the intervals the last scan used (a skipped scan
    # keeps pacing the credit pools with them).
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
    startup: StartupPhase | None = None
    startup_done: StartupOutcome | None = None

    def order(self, c: Candidate) -> tuple[int, float, int, int, str]:
        """Service order: tier, deadline, kind, then rows on screen top first, then by name."""
        return (c[0], c[1], KIND_ORDER[c[3].kind], self.rank.get(c[3].name or "", NO_RANK), c[3].name or "")

    def measured(self, now: float, tiers: tuple[int, ...]) -> float:
        """Calls per second recently dispatched in these tiers."""
        while self.recent and self.recent[0][0] < now - WINDOW:
            self.recent.popleft()
        span = min(WINDOW, max(1.0, now - self.added_at))
        return sum(1 for _, tier in self.recent if tier in tiers) / span

    def on_demand_rate(self, now: float) -> float:
        while self.on_demand and self.on_demand[0] < now - WINDOW:
            self.on_demand.popleft()
        return len(self.on_demand) / WINDOW


Candidate = tuple[int, float, int, Fetch]  # (tier, deadline, pool, fetch)
