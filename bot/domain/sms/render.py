"""The assistant's messages as SMS: buttons become numbered choices, and the whole reply fits
Twilio's 1,600-character limit per message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.limits import SMS_MAX_CHARS

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BARE_NUMBER = re.compile(r"\s*#?\s*(\d{1,3})\s*[.)]?\s*")


@dataclass(frozen=True)
class Choice:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ChoiceReading:
    """How a reply reads against the choices offered: a chosen payload, a number that was not
    offered, or (neither) ordinary text."""

    payload: str | None = None
    out_of_range: bool = False


def choices_line(titles: Sequence[str], first: int = 1) -> str:
    """`Reply 1 for Named child (recorded), 2 for Scenario (not recorded)`."""
    numbered = ", ".join(f"{first + i} for {title}" for i, title in enumerate(titles))
    return f"Reply {numbered}"


def with_numbered_choices(messages: Sequence[BotMessage]) -> tuple[list[str], list[str]]:
    """Each message's text with its choices appended, numbered across the whole reply; and the
    choices' payloads in number order (what "1", "2" … will mean next)."""
    texts: list[str] = []
    payloads: list[str] = []
    for message in messages:
        text = message.text.strip()
        if message.choices:
            line = choices_line([c.title for c in message.choices], first=len(payloads) + 1)
            text = f"{text}\n{line}" if text else line
            payloads.extend(c.payload for c in message.choices)
        if text:
            texts.append(text)
    return texts, payloads


def read_choice(body: str, payloads: Sequence[str]) -> ChoiceReading:
    """A bare number ("1", "2.", "#3") picks a choice when choices are on offer; anything
    else, or any reply when none are, is ordinary text."""
    match = _BARE_NUMBER.fullmatch(body)
    if not payloads or match is None:
        return ChoiceReading()
    number = int(match.group(1))
    if 1 <= number <= len(payloads):
        return ChoiceReading(payload=payloads[number - 1])
    return ChoiceReading(out_of_range=True)


def split_for_sms(texts: Sequence[str], limit: int = SMS_MAX_CHARS) -> list[str]:
    """The texts packed into as few messages of at most `limit` characters as they fit in,
    split between the assistant's messages first, then between sentences, then words.

    Fewer messages also means less reordering: a phone may show separate SMS out of order,
    and the urgent routes must read in the order they were written."""
    pieces = [piece for text in texts for piece in _pieces(text.strip(), limit)]
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + 2 + len(piece) <= limit:
            packed[-1] = f"{packed[-1]}\n\n{piece}"
        else:
            packed.append(piece)
    return packed


def _pieces(text: str, limit: int) -> list[str]:
    """One text as parts of at most `limit` characters, cut between sentences where it can
    (keeping the text's own line breaks)."""
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for sentence in _sentences(text):
        if len((current + sentence).rstrip()) <= limit:
            current += sentence
            continue
        if current.strip():
            parts.append(current.strip())
        current = ""
        for chunk in _cut_words(sentence.strip(), limit):
            if current:
                parts.append(current.strip())
            current = chunk + " "
    if current.strip():
        parts.append(current.strip())
    return parts


def _sentences(text: str) -> list[str]:
    """The text's sentences, each with the space or line break that follows it."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s]


def _cut_words(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    chunks: list[str] = []
    for whole_word in sentence.split():
        word = whole_word
        while len(word) > limit:  # a link or a run without spaces: no better place to cut
            chunks.append(word[:limit])
            word = word[limit:]
        if chunks and len(chunks[-1]) + 1 + len(word) <= limit:
            chunks[-1] = f"{chunks[-1]} {word}"
        else:
            chunks.append(word)
    return chunks
