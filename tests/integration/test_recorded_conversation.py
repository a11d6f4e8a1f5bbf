"""What a saved named child's conversation keeps in Rasa's tracker store (rasa_ext.forget), in
Rasa's own interpreter, on its in-memory store: the kept slots, the last turn's replies and
message id, and nothing the caller typed."""

from __future__ import annotations

import json

from tests.support.rasa_checks import run_script_in_rasa

SCRIPT = """
import asyncio, json, warnings; warnings.filterwarnings("ignore")
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa_ext.forget import forget_recorded_transcript

domain = Domain.load("domain.yml")
store = InMemoryTrackerStore(domain)

class Agent:
    tracker_store, lock_store = store, InMemoryLockStore()

async def main():
    tracker = await store.get_or_create_tracker("web-1")
    for event in [
        UserUttered("Amy Secretname", {"name": "inform", "confidence": 1}, message_id="m1"),
        SlotSet("child_name", "Amy Secretname"), SlotSet("consultation_type", "named_child"),
        ActionExecuted("action_listen"),
        UserUttered("partly", {"name": "inform", "confidence": 1}, message_id="m2"),
        SlotSet("q_consent", "partly"), ActionExecuted("action_submit_consultation"),
        SlotSet("consultation_done", True), SlotSet("contact_reference", "PCL-2026-000001"),
        BotUttered("Was this helpful?", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    await store.save(tracker)
    done = await forget_recorded_transcript(Agent(), "web-1", tracker)
    kept = await store.retrieve("web-1")
    print(json.dumps({"done": done, "slots": kept.current_slot_values(),
        "text": json.dumps(kept.current_state()), "last_id": kept.latest_message.message_id,
        "buttons": kept.events[-2].data["buttons"]}))

asyncio.run(main())
"""


def test_a_saved_named_childs_conversation_keeps_only_what_it_needs() -> None:
    found = json.loads(run_script_in_rasa(SCRIPT))
    assert found["done"]
    assert found["slots"]["contact_reference"] == "PCL-2026-000001"
    assert found["slots"]["consultation_done"] is True
    assert found["slots"]["child_name"] is None and found["slots"]["q_consent"] is None
    assert "Secretname" not in found["text"] and "partly" not in found["text"]
    assert found["last_id"] == "m2"  # a resend of the last message is still answered
    assert found["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
