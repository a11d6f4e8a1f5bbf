"""The actions' slot names are exactly the assistant's slots (domain.yml)."""

from __future__ import annotations

from actions.slots import Slot
from tests.unit.actions.conftest import DOMAIN


def test_every_slot_of_the_domain_has_a_name_and_no_name_is_made_up() -> None:
    assert [slot.value for slot in Slot] == list(DOMAIN["slots"])


def test_a_slot_name_is_the_plain_string_rasa_sends() -> None:
    assert Slot.CHILD_DOB == "child_dob"
    assert {Slot.CHILD_DOB: 1} == {"child_dob": 1}
