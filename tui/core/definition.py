"""A pipeline declaration as text: shown, edited, checked. No Textual, no AWS calls.

The edit flow (``tui.ui.manage``) writes ``editable_text`` to a temporary file, lets the
operator's editor change it, then ``parse_edit`` reads it back: JSON, then the checks CodePipeline
itself would make that can be made without asking AWS (``validate``), each problem with where it
is (a JSON path and, when it can be found, a line of the file).

Comparing two declarations (what changed, the text diff, the audit fingerprint, the three-way view
when the pipeline moved on during an edit) is tui/core/definition_diff.py.

Describing a V2 pipeline's triggers and variables for the screen is tui/core/definition_lines.py.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Json = Mapping[str, Any]

# What UpdatePipeline does to executions that have not finished (CodePipeline API reference,
# PipelineExecution / StageExecution status "Cancelled", and the user guide's "Edit a pipeline").
IN_PROGRESS_EFFECT = (
    "UpdatePipeline cancels every execution that has not finished: AWS marks it Cancelled "
    '("the pipeline\'s definition was updated before the pipeline execution could be completed"), '
    "its running actions are abandoned and executions waiting at a transition leave the queue. "
    "Nothing is re-run: the next execution starts on the next change or release."
)
# What DeletePipeline takes away, and what it leaves (the DeletePipeline reference).
DELETE_EFFECT = (
    "DeletePipeline removes the pipeline and its whole execution history from CodePipeline "
    "(executions, approvals, action details). It cannot be undone. The artifacts in its S3 "
    "artifact store are NOT deleted, nor are the CodeBuild projects, roles or other resources it uses."
)
CLOUDFORMATION_EFFECT = (
    "This pipeline is managed by CloudFormation stack {stack} (CDK stacks too): the stack's next "
    "deploy reverts a change made here, and drift detection will flag it. Change the stack's "
    "template instead when you can."
)
CLOUDFORMATION_DELETE_EFFECT = (
    "This pipeline is managed by CloudFormation stack {stack}: deleting it here leaves the stack "
    "drifted (its next update may fail or create the pipeline again). Delete it through the stack "
    "when you can."
)

_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_TYPE_KEYS = ("category", "owner", "provider", "version")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an edited declaration: where (JSON path, file line) and what."""

    path: str  # "stages[1].actions[0].runOrder"; "" for the document itself
    message: str
    line: int | None = None  # 1-based line of the edited file, when it could be located
    column: int | None = None

    @property
    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.path:
            parts.append(self.path)
        return " · ".join(parts) or "the file"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- text --------------------------------------------------------------------------------------


def strip_metadata(document: Json) -> dict[str, Any]:
    """The declaration UpdatePipeline takes: a deep copy without ``metadata`` (GetPipeline's
    sibling block) wherever a caller left it."""
    out = copy.deepcopy(dict(document))
    out.pop("metadata", None)
    return out


def render(document: Json) -> str:
    """The declaration as the file and the viewer show it: indented JSON, AWS's member order."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def editable_text(document: Json) -> str:
    """What the editor opens: ``{"pipeline": …}`` without ``metadata``, as
    ``aws codepipeline update-pipeline --cli-input-json`` takes it."""
    return render({"pipeline": strip_metadata(document)})


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"[ \t\n\r]*")


def key_lines(text: str) -> dict[str, int]:
    """Where each member and item of a JSON text starts: JSON path ("pipeline.stages[2].name")
    -> 1-based line. ``text`` must be valid JSON (``json.loads`` accepted it)."""
    found: dict[str, int] = {}

    def line(at: int) -> int:
        return text.count("\n", 0, at) + 1

    def skip(at: int) -> int:
        match = _SPACE.match(text, at)
        return match.end() if match else at

    def value(at: int, path: str) -> int:
        at = skip(at)
        ch = text[at]
        if ch == "{":
            at = skip(at + 1)
            if text[at] == "}":
                return at + 1
            while True:
                at = skip(at)
                key, after = _scanstring(text, at + 1)
                child = f"{path}.{key}" if path else key
                found.setdefault(child, line(at))
                at = skip(after)  # the colon
                at = value(at + 1, child)
                at = skip(at)
                if text[at] == "}":
                    return at + 1
                at += 1  # the comma
        if ch == "[":
            at = skip(at + 1)
            if text[at] == "]":
                return at + 1
            index = 0
            while True:
                at = skip(at)
                child = f"{path}[{index}]"
                found.setdefault(child, line(at))
                at = skip(value(at, child))
                index += 1
                if text[at] == "]":
                    return at + 1
                at += 1
        if ch == '"':
            return _scanstring(text, at + 1)[1]
        for literal in ("true", "false", "null"):
            if text.startswith(literal, at):
                return at + len(literal)
        match = _NUMBER.match(text, at)
        if match is None:
            raise ValueError(f"not JSON at offset {at}")
        return match.end()

    try:
        value(0, "")
    except (ValueError, IndexError):
        return found  # (only for valid JSON; a partial map is still of use)
    return found


class _Locator:
    """The file line of a problem's JSON path: the member itself, else the nearest enclosing one."""

    def __init__(self, text: str, prefix: str) -> None:
        self.lines = key_lines(text) if text else {}
        self.prefix = prefix

    def __call__(self, path: str) -> int | None:
        full = f"{self.prefix}.{path}" if self.prefix and path else (self.prefix or path)
        while full:
            if full in self.lines:
                return self.lines[full]
            cut = max(full.rfind("."), full.rfind("["))
            if cut <= 0:
                break
            full = full[:cut]
        return self.lines.get(self.prefix) if self.prefix else None


def parse_edit(text: str, *, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The edited file back as a declaration (``{"pipeline": …}`` or the bare declaration), and
    every problem found; the declaration is None when it is not JSON or not an object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [Problem("", f"not valid JSON: {error.msg}", error.lineno, error.colno)]
    if not isinstance(data, dict):
        return None, [Problem("", "the file must hold a JSON object (the pipeline declaration)", 1)]
    locate = _Locator(text, "")
    if "metadata" in data:
        message = "remove the metadata block: UpdatePipeline takes the pipeline only"
        return None, [Problem("metadata", message, locate("metadata"))]
    prefix = ""
    if set(data) == {"pipeline"}:
        if not isinstance(data["pipeline"], dict):
            return None, [Problem("pipeline", "must be an object (the declaration)", locate("pipeline"))]
        data = data["pipeline"]
        prefix = "pipeline"
    problems = validate(data, name=name, locate=_Locator(text, prefix))
    return data, problems


# --- checks ------------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(
    document: Json, *, name: str, locate: Callable[[str], int | None] = lambda _path: None
) -> list[Problem]:
    """What CodePipeline would refuse that can be seen without asking it: required members, unique
    stage and action names, source actions only (and all of them) in the first stage, integer
    runOrders in 1..999, the name unchanged. ``locate`` gives a JSON path's line in the file."""
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(path, message, locate(path)))

    if "metadata" in document:
        add("metadata", "remove the metadata block: UpdatePipeline takes the pipeline only")
    got_name = document.get("name")
    if not isinstance(got_name, str) or not got_name:
        add("name", "required: the pipeline's name")
    elif got_name != name:
        add("name", f"the name must stay {name!r} (UpdatePipeline cannot rename; got {got_name!r})")
    if not isinstance(document.get("roleArn"), str) or not document.get("roleArn"):
        add("roleArn", "required: the service role's ARN")
    stores = [k for k in ("artifactStore", "artifactStores") if k in document]
    if not stores:
        add("artifactStore", "required: artifactStore (or artifactStores for cross-region actions)")
    elif len(stores) == 2:
        add("artifactStores", "give artifactStore or artifactStores, not both")
    if "version" in document and not _is_int(document["version"]):
        add("version", "must be an integer")
    stages = document.get("stages")
    if not isinstance(stages, list):
        add("stages", "required: a list of stages")
        return problems
    if len(stages) < 2:
        add("stages", f"a pipeline needs at least two stages (has {len(stages)})")
    seen_stages: set[str] = set()
    for i, stage in enumerate(stages):
        _check_stage(stage, i, seen_stages, add)
    return problems


def _check_stage(stage: object, i: int, seen: set[str], add: Callable[[str, str], None]) -> None:
    path = f"stages[{i}]"
    if not isinstance(stage, dict):
        add(path, "a stage must be an object")
        return
    stage_name = stage.get("name")
    if not isinstance(stage_name, str) or not stage_name:
        add(f"{path}.name", "required: the stage's name")
        stage_name = f"#{i + 1}"
    else:
        if stage_name in seen:
            add(f"{path}.name", f"stage name {stage_name!r} is used twice: stage names must be unique")
        seen.add(stage_name)
    actions = stage.get("actions")
    if not isinstance(actions, list) or not actions:
        add(f"{path}.actions", f"stage {stage_name!r} needs at least one action")
        return
    seen_actions: set[str] = set()
    for j, action in enumerate(actions):
        apath = f"{path}.actions[{j}]"
        if not isinstance(action, dict):
            add(apath, "an action must be an object")
            continue
        action_name = action.get("name")
        if isinstance(action_name, str) and action_name:
            if action_name in seen_actions:
                add(
                    f"{apath}.name",
                    f"action name {action_name!r} is used twice in stage {stage_name!r}: "
                    "action names must be unique within a stage",
                )
            seen_actions.add(action_name)
        else:
            add(f"{apath}.name", f"required: the name of action {j + 1} of stage {stage_name!r}")
            action_name = f"#{j + 1}"
        type_id = action.get("actionTypeId")
        category = None
        if not isinstance(type_id, dict):
            add(f"{apath}.actionTypeId", f"required in {stage_name} › {action_name}: actionTypeId")
        else:
            for key in _TYPE_KEYS:
                if not isinstance(type_id.get(key), str) or not type_id.get(key):
                    add(
                        f"{apath}.actionTypeId.{key}",
                        f"required in {stage_name} › {action_name}: actionTypeId.{key}",
                    )
            category = type_id.get("category")
        if "runOrder" in action:
            order = action["runOrder"]
            if not _is_int(order) or not 1 <= order <= 999:
                add(
                    f"{apath}.runOrder",
                    f"runOrder of {stage_name} › {action_name} must be an integer from 1 to 999 "
                    f"(got {json.dumps(order)})",
                )
        if isinstance(category, str) and category:
            source = category == "Source"
            if i == 0 and not source:
                add(
                    f"{apath}.actionTypeId.category",
                    f"the first stage may hold only source actions; {action_name!r} is {category}",
                )
            elif i > 0 and source:
                add(
                    f"{apath}.actionTypeId.category",
                    f"source actions belong in the first stage only; {stage_name} › {action_name} is one",
                )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(pipeline: str) -> str:
    """A pipeline's name made safe for a file name."""
    return _SAFE_NAME.sub("_", pipeline).strip("._") or "pipeline"
