"""One piece of data a screen shows, with its loading and error markers attached to it.

A screen that keeps "Loading…" in one widget and "Could not load …" in another must remember to
clear each when the data arrives or fails; when it forgets, a marker outlives its data (an error
shown 25 s after the endpoint recovered, "Loading…" under an error). A ``Datum`` holds the value,
whether a read is under way, the error of the last read and when the value was read, and the
screen draws its markers from ``marker()`` only, so they cannot disagree with the value:

- ``start()``: a read began (``loading``); a value of another ``key`` is dropped, the error stays
  until the read ends (it is still true);
- ``set_value()``: the read succeeded: the error goes;
- ``fail()``: the read failed: the value read before stays, marked by the error (``stale``).

No Textual here: the rules are unit-tested in tests/test_datum.py.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")

# A failed read is tried again, when the poller shows the endpoint answering, at most this often.
RETRY_EVERY = timedelta(seconds=5)


@dataclass
class Datum(Generic[T]):
    """A value and the state of its last read."""

    value: T | None = None
    loading: bool = False
    error: str | None = None
    key: Hashable | None = None  # what the value is of (an execution id): a new key drops it
    updated: datetime | None = None
    attempted: datetime | None = None  # when the last read began

    def start(self, key: Hashable | None = None, when: datetime | None = None) -> None:
        """A read of ``key`` began (at ``when``)."""
        if key != self.key:
            self.value, self.error, self.updated = None, None, None
            self.key = key
        self.loading = True
        self.attempted = when

    def set_value(self, value: T, when: datetime | None = None) -> None:
        """The read succeeded: the value is current and no error is left."""
        self.value, self.error, self.loading = value, None, False
        self.updated = when

    def fail(self, error: str) -> None:
        """The read failed: keep what was read before (now stale), say why."""
        self.error, self.loading = error, False

    def retry_due(self, now: datetime, every: timedelta = RETRY_EVERY) -> bool:
        """The last read failed, none is under way, and the last attempt is ``every`` ago."""
        if self.error is None or self.loading:
            return False
        return self.attempted is None or now - self.attempted >= every

    @property
    def stale(self) -> bool:
        """A value is shown but its last read failed."""
        return self.value is not None and self.error is not None

    @property
    def pending(self) -> bool:
        """Nothing to show yet and no answer: a read is under way or about to be."""
        return self.value is None and self.error is None

    def marker(self, loading: str) -> str | None:
        """The one marker to draw next to the value: its error, else ``loading`` while there is
        no value and a read is under way, else none."""
        if self.error is not None:
            return self.error
        if self.value is None and self.loading:
            return loading
        return None
