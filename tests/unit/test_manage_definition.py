"""tui.core.definition and definition_diff: the edited declaration checked, compared and fingerprinted
(no AWS, no UI).

Hand-built declarations, as GetPipeline's ``pipeline`` member looks.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tui.core import definition as d
from tui.core import definition_diff as dd


def action(name: str, category: str = "Build", provider: str = "CodeBuild", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
        "runOrder": 1,
        "configuration": {"ProjectName": name.lower()},
        **extra,
    }


def pipeline() -> dict[str, Any]:
    return {
        "name": "web",
        "roleArn": "arn:aws:iam::123456789012:role/pipe",
        "artifactStore": {"type": "S3", "location": "bucket"},
        "stages": [
            {"name": "Source", "actions": [action("Checkout", "Source", "CodeStarSourceConnection")]},
            {"name": "Build", "actions": [action("Compile"), action("Lint")]},
            {"name": "Deploy", "actions": [action("Ship", "Deploy", "ECS")]},
        ],
        "version": 4,
        "pipelineType": "V2",
    }


def problems_of(doc: dict[str, Any]) -> list[str]:
    _parsed, problems = d.parse_edit(d.editable_text(doc), name="web")
    return [str(p) for p in problems]


def test_a_valid_declaration_round_trips_through_the_file() -> None:
    doc = pipeline()
    text = d.editable_text({**doc, "metadata": {"pipelineArn": "x"}})
    assert '"metadata"' not in text and json.loads(text) == {"pipeline": doc}
    parsed, problems = d.parse_edit(text, name="web")
    assert problems == [] and parsed == doc
    bare, problems = d.parse_edit(json.dumps(doc), name="web")  # the bare declaration works too
    assert problems == [] and bare == doc


def test_not_json_says_the_line_and_column() -> None:
    text = d.editable_text(pipeline()).replace('"Lint"', '"Lint",,', 1)
    parsed, problems = d.parse_edit(text, name="web")
    assert parsed is None
    (problem,) = problems
    assert problem.line == text[: text.index('"Lint",,')].count("\n") + 1
    assert "not valid JSON" in str(problem) and f"line {problem.line}" in str(problem)


def test_metadata_put_back_is_refused() -> None:
    text = json.dumps({"pipeline": pipeline(), "metadata": {}}, indent=2)
    parsed, problems = d.parse_edit(text, name="web")
    assert parsed is None and "remove the metadata block" in str(problems[0])


def test_each_local_rule_names_where() -> None:
    doc = pipeline()
    doc["stages"][1]["actions"][1]["name"] = "Compile"  # duplicate action
    doc["stages"][2]["name"] = "Build"  # duplicate stage
    doc["stages"][0]["actions"].append(action("Early"))  # a build action in the first stage
    doc["stages"][1]["actions"][0]["runOrder"] = "2"  # not an integer
    del doc["roleArn"]
    found = problems_of(doc)
    text = "\n".join(found)
    assert "action name 'Compile' is used twice in stage 'Build'" in text
    assert "stage name 'Build' is used twice" in text
    assert "the first stage may hold only source actions; 'Early' is Build" in text
    assert 'runOrder of Build › Compile must be an integer from 1 to 999 (got "2")' in text
    assert "roleArn: required" in text
    assert any(p.startswith("line ") and "stages[1].actions[1].name" in p for p in found), found


def test_renaming_and_missing_fields() -> None:
    doc = pipeline()
    doc["name"] = "other"
    del doc["stages"][1]["actions"][0]["actionTypeId"]["provider"]
    doc["stages"][2]["actions"][0]["actionTypeId"]["category"] = "Source"
    found = "\n".join(problems_of(doc))
    assert "the name must stay 'web'" in found
    assert "actionTypeId.provider" in found
    assert "source actions belong in the first stage only; Deploy › Ship" in found
    doc = pipeline()
    doc["stages"] = doc["stages"][:1]
    assert any("at least two stages" in p for p in problems_of(doc))


def test_structural_changes_name_stages_actions_and_fields() -> None:
    before = pipeline()
    after = copy.deepcopy(before)
    stages = after["stages"]
    stages[1], stages[2] = stages[2], stages[1]  # Deploy before Build
    stages[2]["actions"].pop()  # Lint removed
    stages[2]["actions"][0]["configuration"]["ProjectName"] = "compile-v2"
    stages[2]["actions"][0]["runOrder"] = 2
    stages[1]["actions"].append(action("Smoke", "Test"))
    stages.append({"name": "Verify", "actions": [action("Check", "Test")]})
    after["variables"] = [{"name": "REGION", "defaultValue": "eu"}]
    found = [str(c) for c in dd.changes(before, after)]
    assert found[0] == "~ pipeline: variables changed"
    assert "- action Build › Lint removed" in found
    assert "~ action Build › Compile: runOrder, configuration.ProjectName changed" in found
    assert "+ action Deploy › Smoke added" in found
    assert "+ stage Verify added at position 4" in found
    assert "~ stage Deploy moved from position 3 to 2" in found
    assert not any(c.startswith("- stage") for c in found)


def test_unified_diff_and_digest() -> None:
    before = pipeline()
    after = copy.deepcopy(before)
    after["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "compile-v2"
    diff = dd.unified_diff(before, after, name="web")
    assert diff[0] == "--- web (AWS)" and diff[1] == "+++ web (edited)"
    assert any(line.startswith("-") and '"ProjectName": "compile"' in line for line in diff)
    assert any(line.startswith("+") and '"ProjectName": "compile-v2"' in line for line in diff)
    assert dd.digest(before, after) == dd.digest(before, copy.deepcopy(after))
    assert dd.digest(before, after) != dd.digest(before, before)
    assert dd.digest(before, after).startswith("sha256:")
    assert dd.same_declaration(before, {**before, "version": 9, "metadata": {}})


def test_three_way_shows_theirs_mine_and_what_both_touched() -> None:
    base = pipeline()
    theirs = copy.deepcopy(base)
    theirs["stages"][1]["actions"][0]["configuration"]["ProjectName"] = "theirs"
    mine = copy.deepcopy(base)
    mine["stages"][1]["actions"][0]["runOrder"] = 3
    mine["stages"].append({"name": "Verify", "actions": [action("Check", "Test")]})
    found = dd.three_way(base, theirs, mine, base_version=4, their_version=5)
    text = "\n".join(found.lines())
    assert "version 4 when you began, 5 now. Nothing was sent." in text
    assert "~ action Build › Compile: configuration.ProjectName changed" in text
    assert "~ action Build › Compile: runOrder changed" in text
    assert "Both changed: Build › Compile" in text


def test_problems_name_the_line_of_the_member_at_fault() -> None:
    """The duplicate is the third stage's name, not the Build action of the second stage that has
    the same name (found by its JSON path, not by searching the text)."""
    doc = pipeline()
    doc["stages"][1]["actions"][0]["name"] = "Build"  # an action named like the stage
    doc["stages"][2]["name"] = "Build"
    text = d.editable_text(doc)
    _parsed, problems = d.parse_edit(text, name="web")
    (problem,) = problems
    lines = text.splitlines()
    assert problem.path == "stages[2].name"
    assert problem.line is not None
    assert lines[problem.line - 1].strip() == '"name": "Build",'
    # the third stage's name: after the Deploy action's lines, not the second stage's
    second_stage = next(i for i, line in enumerate(lines) if line.strip() == '"name": "Build",') + 1
    assert problem.line > second_stage + 5


def test_key_lines_maps_paths_to_lines() -> None:
    text = '{\n  "a": [\n    1,\n    {"b": "x\\"y"}\n  ],\n  "c": null\n}'
    found = d.key_lines(text)
    assert found == {"a": 2, "a[0]": 3, "a[1]": 4, "a[1].b": 4, "c": 6}
