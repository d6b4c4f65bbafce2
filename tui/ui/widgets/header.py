"""The header line (who, where, how old the data is) and the pipelines summary line.

``header_text`` and ``summary_text`` are pure functions of the store and a time, so they are
testable without a terminal; the widgets redraw on store changes and once a second (the age ticks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.core.fmt import STATUS_COLORS, ago
from tui.core.model import StandingKind, Status, Target
from tui.core.sanitize import clean
from tui.core.store import Coverage, Freshness, PipelineRow, Store
from tui.core.targets import where_label
from tui.ui.host import Host

_MUTED = STATUS_COLORS["muted"]
_WARN = STATUS_COLORS["warning"]


def freshness_text(freshness: Freshness, now: datetime) -> Text:
    """'updated 3s ago', or why the data is old ('stale — throttled, retrying')."""
    if freshness.stale_reason:
        text = Text(f"⚠ {clean(freshness.stale_reason)}", style=_WARN)
        if freshness.updated_at is not None:
            text.append(f" (data from {ago(freshness.updated_at, now)})", style=_MUTED)
        return text
    if freshness.updated_at is None:
        return Text("loading…", style=_MUTED)
    text = Text(f"updated {ago(freshness.updated_at, now)}", style=_MUTED)
    if freshness.throttled:
        text.append(" · throttled, polling slower", style=_WARN)
    if freshness.denied:
        text.append(f" · ⚠ access denied: missing {clean(', '.join(freshness.denied))}", style=_WARN)
    return text


def mode_text(modes: Sequence[str]) -> Text | None:
    """How updates arrive, for one target or several: ``live · events · sweep every 31 min`` (the
    period the same for all), ``live · events``, ``polling (why)``, or ``live · events (2 of 3
    targets)``; None before anyone said (a screen without push mode)."""
    known = [m for m in modes if m]
    if not known:
        return None
    live = [m for m in known if m.startswith("live")]
    if len(live) == len(modes):
        return Text(clean(live[0]) if len(set(live)) == 1 else "live · events", style="bold")
    if live:
        return Text(f"live · events ({len(live)} of {len(modes)} targets)", style=_MUTED)
    return Text(clean(known[0]), style=_MUTED)


def _fit(text: Text, required: Sequence[Text], optional: Sequence[Text], width: int | None) -> Text:
    """``text`` then every required segment, then each optional one that still fits whole in
    ``width`` (all of them when ``width`` is None): a narrow terminal drops segments, never cuts one."""
    for segment in required:
        text.append_text(segment)
    for segment in optional:
        if width is None or text.cell_len + segment.cell_len <= width:
            text.append_text(segment)
    return text


def _seg(content: str, style: str = "") -> Text:
    return Text(content, style=style)


def accounts_summary(targets: Sequence[Target], store: Store) -> str:
    """'3 targets · 2 accounts': how many targets, and how many accounts (saying what is not known yet)."""
    identities = [store.identity(t) for t in targets]
    accounts = {i.account for i in identities if i is not None}
    unknown = sum(1 for i in identities if i is None)
    text = f"{len(targets)} targets"
    if not accounts:
        return text + " · accounts not known yet"
    text += f" · {len(accounts)} account{'s' if len(accounts) != 1 else ''}"
    if unknown:
        text += f" (+{unknown} target{'s' if unknown != 1 else ''} not known yet)"
    return text


def header_text(
    targets: Sequence[Target],
    store: Store,
    now: datetime,
    *,
    read_only: bool = False,
    aliases: Mapping[str, str] | None = None,
    total: int | None = None,
    width: int | None = None,
    picker_key: str = "P",
) -> Text:
    """One line: which account(s) and region(s), in each account's colour, the data's age, then the
    caller ARN. ``targets`` are those on screen, ``total`` all of them. Within ``width`` cells the
    optional segments (the ARN first) are dropped whole rather than cut.

    Several targets are summarised (``3 targets · 2 accounts``); ``P`` (the picker) lists each
    with its account, identity, region and state."""
    aliases = aliases or {}
    text = Text("cptui", style="bold")
    if read_only:
        text.append("  read-only", style=f"bold {_WARN}")
    required: list[Text] = []
    optional: list[Text] = []
    if len(targets) == 1:
        target = targets[0]
        identity = store.identity(target)
        color = target.color or ""
        if target.name:
            required.append(_seg(f"  {clean(target.name)}", f"bold {color}".strip()))
        if not target.name or target.region not in target.name:
            required.append(_seg(f"  {clean(target.region)}", f"bold {color}".strip()))
        if target.profile:
            required.append(_seg(f"  profile {clean(target.profile)}"))
        if identity is not None:
            alias = aliases.get(identity.account)
            account = clean(identity.account) + (f" ({clean(alias)})" if alias else "")
            required.append(_seg(f"  account {account}", color))
        required.append(_seg("  ") + freshness_text(store.freshness(target), now))
        mode = mode_text([store.freshness(target).mode])
        if mode is not None:
            optional.append(_seg("  · ", _MUTED) + mode)
        if total is not None and total > 1:
            optional.append(_seg(f"  · 1 of {total} targets", _MUTED))
        if identity is not None:
            optional.append(_seg(f"  {clean(identity.arn)}", _MUTED))
        return _fit(text, required, optional, width)
    summary = _seg(f"  {accounts_summary(targets, store)}", "bold")
    stale_targets = [(t, store.freshness(t)) for t in targets if store.freshness(t).stale_reason]
    if stale_targets:
        # The reason (often the command that fixes it, e.g. `aws sso login --profile X`) comes
        # first, whole, so a narrow terminal drops the rest rather than the fix.
        target, freshness = stale_targets[0]
        stale = _seg(f"  ⚠ {clean(target.label)}: {clean(freshness.stale_reason or '')}", _WARN)
        if len(stale_targets) > 1:
            stale.append(f" (+{len(stale_targets) - 1} more)", style=_WARN)
        required.append(stale)
        optional.append(summary)
    else:
        required.append(summary)
        times = [f.updated_at for f in (store.freshness(t) for t in targets) if f.updated_at]
        oldest = Freshness(updated_at=min(times) if times else None)
        required.append(_seg("  ") + freshness_text(oldest, now))
    mode = mode_text([store.freshness(t).mode for t in targets])
    if mode is not None:
        optional.append(_seg("  · ", _MUTED) + mode)
    optional.append(_seg(f"  {clean(picker_key)} lists them", _MUTED))
    where = Text("  ")
    for index, target in enumerate(targets):
        if index:
            where.append(" · ", style=_MUTED)
        if store.freshness(target).stale_reason:
            where.append("⚠ ", style=_WARN)
        where.append(where_label(target, store.identity(target)), style=target.color or "")
    optional.append(where)
    identities = [i for i in (store.identity(t) for t in targets) if i is not None]
    accounts = sorted({i.account for i in identities})
    if accounts:
        named = [clean(a) + (f" ({clean(aliases[a])})" if a in aliases else "") for a in accounts]
        label = "account" if len(accounts) == 1 else "accounts"
        optional.append(_seg(f"  {label} {', '.join(named)}", _MUTED))
    arns = {i.arn for i in identities}
    if len(arns) == 1 and len(identities) == len(targets):
        optional.append(_seg(f"  {clean(arns.pop())}", _MUTED))
    return _fit(text, required, optional, width)


def summary_text(
    rows: Sequence[PipelineRow],
    shown: int | None = None,
    filter_text: str = "",
    coverage: Coverage | None = None,
) -> Text:
    """'● 2 running  ⏸ 1 waiting for approval  ✖ 1 failed  · 8 pipelines'.

    Unknown is not none: with ``coverage`` incomplete (pipelines not read, failing, or a target's
    list unknown) the approval count is a lower bound and says so (``⏸ 1+? waiting``), followed by
    ``⚠ 3 not read: access denied (GetPipelineState)``."""
    # Counted from each row's ``Standing``: the same words as the rows themselves.
    kinds = Counter(r.standing.kind for r in rows)
    approval = kinds[StandingKind.APPROVAL]
    running = kinds[StandingKind.RUNNING] + kinds[StandingKind.STOPPING] + kinds[StandingKind.QUEUED]
    held = kinds[StandingKind.HELD] + kinds[StandingKind.CONDITION]
    failed = sum(1 for r in rows if r.status is Status.FAILED)
    loading = sum(1 for r in rows if r.status is None)
    unknown = coverage is not None and not coverage.complete
    text = Text()
    text.append(
        f"{Status.IN_PROGRESS.glyph} {running} running", style=STATUS_COLORS["accent"] if running else _MUTED
    )
    if held:
        text.append(f"  ⊘ {held} held", style=_WARN)
    text.append("  ")
    # Approvals live in the pipelines' states: a state not read may hold one.
    more = "+?" if unknown else ""
    text.append(f"⏸ {approval}{more} waiting for approval", style=_WARN if approval or unknown else _MUTED)
    text.append("  ")
    text.append(f"{Status.FAILED.glyph} {failed} failed", style=STATUS_COLORS["error"] if failed else _MUTED)
    if shown is not None and filter_text:
        text.append(f"  · {shown} of {len(rows)} shown", style=STATUS_COLORS["accent"])
    else:
        text.append(f"  · {len(rows)} pipelines", style=_MUTED)
    if coverage is not None and coverage.failing:
        text.append(f"  ⚠ {clean(coverage.describe(short=True), max_len=200)}", style=_WARN)
    elif loading:
        text.append(f" ({loading} loading)", style=_MUTED)
    elif coverage is not None and unknown:
        text.append(f" ({coverage.missing} not read yet)", style=_MUTED)
    return text


def identity_source(host: Host) -> Callable[[int | None], Text]:
    """What an ``IdentityHeader`` shows, read from the app by the screen that owns the header."""

    def text(width: int | None) -> Text:
        return header_text(
            host.targets_view.view_targets,
            host.store,
            host.now(),
            read_only=host.read_only,
            aliases=host.targets_view.aliases,
            total=len(host.targets),
            width=width,
            picker_key=host.config.first_key("profiles"),
        )

    return text


class IdentityHeader(Static):
    """Identity, region and the age of the data, from the ``source`` its screen gives it; redrawn
    every second, on resize, and when the screen calls ``refresh_text`` (the store's freshness
    changed)."""

    DEFAULT_CSS = """
    IdentityHeader {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, source: Callable[[int | None], Text], *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._source = source

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_text)
        self.refresh_text()

    def on_resize(self) -> None:
        self.refresh_text()  # what fits changes with the width

    def refresh_text(self) -> None:
        text = self._source(self.content_size.width or None)
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.update(text)
