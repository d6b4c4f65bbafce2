"""cptui: a terminal dashboard for AWS CodePipeline."""

__version__ = "0.1.0"
