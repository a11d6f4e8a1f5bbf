"""What the SMS channel says by itself, without a turn of the assistant. Numbers, hours and
links come from the service file (through bot.domain.messages and bot.domain.hours)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.facts import ServiceFacts
from bot.domain.hours import describe_opening_hours
from bot.domain.limits import SMS_MAX_CHARS
from bot.domain.messages import urgent_routes

# A longer message could not have come through Twilio whole, and the assistant reads one
# answer at a time; asking for the main points keeps the consultation on track.
MAX_INBOUND_CHARS = SMS_MAX_CHARS


def help_reply(facts: ServiceFacts, at: datetime) -> str:
    """HELP or INFO: what the line is, its hours and the urgent routes."""
    council = facts.council
    return (
        f"This is {council.name}'s {council.service_name}, answered by an automated "
        "assistant, not a person: advice for professionals on a "
        "concern about a child, including whether it meets the threshold for a referral. It "
        f"is not a referral service. Open {describe_opening_hours(facts)}. Send 'hello' to "
        f"start. {urgent_routes(facts, at)}"
    )


def empty_message() -> str:
    return "Sorry, that message was empty. Please type your message as text."


def too_long(limit: int = MAX_INBOUND_CHARS) -> str:
    return (
        f"Sorry, that message is too long for me to read (over {limit:,} characters). Please "
        "send the main points in a shorter message."
    )


def choose_a_number(count: int) -> str:
    return f"Sorry, please reply with a number from 1 to {count}, or type your answer."


def retry_without_reply() -> str:
    """A repeated delivery whose first reply could not be kept (it echoed the caller)."""
    return "Sorry, please send your last message again."
