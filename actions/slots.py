"""The assistant's slots (domain.yml), by name: the actions read and set them through these, so
that a misspelt slot is an AttributeError at import rather than a silent None in a
conversation. tests/unit/actions/test_slots.py checks the list against domain.yml."""

from __future__ import annotations

from enum import StrEnum


class Slot(StrEnum):
    ROLE_TYPE = "role_type"
    CALLER_NAME = "caller_name"
    CALLER_ROLE = "caller_role"
    CALLER_AGENCY = "caller_agency"
    CALLER_ADDRESS = "caller_address"
    CALLER_PHONE = "caller_phone"
    CONSULTATION_TYPE = "consultation_type"
    CHILD_NAME = "child_name"
    CHILD_DOB = "child_dob"
    CHILD_ADDRESS = "child_address"
    CHILD_SETTING = "child_setting"
    CHILD_CARERS = "child_carers"
    CONCERN = "concern"
    FAMILY_AWARE = "family_aware"
    CONSENT_REASON = "consent_reason"
    CHILD_IN_CITY = "child_in_city"
    CHILD_OPEN_TO_CSC = "child_open_to_csc"
    OTHER_CHILDREN = "other_children"
    DASH_GRADE = "dash_grade"
    Q_HARM = "q_harm"
    Q_NEEDS = "q_needs"
    Q_SUPPORT = "q_support"
    Q_CONSENT = "q_consent"
    HARM_CONFIRMATION = "harm_confirmation"
    HARM_PENDING = "harm_pending"
    CHANNEL = "channel"
    LINE_OPEN = "line_open"
    SIGNIFICANT_HARM = "significant_harm"
    IMMEDIATE_DANGER = "immediate_danger"
    HARM_CATEGORIES = "harm_categories"
    CONTACT_REFERENCE = "contact_reference"
    SUGGESTED_LEVEL = "suggested_level"
    MISUNDERSTOOD = "misunderstood"
    CONSULTATION_DONE = "consultation_done"
    TOPIC = "topic"
    FORGET_CONVERSATION = "forget_conversation"
