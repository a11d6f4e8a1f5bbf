"""The action server starts and serves exactly the domain's custom actions.

rasa-sdk registers every concrete `Action` subclass it imports and calls its `name()`: a shared
base class that is not abstract would stop the server starting (every end-to-end test would then
fail at set-up), and one with a placeholder name would serve an action the domain never asks for."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from tests.unit.actions.conftest import DOMAIN


def test_the_action_server_registers_each_domain_action_and_nothing_else() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    custom = {name for name in DOMAIN["actions"] if name.startswith(("action_", "validate_"))}
    assert set(executor.actions) == custom
