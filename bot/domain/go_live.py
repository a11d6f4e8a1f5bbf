"""What blocks going live (issue 16, part 7): every fact the council has not confirmed, and a
harm phrase list the safeguarding lead has not reviewed. In production the service refuses to
start while any remains (or, when explicitly allowed, warns on every start), naming each."""

from __future__ import annotations

from bot.domain.facts import ServiceFacts


def go_live_blockers(
    facts: ServiceFacts, facts_file: str, phrases_reviewed: bool, phrases_file: str
) -> list[str]:
    """One line per blocker, each naming the file and the fact or review it waits for."""
    blockers = [
        f"{facts_file}: {path} is marked confirm_before_live" for path in facts.unconfirmed()
    ]
    if not phrases_reviewed:
        blockers.append(f"{phrases_file}: the harm phrase list is unreviewed (reviewed_on is null)")
    return blockers
