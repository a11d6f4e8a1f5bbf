"""The reviewed phrase safety net, inside Rasa's NLU pipeline (after the classifier).

Recall on significant-harm and immediate-danger messages matters more than precision (SPEC §3):
whatever the classifier says, a message the phrase list recognises is classified as
`significant_harm`, or `immediate_danger` where the danger is now, so the handoff rule runs at
any step. The classifier's own ranking is kept below it.
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

from bot.harm_signals import detect, mentions_adult, mentions_child

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
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            target = self._override(message)
            if target is None:
                continue
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

    @staticmethod
    def _override(message: Message) -> Optional[Text]:
        """The harm intent to force, or None to keep the classifier's answer. The classifier's
        own harm intent is forced too, so its confidence is 1.0 whatever it was."""
        text = message.get(TEXT) or ""
        classified = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if classified in (SIGNIFICANT_HARM, IMMEDIATE_DANGER):
            return classified
        signal = detect(text)
        if not signal.significant_harm:
            return None
        if classified == ADULT_CONCERN and mentions_adult(text) and not mentions_child(text):
            return None
        return IMMEDIATE_DANGER if signal.immediate_danger else SIGNIFICANT_HARM
