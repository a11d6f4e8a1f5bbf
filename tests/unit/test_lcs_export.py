"""The CSV export for LCS: a cell a spreadsheet would run as a formula starts with a quote
(OWASP CSV injection), and everything else is the text as recorded."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from bot.domain.contact import CallerDetails, ChildDetails, ContactView, Decision
from bot.domain.lcs_export import COLUMNS, contacts_csv, safe_cell


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+447700900123", "'+447700900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd|' /C calc'!A0", "'\t=cmd|' /C calc'!A0"),
        ('\r=HYPERLINK("x")', '\'\r=HYPERLINK("x")'),
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("Amy Jones", "Amy Jones"),
        ("a=b", "a=b"),
        ("", ""),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_a_leading_quote(text: str, written: str) -> None:
    assert safe_cell(text) == written


def view(**values: object) -> ContactView:
    base: dict[str, object] = {
        "reference": "PCL-2026-000001",
        "created_at": datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        "updated_at": datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        "channel": "web",
        "status": "recorded_on_lcs",
        "significant_harm": True,
        "immediate_danger": False,
        "harm_categories": ["physical"],
        "suggested_level": "Specialist",
        "level_reasons": ["a disclosure of abuse"],
        "threshold_answers": {"harm": "yes"},
        "next_steps": [],
        "caller": CallerDetails(name="=cmd|' /C calc'!A0", phone="+447700900123"),
        "child": ChildDetails(
            name='"><img src=x onerror=alert(1)>', date_of_birth=date(2015, 4, 3)
        ),
        "concern": "@SUM(1+1)*cmd|' /C calc'!A0\nsecond line",
        "family_aware": "no",
        "consent_reason": "=Telling them could put the child at risk",
        "advice_given": "-Call the IRT",
        "lcs_reference": "LCS-123",
        "erased_at": None,
        "erased_by": None,
        "erasure_rationale": None,
        "history": [],
        "decisions": [
            Decision(
                datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "jo", "recorded_on_lcs", "=x", "LCS-123"
            )
        ],
    }
    base.update(values)
    return ContactView(**base)  # type: ignore[arg-type]


def test_the_export_escapes_every_formula_cell_and_keeps_the_rest_as_recorded() -> None:
    rows = list(csv.reader(io.StringIO(contacts_csv([view()], timezone="Europe/London"))))
    assert rows[0] == list(COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Reference"] == "PCL-2026-000001"
    assert row["Received"] == "2026-07-01 10:30"  # British Summer Time
    assert row["Referrer name"] == "'=cmd|' /C calc'!A0"
    assert row["Referrer telephone"] == "'+447700900123"
    assert row["Child name"] == '"><img src=x onerror=alert(1)>'
    assert row["Concern"] == "'@SUM(1+1)*cmd|' /C calc'!A0\nsecond line"
    assert row["Advice given"] == "'-Call the IRT"
    assert row["Latest decision rationale"] == "'=x"
    assert row["Latest decision at"] == "2026-07-01 11:00"
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_an_empty_selection_is_the_header_row_alone() -> None:
    assert list(csv.reader(io.StringIO(contacts_csv([], timezone="Europe/London")))) == [
        list(COLUMNS)
    ]
