"""SMS keywords: HELP and INFO are answered by the channel; Twilio's opt-out and opt-in words
start no turn; only the whole message counts, so "stop" in a sentence is text."""

from __future__ import annotations

import pytest

from bot.domain.sms.keywords import Keyword, keyword_of


@pytest.mark.parametrize("body", ["HELP", "help", " Help ", "INFO", "info\n"])
def test_help_and_info_are_the_help_keyword(body: str) -> None:
    assert keyword_of(body) is Keyword.HELP


@pytest.mark.parametrize(
    "body", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "quit"]
)
def test_twilios_opt_out_words_are_opt_outs(body: str) -> None:
    assert keyword_of(body) is Keyword.OPT_OUT


@pytest.mark.parametrize("body", ["START", "start", "UNSTOP"])
def test_twilios_opt_in_words_are_opt_ins(body: str) -> None:
    assert keyword_of(body) is Keyword.OPT_IN


@pytest.mark.parametrize(
    "body",
    [
        "please stop",
        "stop now",
        "He told me to stop telling anyone",
        "I need help with a concern",
        "stop.",
        "helpful",
        "",
    ],
)
def test_keywords_inside_a_message_are_ordinary_text(body: str) -> None:
    assert keyword_of(body) is None


@pytest.mark.parametrize("body", ["YES", "yes", "Yes"])
def test_yes_is_an_answer_for_the_assistant_not_a_swallowed_keyword(body: str) -> None:
    # The assistant asks yes/no questions; Twilio still applies its own opt-in.
    assert keyword_of(body) is None


@pytest.mark.parametrize(
    ("opt_out_type", "expected"),
    [("STOP", Keyword.OPT_OUT), ("START", Keyword.OPT_IN), ("HELP", Keyword.HELP)],
)
def test_twilios_advanced_opt_out_type_decides_for_custom_keywords(
    opt_out_type: str, expected: Keyword
) -> None:
    assert keyword_of("ARRET", opt_out_type) is expected


def test_an_unknown_opt_out_type_falls_back_to_the_words() -> None:
    assert keyword_of("hello", "SOMETHING") is None
    assert keyword_of("STOP", "") is Keyword.OPT_OUT
