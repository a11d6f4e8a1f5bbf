"""Rasa starts through rasa_ext/__main__.py (the Procfile; the Makefile's train and test core):
Rasa's own command line, with skops imported before TensorFlow, which takes about 8 s of CPU
off every Rasa process that loads or trains a model."""

from __future__ import annotations

from tests.support.rasa_checks import run_in_rasa
from tests.support.stack import ROOT, procfile_commands

ORDER = """
import sys
import rasa_ext.__main__
import rasa.core.agent  # what `rasa run` imports before it loads the model (TensorFlow with it)
import skops.io  # what the model's classifier imports when it loads
names = list(sys.modules)
assert "tensorflow" in names, "Rasa no longer imports TensorFlow: rasa_ext/__main__.py may go"
assert names.index("skops.io") < names.index("tensorflow"), "TensorFlow was imported first"
"""


def test_the_entry_imports_skops_before_tensorflow() -> None:
    assert run_in_rasa("", {"skops first": ORDER}) == {}


def test_the_procfile_and_the_makefile_start_rasa_through_the_entry() -> None:
    assert procfile_commands()["rasa"].startswith(
        "scripts/respawn .venv-rasa/bin/python -m rasa_ext run "
    )
    assert "RASA := $(RASA_VENV)/bin/python -m rasa_ext\n" in (ROOT / "Makefile").read_text()
