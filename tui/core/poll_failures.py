"""What a failed fetch does to the schedule: retry, back off, pause, rest, or forget.

A throttle halves the budget and the fetch is due again at once (within the smaller budget); network
and service errors pause the target with an exponential back-off; failing credentials pause it and
then send one cheap probe every ``credentials_probe`` seconds until a call succeeds, so polling
resumes by itself after ``aws sso login``. One operation failing the same way (kind and code)
``unavailable_after`` times in a row while other calls succeed is one the endpoint does not offer
(an emulator's 500 for GetPipelineState): it rests for ``unavailable_pause`` seconds (``on_error``
returns True once, for the one notice), and running pipelines or those polled fast are followed
through ListPipelineExecutions at the active cadence meanwhile. A target-wide outage rests nothing,
and its recovery ends any rest taken during it. A throttle during the start-up phase is the phase's
to handle (``tui.core.poll_startup``).
"""

from __future__ import annotations

from tui.aws.errors import ErrorKind
from tui.core.poll_startup import startup_throttled
from tui.core.poll_state import Fetch, FetchKind, PollSettings, TargetState


def on_error(
    settings: PollSettings, t: TargetState, fetch: Fetch, now: float, kind: ErrorKind, code: str
) -> bool:
    """A fetch of ``t`` failed. Retryable kinds retry after a back-off; others wait their interval.

    Returns True when this failure rests the operation (see ``unavailable_after``): the
    caller says once that the endpoint does not offer it.
    """
    t.quiet_until = 0.0
    prev = t.in_flight.pop(fetch.slot, None)
    t.list_answered |= fetch.kind is FetchKind.LIST
    s = settings
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
            startup_throttled(t, fetch, now)
            st.wave.discard(fetch.slot)
        else:
            t.startup_throttled = True
        restore(t, fetch, prev)
        return False
    if rest(settings, t, fetch, now, kind, code):
        return True
    if kind is ErrorKind.THROTTLED:
        t.bucket.throttled(now)  # (the budget shrinks)
        restore(t, fetch, prev)
    elif kind in (ErrorKind.NETWORK, ErrorKind.SERVICE, ErrorKind.CREDENTIALS):
        if now >= t.paused_until:  # calls that failed together count as one failure
            t.failures += 1
        backoff = min(s.error_backoff_max, 2.5 * 2 ** (t.failures - 1))
        if kind is ErrorKind.CREDENTIALS:
            # Nothing works until someone logs in again: probe now and then, resume by itself.
            t.probing = True
            backoff = s.credentials_probe
        t.paused_until = max(t.paused_until, now + backoff)
        restore(t, fetch, prev)
    elif kind is ErrorKind.ACCESS_DENIED:
        t.denied_until[fetch.kind] = now + s.denied_pause
    elif kind is ErrorKind.NOT_FOUND and fetch.name is not None and fetch.name not in t.fast:
        # Deleted since the last list: forget it; the next ListPipelines settles it.
        t.pipes.pop(fetch.name, None)
    return False


def rest(
    settings: PollSettings, t: TargetState, fetch: Fetch, now: float, kind: ErrorKind, code: str
) -> bool:
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
    if count < settings.unavailable_after or not (others_work or kind is ErrorKind.UNSUPPORTED):
        return False
    t.rested_until[fetch.kind] = now + settings.unavailable_pause
    # Its failures are accounted for by the rest: they were no outage of the target's, and
    # the next success must not end the rest (see ``on_result``).
    t.failures = 0
    return True


def blocked(t: TargetState, kind: FetchKind, now: float) -> bool:
    return t.denied_until.get(kind, 0.0) > now or t.rested_until.get(kind, 0.0) > now


def restore(t: TargetState, fetch: Fetch, prev: float | None) -> None:
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
