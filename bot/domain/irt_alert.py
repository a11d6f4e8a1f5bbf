"""The text of the SMS alert to the IRT duty phone when a significant-harm contact is flagged
(SPEC rule 7). It carries the reference and the time only: a text message can be read by
anyone holding the phone, so no name, date of birth, address or concern goes in it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.facts import ServiceFacts


def irt_alert_text(
    facts: ServiceFacts, reference: str, immediate_danger: bool, flagged_at: datetime
) -> str:
    local = flagged_at.astimezone(facts.zone)
    what = "immediate danger and significant harm" if immediate_danger else "significant harm"
    told = "to call 999 and the IRT" if immediate_danger else "to contact the IRT now"
    return (
        f"{facts.council.name} {facts.council.service_name}: {what} contact {reference} "
        f"flagged at {local:%H:%M} on {local:%a %-d %b %Y} (UK time). The caller was told "
        f"{told}. Open {reference} in the IRT queue for the details."
    )
