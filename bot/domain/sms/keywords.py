"""Keywords that carriers and Twilio act on when they are the whole message (trimmed, any
case). "stop" inside a sentence is ordinary text for the assistant."""

from __future__ import annotations

from enum import StrEnum


class Keyword(StrEnum):
    HELP = "help"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


HELP_WORDS = frozenset({"HELP", "INFO"})
# Twilio blocks every later message to a number that sent one of these, so a reply would
# never arrive: the webhook answers with an empty response and starts no turn.
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
# Twilio confirms an opt-in itself. YES is one of Twilio's opt-in words too, but here it is
# also the answer to the assistant's yes/no questions (does the family know? was this
# helpful?); swallowing it would leave a caller mid-consultation without a reply, so it goes
# to the assistant like any answer. Twilio still applies the opt-in.
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})

# With Advanced Opt-Out Twilio names the keyword's kind itself (OptOutType), which also
# covers keywords a council adds in its Messaging Service.
_OPT_OUT_TYPES = {"STOP": Keyword.OPT_OUT, "START": Keyword.OPT_IN, "HELP": Keyword.HELP}


def keyword_of(body: str, opt_out_type: str | None = None) -> Keyword | None:
    """The keyword a whole message is, or None for ordinary text."""
    if opt_out_type and opt_out_type.strip().upper() in _OPT_OUT_TYPES:
        return _OPT_OUT_TYPES[opt_out_type.strip().upper()]
    word = body.strip().upper()
    if word in HELP_WORDS:
        return Keyword.HELP
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    return None
