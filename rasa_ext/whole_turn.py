"""A turn is taken whole or not at all.

Rasa 3.6 carries on when an action fails (the action server is down, or fails mid-call): it
logs the error, drops that action's events and goes on predicting, then saves the turn. The
caller's message stays in the conversation with its answer unapplied: the form loses its
place, and the message sent again (the API answers the failed turn with the urgent routes, and
the caller resends it) meets a conversation that has moved on, and a fallback.

Here a failed action ends the turn with `ActionFailed` before the tracker is saved, so the
conversation is as it was before the message came: the channel answers with an error, the API
gives the urgent routes, and the message sent again is taken as if for the first time.

The turn also reads the conversation once instead of three times (issue 20): the tracker that
rasa_ext.once retrieved to look for the message id is the one the processor takes (Rasa would
retrieve it again), and the tracker the processor saved is the one rasa_ext.forget reads to see
whether the turn ended the conversation (it would retrieve it again after the turn). Each
retrieve rebuilds the whole conversation from the store.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, List, Optional, Text

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


class Turn:
    """One message's turn, under its conversation's lock: the tracker already retrieved for
    it (taken once by the processor) and, after the turn, the tracker the processor saved."""

    def __init__(self, sender_id: Text, retrieved: Optional[DialogueStateTracker]) -> None:
        self.sender_id = sender_id
        self.retrieved = retrieved
        self.saved: Optional[DialogueStateTracker] = None


# The turn being taken in this task (rasa_ext.once sets it around handle_message).
current_turn: ContextVar[Optional[Turn]] = ContextVar("pcl_current_turn", default=None)


class WholeTurnProcessor(MessageProcessor):
    async def get_tracker(self, conversation_id: Text) -> DialogueStateTracker:
        """Rasa's, but the turn's tracker already retrieved is taken instead of retrieving it
        again (Rasa's get_or_create_tracker returns what retrieve returns when there is one)."""
        turn = current_turn.get()
        if turn is None or turn.retrieved is None or conversation_id != turn.sender_id:
            return await super().get_tracker(conversation_id)
        tracker, turn.retrieved = turn.retrieved, None
        tracker.model_id = self.model_metadata.model_id
        if tracker.assistant_id is None:
            tracker.assistant_id = self.model_metadata.assistant_id
        return tracker

    async def save_tracker(self, tracker: DialogueStateTracker) -> None:
        await super().save_tracker(tracker)
        turn = current_turn.get()
        if turn is not None and tracker.sender_id == turn.sender_id:
            turn.saved = tracker

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
