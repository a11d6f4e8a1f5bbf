"""The reviewed phrase safety net, inside Rasa's NLU pipeline (after the classifier).

Recall on significant-harm and immediate-danger messages matters more than precision (SPEC §3):
whatever the classifier says, a message the phrase list recognises is classified as
`significant_harm`, or `immediate_danger` where the danger is now, so the handoff rule runs at
any step. So is a message (of at least `harm_probability_min_words` words) to which the
classifier gives the two harm intents together at least `harm_probability_threshold` of its
probability, even when another intent ranks first: a false
alarm costs the caller a prompt to contact the IRT, a miss can leave a child at risk. The
classifier's own ranking is kept below it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.adapters.harm_phrases import detect, mentions_adult, mentions_child
from bot.domain.harm_signals import NO_SIGNAL, HarmSignal

# Set beside the intent for the actions: {"certain", "immediate_danger", "categories",
# "classified"}. Certain only when a reviewed high-precision phrase matched; the classifier
# (its first answer or its probability) is never certain alone: the caller confirms (rule 7).
HARM_SIGNAL_KEY = "harm_signal"
SIGNIFICANT_HARM = "significant_harm"
IMMEDIATE_DANGER = "immediate_danger"
# A message that says it is about an adult, and names no child, takes the adults' route, which
# gives 999 and asks whether children live in the household (Think Family). Any doubt goes to
# the children's handoff: recall first.
ADULT_CONCERN = "adult_concern"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HarmSafetyNet(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "HarmSafetyNet":
        threshold = config.get("harm_probability_threshold")
        if threshold is not None and not 0 < float(threshold) <= 1:
            raise ValueError("harm_probability_threshold must be in (0, 1]")
        min_words = int(config.get("harm_probability_min_words") or 1)
        floor = config.get("confirm_pattern_min_probability")
        if floor is not None and not 0 <= float(floor) < 1:
            raise ValueError("confirm_pattern_min_probability must be in [0, 1)")
        return cls(
            None if threshold is None else float(threshold),
            min_words,
            None if floor is None else float(floor),
        )

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # None: only the classifier's first answer and the phrase list count.
        return {
            "harm_probability_threshold": None,
            "harm_probability_min_words": 1,
            "confirm_pattern_min_probability": None,
        }

    def __init__(
        self,
        harm_probability_threshold: Optional[float] = None,
        min_words: int = 1,
        confirm_pattern_min_probability: Optional[float] = None,
    ) -> None:
        self.harm_probability_threshold = harm_probability_threshold
        self.min_words = min_words
        self.confirm_pattern_min_probability = confirm_pattern_min_probability

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            classified = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            signal = self._trusted(detect(message.get(TEXT) or ""), message)
            target = self._override(message, signal)
            if target is None:
                continue
            message.set(
                HARM_SIGNAL_KEY,
                {
                    "certain": signal.certain,
                    "immediate_danger": target == IMMEDIATE_DANGER,
                    "categories": list(signal.categories),
                    "classified": classified,
                },
                add_to_output=True,
            )
            message.set(
                INTENT,
                {INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
            ranking = [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) != target
            ]
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: 1.0}, *ranking],
                add_to_output=True,
            )
        return messages

    def _override(self, message: Message, signal: HarmSignal) -> Optional[Text]:
        """The harm intent to force, or None to keep the classifier's answer. The classifier's
        own harm intent is forced too, so its confidence is 1.0 whatever it was."""
        text = message.get(TEXT) or ""
        classified = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if classified == IMMEDIATE_DANGER:
            return classified
        if classified == SIGNIFICANT_HARM:
            # The phrase list may see that the danger is now: then 999 comes first.
            return IMMEDIATE_DANGER if signal.immediate_danger else classified
        likely = None
        # A short answer to a form's question ("severe", "several") spreads the classifier's
        # probability thinly: the threshold would read harm into it.
        if len(text.split()) >= self.min_words:
            likely = self._likely_harm(message.get(INTENT_RANKING_KEY) or [])
        if not signal.significant_harm and likely is None:
            return None
        if classified == ADULT_CONCERN and mentions_adult(text) and not mentions_child(text):
            return None
        if signal.immediate_danger:
            return IMMEDIATE_DANGER
        return likely or SIGNIFICANT_HARM

    def _trusted(self, signal: HarmSignal, message: Message) -> HarmSignal:
        """The phrase signal, or none when only patterns marked `confirm: true` matched and the
        classifier gives harm less than `confirm_pattern_min_probability`. Measured on the
        development sets (docs/nlu-pipeline.md): such a match on its own was an ordinary
        message about a hundred times and harm never; a certain pattern, or a noisy one that
        says the danger is now, always counts."""
        floor = self.confirm_pattern_min_probability
        if floor is None or signal.certain or signal.immediate_danger:
            return signal
        if not signal.significant_harm:
            return signal
        if sum(self._harm_probability(message.get(INTENT_RANKING_KEY) or []).values()) >= floor:
            return signal
        return NO_SIGNAL

    @staticmethod
    def _harm_probability(ranking: List[Dict[Text, Any]]) -> Dict[Text, float]:
        """The classifier's probability of each harm intent (the ranking's other entries,
        such as `nlu_fallback`, do not count)."""
        return {
            entry[INTENT_NAME_KEY]: float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            for entry in ranking
            if entry.get(INTENT_NAME_KEY) in (SIGNIFICANT_HARM, IMMEDIATE_DANGER)
        }

    def _likely_harm(self, ranking: List[Dict[Text, Any]]) -> Optional[Text]:
        """The likelier harm intent when the classifier gives the two together at least the
        threshold (the ranking's other entries, such as `nlu_fallback`, do not count)."""
        if self.harm_probability_threshold is None:
            return None
        harm = self._harm_probability(ranking)
        if sum(harm.values()) < self.harm_probability_threshold:
            return None
        return max(harm, key=harm.__getitem__)
