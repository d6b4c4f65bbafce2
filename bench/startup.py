"""Cold start: ``cptui`` from process start to live rows, beside an ``aws`` CLI loop over the same pipelines.

cptui runs as a real process in a pseudo-terminal (120x36) against the ``scale`` simulator (RealClock,
on a thread of this process), with the start-up probe of ``tui/app/bench_hook.py``: it writes when the
first frame, the first rows and the first live statuses are on screen, then exits. Peak RSS is the
child's own (``os.wait4``), not the maximum over every child this process ever waited for.

The CLI loop is what people do without cptui: one ``aws codepipeline get-pipeline-state`` process per
pipeline, one after the other, against the same endpoint. Running a program in a pseudo-terminal and
reading its screen is ``terminal.py``'s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import median, spread
from terminal import SCREEN_SIZE, run_in_pty, screen_run

from tui.sim import RealClock, Simulator

SIZE = (120, 36)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKID123456789012", "AWS_SECRET_ACCESS_KEY": "bench"}
CHILD_TIMEOUT = 60.0


def _child_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "CPTUI_", "TEXTUAL_")) and k not in ("COLUMNS", "LINES")
    }
    env.update(CREDENTIALS)
    env.update(
        TERM="xterm-256color",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra or {})
    return env


def cptui_command() -> list[str]:
    """The installed console script, else ``python -m tui``."""
    script = Path(sys.executable).with_name("cptui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def cptui_cold_start(url: str, home: Path, last: str = "live_all") -> dict[str, Any]:
    """One cold start until milestone ``last``: seconds from spawn to each milestone, peak RSS."""
    ready = home / "ready.txt"
    ready.unlink(missing_ok=True)
    env = _child_env(home, {"CPTUI_BENCH_READY_FILE": str(ready), "CPTUI_BENCH_EXIT": last})
    argv = [*cptui_command(), "--endpoint-url", url, "--region", "us-east-1"]
    began, code, rss_kb = run_in_pty(argv, env, CHILD_TIMEOUT, SIZE)
    marks: dict[str, float] = {}
    probe_rss = 0
    if ready.exists():
        for line in ready.read_text(encoding="ascii").splitlines():
            name, value = line.split()
            if name == "rss":
                probe_rss = int(value)
            else:
                marks[name] = round(float(value) - began, 3)
    return {"exit": code, "seconds": marks, "peak_rss_mb": round(max(rss_kb, probe_rss) / 1024, 1)}


def aws_cli_command() -> list[str] | None:
    """The aws CLI (the real program behind a pyenv shim, so the shim's cost is not counted)."""
    beside = Path(sys.executable).with_name("aws")  # the dev extra's awscli, in this venv
    if beside.exists():
        return [str(beside)]
    found = shutil.which("aws")
    if found:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            head = Path(found).read_text(encoding="utf-8")[:2000]
            if "pyenv" in head and shutil.which("pyenv"):
                real = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True, check=False)
                if real.returncode == 0 and real.stdout.strip():
                    return [real.stdout.strip()]
        return [found]
    with contextlib.suppress(ImportError):
        import awscli  # type: ignore[import-not-found]  # noqa: F401

        return [sys.executable, "-m", "awscli"]
    return None


def aws_cli_loop(url: str, names: list[str], home: Path, cli: list[str]) -> dict[str, Any]:
    """``aws codepipeline get-pipeline-state`` once per pipeline, sequentially; seconds in total."""
    env = _child_env(home)
    failures = 0
    began = time.monotonic()
    for name in names:
        argv = [*cli, "codepipeline", "get-pipeline-state", "--name", name, "--endpoint-url", url]
        argv += ["--region", "us-east-1", "--output", "json"]
        done = subprocess.run(argv, env=env, capture_output=True, check=False, timeout=60)
        failures += done.returncode != 0
    return {"seconds": round(time.monotonic() - began, 3), "calls": len(names), "failures": failures}


def compile_package() -> None:
    """Write the ``tui`` package's bytecode, as ``pip install`` does (``pip install -e`` leaves it
    to the first run, which cannot write it where PYTHONDONTWRITEBYTECODE is set, as on this
    machine): otherwise every start would compile ~100 modules first (about 40 ms)."""
    import compileall

    import tui

    compileall.compile_dir(str(Path(tui.__file__).parent), quiet=1)


def run(
    pipelines: int = 50, repeats: int = 5, cli_calls: int | None = None, last: str | None = "live_all"
) -> dict[str, Any]:
    """Cold-start figures: ``repeats`` starts until the first live rows (medians), one start until
    milestone ``last`` if given (every row live: bound by the rate budget, not start-up), and the CLI
    loop (``cli_calls`` below ``pipelines`` times that many calls and scales the total)."""
    compile_package()
    simulator = Simulator(scenario="scale", seed=7, clock=RealClock(), pipelines=pipelines)
    handle = simulator.start_in_thread()
    try:
        with tempfile.TemporaryDirectory(prefix="cptui-bench-") as tmp:
            home = Path(tmp)
            # One start first, not counted: it warms what is not cptui's to measure (the simulator's
            # first requests, the OS's file cache after the CLI or a build ran).
            cptui_cold_start(handle.url, home, "live_first")
            runs = [cptui_cold_start(handle.url, home, "live_first") for _ in range(repeats)]
            long_run = cptui_cold_start(handle.url, home, last) if last else None
            names = sorted(simulator.engine.world().pipelines)
            cli_result = _cli(handle.url, names, home, cli_calls)
    finally:
        handle.stop()
    milestones: dict[str, Any] = {}
    for name in ("frame", "rows", "live_first"):
        values = [r["seconds"][name] for r in runs if name in r["seconds"]]
        if values:
            milestones[name] = {"median_s": round(median(values), 3), **spread(values)}
    for name in ("live_screen", "live_all"):
        if long_run is not None and name in long_run["seconds"]:
            milestones[name] = {"once_s": long_run["seconds"][name]}
    result: dict[str, Any] = {
        "pipelines": pipelines,
        "repeats": repeats,
        "milestones_s": milestones,
        "peak_rss_mb_at_live_first": median([r["peak_rss_mb"] for r in runs]),
        "exit_codes": sorted({r["exit"] for r in runs}),
        "aws_cli": cli_result,
    }
    if long_run is not None:
        result[f"peak_rss_mb_at_{last}"] = long_run["peak_rss_mb"]
        result["exit_codes"] = sorted({r["exit"] for r in [*runs, long_run]})
    if cli_result.get("available") and "live_first" in milestones:
        ratio = cli_result["seconds_for_all"] / milestones["live_first"]["median_s"]
        result["cli_loop_over_cptui_live_first"] = round(ratio, 1)
    return result


def _cli(url: str, names: list[str], home: Path, cli_calls: int | None) -> dict[str, Any]:
    cli = aws_cli_command()
    if cli is None:
        return {"available": False, "note": "aws CLI not found: comparison skipped"}
    sample = names[: cli_calls or len(names)]
    loop = aws_cli_loop(url, sample, home, cli)
    per_call = loop["seconds"] / loop["calls"]
    return {
        "available": True,
        "command": " ".join(cli),
        "calls_timed": len(sample),
        "extrapolated": len(sample) < len(names),
        "seconds_per_call": round(per_call, 3),
        "seconds_for_all": round(per_call * len(names), 2),
        "failures": loop["failures"],
    }


# --- section 3: cold and warm starts, measured from outside (the terminal's screen) and inside ------


def start_once(url: str, home: Path, *, cache: bool = True) -> dict[str, Any]:
    """One start of ``cptui`` until every row on screen is live: seen from outside (the screen) and
    from inside (the app's probe, ``tui/app/bench_hook.py``)."""
    ready = home / "ready.txt"
    ready.unlink(missing_ok=True)
    env = _child_env(home, {"CPTUI_BENCH_READY_FILE": str(ready)})  # it quits when the screen is live
    argv = [*cptui_command(), "--endpoint-url", url, "--region", "us-east-1"]
    if not cache:
        argv.append("--no-cache")
    began, outside, rows, code = screen_run(argv, env, CHILD_TIMEOUT)
    inside: dict[str, float] = {}
    if ready.exists():
        for line in ready.read_text(encoding="ascii").splitlines():
            name, value, *_ = line.split()
            if name != "rss":
                inside[name] = round(float(value) - began, 3)
    return {"exit": code, "outside_s": outside, "inside_s": inside, "rows": rows}


def _medians(runs: list[dict[str, Any]], side: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("frame", "cached_rows", "rows", "live_first", "live_screen"):
        values = [r[side][name] for r in runs if name in r[side]]
        if values:
            out[name] = {"median_s": round(median(values), 3), **spread(values)}
    return out


def scenario(faults: str, repeats: int, cli_calls: int | None) -> dict[str, Any]:
    """50 pipelines at 120x40 against a simulator with ``faults``: the first start ever (no cache,
    no remembered burst), then warm starts (the cache and the burst of the start before), and the
    AWS CLI reading the same rows on screen one process at a time."""
    simulator = Simulator(scenario="scale", seed=7, clock=RealClock(), pipelines=50, faults=faults)
    handle = simulator.start_in_thread()
    try:
        with tempfile.TemporaryDirectory(prefix="cptui-bench-") as tmp:
            root = Path(tmp)
            cold_runs, warm_runs = [], []
            for i in range(repeats):
                home = root / f"cold{i}"  # a new home each time: nothing cached, nothing remembered
                home.mkdir()
                cold_runs.append(start_once(handle.url, home))
                time.sleep(1.0)  # the endpoint's quota refills between starts
            home = root / "cold0"
            for _ in range(repeats):
                warm_runs.append(start_once(handle.url, home))
                time.sleep(1.0)
            rows = next((r["rows"] for r in [*warm_runs, *cold_runs] if r["rows"]), [])
            cli = _cli(handle.url, rows, root, cli_calls) if rows else {"available": False}
    finally:
        handle.stop()
    result: dict[str, Any] = {
        "faults": faults or "none",
        "rows_on_screen": len(rows),
        "cold": {"outside": _medians(cold_runs, "outside_s"), "inside": _medians(cold_runs, "inside_s")},
        "warm": {"outside": _medians(warm_runs, "outside_s"), "inside": _medians(warm_runs, "inside_s")},
        "exit_codes": sorted({r["exit"] for r in [*cold_runs, *warm_runs]}),
        "starts_showing_throttling": sum(
            "throttling_shown" in r["outside_s"] for r in [*cold_runs, *warm_runs]
        ),
        "starts": len(cold_runs) + len(warm_runs),
        "aws_cli": cli,
    }
    live = _get_median(result, "cold", "outside", "live_screen")
    if cli.get("available") and live:
        result["cli_over_cptui_cold"] = round(cli["seconds_for_all"] / live, 1)
    floor = quota_floor(faults, len(rows), _get_median(result, "cold", "inside", "frame"))
    if floor is not None:
        result["quota_floor"] = floor
        if cli.get("available"):
            # No start can beat the quota's floor: the most the CLI loop can be outdone by.
            result["cli_over_floor"] = round(cli["seconds_for_all"] / floor["from_launch_s"], 1)
    return result


def quota_floor(faults: str, rows: int, first_frame: float | None) -> dict[str, Any] | None:
    """The quota's own floor for a start under ``tps=N`` (a bucket of N refilled N/s): the list and
    one read per row on screen, N of them at once and the rest at N/s after the first call, which
    goes out at the first frame. None without such a quota (or rows, or a first frame)."""
    quota = next(
        (float(term.split("=", 1)[1]) for term in faults.split(",") if term.strip().startswith("tps=")), None
    )
    if not quota or not rows or first_frame is None:
        return None
    reads = rows + 1
    after = max(0.0, reads - quota) / quota
    return {
        "reads": reads,
        "quota_per_s": quota,
        "after_first_call_s": round(after, 3),
        "first_frame_s": first_frame,
        "from_launch_s": round(first_frame + after, 3),
    }


def _get_median(result: dict[str, Any], *path: str) -> float | None:
    data: Any = result
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return float(data["median_s"]) if isinstance(data, dict) and "median_s" in data else None


def section3(quick: bool) -> dict[str, Any]:
    """Cold and warm starts with no quota and under ``tps=10``, each beside the AWS CLI."""
    compile_package()
    # The CLI is timed on a sample of the rows (on this machine a call takes 0.5-2 s) and scaled.
    repeats, cli_calls = (1, 4) if quick else (3, 12)
    return {
        "pipelines": 50,
        "terminal": f"{SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}",
        "no_quota": scenario("", repeats, cli_calls),
        "tps_10": scenario("tps=10", repeats, cli_calls),
    }


# --- a timeline of one start: what went out, what was throttled, when each row turned live -------


def trace(
    faults: str = "tps=10", *, cache: bool = False, size: tuple[int, int] = SCREEN_SIZE
) -> dict[str, Any]:
    """One start of ``cptui`` (a new home: nothing cached or remembered unless ``cache``) against a
    simulator with ``faults``, with every request the simulator served (time, operation, pipeline,
    the fault it answered with), every screen the terminal showed (time, rows live of rows on
    screen) and the app's own probe. Times are seconds from the spawn."""
    compile_package()
    simulator = Simulator(scenario="scale", seed=7, clock=RealClock(), pipelines=50, faults=faults)
    faults_obj = simulator._faults
    requests: list[tuple[float, str, str, str]] = []
    decide = faults_obj.decide

    def logged(service: str, op: str, account: str, region: str, resource: str) -> Any:
        fault = decide(service, op, account, region, resource)
        name = resource.rsplit(":", 1)[-1] if resource != "*" else ""
        requests.append((time.monotonic(), op, name, fault.code or "ok"))
        return fault

    faults_obj.decide = logged  # type: ignore[method-assign]
    handle = simulator.start_in_thread()
    screens: list[tuple[float, int, int]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="cptui-trace-") as tmp:
            home = Path(tmp) / "home"
            home.mkdir()
            # A start before: it leaves the cache and the burst when ``cache``; else it only warms
            # what is not cptui's to measure (the simulator's world and its first requests), as the
            # benchmark's repeats are.
            start_once(handle.url, home if cache else Path(tmp))
            time.sleep(1.5)  # the endpoint's quota refills
            requests.clear()
            ready = home / "ready.txt"
            ready.unlink(missing_ok=True)
            env = _child_env(home, {"CPTUI_BENCH_READY_FILE": str(ready), "CPTUI_BENCH_TRACE": "1"})
            argv = [*cptui_command(), "--endpoint-url", handle.url, "--region", "us-east-1"]

            def seen(at: float, found: dict[str, Any]) -> None:
                if not screens or screens[-1][1:] != (found["live"], len(found["rows"])):
                    screens.append((at, found["live"], len(found["rows"])))

            began, outside, _rows, code = screen_run(argv, env, CHILD_TIMEOUT, size, on_screen=seen)
            inside: list[tuple[float, str]] = []
            if ready.exists():
                for line in ready.read_text(encoding="ascii").splitlines():
                    name, value, *rest = line.split()
                    if name != "rss":
                        inside.append((round(float(value) - began, 3), " ".join([name, *rest])))
    finally:
        handle.stop()
    return {
        "faults": faults or "none",
        "exit": code,
        "outside_s": outside,
        "requests": [(round(t - began, 3), op, name, result) for t, op, name, result in requests],
        "screens": [(round(t, 3), live, rows) for t, live, rows in screens],
        "inside": inside,
    }


def print_trace(result: dict[str, Any]) -> None:
    """The timeline, one event a line."""
    events: list[tuple[float, str]] = []
    for at, op, name, outcome in result["requests"]:
        events.append((at, f"sim   {op:<24} {name:<28} {outcome}"))
    for at, live, rows in result["screens"]:
        events.append((at, f"pty   {live}/{rows} rows live"))
    for at, what in result["inside"]:
        events.append((at, f"app   {what}"))
    for at, line in sorted(events):
        print(f"{at:7.3f}  {line}")
    print("outside:", result["outside_s"], "exit", result["exit"])


if __name__ == "__main__":
    import json

    if sys.argv[1:2] == ["trace"]:
        # python bench/startup.py trace [FAULTS] [--cache]: one start's timeline
        spec = next((a for a in sys.argv[2:] if not a.startswith("--")), "tps=10")
        print_trace(trace(spec, cache="--cache" in sys.argv))
    else:
        print(json.dumps(run(repeats=3, cli_calls=10, last="live_screen"), indent=2))
