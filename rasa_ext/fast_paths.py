"""Rasa's own turn made cheaper where it repeats work whose answer never changes.

Each function here replaces one of Rasa 3.6's internals with the same behaviour (the same
result, the same exception class and message), and is applied from one place at start-up
(rasa_ext.internals.apply_patches). Measured in docs/performance.md.

- The action server's reply is checked against Rasa's schema with a validator built once.
  Rasa calls `jsonschema.validate` on every reply, which first checks the schema itself
  against the metaschema (about four fifths of the call's cost) and builds a new validator.
- The event class for an event's type name is looked up once. Rasa walks every subclass of
  `Event` (recursively, checking each for abstract methods) for every event it deserialises,
  and it deserialises the whole conversation on every turn.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Text, Tuple, Type

import jsonschema.exceptions
import jsonschema.validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event

# --- the action server's reply ------------------------------------------------------------

# One validator per schema function (RemoteAction.action_response_format_spec builds the same
# dict on every call): the schema checked against its metaschema once, as jsonschema.validate
# checks it on every call.
_validators: Dict[Callable[[], Dict[Text, Any]], Any] = {}
# Events met before and valid on their own: a reply is valid when its shape is and each of its
# events is (an array's items are checked one by one). Bounded; any doubt takes the full check.
_valid_events: Dict[Text, bool] = {}
_MOST_VALID_EVENTS = 4096


def _validator(spec: Callable[[], Dict[Text, Any]]) -> Any:
    validator = _validators.get(spec)
    if validator is None:
        schema = spec()
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)  # as jsonschema.validate does, once
        validator = cls(schema)
        _validators[spec] = validator
    return validator


_item_validators: Dict[int, Any] = {}


def _item_validator(validator: Any) -> Any:
    """The validator of one event (the events array's items), built once."""
    found = _item_validators.get(id(validator))
    if found is None:
        found = validator.evolve(schema=validator.schema["properties"]["events"]["items"])
        _item_validators[id(validator)] = found
    return found


def _event_key(event: Any) -> Optional[Text]:
    try:
        return json.dumps(event, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _quick_valid(validator: Any, result: Any) -> bool:
    """True only when the reply is certainly valid, checking each event not met before.
    The schema is Rasa's: an object whose "events" is an array of events."""
    if not isinstance(result, dict):
        return False
    events = result.get("events")
    if "events" in result and not isinstance(events, list):
        return False
    shape = {key: value for key, value in result.items() if key != "events"}
    if "events" in result:
        shape["events"] = []
    if not validator.is_valid(shape):
        return False
    item_validator = None
    for event in events or ():
        key = _event_key(event)
        if key is not None and key in _valid_events:
            continue
        if item_validator is None:
            item_validator = _item_validator(validator)
        if not item_validator.is_valid(event):
            return False
        if key is not None:
            if len(_valid_events) >= _MOST_VALID_EVENTS:
                _valid_events.clear()
            _valid_events[key] = True
    return True


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once."""
    spec = type(self).action_response_format_spec
    validator = _validator(spec)
    if _events_schema_is_rasas(validator) and _quick_valid(validator, result):
        return True
    error = jsonschema.exceptions.best_match(validator.iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _events_schema_is_rasas(validator: Any) -> bool:
    """The per-event shortcut holds only for the schema it was written for."""
    schema = validator.schema
    return (
        isinstance(schema, dict)
        and schema.get("type") == "object"
        and set(schema.get("properties", {})) == {"events", "responses"}
        and schema["properties"]["events"].get("type") == "array"
        and set(schema["properties"]["events"]) == {"type", "items"}
        and not (set(schema) - {"type", "properties"})
    )


# --- the event class for a type name --------------------------------------------------------

_event_classes: Dict[Text, Optional[Type[Event]]] = {}


def _forget_event_classes(**_: Any) -> None:
    """A new subclass of Event may answer a type name: look again."""
    _event_classes.clear()


def resolve_event_by_type(
    type_name: Text, default: Optional[Type[Event]] = None
) -> Optional[Type[Event]]:
    """Event.resolve_by_type, with the walk over Event's subclasses done once per type name
    (again after any new subclass of Event is defined)."""
    try:
        found = _event_classes[type_name]
    except KeyError:
        found = None
        for cls in rasa_events.rasa.shared.utils.common.all_subclasses(Event):
            if cls.type_name == type_name:
                found = cls
                break
        _event_classes[type_name] = found
    if found is not None:
        return found
    if type_name == "topic":
        return None  # backwards compatibility to support old TopicSet evts
    elif default is not None:
        return default
    else:
        raise ValueError(f"Unknown event name '{type_name}'.")


def _init_subclass(cls: Any, **kwargs: Any) -> None:
    """Event.__init_subclass__: empties the lookup whenever a subclass of Event is defined."""
    _forget_event_classes()
    super(Event, cls).__init_subclass__(**kwargs)


def patch_event_lookup() -> Tuple[Any, Any]:
    """Installs the cached lookup; returns what it replaced."""
    replaced = (Event.__dict__["resolve_by_type"], Event.__dict__.get("__init_subclass__"))
    Event.resolve_by_type = staticmethod(resolve_event_by_type)  # type: ignore[assignment]
    Event.__init_subclass__ = classmethod(_init_subclass)  # type: ignore[assignment]
    _forget_event_classes()
    return replaced
