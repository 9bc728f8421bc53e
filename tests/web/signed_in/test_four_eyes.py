"""Four eyes over HTTP: whoever submitted a file cannot approve or publish it, although their roles would
allow it; the page offers them no such button, and another approver's page does."""

from __future__ import annotations

from pivgm.structures import load_standard
from tests.web.signed_in.conftest import browser, form_token, honduras_file

MAPPING = '{"constants": {"UNIT_MEASURE": "PS"}}'


def upload_and_send(team) -> int:
    client = browser(team, "hn.sub")
    token = form_token(client.get("/submissions").text)
    response = client.post(
        "/api/submissions",
        data={"dataflow": "DF_IRREGULAR_TRANSIT", "provider": "HN_INM", "mapping": MAPPING, "csrf_token": token},
        files={"file": ("irreg_honduras.csv", honduras_file(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    submission = response.json()["id"]
    sent = client.post(f"/submissions/{submission}/transitions", data={"action": "submit", "csrf_token": token})
    assert sent.status_code == 303
    return submission


def test_the_submitter_cannot_approve_their_own_submission(team):
    """Fails if the ``own`` check is removed from ``check_transition`` (the step would be taken: 200)."""
    submission = upload_and_send(team)
    client = browser(team, "hn.sub")
    token = form_token(client.get(f"/submissions/{submission}").text)
    refused = client.post(
        f"/api/submissions/{submission}/transitions",
        json={"action": "approve-national"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four-eyes"
    form = client.post(
        f"/submissions/{submission}/transitions", data={"action": "approve-national", "csrf_token": token}
    )
    assert form.status_code == 403 and "otra persona debe aprobarlo" in form.text


def test_the_approve_button_is_absent_for_the_submitter_and_present_for_another_approver(team):
    """Fails if ``allowed_actions`` stops leaving out approval for one's own submission."""
    submission = upload_and_send(team)
    own_page = browser(team, "hn.sub").get(f"/submissions/{submission}").text
    assert 'value="approve-national"' not in own_page and 'value="reject"' in own_page
    other = browser(team, "hn.app")
    page = other.get(f"/submissions/{submission}").text
    assert 'value="approve-national"' in page
    approved = other.post(
        f"/submissions/{submission}/transitions", data={"action": "approve-national", "csrf_token": form_token(page)}
    )
    assert approved.status_code == 303


def test_four_eyes_are_on_for_every_provider_unless_its_entry_says_otherwise():
    assert all(provider.four_eyes for provider in load_standard().providers.values())


def test_the_reviewer_sees_what_changes_against_the_published_data(team):
    """Fails if the review page stops computing the changes (no table of changes, no chart)."""
    submission = upload_and_send(team)
    page = browser(team, "hn.app").get(f"/submissions/{submission}").text
    assert "136 nuevas" in page and "0 revisadas" in page and "0 eliminadas" in page
    assert 'id="changes-table"' in page and 'id="spec-review-totals"' in page
    assert "2014-01" in page and "988" in page  # the first observation, as published data would read it
