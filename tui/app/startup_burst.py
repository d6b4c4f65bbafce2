"""How many reads the start-up burst sends per target, and what is remembered of it for the next run.

The burst is sized to the screen (one read per row that fits, plus the reserve polls leave for
on-demand calls) or set by ``[polling] startup_burst``; never more than an earlier run left remembered
for the target: a throttled burst is remembered as what the endpoint accepted at once, and clean
starts let it grow back to the screen. The ``PollController`` grants it when a target's first list
arrives (or the cache painted rows) and settles it once the start-up phase is over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from tui.core.cache import load_bursts, remember_burst
from tui.core.poller import PollPolicy

# Terminal lines of the pipelines list that are not rows (header, table header, footer, ...): the
# start-up burst reads as many rows as the rest holds.
LIST_CHROME_ROWS = 4


class StartupBursts:
    """The start-up bursts of every target: sized, granted to the policy, remembered in the cache.

    ``first_rows(key)``: the names of ``key``'s rows in the list's order (the rows it shows first)."""

    def __init__(
        self,
        policy: PollPolicy,
        cache_dir: Path | None,
        *,
        screen_height: Callable[[], int],
        first_rows: Callable[[str], list[str]],
    ) -> None:
        self.policy = policy
        self._cache_dir = cache_dir
        self._screen_height = screen_height
        self._first_rows = first_rows
        self._remembered = load_bursts(cache_dir)  # from earlier runs (shrunk by throttles)
        self.granted: dict[str, int] = {}  # granted in this run, by target key

    def screen_burst(self) -> int:
        """The burst the screen asks for: ``[polling] startup_burst``, else one read per row that
        fits in the list (the terminal less the list's chrome) and the tokens polls leave for
        on-demand calls. Not more: a read of a row off screen would take a token of the endpoint's
        own bucket from a row on screen (who the caller is waits for the rows: the policy's
        ``_identity_waits``)."""
        configured = self.policy.settings.startup_burst
        if configured is not None:
            return configured
        return self._rows_on_screen() + int(self.policy.settings.reserve)

    def burst(self, key: str) -> int:
        """Reads sent at once when ``key``'s first list arrives (``screen_burst``); never more
        than what an earlier start left remembered for this target (a throttled burst is
        remembered as what the endpoint accepted)."""
        burst = self.screen_burst()
        remembered = self._remembered.get(key)
        return min(burst, remembered) if remembered is not None else burst

    def grant(self, key: str, now: float) -> None:
        """Grant ``key``'s burst to the policy (once per target: see ``granted``)."""
        burst = self.burst(key)
        if not self.policy.has_visible(key):
            # The list has not been painted yet: the rows it will show first are the first in the
            # list's order (favourites, then the latest activity the list knows of).
            self.policy.set_visible(key, self._first_rows(key)[: self._rows_on_screen()])
        self.granted[key] = self.policy.grant_startup(key, burst, now)

    def settle(self, key: str, now: float) -> None:
        """Once the start-up phase is over: remember the burst for the next start. A burst the
        endpoint throttled (or answered only after retries) becomes what it accepted at once (not
        below ``burst``); a clean start whose burst was smaller than the screen asks grows it by
        half, up to the screen (an endpoint's quota can be raised, or was shared at the time)."""
        outcome = self.policy.startup_outcome(key, now)
        if outcome is None:
            return
        remembered = self._remembered.get(key)
        floor = int(self.policy.settings.burst)
        if outcome.burst_throttled:
            # (A grant counts the tokens polls keep for on-demand calls: the reads it sends are fewer.)
            reserve = int(self.policy.settings.reserve)
            self._remember(key, max(floor, min(outcome.accepted + reserve, outcome.granted - 1)))
        elif outcome.clean and remembered is not None:
            wanted = self.screen_burst()
            if outcome.granted >= remembered and remembered < wanted:
                self._remember(key, min(wanted, max(remembered + 1, math.ceil(remembered * 1.5))))

    def _rows_on_screen(self) -> int:
        return max(1, self._screen_height() - LIST_CHROME_ROWS)

    def _remember(self, key: str, burst: int) -> None:
        self._remembered[key] = burst
        remember_burst(self._cache_dir, key, burst)
