"""Scenarios: what each (account, region) world holds when it is first touched (the pipelines'
declarations are in ``tui.sim.scenario_specs``).

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

from tui.sim.scenario_specs import CLOUDFORMATION_TAGS, HOUR, demo_specs, scale_spec, secondary_specs
from tui.sim.world import flow, history, scheduled, trends
from tui.sim.world.world import World

DEFAULT_ACCOUNT = "123456789012"
SECOND_ACCOUNT = "210987654321"
ALICE = "arn:aws:sts::{account}:assumed-role/ReleaseManager/alice"


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
            flow.start_execution(world, p, *scheduled.auto_trigger_kind(world, p))

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


def build_secondary(world: World) -> None:
    t0 = world.t0
    world.now = t0 - HOUR
    suffix = "dr" if world.account == DEFAULT_ACCOUNT else "shared"
    specs = secondary_specs(world.account, world.region, t0, suffix)
    for i, spec in enumerate(specs):
        p = world.add_pipeline(spec, first_trigger=t0 + 600 + 200 * i)
        history.synthesize(world, p, 20, t0 - 4 * 86400, t0 - 2 * HOUR)
    first = world.pipelines[specs[0].name]
    first.force("Build", "Build", "Succeeded", 120)
    world.advance(t0 - 1200)
    flow.start_execution(world, first, *scheduled.auto_trigger_kind(world, first))
    world.advance(t0)


def build_scale(world: World, count: int) -> None:
    """``count`` Source/Build/Deploy pipelines with short history; five are running at t0."""
    t0 = world.t0
    world.now = t0 - HOUR
    for i in range(count):
        spec = scale_spec(i, t0)
        p = world.add_pipeline(spec, first_trigger=t0 + 600 + (i * 7919) % 7200)
        history.synthesize(world, p, 3, t0 - 2 * 86400, t0 - 2 * HOUR)
    world.advance(t0 - 120)
    names = list(world.pipelines)
    for i in range(min(5, count)):
        p = world.pipelines[names[i * max(1, count // 5)]]
        p.force("Build", "Build", "Succeeded", 900)
        flow.start_execution(world, p, *scheduled.auto_trigger_kind(world, p))
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
