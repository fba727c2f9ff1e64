"""A creative's id in an industry registry, told to players as VAST ``<UniversalAdId>``.

Players, server-side ad insertion and measurement vendors know a spot by it across ad servers
(to keep one spot out of a break twice, to match their own logs): Ad-ID in the US (``ad-id.org``:
four letters naming the company, seven letters or digits, then ``H`` for a high-definition
version or ``D`` for 3D), Clearcast clock numbers in the UK (``clearcast.co.uk``), and others.
Every ad also carries its id in this ad server's own registry: VAST 4.2 lists both, the industry
id first; VAST 4.0 and 4.1 hold one, the industry id when the creative has one.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

OWN_REGISTRY = "ctv-adserver"
"""The registry of this ad server's own creative ids."""
AD_ID = "ad-id.org"
CLEARCAST = "clearcast.co.uk"
KNOWN_REGISTRIES = (AD_ID, CLEARCAST)
"""The registries the dashboard offers first (any other domain-like name is taken too)."""
_AD_ID_CODE = re.compile(r"[A-Z]{4}[A-Z0-9]{7}[HD]?")
_REGISTRY = re.compile(r"[a-z0-9]([a-z0-9.\-]{0,98}[a-z0-9])?")
_CODE = re.compile(r"[!-~]{1,100}")
"""Printable ASCII without spaces: what registries hand out, and safe in any log."""


class UniversalAdId(BaseModel):
    """A creative's id in an industry registry (Ad-ID codes upper-cased)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    registry: str
    """Who gave the id, lower-cased: ``ad-id.org``, ``clearcast.co.uk``, …"""
    value: str

    @field_validator("registry")
    @classmethod
    def _registry(cls, registry: str) -> str:
        name = registry.lower()
        if not _REGISTRY.fullmatch(name):
            raise ValueError("the registry is a domain name such as ad-id.org or clearcast.co.uk")
        if name == OWN_REGISTRY:
            raise ValueError(f"{OWN_REGISTRY} is this ad server's own registry: every ad has it")
        return name

    @field_validator("value")
    @classmethod
    def _code(cls, value: str, info: ValidationInfo) -> str:
        if not _CODE.fullmatch(value):
            raise ValueError("the id is 1-100 printable ASCII characters without spaces")
        if info.data.get("registry") != AD_ID:
            return value
        code = value.upper()
        if not _AD_ID_CODE.fullmatch(code):
            raise ValueError(
                "an Ad-ID code is 11 letters or digits (4 letters, then 7 letters or digits), "
                "plus H for HD or D for 3D"
            )
        return code

    def __str__(self) -> str:
        """``ad-id.org ABCD0123000H``: how the history shows it."""
        return f"{self.registry} {self.value}"
