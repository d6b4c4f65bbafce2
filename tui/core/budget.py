"""A per-target rate budget: a token bucket whose rate halves on throttling and creeps back (AIMD).

Plain Python with an injected clock (monotonic seconds as floats). The poller policy owns one per
target; polls and on-demand calls (``CptuiApp.call``) draw from the same bucket.
"""

from __future__ import annotations

# Float refills must never lose a whole token to rounding (2.9999999 tokens is 3).
_EPSILON = 1e-9
# Throttles this close together (seconds) halve the rate once.
_DEBOUNCE = 1.0


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` banked.

    On ``throttled`` the rate halves (not below ``min_rate``) and the bank empties; every
    ``recovery_every`` seconds without a throttle the rate grows by ``recovery_step`` until it is
    back at ``base_rate``.
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        now: float,
        *,
        min_rate: float = 0.25,
        recovery_step: float = 0.25,
        recovery_every: float = 5.0,
    ) -> None:
        self.base_rate = rate
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.min_rate = min_rate
        self.recovery_step = recovery_step
        self.recovery_every = recovery_every
        self._stamp = now
        self._last_step = now
        self._last_halving: float | None = None

    @property
    def reduced(self) -> bool:
        """True while a throttle's back-off is still in effect."""
        return self.rate < self.base_rate

    def _advance(self, now: float) -> None:
        if now <= self._stamp:
            return
        # Refill piecewise so that a recovery step in the middle counts at the right rate.
        while self.rate < self.base_rate and self._last_step + self.recovery_every <= now:
            step_at = max(self._stamp, self._last_step + self.recovery_every)
            self._refill(step_at - self._stamp)
            self._stamp = step_at
            self._last_step = step_at
            self.rate = min(self.base_rate, self.rate + self.recovery_step)
        self._refill(now - self._stamp)
        self._stamp = now

    def _refill(self, seconds: float) -> None:
        # A start-up grant above ``burst`` is spent, never refilled, and never cut by a refill.
        if self.tokens < self.burst:
            self.tokens = min(self.burst, self.tokens + seconds * self.rate)

    def grant(self, tokens: float, now: float) -> None:
        """A one-off bank of ``tokens`` (the start-up burst: the rows on screen read at once).

        It may exceed ``burst``; once spent, the bucket refills to ``burst`` at ``rate`` as before.
        """
        self._advance(now)
        self.tokens = max(self.tokens, tokens)

    def available(self, now: float) -> float:
        """Tokens available at ``now``."""
        self._advance(now)
        return self.tokens

    def try_take(self, now: float, reserve: float = 0.0) -> bool:
        """Take one token if at least ``1 + reserve`` are available."""
        self._advance(now)
        if self.tokens >= 1.0 + reserve - _EPSILON:
            self.tokens -= 1.0
            return True
        return False

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self._advance(now)
        if self.tokens >= 1.0 - _EPSILON:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def throttled(self, now: float, *, halve: bool = True) -> None:
        """The service said slow down: halve the rate and drop what is banked.

        Calls in flight together are often throttled together: within ``_DEBOUNCE`` seconds of a
        halving, another throttle only empties the bank. ``halve=False`` (a start-up burst too big
        for the endpoint's own bucket: the sustained rate was not the problem) only empties it.
        """
        self._advance(now)
        if halve and (self._last_halving is None or now - self._last_halving >= _DEBOUNCE):
            self.rate = max(self.min_rate, self.rate / 2)
            self._last_halving = now
        self.tokens = min(self.tokens, 0.0)
        self._last_step = now
