"""What every IRT review page shares: the layout's context (the council, the navigation, who
is signed in and the session's CSRF token), labels and the local time format. Pages render
through api.templating, so every value is autoescaped and every script carries the nonce."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response

from api.services import AppServices
from api.staff_cookies import StaffPageError
from api.templating import render
from bot.domain.irt_alert import AlertState, AlertStatus
from bot.services.staff_auth import ActiveSession

STATUS_LABELS = {
    "new": "New",
    "in_review": "In review",
    "passed_to_irt": "Passed to IRT",
    "recorded_on_lcs": "Recorded on LCS",
    "no_further_action": "No further action",
    "erased": "Erased",
}
# GOV.UK tag colours for each status.
STATUS_COLOURS = {
    "new": "govuk-tag--blue",
    "in_review": "govuk-tag--yellow",
    "passed_to_irt": "govuk-tag--orange",
    "recorded_on_lcs": "govuk-tag--green",
    "no_further_action": "govuk-tag--grey",
    "erased": "govuk-tag--grey",
}
CHANNEL_LABELS = {"web": "Web chat", "sms": "SMS"}
ROLE_LABELS = {"irt_manager": "IRT manager", "admin": "Administrator"}
THRESHOLD_LABELS = {
    "harm": "Reasonable cause to suspect significant harm",
    "needs": "The child's needs",
    "support": "Whether current support meets them",
    "consent": "Whether the family agrees to early help",
    "other_children": "Other children in the household",
    "dash_grade": "The police's DASH risk grade",
}
# The assistant's next-step codes (bot.domain.levels.NEXT_STEP_TEXT), named for a manager.
NEXT_STEP_LABELS = {
    "call_999": "Call 999: the child is in immediate danger",
    "irt_now": "Contact the IRT now",
    "threshold_discussion": "A threshold discussion with the IRT",
    "seek_consent": "Ask for the family's agreement",
    "childrens_social_care_referral": "The Online Referral Form to Children's Social Care",
    "mat_referral": "A referral to the Multi-Agency Team (MAT)",
    "early_help_assessment": "An Early Help Assessment with a lead professional",
    "universal_services": "Universal services: no referral needed",
}
# The harm phrase list's categories (bot/harm_phrases.yml), named for a manager.
HARM_CATEGORY_LABELS = {
    "disclosure": "Disclosure",
    "injury": "Injury",
    "sexual_harm": "Sexual harm",
    "fgm_forced_marriage": "FGM or forced marriage",
    "exploitation": "Exploitation",
    "domestic_abuse_high_risk": "High-risk domestic abuse",
    "self_harm_suicide": "Self-harm or suicide",
    "neglect": "Neglect",
    "risk_from_adult": "Risk from an adult",
    "radicalisation": "Radicalisation",
    "fabricated_illness": "Fabricated or induced illness",
    "immediate_danger": "Immediate danger",
}
SERVICE_NAME = "IRT review"


def harm_categories(names: list[str]) -> str:
    """A contact's harm categories as a manager reads them, or "None"."""
    labels = [HARM_CATEGORY_LABELS.get(n, n.replace("_", " ").capitalize()) for n in names]
    return ", ".join(labels) or "None"


ALERT_LABELS = {
    AlertStatus.PENDING: "Alert to the duty phone: waiting to be sent",
    AlertStatus.SENDING: "Alert to the duty phone: sending",
    AlertStatus.SENT: "Alert to the duty phone: sent, not yet delivered",
    AlertStatus.DELIVERED: "Alert to the duty phone: delivered",
    AlertStatus.FAILED: "Alert to the duty phone: not delivered, sending again",
    AlertStatus.HELD: "Alert to the duty phone: held back (too many at once), to be summed up",
    AlertStatus.SUMMED: "Alert to the duty phone: summed up with others, not yet delivered",
}
# A contact flagged by a client beyond its allowance (a possible flood): sorted last.
FLOOD_TAG = {
    "text": "Possible flood",
    "classes": "govuk-tag--purple",
    "attributes": {"data-possible-flood": "true"},
}


def alert_tag(alert: AlertState | None) -> dict[str, Any] | None:
    """The tag of a contact's IRT alert: green once delivered; red when it failed or was not
    delivered within two minutes of the flag (it is being sent again); grey while on its way."""
    if alert is None:
        return None
    late = alert.late(datetime.now(UTC))
    text = ALERT_LABELS.get(alert.status, alert.status)  # type: ignore[call-overload]
    if alert.summed and alert.status == AlertStatus.DELIVERED:
        text += " (in a summary)"
    if late:
        text += " (not delivered within 2 minutes)"
    if alert.status == AlertStatus.DELIVERED:
        colour = "govuk-tag--green"
    elif late or alert.status == AlertStatus.FAILED:
        colour = "govuk-tag--red"
    else:
        colour = "govuk-tag--grey"
    return {
        "text": text,
        "classes": colour,
        "attributes": {
            "data-alert-status": alert.status,
            "data-alert-late": "true" if late else "false",
        },
    }


def local_time(at: datetime | None, zone: str) -> str:
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y, %H:%M}"


def long_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def describe_duration(seconds: int) -> str:
    """8 hours, 30 minutes, 1 minute 30 seconds, 20 seconds: for the timeout's words."""

    def unit(count: int, name: str) -> str:
        return f"{count} {name}{'' if count == 1 else 's'}"

    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    counts = ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
    parts = [unit(n, name) for n, name in counts if n]
    return " ".join(parts) or "0 seconds"


def session_timeout(services: AppServices) -> dict[str, Any]:
    """What the timeout warning (api/static/irt-session.js) needs: when the session ends
    without activity and how long before that to warn."""
    settings = services.settings
    return {
        "idle_seconds": settings.staff_idle_timeout_seconds,
        "warning_seconds": settings.staff_timeout_warning_seconds,
        "idle_words": describe_duration(settings.staff_idle_timeout_seconds),
    }


def navigation(request: Request, active: ActiveSession | None) -> list[dict[str, Any]]:
    if active is None:
        return []
    path = request.url.path
    items = [
        ("Queue", "/irt", path == "/irt" or path.startswith("/irt/contacts")),
        ("Statistics", "/irt/stats", path.startswith("/irt/stats")),
        ("Audit trail", "/irt/audit", path.startswith("/irt/audit")),
    ]
    if active.member.is_admin:
        items.append(("Accounts", "/irt/admin/users", path.startswith("/irt/admin")))
    items.append(("Your password", "/irt/account/password", path.startswith("/irt/account")))
    return [{"text": text, "href": href, "active": current} for text, href, current in items]


def page(
    request: Request,
    services: AppServices,
    template: str,
    active: ActiveSession | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    facts = services.facts
    response = render(
        request,
        template,
        {
            "facts": facts,
            "council_name": facts.council.name,
            "service_name": facts.council.service_name,
            "irt_service_name": SERVICE_NAME,
            "navigation": navigation(request, active),
            "staff": active.member if active else None,
            "csrf_token": active.csrf_token if active else "",
            "session_timeout": session_timeout(services),
            "role_labels": ROLE_LABELS,
            "status_labels": STATUS_LABELS,
            "status_colours": STATUS_COLOURS,
            "channel_labels": CHANNEL_LABELS,
            "next_step_labels": NEXT_STEP_LABELS,
            "local_time": lambda at: local_time(at, facts.timezone),
            "alert_tag": alert_tag,
            "flood_tag": FLOOD_TAG,
            "flood_allowance": services.settings.flagged_contacts_per_client,
            "long_date": long_date,
            "harm_categories": harm_categories,
            **context,
        },
    )
    response.status_code = status_code
    return response


def error_page(request: Request, error: Exception) -> Response:
    """The page for a StaffPageError (403 for a role or a CSRF token, 404 for a contact)."""
    assert isinstance(error, StaffPageError)
    services: AppServices = request.app.state.services
    active = getattr(request.state, "staff", None)
    return page(
        request,
        services,
        "irt/error.html",
        active,
        status_code=error.status_code,
        title=error.title,
        message=error.message,
    )
