"""Text rendered once with holes, filled per request: the cheapest way to build a response body
from Python (one C-level join, whatever the number of holes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

Part = str | int
"""A piece of a template: text, or the index of a per-request value."""


class SlotTemplate:
    """Text with holes; :meth:`fill` puts ``values[index]`` in each hole (values may repeat)."""

    __slots__ = ("_frame", "_pick")

    def __init__(self, parts: Iterable[Part]) -> None:
        texts = [""]
        holes: list[int] = []
        for part in parts:
            if isinstance(part, str):
                texts[-1] += part
            else:
                holes.append(part)
                texts.append("")
        frame: list[str] = [""] * (2 * len(holes) + 1)
        frame[0::2] = texts
        self._frame = frame
        self._pick: Callable[[Sequence[str]], Sequence[str]] = _picker(holes)

    def fill(self, values: Sequence[str]) -> str:
        """The text with every hole filled from ``values``."""
        frame = self._frame.copy()
        frame[1::2] = self._pick(values)
        return "".join(frame)


def _picker(holes: list[int]) -> Callable[[Sequence[str]], Sequence[str]]:
    if not holes:
        return lambda values: ()
    if len(holes) == 1:
        only = holes[0]
        return lambda values: (values[only],)
    pick: Callable[[Sequence[str]], Sequence[str]] = itemgetter(*holes)
    return pick
