"""The figures against their targets, and the markdown table for the README's Performance section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _check(
    rows: list[dict[str, Any]],
    figure: str,
    measure: str,
    value: Any,
    target: str,
    ok: Callable[[Any], bool],
) -> None:
    if value is None:
        return
    rows.append({"figure": figure, "measure": measure, "value": value, "target": target, "met": ok(value)})


def _at_most(limit: float) -> Callable[[Any], bool]:
    return lambda value: bool(value <= limit)


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure that has a target, with its value and whether it is met."""
    rows: list[dict[str, Any]] = []
    cs = r.get("cold_start", {})
    _check(rows, "cold start", "first frame (s)", _get(cs, "milestones_s", "frame", "median_s"), "—", bool)
    _check(
        rows,
        "cold start",
        "every row live, 4 calls/s budget (s)",
        _get(cs, "milestones_s", "live_all", "once_s"),
        "—",
        bool,
    )
    live = _get(cs, "milestones_s", "live_first", "median_s")
    _check(rows, "cold start", "first live rows on screen (s)", live, "≤ 0.6", lambda v: v <= 0.6)
    ratio = cs.get("cli_loop_over_cptui_live_first")
    _check(rows, "cold start", "aws CLI loop ÷ cptui (×)", ratio, "≥ 35", lambda v: v >= 35)
    _check(rows, "cold start", "peak RSS (MB)", cs.get("peak_rss_mb_at_live_all"), "—", bool)
    lv = _get(r, "polling", "200", "list_view")
    if lv:
        _check(rows, "polling @200", "calls/s, list view", lv["calls_per_s"], "≤ 4", lambda v: v <= 4.0)
        _check(rows, "polling @200", "within the budget every second", lv["conforms_to_budget"], "yes", bool)
        gaps = lv["refresh_gaps"]
        for cls, limit in (("running", 5.0), ("on_screen", 15.0), ("off_screen", 120.0)):
            gap = _get(gaps, cls, "max_s")
            label = f"longest refresh gap, {cls.replace('_', ' ')} (s)"
            _check(rows, "polling @200", label, gap, f"≤ {limit:g}", _at_most(limit))
        fresh = lv.get("freshness", {})
        for key, limit in (
            ("running_stages", 5.0),
            ("running_status", 5.0),
            ("on_screen_status", 15.0),
            ("off_screen_status", 120.0),
        ):
            value = _get(fresh, key, "max_s")
            label = f"change → screen, {key.replace('_', ' ')}, max (s)"
            _check(rows, "freshness @200", label, value, f"≤ {limit:g}", _at_most(limit))
    q10 = _get(r, "throttling", "quota_10")
    if q10:
        shown = q10["notices_about_throttling"] + (1 if q10["stale_banner_seconds"] else 0)
        _check(rows, "throttling", "throttles shown (notices + banners)", shown, "0", lambda v: v == 0)
        _check(rows, "throttling", "throttles provoked", q10["throttles_sent_by_simulator"], "—", bool)
    rd = r.get("render", {})
    in_place = _get(rd, "poll_to_frame", "rows_change_in_place", "p50_ms")
    _check(rows, "render @1000", "poll (10 rows) → frame, p50 (ms)", in_place, "≤ 30", lambda v: v <= 30)
    jump = _get(rd, "poll_to_frame", "rows_jump_to_top", "p50_ms")
    _check(rows, "render @1000", "poll (10 rows re-sort) → frame, p50 (ms)", jump, "≤ 30", lambda v: v <= 30)
    graph = _get(rd, "stage_graph", "frame_work", "p50_ms")
    _check(rows, "render @1000", "stage-graph update, frame work p50 (ms)", graph, "≤ 8", lambda v: v <= 8)
    for key, label in (
        ("keypress_while_polling_gc_frozen", "key → frame while polling, gc frozen"),
        ("keypress_while_polling", "key → frame while polling, default gc"),
    ):
        for q in ("p50_ms", "p95_ms"):
            _check(rows, "render @1000", f"{label}, {q[:3]} (ms)", _get(rd, key, q), "—", lambda v: True)
    lg = r.get("logs", {})
    _check(rows, "logs", "lines/s ingested", lg.get("ingest_lines_per_s"), "≥ 200k", lambda v: v >= 200_000)
    p95 = _get(lg, "tailing_gc_frozen_after_mount", "keypress_to_frame_ms", "p95")
    _check(rows, "logs", "key → frame p95 tailing 2k lines/s (ms)", p95, "≤ 35", lambda v: v <= 35)
    _check(rows, "logs", "peak RSS after 1M lines (MB)", lg.get("rss_peak_mb"), "≤ 100", lambda v: v <= 100)
    return rows


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(r: dict[str, Any]) -> str:
    """The targets table, then polling at each size beside the naive strategy."""
    m = r.get("machine", {})
    lines = [
        f"Measured {r.get('started_at', '')} ({r.get('mode', '')} run) on {m.get('cores')} cores, "
        f"Python {m.get('python')}, Textual {m.get('textual')}, against the embedded simulator "
        f"(load average {m.get('load_average_1m')} at the start, {m.get('load_average_1m_at_end')} at "
        "the end: the millisecond figures move with it; polling and freshness run on a driven clock "
        "and do not).",
        "",
        "| figure | measure | value | target | met |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for row in r.get("targets", []):
        met = "—" if row["target"] == "—" else ("✓" if row["met"] else "✗")
        lines.append(
            f"| {row['figure']} | {row['measure']} | {_fmt(row['value'])} | {row['target']} | {met} |"
        )
    sizes = [k for k in ("50", "200", "1000") if _get(r, "polling", k, "list_view")]
    if sizes:
        lines += [
            "",
            "Polling, steady state, 120x36, five pipelines running (simulated seconds, driven clock):",
            "",
            "| pipelines | view | calls/s | on screen every | off screen every | naive calls/s "
            "| naive ÷ cptui |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size in sizes:
            p = r["polling"][size]
            for view in ("list_view", "pipeline_view"):
                v = p.get(view)
                if not v:
                    continue
                gaps = v["refresh_gaps"]
                on = _get(gaps, "on_screen", "p50_s")
                off = _get(gaps, "off_screen", "p50_s")
                naive = p["naive"]["calls_per_s"]
                lines.append(
                    f"| {size} | {view.replace('_', ' ')} | {_fmt(v['calls_per_s'])} | "
                    f"{_fmt(on) + ' s' if on is not None else '—'} | "
                    f"{_fmt(off) + ' s' if off is not None else '—'} | {_fmt(naive)} | "
                    f"{_fmt(round(naive / max(1e-9, v['calls_per_s']), 1))}× |"
                )
        largest = sizes[-1]
        ratio = _get(r, "polling", largest, "naive_over_cptui_list")
        lines += [
            "",
            "The naive strategy reads every pipeline's state and latest execution every 30 s. cptui "
            "spends its fixed budget on running pipelines (5 s) and rows on screen (15 s) and sweeps "
            "the rest every 2 minutes, stretching both alike (rows on screen at most twice) when the "
            f"budget cannot cover them; at {largest} pipelines the naive one needs {_fmt(ratio)}× "
            "the calls.",
        ]
    return "\n".join(lines) + "\n"
