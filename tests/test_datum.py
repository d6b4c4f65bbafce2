"""A datum's markers belong to it (issue 11, section 2): an error goes when the datum is read
again, "Loading…" never stands under an error, and a failed read keeps the stale value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.datum import RETRY_EVERY, Datum

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_loading_then_value_then_no_marker() -> None:
    datum: Datum[str] = Datum()
    assert datum.pending and datum.marker("Loading…") is None
    datum.start("e1", NOW)
    assert datum.marker("Loading…") == "Loading…"
    datum.set_value("x", NOW)
    assert datum.marker("Loading…") is None and not datum.stale


def test_a_failure_replaces_loading_and_keeps_the_stale_value() -> None:
    datum: Datum[str] = Datum()
    datum.start("e1", NOW)
    datum.fail("cannot reach")
    assert datum.marker("Loading…") == "cannot reach"  # not "Loading…" under it
    datum.set_value("x")
    datum.start("e1", NOW)
    datum.fail("cannot reach")
    assert datum.value == "x" and datum.stale


def test_the_error_stays_while_a_retry_runs_and_goes_when_it_succeeds() -> None:
    datum: Datum[str] = Datum()
    datum.start("e1", NOW)
    datum.fail("cannot reach")
    datum.start("e1", NOW)
    assert datum.marker("Loading…") == "cannot reach"  # still true until the read ends
    datum.set_value("x")
    assert datum.error is None and datum.marker("Loading…") is None


def test_a_new_key_drops_the_old_value_and_error() -> None:
    datum: Datum[str] = Datum()
    datum.start("e1", NOW)
    datum.set_value("x")
    datum.start("e2", NOW)
    assert datum.value is None and datum.marker("Loading…") == "Loading…"


def test_a_failed_read_is_due_again_after_a_while_not_while_loading() -> None:
    datum: Datum[str] = Datum()
    assert not datum.retry_due(NOW)  # nothing failed
    datum.start("e1", NOW)
    datum.fail("denied")
    assert not datum.retry_due(NOW + RETRY_EVERY - timedelta(seconds=1))
    assert datum.retry_due(NOW + RETRY_EVERY)
    datum.start("e1", NOW + RETRY_EVERY)
    assert not datum.retry_due(NOW + 10 * RETRY_EVERY)  # one under way
