"""Reads the reviewed phrase file (bot/harm_phrases.yml) for the harm signals, once per process.

Used on both sides: the action server, and Rasa's own Python 3.10 environment (the NLU phrase
net in rasa_ext/harm_net.py), so: standard library and PyYAML only, Python 3.10 syntax.
`detect`, `explain`, `normalise`, `mentions_child` and `mentions_adult` here are
bot.domain.harm_signals's, bound to the reviewed file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.domain import harm_signals
from bot.domain.harm_signals import HarmSignal, PhraseList, PhraseListError, parse_phrases

PHRASES_PATH = Path(__file__).parents[1] / "harm_phrases.yml"


@lru_cache(maxsize=4)
def load_phrases(path: str | Path = PHRASES_PATH) -> PhraseList:
    """The phrase list, read and compiled once per process."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PhraseListError(f"cannot read the phrase file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PhraseListError(f"the phrase file is not valid YAML: {exc}") from None
    return parse_phrases(data)


def detect(text: str, phrases: PhraseList | None = None) -> HarmSignal:
    """Whether a message signals significant harm or immediate danger (the reviewed list)."""
    return harm_signals.detect(text, phrases or load_phrases())


def explain(text: str, phrases: PhraseList | None = None) -> tuple[tuple[str, str], ...]:
    """(category, what the pattern catches) for every reviewed phrase that matches the text."""
    return harm_signals.explain(text, phrases or load_phrases())


def normalise(text: str, phrases: PhraseList | None = None) -> str:
    """Text in the form the reviewed patterns are written against."""
    return harm_signals.normalise(text, phrases or load_phrases())


def mentions_child(text: str, phrases: PhraseList | None = None) -> bool:
    """Whether a message speaks of a child at all (read after the reviewed rewrites)."""
    return harm_signals.mentions_child(text, phrases or load_phrases())


def mentions_adult(text: str, phrases: PhraseList | None = None) -> bool:
    """Whether a message says it is about an adult (read after the reviewed rewrites)."""
    return harm_signals.mentions_adult(text, phrases or load_phrases())
