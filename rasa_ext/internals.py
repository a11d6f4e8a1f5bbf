"""Every private part of Rasa 3.6.21 the project depends on, and every patch of Rasa, here.

Rasa has no public way to do what rasa_ext does (take a turn whole, fail loudly on a tracker
store error, delete a conversation, tune the classifier's features, skip work Rasa repeats), so
rasa_ext reaches into Rasa's internals. Each one is named below with the rasa_ext module that
uses it, the signature it had and a digest of its source in the Rasa this was written against.
`check()` compares them with the Rasa that is installed: tests/integration/test_rasa_internals.py
runs it in Rasa's environment, so a Rasa upgrade that moves or changes any of them is a red test
naming it, not a silent change of behaviour. To accept a reviewed change, run
`.venv-rasa/bin/python -m rasa_ext.internals` and paste what it prints into RECORDED.

The patches are applied from one place, `apply_patches()`, when Rasa imports the project's
channel at start-up (credentials.yml names rasa_ext.channel.ProjectInput), and the ones that
act on the running agent from `apply_to_agent()`, the channel's after_server_start listener.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class Internal:
    """One private name: `module:Qualified.name`, who uses it and how, and, for an attribute
    Rasa sets (which has no source of its own), the text that sets it in `name`'s source."""

    name: str
    used_by: str
    sets: Tuple[str, ...] = ()


INTERNALS: Tuple[Internal, ...] = (
    # rasa_ext.whole_turn: the agent's processor's class is changed in place to a subclass that
    # overrides _run_action, to see a failed action that Rasa would swallow.
    Internal(
        "rasa.core.processor:MessageProcessor._run_action",
        "rasa_ext.whole_turn.WholeTurnProcessor overrides it (calls super)",
    ),
    Internal(
        "rasa.core.processor:MessageProcessor.__init__",
        "rasa_ext.whole_turn reassigns the processor's __class__ (the subclass adds no state)",
    ),
    Internal(
        "rasa.core.processor:MessageProcessor.get_tracker",
        "rasa_ext.whole_turn.WholeTurnProcessor overrides it: the tracker rasa_ext.once "
        "retrieved is taken (its model_id and assistant_id set as here)",
    ),
    Internal(
        "rasa.core.tracker_store:TrackerStore.get_or_create_tracker",
        "rasa_ext.whole_turn: what get_tracker returns is retrieve's tracker when there is one",
        sets=("tracker = await self.retrieve(sender_id)",),
    ),
    Internal(
        "rasa.core.processor:MessageProcessor.save_tracker",
        "rasa_ext.whole_turn.WholeTurnProcessor overrides it (calls super) to keep the saved "
        "tracker for rasa_ext.forget",
    ),
    Internal(
        "rasa.core.processor:MessageProcessor.handle_message",
        "rasa_ext.once: one get_tracker (in log_message) at the start, save_tracker at the end",
        sets=("await self.save_tracker(tracker)",),
    ),
    # rasa_ext.tracker_store: fail loudly instead of FailSafeTrackerStore's fallback; pooled
    # connections checked before use.
    Internal(
        "rasa.core.tracker_store:FailSafeTrackerStore.__init__",
        "rasa_ext.tracker_store.fail_loudly sets _on_tracker_store_error; "
        "rasa_ext.forget unwraps _tracker_store",
        sets=(
            "self._tracker_store = tracker_store",
            "self._on_tracker_store_error = on_tracker_store_error",
        ),
    ),
    Internal(
        "rasa.core.tracker_store:FailSafeTrackerStore.on_tracker_store_error",
        "rasa_ext.tracker_store.fail_loudly (the fallback it replaces calls _on_tracker_store_error)",
        sets=("self._on_tracker_store_error(error)",),
    ),
    Internal(
        "rasa.core.tracker_store:AwaitableTrackerStore.__init__",
        "rasa_ext.forget unwraps _tracker_store",
        sets=("self._tracker_store = tracker_store",),
    ),
    Internal(
        "rasa.core.tracker_store:create_engine_kwargs",
        "rasa_ext.tracker_store.ResilientSQLTrackerStore rebuilds the engine with it",
    ),
    Internal(
        "rasa.core.tracker_store:SQLTrackerStore.__init__",
        "rasa_ext.tracker_store.ResilientSQLTrackerStore replaces engine and sessionmaker",
        sets=(
            "self.engine = sa.create_engine(engine_url, **create_engine_kwargs(engine_url))",
            "self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)",
        ),
    ),
    # rasa_ext.forget: deleting a conversation, which Rasa 3.6 has no call for.
    Internal(
        "rasa.core.tracker_store:SQLTrackerStore.session_scope",
        "rasa_ext.forget.delete_conversation",
    ),
    Internal(
        "rasa.core.tracker_store:SQLTrackerStore.SQLEvent",
        "rasa_ext.forget.delete_conversation (deletes the conversation's rows)",
    ),
    Internal(
        "rasa.core.tracker_store:InMemoryTrackerStore.__init__",
        "rasa_ext.forget.delete_conversation pops from .store",
        sets=("self.store: Dict[Text, Text] = {}",),
    ),
    Internal(
        "rasa.core.tracker_store:RedisTrackerStore.__init__",
        "rasa_ext.forget.delete_conversation deletes red's key_prefix + sender",
        sets=("self.red = redis.StrictRedis(", "self.key_prefix = "),
    ),
    # rasa_ext.intent_classifier: the tuned classifier overrides how features are built.
    Internal(
        "rasa.nlu.classifiers.logistic_regression_classifier:LogisticRegressionClassifier._create_X",
        "rasa_ext.intent_classifier.TunedLogisticRegressionClassifier overrides it (calls super)",
    ),
    Internal(
        "rasa.nlu.classifiers.logistic_regression_classifier:LogisticRegressionClassifier.__init__",
        "rasa_ext.intent_classifier sets C on .clf",
        sets=("self.clf = LogisticRegression(",),
    ),
    # rasa_ext.channel: the agent, as Rasa's server keeps it on the Sanic app.
    Internal(
        "rasa.server:create_app",
        "rasa_ext.channel reads app.ctx.agent",
        sets=("app.ctx.agent = agent",),
    ),
    # rasa_ext.fast_paths: the same behaviour, without the work that never changes.
    Internal(
        "rasa.core.actions.action:RemoteAction._validate_action_result",
        "rasa_ext.fast_paths.validate_action_result replaces it (same error and message)",
    ),
    Internal(
        "rasa.core.actions.action:RemoteAction.action_response_format_spec",
        "rasa_ext.fast_paths builds its validator once from this schema",
    ),
    Internal(
        "rasa.shared.utils.schemas.events:EVENTS_SCHEMA",
        "rasa_ext.fast_paths checks a reply's events one by one against its items",
    ),
    Internal(
        "jsonschema.validators:validate",
        "rasa_ext.fast_paths mirrors its steps (validator_for, check_schema, best_match)",
    ),
    Internal(
        "rasa.shared.core.events:Event.resolve_by_type",
        "rasa_ext.fast_paths.resolve_event_by_type replaces it (a lookup kept per type name)",
    ),
    Internal(
        "rasa.shared.utils.common:all_subclasses",
        "rasa_ext.fast_paths.resolve_event_by_type walks it once per type name",
    ),
)


# The signature and a digest of the source of each name in the Rasa this was written against
# (`python -m rasa_ext.internals` prints them for the installed one).
RECORDED: Dict[str, Tuple[str, str]] = {
    "rasa.core.processor:MessageProcessor._run_action": (
        "(self, action: rasa.core.actions.action.Action, tracker: rasa.shared.core.trackers.DialogueStateTracker, output_channel: rasa.core.channels.channel.OutputChannel, nlg: rasa.core.nlg.generator.NaturalLanguageGenerator, prediction: rasa.core.policies.policy.PolicyPrediction) -> bool",
        "6d383d0179ef1187",
    ),
    "rasa.core.processor:MessageProcessor.__init__": (
        "(self, model_path: Union[str, pathlib.Path], tracker_store: rasa.core.tracker_store.TrackerStore, lock_store: rasa.core.lock_store.LockStore, generator: rasa.core.nlg.generator.NaturalLanguageGenerator, action_endpoint: Optional[rasa.utils.endpoints.EndpointConfig] = None, max_number_of_predictions: int = 10, on_circuit_break: Optional[function] = None, http_interpreter: Optional[rasa.core.http_interpreter.RasaNLUHttpInterpreter] = None) -> None",
        "e7cdae90996508bf",
    ),
    "rasa.core.processor:MessageProcessor.get_tracker": (
        "(self, conversation_id: str) -> rasa.shared.core.trackers.DialogueStateTracker",
        "a62e1aad7734c717",
    ),
    "rasa.core.tracker_store:TrackerStore.get_or_create_tracker": (
        "(self, sender_id: 'Text', max_event_history: 'Optional[int]' = None, append_action_listen: 'bool' = True) -> \"'DialogueStateTracker'\"",
        "0b08ab42bd97ab21",
    ),
    "rasa.core.processor:MessageProcessor.save_tracker": (
        "(self, tracker: rasa.shared.core.trackers.DialogueStateTracker) -> None",
        "e4532dd4d2970f5d",
    ),
    "rasa.core.processor:MessageProcessor.handle_message": (
        "(self, message: rasa.core.channels.channel.UserMessage) -> Optional[List[Dict[str, Any]]]",
        "0c41d4780d2d4676",
    ),
    "rasa.core.tracker_store:FailSafeTrackerStore.__init__": (
        "(self, tracker_store: 'TrackerStore', on_tracker_store_error: 'Optional[Callable[[Exception], None]]' = None, fallback_tracker_store: 'Optional[TrackerStore]' = None) -> 'None'",
        "a1d5d95d2f96830b",
    ),
    "rasa.core.tracker_store:FailSafeTrackerStore.on_tracker_store_error": (
        "(self, error: 'Exception') -> 'None'",
        "6faca7ba72b36da4",
    ),
    "rasa.core.tracker_store:AwaitableTrackerStore.__init__": (
        "(self, tracker_store: 'TrackerStore') -> 'None'",
        "8ab8149a9be22d8f",
    ),
    "rasa.core.tracker_store:create_engine_kwargs": (
        "(url: \"Union[Text, 'URL']\") -> 'Dict[Text, Any]'",
        "dff5f092362096da",
    ),
    "rasa.core.tracker_store:SQLTrackerStore.__init__": (
        "(self, domain: 'Optional[Domain]' = None, dialect: 'Text' = 'sqlite', host: 'Optional[Text]' = None, port: 'Optional[int]' = None, db: 'Text' = 'rasa.db', username: 'Text' = None, password: 'Text' = None, event_broker: 'Optional[EventBroker]' = None, login_db: 'Optional[Text]' = None, query: 'Optional[Dict]' = None, **kwargs: 'Dict[Text, Any]') -> 'None'",
        "64e704d159dfa35b",
    ),
    "rasa.core.tracker_store:SQLTrackerStore.session_scope": (
        "(self) -> \"Generator['Session', None, None]\"",
        "6775e1ede3ec8d2d",
    ),
    "rasa.core.tracker_store:SQLTrackerStore.SQLEvent": (
        "(**kwargs)",
        "696a0661ef7643a9",
    ),
    "rasa.core.tracker_store:InMemoryTrackerStore.__init__": (
        "(self, domain: 'Domain', event_broker: 'Optional[EventBroker]' = None, **kwargs: 'Dict[Text, Any]') -> 'None'",
        "30eeae0cfd67c259",
    ),
    "rasa.core.tracker_store:RedisTrackerStore.__init__": (
        "(self, domain: 'Domain', host: 'Text' = 'localhost', port: 'int' = 6379, db: 'int' = 0, username: 'Optional[Text]' = None, password: 'Optional[Text]' = None, event_broker: 'Optional[EventBroker]' = None, record_exp: 'Optional[float]' = None, key_prefix: 'Optional[Text]' = None, use_ssl: 'bool' = False, ssl_keyfile: 'Optional[Text]' = None, ssl_certfile: 'Optional[Text]' = None, ssl_ca_certs: 'Optional[Text]' = None, **kwargs: 'Dict[Text, Any]') -> 'None'",
        "38e681804e24d5ab",
    ),
    "rasa.nlu.classifiers.logistic_regression_classifier:LogisticRegressionClassifier._create_X": (
        "(self, messages: List[rasa.shared.nlu.training_data.message.Message]) -> scipy.sparse._csr.csr_matrix",
        "6f50b5eef8a879c4",
    ),
    "rasa.nlu.classifiers.logistic_regression_classifier:LogisticRegressionClassifier.__init__": (
        "(self, config: Dict[str, Any], name: str, model_storage: rasa.engine.storage.storage.ModelStorage, resource: rasa.engine.storage.resource.Resource) -> None",
        "efe227512de8355e",
    ),
    "rasa.server:create_app": (
        "(agent: Optional[ForwardRef('Agent')] = None, cors_origins: Union[str, List[str], NoneType] = '*', auth_token: Optional[str] = None, response_timeout: int = 3600, jwt_secret: Optional[str] = None, jwt_private_key: Optional[str] = None, jwt_method: str = 'HS256', endpoints: Optional[rasa.core.utils.AvailableEndpoints] = None) -> sanic.app.Sanic",
        "3f241a21aeb8f727",
    ),
    "rasa.core.actions.action:RemoteAction._validate_action_result": (
        "(self, result: Dict[str, Any]) -> bool",
        "f8cdb4be68123961",
    ),
    "rasa.core.actions.action:RemoteAction.action_response_format_spec": (
        "() -> Dict[str, Any]",
        "091b74aa3738d126",
    ),
    "rasa.shared.utils.schemas.events:EVENTS_SCHEMA": (
        "dict",
        "affaa3b70d59676e",
    ),
    "jsonschema.validators:validate": (
        "(instance, schema, cls=None, *args, **kwargs)",
        "dc1e7e6a0aee8a4e",
    ),
    "rasa.shared.core.events:Event.resolve_by_type": (
        "(type_name: str, default: Optional[Type[ForwardRef('Event')]] = None) -> Optional[Type[ForwardRef('Event')]]",
        "b5cf570fa7f286c7",
    ),
    "rasa.shared.utils.common:all_subclasses": (
        "(cls: Any) -> List[Any]",
        "28c2e6df9c15daea",
    ),
}


# --- the patches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    name: str
    replaces: Tuple[str, ...]  # INTERNALS names
    when: str  # "start-up" (apply_patches) or "agent" (apply_to_agent)
    apply: Callable[..., Any]
    # Only saves work (same behaviour): PCL_RASA_FAST_PATHS=off leaves it out, to measure
    # against Rasa's own (scripts/bench.py --no-fast-paths).
    speed_only: bool = False


def _patch_validation() -> Any:
    from rasa.core.actions.action import RemoteAction

    from rasa_ext.fast_paths import validate_action_result

    original = RemoteAction.__dict__["_validate_action_result"]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    return original


def _patch_event_lookup() -> Any:
    from rasa_ext.fast_paths import patch_event_lookup

    return patch_event_lookup()


def _whole_turns(agent: Any) -> None:
    from rasa_ext.whole_turn import whole_turns

    if agent.processor is not None:
        whole_turns(agent.processor)


def _fail_loudly(agent: Any) -> None:
    from rasa_ext.tracker_store import fail_loudly

    fail_loudly(agent.tracker_store)


PATCHES: Tuple[Patch, ...] = (
    Patch(
        "validate action replies with a validator built once",
        (
            "rasa.core.actions.action:RemoteAction._validate_action_result",
            "rasa.core.actions.action:RemoteAction.action_response_format_spec",
            "rasa.shared.utils.schemas.events:EVENTS_SCHEMA",
            "jsonschema.validators:validate",
        ),
        "start-up",
        _patch_validation,
        speed_only=True,
    ),
    Patch(
        "look up an event's class once per type name",
        (
            "rasa.shared.core.events:Event.resolve_by_type",
            "rasa.shared.utils.common:all_subclasses",
        ),
        "start-up",
        _patch_event_lookup,
        speed_only=True,
    ),
    Patch(
        # Also applied on every message (rasa_ext.once), as a model reload builds a new one.
        "take turns whole, reading the conversation once (the processor's class)",
        (
            "rasa.core.processor:MessageProcessor._run_action",
            "rasa.core.processor:MessageProcessor.__init__",
            "rasa.core.processor:MessageProcessor.get_tracker",
            "rasa.core.tracker_store:TrackerStore.get_or_create_tracker",
            "rasa.core.processor:MessageProcessor.save_tracker",
            "rasa.core.processor:MessageProcessor.handle_message",
        ),
        "agent",
        _whole_turns,
    ),
    Patch(
        "fail loudly on a tracker store error",
        (
            "rasa.core.tracker_store:FailSafeTrackerStore.__init__",
            "rasa.core.tracker_store:FailSafeTrackerStore.on_tracker_store_error",
        ),
        "agent",
        _fail_loudly,
    ),
)

# What each start-up patch replaced, by patch name (for check() and the tests).
_originals: Dict[str, Any] = {}


def apply_patches() -> None:
    """The start-up patches, once per process."""
    fast_paths = os.environ.get("PCL_RASA_FAST_PATHS", "on") != "off"
    for patch in PATCHES:
        if patch.speed_only and not fast_paths:
            continue
        if patch.when == "start-up" and patch.name not in _originals:
            _originals[patch.name] = patch.apply()


def apply_to_agent(agent: Any) -> None:
    """The patches that act on the running agent (after the server starts)."""
    for patch in PATCHES:
        if patch.when == "agent":
            patch.apply(agent)


def applied() -> List[str]:
    return list(_originals)


# --- the check --------------------------------------------------------------------------------


def _resolve(name: str) -> Any:
    module_name, _, qualified = name.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in qualified.split("."):
        owner = found
        found = inspect.getattr_static(owner, part)
        if isinstance(found, (staticmethod, classmethod)):
            found = found.__func__
    return found


def _unpatched(name: str, found: Any) -> Any:
    """The original of a name a start-up patch replaced (its source is the one recorded)."""
    from rasa_ext import fast_paths

    if getattr(found, "__module__", "") == fast_paths.__name__:
        for patch in PATCHES:
            if name in patch.replaces and patch.name in _originals:
                original = _originals[patch.name]
                original = original[0] if isinstance(original, tuple) else original
                if isinstance(original, (staticmethod, classmethod)):
                    original = original.__func__
                return original
    return found


def describe(found: Any) -> Tuple[str, str]:
    """(signature, source digest) of a function or class; of its repr for a constant."""
    try:
        signature = str(inspect.signature(found)) if callable(found) else type(found).__name__
    except (TypeError, ValueError):
        signature = "?"
    try:
        text = inspect.getsource(found)
    except (OSError, TypeError):
        text = repr(found)
    return signature, hashlib.sha256(text.encode()).hexdigest()[:16]


def current() -> Dict[str, Tuple[str, str]]:
    return {item.name: describe(_unpatched(item.name, _resolve(item.name))) for item in INTERNALS}


def check() -> List[str]:
    """What is missing or changed since RECORDED, one clear line each; empty when all hold."""
    import rasa

    problems = []
    if rasa.__version__ != RASA_VERSION:
        problems.append(
            f"Rasa is {rasa.__version__}, the internals were recorded on {RASA_VERSION}: "
            "review every one below and record them again"
        )
    for item in INTERNALS:
        try:
            found = _unpatched(item.name, _resolve(item.name))
        except (ImportError, AttributeError) as error:
            problems.append(f"{item.name} is missing ({error}); used by {item.used_by}")
            continue
        signature, digest = describe(found)
        recorded = RECORDED.get(item.name)
        if recorded is None:
            problems.append(
                f"{item.name} has no recorded signature and source; run "
                "`python -m rasa_ext.internals` and record it"
            )
            continue
        if signature != recorded[0]:
            problems.append(
                f"{item.name} changed signature: {recorded[0]} -> {signature}; "
                f"used by {item.used_by}"
            )
        if digest != recorded[1]:
            problems.append(
                f"{item.name} changed source (digest {recorded[1]} -> {digest}); "
                f"used by {item.used_by}"
            )
        if item.sets:
            try:
                text = inspect.getsource(found)
            except (OSError, TypeError):
                text = ""
            for needle in item.sets:
                if needle not in text:
                    problems.append(f"{item.name} no longer has `{needle}`; used by {item.used_by}")
    for patch in PATCHES:
        unknown = [name for name in patch.replaces if name not in {i.name for i in INTERNALS}]
        if unknown:
            problems.append(f"patch '{patch.name}' names internals not listed: {unknown}")
    return problems


if __name__ == "__main__":
    for key, (signature, digest) in current().items():
        print(f"    {key!r}: (\n        {signature!r},\n        {digest!r},\n    ),")
