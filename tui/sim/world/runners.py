"""How each kind of action plays out: its duration, outcome, and what it leaves behind.

Sources produce revisions (CodeCommit/GitHub/Bitbucket commits, S3 object versions); CodeBuild
actions create builds with log streams; deploys get deployment ids and console links; manual
approvals wait for PutApprovalResult or their timeout.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING
from urllib.parse import quote

from tui.sim.logs import build_log_stream
from tui.sim.world import emit
from tui.sim.world.builds import Build, plan_phases
from tui.sim.world.state import ActionRun, ActionSpec, Execution, Pipeline, Revision

if TYPE_CHECKING:
    from tui.sim.world.base import WorldBase

DEFAULT_APPROVAL_MINUTES = 7 * 24 * 60
CONSOLE = "https://console.aws.amazon.com"

_AUTHORS = ["priya", "marco", "chen.wei", "fatima", "oskar", "aiko", "dependabot[bot]", "sam"]
_SUBJECTS = [
    "Fix rounding in partial refunds",
    "Bump boto3 from 1.34.60 to 1.34.69",
    "Add retry with jitter to the ledger client",
    "Cache feature flags for 30s",
    "Remove the legacy v1 checkout endpoint",
    "Tighten IAM policy for the export job",
    "Upgrade Python runtime to 3.12",
    "Paginate the audit log API",
    "Log request ids on every 5xx",
    "Rotate the signing key every 90 days",
    "Speed up CI by caching pip wheels",
    "Handle empty manifests in the ETL loader",
]


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID from ``rng``: deterministic under the simulator's seed."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def commit_message(rng: random.Random) -> str:
    """A realistic commit or merge message that names its author."""
    subject = rng.choice(_SUBJECTS)
    author = rng.choice(_AUTHORS)
    pr = rng.randint(100, 999)
    if rng.random() < 0.5:
        branch = subject.lower().replace(" ", "-")[:28]
        return f"Merge pull request #{pr} from {author}/{branch}\n\n{subject}"
    return f"{subject} (#{pr})\n\nSigned-off-by: {author} <{author.split('[')[0]}@example.com>"


def make_revision(
    world: WorldBase, p: Pipeline, spec: ActionSpec, at: float, revision_id: str | None = None
) -> Revision:
    """A new source revision for ``spec`` (or the given id, for a source-revision override)."""
    rng, cfg, region = p.rng, spec.configuration, world.region
    artifact = spec.output_artifacts[0] if spec.output_artifacts else "SourceArtifact"
    if spec.provider == "S3":
        version = revision_id or "".join(
            rng.choice("abcdefghijkLMNOPQRSTUVWXYZ0123456789._") for _ in range(32)
        )
        etag = f"{rng.getrandbits(128):032x}"
        key = cfg.get("S3ObjectKey", "source.zip")
        bucket = cfg.get("S3Bucket", "bucket")
        url = f"{CONSOLE}/s3/object/{bucket}?prefix={quote(key)}&versionId={quote(version)}"
        summary = f"{key} uploaded by {rng.choice(['ingest-bot', 'etl-scheduler', 'marco'])}"
        return Revision(spec.name, artifact, version, etag, summary, url, at)
    commit = revision_id or f"{rng.getrandbits(160):040x}"
    message = commit_message(rng)
    if spec.provider == "CodeStarSourceConnection":
        repo = cfg.get("FullRepositoryId", "org/repo")
        kind = "Bitbucket" if "bitbucket" in cfg.get("ConnectionArn", "") else "GitHub"
        url = (
            f"https://bitbucket.org/{repo}/commits/{commit}"
            if kind == "Bitbucket"
            else f"https://github.com/{repo}/commit/{commit}"
        )
        # AWS reports connection revisions' summaries as JSON, not as plain text.
        summary = json.dumps({"ProviderType": kind, "CommitMessage": message})
        return Revision(spec.name, artifact, commit, commit, summary, url, at)
    repo = cfg.get("RepositoryName", "repo")
    url = f"https://{region}.console.aws.amazon.com/codesuite/codecommit/repositories/{repo}/commit/{commit}?region={region}"
    return Revision(spec.name, artifact, commit, commit, message, url, at)


def plan_outcome(p: Pipeline, stage: str, spec: ActionSpec) -> tuple[str, float]:
    """(outcome, duration) for the next run of an action: forced by a test, else seeded."""
    forced = p.forced.get((stage, spec.name))
    duration = p.rng.uniform(*spec.duration)
    outcome = "Failed" if p.rng.random() < spec.fail_rate else "Succeeded"
    if forced:
        f = forced.pop(0)
        if not forced:
            del p.forced[(stage, spec.name)]
        outcome = f.outcome or outcome
        duration = f.duration if f.duration is not None else duration
    return outcome, duration


def start_action(
    world: WorldBase, p: Pipeline, ex: Execution, stage: str, spec: ActionSpec, now: float
) -> ActionRun:
    """Create the ActionRun for ``spec`` starting at ``now``, planning when and how it ends."""
    run = ActionRun(new_uuid(p.rng), ex.id, stage, spec, start=now, last_update=now)
    outcome, duration = plan_outcome(p, stage, spec)
    run.planned = outcome
    run.ends_at = now + duration
    if spec.category == "Source":
        _start_source(world, p, ex, run, now)
    elif spec.provider == "CodeBuild":
        _start_build(world, p, ex, run, now, duration)
    elif spec.category == "Approval":
        run.token = new_uuid(p.rng)
        run.planned = "TimedOut"
        run.ends_at = now + 60 * (spec.timeout_minutes or DEFAULT_APPROVAL_MINUTES)
    else:
        _start_deploy(world, p, run)
    return run


def _start_source(world: WorldBase, p: Pipeline, ex: Execution, run: ActionRun, now: float) -> None:
    spec = run.spec
    override = ex.revision_overrides.get(spec.name)
    current = p.current_revision.get(spec.name)
    if override is not None:
        rev = make_revision(world, p, spec, now, override)
    elif ex.trigger_type in ("StartPipelineExecution", "CreatePipeline") and current is not None:
        rev = current  # "release change" rebuilds the head revision
    else:
        rev = make_revision(world, p, spec, now)
    run.revision = rev
    run.planned = "Succeeded" if run.planned != "Failed" else "Failed"
    run.external_id = rev.revision_id
    run.summary = _plain_summary(rev.summary)
    if spec.provider == "S3":
        run.output_variables = {"VersionId": rev.revision_id, "ETag": rev.change_id}
    else:
        run.output_variables = {
            "CommitId": rev.revision_id,
            "CommitMessage": _plain_summary(rev.summary),
            "BranchName": spec.configuration.get("BranchName", "main"),
        }
    if run.planned == "Failed":
        run.error_code = "JobFailed"
        run.error_message = "Could not fetch the source: the repository or branch was not found"


def _plain_summary(summary: str) -> str:
    if summary.startswith("{"):
        try:
            return str(json.loads(summary).get("CommitMessage", summary))
        except ValueError:
            return summary
    return summary


def _start_build(
    world: WorldBase, p: Pipeline, ex: Execution, run: ActionRun, now: float, duration: float
) -> None:
    spec, rng = run.spec, p.rng
    project = spec.configuration.get("ProjectName", f"{p.name}-build")
    build_uuid = new_uuid(rng)
    build_id = f"{project}:{build_uuid}"
    failed = run.planned == "Failed"
    phases = plan_phases(rng, now, duration)
    source = next(iter(ex.revisions), None)
    commands = {
        "test": "python -m pytest -v --color=yes",
        "lint": "cfn-lint templates/*.yaml",
        "train": "python train.py --config configs/large.yaml",
    }
    build = Build(
        id=build_id,
        arn=f"arn:aws:codebuild:{world.region}:{world.account}:build/{build_id}",
        number=world.next_build_number(project),
        project=project,
        kind=spec.build_kind,
        start=now,
        end=phases[-1].end,
        outcome="FAILED" if failed else "SUCCEEDED",
        phases=phases,
        initiator=f"codepipeline/{p.name}",
        source_version=f"arn:aws:s3:::codepipeline-{world.region}-{world.account[-6:]}/{p.name[:20]}/SourceArti/{build_uuid[:7]}",
        resolved_source_version=source.revision_id if source else f"{rng.getrandbits(160):040x}",
        log_group=f"/aws/codebuild/{project}",
        log_stream=build_uuid,
        service_role=f"arn:aws:iam::{world.account}:role/service-role/codebuild-{project}-service-role",
        failure_command=commands.get(spec.build_kind, "docker build -t $IMAGE_REPO ."),
    )
    world.builds[build_id] = build
    emit.build_changed(world, build, "IN_PROGRESS")
    world.schedule(phases[0].end, "build-phase", build_id, 0)
    rate = world.log_rate if spec.build_kind == "train" else None
    world.logs.add_stream(build.log_group, build_log_stream(build, f"{world.seed}:{build_id}", rate))
    run.build_id = build_id
    run.ends_at = build.end + rng.uniform(0.5, 2.0)  # the pipeline notices a moment later
    run.external_id = build_id
    run.external_url = (
        f"{CONSOLE}/codebuild/home?region={world.region}#/builds/{quote(build_id, safe='')}/view/new"
    )
    if failed:
        run.error_code = "JobFailed"
        run.error_message = (
            "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, "
            f"Message: Error while executing command: {build.failure_command}. Reason: exit status 1"
        )


def _start_deploy(world: WorldBase, p: Pipeline, run: ActionRun) -> None:
    spec, rng, region, cfg = run.spec, p.rng, world.region, run.spec.configuration
    failed = run.planned == "Failed"
    if spec.provider == "CodeDeploy":
        dep = "d-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
        run.external_id = dep
        run.external_url = f"{CONSOLE}/codedeploy/home?region={region}#/deployments/{dep}"
        run.summary = None if failed else "Deployment Succeeded"
        msg = (
            f"Deployment {dep} failed. The overall deployment failed because too many individual "
            "instances failed deployment."
        )
    elif spec.provider == "ECS":
        dep = f"ecs-svc/{rng.getrandbits(60):019d}"
        cluster, service = cfg.get("ClusterName", "default"), cfg.get("ServiceName", p.name)
        run.external_id = dep
        run.external_url = (
            f"{CONSOLE}/ecs/v2/clusters/{cluster}/services/{service}/deployments?region={region}"
        )
        msg = (
            f"The ECS service {service} did not stabilize: tasks failed to start (CannotPullContainerError)."
        )
    elif spec.provider == "CloudFormation":
        stack = cfg.get("StackName", p.name)
        arn = f"arn:aws:cloudformation:{region}:{world.account}:stack/{stack}/{new_uuid(rng)}"
        run.external_id = arn
        run.external_url = (
            f"{CONSOLE}/cloudformation/home?region={region}#/stacks/stackinfo?stackId={quote(arn, safe='')}"
        )
        done = "change set ready" if cfg.get("ActionMode") == "CHANGE_SET_REPLACE" else "update complete"
        run.summary = None if failed else f"Stack {stack} {done}"
        msg = (
            f"Stack {stack} is in UPDATE_ROLLBACK_COMPLETE state: Resource handler returned message: "
            f'"Rate exceeded" (RequestToken: {new_uuid(rng)})'
        )
    elif spec.provider == "Lambda":
        req = new_uuid(rng)
        run.external_id = req
        fn = cfg.get("FunctionName", "fn")
        group = f"$252Faws$252Flambda$252F{fn}"
        run.external_url = f"{CONSOLE}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{group}"
        msg = "Lambda function returned failure: smoke checks failed on 2 of 14 endpoints"
    else:
        run.summary = None if failed else f"Deployed to {cfg.get('BucketName', p.name)}"
        msg = "Access Denied: the pipeline role cannot write to the target bucket"
    if failed:
        run.error_code = "JobFailed"
        run.error_message = msg
