"""The rule for misunderstandings in a row, shared by the form and the fallback."""

from __future__ import annotations

from bot.domain.misses import after_a_miss


def test_the_first_miss_asks_again_and_is_counted() -> None:
    miss = after_a_miss(None)
    assert (miss.misses, miss.offer_human_routes) == (1, False)


def test_the_second_miss_in_a_row_gives_the_human_routes_and_starts_again() -> None:
    miss = after_a_miss(1.0)  # Rasa keeps the count as a float slot
    assert (miss.misses, miss.offer_human_routes) == (0, True)
