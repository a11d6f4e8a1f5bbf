"""A message none of whose words the assistant has met is not understood, not a choice.

The classifier reads characters as well as words, so it gives every message some intent: made-up
words ("blorptastic frumple") can come out as `professional` or `stop` with a confidence over
the fallback threshold, and the caller's choice would be taken from a guess (SPEC §3: never a
guess). This component, between the classifier and the FallbackClassifier, sets the confidence
of such an answer to zero, so the fallback asks the caller to say it another way.

It leaves alone the intents whose messages are taken as written, such as `inform` (a name the
training data cannot know: "Kacper Nowak"), and any message with a digit or an "@" (a phone
number, a postcode, an email address, a date). A harm message is never touched: the phrase net
runs after this, on the text.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT_OR_AT = re.compile(r"[\d@]")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UnknownWordsGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # The alias of the word-level CountVectorsFeaturizer: its vocabulary is the words met.
            "word_featurizer": None,
            # Intents whose messages the dialogue takes as written.
            "taken_as_written": ["inform"],
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UnknownWordsGuard":
        if not config.get("word_featurizer"):
            raise ValueError("word_featurizer must name the word-level featurizer's alias")
        return cls(str(config["word_featurizer"]), frozenset(config.get("taken_as_written") or ()))

    def __init__(self, word_featurizer: Text, taken_as_written: frozenset[str]) -> None:
        self._word_featurizer = word_featurizer
        self._taken_as_written = taken_as_written

    def has_no_known_word(self, message: Message) -> bool:
        """Letters, no digit or "@", and not one word the word featurizer knows."""
        text = message.get(TEXT) or ""
        if not _LETTER.search(text) or _DIGIT_OR_AT.search(text):
            return False
        _, sentence = message.get_sparse_features(TEXT, featurizers=[self._word_featurizer])
        if sentence is None:
            raise ValueError(f"no features from the featurizer '{self._word_featurizer}'")
        return sentence.features.count_nonzero() == 0

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) in self._taken_as_written:
                continue
            if self.has_no_known_word(message):
                message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
        return messages
