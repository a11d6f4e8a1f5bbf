"""The private parts of Rasa the project depends on, and its patches of them, checked in
Rasa's own interpreter (Python 3.10 environment), where they run.

- Every private name rasa_ext uses (rasa_ext/internals.py) is still there, with the signature
  and source it was written against: a Rasa upgrade that changes one is a red test naming it.
- The patches change nothing Rasa does: an action server's reply, valid or not, gets the same
  result, error class and message with the cached validator as with Rasa's own check; every
  event type name resolves to the same class (and an unknown one fails the same way).
- The patches are applied from their one place, the channel module Rasa imports at start-up.
"""

from __future__ import annotations

import pytest

from tests.support.rasa_checks import run_in_rasa

PRELUDE = """
import warnings; warnings.filterwarnings("ignore")
import copy
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa_ext import internals

ORIGINAL_VALIDATE = RemoteAction.__dict__["_validate_action_result"]
ORIGINAL_RESOLVE = Event.__dict__["resolve_by_type"].__func__

def outcome(validate, reply):
    try:
        return ("ok", validate(RemoteAction("action_x", None), copy.deepcopy(reply)))
    except Exception as error:
        return (type(error).__module__ + "." + type(error).__qualname__,
                getattr(error, "message", str(error)), list(getattr(error, "path", [])),
                getattr(error, "validator", None))

SLOT = {"event": "slot", "timestamp": None, "name": "child_name", "value": "Amy"}
VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [SLOT], "responses": [{"text": "Thanks", "buttons": [{"title": "Yes",
                                      "payload": "/affirm"}]}]},
    {"events": [SLOT, {"event": "active_loop", "name": "concern_form"},
                {"event": "slot", "name": "requested_slot", "value": None},
                {"event": "followup", "name": "utter_ask"}], "responses": []},
    {"events": [SLOT, SLOT, {"event": "action_execution_rejected", "name": "x"}]},
    {"events": [{"event": "slot", "name": "n", "value": 1.0}], "extra": 3},
]
INVALID = [
    [],
    "events",
    {"events": {"event": "slot"}},
    {"events": [SLOT, {"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 3, "value": "x"}]},
    {"events": [SLOT, {"timestamp": 1.0}]},
    {"events": [SLOT], "responses": "hello"},
    {"events": [SLOT], "responses": ["hello"]},
    {"events": [SLOT, 7]},
]
"""

CHECKS = {
    "every private Rasa name the project uses is there, unchanged": """
problems = internals.check()
assert not problems, "Rasa's internals changed:\\n  " + "\\n  ".join(problems)
""",
    "a changed or missing name is reported by name": """
saved = dict(internals.RECORDED)
try:
    key = "rasa.core.processor:MessageProcessor._run_action"
    internals.RECORDED[key] = ("(self)", "0" * 16)
    problems = internals.check()
    assert any(key in p and "signature" in p for p in problems), problems
    assert any(key in p and "source" in p for p in problems), problems
finally:
    internals.RECORDED.clear(); internals.RECORDED.update(saved)
gone = internals.Internal("rasa.core.processor:MessageProcessor._no_such", "a test")
saved_internals = internals.INTERNALS
internals.INTERNALS = (*saved_internals, gone)
try:
    assert any("_no_such is missing" in p for p in internals.check()), internals.check()
finally:
    internals.INTERNALS = saved_internals
""",
    "an action reply gets the same result and message with the patch as without it": """
before = [outcome(ORIGINAL_VALIDATE, reply) for reply in VALID + INVALID]
internals.apply_patches()
patched = RemoteAction.__dict__["_validate_action_result"]
assert patched is not ORIGINAL_VALIDATE
# Twice: the second time the valid events are known (the per-event shortcut).
for _ in range(2):
    after = [outcome(patched, reply) for reply in VALID + INVALID]
    assert after == before, [(r, b, a) for r, b, a in zip(VALID + INVALID, before, after) if a != b]
assert all(result == ("ok", True) for result in before[:len(VALID)]), before
assert all(result[0] == "jsonschema.exceptions.ValidationError"
           for result in before[len(VALID):]), before
assert "Failed to validate Action server response from API" in before[-1][1]
""",
    "every event type name resolves to the same class, and an unknown one fails the same": """
from rasa.shared.utils.common import all_subclasses
names = {cls.type_name for cls in all_subclasses(Event)}
def resolved(resolve, name, default=None):
    try:
        return resolve(name, default)
    except ValueError as error:
        return ("ValueError", str(error))
cases = [(n, None) for n in sorted(names)] + [("topic", None), ("nope", None), ("nope", Event)]
before = [resolved(ORIGINAL_RESOLVE, n, d) for n, d in cases]
internals.apply_patches()
for _ in range(2):
    assert [resolved(Event.resolve_by_type, n, d) for n, d in cases] == before
class Late(Event):
    type_name = "pcl_late_event"
    def __eq__(self, other): return self is other
    def __hash__(self): return id(self)
    def as_story_string(self): return None
assert Event.resolve_by_type("pcl_late_event") is Late
assert ORIGINAL_RESOLVE("pcl_late_event") is Late
""",
    "a turn takes the tracker already retrieved, once, and keeps the one it saved": """
import asyncio
from types import SimpleNamespace
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_ext.whole_turn import Turn, WholeTurnProcessor, current_turn

async def scenario():
    processor = WholeTurnProcessor.__new__(WholeTurnProcessor)
    processor.model_metadata = SimpleNamespace(model_id="model-1", assistant_id="pcl")
    processor.tracker_store = InMemoryTrackerStore(Domain.empty())
    retrieved = DialogueStateTracker("caller", [])
    turn = Turn("caller", retrieved)
    token = current_turn.set(turn)
    try:
        first = await processor.get_tracker("caller")
        assert first is retrieved and first.model_id == "model-1" and first.assistant_id == "pcl"
        again = await processor.get_tracker("caller")  # taken once: then Rasa's own
        assert again is not retrieved and again.model_id == "model-1"
        other = await processor.get_tracker("someone else")
        assert other.sender_id == "someone else"
        await processor.save_tracker(first)
        assert turn.saved is first
        assert (await processor.tracker_store.retrieve("caller")) is not None
    finally:
        current_turn.reset(token)
    plain = await processor.get_tracker("caller")  # no turn: Rasa's own
    assert plain is not retrieved and plain.sender_id == "caller"
asyncio.run(scenario())
""",
    "the patches are applied once, from the channel Rasa imports at start-up": """
import yaml
credentials = yaml.safe_load(open("credentials.yml"))
assert "rasa_ext.channel.ProjectInput" in credentials, credentials
import rasa_ext.channel  # what Rasa does with credentials.yml
from rasa_ext import fast_paths
assert RemoteAction._validate_action_result is fast_paths.validate_action_result
assert Event.resolve_by_type is fast_paths.resolve_event_by_type
assert sorted(internals.applied()) == sorted(
    p.name for p in internals.PATCHES if p.when == "start-up")
internals.apply_patches()
assert internals.check() == [], internals.check()
""",
}


@pytest.fixture(scope="module")
def failures() -> dict[str, str]:
    return run_in_rasa(PRELUDE, CHECKS)


@pytest.mark.parametrize("name", list(CHECKS))
def test_rasa_internals(name: str, failures: dict[str, str]) -> None:
    assert name not in failures, failures.get(name)
