"""Fault injection for the simulator (``--faults SPEC`` / ``Simulator(faults=...)``).

Grammar::

    spec   := "" | term ("," term)*
    term   := name "=" value ["@" scope ("+" scope)*]
    scope  := OperationName | "account:" ACCOUNT_ID | "region:" REGION

    throttle=P        ThrottlingException "Rate exceeded" (400) with probability P
    5xx=P             InternalFailure (500) or ServiceUnavailable (503) with probability P
    latency=A-Bms     add a delay drawn from [A, B] milliseconds (also "latency=50ms")
    drop=P            read the request, then close the connection without answering
    expired=1         ExpiredTokenException (400): "The security token included in the
                      request is expired" (botocore treats it as a credentials problem)
    deny=Op1+Op2      AccessDeniedException (400) for those operations, worded like IAM's
    unimplemented=Op1+Op2
                      InternalFailure (500) "... is not implemented" for those operations, every
                      time, as emulators answer calls they lack
    tps=N             a token bucket of N requests per second (real time) per account+region;
                      beyond it ThrottlingException "Rate exceeded"
    account=ID        limit every term without its own account scope to account ID
    events-delay=A-Bms  deliver each EventBridge event to its queue A..B ms (simulated) late
    events-dup=P      deliver an event twice with probability P (at-least-once delivery)
    events-drop=P     lose an event with probability P (never delivered)
    events-reorder=P  hold an event back 1-5 s (simulated) with probability P, so later
                      events overtake it
    region=NAME       limit every term without its own region scope to region NAME

The ``events-*`` terms act on event delivery, not on requests; ``account:``/``region:`` scopes
select the rule's account and region.

Examples: ``throttle=0.2,5xx=0.05``; ``throttle=1@GetPipelineState+ListPipelines``;
``deny=PutApprovalResult,account=210987654321``; ``tps=5@FilterLogEvents``.
Probabilities are drawn from ``random.Random(seed)``, so a run is repeatable for a given order of
requests. Each injected fault is counted in ``Faults.counts`` under its name.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

NAMES = ("throttle", "5xx", "latency", "drop", "expired", "deny", "tps", "unimplemented")
_OP_LISTS = ("deny", "unimplemented")  # terms whose value names operations
# Terms that shape EventBridge's delivery of events to queues (see ``Faults.event_delivery``).
EVENT_NAMES = ("events-delay", "events-dup", "events-drop", "events-reorder")
_SERVICE_PREFIX = {
    "codepipeline": "codepipeline",
    "codebuild": "codebuild",
    "logs": "logs",
    "sts": "sts",
    "sqs": "sqs",
    "events": "events",
}


@dataclass
class Rule:
    name: str
    value: float = 0.0
    low_ms: float = 0.0
    high_ms: float = 0.0
    ops: frozenset[str] = frozenset()  # operations it applies to; empty: all (for deny: the denied ops)
    account: str | None = None
    region: str | None = None

    def applies(self, op: str, account: str, region: str) -> bool:
        if self.account is not None and self.account != account:
            return False
        if self.region is not None and self.region != region:
            return False
        return not self.ops or op in self.ops


@dataclass
class Fault:
    """What to do to one request: wait ``delay`` seconds, then fail, drop, or carry on."""

    delay: float = 0.0
    drop: bool = False
    code: str | None = None
    message: str = ""
    status: int = 400


def parse(spec: str) -> list[Rule]:
    """Parse a fault spec; raises ValueError with the offending term."""
    rules: list[Rule] = []
    account = region = None
    for raw in (t.strip() for t in spec.split(",")):
        if not raw:
            continue
        term, _, scope = raw.partition("@")
        name, eq, value = term.partition("=")
        name, value = name.strip(), value.strip()
        if not eq:
            raise ValueError(f"fault term {raw!r} is not name=value")
        if name == "account":
            account = value
            continue
        if name == "region":
            region = value
            continue
        if name not in NAMES and name not in EVENT_NAMES:
            known = ", ".join(NAMES + EVENT_NAMES)
            raise ValueError(f"unknown fault {name!r} in {raw!r}; known: {known}")
        rule = Rule(name)
        for part in (p for p in scope.split("+") if p):
            if part.startswith("account:"):
                rule.account = part.split(":", 1)[1]
            elif part.startswith("region:"):
                rule.region = part.split(":", 1)[1]
            else:
                rule.ops |= {part}
        try:
            if name in ("latency", "events-delay"):
                m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?ms", value)
                if m is None:
                    raise ValueError
                rule.low_ms = float(m.group(1))
                rule.high_ms = float(m.group(2) or m.group(1))
            elif name in _OP_LISTS:
                rule.ops |= {v for v in value.split("+") if v}
            else:
                rule.value = float(value)
        except ValueError:
            raise ValueError(f"bad value in fault term {raw!r}") from None
        rules.append(rule)
    for rule in rules:
        rule.account = rule.account or account
        rule.region = rule.region or region
    return rules


@dataclass
class EventPlan:
    """What happens to one event on its way to one queue."""

    delay: float = 0.0  # simulated seconds
    copies: int = 1
    drop: bool = False
    reorder: bool = False
    reorder_hold: float = 0.0


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class Faults:
    """The active fault rules, their random source and what they injected."""

    spec: str = ""
    seed: int = 7
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rules = parse(self.spec)
        self._rng = random.Random(self.seed)
        self._buckets: dict[tuple[int, str, str], _Bucket] = {}

    def set(self, spec: str) -> None:
        """Replace the rules (the random sequence and counters carry on)."""
        self.rules = parse(spec)
        self.spec = spec
        self._buckets.clear()

    def decide(self, service: str, op: str, account: str, region: str, resource: str) -> Fault:
        """The fault (possibly none) for one request."""
        fault = Fault()
        for rule in self.rules:
            if rule.name == "latency" and rule.applies(op, account, region):
                fault.delay += self._rng.uniform(rule.low_ms, rule.high_ms) / 1000
                self.counts["latency"] += 1
        for i, rule in enumerate(self.rules):
            if rule.name in EVENT_NAMES:
                continue
            if rule.name == "latency" or not rule.applies(op, account, region):
                continue
            if self._fires(i, rule, account, region):
                self.counts[rule.name] += 1
                self._fill(fault, rule, service, op, account, region, resource)
                return fault
        return fault

    def event_delivery(self, account: str, region: str) -> EventPlan:
        """How one event reaches one queue under the ``events-*`` terms (counted by name)."""
        plan = EventPlan()
        for rule in self.rules:
            if rule.name not in EVENT_NAMES or not rule.applies("", account, region):
                continue
            if rule.name == "events-delay":
                plan.delay += self._rng.uniform(rule.low_ms, rule.high_ms) / 1000
                self.counts[rule.name] += 1
            elif self._rng.random() < rule.value:
                self.counts[rule.name] += 1
                if rule.name == "events-drop":
                    plan.drop = True
                elif rule.name == "events-dup":
                    plan.copies = 2
                else:
                    plan.reorder = True
                    plan.reorder_hold = self._rng.uniform(1.0, 5.0)
        return plan

    def _fires(self, index: int, rule: Rule, account: str, region: str) -> bool:
        if rule.name in _OP_LISTS:
            return True
        if rule.name == "tps":
            return not self._take(index, rule, account, region)
        return self._rng.random() < rule.value

    def _take(self, index: int, rule: Rule, account: str, region: str) -> bool:
        now = time.monotonic()
        key = (index, account, region)
        bucket = self._buckets.setdefault(key, _Bucket(rule.value, now))
        bucket.tokens = min(rule.value, bucket.tokens + (now - bucket.stamp) * rule.value)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def _fill(
        self, fault: Fault, rule: Rule, service: str, op: str, account: str, region: str, resource: str
    ) -> None:
        if rule.name in ("throttle", "tps"):
            fault.code, fault.message = "ThrottlingException", "Rate exceeded"
        elif rule.name == "5xx":
            if self._rng.random() < 0.5:
                fault.code, fault.status, fault.message = (
                    "InternalFailure",
                    500,
                    "An internal error occurred.",
                )
            else:
                fault.code, fault.status, fault.message = (
                    "ServiceUnavailable",
                    503,
                    "Service unavailable, try again later.",
                )
        elif rule.name == "drop":
            fault.drop = True
        elif rule.name == "expired":
            fault.code, fault.message = (
                "ExpiredTokenException",
                "The security token included in the request is expired",
            )
        elif rule.name == "unimplemented":
            fault.code, fault.status = "InternalFailure", 500
            fault.message = f"API action '{op}' for service '{service}' is not implemented"
        elif rule.name == "deny":
            action = f"{_SERVICE_PREFIX.get(service, service)}:{op}"
            who = f"arn:aws:sts::{account}:assumed-role/cptui-operator/cptui"
            fault.code = "AccessDeniedException"
            fault.message = (
                f"User: {who} is not authorized to perform: {action} on resource: {resource} "
                f"because no identity-based policy allows the {action} action"
            )
