"""The service's limits on time and text, defined once; every module that keeps one imports it
from here."""

from __future__ import annotations

from datetime import timedelta

# --- text -----------------------------------------------------------------------------------

# Twilio's longest message body (it sends it as up to 10 linked segments): both what an SMS
# may bring in and what one reply may send out.
SMS_MAX_CHARS = 1600
# The longest message the web chat takes.
WEB_CHAT_MAX_CHARS = 2000
# The form's answers: a concern (and the reason for sharing without consent) may be told at
# length, every other answer is short.
MAX_CONCERN_CHARS = 2000
MAX_ANSWER_CHARS = 500

# --- time -----------------------------------------------------------------------------------

# A repeat of a message comes within seconds (Twilio's retry, the page's Retry) or minutes; a
# kept reply can carry a scenario's advice, so it is kept no longer than this.
REPLY_KEPT_FOR = timedelta(minutes=15)
# The numbered choices last offered by SMS stand for this long after the last message.
SMS_CHOICES_VALID_FOR = timedelta(hours=1)
