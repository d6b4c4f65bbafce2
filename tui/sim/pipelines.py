"""Building blocks for scenario pipelines: one helper per action type, with AWS's configuration
keys and realistic durations."""

from __future__ import annotations

from tui.sim.world.state import ActionSpec


def _source(provider: str, cfg: dict[str, str], duration: tuple[float, float]) -> ActionSpec:
    """A source action (AWS-owned) named Source, giving SourceArtifact and SourceVariables."""
    return ActionSpec(
        "Source",
        "Source",
        "AWS",
        provider,
        configuration=cfg,
        output_artifacts=["SourceArtifact"],
        namespace="SourceVariables",
        duration=duration,
    )


def codecommit(repo: str, branch: str = "main", poll: bool = False) -> ActionSpec:
    cfg = {"RepositoryName": repo, "BranchName": branch, "OutputArtifactFormat": "CODE_ZIP"}
    cfg["PollForSourceChanges"] = "true" if poll else "false"
    return _source("CodeCommit", cfg, (5, 15))


def s3_source(bucket: str, key: str, poll: bool = False) -> ActionSpec:
    cfg = {"S3Bucket": bucket, "S3ObjectKey": key, "PollForSourceChanges": "true" if poll else "false"}
    return _source("S3", cfg, (5, 12))


def connection_source(
    account: str, region: str, repo: str, host: str = "github", branch: str = "main"
) -> ActionSpec:
    """GitHub or Bitbucket through a CodeStar (CodeConnections) connection."""
    conn_id = (
        "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f" if host == "github" else "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    )
    arn = f"arn:aws:codestar-connections:{region}:{account}:connection/{conn_id}"
    if host == "bitbucket":
        arn += "?provider=bitbucket"
    cfg = {
        "ConnectionArn": arn,
        "FullRepositoryId": repo,
        "BranchName": branch,
        "OutputArtifactFormat": "CODE_ZIP",
        "DetectChanges": "true",
    }
    return _source("CodeStarSourceConnection", cfg, (5, 15))


def codebuild(
    name: str,
    project: str,
    kind: str = "build",
    category: str = "Build",
    run_order: int = 1,
    fail_rate: float = 0.05,
    duration: tuple[float, float] = (60, 240),
    inputs: tuple[str, ...] = ("SourceArtifact",),
    outputs: tuple[str, ...] = (),
) -> ActionSpec:
    return ActionSpec(
        name,
        category,
        "AWS",
        "CodeBuild",
        run_order=run_order,
        configuration={"ProjectName": project},
        input_artifacts=list(inputs),
        output_artifacts=list(outputs),
        duration=duration,
        fail_rate=fail_rate,
        build_kind=kind,
    )


def codedeploy(name: str, app: str, group: str, run_order: int = 1, fail_rate: float = 0.03) -> ActionSpec:
    return ActionSpec(
        name,
        "Deploy",
        "AWS",
        "CodeDeploy",
        run_order=run_order,
        configuration={"ApplicationName": app, "DeploymentGroupName": group},
        input_artifacts=["BuildArtifact"],
        duration=(30, 120),
        fail_rate=fail_rate,
    )


def ecs(
    name: str,
    cluster: str,
    service: str,
    run_order: int = 1,
    region: str | None = None,
    fail_rate: float = 0.03,
) -> ActionSpec:
    return ActionSpec(
        name,
        "Deploy",
        "AWS",
        "ECS",
        run_order=run_order,
        region=region,
        configuration={"ClusterName": cluster, "ServiceName": service, "FileName": "imagedefinitions.json"},
        input_artifacts=["BuildArtifact"],
        duration=(40, 120),
        fail_rate=fail_rate,
    )


def cloudformation(
    name: str, stack: str, mode: str = "CREATE_UPDATE", run_order: int = 1, fail_rate: float = 0.03
) -> ActionSpec:
    cfg = {
        "ActionMode": mode,
        "StackName": stack,
        "Capabilities": "CAPABILITY_NAMED_IAM",
        "RoleArn": "arn:aws:iam::123456789012:role/cfn-deployer",
    }
    if mode.startswith("CHANGE_SET"):
        cfg["ChangeSetName"] = f"{stack}-changes"
    if mode != "CHANGE_SET_EXECUTE":
        cfg["TemplatePath"] = "BuildArtifact::packaged.yaml"
    return ActionSpec(
        name,
        "Deploy",
        "AWS",
        "CloudFormation",
        run_order=run_order,
        configuration=cfg,
        input_artifacts=["BuildArtifact"],
        duration=(30, 120),
        fail_rate=fail_rate,
    )


def s3_deploy(name: str, bucket: str, run_order: int = 1) -> ActionSpec:
    return ActionSpec(
        name,
        "Deploy",
        "AWS",
        "S3",
        run_order=run_order,
        configuration={"BucketName": bucket, "Extract": "true"},
        input_artifacts=["BuildArtifact"],
        duration=(10, 40),
        fail_rate=0.01,
    )


def lambda_invoke(name: str, function: str, run_order: int = 1, fail_rate: float = 0.03) -> ActionSpec:
    return ActionSpec(
        name,
        "Invoke",
        "AWS",
        "Lambda",
        run_order=run_order,
        configuration={"FunctionName": function},
        duration=(10, 45),
        fail_rate=fail_rate,
    )


def approval(
    name: str, custom_data: str, link: str | None = None, minutes: int = 60, topic: str | None = None
) -> ActionSpec:
    cfg = {"CustomData": custom_data}
    if link:
        cfg["ExternalEntityLink"] = link
    if topic:
        cfg["NotificationArn"] = topic
    return ActionSpec(
        name, "Approval", "AWS", "Manual", configuration=cfg, timeout_minutes=minutes, duration=(60, 600)
    )
