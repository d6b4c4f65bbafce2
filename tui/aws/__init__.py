"""The one place that talks to AWS (or the embedded simulator)."""

from tui.aws.client import AwsPipelineService, create_service

__all__ = ["AwsPipelineService", "create_service"]
