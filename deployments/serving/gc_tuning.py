"""The serving replica's garbage-collector settings.

A decision leaves a few dozen container objects alive for as long as it is in flight. With
Python's default young-generation threshold (700 net allocations) a saturated replica ran a
collection every ~12 requests, found nothing to free (the objects die by reference count a moment
later) and spent 18-26 µs per request in the collector, 8-10% of its CPU (bench/RESULTS.md).
"""

from __future__ import annotations

import gc
from typing import Annotated

from pydantic import Field

YoungThreshold = Annotated[int, Field(ge=1)]
"""A young-generation threshold as the Serve apps' args take it (see :func:`tune_gc`)."""


def tune_gc(young_threshold: int) -> None:
    """Collect once, move everything start-up allocated out of the collector's sight (it stays
    for the life of the replica) and collect the young generation every ``young_threshold`` net
    allocations instead of 700; the older generations keep their thresholds."""
    if young_threshold < 1:
        raise ValueError("young_threshold must be at least 1")
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
