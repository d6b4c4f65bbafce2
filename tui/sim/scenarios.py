"""Scenarios: what each (account, region) world holds when it is first touched.

``demo`` (the default): account 123456789012 in us-east-1
holds eleven pipelines of varied shapes with history and, at t0, a pending approval
(payments-api-prod / Approval / Approve-Production), a failed retryable stage (web-frontend / Test,
its latest execution), a disabled transition with a reason and an execution held at it
(infra-network / Production), a running CodeBuild build streaming logs (auth-service / Build) and a
long training build (ml-training / Train, the log firehose); billing-service is managed by a
CloudFormation stack (its tags say so) and checkout-web (V2: triggers, variables, stage conditions)
has its Production stage held by a beforeEntry DeploymentWindow rule until two hours after t0.
us-west-2 of the same account and account 210987654321 in us-east-1 hold a few pipelines each, with
a pending approval.
``scale``: N simple pipelines, five running. ``empty``: nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui.sim import pipelines as a
from tui.sim.world import flow, history, trends
from tui.sim.world.state import PipelineSpec, StageSpec, VariableSpec
from tui.sim.world.world import World

DEFAULT_ACCOUNT = "123456789012"
SECOND_ACCOUNT = "210987654321"
HOUR = 3600.0
ALICE = "arn:aws:sts::{account}:assumed-role/ReleaseManager/alice"


def _spec(
    name: str,
    stages: list[StageSpec],
    created: float,
    *,
    pipeline_type: str = "V2",
    execution_mode: str = "SUPERSEDED",
    version: int = 1,
    variables: list[VariableSpec] | None = None,
    trigger_every: tuple[float, float] | None = (900.0, 2400.0),
) -> PipelineSpec:
    return PipelineSpec(
        name=name,
        stages=stages,
        pipeline_type=pipeline_type,
        execution_mode="SUPERSEDED" if pipeline_type == "V1" else execution_mode,
        variables=variables or [],
        version=version,
        created=created,
        updated=created + 86400 * 3,
        trigger_every=trigger_every,
    )


def _rule(name: str, provider: str, **configuration: str) -> dict[str, Any]:
    return {
        "name": name,
        "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": configuration,
    }


def deployment_window(t0: float) -> str:
    """An AWS cron (UTC) whose window opens two hours after ``t0`` for two hours: closed at t0,
    whatever the clock says when the demo starts."""
    hour = datetime.fromtimestamp(t0, UTC).hour
    return f"0 {(hour + 2) % 24},{(hour + 3) % 24} ? * * *"


def managed_specs(account: str, region: str, t0: float) -> list[PipelineSpec]:
    """The two pipelines that show managing pipelines: billing-service, made by a
    CloudFormation stack (tagged aws:cloudformation:stack-name), and checkout-web, a V2 pipeline
    with git triggers, pipeline variables and stage conditions whose Production stage is held by
    a deployment window at t0."""
    c = t0 - 86400 * 120
    billing = _spec(
        "billing-service",
        [
            StageSpec("Source", [a.codecommit("billing-service")]),
            StageSpec("Build", [a.codebuild("Build", "billing-service-build", outputs=("BuildArtifact",))]),
            StageSpec("Deploy", [a.cloudformation("Deploy-Stack", "billing-service")]),
        ],
        c,
        execution_mode="QUEUED",
        version=6,
        trigger_every=(2 * HOUR, 5 * HOUR),
    )
    billing.extra = {
        "roleArn": f"arn:aws:iam::{account}:role/billing-service-pipeline-PipelineRole-1Q2W3E4R5T6Y",
        "artifactStore": {
            "type": "S3",
            "location": f"billing-service-pipeline-artifactsbucket-{account[-6:]}",
        },
    }
    checkout = _spec(
        "checkout-web",
        [
            StageSpec("Source", [a.connection_source(account, region, "acme/checkout-web")]),
            StageSpec("Build", [a.codebuild("Build", "checkout-web-build", outputs=("BuildArtifact",))]),
            StageSpec(
                "Staging",
                [a.ecs("Deploy-Staging", "staging", "checkout-web")],
                on_success={
                    "conditions": [
                        {
                            "result": "ROLLBACK",
                            "rules": [
                                _rule(
                                    "Staging-5xx-Alarm",
                                    "CloudWatchAlarm",
                                    AlarmName="checkout-web-staging-5xx",
                                    WaitTime="2",
                                )
                            ],
                        }
                    ]
                },
            ),
            StageSpec(
                "Production",
                [a.ecs("Deploy-Production", "prod", "checkout-web")],
                before_entry={
                    "conditions": [
                        {
                            "result": "FAIL",
                            "rules": [
                                _rule(
                                    "Stable-Channel",
                                    "VariableCheck",
                                    Variable="#{variables.RELEASE_CHANNEL}",
                                    Value="stable",
                                    Operator="EQ",
                                ),
                                _rule(
                                    "Business-Hours-Window",
                                    "DeploymentWindow",
                                    Cron=deployment_window(t0),
                                    TimeZone="UTC",
                                ),
                            ],
                        }
                    ]
                },
                on_failure={"result": "ROLLBACK"},
            ),
        ],
        c + 5000,
        execution_mode="QUEUED",
        version=12,
        variables=[
            VariableSpec("RELEASE_CHANNEL", "stable", "stable or beta: Production admits stable only"),
            VariableSpec("CANARY_PERCENT", "10", "Share of traffic the new tasks take first"),
        ],
        trigger_every=(3 * HOUR, 6 * HOUR),
    )
    checkout.triggers = [
        {
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {
                "sourceActionName": "Source",
                "push": [
                    {
                        "branches": {"includes": ["main", "release/*"], "excludes": ["release/legacy-*"]},
                        "filePaths": {
                            "includes": ["src/**", "package.json"],
                            "excludes": ["docs/**", "**/*.md"],
                        },
                    },
                    {"tags": {"includes": ["v*"], "excludes": ["v*-rc*"]}},
                ],
                "pullRequest": [
                    {
                        "events": ["OPEN", "UPDATED"],
                        "branches": {"includes": ["main"]},
                        "filePaths": {"excludes": ["docs/**"]},
                    }
                ],
            },
        }
    ]
    return [billing, checkout]


CLOUDFORMATION_TAGS = {
    "aws:cloudformation:stack-name": "billing-service-pipeline",
    "aws:cloudformation:logical-id": "Pipeline",
    "team": "billing",
}


def demo_specs(account: str, region: str, t0: float) -> list[PipelineSpec]:
    """The pipelines of the main demo world: nine, then the two of ``managed_specs``."""
    c = t0 - 86400 * 200
    grafana = "https://grafana.example.com/d/payments/staging-health?from=now-1h"
    topic = f"arn:aws:sns:{region}:{account}:release-approvals"
    return [
        _spec(
            "payments-api-prod",
            [
                StageSpec("Source", [a.codecommit("payments-api")]),
                StageSpec(
                    "Build",
                    [
                        a.codebuild("Build", "payments-api-build", outputs=("BuildArtifact",)),
                        a.codebuild("Unit-Tests", "payments-api-unit-tests", "test", "Test", fail_rate=0.08),
                        a.codebuild(
                            "Security-Scan",
                            "payments-api-sast",
                            "build",
                            "Test",
                            run_order=2,
                            duration=(60, 120),
                        ),
                    ],
                ),
                StageSpec("Staging", [a.codedeploy("Deploy-Staging", "payments-api", "staging")]),
                StageSpec(
                    "Approval",
                    [
                        a.approval(
                            "Approve-Production",
                            "Check the staging error rate and p99 latency before promoting to production.",
                            grafana,
                            minutes=60,
                            topic=topic,
                        )
                    ],
                ),
                StageSpec("Production", [a.codedeploy("Deploy-Production", "payments-api", "production")]),
            ],
            c,
            pipeline_type="V2",
            execution_mode="QUEUED",
            version=14,
            variables=[
                VariableSpec("DEPLOY_ENV", "prod", "Target environment"),
                VariableSpec("RELEASE_NOTES", "routine release", "Shown in the approval"),
            ],
        ),
        _spec(
            "web-frontend",
            [
                StageSpec("Source", [a.connection_source(account, region, "acme/web-frontend")]),
                StageSpec("Build", [a.codebuild("Build", "web-frontend-build", outputs=("BuildArtifact",))]),
                StageSpec(
                    "Test",
                    [
                        a.codebuild("Unit-Tests", "web-frontend-unit", "test", "Test"),
                        a.codebuild("E2E-Tests", "web-frontend-e2e", "test", "Test", fail_rate=0.25),
                    ],
                ),
                StageSpec(
                    "Deploy",
                    [
                        a.s3_deploy("Deploy-Site", "acme-web-frontend-prod"),
                        a.lambda_invoke("Invalidate-CDN", "cdn-invalidate", run_order=2),
                    ],
                ),
            ],
            c + 9000,
            pipeline_type="V2",
            execution_mode="SUPERSEDED",
            version=7,
        ),
        _spec(
            "data-etl-nightly",
            [
                StageSpec("Source", [a.s3_source("acme-etl-artifacts", "etl/job-bundle.zip", poll=True)]),
                StageSpec(
                    "Package", [a.codebuild("Package", "data-etl-package", outputs=("BuildArtifact",))]
                ),
                StageSpec("Deploy", [a.cloudformation("Deploy-Stack", "data-etl-nightly")]),
            ],
            c + 20000,
            pipeline_type="V1",
            version=3,
            trigger_every=(4 * HOUR, 8 * HOUR),
        ),
        _spec(
            "auth-service",
            [
                StageSpec("Source", [a.connection_source(account, region, "acme/auth-service", "bitbucket")]),
                StageSpec("Build", [a.codebuild("Build", "auth-service-build", outputs=("BuildArtifact",))]),
                StageSpec("Deploy", [a.ecs("Deploy-ECS", "prod", "auth-service")]),
            ],
            c + 30000,
            pipeline_type="V2",
            execution_mode="PARALLEL",
            version=5,
        ),
        _spec(
            "mobile-backend-staging",
            [
                StageSpec("Source", [a.codecommit("mobile-backend", "develop")]),
                StageSpec(
                    "Build", [a.codebuild("Build", "mobile-backend-build", outputs=("BuildArtifact",))]
                ),
                StageSpec(
                    "Test",
                    [a.codebuild("Integration-Tests", "mobile-backend-it", "test", "Test", fail_rate=0.12)],
                ),
                StageSpec("Deploy", [a.ecs("Deploy-ECS", "staging", "mobile-backend")]),
            ],
            c + 40000,
            pipeline_type="V1",
            version=9,
        ),
        _spec(
            "infra-network",
            [
                StageSpec("Source", [a.codecommit("infra-network")]),
                StageSpec(
                    "Validate",
                    [
                        a.codebuild(
                            "cfn-lint",
                            "infra-network-lint",
                            "lint",
                            "Test",
                            duration=(60, 90),
                            outputs=("BuildArtifact",),
                        )
                    ],
                ),
                StageSpec(
                    "Plan", [a.cloudformation("Create-ChangeSet", "infra-network", "CHANGE_SET_REPLACE")]
                ),
                StageSpec(
                    "Production",
                    [a.cloudformation("Execute-ChangeSet", "infra-network", "CHANGE_SET_EXECUTE")],
                ),
            ],
            c + 50000,
            pipeline_type="V2",
            execution_mode="QUEUED",
            version=21,
        ),
        _spec(
            "ml-training",
            [
                StageSpec("Source", [a.s3_source("acme-ml-datasets", "datasets/clickstream.tar.gz")]),
                StageSpec(
                    "Preprocess",
                    [
                        a.codebuild(
                            "Preprocess", "ml-preprocess", duration=(90, 180), outputs=("BuildArtifact",)
                        )
                    ],
                ),
                StageSpec(
                    "Train",
                    [a.codebuild("Train-Model", "ml-train", "train", duration=(2700, 5400), fail_rate=0.1)],
                ),
                StageSpec(
                    "Evaluate", [a.codebuild("Evaluate", "ml-evaluate", "test", "Test", duration=(60, 150))]
                ),
                StageSpec("Register", [a.lambda_invoke("Register-Model", "model-registry-put")]),
            ],
            c + 60000,
            pipeline_type="V2",
            execution_mode="PARALLEL",
            version=4,
            trigger_every=(3 * HOUR, 6 * HOUR),
            variables=[VariableSpec("EPOCHS", "20"), VariableSpec("MODEL_SIZE", "large")],
        ),
        _spec(
            "docs-site",
            [
                StageSpec("Source", [a.connection_source(account, region, "acme/docs")]),
                StageSpec(
                    "Build",
                    [
                        a.codebuild(
                            "Build-Docs", "docs-site-build", duration=(60, 100), outputs=("BuildArtifact",)
                        )
                    ],
                ),
                StageSpec("Deploy", [a.s3_deploy("Publish", "acme-docs-site")]),
            ],
            c + 70000,
            pipeline_type="V1",
            version=2,
        ),
        _spec(
            "order-service",
            [
                StageSpec("Source", [a.codecommit("order-service")]),
                StageSpec(
                    "Build",
                    [
                        a.codebuild("Build", "order-service-build", outputs=("BuildArtifact",)),
                        a.codebuild("Unit-Tests", "order-service-unit", "test", "Test"),
                        a.codebuild("Package", "order-service-package", run_order=2, duration=(60, 90)),
                    ],
                ),
                StageSpec(
                    "Integration",
                    [a.codebuild("Integration-Tests", "order-service-it", "test", "Test", fail_rate=0.1)],
                ),
                StageSpec("Staging", [a.ecs("Deploy-Staging", "staging", "order-service")]),
                StageSpec(
                    "Canary",
                    [
                        a.codedeploy("Deploy-Canary", "order-service", "canary"),
                        a.lambda_invoke("Canary-Checks", "order-canary-checks", run_order=2),
                    ],
                ),
                StageSpec(
                    "Approval",
                    [
                        a.approval(
                            "Approve-Release",
                            "Canary metrics attached to the change ticket.",
                            "https://tickets.example.com/CHG-2291",
                            minutes=120,
                        )
                    ],
                ),
                StageSpec("Production-us-east-1", [a.ecs("Deploy-ECS", "prod", "order-service")]),
                StageSpec(
                    "Production-eu-west-1", [a.ecs("Deploy-ECS", "prod", "order-service", region="eu-west-1")]
                ),
            ],
            c + 80000,
            pipeline_type="V2",
            execution_mode="SUPERSEDED",
            version=31,
        ),
        *managed_specs(account, region, t0),
    ]


def _success(world: World, name: str, *actions: tuple[str, str], duration: float | None = None) -> None:
    p = world.pipelines[name]
    for stage, action in actions:
        p.force(stage, action, "Succeeded", duration)


def build_demo(world: World) -> None:
    """Populate the main demo world: history, then a short warm-up that ends in the t0 state."""
    t0 = world.t0
    live = t0 - 3 * HOUR
    world.now = live
    first_triggers = {"web-frontend": t0 + 2 * HOUR, "payments-api-prod": t0 + 25 * 60}
    for i, spec in enumerate(demo_specs(world.account, world.region, t0)):
        p = world.add_pipeline(spec, first_trigger=first_triggers.get(spec.name, t0 + 300 + 137 * i))
        trends.synthesize(world, p, 22 + (i * 5) % 9, t0 - 6 * 86400, live - 600)  # history + trends
    caller = ALICE.format(account=world.account)
    world.pipelines["billing-service"].tags = dict(CLOUDFORMATION_TAGS) | {
        "aws:cloudformation:stack-id": (
            f"arn:aws:cloudformation:{world.region}:{world.account}:stack/billing-service-pipeline/"
            "6b1e4f60-5a8e-11ef-9c1a-0affd3e5a1b7"
        )
    }
    infra = world.pipelines["infra-network"]
    prod = infra.transitions["Production"]
    prod.enabled, prod.changed_by, prod.changed_at = False, caller, live + 60
    prod.reason = "Change freeze until the Q4 audit completes"

    def at(when: float, fn: Callable[[], None]) -> None:
        world.advance(when)
        fn()

    def start(name: str) -> Callable[[], None]:
        p = world.pipelines[name]

        def go() -> None:
            flow.start_execution(world, p, *flow.auto_trigger_kind(world, p))

        return go

    _success(world, "infra-network", ("Validate", "cfn-lint"), ("Plan", "Create-ChangeSet"))
    at(t0 - 2 * HOUR, start("infra-network"))
    _success(world, "web-frontend", ("Build", "Build"), ("Test", "Unit-Tests"))
    world.pipelines["web-frontend"].force("Test", "E2E-Tests", "Failed")
    at(t0 - 1500, start("web-frontend"))
    # checkout-web passes Build and Staging (its alarm stays OK) and is held before Production by
    # the closed deployment window (see deployment_window).
    _success(world, "checkout-web", ("Build", "Build"), duration=300)
    _success(world, "checkout-web", ("Staging", "Deploy-Staging"), duration=120)
    at(t0 - 1200, start("checkout-web"))
    _success(
        world,
        "payments-api-prod",
        ("Build", "Build"),
        ("Build", "Unit-Tests"),
        ("Build", "Security-Scan"),
        ("Staging", "Deploy-Staging"),
    )
    at(t0 - 900, start("payments-api-prod"))
    _success(world, "ml-training", ("Preprocess", "Preprocess"), duration=100)
    _success(world, "ml-training", ("Train", "Train-Model"), duration=3900)
    at(t0 - 600, start("ml-training"))
    _success(world, "order-service", ("Build", "Build"), ("Build", "Unit-Tests"), ("Build", "Package"))
    at(t0 - 420, start("order-service"))
    _success(world, "auth-service", ("Build", "Build"), duration=420)
    at(t0 - 45, start("auth-service"))
    world.advance(t0)


def secondary_specs(account: str, region: str, t0: float) -> list[PipelineSpec]:
    """A few pipelines for the other demo worlds (second region, second account)."""
    c = t0 - 86400 * 90
    suffix = "dr" if account == DEFAULT_ACCOUNT else "shared"
    return [
        _spec(
            f"payments-api-{suffix}",
            [
                StageSpec("Source", [a.codecommit("payments-api")]),
                StageSpec(
                    "Build", [a.codebuild("Build", f"payments-{suffix}-build", outputs=("BuildArtifact",))]
                ),
                StageSpec("Approval", [a.approval("Approve", f"Promote to {region}", None, minutes=90)]),
                StageSpec("Deploy", [a.codedeploy("Deploy", "payments-api", suffix)]),
            ],
            c,
            pipeline_type="V2",
            execution_mode="QUEUED",
        ),
        _spec(
            f"platform-{suffix}-config",
            [
                StageSpec("Source", [a.s3_source(f"acme-{suffix}-config", "config.zip")]),
                StageSpec("Deploy", [a.cloudformation("Deploy-Stack", f"platform-{suffix}")]),
            ],
            c + 1000,
            pipeline_type="V1",
        ),
        _spec(
            f"batch-reports-{suffix}",
            [
                StageSpec("Source", [a.connection_source(account, region, f"acme/batch-reports-{suffix}")]),
                StageSpec(
                    "Build", [a.codebuild("Build", f"batch-reports-{suffix}", outputs=("BuildArtifact",))]
                ),
                StageSpec("Deploy", [a.ecs("Deploy", "batch", "reports")]),
            ],
            c + 2000,
            pipeline_type="V2",
            execution_mode="SUPERSEDED",
        ),
    ]


def build_secondary(world: World) -> None:
    t0 = world.t0
    world.now = t0 - HOUR
    specs = secondary_specs(world.account, world.region, t0)
    for i, spec in enumerate(specs):
        p = world.add_pipeline(spec, first_trigger=t0 + 600 + 200 * i)
        history.synthesize(world, p, 20, t0 - 4 * 86400, t0 - 2 * HOUR)
    first = world.pipelines[specs[0].name]
    first.force("Build", "Build", "Succeeded", 120)
    world.advance(t0 - 1200)
    flow.start_execution(world, first, *flow.auto_trigger_kind(world, first))
    world.advance(t0)


def build_scale(world: World, count: int) -> None:
    """``count`` Source/Build/Deploy pipelines with short history; five are running at t0."""
    t0 = world.t0
    world.now = t0 - HOUR
    teams = ["payments", "search", "identity", "growth", "risk", "catalog", "ledger", "notify"]
    kinds = ["api", "worker", "web", "etl", "gateway"]
    for i in range(count):
        name = f"{teams[i % 8]}-{kinds[(i // 8) % 5]}-{i:04d}"
        spec = _spec(
            name,
            [
                StageSpec("Source", [a.codecommit(name)]),
                StageSpec("Build", [a.codebuild("Build", f"{name}-build", outputs=("BuildArtifact",))]),
                StageSpec("Deploy", [a.ecs("Deploy", "prod", name)]),
            ],
            t0 - 86400 * 30,
            pipeline_type="V2" if i % 3 else "V1",
            trigger_every=(2 * HOUR, 6 * HOUR),
        )
        p = world.add_pipeline(spec, first_trigger=t0 + 600 + (i * 7919) % 7200)
        history.synthesize(world, p, 3, t0 - 2 * 86400, t0 - 2 * HOUR)
    world.advance(t0 - 120)
    names = list(world.pipelines)
    for i in range(min(5, count)):
        p = world.pipelines[names[i * max(1, count // 5)]]
        p.force("Build", "Build", "Succeeded", 900)
        flow.start_execution(world, p, *flow.auto_trigger_kind(world, p))
    world.advance(t0)


SCENARIOS = ("demo", "scale", "empty")


def populate(world: World, scenario: str, pipelines: int | None) -> None:
    """Fill a freshly created world for ``scenario``."""
    if scenario == "empty":
        return
    if scenario == "scale":
        if world.account == DEFAULT_ACCOUNT and world.region == "us-east-1":
            build_scale(world, 200 if pipelines is None else pipelines)
        return
    if world.account == DEFAULT_ACCOUNT and world.region == "us-east-1":
        build_demo(world)
    elif (world.account, world.region) in ((DEFAULT_ACCOUNT, "us-west-2"), (SECOND_ACCOUNT, "us-east-1")):
        build_secondary(world)
