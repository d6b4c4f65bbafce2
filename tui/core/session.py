"""The session: what one running cptui shares between its screens and its controllers.

Plain Python (no Textual). A ``Session`` owns the config, the targets (profile x region) and their
services, the store, the action runner (every mutation, audited), the budgeted on-demand reads and
the clock. ``CptuiApp`` (tui/app/application.py) makes one and hands it to its controllers; screens
reach it through ``tui.ui.host.Host``, whose session part this class provides.

The reads share each target's rate budget with the polls: the app's poll controller is that budget,
and it is made after the session (it polls the session's targets), so it joins with ``use_budget``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from tui.aws.service import PipelineService
from tui.core.actions import ActionRunner
from tui.core.audit import AuditLog
from tui.core.config import Config
from tui.core.model import Target
from tui.core.reads import ReadBudget, Reads
from tui.core.store import Store


class Session:
    """The store, config, targets and services, action runner, budgeted reads and clock of one run."""

    def __init__(
        self,
        services: Sequence[PipelineService],
        config: Config | None = None,
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        # (Replaced, not changed, when the operator changes a preference: tui/app/prefs_control.py.)
        self.config = config or Config()
        self.read_only = bool(read_only or self.config.general.read_only)
        self.targets: list[Target] = [s.target for s in services]
        self.services: dict[str, PipelineService] = {s.target.key: s for s in services}
        self._clock = clock or (lambda: datetime.now(UTC))
        pipelines = self.config.pipelines
        # (Favourites are read through the session: a favourite toggled in the app replaces the config.)
        self.store = Store(
            self.targets,
            is_favourite=lambda name: self.config.pipelines.is_favourite(name),
            is_hidden=pipelines.is_hidden,
        )
        self.actions = ActionRunner(
            AuditLog.for_session(self.config.general.audit_log),
            read_only=self.read_only,
            identity=self.store.identity,
            clock=self._clock,
        )
        self._reads: Reads | None = None

    def now(self) -> datetime:
        """The session's clock (tests share the simulator's manual clock)."""
        return self._clock()

    @property
    def reads(self) -> Reads:
        """On-demand reads within each target's rate budget; they raise ``AwsError``."""
        if self._reads is None:
            raise RuntimeError("the session's reads have no rate budget yet (Session.use_budget)")
        return self._reads

    def use_budget(self, budget: ReadBudget) -> None:
        """The per-target rate budget the reads draw from (the one the polls draw from)."""
        self._reads = Reads(self.services, budget)

    def add_target(self, service: PipelineService) -> Target:
        """A target added at runtime, with its ready-made service; raises ``ValueError`` if it is
        one already. (Its polling and push mode are the app's to start.)"""
        target = service.target
        if target.key in self.services:
            raise ValueError(f"{target.label} is already a target")
        self.targets.append(target)
        self.services[target.key] = service
        self.store.add_target(target)
        return target
