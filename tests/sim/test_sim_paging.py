"""The simulator's pages (``tui/sim/paging.py``), through real aiobotocore: every list operation
pages its items exactly once and in order at any page size, newest first where AWS lists that way,
and a filter naming an execution the pipeline never ran is refused as AWS refuses it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.sim import aio_client
from tui.sim import Simulator

Page = Callable[..., Awaitable[dict[str, Any]]]
NEVER_RAN = "00000000-0000-4000-8000-000000000000"


async def every_page(call: Page, key: str, size: int, **params: Any) -> list[dict[str, Any]]:
    """All items, asking ``size`` at a time and following ``nextToken`` to the end."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await call(**params, maxResults=size, **({"nextToken": token} if token else {}))
        assert len(page[key]) <= size
        items += page[key]
        token = page.get("nextToken")
        if not token:
            return items


async def test_names_and_tags_page_in_order_at_any_size(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        names = [p["name"] for p in (await cp.list_pipelines())["pipelines"]]
        assert names == sorted(names) and len(names) >= 8
        for size in (1, 3, len(names)):
            paged = await every_page(cp.list_pipelines, "pipelines", size)
            assert [p["name"] for p in paged] == names
        arn = (await cp.get_pipeline(name="billing-service"))["metadata"]["pipelineArn"]
        tags = (await cp.list_tags_for_resource(resourceArn=arn))["tags"]
        assert len(tags) >= 2 and [t["key"] for t in tags] == sorted(t["key"] for t in tags)
        assert await every_page(cp.list_tags_for_resource, "tags", 1, resourceArn=arn) == tags


async def test_runs_page_newest_first_once_each_filtered_or_not(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        for operation, key, pipeline in (
            (cp.list_action_executions, "actionExecutionDetails", "order-service"),
            (cp.list_rule_executions, "ruleExecutionDetails", "checkout-web"),
        ):
            every = await every_page(operation, key, 100, pipelineName=pipeline)
            assert every, pipeline
            starts = [item["startTime"] for item in every]
            assert starts == sorted(starts, reverse=True)
            assert await every_page(operation, key, 4, pipelineName=pipeline) == every
            eid = every[-1]["pipelineExecutionId"]
            mine = [item for item in every if item["pipelineExecutionId"] == eid]
            one = await every_page(
                operation, key, 2, pipelineName=pipeline, filter={"pipelineExecutionId": eid}
            )
            assert one == mine
            with pytest.raises(ClientError) as refused:
                await operation(pipelineName=pipeline, filter={"pipelineExecutionId": NEVER_RAN})
            assert refused.value.response["Error"]["Code"] == "PipelineExecutionNotFoundException"
