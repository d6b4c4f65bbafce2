"""The only way cptui mutates anything: confirm -> call once -> audit -> notify -> refresh.

Screens build an ``ActionRequest`` with one of the builders (``builders``), show ``request.confirmation``
to the operator, and hand the confirmed request to ``ActionRunner.run``. The runner, not the UI, enforces:
- read-only mode: every mutation is refused here, whatever the UI shows;
- exactly one API call per confirmation: a request id runs once; a second run of the same request (a
  double Enter, a repeated key) returns the first result without calling AWS again, and a request for
  the same operation on the same target while one is in flight is refused;
- an audit line for every attempt, refused ones included;
- a network failure after sending (or a 5xx answer) becomes "outcome unknown", so the caller refreshes
  to show the truth.
No Textual here: the dialogs live in ``tui/ui/screens/dialogs.py``.

``runner`` holds the runner and what it takes and returns; ``builders`` the requests, one per
operation. Import them from here; the modules import each other directly, never through this
package.
"""

from tui.core.actions.builders import (
    VersionChanged,
    approve,
    delete_pipeline,
    override_condition,
    retry_stage,
    rollback_stage,
    set_transition,
    start_execution,
    stop_execution,
    update_pipeline,
)
from tui.core.actions.runner import ActionRequest, ActionResult, ActionRunner, Outcome

__all__ = [
    "ActionRequest",
    "ActionResult",
    "ActionRunner",
    "Outcome",
    "VersionChanged",
    "approve",
    "delete_pipeline",
    "override_condition",
    "retry_stage",
    "rollback_stage",
    "set_transition",
    "start_execution",
    "stop_execution",
    "update_pipeline",
]
