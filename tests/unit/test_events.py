"""A verified beacon's way through the event stream: entry fields and back to a row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from ads.events import row_from_fields, stream_fields
from ads.tracking import Beacon

CAMPAIGN, CREATIVE = uuid.uuid4(), uuid.uuid4()


def beacon(**changes: object) -> Beacon:
    values: dict[str, object] = {
        "event": "impression",
        "ad_serving_id": "a" * 32,
        "request_id": "req-1",
        "campaign_id": str(CAMPAIGN),
        "creative_id": str(CREATIVE),
        "served_at": 1_767_225_600,
        "event_id": f"{'a' * 32}:impression",
    }
    values.update(changes)
    return Beacon(**values)  # type: ignore[arg-type]


def test_an_entry_round_trips_to_the_row_the_sink_copies() -> None:
    fields = stream_fields(
        beacon(device="0123456789abcdef"),
        received_at_ms=1_767_225_601_500,
        user_agent="Roku/1",
        place="US-CA",
    )
    row = row_from_fields(fields, "1767225601500-0")
    assert (row.event_type, row.campaign_id, row.creative_id) == ("impression", CAMPAIGN, CREATIVE)
    assert row.served_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert row.received_at == datetime(2026, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)
    assert (row.device, row.user_agent, row.error_code) == ("0123456789abcdef", "Roku/1", None)
    assert row.place == "US-CA" and row.invalid is None
    assert row.event_id == f"{'a' * 32}:impression"


def test_entries_without_a_device_keep_none() -> None:
    row = row_from_fields(stream_fields(beacon(), received_at_ms=0, user_agent=None), "0-1")
    assert row.device is None and row.user_agent is None and row.place is None
    older = stream_fields(beacon(), received_at_ms=0, user_agent=None)
    del older["d"], older["g"], older["iv"]  # from a replica before device keys and places
    row = row_from_fields(older, "0-1")
    assert row.device is None and row.place is None and row.invalid is None


def test_an_invalid_beacon_is_keyed_by_its_stream_entry() -> None:
    fields = stream_fields(beacon(), received_at_ms=0, user_agent="Googlebot/2.1", invalid="robot")
    first, again = row_from_fields(fields, "5-0"), row_from_fields(fields, "6-0")
    assert first.invalid == "robot" and first.user_agent == "Googlebot/2.1"
    # Each arrival counts once (a sink re-reading entry 5-0 writes the same key) and none
    # takes the event id the viewer's own beacon of this ad is counted by.
    assert first.event_id == f"{'a' * 32}:impression~5-0" != again.event_id
    assert row_from_fields(fields, "5-0") == first


def test_text_postgresql_cannot_hold_is_made_safe_for_the_sink() -> None:
    """A NUL character in any text would fail the sink's batch on every retry."""
    fields = stream_fields(
        beacon(request_id="req\x00-1"), received_at_ms=0, user_agent="Player\x00/1"
    )
    row = row_from_fields(fields, "0-1")
    assert (row.request_id, row.user_agent) == ("req\ufffd-1", "Player\ufffd/1")
