"""Character spans (comments, targets) looked up by position.

A document's comments and targets are tested against each of its sentences; on one very long
entry that is thousands of each, so the spans near a position are found by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate


class Spans:
    """``(start, end)`` spans sorted by start, with the largest end so far (spans may
    overlap or nest)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.reach = list(accumulate((e for _, e in self.spans), max))

    def __bool__(self) -> bool:
        return bool(self.spans)

    def touching(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans with a character in ``[start, end]`` (end points included), and maybe
        a few more that lie before ``start``: callers test the overlap they need."""
        return self.spans[bisect_left(self.reach, start):bisect_right(self.starts, end)]
