"""VAST error codes read as people read them: meaning, family and what helps."""

from __future__ import annotations

import pytest

from ads.vast_errors import NO_CODE, VAST_ERRORS, ErrorFamily, vast_error


@pytest.mark.parametrize(
    ("code", "family"),
    [
        (100, ErrorFamily.DOCUMENT),
        (206, ErrorFamily.TRAFFICKING),
        (303, ErrorFamily.WRAPPER),
        (403, ErrorFamily.VIDEO),
        (500, ErrorFamily.NONLINEAR),
        (600, ErrorFamily.COMPANION),
        (901, ErrorFamily.OTHER),
    ],
)
def test_a_code_belongs_to_the_family_of_its_hundred(code: int, family: ErrorFamily) -> None:
    assert vast_error(code).family is family


def test_every_defined_code_says_what_happened_and_what_helps() -> None:
    assert {100, 101, 102, 200, 202, 203, 301, 303, 400, 401, 402, 403, 405, 900} <= set(
        VAST_ERRORS
    )
    for code, error in VAST_ERRORS.items():
        assert error.code == code and error.meaning and error.hint.endswith(".")


def test_a_code_vast_does_not_define_is_shown_as_its_family() -> None:
    unknown = vast_error(404)
    assert unknown.meaning.startswith("Code 404, not one VAST defines (general video error")
    assert unknown.family is ErrorFamily.VIDEO
    assert vast_error(999).meaning == "Code 999, not one VAST defines (undefined error)"
    assert vast_error(777).meaning == "Code 777, not one VAST defines"
    assert vast_error(None) is NO_CODE and NO_CODE.family is ErrorFamily.OTHER
