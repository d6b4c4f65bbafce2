"""Every member botocore's model marks optional may be absent (issue 11, section 2).

GetPipelineState without ``pipelineName`` once discarded the whole state ("response has no
'pipelineName'"). Here each operation's response is built with every member present (botocore's
own output shapes, real-shaped values), then each optional member is removed in turn, the body
goes through botocore's parser as the client would, and the converter the service uses must still
return its datum. The only members allowed to take the datum with them are a response's whole
payload (GetPipeline's ``pipeline``, GetPipelineExecution's ``pipelineExecution``): without them
there is nothing to show, and the screen says the read failed rather than draw an empty pipeline.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from shapegen import ShapeGen, operation_model, parse

from tui.aws import convert

Path = tuple[str | int, ...]
PAYLOADS = {
    ("codepipeline", "GetPipeline", "pipeline"),
    ("codepipeline", "GetPipelineExecution", "pipelineExecution"),
    ("codepipeline", "UpdatePipeline", "pipeline"),
}

# (service, operation) -> the conversion the service applies to the whole response.
CONVERSIONS: dict[tuple[str, str], Callable[[dict[str, Any]], object]] = {
    ("codepipeline", "ListPipelines"): lambda r: convert.pipeline_summaries(r.get("pipelines")),
    ("codepipeline", "GetPipeline"): convert.pipeline_def,
    ("codepipeline", "GetPipelineState"): lambda r: convert.pipeline_state(r, "web"),
    ("codepipeline", "ListPipelineExecutions"): lambda r: convert.execution_summaries("web", r),
    ("codepipeline", "GetPipelineExecution"): lambda r: convert.execution(r, "web", "e-1"),
    ("codepipeline", "ListActionExecutions"): lambda r: convert.action_executions(
        r.get("actionExecutionDetails"), "e-1"
    ),
    ("codepipeline", "ListRuleExecutions"): lambda r: convert.rule_executions(
        r.get("ruleExecutionDetails") or [], "e-1"
    ),
    ("codepipeline", "ListTagsForResource"): lambda r: convert.tags(r.get("tags") or []),
    ("codepipeline", "UpdatePipeline"): convert.pipeline_declaration,
    ("codebuild", "BatchGetBuilds"): convert.builds,
    ("logs", "GetLogEvents"): convert.log_page,
}


def full(gen: ShapeGen, shape: Any, depth: int = 0) -> Any:
    """A value with every member present, two items a list (valid enum values only)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 8:
            return {}
        return {
            name: full(gen, sub, depth + 1)
            for name, sub in shape.members.items()
            if not sub.serialization.get("eventstream")
        }
    if kind == "list":
        return [full(gen, shape.member, depth + 1) for _ in range(2)] if depth <= 8 else []
    if kind == "map":
        return {f"key{depth}": full(gen, shape.value, depth + 1)}
    return gen.value(shape, depth)


def optional_paths(shape: Any, value: Any, path: Path = ()) -> Iterator[Path]:
    """The path of every optional member present in ``value``."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        required = set(shape.required_members)
        for name, item in value.items():
            member = shape.members[name]
            if name not in required:
                yield (*path, name)
            yield from optional_paths(member, item, (*path, name))
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from optional_paths(shape.member, item, (*path, index))
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from optional_paths(shape.value, item, (*path, key))


def without(body: dict[str, Any], path: Path) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def _cases() -> list[tuple[str, str, Path]]:
    cases: list[tuple[str, str, Path]] = []
    for service, operation in CONVERSIONS:
        shape = operation_model(service, operation).output_shape
        body = full(ShapeGen(1, unknown_enum=0.0), shape)
        cases.extend((service, operation, p) for p in optional_paths(shape, body))
    return cases


CASES = _cases()
BODIES = {
    (service, operation): full(
        ShapeGen(1, unknown_enum=0.0), operation_model(service, operation).output_shape
    )
    for service, operation in CONVERSIONS
}


def test_there_are_hundreds_of_optional_members_to_remove() -> None:
    assert len(CASES) > 200
    assert ("codepipeline", "GetPipelineState", ("pipelineName",)) in CASES


@pytest.mark.parametrize(
    ("service", "operation", "path"), CASES, ids=[f"{o}:{'.'.join(map(str, p))}" for _, o, p in CASES]
)
def test_one_missing_optional_member_keeps_the_datum(service: str, operation: str, path: Path) -> None:
    body = without(BODIES[(service, operation)], path)
    response = parse(service, operation, body)
    conversion = CONVERSIONS[(service, operation)]
    if (service, operation, path[0]) in PAYLOADS and len(path) == 1:
        with pytest.raises(convert.MalformedResponse):
            conversion(response)
        return
    assert conversion(response) is not None


def test_get_pipeline_state_without_its_name_is_still_that_pipelines_state() -> None:
    body = without(BODIES[("codepipeline", "GetPipelineState")], ("pipelineName",))
    state = convert.pipeline_state(parse("codepipeline", "GetPipelineState", body), "web")
    assert state.name == "web" and state.stages


def test_caller_identity_without_account_takes_it_from_the_arn() -> None:
    arn = "arn:aws:sts::123456789012:assumed-role/ops/me"
    assert convert.identity({"Arn": arn, "UserId": "AROA:me"}).account == "123456789012"
    with pytest.raises(convert.MalformedResponse):
        convert.identity({})
