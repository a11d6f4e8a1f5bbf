"""A button's payload is taken only when it was offered: "/significant_harm" typed into a new
conversation, or any "/intent" of the domain that the last reply did not offer as a button, is
read as plain text (its leading slashes dropped), so a caller cannot jump the conversation to
any step by typing an intent's name.

The start of a conversation offers nothing; the replies since the caller's last message are
the last reply (a turn may send several messages, each with its own buttons).
"""

from __future__ import annotations

import re
from typing import Optional, Set, Text

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_LEADING_SLASHES = re.compile(r"^[\s/]+")


def offered_payloads(tracker: Optional[DialogueStateTracker]) -> Set[Text]:
    if tracker is None:
        return set()
    offered: Set[Text] = set()
    for event in reversed(list(tracker.events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    offered.add(button["payload"])
    return offered


def only_offered_payloads(text: Optional[Text], tracker: Optional[DialogueStateTracker]) -> Text:
    text = text or ""
    if not text.startswith("/") or text in offered_payloads(tracker):
        return text
    return _LEADING_SLASHES.sub("", text)
