"""The managers' queue, contact pages, decisions, erasure, export and the JSON API, over HTTP
against a SQLite file: what each shows, the rules of each form, CSRF, text that stays text,
and exactly one audit event for each read, export or change."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.contact import CallerDetails, ChildDetails
from tests.support.irt import PASSWORD, IrtApp, irt_app
from tests.support.pages import check_page

SCRIPT = "<script>alert('pwned')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
REFERENCE = re.compile(r"PCL-\d{4}-\d{6}")


@pytest.fixture
def irt(tmp_path: Path) -> Iterator[IrtApp]:
    with irt_app(tmp_path) as app:
        app.add_user("manager")
        yield app


def queue_references(html: str) -> list[str]:
    return re.findall(r'data-reference="(PCL-\d{4}-\d{6})"', html)


def events_since(irt: IrtApp, before: int) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.action, e.reference) for e in irt.audit(before)]


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_puts_significant_harm_first_then_the_oldest(irt: IrtApp) -> None:
    now = datetime.now(UTC)
    old = irt.add_contact(created_at=now - timedelta(days=3))
    flagged_new = irt.add_contact(created_at=now - timedelta(hours=1), significant_harm=True)
    flagged_old = irt.add_contact(created_at=now - timedelta(days=1), significant_harm=True)
    newest = irt.add_contact(created_at=now)
    client, _ = irt.page_client("manager")
    response = client.get("/irt")
    assert check_page(response.text, response.headers) == "Contacts queue"
    assert queue_references(response.text) == [flagged_old, flagged_new, old, newest]
    assert response.text.count('data-significant-harm="true"') == 2


def test_the_queue_filters_by_status_channel_harm_and_local_date(irt: IrtApp) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    july = irt.add_contact(created_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC), channel="sms")
    june = irt.add_contact(created_at=datetime(2026, 6, 30, 22, 30, tzinfo=UTC))
    flagged = irt.add_contact(
        created_at=datetime(2026, 7, 2, 9, 0, tzinfo=UTC), significant_harm=True
    )
    client, csrf = irt.page_client("manager")
    client.post(
        f"/irt/contacts/{june}/decision",
        data={"status": "no_further_action", "rationale": "Universal", "csrf_token": csrf},
    )

    def shown(query: str) -> list[str]:
        response = client.get("/irt?" + query)
        check_page(response.text, response.headers)
        return queue_references(response.text)

    assert shown("") == [flagged, july]  # open ones by default
    assert shown("status=all") == [flagged, june, july]
    assert shown("status=no_further_action") == [june]
    assert shown("status=all&channel=sms") == [july]
    assert shown("status=all&significant_harm=yes") == [flagged]
    assert shown("status=all&date_from=2026-07-01&date_to=2026-07-01") == [july]
    assert shown("status=all&date_to=2026-06-30") == [june]
    bad = client.get("/irt?status=nonsense&date_from=31/02/2026")
    assert "Choose a status from the list" in bad.text and "must be a real date" in bad.text
    check_page(bad.text, bad.headers)
    # The page's own form: GOV.UK date inputs, a day, a month and a year each.
    assert shown("status=all&date_from-day=1&date_from-month=7&date_from-year=2026") == [
        flagged,
        july,
    ]
    form = client.get("/irt?date_to-day=1&date_to-month=7&date_to-year=2026").text
    for part, value in (("day", "1"), ("month", "7"), ("year", "2026")):
        assert f'name="date_to-{part}" type="text" value="{value}"' in form, part


@pytest.mark.parametrize(
    ("query", "message", "first_wrong"),
    [
        (
            "date_from-day=31&date_from-month=2&date_from-year=2026",
            "Received from must be a real date",
            "date_from-day",
        ),
        (
            "date_from-day=3&date_from-year=2026",
            "Received from must include a month",
            "date_from-month",
        ),
        ("date_to-month=11", "Received to must include a day and a year", "date_to-day"),
        (
            "date_to-day=3&date_to-month=11&date_to-year=26",
            "Year must include 4 numbers",
            "date_to-year",
        ),
        (
            "date_to-day=x&date_to-month=11&date_to-year=2026",
            "Received to must be a real date, in numbers",
            "date_to-day",
        ),
        (
            "date_from-day=2&date_from-month=7&date_from-year=2026"
            "&date_to-day=1&date_to-month=7&date_to-year=2026",
            "Received to must be the same as or after received from",
            "date_to-day",
        ),
    ],
)
def test_a_date_the_queue_cannot_use_is_named_and_linked_from_the_error_summary(
    irt: IrtApp, query: str, message: str, first_wrong: str
) -> None:
    client, _ = irt.page_client("manager")
    response = client.get("/irt?" + query)
    assert response.status_code == 200
    check_page(response.text, response.headers)
    summary = re.search(r'class="govuk-error-summary.*?</div>\s*</div>', response.text, re.S)
    assert summary and message in summary.group(0)
    assert f'href="#{first_wrong}"' in summary.group(0)
    assert f'id="{first_wrong}"' in response.text
    assert re.search(
        rf'govuk-input--error"[^>]*id="{first_wrong}"|id="{first_wrong}"[^>]*'
        r'class="[^"]*govuk-input--error',
        response.text,
    )


def test_the_queue_counts_contacts_by_status(irt: IrtApp) -> None:
    for _ in range(3):
        irt.add_contact()
    client, _ = irt.page_client("manager")
    table = re.search(r'id="status-counts".*?</table>', client.get("/irt").text, re.S)
    assert table
    cells = r'status=(\w+)">[^<]+</a>\s*</td>\s*<td[^>]*>\s*(\d+)'
    counts = dict(re.findall(cells, table.group(0)))
    assert counts == {
        "new": "3",
        "in_review": "0",
        "passed_to_irt": "0",
        "recorded_on_lcs": "0",
        "no_further_action": "0",
        "erased": "0",
    }


def test_a_queue_view_is_one_audit_event_and_the_version_check_none(irt: IrtApp) -> None:
    irt.add_contact()
    client, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    client.get("/irt")
    client.get("/irt/api/queue-version")
    assert events_since(irt, before) == [("manager", "view_queue", None)]


def test_the_queue_version_changes_when_a_contact_arrives_or_is_decided(irt: IrtApp) -> None:
    client, csrf = irt.api_client("manager")

    def version() -> str:
        return client.get("/irt/api/queue-version").json()["version"]

    empty = version()
    assert version() == empty
    reference = irt.add_contact(significant_harm=True)
    arrived = version()
    assert arrived != empty
    client.post(
        f"/irt/api/contacts/{reference}/decision",
        json={"status": "in_review", "rationale": "Looking"},
        headers={"X-CSRF-Token": csrf},
    )
    assert version() != arrived
    assert client.get("/irt/api/queue-version").json()["counts"]["in_review"] == 1


# --- a contact -------------------------------------------------------------------------------


def test_the_contact_page_shows_everything_recorded(irt: IrtApp) -> None:
    reference = irt.add_contact(
        caller=CallerDetails(
            name="Jane Smith",
            role="DSL",
            agency="Oak School",
            address="1 School Lane",
            phone="01332 123456",
            email="jane@oak.example",
        ),
        child=ChildDetails(
            name="Amy Jones",
            date_of_birth=date(2015, 4, 3),
            address="12 Oak Road",
            setting="Oak School",
            carers="Mum",
        ),
        concern="Comes in hungry\nand tired",
        family_aware="yes",
        threshold_answers={"harm": "no", "needs": "some"},
        suggested_level="Emerging needs",
        level_reasons=["needs that one agency can meet"],
        next_steps=["an Early Help Assessment"],
        advice_given="Start an Early Help Assessment.",
    )
    client, _ = irt.page_client("manager")
    response = client.get(f"/irt/contacts/{reference}")
    assert check_page(response.text, response.headers) == f"Contact {reference}"
    for text in [
        "Jane Smith",
        "DSL",
        "Oak School",
        "1 School Lane",
        "01332 123456",
        "jane@oak.example",
        "Amy Jones",
        "3 April 2015",
        "12 Oak Road",
        "Mum",
        "Comes in hungry<br>and tired",
        "Emerging needs",
        "needs that one agency can meet",
        "an Early Help Assessment",
        "Start an Early Help Assessment.",
        "The child&#39;s needs",
        "some",
    ]:
        assert text in response.text, text


def test_the_reason_for_sharing_without_consent_is_on_the_page_in_the_api_and_the_export(
    irt: IrtApp,
) -> None:
    reason = "Dad is the alleged abuser\nand would stop her coming to school"
    shared = irt.add_contact(family_aware="no", consent_reason=reason)
    agreed = irt.add_contact(family_aware="yes")
    client, _ = irt.page_client("manager")
    page = client.get(f"/irt/contacts/{shared}").text
    assert "Reason shared without consent" in page
    assert "Dad is the alleged abuser<br>and would stop her coming to school" in page
    assert "Not asked" in client.get(f"/irt/contacts/{agreed}").text
    api, _ = irt.api_client("manager")
    assert api.get(f"/irt/api/contacts/{shared}").json()["consent_reason"] == reason
    assert api.get(f"/irt/api/contacts/{agreed}").json()["consent_reason"] is None
    rows = {r["Reference"]: r for r in read_csv(api.get("/irt/api/contacts.csv").text)}
    assert rows[shared]["Reason shared without consent"] == reason
    assert rows[agreed]["Reason shared without consent"] == ""


def test_viewing_a_contact_is_one_audit_event_on_the_page_and_in_the_api(irt: IrtApp) -> None:
    reference = irt.add_contact()
    page, _ = irt.page_client("manager")
    api, _ = irt.api_client("manager")
    before = irt.last_audit_id()
    page.get(f"/irt/contacts/{reference}")
    assert events_since(irt, before) == [("manager", "view_contact", reference)]
    before = irt.last_audit_id()
    assert api.get(f"/irt/api/contacts/{reference}").status_code == 200
    assert events_since(irt, before) == [("manager", "view_contact", reference)]


def test_an_unknown_reference_is_404_and_no_event(irt: IrtApp) -> None:
    page, _ = irt.page_client("manager")
    api, _ = irt.api_client("manager")
    before = irt.last_audit_id()
    missing = page.get("/irt/contacts/PCL-2026-999999")
    assert missing.status_code == 404
    check_page(missing.text, missing.headers)
    assert page.get("/irt/contacts/not-a-reference").status_code == 404
    assert api.get("/irt/api/contacts/PCL-2026-999999").status_code == 404
    assert api.get("/irt/api/contacts/nonsense").status_code == 422
    assert events_since(irt, before) == []


# --- decisions -----------------------------------------------------------------------------


def test_a_decision_through_the_form_is_recorded_with_one_audit_event(irt: IrtApp) -> None:
    reference = irt.add_contact()
    client, csrf = irt.page_client("manager")
    before = irt.last_audit_id()
    response = client.post(
        f"/irt/contacts/{reference}/decision",
        data={
            "status": "recorded_on_lcs",
            "rationale": "Meets the threshold for S17",
            "lcs_reference": "LCS-4411",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert events_since(irt, before) == [("manager", "record_decision", reference)]
    page = client.get(response.headers["location"])
    check_page(page.text, page.headers)
    assert "Your decision has been recorded." in page.text
    assert "LCS-4411" in page.text and "Meets the threshold for S17" in page.text
    with irt.sessions() as session:
        view = irt.repository(session).get(reference)
    assert view.status == "recorded_on_lcs" and view.lcs_reference == "LCS-4411"
    assert [(d.by, d.status, d.rationale) for d in view.decisions] == [
        ("manager", "recorded_on_lcs", "Meets the threshold for S17")
    ]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"status": "in_review", "rationale": "  "}, "Enter the rationale for the decision"),
        ({"status": "recorded_on_lcs", "rationale": "Done"}, "Enter the LCS reference"),
        ({"status": "erased", "rationale": "Done"}, "Choose the contact&#39;s new status"),
        ({"rationale": "Done"}, "Choose the contact&#39;s new status"),
    ],
)
def test_a_decision_without_its_rationale_or_lcs_reference_is_refused(
    irt: IrtApp, form: dict[str, str], message: str
) -> None:
    reference = irt.add_contact()
    client, csrf = irt.page_client("manager")
    before = irt.last_audit_id()
    response = client.post(f"/irt/contacts/{reference}/decision", data={**form, "csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text, response.headers)
    assert "There is a problem" in response.text and message in response.text
    with irt.sessions() as session:
        assert irt.repository(session).get(reference).decisions == []
    # The form shown again shows the contact: one view, no decision.
    assert events_since(irt, before) == [("manager", "view_contact", reference)]


def test_a_forged_decision_form_is_403_and_changes_nothing(irt: IrtApp) -> None:
    reference = irt.add_contact()
    client, _ = irt.page_client("manager")
    _, other_csrf = irt.page_client("manager")  # another session's token is no good either
    before = irt.last_audit_id()
    for token in ({}, {"csrf_token": ""}, {"csrf_token": "guessed"}):
        response = client.post(
            f"/irt/contacts/{reference}/decision",
            data={"status": "no_further_action", "rationale": "x", **token},
        )
        assert response.status_code == 403
        check_page(response.text, response.headers)
    response = client.post(
        f"/irt/contacts/{reference}/decision",
        data={"status": "no_further_action", "rationale": "x", "csrf_token": other_csrf},
    )
    assert response.status_code == 403
    with irt.sessions() as session:
        assert irt.repository(session).get(reference).status == "new"
    assert events_since(irt, before) == []


def test_a_decision_through_the_api_needs_the_csrf_header_and_its_rules(irt: IrtApp) -> None:
    reference = irt.add_contact()
    client, csrf = irt.api_client("manager")
    body = {"status": "passed_to_irt", "rationale": "Strategy discussion"}
    path = f"/irt/api/contacts/{reference}/decision"
    assert client.post(path, json=body).status_code == 403
    assert client.post(path, json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(
            path, json={"status": "recorded_on_lcs", "rationale": "x"}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.post(
            path, json={"status": "in_review", "rationale": " "}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.post(path, json={"status": "erased", "rationale": "x"}, headers=headers).status_code
        == 422
    )
    before = irt.last_audit_id()
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "reference": reference,
        "status": "passed_to_irt",
        "lcs_reference": None,
        "by": "manager",
    }
    assert events_since(irt, before) == [("manager", "record_decision", reference)]


# --- erasure -------------------------------------------------------------------------------


def test_erasing_needs_a_reason_and_leaves_a_tombstone_with_one_audit_event(irt: IrtApp) -> None:
    reference = irt.add_contact(concern="Something private")
    client, csrf = irt.page_client("manager")
    refused = client.post(f"/irt/contacts/{reference}/erase", data={"csrf_token": csrf})
    assert "Enter why this contact is being erased" in refused.text
    check_page(refused.text, refused.headers)
    without_password = client.post(
        f"/irt/contacts/{reference}/erase",
        data={"rationale": "Recorded in error: wrong child", "csrf_token": csrf},
    )
    assert "Your password or the code is not right" in without_password.text
    check_page(without_password.text, without_password.headers)
    before = irt.last_audit_id()
    response = client.post(
        f"/irt/contacts/{reference}/erase",
        data={
            "rationale": "Recorded in error: wrong child",
            "password": PASSWORD,
            "code": irt.otp("manager"),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert events_since(irt, before) == [("manager", "erase_contact", reference)]
    page = client.get(response.headers["location"])
    check_page(page.text, page.headers)
    assert "Something private" not in page.text and "Jane Smith" not in page.text
    assert "Recorded in error: wrong child" in page.text and "Record a decision" not in page.text


def test_erasing_through_the_api(irt: IrtApp) -> None:
    reference = irt.add_contact()
    client, csrf = irt.api_client("manager")
    path = f"/irt/api/contacts/{reference}/erasure"
    assert client.post(path, json={"rationale": "x"}).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    no_password = client.post(path, json={"rationale": "Duplicate"}, headers=headers)
    assert no_password.status_code == 403  # an erasure needs the password and a code again
    again_proved = {"password": PASSWORD, "otp": irt.otp("manager")}
    response = client.post(path, json={"rationale": "Duplicate", **again_proved}, headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "erased"
    again_proved = {"password": PASSWORD, "otp": irt.otp("manager")}
    again = client.post(path, json={"rationale": "Again", **again_proved}, headers=headers)
    assert again.status_code == 409


# --- export --------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_export_holds_the_queues_selection_with_one_audit_event(irt: IrtApp) -> None:
    web = irt.add_contact(significant_harm=True)
    sms = irt.add_contact(channel="sms")
    client, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    response = client.get("/irt/contacts.csv?channel=sms")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="pcl-contacts-')
    assert response.headers["cache-control"] == "no-store"
    assert [row["Reference"] for row in read_csv(response.text)] == [sms]
    events = irt.audit(before)
    assert [(e.action, e.detail["count"], e.detail["references"]) for e in events] == [
        ("export_contacts", 1, sms)
    ]
    api, _ = irt.api_client("manager")
    before = irt.last_audit_id()
    everything = api.get("/irt/api/contacts.csv")
    assert [row["Reference"] for row in read_csv(everything.text)] == [web, sms]
    assert [e.action for e in irt.audit(before)] == ["export_contacts"]


# --- text stays text -----------------------------------------------------------------------


def test_markup_in_a_contact_is_inert_on_every_page_and_formula_safe_in_the_csv(
    irt: IrtApp,
) -> None:
    reference = irt.add_contact(
        caller=CallerDetails(name=SCRIPT, role=IMAGE, agency='=HYPERLINK("http://x")'),
        child=ChildDetails(name=IMAGE, address=SCRIPT, carers="@SUM(1,2)"),
        concern=f"{SCRIPT}\n{IMAGE}",
        threshold_answers={"harm": SCRIPT, IMAGE: "x"},
        level_reasons=[IMAGE],
        advice_given=SCRIPT,
        significant_harm=True,
    )
    client, csrf = irt.page_client("manager")
    client.post(
        f"/irt/contacts/{reference}/decision",
        data={"status": "in_review", "rationale": SCRIPT + IMAGE, "csrf_token": csrf},
    )
    for path in ["/irt", f"/irt/contacts/{reference}", "/irt/audit"]:
        response = client.get(path)
        check_page(response.text, response.headers)
        assert "<script>alert" not in response.text, path
        assert "<img src=x" not in response.text, path
    page = client.get(f"/irt/contacts/{reference}").text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    row = read_csv(client.get("/irt/contacts.csv?status=all").text)[0]
    assert row["Referrer name"] == SCRIPT and row["Child name"] == IMAGE
    assert row["Referrer agency"] == '\'=HYPERLINK("http://x")'
    assert row["Parents or carers"] == "'@SUM(1,2)"
    api, _ = irt.api_client("manager")
    assert api.get(f"/irt/api/contacts/{reference}").json()["referrer"]["name"] == SCRIPT


# --- the JSON API's shape ------------------------------------------------------------------


def test_a_contact_in_json_has_the_fields_of_the_contract(irt: IrtApp) -> None:
    reference = irt.add_contact(significant_harm=True, suggested_level="Specialist")
    client, _ = irt.api_client("manager")
    listed = client.get("/irt/api/contacts", params={"significant_harm": "true"}).json()
    one = client.get(f"/irt/api/contacts/{reference}").json()
    for contact in (listed[0], one):
        for key in (
            "reference",
            "created_at",
            "channel",
            "status",
            "significant_harm",
            "suggested_level",
            "referrer",
            "child",
        ):
            assert key in contact, key
        assert contact["referrer"]["name"] == "Jane Smith"
        assert contact["child"]["name"] == "Amy Jones"
    assert one["history"][0]["to_status"] == "new"
    assert client.get("/irt/api/contacts", params={"significant_harm": "false"}).json() == []
    assert client.get("/irt/api/contacts", params={"status": "in_review"}).json() == []
    assert client.get("/irt/api/contacts", params={"status": "bogus"}).status_code == 422


def test_a_selection_ending_before_it_starts_is_refused_only_to_a_signed_in_manager(
    irt: IrtApp,
) -> None:
    backwards = {"created_from": "2026-11-26", "created_to": "2026-11-01"}
    client, _ = irt.api_client("manager")
    for path in ("/irt/api/contacts", "/irt/api/contacts.csv"):
        response = client.get(path, params=backwards)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "created_to"]
        client.cookies.clear()
        assert client.get(path, params=backwards).status_code == 401
        client, _ = irt.api_client("manager")


def test_listing_contacts_in_json_is_one_audit_event_naming_them(irt: IrtApp) -> None:
    first, second = irt.add_contact(), irt.add_contact()
    client, _ = irt.api_client("manager")
    before = irt.last_audit_id()
    client.get("/irt/api/contacts")
    events = irt.audit(before)
    assert [(e.action, e.detail["references"]) for e in events] == [
        ("list_contacts", f"{first} {second}")
    ]


def test_the_openapi_schema_describes_the_staff_api(irt: IrtApp) -> None:
    schema = irt.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/irt/api/login", "post"),
        ("/irt/api/contacts", "get"),
        ("/irt/api/contacts/{reference}", "get"),
        ("/irt/api/contacts/{reference}/decision", "post"),
        ("/irt/api/contacts.csv", "get"),
        ("/irt/api/audit", "get"),
        ("/irt/api/stats", "get"),
    ]:
        assert method in paths[path], path
        assert "401" in paths[path][method]["responses"] or path == "/irt/api/login"
    contact = schema["components"]["schemas"]["ContactOut"]
    assert {
        "reference",
        "created_at",
        "channel",
        "status",
        "significant_harm",
        "suggested_level",
        "referrer",
        "child",
    } <= set(contact["required"])
    decision = paths["/irt/api/contacts/{reference}/decision"]["post"]
    assert any(p["name"] == "X-CSRF-Token" for p in decision["parameters"])
    assert "pcl_staff" in str(schema["components"]["securitySchemes"])
    assert not any(p.startswith("/irt/") and not p.startswith("/irt/api/") for p in paths)


# --- triage: the glimpse and the wait (issue 18) ------------------------------------------------


def test_the_queue_shows_the_childs_first_name_age_band_concern_harm_and_wait(
    irt: IrtApp,
) -> None:
    now = datetime.now(UTC)
    old = irt.add_contact(
        created_at=now - timedelta(days=10),
        child=ChildDetails(name="Ruby May Jones", date_of_birth=now.date() - timedelta(days=800)),
        concern="Ruby told her key worker that her mum's boyfriend shouts and throws things "
        "at night and she hides under the bed",
        harm_categories=["domestic_abuse_high_risk", "disclosure"],
        significant_harm=True,
    )
    fresh = irt.add_contact(created_at=now, child=ChildDetails(name="Leo", age_years=13))
    client, _ = irt.page_client("manager")
    before = irt.last_audit_id()
    response = client.get("/irt")
    check_page(response.text, response.headers)
    rows = {
        ref: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for ref, row in re.findall(r'data-reference="(PCL-[\d-]+)"(.*?)</tr>', response.text, re.S)
    }
    assert "Ruby 1 to 4" in rows[old]
    assert "Ruby told her key worker that her mum&#39;s boyfriend shouts and throws…" in rows[old]
    assert "High-risk domestic abuse, Disclosure" in rows[old]
    assert "Waiting longer than a day Decision was due by" in rows[old]
    assert "Leo 10 to 15" in rows[fresh] and "Decision due by" in rows[fresh]
    assert "Waiting longer than a day" not in rows[fresh]
    # The view is one queue view, as before: no personal detail in the audit trail.
    [event] = irt.audit(before)
    assert event.action == "view_queue" and event.reference is None
    assert "Ruby" not in str(event.detail)

    overdue = client.get("/irt?overdue=yes")
    check_page(overdue.text, overdue.headers)
    assert queue_references(overdue.text) == [old]
    assert 'name="overdue" type="checkbox" value="yes" checked' in overdue.text
    assert "overdue=yes" in re.search(r'id="csv-export" href="([^"]+)"', overdue.text).group(1)
    assert irt.audit(before)[-1].detail["overdue"] is True

    api, _ = irt.api_client("manager")
    listed = api.get("/irt/api/contacts", params={"overdue": "true"}).json()
    assert [c["reference"] for c in listed] == [old]
    assert {c["reference"] for c in api.get("/irt/api/contacts").json()} == {old, fresh}
