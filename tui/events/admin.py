"""``cptui events setup / status / teardown`` for one target: what exists, what to change, doing it.

Every function takes an ``EventsApi`` (``tui.aws.client.AwsPipelineService`` is one): SQS and
EventBridge calls through aiobotocore, errors already mapped to ``tui.aws.errors.AwsError``.

``plan_setup`` reads what exists and lists the steps that would make it right; an empty list is
"nothing to do" (a second setup changes nothing). A queue or rule of the same name that does not
carry cptui's tag is someone else's: setup refuses to touch it and teardown leaves it alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui.aws.errors import AwsError, NotFound
from tui.core.model import Identity, Target
from tui.events import resources as res

SQS = "sqs"
EVENTS = "events"


class EventsApi(Protocol):
    target: Target

    async def identity(self) -> Identity: ...

    async def aws_call(
        self, service: str, operation: str, *, mutation: bool = False, **params: Any
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Names:
    """The queue's and rule's names for one target, and where they live."""

    account: str
    region: str
    queue_name: str
    rule_name: str
    partition: str = "aws"

    @property
    def queue_arn(self) -> str:
        return res.queue_arn(self.region, self.account, self.queue_name, self.partition)

    @property
    def rule_arn(self) -> str:
        return res.rule_arn(self.region, self.account, self.rule_name, self.partition)


@dataclass(frozen=True)
class Step:
    """One change setup or teardown makes: ``what`` is the line printed for the operator."""

    kind: str
    what: str


@dataclass(frozen=True)
class Found:
    """What exists under the target's names."""

    queue_url: str | None = None
    queue_managed: bool = False
    queue_attributes: Mapping[str, str] = field(default_factory=dict)
    rule_exists: bool = False
    rule_managed: bool = False
    rule_state: str | None = None
    rule_pattern: Any = None
    rule_targets: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Plan:
    names: Names
    found: Found
    steps: tuple[Step, ...]
    refused: tuple[str, ...] = ()  # why nothing may be done (someone else's resource)
    notes: tuple[str, ...] = ()  # what is left alone, and why

    @property
    def nothing_to_do(self) -> bool:
        return not self.steps and not self.refused

    def describe(self) -> list[str]:
        if self.refused:
            return [f"refused: {why}" for why in self.refused]
        lines = [f"- {step.what}" for step in self.steps] or ["nothing to do"]
        return lines + [f"  ({note})" for note in self.notes]


@dataclass(frozen=True)
class Outcome:
    names: Names
    queue_url: str | None
    done: tuple[str, ...]


async def names_for(api: EventsApi, queue_name: str | None = None, rule_name: str | None = None) -> Names:
    """The target's names: the given ones, else ``cptui-<user>-<region>`` for the caller."""
    identity = await api.identity()
    region = api.target.region
    default = res.resource_name(res.user_from_arn(identity.arn), region)
    return Names(
        account=identity.account,
        region=region,
        queue_name=queue_name or default,
        rule_name=rule_name or default,
        partition=res.partition_of(identity.arn),
    )


async def inspect(api: EventsApi, names: Names) -> Found:
    """Read what exists under ``names`` (nothing is changed)."""
    queue_url: str | None = None
    attributes: dict[str, str] = {}
    queue_managed = False
    try:
        answer = await api.aws_call(SQS, "GetQueueUrl", QueueName=names.queue_name)
        queue_url = str(answer["QueueUrl"])
    except NotFound:
        pass
    if queue_url is not None:
        answer = await api.aws_call(SQS, "GetQueueAttributes", QueueUrl=queue_url, AttributeNames=["All"])
        attributes = {str(k): str(v) for k, v in (answer.get("Attributes") or {}).items()}
        tags = (await api.aws_call(SQS, "ListQueueTags", QueueUrl=queue_url)).get("Tags") or {}
        queue_managed = tags.get(res.MANAGED_TAG) == res.MANAGED_VALUE
    rule: dict[str, Any] | None
    try:
        rule = await api.aws_call(EVENTS, "DescribeRule", Name=names.rule_name)
    except NotFound:
        rule = None
    if rule is None:
        return Found(queue_url, queue_managed, attributes)
    arn = str(rule.get("Arn") or names.rule_arn)
    tag_list = (await api.aws_call(EVENTS, "ListTagsForResource", ResourceARN=arn)).get("Tags") or []
    rule_managed = any(
        t.get("Key") == res.MANAGED_TAG and t.get("Value") == res.MANAGED_VALUE for t in tag_list
    )
    targets = (await api.aws_call(EVENTS, "ListTargetsByRule", Rule=names.rule_name)).get("Targets") or []
    try:
        pattern = json.loads(rule.get("EventPattern") or "null")
    except ValueError:
        pattern = None
    return Found(
        queue_url,
        queue_managed,
        attributes,
        rule_exists=True,
        rule_managed=rule_managed,
        rule_state=str(rule.get("State") or ""),
        rule_pattern=pattern,
        rule_targets=tuple(targets),
    )


def _policy_ok(attributes: Mapping[str, str], names: Names) -> bool:
    try:
        policy = json.loads(attributes.get("Policy") or "null")
    except ValueError:
        return False
    return bool(policy == res.queue_policy(names.queue_arn, names.rule_arn))


def _attributes_drift(attributes: Mapping[str, str]) -> dict[str, str]:
    """The queue attributes that differ from what setup wants (SSE-SQS, retention >= a day)."""
    wanted: dict[str, str] = {}
    if attributes.get("SqsManagedSseEnabled") != "true" or attributes.get("KmsMasterKeyId"):
        wanted["SqsManagedSseEnabled"] = "true"
        if attributes.get("KmsMasterKeyId"):
            wanted["KmsMasterKeyId"] = ""
    try:
        retention = int(attributes.get("MessageRetentionPeriod") or 0)
    except ValueError:
        retention = 0
    if retention < res.RETENTION_SECONDS:
        wanted["MessageRetentionPeriod"] = str(res.RETENTION_SECONDS)
    return wanted


async def plan_setup(api: EventsApi, names: Names) -> Plan:
    """The steps that make ``names`` right; none when everything is in place."""
    found = await inspect(api, names)
    refused: list[str] = []
    if found.queue_url is not None and not found.queue_managed:
        refused.append(
            f"SQS queue {names.queue_name} exists and is not tagged {res.MANAGED_TAG}=true: it is not cptui's"
        )
    if found.rule_exists and not found.rule_managed:
        refused.append(
            f"EventBridge rule {names.rule_name} exists and is not tagged {res.MANAGED_TAG}=true: "
            "it is not cptui's"
        )
    steps: list[Step] = []
    if refused:
        return Plan(names, found, (), tuple(refused))
    if found.queue_url is None:
        steps.append(
            Step(
                "create_queue",
                f"create SQS queue {names.queue_name} (SSE-SQS encryption, messages kept "
                f"{res.RETENTION_SECONDS // 3600} h, tag {res.MANAGED_TAG}=true)",
            )
        )
    else:
        drift = _attributes_drift(found.queue_attributes)
        if drift:
            shown = ", ".join(f"{k}={v or '(none)'}" for k, v in sorted(drift.items()))
            steps.append(Step("fix_queue", f"set SQS queue {names.queue_name} attributes: {shown}"))
    pattern_ok = found.rule_pattern == res.event_pattern() and found.rule_state == "ENABLED"
    if not found.rule_exists:
        steps.append(
            Step(
                "put_rule",
                f"create EventBridge rule {names.rule_name} on the default bus: source "
                f"{', '.join(res.SOURCES)}; detail-type {', '.join(res.DETAIL_TYPES)} "
                f"(tag {res.MANAGED_TAG}=true)",
            )
        )
    elif not pattern_ok:
        steps.append(Step("put_rule", f"reset EventBridge rule {names.rule_name}'s pattern and enable it"))
    ours = [t for t in found.rule_targets if t.get("Id") == res.TARGET_ID]
    if not ours or ours[0].get("Arn") != names.queue_arn or set(ours[0]) - {"Id", "Arn"}:
        steps.append(
            Step("put_targets", f"make SQS queue {names.queue_name} the rule's target (id {res.TARGET_ID})")
        )
    if found.queue_url is None or not _policy_ok(found.queue_attributes, names):
        steps.append(
            Step(
                "set_policy",
                f"set SQS queue {names.queue_name}'s policy: only events.amazonaws.com may "
                f"sqs:SendMessage, with aws:SourceArn = {names.rule_arn}",
            )
        )
    return Plan(names, found, tuple(steps))


async def apply_setup(api: EventsApi, plan: Plan) -> Outcome:
    """Make the changes ``plan`` lists (in its order); raises ``AwsError`` on the first failure."""
    names = plan.names
    queue_url = plan.found.queue_url
    done: list[str] = []
    policy = json.dumps(res.queue_policy(names.queue_arn, names.rule_arn), separators=(",", ":"))
    for step in plan.steps:
        if step.kind == "create_queue":
            answer = await api.aws_call(
                SQS,
                "CreateQueue",
                mutation=True,
                QueueName=names.queue_name,
                Attributes=res.queue_attributes(),
                tags={res.MANAGED_TAG: res.MANAGED_VALUE},
            )
            queue_url = str(answer["QueueUrl"])
        elif step.kind == "fix_queue":
            assert queue_url is not None
            await api.aws_call(
                SQS,
                "SetQueueAttributes",
                mutation=True,
                QueueUrl=queue_url,
                Attributes=_attributes_drift(plan.found.queue_attributes),
            )
        elif step.kind == "put_rule":
            params: dict[str, Any] = {
                "Name": names.rule_name,
                "EventPattern": res.event_pattern_text(),
                "State": "ENABLED",
                "Description": res.RULE_DESCRIPTION,
            }
            if not plan.found.rule_exists:
                params["Tags"] = [{"Key": res.MANAGED_TAG, "Value": res.MANAGED_VALUE}]
            await api.aws_call(EVENTS, "PutRule", mutation=True, **params)
        elif step.kind == "put_targets":
            answer = await api.aws_call(
                EVENTS,
                "PutTargets",
                mutation=True,
                Rule=names.rule_name,
                Targets=[{"Id": res.TARGET_ID, "Arn": names.queue_arn}],
            )
            if answer.get("FailedEntryCount"):
                failed = (answer.get("FailedEntries") or [{}])[0]
                raise AwsError(
                    f"PutTargets failed: {failed.get('ErrorCode')}: {failed.get('ErrorMessage')}",
                    code=str(failed.get("ErrorCode") or "FailedEntry"),
                    operation="PutTargets",
                )
        elif step.kind == "set_policy":
            assert queue_url is not None
            await api.aws_call(
                SQS, "SetQueueAttributes", mutation=True, QueueUrl=queue_url, Attributes={"Policy": policy}
            )
        done.append(step.what)
    return Outcome(names, queue_url, tuple(done))


async def plan_teardown(api: EventsApi, names: Names) -> Plan:
    """The steps that remove what setup made under ``names`` (only what carries cptui's tag)."""
    found = await inspect(api, names)
    steps: list[Step] = []
    left: list[str] = []
    if found.rule_exists and found.rule_managed:
        ours = [t for t in found.rule_targets if t.get("Id") == res.TARGET_ID]
        others = [t for t in found.rule_targets if t.get("Id") != res.TARGET_ID]
        if ours:
            steps.append(Step("remove_targets", f"remove target {res.TARGET_ID} from rule {names.rule_name}"))
        if others:
            left.append(f"rule {names.rule_name} has other targets: it stays")
        else:
            steps.append(Step("delete_rule", f"delete EventBridge rule {names.rule_name}"))
    elif found.rule_exists:
        left.append(f"rule {names.rule_name} is not cptui's: left alone")
    if found.queue_url is not None and found.queue_managed:
        steps.append(Step("delete_queue", f"delete SQS queue {names.queue_name} (and the events in it)"))
    elif found.queue_url is not None:
        left.append(f"queue {names.queue_name} is not cptui's: left alone")
    return Plan(names, found, tuple(steps), notes=tuple(left))


async def apply_teardown(api: EventsApi, plan: Plan) -> Outcome:
    names = plan.names
    done: list[str] = []
    for step in plan.steps:
        if step.kind == "remove_targets":
            await api.aws_call(
                EVENTS, "RemoveTargets", mutation=True, Rule=names.rule_name, Ids=[res.TARGET_ID]
            )
        elif step.kind == "delete_rule":
            await api.aws_call(EVENTS, "DeleteRule", mutation=True, Name=names.rule_name)
        elif step.kind == "delete_queue":
            assert plan.found.queue_url is not None
            await api.aws_call(SQS, "DeleteQueue", mutation=True, QueueUrl=plan.found.queue_url)
        done.append(step.what)
    return Outcome(names, None, tuple(done))


@dataclass(frozen=True)
class QueueStatus:
    """``cptui events status`` for one target."""

    names: Names
    found: Found
    problems: tuple[str, ...]
    waiting: int | None = None  # messages waiting to be read
    in_flight: int | None = None  # received and not yet deleted

    def describe(self) -> list[str]:
        f = self.found
        lines = [
            f"queue {self.names.queue_name}: "
            + (
                f"{f.queue_url}{'' if f.queue_managed else ' (not cptui-managed)'}"
                if f.queue_url
                else "missing"
            ),
            f"rule {self.names.rule_name}: "
            + (
                f"{f.rule_state}{'' if f.rule_managed else ' (not cptui-managed)'}"
                if f.rule_exists
                else "missing"
            ),
        ]
        if self.waiting is not None:
            lines.append(f"events waiting: {self.waiting}, being read: {self.in_flight or 0}")
        lines.extend(f"problem: {p}" for p in self.problems)
        if not self.problems:
            lines.append("ok: events flow from the rule to the queue")
        return lines


async def status(api: EventsApi, names: Names) -> QueueStatus:
    found = await inspect(api, names)
    plan = await plan_setup(api, names) if found.queue_managed or found.rule_managed else None
    problems: list[str] = []
    if found.queue_url is None:
        problems.append("the queue does not exist: run `cptui events setup`")
    if not found.rule_exists:
        problems.append("the rule does not exist: run `cptui events setup`")
    elif plan is not None:
        problems.extend(f"needs: {s.what}" for s in plan.steps)
    waiting = in_flight = None
    if found.queue_url is not None:
        try:
            waiting = int(found.queue_attributes.get("ApproximateNumberOfMessages") or 0)
            in_flight = int(found.queue_attributes.get("ApproximateNumberOfMessagesNotVisible") or 0)
        except ValueError:
            pass
    return QueueStatus(names, found, tuple(problems), waiting, in_flight)
