"""The app's side of the targets (profile x region): which one the screen shows, targets added at
runtime, account aliases.

``Host.targets_view.view`` is None (every target) or one target; ``set_view`` and ``add_target``
publish a ``StoreChange`` so every screen redraws from the store. Each target keeps its own service,
rate budget and error state (the poller's), so one target's failures never stall the others.

Account aliases (iam:ListAccountAliases) are fetched once per account when its identity is known, in
a worker under the target's budget; access denied simply means no alias.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from tui.app.context import Scheduling, StoreChanges
from tui.aws.errors import AwsError
from tui.aws.service import AccountAliasSource, PipelineService
from tui.core.model import Target
from tui.core.session import Session
from tui.core.store import StoreChange
from tui.core.targets import TargetFactory, new_target, picker_entries

if TYPE_CHECKING:
    from tui.core.targets import PickerEntry

PROFILES_TTL = 10.0  # seconds a read of the AWS config files' profiles is reused


class TargetsController:
    """Created by ``CptuiApp``; the picker (`P`), the palette and the list use it. ``joins``: what a
    target added at runtime is handed to (the poller, push mode), after the session has it."""

    def __init__(
        self,
        session: Session,
        scheduler: Scheduling,
        changes: StoreChanges,
        factory: TargetFactory | None = None,
        *,
        joins: Sequence[Callable[[Target], object]] = (),
    ) -> None:
        self.session = session
        self.scheduler = scheduler
        self.changes = changes
        self.joins = tuple(joins)
        self.factory = factory or TargetFactory()
        self.view: Target | None = None
        self.aliases: dict[str, str] = {}  # account id -> alias
        self._alias_asked: set[str] = set()  # accounts whose alias was asked for
        self._profiles: tuple[float, list[str]] | None = None

    # --- what the screen shows -----------------------------------------------------------------

    @property
    def view_targets(self) -> list[Target]:
        """The targets the screen shows: all, or the one in view."""
        if self.view is None:
            return list(self.session.targets)
        return [t for t in self.session.targets if t.key == self.view.key]

    def set_view(self, target: Target | None) -> None:
        """Show only ``target`` (None: every target); screens redraw from the store."""
        if target is not None and target.key not in self.session.services:
            raise LookupError(f"{target.label} is not a target")
        if (self.view.key if self.view else None) == (target.key if target else None):
            return
        self.view = target
        self._publish()

    def shows(self, target: Target) -> bool:
        return self.view is None or self.view.key == target.key

    def entries(self) -> list[PickerEntry]:
        """What the picker lists: all, each target, then the profiles that can be added."""
        return picker_entries(self.session.targets, self.profiles(), self.view)

    def profiles(self) -> list[str]:
        """Profiles from the AWS config files (or the factory's), then the targets' own."""
        now = time.monotonic()
        if self._profiles is None or now - self._profiles[0] > PROFILES_TTL:
            try:
                found = list(self.factory.profiles())
            except Exception:  # a broken config file must not break the picker
                found = []
            # The palette asks on every keystroke: read the config files once in a while only.
            self._profiles = (now, found)
        found = self._profiles[1] + [t.profile for t in self.session.targets if t.profile]
        return list(dict.fromkeys(found))

    def default_region(self, profile: str | None) -> str:
        try:
            region = self.factory.default_region(profile)
        except Exception:
            region = None
        return region or (self.session.targets[0].region if self.session.targets else "us-east-1")

    # --- adding a target -----------------------------------------------------------------------

    def add_target(self, profile: str | None, region: str, *, show: bool = True) -> Target:
        """Make the service for ``profile`` in ``region``, register it and start polling it.

        Raises ``ValueError`` (invalid region, already a target) before anything changes.
        """
        target = new_target(profile, region, self.session.targets)
        service = self.factory.make(target)
        self.register(service)
        if show:
            self.set_view(target)
        return target

    def register(self, service: PipelineService) -> None:
        """Add a ready-made service (its target must be new) to the session at runtime."""
        target = self.session.add_target(service)
        for join in self.joins:
            join(target)
        self._publish()

    # --- aliases -------------------------------------------------------------------------------

    def alias(self, target: Target) -> str | None:
        identity = self.session.store.identity(target)
        return self.aliases.get(identity.account) if identity is not None else None

    def on_store_changed(self, change: StoreChange) -> None:
        """Ask for an account's alias once its identity is known (one call per account)."""
        if not change.freshness:
            return
        for target in [change.target] if change.target is not None else list(self.session.targets):
            identity = self.session.store.identity(target)
            service = self.session.services.get(target.key)
            if identity is None or identity.account in self._alias_asked:
                continue
            if self.session.store.freshness(target).stale_reason:
                continue  # failing now: ask once it recovers
            if not isinstance(service, AccountAliasSource):
                continue
            self._alias_asked.add(identity.account)
            self.scheduler.run_worker(
                partial(self._fetch_alias, target, identity.account),
                name=f"alias {identity.account}",
                group="aliases",
                exit_on_error=False,
            )

    async def _fetch_alias(self, target: Target, account: str) -> None:
        try:
            alias = await self.session.reads.account_alias(target)
        except AwsError:
            # Not now (throttled, expired ...): ask again when the identity is next refreshed.
            self._alias_asked.discard(account)
            return
        if alias:
            self.aliases[account] = alias
            self.changes.publish(StoreChange(target, freshness=True))

    # --- helpers -------------------------------------------------------------------------------

    def _publish(self) -> None:
        # target None (a change spanning targets) makes every list reconcile all of its rows.
        self.changes.publish(StoreChange(None, listing=True, freshness=True))
