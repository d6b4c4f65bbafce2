"""Build log output that looks like CodeBuild's: container phase lines, pip/npm, docker, pytest.

``build_log_stream`` turns a planned ``Build`` into a ``LogStream``. Lines are generated lazily
(first read) from a seeded RNG, so a demo with hundreds of past builds costs nothing until someone
opens a log. Messages end with a newline as CodeBuild's do, and pytest lines carry ANSI colours.
A ``train`` build logs its BUILD phase as a ``RateSegment`` of ``rate`` lines per second.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from tui.sim.logstream import Line, LogStream, RateSegment, ScriptSegment, Segment
from tui.sim.world.builds import Build, Phase

GREEN, RED, YELLOW, BOLD, RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"

_PACKAGES = [
    ("boto3", "1.34.69"),
    ("requests", "2.31.0"),
    ("pydantic", "2.6.4"),
    ("fastapi", "0.110.0"),
    ("sqlalchemy", "2.0.29"),
    ("pytest", "8.1.1"),
    ("structlog", "24.1.0"),
    ("uvicorn", "0.29.0"),
    ("numpy", "1.26.4"),
    ("orjson", "3.10.0"),
]
_TEST_FILES = ["test_api", "test_models", "test_refunds", "test_auth", "test_ledger", "test_events"]
_TEST_NAMES = ["create", "update", "delete", "list_paginated", "idempotent_retry", "rounding"]


def _stamp(ms: int) -> str:
    when = datetime.fromtimestamp(ms / 1000, UTC)
    return when.strftime("%Y/%m/%d %H:%M:%S.") + f"{when.microsecond:06d}"


def _container(ms: int, text: str) -> Line:
    return ms, f"[Container] {_stamp(ms)} {text}\n"


def _spread(rng: random.Random, phase: Phase, texts: list[str], container: bool) -> list[Line]:
    """Place ``texts`` inside a phase window, in order, at jittered times."""
    lo, hi = int(phase.start * 1000), max(int(phase.start * 1000) + 1, int(phase.end * 1000) - 5)
    times = sorted(rng.randint(lo, hi) for _ in texts)
    out: list[Line] = []
    for ms, text in zip(times, texts, strict=True):
        out.append(_container(ms, text) if container else (ms, text + "\n"))
    return out


def _phase_lines(rng: random.Random, phase: Phase, body: list[str], status: str) -> list[Line]:
    ms0 = int(phase.start * 1000)
    ms1 = max(ms0 + 2, int(phase.end * 1000) - 2)
    lines = [_container(ms0, f"Entering phase {phase.name}")]
    inner = Phase(phase.name, phase.start + 0.002, max(phase.start + 0.003, phase.end - 0.01))
    lines += _spread(rng, inner, body, container=False)
    lines.append(_container(ms1 - 1, f"Phase complete: {phase.name} State: {status}"))
    lines.append(_container(ms1, "Phase context status code:  Message: "))
    return lines


def _install(rng: random.Random, kind: str) -> list[str]:
    out = ["[Container] Running command pip install --upgrade pip"]
    out.append("Requirement already satisfied: pip in /root/.pyenv/versions/3.12.1/lib (24.0)")
    out.append("[Container] Running command pip install -r requirements.txt")
    picked = rng.sample(_PACKAGES, k=6 if kind != "train" else 9)
    for name, ver in picked:
        out.append(f"Collecting {name}=={ver}")
        out.append(f"  Downloading {name}-{ver}-py3-none-any.whl ({rng.randint(40, 900)} kB)")
    installed = " ".join(f"{n}-{v}" for n, v in picked)
    out.append(f"Successfully installed {installed}")
    return out


def _build_body(rng: random.Random, build: Build, failed: bool) -> list[str]:
    if build.kind == "test":
        return _pytest(rng, failed)
    if build.kind == "lint":
        out = ["[Container] Running command cfn-lint templates/*.yaml"]
        out += [f"Linting templates/{n}.yaml" for n in ("vpc", "subnets", "routes", "endpoints")]
        if failed:
            out.append(
                f"{RED}E3012 Property Resources/NatGateway/Properties/SubnetId must be a String{RESET}"
            )
            out.append("templates/subnets.yaml:88:7")
        return out
    steps = rng.randint(9, 14)
    out = ["[Container] Running command docker build -t $IMAGE_REPO:$CODEBUILD_RESOLVED_SOURCE_VERSION ."]
    out.append("Sending build context to Docker daemon  4.21MB")
    for i in range(1, steps + 1):
        out.append(f"Step {i}/{steps} : {_docker_step(i, steps)}")
        out.append(f" ---> {rng.getrandbits(48):012x}")
    if failed:
        out.append(
            f'{RED}ERROR: failed to solve: process "/bin/sh -c pip install -r requirements.txt" '
            f"did not complete successfully: exit code: 1{RESET}"
        )
    else:
        out.append(f"Successfully built {rng.getrandbits(48):012x}")
    return out


def _docker_step(i: int, steps: int) -> str:
    if i == 1:
        return "FROM public.ecr.aws/docker/library/python:3.12-slim"
    if i == steps:
        return 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]'
    return [
        "WORKDIR /app",
        "COPY requirements.txt .",
        "RUN pip install -r requirements.txt",
        "COPY . .",
        "ENV PYTHONUNBUFFERED=1",
        "EXPOSE 8080",
        "USER 1000",
    ][i % 7]


def _pytest(rng: random.Random, failed: bool) -> list[str]:
    total = rng.randint(120, 320)
    out = ["[Container] Running command python -m pytest -v --color=yes"]
    out.append(
        f"{BOLD}============================= test session starts =============================={RESET}"
    )
    out.append("platform linux -- Python 3.12.1, pytest-8.1.1, pluggy-1.4.0")
    out.append("rootdir: /codebuild/output/src/src")
    out.append(f"{BOLD}collected {total} items{RESET}")
    out.append("")
    failing = rng.randrange(total) if failed else -1
    failing_name = ""
    for i in range(total):
        name = f"tests/{rng.choice(_TEST_FILES)}.py::test_{rng.choice(_TEST_NAMES)}_{i}"
        pct = (i + 1) * 100 // total
        if i == failing:
            failing_name = name
            out.append(f"{name} {RED}FAILED{RESET} [{pct:3d}%]")
        else:
            out.append(f"{name} {GREEN}PASSED{RESET} [{pct:3d}%]")
    if failed:
        out += _traceback(failing_name)
        out.append(
            f"{RED}FAILED{RESET} {failing_name} - AssertionError: assert Decimal('10.01') == Decimal('10.00')"
        )
        rule = "=" * 25
        out.append(f"{RED}{rule} 1 failed, {total - 1} passed in {rng.uniform(20, 90):.2f}s {rule}{RESET}")
    else:
        rule = "=" * 29
        out.append(f"{GREEN}{rule} {total} passed in {rng.uniform(20, 90):.2f}s {rule}{RESET}")
    return out


def _traceback(name: str) -> list[str]:
    return [
        "",
        "=================================== FAILURES ===================================",
        f"{RED}{BOLD}_________________________ {name.split('::')[-1]} _________________________{RESET}",
        "",
        "    def test_partial_refund_rounding():",
        "        order = make_order(total=Decimal('20.01'))",
        ">       assert refund(order, ratio=Decimal('0.5')) == Decimal('10.00')",
        f"{RED}E       AssertionError: assert Decimal('10.01') == Decimal('10.00'){RESET}",
        "",
        "Traceback (most recent call last):",
        '  File "/codebuild/output/src/src/app/refunds.py", line 42, in refund',
        "    return (order.total * ratio).quantize(CENT, rounding=ROUND_HALF_UP)",
        '  File "/codebuild/output/src/src/app/money.py", line 17, in quantize',
        "    raise AssertionError(f'unexpected rounding for {value!r}')",
        f"{name.split('::')[0]}:57: AssertionError",
    ]


def _train_line() -> Callable[[int], str]:
    def line(i: int) -> str:
        epoch, step = divmod(i, 5000)
        loss = 2.5 / (1 + i / 4000) + ((i * 7919) % 97) / 2000
        return (
            f"[train] epoch {epoch + 1:>3} step {step + 1:>5}/5000 loss={loss:.4f} "
            f"lr=3.0e-04 grad_norm={((i * 31) % 211) / 100:.2f} tokens/s={18000 + (i * 13) % 900}\n"
        )

    return line


def build_log_stream(build: Build, seed: str, rate: int | None) -> LogStream:
    """The log stream of ``build``: the whole CodeBuild output over its planned timeline."""
    failed = build.outcome == "FAILED"
    build_phase = build.phase("BUILD")

    def head() -> list[Line]:
        rng = random.Random(f"{seed}:head")
        prov = build.phase("PROVISIONING")
        dl = build.phase("DOWNLOAD_SOURCE")
        ms = int(prov.start * 1000)
        lines = [
            _container(ms, "Running on CodeBuild On-demand"),
            _container(ms + 3, "Waiting for agent ping"),
        ]
        lines.append(_container(int(dl.start * 1000) - 2, "Waiting for DOWNLOAD_SOURCE"))
        src = f"/codebuild/output/src{rng.randint(10**8, 10**9)}/src"
        lines += _spread(
            rng,
            dl,
            [
                "Phase is DOWNLOAD_SOURCE",
                f"CODEBUILD_SRC_DIR={src}",
                f"YAML location is {src}/buildspec.yml",
                "Setting HTTP client timeout to higher timeout for S3 source",
                "Processing environment variables",
                "No runtime version selected in buildspec.",
                f"Moving to directory {src}",
                "Cache is not defined in the buildspec",
                "Registering with agent",
                "Phases found in YAML: 4",
                " INSTALL: 2 commands",
                " PRE_BUILD: 1 commands",
                " BUILD: 1 commands",
                " POST_BUILD: 1 commands",
                "Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED",
                "Phase context status code:  Message: ",
            ],
            container=True,
        )
        lines += _phase_lines(rng, build.phase("INSTALL"), _install(rng, build.kind), "SUCCEEDED")
        lines += _phase_lines(
            rng,
            build.phase("PRE_BUILD"),
            [
                "[Container] Running command echo Logging in to Amazon ECR...",
                "Logging in to Amazon ECR...",
                "Login Succeeded",
            ],
            "SUCCEEDED",
        )
        lines.append(_container(int(build_phase.start * 1000), "Entering phase BUILD"))
        if build.kind == "train":
            lines.append(
                _container(
                    int(build_phase.start * 1000) + 1,
                    "Running command python train.py --config configs/large.yaml",
                )
            )
        return lines

    def tail() -> list[Line]:
        rng = random.Random(f"{seed}:tail")
        lines: list[Line] = []
        if build.kind != "train":
            inner = Phase("BUILD", build_phase.start + 0.01, build_phase.end - 0.05)
            lines += _spread(rng, inner, _build_body(rng, build, failed), container=False)
        end_ms = int(build_phase.end * 1000)
        if failed:
            cmd = build.failure_command
            lines.append(_container(end_ms - 3, f"Command did not exit successfully {cmd} exit status 1"))
            lines.append(_container(end_ms - 2, "Phase complete: BUILD State: FAILED"))
            lines.append(
                _container(
                    end_ms - 1,
                    "Phase context status code: COMMAND_EXECUTION_ERROR Message: "
                    f"Error while executing command: {cmd}. Reason: exit status 1",
                )
            )
        else:
            lines.append(_container(end_ms - 2, "Phase complete: BUILD State: SUCCEEDED"))
            lines.append(_container(end_ms - 1, "Phase context status code:  Message: "))
        lines += _phase_lines(
            rng,
            build.phase("POST_BUILD"),
            [
                "[Container] Running command echo Build completed on `date`",
                f"Build completed on {_stamp(int(build.phase('POST_BUILD').start * 1000))[:19]}",
            ],
            "SUCCEEDED",
        )
        lines += _phase_lines(
            rng,
            build.phase("UPLOAD_ARTIFACTS"),
            [
                "Expanding base directory path: .",
                "Assembling file list",
                "Expanding .",
                f"Found {rng.randint(3, 40)} file(s)",
            ],
            "SUCCEEDED",
        )
        return lines

    segments: list[Segment] = [ScriptSegment(head)]
    if build.kind == "train":
        start_ms = int(build_phase.start * 1000) + 50
        end_ms = int(build_phase.end * 1000) - 50
        segments.append(RateSegment(start_ms, end_ms, rate or 20, _train_line()))
    segments.append(ScriptSegment(tail))
    created = int(build.phase("PROVISIONING").start * 1000)
    return LogStream(build.log_group, build.log_stream, created, segments)
