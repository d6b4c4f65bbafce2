"""Two pipeline declarations compared: what changed, as structure, as text and as a fingerprint.

``changes`` is the structural difference (stages added / removed / moved, actions added / removed /
changed and which fields), ``unified_diff`` the text difference, ``digest`` a short fingerprint of
the change for the audit log, ``same_declaration`` whether an update would change anything.
``three_way`` says what changed at AWS and what the edit changes, when the pipeline moved on while it
was being edited (UpdatePipeline has no concurrency check of its own). Reading and checking the
edited text is tui/core/definition.py. No Textual, no AWS calls.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.definition import Json, render, strip_metadata


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
