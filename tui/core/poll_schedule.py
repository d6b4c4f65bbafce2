"""Which fetches start now: the scheduler of the polling policy (``PollPolicy.next_due``).

Order of service: what the user asked for (``refresh_now``, ``poll_fast``), then pipelines polled
fast, running pipelines and one-shot follow-ups by deadline, then first loads (rows on screen first:
a row with no status is worse than one a few seconds old) and rows on screen overdue by twice their
interval, then visible rows by deadline, then the idle sweep (paced, so it never comes in clumps),
then prefetches (in spare budget only, once each: every pipeline's definition and state, so opening
one is instant and the cache is warm; oldest first, paced at half of what the plan leaves unused; in
push mode only for the pipelines the sweep reads first).
One ``TokenBucket`` per target is shared by polls and on-demand calls; polls leave ``reserve``
tokens for on-demand calls unless the user asked. The cadence each fetch keeps comes from
``tui.core.poll_cadence``; the start-up phase's burst and pace from ``tui.core.poll_startup``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from tui.core.budget import TokenBucket
from tui.core.poll_cadence import intervals, swept_first
from tui.core.poll_failures import blocked
from tui.core.poll_startup import identity_waits, pace, startup_check
from tui.core.poll_state import (
    FIRST,
    HOT,
    NO_POOL,
    PREFETCH,
    PREFETCH_POOL,
    SWEEP,
    SWEEP_POOL,
    SWEPT_FIRST,
    URGENT,
    VISIBLE,
    Candidate,
    Fetch,
    FetchKind,
    Intervals,
    PollSettings,
    TargetState,
)

_PREFETCH_MAX_RATE = 1.0
# A paced pool banks this much unused credit: after a moment without tokens the sweep catches up
# instead of losing its share (at 2.0 the worst off-screen gap at 200 pipelines was 164 s, not 138).
CREDIT_MAX = 8.0
# Push mode: after a scan that found nothing to start, the next one waits until something falls due
# (at most this long: an interval that shrank meanwhile is noticed this late at worst). At 1,000
# pipelines a scan took 4-8 ms, four times a second, while events arrived and nothing was due.
_QUIET_MAX = 1.0


def next_due(settings: PollSettings, targets: Iterable[TargetState], now: float) -> list[Fetch]:
    """The fetches to start now, most pressing first; each has already taken its token."""
    out: list[Fetch] = []
    for t in targets:
        quiet = not t.urgent and now < t.quiet_until and t.last_intervals is not None
        iv = t.last_intervals if quiet and t.last_intervals is not None else intervals(settings, t, now)
        t.last_intervals = iv
        elapsed = max(0.0, now - t.credit_stamp)
        t.credit_stamp = now
        spare = max(0.0, t.bucket.rate * settings.poll_share - iv.planned)
        t.rates = (0.0, iv.sweep_rate, min(_PREFETCH_MAX_RATE, spare / 2))
        t.credit = [min(CREDIT_MAX, c + r * elapsed) for c, r in zip(t.credit, t.rates, strict=True)]
        if now < t.paused_until:
            continue
        if t.probing:
            # Nothing else can work until credentials do: one cheap call, then wait again.
            if not t.in_flight and t.bucket.try_take(now):
                out.append(probe(t, now))
            continue
        if t.startup_left and t.bucket.available(now) <= t.bucket.burst:
            t.startup_left = 0  # the burst's bank is spent: paced, then the normal rate
        st = startup_check(t, now)
        if st is not None and not t.startup_left and (st.beyond_bank or st.throttled):
            # (A burst smaller than the bank the bucket already holds was never the limit:
            # the normal path serves that phase, unless the endpoint throttles.)
            bucket = pace(settings, st, now)
            if bucket.available(now) >= 1.0 - 1e-9:
                paced(t, bucket, candidates(settings, t, now, iv), now, out)
            continue
        if not t.urgent and t.bucket.available(now) < 1.0 + settings.reserve - 1e-9:
            continue  # nothing could start: skip the scan
        if quiet:
            continue  # nothing falls due before ``quiet_until`` (push mode)
        found = candidates(settings, t, now, iv)
        if t.push is not None and not found and t.startup is None:
            t.quiet_until = min(t.next_eligible, now + _QUIET_MAX)
        found.sort(key=t.order)
        limit = max(settings.max_in_flight, len(t.in_flight) + t.startup_left)
        for tier, _deadline, pool, fetch in found:
            if len(t.in_flight) >= limit:
                break
            if pool != NO_POOL and t.credit[pool] < 1.0:
                continue
            reserve = 0.0 if fetch.urgent else settings.reserve
            if pool == PREFETCH_POOL:
                # Only from a nearly full bucket: a prefetch must never delay a due poll.
                reserve = max(reserve, t.bucket.burst - 2.0)
            elif pool == SWEEP_POOL:
                # The sweep may spend banked credit in a burst: one token stays for what falls
                # due on screen meanwhile.
                reserve += 1.0
            if not t.bucket.try_take(now, reserve):
                break
            if pool != NO_POOL:
                t.credit[pool] -= 1.0
            t.urgent.discard(fetch.slot)
            t.in_flight[fetch.slot] = mark_started(t, fetch, now)
            t.recent.append((now, tier))
            if t.startup_left:
                t.startup_left -= 1
                t.startup_slots.add(fetch.slot)
                if st is not None:
                    st.wave.add(fetch.slot)
            out.append(fetch)
    return out


def paced(t: TargetState, bucket: TokenBucket, found: list[Candidate], now: float, out: list[Fetch]) -> None:
    """The start-up phase after its burst: what the user asked for, the list, the rows on screen's
    statuses, then their stages (the reads their statuses asked for), paced to what the
    endpoint accepted (``poll_startup.pace``), not to ``tps``; everything else (what is off screen)
    waits the second or two until the phase ends: a person is waiting for the rows they see."""

    def rank(c: Candidate) -> int:
        """0: asked for or the list; 1: a first status on screen; 2: a row on screen's stages
        (a one-off read its status asked for); 3: not now."""
        fetch = c[3]
        if c[0] == URGENT or fetch.name is None:
            return 0
        if fetch.name not in t.visible:
            return 3
        if c[0] == FIRST and fetch.kind is FetchKind.LATEST:
            return 1
        pipe = t.pipes.get(fetch.name)
        once = pipe is not None and (pipe.want_state is not None or pipe.want_latest is not None)
        return 2 if c[0] == HOT and once else 3

    ranked = [(rank(c), c) for c in found]
    wanted = sorted((r for r in ranked if r[0] < 3), key=lambda r: (r[0], t.order(r[1])))
    for _, (tier, _deadline, _pool, fetch) in wanted:
        if not bucket.try_take(now):
            break
        t.urgent.discard(fetch.slot)
        t.in_flight[fetch.slot] = mark_started(t, fetch, now)
        t.recent.append((now, tier))
        t.startup_slots.add(fetch.slot)
        out.append(fetch)


def candidates(settings: PollSettings, t: TargetState, now: float, iv: Intervals) -> list[Candidate]:
    """Everything that may start now, with its tier and deadline; ``t.next_eligible``: when the
    first of what may not start yet will (for a periodic fetch: its window opens, and its pool
    has credit)."""
    s = settings
    found: list[Candidate] = []
    t.next_eligible = math.inf

    def later(at: float, pool: int = NO_POOL) -> None:
        if pool != NO_POOL:
            at = max(at, credit_at[pool])
        if at < t.next_eligible:
            t.next_eligible = at

    def periodic(
        tier: int, kind: FetchKind, name: str | None, last: float | None, every: float, since: float
    ) -> None:
        if last is None:
            # Never fetched: a first load goes as fast as the budget allows, before visible
            # refreshes and the sweep; what is on screen first (its deadline is nearer).
            tier = tier if tier in (URGENT, HOT) else FIRST
            found.append((tier, since + every, NO_POOL, Fetch(t.key, kind, name)))
            return
        if tier == SWEEP:
            # (most pipelines most of the time, so checked first and no Fetch made for nothing)
            if sweep_ok and now - last >= every * min_age:
                found.append((SWEEP, last + every, SWEEP_POOL, Fetch(t.key, kind, name)))
            else:
                later(last + every * min_age, SWEEP_POOL)
        elif tier == SWEPT_FIRST:
            # Ahead of the rest, so only once due: early reads would take the rest's share.
            if sweep_ok and now - last >= every - s.window(every):
                found.append((SWEPT_FIRST, last + every, SWEEP_POOL, Fetch(t.key, kind, name)))
            else:
                later(last + every - s.window(every), SWEEP_POOL)
        elif tier == VISIBLE and now - last >= overdue - s.window(overdue):
            # Overdue on screen (first loads went first): it competes with them by deadline,
            # so rows on screen are never left behind for the whole of a long first load.
            found.append((FIRST, last + every, NO_POOL, Fetch(t.key, kind, name)))
        elif now - last >= every - s.window(every):
            found.append((tier, last + every, NO_POOL, Fetch(t.key, kind, name)))
        else:
            later(last + every - s.window(every))
            if tier == VISIBLE:
                later(last + overdue - s.window(overdue))

    overdue = s.visible_interval * s.visible_stretch_max
    # Push mode's sweep is paced by its budget alone, oldest first: it starts at once after the
    # switch (the first loads all came together; at half the period the last of them would
    # wait well beyond it) and spreads the reads over the period from then on.
    min_age = 0.0 if t.push is not None else s.sweep_min_age
    # Paced pools without credit cannot start anything: do not even list their candidates.
    sweep_ok = t.credit[SWEEP_POOL] >= 1.0
    prefetch_ok = t.credit[PREFETCH_POOL] >= 1.0
    # When each pool has a whole credit, at the rates it earns them now.
    credit_at = [
        now + max(0.0, 1.0 - c) / r if r > 0 else math.inf for c, r in zip(t.credit, t.rates, strict=True)
    ]

    def once(tier: int, deadline: float, kind: FetchKind, name: str, pool: int = NO_POOL) -> None:
        found.append((tier, deadline, pool, Fetch(t.key, kind, name)))

    for kind, name in t.urgent:
        if (kind, name) not in t.in_flight and not blocked(t, kind, now):
            found.append((URGENT, now, NO_POOL, Fetch(t.key, kind, name, urgent=True)))

    is_blocked = {kind: blocked(t, kind, now) for kind in FetchKind}
    in_flight, urgent = t.in_flight, t.urgent

    def free(kind: FetchKind, name: str | None) -> bool:
        slot = (kind, name)
        return not is_blocked[kind] and slot not in in_flight and slot not in urgent

    list_interval = iv.listing
    since = t.added_at - list_interval  # the list is due at once
    # Who the caller is waits for the first list's answer: at start-up its client and request
    # would otherwise delay the list (a list that fails - denied, expired, unreachable - lets
    # it go at once, so the header can still say who); and while the start-up burst is the
    # limit, for the rows on screen too (``poll_startup.identity_waits``).
    waits = identity_waits(t)
    if not t.identity_ok and t.list_answered and not waits and free(FetchKind.IDENTITY, None):
        periodic(HOT, FetchKind.IDENTITY, None, t.identity_at, s.list_interval, since)
    if free(FetchKind.LIST, None):
        periodic(HOT, FetchKind.LIST, None, t.listed_at, list_interval, since)
    state_blocked = is_blocked[FetchKind.STATE]
    for pipe in t.pipes.values():
        name = pipe.name
        fast = name in t.fast
        visible = name in t.visible
        # (push mode: prefetches only for those, so the budget holds at any number of pipelines)
        first = t.push is None or swept_first(settings, t, pipe, now)
        if fast:
            # Its state is polled at the active cadence and asks for LATEST when out of date.
            tier, latest_every = HOT, s.visible_interval
        elif t.push is not None:
            # Events tell what changes (each confirmed by one read): a paced safety sweep, in
            # its budget; what is on screen or did something lately is read first.
            if first and iv.first is not None:
                tier, latest_every = SWEPT_FIRST, iv.first
            else:
                tier, latest_every = SWEEP, iv.idle
        elif pipe.running:
            tier, latest_every = HOT, iv.idle
        elif visible:
            tier, latest_every = VISIBLE, iv.visible
        else:
            tier, latest_every = SWEEP, iv.idle
        hot = fast or (pipe.running and t.push is None)
        if hot and state_blocked:
            # No state to say when the latest execution moved on: ask for it directly.
            latest_every = iv.active
        # Prefetches go oldest first, rows on screen before the rest.
        warm = pipe.added_at - (s.idle_interval if visible else 0.0)
        if free(FetchKind.LATEST, name):
            if pipe.want_latest is not None:
                once(HOT, pipe.want_latest + s.active_interval, FetchKind.LATEST, name)
            else:
                periodic(tier, FetchKind.LATEST, name, pipe.latest_at, latest_every, pipe.added_at)
        if free(FetchKind.STATE, name):
            if pipe.want_state is not None:
                once(HOT, pipe.want_state + s.active_interval, FetchKind.STATE, name)
            elif hot:
                periodic(HOT, FetchKind.STATE, name, pipe.state_at, iv.active, pipe.added_at)
            elif pipe.state_at is None and pipe.seen and first:
                if prefetch_ok:
                    once(PREFETCH, warm, FetchKind.STATE, name, PREFETCH_POOL)
                else:
                    later(now, PREFETCH_POOL)
        current = pipe.has_def and pipe.def_version == pipe.version
        retry_ok = pipe.def_at is None or now - pipe.def_at >= s.list_interval
        if not current and not retry_ok and pipe.def_at is not None:
            later(pipe.def_at + s.list_interval)
        if not current and retry_ok and free(FetchKind.DEFINITION, name):
            if fast or pipe.has_approval:
                once(HOT, now + s.active_interval, FetchKind.DEFINITION, name)
            elif not pipe.has_def and pipe.seen and first:
                if prefetch_ok:
                    once(PREFETCH, warm, FetchKind.DEFINITION, name, PREFETCH_POOL)
                else:
                    later(now, PREFETCH_POOL)
    return found


def probe(t: TargetState, now: float) -> Fetch:
    """The call that tells whether credentials work again: the identity, else the list."""
    kind = FetchKind.LIST if t.identity_ok else FetchKind.IDENTITY
    fetch = Fetch(t.key, kind, None, urgent=True)
    t.urgent.discard(fetch.slot)
    t.in_flight[fetch.slot] = mark_started(t, fetch, now)
    t.recent.append((now, URGENT))
    return fetch


def mark_started(t: TargetState, fetch: Fetch, now: float) -> float | None:
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
