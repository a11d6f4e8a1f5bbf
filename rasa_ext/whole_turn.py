"""A turn is taken whole or not at all.

Rasa 3.6 carries on when an action fails (the action server is down, or fails mid-call): it
logs the error, drops that action's events and goes on predicting, then saves the turn. The
caller's message stays in the conversation with its answer unapplied: the form loses its
place, and the message sent again (the API answers the failed turn with the urgent routes, and
the caller resends it) meets a conversation that has moved on, and a fallback.

Here a failed action ends the turn with `ActionFailed` before the tracker is saved, so the
conversation is as it was before the message came: the channel answers with an error, the API
gives the urgent routes, and the message sent again is taken as if for the first time.
"""

from __future__ import annotations

from typing import Any, List, Optional

from rasa.core.actions.action import Action, ActionExecutionRejection
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker


class ActionFailed(Exception):
    """An action failed during the turn; the turn was not saved."""


class _Watched:
    """The action as the processor sees it, noting a failure the processor will swallow.
    A rejection (a form's validation refusing an answer) is the form working, not a failure."""

    def __init__(self, action: Action) -> None:
        self._action = action
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> Optional[List[Event]]:
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception:
            self.failed = True
            raise


class WholeTurnProcessor(MessageProcessor):
    async def _run_action(
        self,
        action: Action,
        tracker: DialogueStateTracker,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        prediction: PolicyPrediction,
    ) -> bool:
        watched = _Watched(action)
        carry_on = await super()._run_action(
            watched,  # type: ignore[arg-type]
            tracker,
            output_channel,
            nlg,
            prediction,
        )
        if watched.failed:
            raise ActionFailed(action.name())
        return carry_on


def whole_turns(processor: MessageProcessor) -> MessageProcessor:
    """The agent's processor, taking turns whole. Rasa builds the processor itself when it
    loads a model and has no setting for its class, so the class is changed in place (it adds
    no state)."""
    if not isinstance(processor, WholeTurnProcessor):
        processor.__class__ = WholeTurnProcessor
    return processor
