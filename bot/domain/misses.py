"""Misunderstandings in a row (SPEC: never a guess about a child's safety): the first asks again,
the second in a row also gives the human routes and starts the count again. One rule for the
form's questions and for the assistant's fallback."""

from __future__ import annotations

from dataclasses import dataclass

MISSES_BEFORE_HUMAN_ROUTES = 2


@dataclass(frozen=True)
class AfterAMiss:
    misses: int  # the count to keep (the `misunderstood` slot)
    offer_human_routes: bool


def after_a_miss(misses_so_far: float | None) -> AfterAMiss:
    misses = int(misses_so_far or 0) + 1
    if misses >= MISSES_BEFORE_HUMAN_ROUTES:
        return AfterAMiss(misses=0, offer_human_routes=True)
    return AfterAMiss(misses=misses, offer_human_routes=False)
