import gc
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from deployments.serving.app import ServingArgs
from deployments.serving.gc_tuning import tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_sets_the_young_threshold_and_keeps_the_older_ones() -> None:
    _, middle, old = gc.get_threshold()
    tune_gc(50_000)
    assert gc.get_threshold() == (50_000, middle, old)


@pytest.mark.usefixtures("restored_gc")
def test_freezes_what_start_up_allocated() -> None:
    gc.unfreeze()
    survivor = [object() for _ in range(10)]
    tune_gc(50_000)
    assert gc.get_freeze_count() >= len(survivor)


def test_refuses_a_threshold_below_one() -> None:
    before = gc.get_threshold()
    with pytest.raises(ValueError, match="at least 1"):
        tune_gc(0)
    assert gc.get_threshold() == before


def test_serve_config_knob_is_validated() -> None:
    assert ServingArgs.model_validate({"gc_young_threshold": 50_000}).gc_young_threshold == 50_000
    assert ServingArgs.model_validate({}).gc_young_threshold is None
    with pytest.raises(ValidationError):
        ServingArgs.model_validate({"gc_young_threshold": 0})
