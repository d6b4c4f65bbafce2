"""Patterns in the demo's backdated history, so the insights screens have something to find.

``synthesize`` is ``history.synthesize`` plus, for two of the demo's pipelines:

- order-service got slower: its Build action takes about 2½ minutes in the older runs and about
  7 in the newer ones (durations are forced; outcomes stay the seeded ones);
- payments-api-prod has a flaky action: in three of its older successful runs Unit-Tests failed
  and passed on a retry of the stage a few minutes later (a second, failed attempt is added
  before the successful one, and what ran after it in that execution moves later).

(web-frontend's recent breaking commit is the live run the demo starts at t0 - 25 min.) The extra
attempts draw from their own random generator, so the pipeline's own seeded sequence, and what the
demo does live afterwards, stay as they were.
"""

from __future__ import annotations

import random

from tui.sim.world import history, runners
from tui.sim.world.state import ActionRun, Execution, Pipeline
from tui.sim.world.world import World

SLOWER = ("order-service", "Build", "Build")
FLAKY = ("payments-api-prod", "Build", "Unit-Tests")
FLAKY_RUNS = (3, 7, 11)  # which successful runs, counted from the newest, get a retried Unit-Tests
RETRY_AFTER = 240.0  # seconds between the failed attempt and the retry


def synthesize(world: World, p: Pipeline, count: int, start: float, end: float) -> None:
    """``history.synthesize`` with the trends above for the pipelines they concern."""
    key = (SLOWER[1], SLOWER[2])
    if p.name == SLOWER[0]:
        jitter = random.Random(f"{world.seed}:slower")
        for i in range(count):
            base = 150.0 if i < count * 0.6 else 420.0
            p.force(*key, None, base * jitter.uniform(0.9, 1.1))
    history.synthesize(world, p, count, start, end)
    if p.name == SLOWER[0]:
        p.forced.pop(key, None)  # runs that never reached Build leave theirs unused
    if p.name == FLAKY[0]:
        _add_retries(world, p)


def _add_retries(world: World, p: Pipeline) -> None:
    done = [e for e in p.newest_first() if e.status == "Succeeded" and FLAKY[1] in e.stages]
    for n in FLAKY_RUNS:
        if n < len(done):
            _retry(world, p, done[n])


def _retry(world: World, p: Pipeline, ex: Execution) -> None:
    srun = ex.stages[FLAKY[1]]
    ok = srun.actions.get(FLAKY[2])
    if ok is None or ok.ends_at is None:
        return
    seeded, p.rng = p.rng, random.Random(f"{world.seed}:flaky:{ex.id}")
    try:
        p.force(FLAKY[1], FLAKY[2], "Failed", p.rng.uniform(40, 90))
        failed = runners.start_action(world, p, ex, FLAKY[1], ok.spec, ok.start)
    finally:
        p.rng = seeded
    assert failed.ends_at is not None
    failed.status = "Failed"
    failed.last_update = failed.ends_at
    failed.error_code = failed.error_code or "JobFailed"
    failed.error_message = failed.error_message or "Build terminated with state: FAILED"
    p.action_runs.append(failed)
    shift = failed.ends_at + RETRY_AFTER - ok.start
    later = [r for r in p.action_runs if r.execution_id == ex.id and r.start > ok.start]
    _move(ok, shift)
    for run in later:
        _move(run, shift)
    for stage in ex.stages.values():
        if stage.entered > ok.start:
            stage.entered += shift
    srun.manual_retries += 1
    ex.last_update += shift


def _move(run: ActionRun, shift: float) -> None:
    run.start += shift
    run.last_update += shift
    if run.ends_at is not None:
        run.ends_at += shift
