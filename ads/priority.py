"""Line-item priorities: which campaigns get an ad break first.

A break goes to the highest tier that has an eligible campaign the replica may serve right now;
within a tier, the draw is weighted by remaining budget as before. Sponsorships (a show's
presenting sponsor, a guaranteed buy) come before standard campaigns; house campaigns (the
publisher's own promos, usually at CPM 0) fill only what no paid campaign can, so a break that
would have gone empty promotes the publisher's shows instead.
"""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    """A campaign's tier; tiers are served in the order listed here."""

    SPONSORSHIP = "sponsorship"
    STANDARD = "standard"
    HOUSE = "house"
