"""The production start-up check (bot.domain.go_live): refuse to start while a fact is
unconfirmed or the harm phrase list unreviewed, unless PCL_ALLOW_UNCONFIRMED_FACTS=1, in which
case every start logs a warning for each."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.adapters.harm_phrases import PHRASES_PATH, load_phrases
from bot.adapters.settings import PROJECT_ROOT, Settings
from bot.domain.facts import ServiceFacts
from bot.domain.go_live import go_live_blockers

logger = logging.getLogger("pcl.go_live")


class GoLiveRefused(ValueError):
    """Production start-up refused: the message names every blocker."""


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def check_go_live(
    settings: Settings, facts: ServiceFacts, phrases_path: Path = PHRASES_PATH
) -> list[str]:
    """The blockers in production (none elsewhere); raises GoLiveRefused unless allowed."""
    if settings.env != "production":
        return []
    blockers = go_live_blockers(
        facts,
        _shown(Path(settings.facts_file)),
        load_phrases(phrases_path).reviewed,
        _shown(Path(phrases_path)),
    )
    if not blockers:
        return []
    if not settings.allow_unconfirmed_facts:
        raise GoLiveRefused(
            "refusing to start in production until these are confirmed or reviewed "
            "(PCL_ALLOW_UNCONFIRMED_FACTS=1 starts anyway, with a warning for each):\n"
            + "\n".join(f"  - {blocker}" for blocker in blockers)
        )
    for blocker in blockers:
        logger.warning("going live with an unconfirmed fact or review: %s", blocker)
    return blockers
