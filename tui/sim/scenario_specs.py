"""What the simulator's scenarios hold: their pipelines' declarations (stages, actions, V2
conditions, triggers, variables), as data. ``tui.sim.scenarios`` adds them to a world and stages
what is going on at t0."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tui.sim import pipelines as a
from tui.sim.world.state import PipelineSpec, StageSpec, VariableSpec

HOUR = 3600.0


def pipeline_spec(
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
    billing = pipeline_spec(
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
    checkout = pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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
        pipeline_spec(
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


def secondary_specs(account: str, region: str, t0: float, suffix: str) -> list[PipelineSpec]:
    """A few pipelines for the other demo worlds (second region ``dr``, second account ``shared``)."""
    c = t0 - 86400 * 90
    return [
        pipeline_spec(
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
        pipeline_spec(
            f"platform-{suffix}-config",
            [
                StageSpec("Source", [a.s3_source(f"acme-{suffix}-config", "config.zip")]),
                StageSpec("Deploy", [a.cloudformation("Deploy-Stack", f"platform-{suffix}")]),
            ],
            c + 1000,
            pipeline_type="V1",
        ),
        pipeline_spec(
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


def scale_spec(index: int, t0: float) -> PipelineSpec:
    """The ``scale`` scenario's pipeline number ``index``: Source, Build, Deploy (a third are V1)."""
    teams = ["payments", "search", "identity", "growth", "risk", "catalog", "ledger", "notify"]
    kinds = ["api", "worker", "web", "etl", "gateway"]
    name = f"{teams[index % 8]}-{kinds[(index // 8) % 5]}-{index:04d}"
    return pipeline_spec(
        name,
        [
            StageSpec("Source", [a.codecommit(name)]),
            StageSpec("Build", [a.codebuild("Build", f"{name}-build", outputs=("BuildArtifact",))]),
            StageSpec("Deploy", [a.ecs("Deploy", "prod", name)]),
        ],
        t0 - 86400 * 30,
        pipeline_type="V2" if index % 3 else "V1",
        trigger_every=(2 * HOUR, 6 * HOUR),
    )
