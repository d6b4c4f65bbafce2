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
- in spare budget only, once each: every pipeline's definition and state.

This module is the policy's face: what the app tells it (targets, the list, the rows on screen, what
a screen polls fast, push mode, results) and asks it. The work is done by one module per job:
- ``tui.core.poll_state``: the fetches, the settings, what is known of each target and pipeline;
- ``tui.core.poll_cadence``: how often each pipeline is read, stretched to the rate budget (and push
  mode's safety sweep within its own budget, ``tui.core.sweep``);
- ``tui.core.poll_schedule``: which fetches start now, in which order, within the token bucket;
- ``tui.core.poll_startup``: the start-up burst and the paced phase after it;
- ``tui.core.poll_failures``: throttles, back-off, rests and credentials probes.

Push mode (``set_push``): while events flow for a target (``tui.events``), every pipeline not polled
fast is read only by the paced safety sweep, within a calls-per-second budget; each event asks for one
confirming GetPipelineState (``confirm``), which asks for the latest execution when it shows it moved
on. Pipelines a screen shows keep their active cadence. ``set_push(target, None)``: back to polling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.aws.errors import ErrorKind
from tui.core import poll_cadence, poll_failures, poll_schedule, poll_startup
from tui.core.budget import TokenBucket
from tui.core.model import Status
from tui.core.poll_state import (
    QUIET_STATUSES,
    RUNNING_STATUSES,
    Fetch,
    FetchKind,
    Intervals,
    Pipe,
    PollSettings,
    StartupOutcome,
    TargetState,
)
from tui.core.sweep import SweepPlan


class PollPolicy:
    """Decides which fetches are due; the caller runs them and reports back."""

    def __init__(self, settings: PollSettings | None = None) -> None:
        self.settings = settings or PollSettings()
        self._targets: dict[str, TargetState] = {}

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
        self._targets[target] = TargetState(target, bucket, added_at=now, credit_stamp=now)

    def grant_startup(self, target: str, tokens: int, now: float) -> int:
        """The start-up burst: up to ``tokens`` fetches start at once, in parallel (the rows on screen
        first), beyond ``burst`` and ``max_in_flight``; then the normal rate. Called once the first
        list is known; capped at what that list needs. Returns the burst granted."""
        return poll_startup.grant_startup(self.settings, self._targets[target], tokens, now)

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
        poll_startup.startup_check(t, now)
        outcome, t.startup_done = t.startup_done, None
        return outcome

    def startup_wait(self, now: float) -> float | None:
        """Seconds until the paced part of a start-up phase can send its next read (None: no
        target is paced, or nothing waits for the pace). The controller's timer ticks then, not at
        its next quarter-second tick: a pace of 10 reads/s loses a tenth of its reads otherwise."""
        return poll_startup.startup_wait(self._targets.values(), now)

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
                t.pipes[name] = Pipe(name, added_at=now, version=version)
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
        pipe = t.pipes.setdefault(name, Pipe(name, added_at=now))
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
        return poll_cadence.plan_for(self.settings, t, now)

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

    # --- planning and scheduling -------------------------------------------------------------

    def intervals(self, target: str, now: float) -> Intervals:
        """Effective cadence of ``target`` now (``tui.core.poll_cadence``)."""
        return poll_cadence.intervals(self.settings, self._targets[target], now)

    def next_due(self, now: float) -> list[Fetch]:
        """The fetches to start now, most pressing first; each has already taken its token."""
        return poll_schedule.next_due(self.settings, self._targets.values(), now)

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
                poll_startup.startup_throttled(t, fetch, now)
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
            if changed and not (first and pipe.status in QUIET_STATUSES):
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
        caller says once that the endpoint does not offer it (``tui.core.poll_failures``).
        """
        t = self._targets.get(fetch.target)
        if t is None:
            return False
        return poll_failures.on_error(self.settings, t, fetch, now, kind, code)

    def rested(self, target: str, kind: FetchKind, now: float) -> bool:
        """True while ``kind`` is rested for ``target`` (the endpoint does not offer it)."""
        t = self._targets.get(target)
        return t is not None and t.rested_until.get(kind, 0.0) > now

    def on_cancel(self, fetch: Fetch) -> None:
        """A fetch was cancelled (the app is closing): free its slot, schedule unchanged."""
        t = self._targets.get(fetch.target)
        if t is not None:
            t.quiet_until = 0.0
        if t is not None and fetch.slot in t.in_flight:
            poll_failures.restore(t, fetch, t.in_flight.pop(fetch.slot))

    def on_throttle(self, target: str, now: float) -> None:
        """Any call for this target was throttled (a poll or on-demand): shrink the budget."""
        t = self._targets.get(target)
        if t is not None:
            t.quiet_until = 0.0
            t.bucket.throttled(now)

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
