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

from bot.harm_signals import detect

SIGNIFICANT_HARM = "significant_harm"
IMMEDIATE_DANGER = "immediate_danger"


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
        signal = detect(message.get(TEXT) or "")
        if not signal.significant_harm:
            return None
        classified = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if signal.immediate_danger or classified == IMMEDIATE_DANGER:
            return None if classified == IMMEDIATE_DANGER else IMMEDIATE_DANGER
        return None if classified == SIGNIFICANT_HARM else SIGNIFICANT_HARM
