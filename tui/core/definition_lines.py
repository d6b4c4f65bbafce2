"""A pipeline's V2 settings and rule executions described for the screen, one line each. No
Textual, no AWS calls.

``trigger_lines`` says what starts a V2 pipeline (git push or pull request, on which source, with
which branch / tag / file filters), ``variable_lines`` its pipeline-level variables and their
defaults, ``rule_execution_lines`` what ListRuleExecutions said for one execution. The text comes
from AWS: the screens pass each line through ``tui.core.sanitize.clean`` before drawing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _filter_text(label: str, found: Any) -> str | None:
    if found is None:
        return None
    parts = []
    if found.includes:
        parts.append(", ".join(found.includes))
    if found.excludes:
        parts.append("not " + ", ".join(found.excludes))
    return f"{label} {' '.join(parts)}" if parts else None


def trigger_lines(definition: Any) -> list[str]:
    """Each trigger of a V2 pipeline in one line: what starts it, on which source, with which filters."""
    out: list[str] = []
    for trigger in getattr(definition, "triggers", ()):
        source = f"{trigger.source_action} ({trigger.provider_type})"
        for push in trigger.push:
            parts = [
                p
                for p in (
                    _filter_text("branches", push.branches),
                    _filter_text("tags", push.tags),
                    _filter_text("files", push.file_paths),
                )
                if p
            ]
            out.append(f"git push → {source}" + (": " + "; ".join(parts) if parts else ": any"))
        for pull in trigger.pull_request:
            events = ", ".join(pull.events) or "any event"
            parts = [
                p
                for p in (_filter_text("branches", pull.branches), _filter_text("files", pull.file_paths))
                if p
            ]
            out.append(f"pull request ({events}) → {source}" + (": " + "; ".join(parts) if parts else ""))
        if not trigger.push and not trigger.pull_request:
            out.append(f"any change → {source}")
    return out


def variable_lines(definition: Any) -> list[str]:
    """Pipeline-level variables with their defaults ("no default": it must be given at start)."""
    out = []
    for variable in getattr(definition, "variables", ()):
        default = f"= {variable.default}" if variable.default is not None else "(no default)"
        out.append(f"{variable.name} {default}")
    return out


def rule_execution_lines(items: Sequence[Any]) -> list[str]:
    """ListRuleExecutions of one execution: stage › rule (provider): status — summary or error."""
    out = []
    for item in sorted(items, key=lambda r: (r.stage_name, r.rule_name)):
        provider = f" ({item.provider})" if item.provider else ""
        said = item.error_message or item.summary or ""
        out.append(
            f"{item.stage_name} › {item.rule_name}{provider}: {item.status.label}"
            + (f" — {said}" if said else "")
        )
    return out
