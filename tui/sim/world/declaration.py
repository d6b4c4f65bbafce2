"""Pipeline declarations in and out: CreatePipeline / UpdatePipeline's structural checks and the
conversion of a declaration (GetPipeline's ``pipeline`` member) into the engine's specs.

The server has already checked the input against botocore's model (required members, lengths,
enums, patterns, runOrder 1..999). What is left is what only CodePipeline itself checks, raised
with the exception names the API model lists for UpdatePipeline / CreatePipeline:

- ``InvalidStructureException``: fewer than two stages; a source action outside the first stage
  or a non-source action in it; duplicate stage names; an output artifact produced twice; an
  input artifact no earlier action produced; ``artifactStore`` and ``artifactStores`` both or
  neither given; V2-only members (variables, triggers, conditions, executionMode other than
  SUPERSEDED) on a V1 pipeline; a trigger naming an action that is not a CodeStarSourceConnection
  source action, a push filter without branches or tags or mixing tags with branches / file paths,
  a pull-request filter without branches.
- ``InvalidStageDeclarationException``: duplicate action names within a stage, a condition result
  the condition type does not allow (entry: FAIL/SKIP; on success: FAIL/ROLLBACK; on failure:
  ROLLBACK/RETRY), SKIP with a rule other than LambdaInvoke / VariableCheck.
- ``InvalidActionDeclarationException``: an action type the simulator does not know, a cross-region
  action without an artifact store for its region.
- ``InvalidBlockerDeclarationException``: a blocker (the API reserves them; none are accepted).
- ``ValidationException``: UpdatePipeline renaming the pipeline.
- ``LimitExceededException``: more than 50 stages, 50 actions in a stage, or 1,000 pipelines.

AWS's exact wording of these messages is not published; they follow its style (the names in
quotes, one sentence) and always name the stage / action / artifact at fault.
"""

from __future__ import annotations

import copy
from typing import Any

from tui.sim.errors import SimError
from tui.sim.world.state import ActionSpec, PipelineSpec, StageSpec, VariableSpec

MAX_STAGES = 50
MAX_ACTIONS_PER_STAGE = 50
MAX_PIPELINES = 1000

# Condition results each condition type allows (AWS user guide, "Configure conditions for a stage":
# Entry: Fail or Skip; On Failure: Rollback (and Retry through retryConfiguration); On Success:
# Rollback or Fail).
ALLOWED_RESULTS = {
    "beforeEntry": ("FAIL", "SKIP"),
    "onSuccess": ("FAIL", "ROLLBACK"),
    "onFailure": ("ROLLBACK", "RETRY"),
}
CONDITION_KINDS = {"beforeEntry": "BEFORE_ENTRY", "onSuccess": "ON_SUCCESS", "onFailure": "ON_FAILURE"}
# "For Entry conditions configured to skip the stage when the condition fails, only the
# LambdaInvoke and VariableCheck rules are supported." (AWS user guide, stage conditions)
SKIP_RULES = ("LambdaInvoke", "VariableCheck")
RULE_PROVIDERS = ("VariableCheck", "DeploymentWindow", "LambdaInvoke", "CloudWatchAlarm", "Commands")

# How long each kind of action plays in the simulator when a declaration adds it.
_DURATIONS = {
    "Source": (5.0, 15.0),
    "Build": (60.0, 240.0),
    "Test": (60.0, 180.0),
    "Deploy": (30.0, 120.0),
    "Invoke": (10.0, 45.0),
    "Approval": (60.0, 600.0),
    "Compute": (30.0, 90.0),
}
_ACTION_KEYS = {
    "name",
    "actionTypeId",
    "runOrder",
    "configuration",
    "outputArtifacts",
    "inputArtifacts",
    "region",
    "namespace",
    "timeoutInMinutes",
}
_STAGE_KEYS = {"name", "actions", "beforeEntry", "onSuccess", "onFailure"}
_PIPELINE_KEYS = {"name", "stages", "version", "executionMode", "pipelineType", "variables", "triggers"}


def _structure(message: str) -> SimError:
    return SimError("InvalidStructureException", message)


def _stage_error(message: str) -> SimError:
    return SimError("InvalidStageDeclarationException", message)


def _action_error(message: str) -> SimError:
    return SimError("InvalidActionDeclarationException", message)


def check(decl: dict[str, Any], region: str) -> None:
    """Raise the exception CodePipeline raises for a declaration it would refuse."""
    stages: list[dict[str, Any]] = decl.get("stages") or []
    pipeline_type = decl.get("pipelineType") or "V1"
    if len(stages) > MAX_STAGES:
        raise SimError("LimitExceededException", f"A pipeline can have at most {MAX_STAGES} stages.")
    if len(stages) < 2:
        raise _structure("A pipeline must contain at least two stages.")
    has_store, has_stores = "artifactStore" in decl, "artifactStores" in decl
    if has_store == has_stores:
        raise _structure("A pipeline must have either artifactStore or artifactStores, but not both.")
    if pipeline_type == "V1":
        for member in ("variables", "triggers"):
            if decl.get(member):
                raise _structure(f"Pipeline-level {member} are supported only for pipelines of type V2.")
        if decl.get("executionMode", "SUPERSEDED") != "SUPERSEDED":
            raise _structure(
                f"Execution mode {decl['executionMode']} is supported only for pipelines of type V2."
            )
    variable_names = [v["name"] for v in decl.get("variables") or []]
    for variable in variable_names:
        if variable_names.count(variable) > 1:
            raise _structure(f"Pipeline variable name '{variable}' is not unique.")
    seen_stages: set[str] = set()
    produced: set[str] = set()
    for index, stage in enumerate(stages):
        name = stage["name"]
        if name in seen_stages:
            raise _structure(f"Stage name '{name}' is not unique: each stage needs its own name.")
        seen_stages.add(name)
        if stage.get("blockers"):
            raise SimError(
                "InvalidBlockerDeclarationException", f"Stage '{name}' declares blockers, which are reserved."
            )
        actions: list[dict[str, Any]] = stage.get("actions") or []
        if not actions:
            raise _stage_error(f"Stage '{name}' must contain at least one action.")
        if len(actions) > MAX_ACTIONS_PER_STAGE:
            raise SimError(
                "LimitExceededException", f"Stage '{name}' has more than {MAX_ACTIONS_PER_STAGE} actions."
            )
        names = [a["name"] for a in actions]
        for action_name in names:
            if names.count(action_name) > 1:
                raise _stage_error(f"Action name '{action_name}' is not unique within stage '{name}'.")
        _check_conditions(stage, pipeline_type)
        # Artifacts: an action may consume what an earlier stage, or an earlier runOrder of this
        # stage, produced.
        orders = sorted({int(a.get("runOrder", 1)) for a in actions})
        for order in orders:
            group = [a for a in actions if int(a.get("runOrder", 1)) == order]
            made_here: set[str] = set()
            for action in group:
                _check_action(action, name, index, decl, region)
                for artifact in action.get("inputArtifacts") or []:
                    if artifact["name"] not in produced:
                        raise _structure(
                            f"Input artifact '{artifact['name']}' of action '{action['name']}' in stage "
                            f"'{name}' is not the output artifact of any preceding action."
                        )
                for artifact in action.get("outputArtifacts") or []:
                    if artifact["name"] in produced or artifact["name"] in made_here:
                        raise _structure(
                            f"Output artifact name '{artifact['name']}' of action '{action['name']}' "
                            "is not unique: another action already produces it."
                        )
                    made_here.add(artifact["name"])
            produced |= made_here
    sources = {a["name"]: a for a in stages[0]["actions"]}
    for trigger in decl.get("triggers") or []:
        _check_trigger(trigger, sources)


def _check_trigger(trigger: dict[str, Any], sources: dict[str, dict[str, Any]]) -> None:
    """A trigger names a CodeStarSourceConnection source action; a push filter filters on branches
    (optionally with file paths) or on tags, not both; a pull-request filter names branches."""
    git = trigger["gitConfiguration"]
    action = git["sourceActionName"]
    source = sources.get(action)
    if source is None:
        raise _structure(f"Trigger source action '{action}' is not a source action of this pipeline.")
    if source["actionTypeId"]["provider"] != "CodeStarSourceConnection":
        raise _structure(
            f"Trigger source action '{action}' uses {source['actionTypeId']['provider']}: triggers are "
            "supported only for CodeStarSourceConnection source actions."
        )
    for push in git.get("push") or []:
        if "tags" in push and ("branches" in push or "filePaths" in push):
            raise _structure(
                f"A push filter of trigger '{action}' combines tags with branches or file paths: "
                "filter on tags, or on branches and file paths."
            )
        if "tags" not in push and "branches" not in push:
            raise _structure(f"A push filter of trigger '{action}' must filter on branches or tags.")
    for pull in git.get("pullRequest") or []:
        if "branches" not in pull:
            raise _structure(f"A pull request filter of trigger '{action}' must filter on branches.")


def _check_action(action: dict[str, Any], stage: str, index: int, decl: dict[str, Any], region: str) -> None:
    type_id = action["actionTypeId"]
    is_source = type_id["category"] == "Source"
    if index == 0 and not is_source:
        raise _structure(
            f"Action '{action['name']}' in stage '{stage}' is not a source action: the first stage "
            "can contain only source actions."
        )
    if index > 0 and is_source:
        raise _structure(
            f"Source action '{action['name']}' is in stage '{stage}': source actions can be placed "
            "only in the first stage."
        )
    if is_source and action.get("inputArtifacts"):
        raise _action_error(f"Source action '{action['name']}' cannot have input artifacts.")
    action_region = action.get("region")
    if action_region and action_region != region:
        stores = decl.get("artifactStores") or {}
        if action_region not in stores:
            raise _action_error(
                f"Action '{action['name']}' runs in region {action_region}, which has no artifact store "
                "in artifactStores."
            )


def _check_conditions(stage: dict[str, Any], pipeline_type: str) -> None:
    name = stage["name"]
    for member in ALLOWED_RESULTS:
        block = stage.get(member)
        if block is None:
            continue
        if pipeline_type != "V2":
            raise _structure(f"Stage '{name}' declares {member} conditions, supported only for type V2.")
        results = [c.get("result") for c in block.get("conditions") or []]
        if member == "onFailure" and block.get("result"):
            results.append(block["result"])
        for result in results:
            if result is not None and result not in ALLOWED_RESULTS[member]:
                allowed = " or ".join(ALLOWED_RESULTS[member])
                raise _stage_error(
                    f"Condition result {result} is not valid for {member} conditions of stage '{name}': "
                    f"use {allowed}."
                )
        for condition in block.get("conditions") or []:
            for rule in condition.get("rules") or []:
                provider = rule["ruleTypeId"]["provider"]
                if provider not in RULE_PROVIDERS:
                    raise _stage_error(
                        f"Rule '{rule['name']}' in stage '{name}' has unknown provider {provider}."
                    )
                if condition.get("result") == "SKIP" and provider not in SKIP_RULES:
                    raise _stage_error(
                        f"Rule '{rule['name']}' in stage '{name}': the SKIP result supports only the "
                        "LambdaInvoke and VariableCheck rules."
                    )


def to_spec(decl: dict[str, Any], old: PipelineSpec | None, now: float) -> PipelineSpec:
    """The engine's spec for ``decl``; simulation knobs carried over from ``old`` by name."""
    old_actions: dict[tuple[str, str], ActionSpec] = {}
    if old is not None:
        old_actions = {(s.name, a.name): a for s in old.stages for a in s.actions}
    stages: list[StageSpec] = []
    for stage in decl["stages"]:
        actions = [_action_spec(a, old_actions.get((stage["name"], a["name"]))) for a in stage["actions"]]
        stages.append(
            StageSpec(
                stage["name"],
                actions,
                before_entry=copy.deepcopy(stage.get("beforeEntry")),
                on_success=copy.deepcopy(stage.get("onSuccess")),
                on_failure=copy.deepcopy(stage.get("onFailure")),
                extra={k: copy.deepcopy(v) for k, v in stage.items() if k not in _STAGE_KEYS},
            )
        )
    pipeline_type = decl.get("pipelineType") or "V1"
    variables = [
        VariableSpec(v["name"], v.get("defaultValue"), v.get("description"))
        for v in decl.get("variables") or []
    ]
    return PipelineSpec(
        name=decl["name"],
        stages=stages,
        pipeline_type=pipeline_type,
        execution_mode=decl.get("executionMode") or "SUPERSEDED",
        variables=variables,
        version=old.version + 1 if old is not None else 1,
        created=old.created if old is not None else now,
        updated=now,
        trigger_every=old.trigger_every if old is not None else None,
        triggers=copy.deepcopy(decl.get("triggers") or []) if pipeline_type == "V2" else [],
        extra={k: copy.deepcopy(v) for k, v in decl.items() if k not in _PIPELINE_KEYS},
    )


def _action_spec(action: dict[str, Any], old: ActionSpec | None) -> ActionSpec:
    type_id = action["actionTypeId"]
    category = type_id["category"]
    same_type = old is not None and (old.category, old.provider) == (category, type_id["provider"])
    spec = ActionSpec(
        action["name"],
        category,
        type_id["owner"],
        type_id["provider"],
        run_order=int(action.get("runOrder", 1)),
        version=type_id["version"],
        configuration=dict(action.get("configuration") or {}),
        input_artifacts=[a["name"] for a in action.get("inputArtifacts") or []],
        output_artifacts=[a["name"] for a in action.get("outputArtifacts") or []],
        namespace=action.get("namespace"),
        region=action.get("region"),
        timeout_minutes=action.get("timeoutInMinutes"),
        extra={k: copy.deepcopy(v) for k, v in action.items() if k not in _ACTION_KEYS},
    )
    if same_type and old is not None:
        spec.duration, spec.fail_rate, spec.build_kind = old.duration, old.fail_rate, old.build_kind
    else:
        spec.duration = _DURATIONS.get(category, (30.0, 90.0))
        spec.build_kind = "test" if category == "Test" else "build"
    return spec
