"""A bad configuration stops start-up with a message naming what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.adapters.crypto import generate_key
from tests.support.stack import ROOT


def start(module: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PCL_")}
    base.update(
        PYTHONPATH=str(ROOT),
        PCL_ENV="test",
        PCL_RASA_TOKEN="t" * 40,
        PCL_HMAC_KEY="k" * 40,
        PCL_ENCRYPTION_KEYS=generate_key(),
        PCL_BLIND_INDEX_KEY=generate_key(),
        PCL_DATABASE_URL=f"sqlite:///{tmp_path / 'pcl.db'}",
        PCL_DATA_DIR=str(tmp_path),
        PCL_API_PORT="1",  # never reached: the checks come first
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", module], env=base, capture_output=True, text=True, timeout=60
    )


def test_a_bad_service_file_stops_the_api_naming_the_field(tmp_path: Path) -> None:
    facts = (ROOT / "bot/service/derby.yml").read_text()
    bad = tmp_path / "bad.yml"
    bad.write_text(facts.replace('"01332 641172"', '"not a number"'))
    result = start("api", tmp_path, PCL_FACTS_FILE=str(bad))
    assert result.returncode != 0
    assert "irt.phone.number" in result.stderr


def test_a_bad_service_file_stops_the_action_server_naming_the_field(tmp_path: Path) -> None:
    facts = (ROOT / "bot/service/derby.yml").read_text()
    bad = tmp_path / "bad.yml"
    bad.write_text(facts.replace('opens: "10:00"', 'opens: "25:00"'))
    result = start("actions.server", tmp_path, PCL_FACTS_FILE=str(bad))
    assert result.returncode != 0
    assert "line.opens" in result.stderr


def test_pcl_now_is_refused_in_production(tmp_path: Path) -> None:
    result = start(
        "api",
        tmp_path,
        PCL_ENV="production",
        PCL_NOW="2026-12-28T11:00:00+00:00",
        PCL_DATABASE_URL="postgresql+psycopg://localhost/none",
    )
    assert result.returncode != 0
    assert "PCL_NOW is refused" in result.stderr


def test_an_empty_secret_stops_start_up_naming_it(tmp_path: Path) -> None:
    result = start("api", tmp_path, PCL_HMAC_KEY="")
    assert result.returncode != 0
    assert "PCL_HMAC_KEY" in result.stderr


def test_a_placeholder_secret_is_refused_in_production(tmp_path: Path) -> None:
    result = start(
        "api",
        tmp_path,
        PCL_ENV="production",
        PCL_RASA_TOKEN="change-me",
        PCL_DATABASE_URL="postgresql+psycopg://localhost/none",
    )
    assert result.returncode != 0
    assert "PCL_RASA_TOKEN" in result.stderr
