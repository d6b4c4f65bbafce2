"""V2 stage conditions: rules evaluated by the engine, and the result each condition engages.

As AWS documents them ("Configure conditions for a stage", "How do stage conditions work?"):

- A condition holds an ordered set of rules; "if one rule fails in the condition, then the
  condition fails", and when it fails its result engages.
- Entry (``beforeEntry``) conditions are checked before a stage's actions start; results FAIL
  (the stage fails, and so does the execution) or SKIP (the stage is Skipped and the execution
  moves on). While a rule is still being checked (a DeploymentWindow outside its window, a
  CloudWatchAlarm during its wait time) the stage is held: the execution occupies it, no action
  runs, and ``beforeEntryConditionState`` shows the condition InProgress.
- On Success (``onSuccess``) conditions are checked once every action succeeded; results FAIL or
  ROLLBACK (the stage fails; ROLLBACK also starts an automated rollback to the last execution
  that succeeded in the stage).
- On Failure (``onFailure``) engages its result when the stage fails (and its rules, if any,
  succeed): ROLLBACK, or RETRY (an automated stage retry, once, in ``retryConfiguration``'s mode).
- OverrideStageCondition (BEFORE_ENTRY / ON_SUCCESS) ends a condition that is being checked as
  ``Overridden``; the stage proceeds as if it had succeeded. "You can't override a condition
  configured to use the Skip result."

Rules in the simulator: VariableCheck compares a resolved variable (``#{variables.NAME}`` or an
action namespace's output) with ``Value`` by ``Operator``; DeploymentWindow checks its ``Cron``
(AWS's six fields; hours and day-of-week honoured, in UTC) every minute until the window opens or
the rule times out; CloudWatchAlarm waits ``WaitTime`` minutes and fails if the alarm
(``World.alarms``) is in ALARM; LambdaInvoke and Commands succeed after a few seconds.
``Pipeline.force_rule`` decides a rule's next outcome in tests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui.sim.world.runners import CONSOLE, new_uuid
from tui.sim.world.state import ConditionRun, Execution, Pipeline, RuleRun

if TYPE_CHECKING:
    from tui.sim.world.base import WorldBase

RECHECK_SECONDS = 60.0
DEFAULT_RULE_TIMEOUT_MINUTES = 24 * 60
_DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


def declared(p: Pipeline, stage: str, kind: str) -> dict[str, Any] | None:
    spec = p.spec.stage(stage)
    return spec.conditions(kind) if spec is not None else None


def _condition(block: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """(result, rules) of a declared condition block (one condition per block, as the API allows)."""
    conditions = block.get("conditions") or []
    first = conditions[0] if conditions else {}
    result = first.get("result") or block.get("result") or "FAIL"
    return str(result), list(first.get("rules") or [])


def begin(world: WorldBase, p: Pipeline, ex: Execution, stage: str, kind: str) -> ConditionRun:
    """Start evaluating ``stage``'s ``kind`` conditions for ``ex``; settles now if there are no
    rules (or all are decided at once)."""
    block = declared(p, stage, kind) or {}
    result, rules = _condition(block)
    run = ConditionRun(ex.id, stage, kind, result, start=world.now, last_update=world.now)
    p.condition_latest[(stage, kind)] = run
    for rule in rules:
        rr = _start_rule(world, p, ex, run, rule)
        run.rules.append(rr)
        p.rule_runs.append(rr)
    for rr in run.rules:
        if rr.status == "InProgress":
            world.schedule(
                rr.ends_at if rr.ends_at is not None else world.now + RECHECK_SECONDS, "rule", p.name, rr.id
            )
    if not run.rules:
        _settle(world, run)
    else:
        _waiting_summary(run)
    return run


def _waiting_summary(run: ConditionRun) -> None:
    pending = [r.name for r in run.rules if r.status == "InProgress"]
    if pending:
        run.summary = f"Waiting for rule {', '.join(pending)}"


def _start_rule(
    world: WorldBase, p: Pipeline, ex: Execution, run: ConditionRun, rule: dict[str, Any]
) -> RuleRun:
    provider = rule["ruleTypeId"]["provider"]
    cfg: dict[str, str] = dict(rule.get("configuration") or {})
    rr = RuleRun(
        id=new_uuid(p.rng),
        execution_id=ex.id,
        stage=run.stage,
        kind=run.kind,
        rule=rule,
        start=world.now,
        pipeline_version=ex.pipeline_version,
        last_update=world.now,
    )
    rr.resolved = {k: resolve(p, ex, v) for k, v in cfg.items()}
    minutes = rule.get("timeoutInMinutes") or DEFAULT_RULE_TIMEOUT_MINUTES
    rr.timeout_at = world.now + 60 * float(minutes)
    forced = p.forced_rules.get((run.stage, rr.name))
    if forced:
        rr.planned = forced.pop(0)
        if not forced:
            del p.forced_rules[(run.stage, rr.name)]
        rr.ends_at = world.now + p.rng.uniform(2, 5)
    elif provider == "VariableCheck":
        ok = _variable_check(rr.resolved)
        rr.planned = "Succeeded" if ok else "Failed"
        rr.ends_at = world.now + p.rng.uniform(1, 3)
    elif provider == "DeploymentWindow":
        rr.ends_at = None  # checked every minute until the window opens (see rule_due)
        if _in_window(rr.resolved.get("Cron", ""), world.now):
            rr.ends_at = world.now + p.rng.uniform(1, 3)
        else:
            rr.summary = (
                f"Outside the deployment window (cron {rr.resolved.get('Cron', '')}, "
                f"{rr.resolved.get('TimeZone') or 'UTC'}); checked again every minute"
            )
    elif provider == "CloudWatchAlarm":
        wait = float(rr.resolved.get("WaitTime") or 0)
        rr.ends_at = world.now + max(5.0, 60 * wait)
        alarm = rr.resolved.get("AlarmName", "")
        rr.external_url = f"{CONSOLE}/cloudwatch/home?region={world.region}#alarmsV2:alarm/{alarm}"
        rr.summary = f"Watching alarm {alarm} for {wait:g} minutes" if wait else None
    elif provider == "LambdaInvoke":
        rr.ends_at = world.now + p.rng.uniform(5, 20)
        fn = rr.resolved.get("FunctionName", "")
        rr.external_id = new_uuid(p.rng)
        rr.external_url = f"{CONSOLE}/lambda/home?region={world.region}#/functions/{fn}"
    else:
        rr.ends_at = world.now + p.rng.uniform(20, 60)
    return rr


def resolve(p: Pipeline, ex: Execution, value: str) -> str:
    """``value`` with ``#{variables.X}`` and ``#{Namespace.Y}`` references resolved for ``ex``."""
    namespaces: dict[str, dict[str, str]] = {}
    for srun in ex.stages.values():
        for ar in srun.actions.values():
            if ar.spec.namespace and ar.status == "Succeeded":
                namespaces[ar.spec.namespace] = ar.output_variables

    def one(match: re.Match[str]) -> str:
        space, name = match.group(1), match.group(2)
        if space == "variables":
            return ex.variables.get(name, match.group(0))
        return namespaces.get(space, {}).get(name, match.group(0))

    return re.sub(r"#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}", one, value)


def _variable_check(cfg: dict[str, str]) -> bool:
    left, right = cfg.get("Variable", ""), cfg.get("Value", "")
    op = cfg.get("Operator", "EQ").upper()
    try:
        a, b = float(left), float(right)
    except ValueError:
        a = b = 0.0
        numeric = False
    else:
        numeric = True
    checks = {
        "EQ": left == right,
        "NE": left != right,
        "CONTAINS": right in left,
        "MATCHES": re.fullmatch(right, left) is not None if _valid_regex(right) else False,
        "GT": numeric and a > b,
        "GE": numeric and a >= b,
        "LT": numeric and a < b,
        "LE": numeric and a <= b,
    }
    return bool(checks.get(op, False))


def _valid_regex(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _field(spec: str, lo: int, hi: int, names: list[str] | None = None) -> set[int]:
    """The values an AWS cron field allows (``*``, ``?``, lists, ranges, names)."""
    if spec in ("*", "?", ""):
        return set(range(lo, hi + 1))
    out: set[int] = set()

    def value(token: str) -> int:
        if names and token.upper()[:3] in names:
            return names.index(token.upper()[:3]) + lo
        return int(token)

    for part in spec.split(","):
        part = part.split("/")[0]
        if "-" in part:
            start, end = part.split("-", 1)
            out |= set(range(value(start), value(end) + 1))
        else:
            out.add(value(part))
    return out


def _in_window(cron: str, now: float) -> bool:
    """Whether ``now`` falls in a six-field AWS cron window (minutes hours dom month dow year)."""
    fields = cron.split()
    if len(fields) < 5:
        return True
    try:
        hours = _field(fields[1], 0, 23)
        days = _field(fields[4], 1, 7, _DAYS)  # MON=1 .. SUN=7
    except ValueError:
        return False
    t = datetime.fromtimestamp(now, UTC)
    return t.hour in hours and t.isoweekday() in days


def rule_due(world: WorldBase, name: str, rule_id: str) -> tuple[Execution, ConditionRun] | None:
    """A rule's check is due: settle it, or (a closed deployment window) look again later.
    Returns the execution and its condition when this settled the condition (the flow moves on)."""
    p = world.pipelines.get(name)
    if p is None:
        return None
    rr = next((r for r in reversed(p.rule_runs) if r.id == rule_id), None)
    if rr is None or rr.status != "InProgress":
        return None
    provider = rr.rule["ruleTypeId"]["provider"]
    if provider == "DeploymentWindow" and rr.ends_at is None:
        if _in_window(rr.resolved.get("Cron", ""), world.now):
            rr.planned = "Succeeded"
        elif rr.timeout_at is not None and world.now >= rr.timeout_at:
            rr.planned = "Failed"
            rr.error_code = "RuleTimeout"
            rr.error_message = "The deployment window did not open before the rule timed out"
        else:
            world.schedule(world.now + RECHECK_SECONDS, "rule", name, rule_id)
            return None
    elif provider == "CloudWatchAlarm" and rr.planned == "Succeeded":
        alarm = rr.resolved.get("AlarmName", "")
        if world.alarms.get(alarm, "OK") == "ALARM":
            rr.planned = "Failed"
    return _finish_rule(world, p, rr)


def _finish_rule(world: WorldBase, p: Pipeline, rr: RuleRun) -> tuple[Execution, ConditionRun] | None:
    rr.status = rr.planned
    rr.last_update = world.now
    provider = rr.rule["ruleTypeId"]["provider"]
    if rr.status == "Failed" and rr.error_code is None:
        rr.error_code = "RuleFailed"
        rr.error_message = _failure_text(provider, rr)
    if rr.status == "Succeeded":
        rr.summary = _success_text(provider, rr)
    ex = p.executions.get(rr.execution_id)
    run = p.condition_latest.get((rr.stage, rr.kind))
    if ex is None or run is None or rr not in run.rules or run.status != "InProgress":
        return None
    if any(r.status == "InProgress" for r in run.rules):
        _waiting_summary(run)
        return None
    _settle(world, run)
    return ex, run


def _failure_text(provider: str, rr: RuleRun) -> str:
    cfg = rr.resolved
    if provider == "VariableCheck":
        return (
            f"Variable check failed: '{cfg.get('Variable', '')}' {cfg.get('Operator', 'EQ')} "
            f"'{cfg.get('Value', '')}' is false"
        )
    if provider == "CloudWatchAlarm":
        return f"Alarm {cfg.get('AlarmName', '')} is in ALARM state"
    if provider == "LambdaInvoke":
        return f"Lambda function {cfg.get('FunctionName', '')} returned a failure"
    return f"Rule {rr.name} failed"


def _success_text(provider: str, rr: RuleRun) -> str:
    if provider == "DeploymentWindow":
        return "The current time is within the deployment window"
    if provider == "CloudWatchAlarm":
        return f"Alarm {rr.resolved.get('AlarmName', '')} stayed OK"
    if provider == "VariableCheck":
        return "Variable check passed"
    return f"Rule {rr.name} succeeded"


def _settle(world: WorldBase, run: ConditionRun) -> None:
    """All rules have an outcome: the condition succeeded or failed (the flow engages what follows)."""
    failed = [r for r in run.rules if r.status == "Failed"]
    run.status = "Failed" if failed else "Succeeded"
    run.last_update = world.now
    run.summary = f"Rule {failed[0].name} failed; result {run.result}" if failed else "All rules succeeded"


def override(world: WorldBase, run: ConditionRun, caller: str) -> None:
    """OverrideStageCondition: rules still being checked are abandoned (the flow then moves the
    stage on: ``flow.proceed_after_condition``)."""
    for rr in run.rules:
        if rr.status == "InProgress":
            rr.status = "Abandoned"
            rr.last_update = world.now
            rr.updated_by = caller
    run.status = "Overridden"
    run.summary = f"Overridden by {caller.rsplit('/', 1)[-1]}"
    run.last_update = world.now


def cancel(world: WorldBase, p: Pipeline, ex: Execution) -> None:
    """The execution ended (stopped, cancelled): its conditions still being checked end too."""
    for run in p.condition_latest.values():
        if run.execution_id != ex.id or run.status != "InProgress":
            continue
        run.status = "Cancelled" if ex.status == "Cancelled" else "Abandoned"
        run.last_update = world.now
        for rr in run.rules:
            if rr.status == "InProgress":
                rr.status = "Abandoned"
                rr.last_update = world.now
