"""What the operator's confirmed requests came to, in order: each ``ActionResult`` the app's
``ActionRunner`` returned (what the request's notice and audit line are made of).

``sim_app`` records from the app's birth, as it does the notices; the app itself keeps no such list
(the audit log, ``tests.support.dialogs.audit``, and the notices, ``tests.support.notices.told``, are
what an operator sees of an outcome).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App

from tui.aws.service import PipelineService
from tui.core.actions import ActionRequest, ActionResult
from tui.ui.host import host_of

_RESULTS: WeakKeyDictionary[App[Any], list[ActionResult]] = WeakKeyDictionary()


def record_results(app: App[Any]) -> list[ActionResult]:
    """Record every result of the app's action runner from now on (idempotent); the live list."""
    if app in _RESULTS:
        return _RESULTS[app]
    results: list[ActionResult] = []
    _RESULTS[app] = results
    runner = host_of(app).actions
    run = runner.run

    async def recording(request: ActionRequest, service: PipelineService) -> ActionResult:
        result = await run(request, service)
        results.append(result)
        return result

    runner.run = recording  # type: ignore[method-assign]
    return results


def results(app: App[Any]) -> list[ActionResult]:
    """The results so far (recording starts here if it had not)."""
    return record_results(app)
