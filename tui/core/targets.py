"""The targets (profile x region): what the picker lists, and adding one at runtime.

Plain Python (no Textual). ``TargetFactory`` is how the app makes a service for a target the
operator adds from the picker: the CLI passes one that matches how it built the others (the same
endpoint, or the demo's simulator and keys). ``picker_entries`` is what the picker lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tui.aws.service import PipelineService
from tui.aws.session import available_profiles, resolve_region
from tui.core.config_values import Invalid
from tui.core.config_values import region as valid_region
from tui.core.model import Identity, Target
from tui.core.sanitize import clean


def _aws_service(endpoint_url: str | None) -> Callable[[Target], PipelineService]:
    def make(target: Target) -> PipelineService:
        from tui.aws.client import create_service

        return create_service(target, endpoint_url=endpoint_url)

    return make


@dataclass(frozen=True)
class TargetFactory:
    """How to make the service of a target added at runtime, and which profiles to offer."""

    make: Callable[[Target], PipelineService] = field(default_factory=lambda: _aws_service(None))
    profiles: Callable[[], list[str]] = available_profiles
    default_region: Callable[[str | None], str | None] = resolve_region


def aws_factory(endpoint_url: str | None = None) -> TargetFactory:
    """Services on the profile's credential chain (what ``cptui`` uses), at ``endpoint_url`` if given."""
    return TargetFactory(make=_aws_service(endpoint_url))


class PickKind(StrEnum):
    ALL = "all"  # show every target
    TARGET = "target"  # show only this target
    PROFILE = "profile"  # add a target: this profile, in a region still to choose


@dataclass(frozen=True)
class PickerEntry:
    kind: PickKind
    label: str
    target: Target | None = None
    profile: str | None = None
    current: bool = False  # what the screen shows now


def picker_entries(
    targets: Sequence[Target], profiles: Iterable[str], view: Target | None
) -> list[PickerEntry]:
    """All targets, each configured target, then every known profile (to add it in a region)."""
    entries = [PickerEntry(PickKind.ALL, f"All targets ({len(targets)})", current=view is None)]
    entries += [
        PickerEntry(PickKind.TARGET, clean(t.label), target=t, current=view is not None and view.key == t.key)
        for t in targets
    ]
    for profile in dict.fromkeys(profiles):
        entries.append(PickerEntry(PickKind.PROFILE, f"add profile {clean(profile)} …", profile=profile))
    return entries


def new_target(profile: str | None, region: str, targets: Sequence[Target]) -> Target:
    """The target to add for ``profile`` in ``region``; raises ``ValueError`` saying what is wrong.

    A profile that is already a target keeps its colour in the new region: colour is per account.
    """
    try:
        region = valid_region(region.strip())
    except Invalid as exc:
        raise ValueError(str(exc)) from exc
    target = Target(region=region, profile=profile)
    for existing in targets:
        if existing.key == target.key:
            raise ValueError(f"{existing.label} is already a target")
    color = next((t.color for t in targets if t.profile == profile and t.color), None)
    return Target(region=region, profile=profile, color=color)


def where_label(target: Target, identity: Identity | None) -> str:
    """How a row says where it lives: the configured name, else profile/region, else account/region."""
    if target.name:
        return clean(target.name)
    if target.profile:
        return f"{clean(target.profile)}/{clean(target.region)}"
    if identity is not None:
        return f"{clean(identity.account)}/{clean(target.region)}"
    return clean(target.label)
