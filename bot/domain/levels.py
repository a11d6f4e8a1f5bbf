"""Levels of need and the threshold logic (the thresholds document and ISA "Processing of
Information", SPEC §2 rule 11 and "Levels of need").

The assistant only *suggests* a level; the decision is the Initial Response Team's. The
rules lean towards caution: a missing or unclear answer never lowers the suggestion, and a
concern about significant harm always goes to the IRT whatever the other answers say.

No phone number or link lives here: next-step texts carry placeholders that the caller of
`next_step_text` fills from the service file (see `PLACEHOLDERS`).
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):  # noqa: UP042 - (str, Enum) as agreed for the slot/record values
    """The four levels of need, in rising order."""

    UNIVERSAL = "Universal"
    EMERGING = "Emerging needs"
    INTENSIVE = "Intensive"
    SPECIALIST = "Specialist"

    def __str__(self) -> str:  # the plain name in messages and records, not "Level.X"
        return self.value

    @property
    def meaning(self) -> str:
        """One plain-English sentence saying what the level means."""
        return _MEANINGS[self]

    @property
    def rank(self) -> int:
        """0 (Universal) to 3 (Specialist), for comparing levels."""
        return list(Level).index(self)


_MEANINGS: dict[Level, str] = {
    Level.UNIVERSAL: (
        "The child's needs are met by the services every child uses, such as school, "
        "nursery and health visiting."
    ),
    Level.EMERGING: (
        "The child has additional needs that call for extra support coordinated between more "
        "than one agency, with the family's agreement, but not intensive or specialist services."
    ),
    Level.INTENSIVE: (
        "The child has more complex needs, or needs that an Early Help Assessment and a team "
        "around the family have not met, calling for targeted multi-agency support."
    ),
    Level.SPECIALIST: (
        "The child needs statutory social care: they are suffering or likely to suffer "
        "significant harm, or have needs only social care can meet."
    ),
}

# Said with every suggestion (SPEC rule 11: the assistant says plainly the decision is the IRT's).
DECISION_NOTE = (
    "This is a suggested level only. The decision is made by the Initial Response Team (IRT)."
)


@dataclass(frozen=True)
class Choice:
    value: str  # the stable value stored in slots and records
    title: str  # the button's label


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[Choice, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


THRESHOLD_QUESTIONS: tuple[Question, ...] = (
    Question(
        key="harm",
        text=(
            "Do you have reasonable cause to suspect that the child is suffering, or is "
            "likely to suffer, significant harm?"
        ),
        choices=(
            Choice("yes", "Yes"),
            Choice("no", "No"),
            Choice("unsure", "I'm not sure"),
        ),
    ),
    Question(
        key="needs",
        text=(
            "Thinking about the child's development, their parents' or carers' ability to "
            "meet their needs, and their family and surroundings, which best describes the "
            "child's needs?"
        ),
        choices=(
            Choice("none", "Developing as expected"),
            Choice("some", "Some additional needs in one area"),
            Choice("several", "Several or complex needs"),
            Choice("severe", "Needs only social care can meet"),
        ),
    ),
    Question(
        key="support",
        text=(
            "Universal support is what every child has (school, health); early help is an "
            "Early Help Assessment or a team around the family. Is the support already in "
            "place meeting the child's needs?"
        ),
        choices=(
            Choice("yes", "Yes, it is meeting them"),
            Choice("partly", "Partly"),
            Choice("no", "Universal support only: not met"),
            Choice("early_help_no", "Early help in place: not met"),
            Choice("none", "There is no support in place"),
        ),
    ),
    Question(
        key="consent",
        text="Does the family know about your concern, and do they agree to early help?",
        choices=(
            Choice("yes", "Yes, they know and agree"),
            Choice("no", "No, they do not agree"),
            Choice("not_asked", "Not asked yet"),
        ),
    ),
)

QUESTIONS_BY_KEY: Mapping[str, Question] = {q.key: q for q in THRESHOLD_QUESTIONS}

# ---------------------------------------------------------------------------------------
# Free-text answers
# ---------------------------------------------------------------------------------------

# (value, pattern) rules tried in order; the first that matches wins. The order puts the
# more specific and the more cautious readings first ("not sure" before "no" before "yes";
# "no support" before "no"; "not fully" before "not").
_ANSWER_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "harm": (
        (
            "unsure",
            r"not sure|unsure|do not know|dunno|\bidk\b|no idea|maybe|perhaps|possibly|"
            r"might be|could be|cannot (?:tell|say)|hard to (?:say|tell)|uncertain|"
            r"not certain|unclear|not clear|not (?:really )?(?:sure|certain)",
        ),
        (
            "no",
            r"\bno\b|\bnope\b|\bnah\b|not really|do not think so|definitely not|not at all|"
            r"\bunlikely\b|i do not\b|\bnone\b",
        ),
        (
            # "I think so" and "probably" count as yes: reasonable cause to suspect is a low bar.
            "yes",
            r"\byes\b|\byep\b|\byeah\b|\byup\b|\by\b|\bya\b|\baye\b|\bi do\b|"
            r"definitely|certainly|absolutely|(?<!not )think so|(?<!not )probably|"
            r"(?<!not )\blikely|i suspect|i believe so|afraid so|\bcorrect\b",
        ),
    ),
    "needs": (
        (
            "severe",
            r"(?<!not )severe|only social care|social care (?:can|could|need)|statutory|"
            r"very (?:high|serious)|(?<!not )extreme|(?<!not )critical",
        ),
        ("some", r"not many|not a lot|one or two|a couple|just one|one area|(?<!quite )a few"),
        (
            "several",
            r"(?<!not )several|(?<!not )complex|multiple|\bmany\b|loads|lots|a lot|numerous|"
            r"quite a few|a range|various|more than one|high needs",
        ),
        (
            "none",
            r"^none$|no (?:additional |extra |other |real )?needs|no concerns|as expected|"
            r"developing (?:well|normally|fine)|^(?:fine|nothing|none really|no needs)$",
        ),
        ("some", r"\bsome\b|a bit|a little|minor|mild|additional|emerging|low level|\bone\b"),
    ),
    "support": (
        (
            # Early help (an EHA, a team around the family) tried and not meeting the needs: the
            # one reading that makes some needs Intensive (the thresholds document, Level 3).
            "early_help_no",
            r"(?:early help|\beha\b|team around|\btaf\b|\btac\b|lead professional)"
            r".*(?:\bnot\b|\bno\b|failing|unmet|has not|have not|did not|does not)|"
            r"(?:\bnot\b|failing|unmet|has not|have not|did not|does not)"
            r".*(?:early help|\beha\b|team around|\btaf\b|\btac\b)",
        ),
        (
            "none",
            r"no support|nothing (?:is )?in place|not in place|^none\b|^nothing\b|"
            r"no (?:services|help|one|professionals?) (?:involved|in place)|"
            r"no (?:services|help)\b|nobody (?:is )?involved|no one (?:is )?involved",
        ),
        (
            "partly",
            r"partly|partially|somewhat|a bit|sort of|kind of|to some extent|half|"
            r"not (?:fully|completely|entirely|totally|always)|in some ways|mostly|mixed",
        ),
        (
            "no",
            r"\bno\b|\bnope\b|\bnah\b|not (?:really|at all|working|meeting|helping|enough|met)|"
            r"\bis not\b|\bare not\b|\bdoes not\b|\bdo not\b|failing|unmet",
        ),
        (
            "yes",
            r"\byes\b|\byep\b|\byeah\b|\byup\b|\by\b|working|meeting|being met|\bmet\b|"
            r"\bfine\b|\bok\b|\bokay\b|going well|helping",
        ),
    ),
    "consent": (
        (
            "not_asked",
            r"not (?:been )?asked|have not asked|not yet|(?:do|does) not know|"
            r"unaware|not (?:been )?told|have not told|not (?:been )?discussed|"
            r"have not discussed|not spoken|have not spoken|not mentioned|not sure|unsure|"
            r"dunno|no idea",
        ),
        (
            "no",
            r"refus\w*|declin\w*|(?:do|does|did|will|would) not (?:agree|consent|want)|"
            r"disagree|not (?:agree|consent|happy|willing)|against it|\bno\b|\bnope\b|"
            r"\bnah\b|withdr[ae]wn?",
        ),
        (
            "yes",
            r"\byes\b|\byep\b|\byeah\b|\byup\b|\by\b|agree|consent|happy|on board|willing|"
            r"they know",
        ),
    ),
}

_COMPILED_RULES: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    key: tuple((value, re.compile(pattern)) for value, pattern in rules)
    for key, rules in _ANSWER_RULES.items()
}

_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})
_CONTRACTIONS = (
    (re.compile(r"\b(?:can't|cant|can not)\b"), "cannot"),
    (re.compile(r"\b(?:won't|wont)\b"), "will not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|would|could)n'?t\b"), r"\1 not"),
    (re.compile(r"\bi'm\b"), "i am"),
)
_PAYLOAD = re.compile(r"\{.*\}")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = text.replace("_", " ")
    text = "".join(" " if ch in string.punctuation and ch != "'" else ch for ch in text)
    return " ".join(text.split())


def normalise_answer(key: str, text: str) -> str | None:
    """The choice value a button press or free-text reply means, or None if unclear.

    Accepts a choice value ("not_asked"), a button title ("Several or complex needs"), a
    Rasa payload carrying the value (`/answer{"needs": "some"}`) or free text ("yep",
    "dunno", "loads of needs", "they don't know yet"). Raises KeyError for an unknown key.
    """
    question = QUESTIONS_BY_KEY[key]
    if not text or not text.strip():
        return None
    payload = _PAYLOAD.search(text)
    if payload:
        try:
            data = json.loads(payload.group(0))
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get(key), str):
            text = data[key]
    cleaned = _clean(text)
    for choice in question.choices:
        if cleaned in (_clean(choice.value), _clean(choice.title)):
            return choice.value
    for value, pattern in _COMPILED_RULES[key]:
        if pattern.search(cleaned):
            return value
    return None


# ---------------------------------------------------------------------------------------
# Next steps
# ---------------------------------------------------------------------------------------

# Placeholders the next-step texts may contain, filled from the service file:
#   {emergency_phone}          emergency.phone.number ("999")
#   {irt_phone}                irt.phone.number
#   {referral_form_url}        online_referral_form.url.value
#   {referral_followup_hours}  irt.telephone_referral_followup_hours
PLACEHOLDERS: frozenset[str] = frozenset(
    {"emergency_phone", "irt_phone", "referral_form_url", "referral_followup_hours"}
)

NEXT_STEP_TEXT: Mapping[str, str] = {
    "call_999": (
        "If the child is in immediate danger, call {emergency_phone} now, before anything else."
    ),
    "irt_now": (
        "Contact the Initial Response Team (IRT) now on {irt_phone}. A concern about "
        "significant harm does not wait for the family's consent."
    ),
    "childrens_social_care_referral": (
        "Complete the Online Referral Form to refer to Children's Social Care: "
        "{referral_form_url}. If you phoned first, complete the form within "
        "{referral_followup_hours} hours."
    ),
    "threshold_discussion": (
        "As you're not sure about significant harm, talk it through with the IRT on "
        "{irt_phone}: they decide whether the threshold is met. After a referral, where it is not "
        "clear whether it is child protection (Section 47) or a child in need (Section 17), the "
        "IRT Manager and the Multi-Agency Strategy Meeting Manager hold a threshold discussion: "
        "that is the IRT's own step, not yours to arrange."
    ),
    "mat_referral": (
        "Make a referral to the Multi-Agency Team (MAT) for targeted early help, with the "
        "family's agreement. You can also ask Children's Social Care about a child in need "
        "(Section 17) discussion."
    ),
    "early_help_assessment": (
        "Start an Early Help Assessment with the family's agreement, and agree a lead "
        "professional to coordinate the support."
    ),
    "universal_services": (
        "Carry on supporting the child within your own service; no referral is needed. "
        "Come back to us if things change."
    ),
    "seek_consent": (
        "Seek the family's consent: explain your concern, what early help offers, what would "
        "be shared with whom and why, and that they can say no. Don't ask a family member who "
        "may be the source of harm, or where asking could put the child at greater risk. "
        "Record their answer. If they refuse, respect it, keep supporting them in your own "
        "service and record the refusal and your reasons; if you come to suspect significant "
        "harm, share without consent and contact the IRT."
    ),
}

# The order next steps are given in: the most urgent first.
_STEP_ORDER: tuple[str, ...] = (
    "call_999",
    "irt_now",
    "threshold_discussion",
    "seek_consent",
    "childrens_social_care_referral",
    "mat_referral",
    "early_help_assessment",
    "universal_services",
)


def next_step_text(key: str, facts: Mapping[str, str]) -> str:
    """The sentence for a next step with its placeholders filled (KeyError if one is missing)."""
    return NEXT_STEP_TEXT[key].format_map(facts)


# ---------------------------------------------------------------------------------------
# The suggestion
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    level: Level
    reasons: tuple[str, ...]
    next_steps: tuple[str, ...]  # keys of NEXT_STEP_TEXT, most urgent first
    # Not sure about significant harm: talk it through with the IRT, who decide. (The S17/S47
    # threshold discussion between the IRT Manager and the Multi-Agency Strategy Meeting
    # Manager is the IRT's own step after a referral, described in the step's text.)
    threshold_discussion: bool
    statutory: str | None  # "S47", "S17" or None

    @property
    def meaning(self) -> str:
        """The level's meaning; "significant harm" only where harm is suspected (S47)."""
        if self.level is Level.SPECIALIST and self.statutory != "S47":
            return _SPECIALIST_NEEDS_MEANING
        return self.level.meaning


_SPECIALIST_NEEDS_MEANING = (
    "The child may need statutory social care: needs that only social care can meet."
)


_REASONS: dict[str, dict[str | None, str]] = {
    "harm": {
        "yes": (
            "You said you have reasonable cause to suspect the child is suffering, or is "
            "likely to suffer, significant harm."
        ),
        "unsure": (
            "You were not sure whether the child is suffering, or is likely to suffer, "
            "significant harm."
        ),
        "no": "You said you do not suspect the child is suffering significant harm.",
        None: (
            "We do not know yet whether you suspect significant harm, so we have treated it "
            "as not sure."
        ),
    },
    "needs": {
        "none": "You said the child is developing as expected.",
        "some": "You said the child has some additional needs in one area.",
        "several": "You said the child's needs are several or complex.",
        "severe": "You said the child has needs that only social care can meet.",
        None: ("You did not tell us about the child's needs, so we have assumed they may be high."),
    },
    "support": {
        "yes": "You said the support in place is meeting the child's needs.",
        "partly": "You said the support in place is only partly meeting the child's needs.",
        "no": (
            "You said only universal support is in place and it is not meeting the child's needs."
        ),
        "early_help_no": (
            "You said early help (an Early Help Assessment or a team around the family) is in "
            "place and has not met the child's needs."
        ),
        "none": "You said there is no support in place yet.",
        None: (
            "You did not tell us whether support is meeting the child's needs, so we have "
            "assumed it is not."
        ),
    },
    "consent": {
        "yes": "You said the family knows about your concern and agrees to early help.",
        "no": "You said the family does not agree to early help.",
        "not_asked": "You said the family has not been asked yet.",
        None: "You did not tell us whether the family agrees to early help.",
    },
}

_SIGNIFICANT_HARM_REASON = (
    "What you described suggests the child may be suffering, or likely to suffer, significant harm."
)
_IMMEDIATE_DANGER_REASON = "What you described suggests the child may be in immediate danger."
_NO_CONSENT_NEEDED_REASON = "A concern about significant harm never waits for consent."
_UNSURE_FLOOR_REASON = (
    "Because significant harm has not been ruled out, we have not suggested a level below "
    "Emerging needs."
)

# What a missing needs or support answer is read as: the reading that gives the higher level.
_MISSING_NEEDS = "severe"
_MISSING_SUPPORT = "early_help_no"


def _answer(answers: Mapping[str, str], key: str) -> str | None:
    raw = answers.get(key)
    if raw is None:
        return None
    if raw in QUESTIONS_BY_KEY[key].values:
        return raw
    return normalise_answer(key, str(raw))


def suggest_level(
    answers: Mapping[str, str],
    significant_harm: bool = False,
    immediate_danger: bool = False,
) -> Suggestion:
    """Suggest a level of need from the threshold answers and the harm flags.

    `answers` maps question keys to choice values (free text is normalised; anything
    unreadable counts as missing). `significant_harm`/`immediate_danger` come from the harm
    signals (classifier or phrase net); immediate danger implies significant harm.

    Rules, first match wins ("missing" = no readable answer):

    ==  =========================================  ==========  =====  ====  ===================
    #   when                                       level       stat.  TD    next steps
    ==  =========================================  ==========  =====  ====  ===================
    1   immediate_danger                           Specialist  S47    no    call_999, irt_now,
                                                                            cscr
    2   significant_harm, or harm = yes            Specialist  S47    no    irt_now, cscr
    3   harm = unsure/missing, and needs =         Specialist  None   yes   threshold_discussion,
        severe/missing                                                      cscr
    4   harm = no, needs = severe/missing          Specialist  S17    no    cscr (+ consent)
    5   needs = several                            Intensive   None   *     mat_referral (+ c.)
    6   needs = some, support = early_help_no/     Intensive   None   *     mat_referral (+ c.)
        missing
    7   needs = some, support = yes/partly/no/     Emerging    None   *     early_help_assessment
        none                                                                (+ consent)
    8   needs = none, support = yes/none           Universal   None   *     universal_services
    9   needs = none, support = partly/no/         Emerging    None   *     early_help_assessment
        early_help_no/missing                                               (+ consent)
    ==  =========================================  ==========  =====  ====  ===================

    cscr = childrens_social_care_referral (the Online Referral Form).
    * Rows 5-9 with harm = unsure or missing: threshold_discussion is True, the
      "threshold_discussion" step comes first, and the level is at least Emerging needs
      (significant harm has not been ruled out, so Universal is never suggested).
    (+ consent): "seek_consent" is added when consent is not "yes" (early help, and a child in
      need referral, are with the family's agreement). Rows 1-3 never add it: a concern about
      significant harm, or a possible one, never waits for consent.

    Why these readings:
    - Row 7 (the thresholds document's Emerging needs, Level 2): additional needs that call for
      extra, coordinated support from more than one agency: an Early Help Assessment and a lead
      professional. Needs that universal support alone is not meeting (support = "no") are
      exactly that, not Intensive by themselves. Intensive (row 6, Level 3) is for emerging
      needs that an Early Help Assessment and team around the family have not met
      (support = "early_help_no"), or more complex needs (row 5).
    - Row 9: "developing as expected" but support "not meeting" needs conflict; we take the
      higher reading and suggest an Early Help Assessment conversation.
    - Missing answers (never a lower level because an answer is missing): needs → "severe",
      support → "early_help_no", consent → not given. A missing harm answer reads as "unsure", not
      "yes": an unanswered question is not itself cause to suspect harm, and free text that
      does signal harm arrives as `significant_harm` from the phrase net and classifier.
    """
    significant_harm = significant_harm or immediate_danger
    harm, needs, support, consent = (_answer(answers, q.key) for q in THRESHOLD_QUESTIONS)
    if significant_harm or harm == "yes":
        return _child_protection(harm, needs, consent, significant_harm, immediate_danger)
    reasons = [_REASONS["harm"][harm], _REASONS["needs"][needs]]
    harm_open = harm in (None, "unsure")
    needs_read = needs if needs is not None else _MISSING_NEEDS

    if needs_read == "severe" and harm_open:  # row 3
        steps = {"threshold_discussion", "childrens_social_care_referral"}
        return Suggestion(Level.SPECIALIST, tuple(reasons), _ordered(steps), True, None)
    if needs_read == "severe":  # row 4 (harm = no)
        steps = {"childrens_social_care_referral"}
        if consent != "yes":
            steps.add("seek_consent")
            reasons.append(_REASONS["consent"][consent])
        return Suggestion(Level.SPECIALIST, tuple(reasons), _ordered(steps), False, "S17")
    return _early_help(needs_read, support, consent, harm_open, reasons)


def _child_protection(
    harm: str | None,
    needs: str | None,
    consent: str | None,
    significant_harm: bool,
    immediate_danger: bool,
) -> Suggestion:
    """Rows 1 and 2: the IRT now (999 first for immediate danger), whatever else was said."""
    reasons = []
    if immediate_danger:
        reasons.append(_IMMEDIATE_DANGER_REASON)
    if significant_harm:
        reasons.append(_SIGNIFICANT_HARM_REASON)
    if harm is not None or not significant_harm:
        reasons.append(_REASONS["harm"][harm])
    if needs is not None:
        reasons.append(_REASONS["needs"][needs])
    if consent != "yes":
        reasons.append(_NO_CONSENT_NEEDED_REASON)
    steps = {"irt_now", "childrens_social_care_referral"}
    if immediate_danger:
        steps.add("call_999")
    return Suggestion(Level.SPECIALIST, tuple(reasons), _ordered(steps), False, "S47")


def _early_help(
    needs: str, support: str | None, consent: str | None, harm_open: bool, reasons: list[str]
) -> Suggestion:
    """Rows 5 to 9, with the harm = unsure rule on top."""
    support_read = support if support is not None else _MISSING_SUPPORT
    if needs != "several":
        reasons.append(_REASONS["support"][support])

    if needs == "several" or (needs == "some" and support_read == "early_help_no"):
        level = Level.INTENSIVE  # rows 5 and 6
    elif needs == "some" or support_read in ("partly", "no", "early_help_no"):
        level = Level.EMERGING  # rows 7 and 9
    else:
        level = Level.UNIVERSAL  # row 8

    steps = set()
    if harm_open:
        steps.add("threshold_discussion")
        if level is Level.UNIVERSAL:
            level = Level.EMERGING
            reasons.append(_UNSURE_FLOOR_REASON)
    steps.add(_LEVEL_STEP[level])
    if level is not Level.UNIVERSAL:
        reasons.append(_REASONS["consent"][consent])
        if consent != "yes":
            steps.add("seek_consent")
    return Suggestion(level, tuple(reasons), _ordered(steps), harm_open, None)


_LEVEL_STEP = {
    Level.UNIVERSAL: "universal_services",
    Level.EMERGING: "early_help_assessment",
    Level.INTENSIVE: "mat_referral",
}


def _ordered(steps: set[str]) -> tuple[str, ...]:
    return tuple(key for key in _STEP_ORDER if key in steps)
