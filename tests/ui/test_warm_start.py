"""The warm start: each target's last list cached under $XDG_CACHE_HOME/cptui, painted at the first
frame marked "cached <age>", replaced by live reads, never a source of notifications; a corrupt or
foreign cache is ignored with one log line (tui/core/cache.py, tui/app/warm_start.py, tui/core/store.py)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.apps import rows_on_screen_live, sim_app
from tests.support.notices import told
from tests.support.sim import START
from tests.support.wait import wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.cache import MAX_TEXT, list_path, load_list, save_list
from tui.core.config import PollingConfig
from tui.core.model import (
    ExecutionSummary,
    SourceRevision,
    Standing,
    StandingKind,
    Status,
    Target,
    Trigger,
    TriggerType,
)
from tui.core.notify import EventDetector
from tui.core.pipeline_rows import status_cell
from tui.core.store import PipelineRow, Store
from tui.sim import Simulator
from tui.sim.faults import Fault

EAST = Target(region="us-east-1")
ENDPOINT = "http://127.0.0.1:4599"
ACCOUNT = "123456789012"  # the simulator's account for the credentials below
CREDENTIALS = ("AKID123456789012", "x", None)


def row(name: str, status: Status = Status.SUCCEEDED, *, when: timedelta = timedelta(hours=1)) -> PipelineRow:
    latest = ExecutionSummary(
        pipeline_name=name,
        execution_id=f"{name}-exec-1",
        status=status,
        start_time=START - when,
        last_update_time=START - when + timedelta(minutes=2),
        source_revisions=(
            SourceRevision("Source", "a" * 40, "fix: the thing\nbody", "https://x/?token=s3cret"),
        ),
        trigger=Trigger(TriggerType.WEBHOOK, "arn:aws:codestar-connections:us-east-1:1:c/abc"),
    )
    kind = StandingKind.FAILED if status is Status.FAILED else StandingKind.SUCCEEDED
    stage = "Deploy" if status is Status.FAILED else None
    return PipelineRow(
        EAST, name, latest=latest, loaded=True, stage=stage, standing=Standing(kind, status, stage)
    )


def test_a_list_round_trips_without_urls_and_bounded(tmp_path: Path) -> None:
    rows = [row("alpha"), row("beta", Status.FAILED), replace(row("gamma"), latest=None)]
    long_name = "n" * (MAX_TEXT + 50)
    rows.append(row(long_name))
    assert save_list(tmp_path, EAST, ENDPOINT, ACCOUNT, rows, START)
    cached = load_list(tmp_path, EAST, ENDPOINT)
    assert cached is not None and cached.account == ACCOUNT and cached.saved_at == START
    by_name = {r.name: r for r in cached.rows}
    beta = by_name["beta"]
    assert beta.standing == Standing(StandingKind.FAILED, Status.FAILED, "Deploy") and beta.stage == "Deploy"
    assert beta.latest is not None and beta.latest.execution_id == "beta-exec-1"
    assert beta.latest.source_revisions[0].revision_summary == "fix: the thing\nbody"
    assert beta.latest.source_revisions[0].revision_url is None  # a link may carry a token
    assert by_name["gamma"].latest is None
    assert long_name[:MAX_TEXT] in by_name  # texts are bounded
    text = list_path(tmp_path, EAST, ENDPOINT).read_text()
    assert "s3cret" not in text and "token" not in text
    assert [p.name for p in tmp_path.iterdir()] == [list_path(tmp_path, EAST, ENDPOINT).name]
    # Another endpoint (the simulator vs AWS) with the same profile and region is another file.
    assert load_list(tmp_path, EAST, "http://127.0.0.1:1") is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps({"format": 1, "version": "0.0.0-other", "rows": []}),
        "REPLACE-VERSION",
        "REPLACE-ROWS",
    ],
)
def test_a_corrupt_or_foreign_file_is_ignored_with_one_log_line(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    save_list(tmp_path, EAST, ENDPOINT, ACCOUNT, [row("alpha")], START)
    path = list_path(tmp_path, EAST, ENDPOINT)
    data = json.loads(path.read_text())
    if content == "REPLACE-VERSION":
        content = json.dumps({**data, "format": 99})
    elif content == "REPLACE-ROWS":
        content = json.dumps({**data, "rows": [{"name": "x", "latest": {"id": 3}}]})
    path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="tui.core.cache"):
        assert load_list(tmp_path, EAST, ENDPOINT) is None
    assert len(caplog.records) == 1 and "ignoring" in caplog.records[0].getMessage()


def test_cached_rows_are_marked_replaced_by_live_ones_and_removed_when_not_listed() -> None:
    store = Store([EAST])
    store.paint_cached(EAST, [row("alpha", Status.FAILED), row("gone")], START - timedelta(minutes=3))
    alpha = store.row(EAST, "alpha")
    assert alpha is not None and alpha.cached_at is not None and not alpha.loaded
    assert status_cell(alpha, START).plain == f"{Status.FAILED.glyph} cached 3m"
    assert status_cell(alpha).plain == f"{Status.FAILED.glyph} Failed"
    from tui.core.model import PipelineSummary

    change = store.set_pipelines(EAST, [PipelineSummary("alpha", 1)])
    assert store.row(EAST, "gone") is None and "gone" in change.pipelines and change.listing
    assert store.row(EAST, "alpha") is not None and store.row(EAST, "alpha").cached_at is not None  # type: ignore[union-attr]
    store.set_latest(EAST, "alpha", row("alpha").latest)
    live = store.row(EAST, "alpha")
    assert live is not None and live.cached_at is None and live.loaded and live.status is Status.SUCCEEDED
    assert [r.name for r in store.rows_to_cache(EAST)] == ["alpha"]


def test_a_cached_failed_row_tells_nothing() -> None:
    store = Store([EAST], is_favourite=lambda name: True)
    recent = row("alpha", Status.FAILED, when=timedelta(seconds=30))
    change = store.paint_cached(EAST, [recent], START)
    detector = EventDetector(is_favourite=lambda name: True, recent=3600)
    assert detector.observe(store, EAST, change.pipelines, START) == []


def test_a_dropped_cache_leaves_no_row_behind() -> None:
    store = Store([EAST])
    store.paint_cached(EAST, [row("alpha"), row("beta")], START)
    change = store.drop_cached(EAST)
    assert change.listing and store.rows() == []


# --- the app against the simulator ----------------------------------------------------------------


def _app(tmp_path: Path, sim: Simulator, *, favourites: tuple[str, ...] = ()) -> CptuiApp:
    return sim_app(
        sim,
        tmp_path,
        favourites=favourites,
        polling=PollingConfig(),
        cache_dir=tmp_path / "cache",
        start_polling=False,
    )


@pytest.mark.simulator("scale", pipelines=6)
async def test_cached_rows_show_at_the_first_frame_then_live_ones_replace_them(
    tmp_path: Path, sim: Simulator
) -> None:
    names = sorted(sim.engine.world(ACCOUNT, "us-east-1").pipelines)
    cached = [row(names[0], Status.FAILED, when=timedelta(seconds=20)), row("deleted-since")]
    save_list(tmp_path / "cache", EAST, sim.url, ACCOUNT, cached, START - timedelta(minutes=3))
    app = _app(tmp_path, sim, favourites=(names[0], "deleted-since"))
    async with app.run_test(size=(120, 30)) as pilot:
        text = await wait_for_text(pilot, "deleted-since", "cached 3m")
        assert names[0] in text
        app.poller.start()
        await wait_until(
            pilot,
            lambda: (
                app.store.row(EAST, "deleted-since") is None
                and all(r.loaded and r.cached_at is None for r in app.store.rows())
                and len(app.store.rows()) == len(names)
            ),
            timeout=20,
        )

        def no_cached_text() -> bool:
            from tests.support.wait import screen_text

            return "cached" not in screen_text(app) and "deleted-since" not in screen_text(app)

        await wait_until(pilot, no_cached_text, timeout=10)
        assert not [n for n, *_ in told(app) if "deleted-since" in n or "failed" in n.lower()]
    # Saved at exit, for the next start: the live rows of this account.
    saved = load_list(tmp_path / "cache", EAST, sim.url)
    assert saved is not None and saved.account == ACCOUNT
    assert sorted(r.name for r in saved.rows) == sorted(names)


@pytest.mark.simulator("scale", pipelines=6)
async def test_a_cache_of_another_account_is_dropped_with_one_log_line(
    tmp_path: Path, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    save_list(tmp_path / "cache", EAST, sim.url, "999999999999", [row("someone-elses")], START)
    app = _app(tmp_path, sim)
    with caplog.at_level(logging.WARNING, logger="tui.app.warm_start"):
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_for_text(pilot, "someone-elses")
            app.poller.start()
            await wait_until(pilot, lambda: app.store.identity(EAST) is not None, timeout=20)
            await wait_until(pilot, lambda: app.store.row(EAST, "someone-elses") is None, timeout=10)
    assert len([r for r in caplog.records if "another account" in r.getMessage()]) == 1


@pytest.mark.simulator("scale", pipelines=6)
async def test_without_a_cache_folder_nothing_is_read_or_written(tmp_path: Path, sim: Simulator) -> None:
    app = sim_app(sim, tmp_path, polling=PollingConfig())  # cache_dir None
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(
            pilot, lambda: app.store.rows() and all(r.loaded for r in app.store.rows()), timeout=20
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl"] or not list(tmp_path.glob("cache*"))


@pytest.mark.simulator("scale", pipelines=6)
async def test_the_list_is_saved_soon_after_start_not_only_at_exit(tmp_path: Path, sim: Simulator) -> None:
    app = _app(tmp_path, sim)
    app.warm_start.first_save = 0.05
    save = app.warm_start.save
    tries: list[bool] = []
    app.warm_start.save = lambda: tries.append(save()) or tries[-1]  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        # The first save comes before anything is read (as on a slow start): it tries again later.
        await wait_until(pilot, lambda: len(tries) >= 1)
        assert not any(tries)
        app.poller.start()
        await wait_until(pilot, lambda: load_list(tmp_path / "cache", EAST, sim.url) is not None, timeout=20)
        saved = load_list(tmp_path / "cache", EAST, sim.url)
        assert saved is not None and saved.account == ACCOUNT and saved.rows


@pytest.mark.simulator("scale", pipelines=6)
async def test_the_lists_are_written_off_the_ui_thread_atomically(
    tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turning a thousand rows into JSON and writing them took the UI thread (issue 14): the rows
    are taken from the store there, the JSON is made and written by the writer thread, through a
    temporary file renamed over the old one; the exit's write is waited for."""
    import threading

    import tui.app.warm_start as warm_start

    written_on: list[int] = []
    real = warm_start.save_list

    def recording(*args: object, **kwargs: object) -> bool:
        written_on.append(threading.get_ident())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(warm_start, "save_list", recording)
    app = _app(tmp_path, sim)
    ui_thread = threading.get_ident()
    async with app.run_test(size=(120, 30)) as pilot:
        app.poller.start()
        await wait_until(
            pilot,
            lambda: app.store.identity(EAST) is not None and all(r.loaded for r in app.store.rows()),
            timeout=20,
        )
        assert app.warm_start.save()
        await wait_until(pilot, lambda: load_list(tmp_path / "cache", EAST, sim.url) is not None, timeout=10)
        assert written_on and ui_thread not in written_on
        written_on.clear()
    # At exit: written (by the writer thread) before the app is gone.
    assert written_on and ui_thread not in written_on
    assert not [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]
    saved = load_list(tmp_path / "cache", EAST, sim.url)
    assert saved is not None and len(saved.rows) == len(app.store.rows())


@pytest.mark.simulator("scale", pipelines=50, faults="latency=1000ms@GetCallerIdentity")
async def test_a_run_that_ends_before_it_knows_its_account_still_keeps_its_list(
    sim: Simulator, tmp_path: Path
) -> None:
    """Who the caller is waits for the rows on screen at start-up (tui/core/poller.py): a run quit
    the moment its rows are live (as the benchmark does, and a person checking one thing) knew its
    list but not its account, and kept nothing for the next start. At exit it asks, then keeps it."""
    app = sim_app(sim, tmp_path, polling=PollingConfig(), cache_dir=tmp_path / "cache")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: rows_on_screen_live(app, cached_too=True), timeout=30)
        assert app.store.identity(EAST) is None  # (still on its way: quit now)
    saved = load_list(tmp_path / "cache", EAST, sim.url)
    assert saved is not None and saved.account == ACCOUNT and saved.rows


@pytest.mark.simulator("scale", pipelines=50)
async def test_a_warm_start_reads_the_cached_rows_on_screen_with_the_list(
    sim: Simulator, tmp_path: Path
) -> None:
    """The cache names the rows before the list does: the start-up burst reads the ones on screen
    together with ListPipelines instead of a round trip after it (bench/startup.py trace). A read
    that comes back first waits for the list; a pipeline deleted since is forgotten quietly."""
    names = sorted(sim.engine.world(ACCOUNT, "us-east-1").pipelines)
    cached = [row(n) for n in names[:40]] + [row("deleted-since")]
    save_list(tmp_path / "cache", EAST, sim.url, ACCOUNT, cached, START - timedelta(minutes=3))
    app = sim_app(sim, tmp_path, polling=PollingConfig(), cache_dir=tmp_path / "cache")
    before_the_list: list[str] = []
    faults = sim._faults
    decide = faults.decide

    def watching(service: str, op: str, account: str, region: str, resource: str) -> Fault:
        if op == "ListPipelineExecutions" and not app.store.freshness(EAST).listed:
            before_the_list.append(resource.rsplit(":", 1)[-1])
        return decide(service, op, account, region, resource)

    faults.decide = watching  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: rows_on_screen_live(app), timeout=30)
        assert before_the_list  # sent with the list, not after it
        assert app.store.row(EAST, "deleted-since") is None
        assert not [n for n, *_ in told(app) if "deleted-since" in n]


@pytest.mark.simulator("scale", pipelines=50)
async def test_a_warm_start_read_back_before_a_failed_list_waits_for_the_next_one(
    sim: Simulator, tmp_path: Path
) -> None:
    """The first list fails (throttled on every try); the rows' reads sent with it came back and
    wait for the list that succeeds, rather than being dropped (their rows would have stayed
    "cached" until read again a poll later): each row on screen is read once."""
    from collections import Counter

    from tui.sim.faults import Fault

    names = sorted(sim.engine.world(ACCOUNT, "us-east-1").pipelines)
    cached = [row(n) for n in names[:40]]
    save_list(tmp_path / "cache", EAST, sim.url, ACCOUNT, cached, START - timedelta(minutes=3))
    app = sim_app(sim, tmp_path, polling=PollingConfig(), cache_dir=tmp_path / "cache")
    reads: Counter[str] = Counter()
    lists = [0]
    faults = sim._faults
    decide = faults.decide

    def watching(service: str, op: str, account: str, region: str, resource: str) -> Fault:
        if op == "ListPipelines":
            lists[0] += 1
            if lists[0] <= 3:  # (botocore tries a list three times)
                return Fault(code="ThrottlingException", message="Rate exceeded")
        if op == "ListPipelineExecutions":
            reads[resource.rsplit(":", 1)[-1]] += 1
        return decide(service, op, account, region, resource)

    faults.decide = watching  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        policy = app.poller.policy
        await wait_until(pilot, lambda: rows_on_screen_live(app), timeout=60)
        assert lists[0] > 3
        shown = [r.name for r in app.store.rows(EAST) if policy.is_visible(EAST.key, r.name)]
        assert [n for n in shown if reads[n] != 1] == []
