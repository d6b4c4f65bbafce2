"""API response dicts (as botocore parses them) -> ``tui.core.model`` objects.

Defensive by design: AWS omits optional members freely, adds enum values over time, and a
pipeline's state can name stages its definition no longer has (an edit while an execution runs).
botocore's model marks almost every member optional, and each may be absent: a name or id the
request already carried is taken from the request (``GetPipelineState`` without ``pipelineName``
is still that pipeline's state), an item of a list that lacks its name or id is left out (the rest
of the list still shows), and anything else takes its documented default. Only a response without
its payload (GetPipeline without ``pipeline``) raises ``MalformedResponse``, which the service
reports as an ``AwsError``. The plural converters (``pipeline_summaries``, ``execution_summaries``,
``builds`` ...) take a whole response (or all the items of a paginated list) and are what the
service uses; tests/reliability/test_reliability_shapes.py removes each optional member in turn
from full responses and runs them.

One module an API (``pipelines``, ``state``, ``executions``, ``builds``, ``logs``, ``identity``), all
reading through ``readers``; ``tui.aws.convert`` names every converter (the modules import each
other directly, never through this package).
"""

from __future__ import annotations

from tui.aws.convert.builds import build, build_logs, builds
from tui.aws.convert.executions import (
    action_execution,
    action_executions,
    execution,
    execution_summaries,
    execution_summary,
    pipeline_action_executions,
    rule_execution,
    rule_executions,
    source_revision,
)
from tui.aws.convert.identity import identity
from tui.aws.convert.logs import log_event, log_page
from tui.aws.convert.pipelines import (
    action_def,
    pipeline_declaration,
    pipeline_def,
    pipeline_summaries,
    pipeline_summary,
    rule_def,
    stage_conditions,
    stage_def,
    tags,
    trigger_def,
)
from tui.aws.convert.readers import MalformedResponse
from tui.aws.convert.state import action_state, pipeline_state, stage_condition_state, stage_state

__all__ = [
    "MalformedResponse",
    "action_def",
    "action_execution",
    "action_executions",
    "action_state",
    "build",
    "build_logs",
    "builds",
    "execution",
    "execution_summaries",
    "execution_summary",
    "identity",
    "log_event",
    "log_page",
    "pipeline_action_executions",
    "pipeline_declaration",
    "pipeline_def",
    "pipeline_state",
    "pipeline_summaries",
    "pipeline_summary",
    "rule_def",
    "rule_execution",
    "rule_executions",
    "source_revision",
    "stage_condition_state",
    "stage_conditions",
    "stage_def",
    "stage_state",
    "tags",
    "trigger_def",
]
