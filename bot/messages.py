"""The wording of the urgent routes, composed from the service file's facts.

Every number and link in a reply comes from the facts; nothing here holds one.
"""

from __future__ import annotations

from bot.facts import ServiceFacts


def urgent_routes(facts: ServiceFacts) -> str:
    """What to do about an urgent concern whatever the hour."""
    return (
        f"If a child is in immediate danger, call {facts.emergency.phone.number} now. "
        f"For an urgent concern about a child, call the Initial Response Team on "
        f"{facts.irt.phone.number} (weekdays {facts.irt.opens:%H:%M} to "
        f"{facts.irt.closes:%H:%M}), or "
        f"{facts.out_of_hours.name} on {facts.out_of_hours.phone.number} at other times. "
        f"Then complete the Online Referral Form: {facts.online_referral_form.url.value}"
    )


def assistant_unavailable(facts: ServiceFacts) -> str:
    """The reply when the assistant cannot answer: never silence when a child may be at risk."""
    return "Sorry, the assistant can't answer right now. " + urgent_routes(facts)
