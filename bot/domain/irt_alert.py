"""The text of the SMS alert to the IRT duty phone when a significant-harm contact is flagged
(SPEC rule 7). It carries the reference and the time only: a text message can be read by
anyone holding the phone, so no name, date of birth, address or concern goes in it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.facts import ServiceFacts
from bot.domain.messages import urgent_contact_name


def irt_alert_text(
    facts: ServiceFacts, reference: str, immediate_danger: bool, flagged_at: datetime
) -> str:
    local = flagged_at.astimezone(facts.zone)
    what = "immediate danger and significant harm" if immediate_danger else "significant harm"
    # Where the caller was really sent at that moment: out of hours, the Care Line.
    where = urgent_contact_name(facts, flagged_at)
    told = f"to call 999 and {where}" if immediate_danger else f"to call {where} now"
    return (
        f"{facts.council.name} {facts.council.service_name}: {what} contact {reference} "
        f"flagged at {local:%H:%M} on {local:%a %-d %b %Y} (UK time). The caller was told "
        f"{told}. Open {reference} in the IRT queue for the details."
    )
