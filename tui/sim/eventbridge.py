"""Amazon EventBridge, simulated: rules on each account+region's ``default`` bus (and any other
bus name a caller uses), event patterns, and delivery to SQS targets.

When the world changes state it publishes the event AWS would (``tui.sim.world.emit``); every
ENABLED rule whose pattern matches gets it (``MatchedEvents``), and each of its SQS targets
receives the event JSON (or the target's constant ``Input``) as a message body — only when the
queue's policy allows ``events.amazonaws.com`` ``sqs:SendMessage`` with ``aws:SourceArn`` = the
rule's ARN, and the queue is not encrypted with the ``alias/aws/sqs`` key EventBridge cannot use.
Otherwise, or when the queue is gone, the delivery counts as a ``FailedInvocations``, as in
CloudWatch's metrics for the rule (``EventBridge.metrics[rule_arn]``).

Delivery faults (``events-delay``, ``events-dup``, ``events-drop``, ``events-reorder`` in the
fault spec) make it late, twice, never, or behind later events. Delays run on the simulator's
clock: a delayed message becomes visible in its queue that many simulated seconds after the event.

Patterns follow EventBridge's content filtering: a field's list of values matches any of them
(for an array field: any element); ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case":
s}``, ``{"wildcard": "a*b"}``, ``{"anything-but": v | [v...] | {"prefix": s} | {"suffix": s}}``,
``{"exists": bool}``, ``{"numeric": [">", 0, "<=", 5]}``; nested objects match nested fields.
"""

from __future__ import annotations

import fnmatch
import json
import random
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.sim.faults import Faults
from tui.sim.sqs import SqsStore, policy_allows
from tui.sim.world.emit import iso

if TYPE_CHECKING:
    from tui.sim.world.base import WorldBase

DEFAULT_BUS = "default"
MAX_TARGETS = 5
_MISSING = object()


class PatternError(ValueError):
    """An event pattern EventBridge would reject."""


@dataclass
class Target:
    id: str
    arn: str
    input: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra) | {"Id": self.id, "Arn": self.arn}
        if self.input is not None:
            out["Input"] = self.input
        return out


@dataclass
class Rule:
    account: str
    region: str
    bus: str
    name: str
    pattern: dict[str, Any] | None
    pattern_text: str | None
    schedule: str | None
    state: str
    description: str | None
    role_arn: str | None
    targets: dict[str, Target] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        path = self.name if self.bus == DEFAULT_BUS else f"{self.bus}/{self.name}"
        return f"arn:aws:events:{self.region}:{self.account}:rule/{path}"


# --- patterns -------------------------------------------------------------------------------


def parse_pattern(text: str) -> dict[str, Any]:
    """The pattern as JSON, checked as EventBridge checks it."""
    try:
        pattern = json.loads(text)
    except ValueError as exc:
        raise PatternError(f"Event pattern is not valid. Reason: {exc}") from None
    if not isinstance(pattern, dict) or not pattern:
        raise PatternError("Event pattern is not valid. Reason: Filter is not an object")
    _check_pattern(pattern)
    return pattern


_OPERATORS = {
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "numeric",
    "equals-ignore-case",
    "wildcard",
    "cidr",
}


def _check_pattern(node: dict[str, Any]) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            if not value:
                raise PatternError(
                    f"Event pattern is not valid. Reason: Empty objects are not allowed at '{key}'"
                )
            _check_pattern(value)
        elif isinstance(value, list):
            if not value:
                raise PatternError(
                    f"Event pattern is not valid. Reason: Empty arrays are not allowed at '{key}'"
                )
            for item in value:
                if isinstance(item, dict):
                    if len(item) != 1 or next(iter(item)) not in _OPERATORS:
                        raise PatternError(
                            "Event pattern is not valid. Reason: Unrecognized match type "
                            f"{next(iter(item), '')}"
                        )
                elif isinstance(item, list):
                    raise PatternError(
                        "Event pattern is not valid. Reason: "
                        "Match value must be String, number, true, false, or null"
                    )
        else:
            raise PatternError(f'Event pattern is not valid. Reason: "{key}" must be an object or an array')


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether ``event`` matches ``pattern`` (every field of the pattern must match)."""
    for key, want in pattern.items():
        have = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(want, dict):
            if not isinstance(have, dict) or not matches(want, have):
                return False
        elif not _field_matches(want, have):
            return False
    return True


def _field_matches(values: list[Any], have: Any) -> bool:
    candidates = have if isinstance(have, list) else [have]
    for item in values:
        if isinstance(item, dict) and "exists" in item:
            present = have is not _MISSING
            if present == bool(item["exists"]):
                return True
            continue
        if have is _MISSING:
            continue
        if any(_value_matches(item, c) for c in candidates):
            return True
    return False


def _value_matches(item: Any, value: Any) -> bool:
    if not isinstance(item, dict):
        return bool(item == value and type(item) is type(value)) or (
            isinstance(item, int | float)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(item) == float(value)
        )
    op, arg = next(iter(item.items()))
    if op == "prefix":
        return isinstance(value, str) and _affix(arg, value, str.startswith)
    if op == "suffix":
        return isinstance(value, str) and _affix(arg, value, str.endswith)
    if op == "equals-ignore-case":
        return isinstance(value, str) and isinstance(arg, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return (
            isinstance(value, str)
            and isinstance(arg, str)
            and fnmatch.fnmatchcase(value, arg.replace("[", "[[]"))
        )
    if op == "anything-but":
        if isinstance(arg, dict):
            sub_op, sub = next(iter(arg.items()))
            return isinstance(value, str) and not _value_matches({sub_op: sub}, value)
        return not any(_value_matches(a, value) for a in (arg if isinstance(arg, list) else [arg]))
    if op == "numeric":
        return _numeric(arg, value)
    return False


def _affix(arg: Any, value: str, test: Any) -> bool:
    if isinstance(arg, dict) and "equals-ignore-case" in arg:
        return bool(test(value.lower(), str(arg["equals-ignore-case"]).lower()))
    return isinstance(arg, str) and bool(test(value, arg))


def _numeric(spec: Any, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(spec, list):
        return False
    ops = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    for i in range(0, len(spec) - 1, 2):
        fn = ops.get(spec[i])
        if fn is None or not fn(float(value), float(spec[i + 1])):
            return False
    return True


# --- the bus ----------------------------------------------------------------------------------


def _body(target: Target, event: dict[str, Any]) -> str:
    """What the target receives: its constant ``Input``, the part ``InputPath`` (``$.a.b``) names,
    or the whole event. (``InputTransformer`` is not simulated: the whole event is sent.)"""
    if target.input is not None:
        return target.input
    path = target.extra.get("InputPath")
    value: Any = event
    if isinstance(path, str) and path.startswith("$"):
        for key in (k for k in path[1:].split(".") if k):
            value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


@dataclass
class Delivery:
    """One event on its way to one queue (for tests: what was sent, dropped or failed)."""

    rule_arn: str
    queue_arn: str
    event_id: str
    outcome: str  # delivered, dropped, failed


class EventBridge:
    """All rules of one simulator, and the delivery of events to their SQS targets."""

    def __init__(self, seed: int, sqs: SqsStore, faults: Faults) -> None:
        self.rules: dict[tuple[str, str, str, str], Rule] = {}
        self.sqs = sqs
        self.faults = faults
        self.metrics: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # The latest deliveries (bounded: a long demo must not grow without end).
        self.log: deque[Delivery] = deque(maxlen=10_000)
        self._rng = random.Random(f"{seed}:events")

    def _uuid(self) -> str:
        from tui.sim.world.runners import new_uuid

        return new_uuid(self._rng)

    def rules_of(self, account: str, region: str, bus: str = DEFAULT_BUS) -> list[Rule]:
        return sorted(
            (r for (a, g, b, _), r in self.rules.items() if (a, g, b) == (account, region, bus)),
            key=lambda r: r.name,
        )

    def active(self, account: str, region: str) -> bool:
        return any(a == account and g == region for (a, g, _, _) in self.rules)

    def publish(
        self, world: WorldBase, source: str, detail_type: str, resources: list[str], detail: dict[str, Any]
    ) -> None:
        """Route one event from ``world`` (called as the world's sink)."""
        if not self.active(world.account, world.region):
            return
        event = {
            "version": "0",
            "id": self._uuid(),
            "detail-type": detail_type,
            "source": source,
            "account": world.account,
            "time": iso(world.now),
            "region": world.region,
            "resources": resources,
            "detail": detail,
        }
        self.route(event, world.now)

    def route(self, event: dict[str, Any], now: float) -> None:
        """Deliver ``event`` (sent at simulated time ``now``) to every matching rule's targets."""
        account, region = str(event["account"]), str(event["region"])
        matched = False
        for rule in self.rules_of(account, region):
            if rule.state != "ENABLED" or rule.pattern is None or not matches(rule.pattern, event):
                continue
            matched = True
            self.metrics[rule.arn]["MatchedEvents"] += 1
            for target in rule.targets.values():
                self._deliver(rule, target, event, now)
        if matched:
            self.metrics[f"{account}:{region}"]["TriggeredRules"] += 1

    def _deliver(self, rule: Rule, target: Target, event: dict[str, Any], now: float) -> None:
        counts = self.metrics[rule.arn]
        counts["Invocations"] += 1
        queue = self.sqs.by_arn(target.arn)
        allowed = queue is not None and policy_allows(
            queue,
            "events.amazonaws.com",
            "sqs:SendMessage",
            {"aws:SourceArn": rule.arn, "aws:SourceAccount": rule.account},
        )
        if queue is None or not allowed or queue.attributes.get("KmsMasterKeyId") == "alias/aws/sqs":
            counts["FailedInvocations"] += 1
            self.log.append(Delivery(rule.arn, target.arn, str(event["id"]), "failed"))
            return
        plan = self.faults.event_delivery(rule.account, rule.region)
        if plan.drop:
            self.log.append(Delivery(rule.arn, target.arn, str(event["id"]), "dropped"))
            return
        body = _body(target, event)
        delay = plan.delay
        if plan.reorder:
            # Held back behind whatever this queue gets next (or released after a while).
            delay += plan.reorder_hold
        for _ in range(plan.copies):
            self.sqs.enqueue(queue, body, now, delay, "AIDAEVENTBRIDGE")
            self.log.append(Delivery(rule.arn, target.arn, str(event["id"]), "delivered"))
