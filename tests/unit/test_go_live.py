"""Production refuses to start while a fact is unconfirmed or the harm phrase list unreviewed
(issue 16, part 7), naming each; PCL_ALLOW_UNCONFIRMED_FACTS=1 starts with a warning for each."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.adapters.crypto import generate_key
from bot.adapters.go_live import GoLiveRefused, check_go_live
from bot.adapters.harm_phrases import PHRASES_PATH
from bot.adapters.service_file import DEFAULT_FACTS_PATH, load_facts
from bot.adapters.settings import PROJECT_ROOT, given_settings
from tests.support.facts import EVERY_UNCONFIRMED


def production_values(**more: object) -> dict[str, object]:
    return {
        "env": "production",
        "database_url": "postgresql+psycopg://pcl@db.invalid/pcl",
        "rasa_token": secrets.token_urlsafe(32),
        "hmac_key": secrets.token_urlsafe(32),
        "encryption_keys": generate_key(),
        "blind_index_key": generate_key(),
        **more,
    }


def confirmed_copies(tmp_path: Path) -> tuple[Path, Path]:
    """The service file with every flag removed, and the phrase list marked reviewed."""
    facts = yaml.safe_load(DEFAULT_FACTS_PATH.read_text(encoding="utf-8"))

    def unflag(node: object) -> None:
        if isinstance(node, dict):
            node.pop("confirm_before_live", None)
            for value in node.values():
                unflag(value)

    unflag(facts)
    facts_path = tmp_path / "confirmed.yml"
    facts_path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    phrases = PHRASES_PATH.read_text(encoding="utf-8").replace(
        "reviewed_on: null", 'reviewed_on: "2026-12-01"', 1
    )
    phrases_path = tmp_path / "reviewed_phrases.yml"
    phrases_path.write_text(phrases, encoding="utf-8")
    return facts_path, phrases_path


def test_the_default_file_flags_non_phone_facts_too() -> None:
    assert load_facts().unconfirmed() == EVERY_UNCONFIRMED


def test_production_refuses_naming_every_unconfirmed_fact_and_the_phrase_review() -> None:
    settings = given_settings(**production_values())
    with pytest.raises(GoLiveRefused) as refused:
        check_go_live(settings, load_facts())
    message = str(refused.value)
    for path in EVERY_UNCONFIRMED:
        assert f"bot/service/derby.yml: {path} is marked confirm_before_live" in message
    assert "bot/harm_phrases.yml: the harm phrase list is unreviewed" in message


def test_explicitly_allowed_it_starts_with_a_warning_for_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = given_settings(**production_values(allow_unconfirmed_facts=True))
    with caplog.at_level(logging.WARNING, logger="pcl.go_live"):
        blockers = check_go_live(settings, load_facts())
    assert len(blockers) == len(EVERY_UNCONFIRMED) + 1
    assert len(caplog.records) == len(blockers)
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_everything_confirmed_and_reviewed_starts_quietly(tmp_path: Path) -> None:
    facts_path, phrases_path = confirmed_copies(tmp_path)
    settings = given_settings(**production_values(facts_file=facts_path))
    assert check_go_live(settings, load_facts(facts_path), phrases_path) == []


def test_only_the_unreviewed_phrase_list_is_named_when_the_facts_are_confirmed(
    tmp_path: Path,
) -> None:
    facts_path, _ = confirmed_copies(tmp_path)
    settings = given_settings(**production_values(facts_file=facts_path))
    with pytest.raises(GoLiveRefused) as refused:
        check_go_live(settings, load_facts(facts_path))
    assert "confirm_before_live" not in str(refused.value)
    assert "harm phrase list is unreviewed" in str(refused.value)


def test_development_and_test_are_not_blocked() -> None:
    for env in ("development", "test"):
        settings = given_settings(**{**production_values(), "env": env})
        assert check_go_live(settings, load_facts()) == []


def test_a_flag_that_names_no_field_is_refused(tmp_path: Path) -> None:
    facts = yaml.safe_load(DEFAULT_FACTS_PATH.read_text(encoding="utf-8"))
    facts["irt"]["confirm_before_live"] = ["opening_time"]
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"irt\.confirm_before_live.*opening_time"):
        load_facts(path)


@pytest.mark.parametrize("module", ["api", "actions.server"])
def test_the_processes_refuse_to_start_in_production_naming_each(module: str) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PCL_") and key != "PYTHONPATH"
    }
    env |= {f"PCL_{key.upper()}": str(value) for key, value in production_values().items()}
    env |= {"PYTHONPATH": str(PROJECT_ROOT), "PCL_DATA_DIR": "/nonexistent/never-made"}
    done = subprocess.run(
        [sys.executable, "-m", module],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "refusing to start in production" in done.stderr
    for path in EVERY_UNCONFIRMED:
        assert f"{path} is marked confirm_before_live" in done.stderr
    assert "harm phrase list is unreviewed" in done.stderr
