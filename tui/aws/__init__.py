"""The one place that talks to AWS (or the embedded simulator).

``create_service`` and ``AwsPipelineService`` are looked up on first use: importing ``tui.aws.errors``
(or anything else here) must not import aiobotocore, which costs a quarter of a second at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.aws.client import AwsPipelineService, create_service

__all__ = ["AwsPipelineService", "create_service"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tui.aws import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
