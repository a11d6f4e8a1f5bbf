"""Checks run inside Rasa's own interpreter (Python 3.10, `.venv-rasa`), as the project's Rasa
code runs: every check in one process (importing Rasa takes seconds), in order, each check's
traceback reported by name."""

from __future__ import annotations

import json
import os
import subprocess

from tests.support.stack import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

_RUNNER = """
import json, sys, traceback
failures = {}
for name, code in json.loads(sys.argv[1]).items():
    try:
        exec(compile(code, name, "exec"), dict(globals()))
    except Exception:
        failures[name] = traceback.format_exc()
print(json.dumps(failures))
"""


def run_script_in_rasa(script: str, *args: str) -> str:
    """The last line `script` printed; the test fails with its error if it failed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def run_in_rasa(prelude: str, checks: dict[str, str]) -> dict[str, str]:
    """The traceback of each check that failed, by name (`prelude` runs first, once)."""
    return json.loads(run_script_in_rasa(prelude + _RUNNER, json.dumps(checks)))
