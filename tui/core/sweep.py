"""Push mode's safety sweep, planned within a calls-per-second budget. Plain arithmetic, no clock.

While events flow (``tui.events``) a pipeline changes on screen from its event; the sweep reads every
pipeline now and then anyway, because EventBridge delivery is best effort and an event can be lost.
A fixed period costs ``pipelines / period`` calls per second (1,000 pipelines every 10 minutes: 1.67
calls/s, more than the whole idle budget), so the period follows the budget instead:

- the pipelines a person is looking at or that did something lately (``first``: rows on screen,
  running pipelines, those with an event in the last hour) keep the configured ``interval`` as long
  as they take at most half of the budget, else they stretch to fit that half (never beyond the one
  period everybody would have);
- every other pipeline, and the list (one ListPipelines call per 1,000 pipelines), share what is left:
  period = max(interval, (pipelines + list pages) / the budget left).

``SweepPlan.rest`` is then the longest any pipeline goes unread: the bound on how long a lost event
can leave a row wrong. The calls it plans never exceed the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# ListPipelines answers up to this many pipelines a page (tui/aws/client.py asks for the maximum).
LIST_PAGE = 1000
# The pipelines read first take at most this share of the budget before they stretch too.
FIRST_SHARE = 0.5


@dataclass(frozen=True)
class SweepPlan:
    """How often the sweep reads each pipeline, and what that costs (calls per second)."""

    first: float  # seconds between reads of a pipeline on screen or with recent activity
    rest: float  # ... of every other pipeline, and of the list: the bound on a lost event
    rate: float  # calls/s of the pipelines' reads (ListPipelineExecutions)
    list_rate: float  # calls/s of the list's reads (ListPipelines)

    @property
    def planned(self) -> float:
        return self.rate + self.list_rate


def list_pages(pipelines: int) -> int:
    """ListPipelines calls one read of the list costs."""
    return max(1, math.ceil(pipelines / LIST_PAGE))


def plan_sweep(
    pipelines: int, first: int, interval: float, budget: float | None, pace: float = 1.0
) -> SweepPlan:
    """The sweep of ``pipelines`` (``first`` of them read first) at the configured ``interval``
    (seconds, the shortest period) within ``budget`` calls per second (None: no budget, every
    pipeline every ``interval``). ``pace``: how much faster than its period the sweep is paced (a
    little spare absorbs what the rate budget delays); the plan's calls include it."""
    pages = list_pages(pipelines)
    first = max(0, min(first, pipelines))
    rest = pipelines - first
    if budget is None or budget <= 0:
        return SweepPlan(interval, interval, pace * pipelines / interval, pages / interval)
    # (never longer than one period for everybody: then the first ones are simply everyone's share)
    everyone = max(interval, (pace * pipelines + pages) / budget)
    first_period = min(everyone, max(interval, pace * first / (budget * FIRST_SHARE)))
    first_rate = pace * first / first_period
    left = budget - first_rate  # at least what the rest need at ``everyone``'s period
    rest_period = max(interval, first_period, (pace * rest + pages) / left)
    return SweepPlan(first_period, rest_period, first_rate + pace * rest / rest_period, pages / rest_period)
