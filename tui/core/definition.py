"""A pipeline declaration as text: shown, edited, checked, compared. No Textual, no AWS calls.

The edit flow (``tui.ui.manage``) writes ``editable_text`` to a temporary file, lets the
operator's editor change it, then ``parse_edit`` reads it back: JSON, then the checks CodePipeline
itself would make that can be made without asking AWS (``validate``), each problem with where it
is (a JSON path and, when it can be found, a line of the file). ``changes`` is the structural
difference (stages added / removed / moved, actions added / removed / changed and which fields),
``unified_diff`` the text difference, ``digest`` a short fingerprint of the change for the audit
log. ``three_way`` says what changed at AWS and what the edit changes, when the pipeline moved on
while it was being edited (UpdatePipeline has no concurrency check of its own).

Describing a V2 pipeline's triggers and variables for the screen is tui/core/definition_lines.py.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Change:
    """One structural difference between two declarations."""

    kind: str  # stage-added | stage-removed | stage-moved | action-added | action-removed |
    # action-changed | stage-changed | pipeline-changed
    stage: str = ""
    action: str = ""
    fields: tuple[str, ...] = ()
    detail: str = ""

    def __str__(self) -> str:
        fields = ", ".join(self.fields)
        match self.kind:
            case "stage-added":
                return f"+ stage {self.stage} added{self.detail}"
            case "stage-removed":
                return f"- stage {self.stage} removed"
            case "stage-moved":
                return f"~ stage {self.stage} moved{self.detail}"
            case "stage-changed":
                return f"~ stage {self.stage}: {fields} changed"
            case "action-added":
                return f"+ action {self.stage} › {self.action} added{self.detail}"
            case "action-removed":
                return f"- action {self.stage} › {self.action} removed"
            case "action-changed":
                return f"~ action {self.stage} › {self.action}: {fields} changed"
            case _:
                return f"~ pipeline: {fields} changed"


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


# --- differences -------------------------------------------------------------------------------


def _named(items: object) -> dict[str, Json]:
    if not isinstance(items, list):
        return {}
    return {
        str(item["name"]): item
        for item in items
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    }


def _changed_fields(before: Json, after: Json, skip: Sequence[str] = ()) -> tuple[str, ...]:
    """The members that differ, one level down into objects (``configuration.BranchName``)."""
    out: list[str] = []
    for key in dict.fromkeys([*before, *after]):
        if key in skip or before.get(key) == after.get(key):
            continue
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            subs = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
            out.extend(f"{key}.{sub}" for sub in subs)
        else:
            out.append(key)
    return tuple(out)


def changes(before: Json, after: Json) -> list[Change]:
    """The structural difference between two declarations, pipeline members first, then each
    stage in the new order (removed stages first)."""
    out: list[Change] = []
    pipeline_fields = _changed_fields(
        strip_metadata(before), strip_metadata(after), skip=("stages", "version")
    )
    if pipeline_fields:
        out.append(Change("pipeline-changed", fields=pipeline_fields))
    old_stages, new_stages = _named(before.get("stages")), _named(after.get("stages"))
    for name in old_stages:
        if name not in new_stages:
            out.append(Change("stage-removed", stage=name))
    old_order = [n for n in old_stages if n in new_stages]
    new_order = [n for n in new_stages if n in old_stages]
    new_positions = list(new_stages)
    for name, new in new_stages.items():
        if name not in old_stages:
            out.append(
                Change("stage-added", stage=name, detail=f" at position {new_positions.index(name) + 1}")
            )
            continue
        if old_order.index(name) != new_order.index(name):
            old_pos, new_pos = list(old_stages).index(name) + 1, new_positions.index(name) + 1
            out.append(Change("stage-moved", stage=name, detail=f" from position {old_pos} to {new_pos}"))
        old = old_stages[name]
        stage_fields = _changed_fields(old, new, skip=("actions", "name"))
        if stage_fields:
            out.append(Change("stage-changed", stage=name, fields=stage_fields))
        old_actions, new_actions = _named(old.get("actions")), _named(new.get("actions"))
        for action in old_actions:
            if action not in new_actions:
                out.append(Change("action-removed", stage=name, action=action))
        for action, new_action in new_actions.items():
            if action not in old_actions:
                out.append(Change("action-added", stage=name, action=action))
                continue
            fields = _changed_fields(old_actions[action], new_action, skip=("name",))
            if fields:
                out.append(Change("action-changed", stage=name, action=action, fields=fields))
    return out


def unified_diff(before: Json, after: Json, *, name: str = "pipeline", context: int = 3) -> list[str]:
    """The text difference of the two declarations as rendered (no metadata), line by line."""
    old = render(strip_metadata(before)).splitlines()
    new = render(strip_metadata(after)).splitlines()
    return list(
        difflib.unified_diff(
            old, new, fromfile=f"{name} (AWS)", tofile=f"{name} (edited)", n=context, lineterm=""
        )
    )


def digest(before: Json, after: Json) -> str:
    """A short fingerprint of the change (sha256 of the unified diff), for the audit log."""
    text = "\n".join(unified_diff(before, after, context=0))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def same_declaration(a: Json, b: Json) -> bool:
    """Equal apart from ``version`` and ``metadata`` (what UpdatePipeline would change)."""
    left, right = strip_metadata(a), strip_metadata(b)
    left.pop("version", None)
    right.pop("version", None)
    return left == right


@dataclass(frozen=True)
class ThreeWay:
    """The pipeline moved on while it was being edited: base (when the edit began), theirs (AWS
    now) and mine (the edit)."""

    base_version: int
    their_version: int
    theirs: tuple[Change, ...]  # base -> AWS now
    mine: tuple[Change, ...]  # base -> the edit
    overlap: tuple[str, ...]  # stages / actions both changed

    def lines(self) -> list[str]:
        out = [
            f"The pipeline changed at AWS while you edited it: version {self.base_version} "
            f"when you began, {self.their_version} now. Nothing was sent.",
            "",
            f"Changed at AWS (v{self.base_version} → v{self.their_version}):",
        ]
        out += [f"  {c}" for c in self.theirs] or ["  (no structural change: only members AWS manages)"]
        out += ["", "Your edit (against the version you began with):"]
        out += [f"  {c}" for c in self.mine] or ["  (nothing)"]
        if self.overlap:
            out += ["", "Both changed: " + ", ".join(self.overlap)]
        return out


def _subjects(found: Sequence[Change]) -> set[str]:
    out = set()
    for change in found:
        if change.kind == "pipeline-changed":
            out.add("pipeline settings")
        elif change.action:
            out.add(f"{change.stage} › {change.action}")
        else:
            out.add(change.stage)
    return out


def three_way(base: Json, theirs: Json, mine: Json, *, base_version: int, their_version: int) -> ThreeWay:
    their_changes = tuple(changes(base, theirs))
    my_changes = tuple(changes(base, mine))
    overlap = tuple(sorted(_subjects(their_changes) & _subjects(my_changes)))
    return ThreeWay(base_version, their_version, their_changes, my_changes, overlap)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(pipeline: str) -> str:
    """A pipeline's name made safe for a file name."""
    return _SAFE_NAME.sub("_", pipeline).strip("._") or "pipeline"
