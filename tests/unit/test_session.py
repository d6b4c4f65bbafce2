"""The session (tui/core/session.py): plain Python that owns what screens and controllers share: the
config, the targets and their services, the store, the action runner, the budgeted reads, the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tui.aws.errors import AwsError
from tui.core.config import Config, GeneralConfig, PipelinesConfig
from tui.core.model import PipelineSummary, Target
from tui.core.session import Session

EAST = Target("us-east-1", profile="prod")
WEST = Target("us-west-2", profile="prod")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Service:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.asked: list[str] = []

    async def get_execution(self, name: str, execution_id: str) -> str:
        self.asked.append(execution_id)
        return "the execution"


class Budget:
    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []

    async def acquire(self, target: Target) -> None:
        self.log.append(("acquire", target.key))

    def call_finished(self, target: Target, operation: str, error: AwsError | None = None) -> None:
        self.log.append(("finished", operation))


def session(tmp_path: Path, **kwargs: Any) -> Session:
    config = Config(general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"))
    return Session([Service(EAST)], config, clock=lambda: NOW, **kwargs)  # type: ignore[list-item]


def test_the_session_holds_the_targets_services_store_runner_and_clock(tmp_path: Path) -> None:
    s = session(tmp_path, read_only=True)
    assert s.targets == [EAST] and list(s.services) == [EAST.key]
    assert s.now() == NOW
    assert s.read_only and s.actions.read_only
    assert s.actions.audit.path == tmp_path / "audit.jsonl"


async def test_reads_draw_from_the_budget_the_app_hands_in(tmp_path: Path) -> None:
    s = session(tmp_path)
    with pytest.raises(RuntimeError, match="no rate budget"):
        _ = s.reads
    budget = Budget()
    s.use_budget(budget)
    assert await s.reads.execution(EAST, "web", "e-1") == "the execution"  # type: ignore[comparison-overlap]
    assert budget.log == [("acquire", EAST.key), ("finished", "GetPipelineExecution")]


def test_a_target_added_at_runtime_joins_targets_services_and_store_once(tmp_path: Path) -> None:
    s = session(tmp_path)
    assert s.add_target(Service(WEST)) == WEST  # type: ignore[arg-type]
    assert s.targets == [EAST, WEST] and WEST.key in s.services
    s.store.set_pipelines(WEST, [PipelineSummary("web", 1)])
    assert [r.name for r in s.store.rows(WEST)] == ["web"]
    with pytest.raises(ValueError, match="already a target"):
        s.add_target(Service(WEST))  # type: ignore[arg-type]
    assert s.targets == [EAST, WEST]


def test_a_replaced_config_is_what_the_store_reads_favourites_from(tmp_path: Path) -> None:
    s = session(tmp_path)
    s.store.set_pipelines(EAST, [PipelineSummary("api", 1), PipelineSummary("web", 1)])
    assert not any(r.favourite for r in s.store.rows(EAST))
    s.config = replace(s.config, pipelines=PipelinesConfig(favourites=("web",)))
    s.store.rederive_all()
    assert [r.name for r in s.store.rows(EAST) if r.favourite] == ["web"]
