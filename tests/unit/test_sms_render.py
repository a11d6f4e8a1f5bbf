"""SMS rendering: buttons become numbered choices, a number maps back to its payload, and every
reply fits Twilio's 1,600-character messages, split between messages, then sentences."""

from __future__ import annotations

import pytest

from bot.domain.sms.render import (
    SMS_MAX_CHARS,
    BotMessage,
    Choice,
    read_choice,
    split_for_sms,
    with_numbered_choices,
)

NAMED_OR_SCENARIO = (
    Choice("Named child (recorded)", "/named_child"),
    Choice("Scenario (not recorded)", "/scenario"),
)


def test_buttons_become_a_reply_line_appended_to_their_message() -> None:
    texts, payloads = with_numbered_choices(
        [BotMessage("Is this about a named child, or a scenario?", NAMED_OR_SCENARIO)]
    )
    assert texts == [
        "Is this about a named child, or a scenario?\n"
        "Reply 1 for Named child (recorded), 2 for Scenario (not recorded)"
    ]
    assert payloads == ["/named_child", "/scenario"]


def test_choices_are_numbered_across_the_whole_reply() -> None:
    texts, payloads = with_numbered_choices(
        [
            BotMessage("Hello."),
            BotMessage("First?", (Choice("A", "a"), Choice("B", "b"))),
            BotMessage("Second?", (Choice("C", "c"),)),
        ]
    )
    assert texts[0] == "Hello."
    assert texts[2].endswith("Reply 3 for C")
    assert payloads == ["a", "b", "c"]


def test_a_reply_without_buttons_offers_no_choices() -> None:
    texts, payloads = with_numbered_choices([BotMessage("What is your name?")])
    assert texts == ["What is your name?"]
    assert payloads == []


def test_buttons_without_text_still_read_as_choices() -> None:
    texts, _ = with_numbered_choices([BotMessage("", NAMED_OR_SCENARIO)])
    assert texts == ["Reply 1 for Named child (recorded), 2 for Scenario (not recorded)"]


@pytest.mark.parametrize("body", ["1", " 1 ", "1.", "1)", "#1"])
def test_a_bare_number_picks_its_choice(body: str) -> None:
    assert read_choice(body, ["/named_child", "/scenario"]).payload == "/named_child"


def test_the_last_number_picks_the_last_choice() -> None:
    assert read_choice("2", ["/named_child", "/scenario"]).payload == "/scenario"


@pytest.mark.parametrize("body", ["0", "3", "99"])
def test_a_number_not_offered_is_out_of_range(body: str) -> None:
    reading = read_choice(body, ["/named_child", "/scenario"])
    assert reading.out_of_range
    assert reading.payload is None


@pytest.mark.parametrize("body", ["named child", "1 child", "12/03/2017", "01332 123456", "1,2"])
def test_text_is_text_even_when_choices_are_on_offer(body: str) -> None:
    reading = read_choice(body, ["/named_child", "/scenario"])
    assert reading.payload is None
    assert not reading.out_of_range


def test_a_number_is_ordinary_text_when_no_choices_are_on_offer() -> None:
    # e.g. the child's age, asked without buttons
    reading = read_choice("7", [])
    assert reading.payload is None
    assert not reading.out_of_range


def test_short_messages_travel_together_in_one_sms() -> None:
    assert split_for_sms(["Hello.", "What is your name?"]) == ["Hello.\n\nWhat is your name?"]


def test_messages_are_split_between_messages_before_sentences() -> None:
    first, second = "A" * 1000 + ".", "B" * 1000 + "."
    assert split_for_sms([first, second]) == [first, second]


def test_a_message_over_the_limit_is_split_between_sentences() -> None:
    sentence = "This sentence is about fifty characters long, ok. "
    text = (sentence * 40).strip()  # 2,000 characters
    parts = split_for_sms([text])
    assert len(parts) == 2
    assert all(len(p) <= SMS_MAX_CHARS for p in parts)
    assert all(p.endswith("ok.") and p.startswith("This") for p in parts)
    assert " ".join(parts) == text


def test_a_sentence_over_the_limit_is_split_between_words() -> None:
    text = "word " * 500  # 2,500 characters, no full stop
    parts = split_for_sms([text])
    assert all(len(p) <= SMS_MAX_CHARS for p in parts)
    assert " ".join(parts).split() == text.split()


def test_a_run_without_spaces_is_cut_at_the_limit() -> None:
    parts = split_for_sms(["x" * 3500])
    assert [len(p) for p in parts] == [1600, 1600, 300]


def test_line_breaks_inside_a_long_message_are_kept() -> None:
    text = "Choose one.\n- Named child: recorded.\n- Scenario: not recorded. " + "More. " * 300
    parts = split_for_sms([text])
    assert parts[0].startswith("Choose one.\n- Named child: recorded.\n- Scenario")
    assert all(len(p) <= SMS_MAX_CHARS for p in parts)


def test_order_is_kept_when_splitting() -> None:
    texts = [f"Message {i}. " + "x" * 700 for i in range(5)]
    joined = "\n\n".join(split_for_sms(texts))
    positions = [joined.index(f"Message {i}.") for i in range(5)]
    assert positions == sorted(positions)


def test_empty_texts_make_no_messages() -> None:
    assert split_for_sms([]) == []
    assert split_for_sms(["", "  "]) == []
