"""IAB TCF v2 consent strings for tests: published ones with their contents, and made ones."""

from __future__ import annotations

import base64

# Published TCF v2 test strings with their decoded contents (GDPR::IAB::TCFv2's test suite).
BITFIELD = "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA"
"""Purposes 1, 3, 9, 10 by consent, 3, 4, 5, 8, 9, 10 by legitimate interest; vendors as a
bit field up to 115."""
RANGES = "COyfVVoOyfVVoADACHENAwCAAAAAAAAAAAAAE5QBgALgAqgD8AQACSwEygJyAnSAMABgAFkAgQCDASeAmYBOgAA"
"""No purposes; vendor consent as ranges: 23, 42, 126-128, 587, 613, 626."""
BITFIELD_VENDORS = {
    2, 3, 6, 7, 8, 10, 12, 13, 14, 15, 16, 21, 25, 27, 30, 31, 34, 35, 37, 38, 39, 42, 43, 49,
    52, 54, 55, 56, 57, 59, 60, 63, 64, 65, 66, 67, 68, 69, 73, 74, 76, 78, 83, 86, 87, 89, 90,
    92, 96, 99, 100, 106, 109, 110, 114, 115,
}  # fmt: skip


def tc_string(
    consent: set[int],
    interest: set[int],
    vendors: set[int],
    *,
    ranges: list[tuple[int, int]] | None = None,
    max_vendor: int | None = None,
) -> str:
    """A TCF v2 core segment with those purposes and vendor consents (a bit-field vendor
    section; with ``ranges``, a range-encoded one holding them as given), the other fields
    zero."""

    def field(numbers: set[int], width: int) -> str:
        return "".join("1" if n in numbers else "0" for n in range(1, width + 1))

    if max_vendor is None:
        max_vendor = max([*vendors, *(last for _, last in ranges or [])], default=0)
    if ranges is None:
        section = "0" + field(vendors, max_vendor)
    else:
        section = "1" + format(len(ranges), "012b")
        for first, last in ranges:
            section += f"1{first:016b}{last:016b}" if first != last else f"0{first:016b}"
    bits = (
        format(2, "06b")
        + "0" * 146
        + field(consent, 24)
        + field(interest, 24)
        + "0" * 13
        + format(max_vendor, "016b")
        + section
        + format(0, "016b")
        + "0"  # no vendors by legitimate interest
    )
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
