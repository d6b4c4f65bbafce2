"""The start-up phase of a target: a one-off burst of reads for the rows on screen, then reads paced
to what the endpoint accepted, until every row on screen has its status.

At start-up the controller grants a one-off burst (``grant_startup``: the rows on screen): that many
first loads start at once, in parallel, beyond ``burst`` and ``max_in_flight``, top row first. The
start-up phase lasts until every row on screen has its status (at most ``STARTUP_MAX``): after the
burst, what the user asked for, the list and the rows on screen go paced to what the endpoint took at
once per second (``pace``: an AWS bucket refills at about its size per second; a tenth more every
half second, 15 % less after a throttle), not at ``tps``; everything else waits. A throttle in the
phase is the burst (or the pace), not the sustained rate: the rate is not halved, the fetch is due
again at once (the controller sends those reads once, not through botocore's retries, which waited
0-3 s in no order). At its end the bank is emptied (the endpoint's bucket was just spent) and
``StartupOutcome`` tells the controller what to remember for the next start.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.budget import TokenBucket
from tui.core.poll_state import Fetch, PollSettings, StartupOutcome, StartupPhase, TargetState

# The start-up phase ends by this long (seconds) after its grant, whatever is still unread.
STARTUP_MAX = 20.0
# A throttle during the paced start-up cuts the pace to this share (once per second at most).
_PACE_CUT = 0.85
# ... and grows by this share every this many seconds without one.
_PACE_GROW, _PACE_GROW_EVERY = 0.1, 0.5


def grant_startup(settings: PollSettings, t: TargetState, tokens: int, now: float) -> int:
    """The start-up burst: up to ``tokens`` fetches start at once, in parallel (the rows on screen
    first), beyond ``burst`` and ``max_in_flight``; then the normal rate. Called once the first
    list is known; capped at what that list needs. Returns the burst granted."""
    t.quiet_until = 0.0  # (something changed: scan again)
    tokens = min(int(tokens), len(t.pipes) + int(settings.reserve) + 1)
    if tokens <= 0:
        return 0
    beyond_bank = tokens > t.bucket.available(now)
    t.bucket.grant(float(tokens), now)
    t.startup_left = tokens
    t.startup = StartupPhase(granted=tokens, until=now + STARTUP_MAX, beyond_bank=beyond_bank)
    return tokens


def startup_check(t: TargetState, now: float) -> StartupPhase | None:
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


def pace(settings: PollSettings, st: StartupPhase, now: float) -> TokenBucket:
    """After the burst, the phase's reads go at what the endpoint accepted in it, per second
    (an AWS bucket refills at about its size per second), never below ``tps``: a tenth more
    every half second without a throttle, 15 % less after one (``startup_throttled``)."""
    if st.pace is not None:
        grown = int((now - (st.cut_at if st.cut_at is not None else st.paced_at)) / _PACE_GROW_EVERY)
        if grown > st.grown:
            st.factor += _PACE_GROW * (grown - st.grown)
            st.grown = grown
    else:
        st.paced_at = now
    rate = max(settings.tps, st.accepted * st.factor)
    if st.pace is None:
        st.pace = TokenBucket(rate, max(1.0, rate / 2), now)
        st.pace.tokens = 0.0  # the burst just emptied the endpoint's bucket
    elif st.pace.rate != rate:
        st.pace.available(now)  # what was earned so far, at the old rate
        st.pace.base_rate = st.pace.rate = rate
        st.pace.burst = max(1.0, rate / 2)
    return st.pace


def startup_throttled(t: TargetState, fetch: Fetch, now: float) -> None:
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


def identity_waits(t: TargetState) -> bool:
    """While a start-up burst beyond the bank is on (the endpoint's quota may be the limit),
    who the caller is waits until every row on screen has its status: an endpoint that counts
    it (and the account alias it leads to) in the same quota gives the rows' reads two tokens
    fewer, and its own client is made in the middle of the burst (a tenth of a second at
    tps=10: ``bench/startup.py trace``)."""
    st = t.startup
    return st is not None and (st.beyond_bank or st.throttled)


def startup_wait(targets: Iterable[TargetState], now: float) -> float | None:
    """Seconds until the paced part of a start-up phase can send its next read (None: no
    target is paced, or nothing waits for the pace). The controller's timer ticks then, not at
    its next quarter-second tick: a pace of 10 reads/s loses a tenth of its reads otherwise."""
    waits = []
    for t in targets:
        st = t.startup
        if st is None or st.pace is None or t.startup_left:
            continue
        wait = st.pace.wait_time(now)
        if wait > 0.0:
            waits.append(wait)
    return min(waits) if waits else None
