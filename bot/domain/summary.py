"""The record a professional keeps (issue 16, part 6). By SMS: the reference and the next steps
in one message, with the numbers and links from the service file. (The web chat builds its
printable and downloadable summary in the browser, from the conversation shown.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.facts import ServiceFacts

# Twilio's limit for one message.
MAX_SMS_SUMMARY_CHARS = 1600

# Each next step, short enough that all of them fit one text message.
SHORT_STEPS: Mapping[str, str] = {
    "call_999": "If the child is in immediate danger, call {emergency_phone}.",
    "irt_now": "Contact the IRT now on {irt_phone}.",
    "threshold_discussion": "Talk it through with the IRT on {irt_phone}; they decide.",
    "seek_consent": (
        "Seek the family's consent (not from anyone who may be the source of harm); record "
        "their answer, and a refusal with your reasons."
    ),
    "childrens_social_care_referral": (
        "Online Referral Form: {referral_form_url} (within {referral_followup_hours} hours of "
        "a phone referral)."
    ),
    "mat_referral": "Refer to the Multi-Agency Team (MAT), with the family's agreement.",
    "early_help_assessment": "Start an Early Help Assessment with a lead professional.",
    "universal_services": "Carry on within your own service; no referral is needed.",
}


def sms_summary(
    facts: ServiceFacts,
    values: Mapping[str, str],
    *,
    at: datetime,
    reference: str | None,
    level: str,
    next_steps: tuple[str, ...],
) -> str:
    """One message: when, the reference (named child) or "scenario, not kept", the suggested
    level and the next steps. `values` fills the steps' placeholders (messages.step_facts)."""
    local = at.astimezone(facts.zone)
    when = f"{local.day} {local:%B %Y} at {local:%H:%M}"
    what = f"contact {reference}" if reference else "a scenario (nothing kept)"
    steps = " ".join(
        f"{number}. {SHORT_STEPS[step].format_map(values)}"
        for number, step in enumerate(next_steps, start=1)
    )
    text = (
        f"Your record: {facts.council.service_name}, {when}, {what}. Suggested level: {level} "
        f"(the IRT decides). Next steps: {steps}"
    )
    return text[:MAX_SMS_SUMMARY_CHARS]
