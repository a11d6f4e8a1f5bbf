"""Rasa's usage telemetry and error reporting stay off: they would send data off the machine."""

from __future__ import annotations

import os
import subprocess

from tests.support.stack import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

CHECK = """
import rasa.telemetry as telemetry
telemetry.initialize_error_reporting()
import sentry_sdk
assert sentry_sdk.Hub.current.client is None, "Sentry was initialised"
assert telemetry.sentry_write_key() is None, "an error-report key was found"
assert telemetry.telemetry_write_key() is None, "a telemetry key was found"
assert not telemetry.is_telemetry_enabled(), "telemetry is enabled"
print("off")
"""


def test_rasa_initialises_no_error_reporting_and_no_telemetry_even_with_empty_keys() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RASA_")}
    # An empty key variable falls back to the package's key file: that file must be gone.
    env.update(RASA_TELEMETRY_ENABLED="false", RASA_EXCEPTION_WRITE_KEY="")
    env["RASA_TELEMETRY_WRITE_KEY"] = ""
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("off")


def test_the_makefile_turns_telemetry_off_for_every_command() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "export RASA_TELEMETRY_ENABLED := false" in makefile
