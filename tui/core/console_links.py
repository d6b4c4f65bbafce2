"""AWS console deep links and ARNs for what the operator has selected (for `y` copy and `b` link).

Plain string building, no Textual: the pipeline, inbox, history and log screens all use it.
Names are URL-quoted because a pipeline name may hold characters a URL cannot (``.``, ``@`` are fine,
but a stray space from a hand-made pipeline would break the link).
"""

from __future__ import annotations

from urllib.parse import quote

_CONSOLE = "https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines"


def pipeline_url(region: str, pipeline: str) -> str:
    """The console page of a pipeline (its stage view)."""
    base = _CONSOLE.format(region=region)
    return f"{base}/{quote(pipeline, safe='')}/view?region={region}"


def execution_url(region: str, pipeline: str, execution_id: str) -> str:
    """The console timeline of one execution of a pipeline."""
    base = _CONSOLE.format(region=region)
    return (
        f"{base}/{quote(pipeline, safe='')}/executions/{quote(execution_id, safe='')}"
        f"/timeline?region={region}"
    )


def pipeline_arn(region: str, account: str | None, pipeline: str) -> str | None:
    """``arn:aws:codepipeline:REGION:ACCOUNT:NAME``; None while the account is not known yet."""
    if not account:
        return None
    return f"arn:aws:codepipeline:{region}:{account}:{pipeline}"


def build_url(region: str, build_id: str) -> str:
    """The CodeBuild console page of a build (its log tab)."""
    project = build_id.split(":", 1)[0]
    return (
        f"https://{region}.console.aws.amazon.com/codesuite/codebuild/projects/{quote(project, safe='')}"
        f"/build/{quote(build_id, safe='')}/log?region={region}"
    )
