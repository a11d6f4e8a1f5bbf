"""The reviewed phrase safety net for significant harm and immediate danger (SPEC §3).

It backs up the NLU classifier: the conversation treats a message as a significant-harm
concern when *either* says so. The phrases are data in `harm_phrases.yml`, reviewed by the
council's safeguarding lead; this module only normalises text and applies them.

Recall comes before precision. Negation is handled only where it is safe: a match is dropped
when the caller's own words just before it deny it ("there are no bruises", "no concerns
about self harm", "not in immediate danger"); the rest of the message is still searched.
Phrases that carry their own negation ("no food", "not safe to go home") always count, and a
denial by anyone else ("mum denies hitting him") is not a negation cue.

Pure: the phrase list is passed in. Reading the reviewed file is bot.adapters.harm_phrases's
job (which also offers `detect(text)` bound to that file). This module is also imported inside
Rasa's Python 3.10 environment: standard library only, Python 3.10 syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HarmSignal:
    significant_harm: bool
    immediate_danger: bool  # implies significant_harm
    categories: tuple[str, ...]  # matched categories, in the phrase file's order
    # A reviewed high-precision pattern matched: acted on at once. Otherwise (only patterns
    # marked `confirm: true`, measured to match ordinary questions too) the caller confirms.
    certain: bool = False

    def __bool__(self) -> bool:
        return self.significant_harm


NO_SIGNAL = HarmSignal(significant_harm=False, immediate_danger=False, categories=(), certain=False)


@dataclass(frozen=True)
class Phrase:
    catches: str  # what the pattern is meant to catch, in words (safe to log: no user text)
    source: str  # the pattern as written in the file, before <vocabulary> expansion
    regex: re.Pattern[str]
    # Measured to match ordinary messages too (docs/nlu-pipeline.md): the caller confirms.
    confirm: bool = False


@dataclass(frozen=True)
class Category:
    name: str
    means: str
    immediate_danger: bool
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class PhraseList:
    version: int
    reviewed_by: str
    reviewed_on: str | None
    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    negation: re.Pattern[str]
    categories: tuple[Category, ...]

    @property
    def reviewed(self) -> bool:
        """True once a review date is recorded; start-up can warn while it is not."""
        return bool(self.reviewed_on)


class PhraseListError(ValueError):
    """The phrase file is missing, malformed, or has a pattern that does not compile."""


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------

_MACRO = re.compile(r"<([a-z_]+)>")


def _expand(pattern: str, vocabulary: dict[str, str], where: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in vocabulary:
            raise PhraseListError(f"{where}: unknown vocabulary <{name}>")
        return vocabulary[name]

    return _MACRO.sub(substitute, pattern)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise PhraseListError(f"{where}: pattern does not compile: {exc}") from None


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or not value:
        raise PhraseListError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def parse_phrases(data: Any) -> PhraseList:
    """Validate and compile the phrase file's contents."""
    if not isinstance(data, dict):
        raise PhraseListError("the phrase file must be a mapping")
    reviewed_by = _require(data, "reviewed_by", str, "header")
    reviewed_on = data.get("reviewed_on")
    vocabulary = data.get("vocabulary") or {}
    if not isinstance(vocabulary, dict):
        raise PhraseListError("'vocabulary' must be a mapping")
    for name, value in vocabulary.items():
        if not isinstance(value, str) or _MACRO.search(value):
            raise PhraseListError(f"vocabulary <{name}> must be a pattern without <names>")
        _compile(value, f"vocabulary <{name}>")

    rewrites = []
    for index, item in enumerate(data.get("rewrites") or []):
        where = f"rewrites[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("replace"), str):
            raise PhraseListError(f"{where}: needs 'find' and 'replace'")
        rewrites.append((_compile(_require(item, "find", str, where), where), item["replace"]))

    cues = _require(data, "negation_cues", list, "header")
    negation = _compile(r"(?:^|\s)(?:" + "|".join(f"(?:{cue})" for cue in cues) + r") $", "cues")

    categories = []
    for name, body in _require(data, "categories", dict, "header").items():
        where = f"categories.{name}"
        if not isinstance(body, dict):
            raise PhraseListError(f"{where}: must be a mapping")
        phrases = []
        for index, item in enumerate(_require(body, "patterns", list, where)):
            at = f"{where}.patterns[{index}]"
            if not isinstance(item, dict):
                raise PhraseListError(f"{at}: must have 'catches' and 're'")
            source = _require(item, "re", str, at)
            regex = _compile(_expand(source, vocabulary, at), at)
            confirm = item.get("confirm", False)
            if not isinstance(confirm, bool):
                raise PhraseListError(f"{at}: 'confirm' must be true or false")
            phrases.append(Phrase(_require(item, "catches", str, at), source, regex, confirm))
        immediate = bool(body.get("immediate_danger", False))
        categories.append(Category(name, str(body.get("means", "")), immediate, tuple(phrases)))
    if not any(category.immediate_danger for category in categories):
        raise PhraseListError("no category is marked immediate_danger")

    return PhraseList(
        version=int(data.get("version", 1)),
        reviewed_by=reviewed_by,
        reviewed_on=str(reviewed_on) if reviewed_on else None,
        rewrites=tuple(rewrites),
        negation=negation,
        categories=tuple(categories),
    )


# ---------------------------------------------------------------------------------------
# Normalising
# ---------------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)

# Contractions, with and without the apostrophe ("doesnt"), so patterns need one spelling.
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(?:won'?t)\b", "will not"),
        (r"\b(?:can'?t|can not)\b", "cannot"),
        (r"\bshan'?t\b", "shall not"),
        (
            r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need|ain)"
            r"n'?t\b",
            r"\1 not",
        ),
        (r"\bi'?m\b", "i am"),
        (r"\b(he|she|they|we|you|i|it|that|there)'ll\b", r"\1 will"),
        (r"\b(they|we|you)'re\b", r"\1 are"),
        (r"\b(they|we|you|i|could|would|should|might|must)'ve\b", r"\1 have"),
        (r"\b(he|she|they|we|you|i)'d\b", r"\1 would"),
        (r"\b(there|it|that|here|what|who|where)'s\b", r"\1 is"),
        (r"\btheres\b", "there is"),
    )
)
_APOSTROPHE = re.compile(r"'")
_PUNCTUATION = re.compile(r"[^\w\s&%£]")
_SPACE = re.compile(r"\s+")


def normalise(text: str, phrases: PhraseList) -> str:
    """Text in the form the patterns are written against (see the phrase file's header)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _SPACE.sub(" ", _APOSTROPHE.sub("", text)).strip()
    for pattern, replacement in phrases.rewrites:
        text = pattern.sub(replacement, text)
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


# ---------------------------------------------------------------------------------------
# Detecting
# ---------------------------------------------------------------------------------------


def _negated(text: str, start: int, phrases: PhraseList) -> bool:
    # Only the few words just before the match: a cue further back does not reach it.
    return bool(phrases.negation.search(text[max(0, start - 60) : start]))


def _first_match(phrase: Phrase, text: str, phrases: PhraseList) -> re.Match[str] | None:
    position = 0
    while True:
        match = phrase.regex.search(text, position)
        if match is None or not _negated(text, match.start(), phrases):
            return match
        # A denied match may overlap a real one later on: look again just after its start.
        position = match.start() + 1


def explain(text: str, phrases: PhraseList) -> tuple[tuple[str, str], ...]:
    """(category, what the pattern catches) for every phrase that matches the text.

    For measuring and for logs: it names patterns, never the caller's words.
    """
    normalised = normalise(text, phrases)
    return tuple(
        (category.name, phrase.catches)
        for category in phrases.categories
        for phrase in category.phrases
        if _first_match(phrase, normalised, phrases)
    )


def detect(text: str, phrases: PhraseList) -> HarmSignal:
    """Whether a message signals significant harm or immediate danger, and which kinds.

    `phrases` is the compiled list (bot.adapters.harm_phrases reads the reviewed file).
    """
    if not text or not text.strip():
        return NO_SIGNAL
    normalised = normalise(text, phrases)
    matched: list[Category] = []
    certain = False
    for category in phrases.categories:
        hits = [p for p in category.phrases if _first_match(p, normalised, phrases)]
        if hits:
            matched.append(category)
            certain = certain or any(not p.confirm for p in hits)
    if not matched:
        return NO_SIGNAL
    return HarmSignal(
        significant_harm=True,
        immediate_danger=any(category.immediate_danger for category in matched),
        categories=tuple(category.name for category in matched),
        certain=certain,
    )


_CHILD_WORDS = re.compile(
    r"\b(child|children|kids?|baby|babies|infant|toddler|newborn|pupils?|students?|boy|girl|"
    r"teen|teenager|young person|schoolboy|schoolgirl|year ?\d{1,2}|yr ?\d{1,2}|y\d{1,2}|"
    r"reception|nursery|school|(aged|age) (1[0-7]|[0-9])\b|(1[0-7]|[0-9]) (year|month|week) old)",
    re.IGNORECASE,
)


def mentions_child(text: str, phrases: PhraseList) -> bool:
    """Whether a message speaks of a child at all: an adult's abuse without one goes to the
    adults' route instead of the children's handoff. Ages are read after `normalise`, which
    writes "6yo", "6 yr old" and "6 y/o" all as "6 year old"."""
    return bool(_CHILD_WORDS.search(normalise(text, phrases)))


_ADULT_WORDS = re.compile(
    # "no adult with him" says there is none
    r"\b((?<!\bno )(?<!without )(?<!without an )adults?|elderly|"
    r"older (person|people|man|woman|lady|gentleman)|pensioner|"
    r"vulnerable adult|care home|nursing home|dementia|service user|my client|resident|"
    r"(aged|age) ([2-9][0-9]|1[89])\b|([2-9][0-9]|1[89]) year old)",
    re.IGNORECASE,
)


def mentions_adult(text: str, phrases: PhraseList) -> bool:
    """Whether a message says it is about an adult (over 18, elderly, a care home resident)."""
    return bool(_ADULT_WORDS.search(normalise(text, phrases)))
