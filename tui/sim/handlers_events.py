"""EventBridge operations on rules and targets (see ``tui.sim.eventbridge`` for the model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.sim.errors import SimError
from tui.sim.eventbridge import DEFAULT_BUS, MAX_TARGETS, PatternError, Rule, Target, parse_pattern
from tui.sim.protocol import Ctx

if TYPE_CHECKING:
    from tui.sim.engine import Engine

Handler = Callable[[Ctx, dict[str, Any]], dict[str, Any]]


def _bus(params: dict[str, Any]) -> str:
    bus = str(params.get("EventBusName") or DEFAULT_BUS)
    # A bus may be named by its ARN: arn:aws:events:region:account:event-bus/NAME
    return bus.rsplit("event-bus/", 1)[-1] if bus.startswith("arn:") else bus


def _not_found(name: str, bus: str) -> SimError:
    return SimError("ResourceNotFoundException", f"Rule {name} does not exist on EventBus {bus}.")


def _page(items: list[Any], params: dict[str, Any], default: int = 100) -> tuple[list[Any], str | None]:
    token = str(params.get("NextToken") or "0")
    start = int(token) if token.isdigit() else 0
    limit = int(params.get("Limit") or default)
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)


def handlers(engine: Engine) -> dict[str, Handler]:
    """The EventBridge handlers bound to ``engine``'s bus."""
    bus_store = engine.events

    def rule_of(ctx: Ctx, name: str, bus: str) -> Rule:
        rule = bus_store.rules.get((ctx.caller.account, ctx.caller.region, bus, name))
        if rule is None:
            raise _not_found(name, bus)
        return rule

    def put_rule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        name, bus = params["Name"], _bus(params)
        text = params.get("EventPattern")
        schedule = params.get("ScheduleExpression")
        if text is None and schedule is None:
            raise SimError(
                "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."
            )
        try:
            pattern = parse_pattern(text) if text is not None else None
        except PatternError as exc:
            raise SimError("InvalidEventPatternException", str(exc)) from None
        key = (ctx.caller.account, ctx.caller.region, bus, name)
        old = bus_store.rules.get(key)
        rule = Rule(
            ctx.caller.account,
            ctx.caller.region,
            bus,
            name,
            pattern,
            text,
            schedule,
            params.get("State") or "ENABLED",
            params.get("Description"),
            params.get("RoleArn"),
        )
        if old is not None:
            rule.targets, rule.tags = old.targets, old.tags
        else:
            rule.tags = {t["Key"]: t["Value"] for t in params.get("Tags") or []}
        bus_store.rules[key] = rule
        return {"RuleArn": rule.arn}

    def _describe(rule: Rule) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Name": rule.name,
            "Arn": rule.arn,
            "State": rule.state,
            "EventBusName": rule.bus,
        }
        if rule.pattern_text is not None:
            out["EventPattern"] = rule.pattern_text
        if rule.schedule is not None:
            out["ScheduleExpression"] = rule.schedule
        if rule.description is not None:
            out["Description"] = rule.description
        if rule.role_arn is not None:
            out["RoleArn"] = rule.role_arn
        return out

    def describe_rule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = rule_of(ctx, params["Name"], _bus(params))
        return _describe(rule) | {"CreatedBy": rule.account}

    def list_rules(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("NamePrefix") or ""
        rules = [
            r
            for r in bus_store.rules_of(ctx.caller.account, ctx.caller.region, _bus(params))
            if r.name.startswith(prefix)
        ]
        page, token = _page(rules, params)
        out: dict[str, Any] = {"Rules": [_describe(r) for r in page]}
        if token:
            out["NextToken"] = token
        return out

    def put_targets(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = rule_of(ctx, params["Rule"], _bus(params))
        targets = params["Targets"]
        new_ids = {t["Id"] for t in targets} - set(rule.targets)
        if len(rule.targets) + len(new_ids) > MAX_TARGETS:
            raise SimError(
                "LimitExceededException",
                "The requested resource exceeds the maximum number allowed of "
                f"{MAX_TARGETS} targets per rule.",
            )
        failed: list[dict[str, Any]] = []
        for t in targets:
            arn = t["Arn"]
            if not arn.startswith("arn:"):
                failed.append(
                    {
                        "TargetId": t["Id"],
                        "ErrorCode": "ValidationException",
                        "ErrorMessage": f"Parameter {arn} is not valid.",
                    }
                )
                continue
            extra = {k: v for k, v in t.items() if k not in ("Id", "Arn", "Input")}
            rule.targets[t["Id"]] = Target(t["Id"], arn, t.get("Input"), extra)
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def list_targets(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = rule_of(ctx, params["Rule"], _bus(params))
        page, token = _page(list(rule.targets.values()), params)
        out: dict[str, Any] = {"Targets": [t.wire() for t in page]}
        if token:
            out["NextToken"] = token
        return out

    def remove_targets(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = rule_of(ctx, params["Rule"], _bus(params))
        failed: list[dict[str, Any]] = []
        for tid in params["Ids"]:
            if rule.targets.pop(tid, None) is None:
                failed.append(
                    {
                        "TargetId": tid,
                        "ErrorCode": "ResourceNotFoundException",
                        "ErrorMessage": f"Target {tid} does not exist.",
                    }
                )
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def delete_rule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        name, bus = params["Name"], _bus(params)
        key = (ctx.caller.account, ctx.caller.region, bus, name)
        rule = bus_store.rules.get(key)
        if rule is None:
            return {}  # deleting a rule that does not exist succeeds, as in AWS
        if rule.targets:
            raise SimError("ValidationException", "Rule can't be deleted since it has targets.")
        del bus_store.rules[key]
        return {}

    def _by_arn(ctx: Ctx, arn: str) -> Rule:
        for rule in bus_store.rules.values():
            if rule.arn == arn and rule.account == ctx.caller.account:
                return rule
        name = arn.rsplit("/", 1)[-1]
        raise _not_found(name, DEFAULT_BUS)

    def tag_resource(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = _by_arn(ctx, params["ResourceARN"])
        rule.tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        return {}

    def untag_resource(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = _by_arn(ctx, params["ResourceARN"])
        for key in params["TagKeys"]:
            rule.tags.pop(key, None)
        return {}

    def list_tags(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        rule = _by_arn(ctx, params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(rule.tags.items())]}

    return {
        "PutRule": put_rule,
        "DescribeRule": describe_rule,
        "ListRules": list_rules,
        "PutTargets": put_targets,
        "ListTargetsByRule": list_targets,
        "RemoveTargets": remove_targets,
        "DeleteRule": delete_rule,
        "TagResource": tag_resource,
        "UntagResource": untag_resource,
        "ListTagsForResource": list_tags,
    }
