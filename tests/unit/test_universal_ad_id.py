"""A creative's industry id: what each registry's codes look like, and what is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ads.creatives import CreativeUpdate, check_universal_ad_id
from ads.errors import InvalidInput
from ads.universal_ad_id import OWN_REGISTRY, UniversalAdId


@pytest.mark.parametrize(
    ("registry", "value", "kept"),
    [
        (" AD-ID.org ", " abcd0123456h ", ("ad-id.org", "ABCD0123456H")),
        ("ad-id.org", "ABCD012345X", ("ad-id.org", "ABCD012345X")),  # SD: no suffix
        ("ad-id.org", "wxyz9876543d", ("ad-id.org", "WXYZ9876543D")),  # 3D
        ("clearcast.co.uk", "ABC/DEFG123/030", ("clearcast.co.uk", "ABC/DEFG123/030")),
        ("arpp.org", "fr-2026-0042", ("arpp.org", "fr-2026-0042")),  # kept as given
    ],
)
def test_industry_ids_are_kept_as_their_registry_writes_them(
    registry: str, value: str, kept: tuple[str, str]
) -> None:
    industry = UniversalAdId(registry=registry, value=value)
    assert (industry.registry, industry.value) == kept
    assert str(industry) == " ".join(kept)


@pytest.mark.parametrize(
    ("registry", "value", "says"),
    [
        ("ad-id.org", "ABC0123456H", "an Ad-ID code is 11 letters or digits"),
        ("ad-id.org", "ABCD0123456HX", "an Ad-ID code is 11 letters or digits"),
        ("ad-id.org", "ABCD012345_H", "an Ad-ID code is 11 letters or digits"),
        (OWN_REGISTRY, "x", "this ad server's own registry"),
        ("Ad ID", "x", "the registry is a domain name"),
        ("<script>", "x", "the registry is a domain name"),
        ("-ad-id.org", "x", "the registry is a domain name"),
        ("clearcast.co.uk", "two words", "printable ASCII characters without spaces"),
        ("clearcast.co.uk", "é", "printable ASCII characters without spaces"),
        ("clearcast.co.uk", "x" * 101, "printable ASCII characters without spaces"),
        ("clearcast.co.uk", "", "printable ASCII characters without spaces"),
    ],
)
def test_what_no_registry_hands_out_is_refused(registry: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        UniversalAdId(registry=registry, value=value)


def test_a_patch_sets_or_clears_it_and_refuses_it_on_a_vast_tag() -> None:
    update = CreativeUpdate.model_validate(
        {"universal_ad_id": {"registry": "ad-id.org", "value": "abcd0123456h"}}
    )
    assert update.universal_ad_id == UniversalAdId(registry="ad-id.org", value="ABCD0123456H")
    cleared = CreativeUpdate.model_validate({"universal_ad_id": None})
    assert cleared.universal_ad_id is None and cleared.model_fields_set == {"universal_ad_id"}
    with pytest.raises(ValidationError, match="Extra inputs"):
        CreativeUpdate.model_validate(
            {"universal_ad_id": {"registry": "a.org", "value": "x", "y": 1}}
        )
    check_universal_ad_id(update.universal_ad_id, vast_tag=False)
    check_universal_ad_id(None, vast_tag=True)
    with pytest.raises(InvalidInput) as refused:
        check_universal_ad_id(update.universal_ad_id, vast_tag=True)
    assert refused.value.details == [{"field": "universal_ad_id", "message": refused.value.message}]
