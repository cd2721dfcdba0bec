"""One public number (KoBo ID), one decide() for screen, API and bulk, the screen in RU/EN,
risky approvals confirmed, correction task shown, and the queue's columns, title and filters."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from surveys.models import Location, Submission
from tests import factories
from tests.integration import round_data
from tests.integration.review_world import box, flagged_interview
from validation import review
from validation.engine.validate import validate_submission
from validation.flags.criteria_presets import ensure_default_criteria
from validation.flags.priority import copy_to_submissions
from validation.flags.wording import rule_in_words
from validation.models import CorrectionTask, Flag, ReviewEvent, ReviewPriority

pytestmark = pytest.mark.django_db
S = Submission.ReviewStatus
QUEUE = "/admin/validation/interviewreview/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    ensure_default_criteria(round=rd.round)
    for code in ("KZ-ALA-BOS", "KZ-ALA-MED"):
        Location.objects.filter(code=code).update(boundary=box(code))
    return rd


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def same_number_in_another_form(rd: round_data.RoundData, sub: Submission) -> Submission:
    """Another KoBo server's interview that got the same _id (KoBo numbers per server)."""
    other_form = factories.KoboFormFactory.create(round=rd.round)
    twin = round_data.add(rd, round_data.answers(9, "KZ-ALA-BOS"), status="flagged")
    Submission.objects.filter(pk=twin.pk).update(form=other_form, kobo_id=sub.kobo_id)
    twin.refresh_from_db()
    return twin


# --- item 1: one number -----------------------------------------------------------------------


def test_the_queue_the_address_and_the_screen_show_the_same_kobo_id(
    rd: round_data.RoundData,
) -> None:
    sub = flagged_interview(rd)
    # Make the row id and the KoBo ID differ, and let the row id name another interview.
    decoy = round_data.add(rd, round_data.answers(5, "KZ-ALA-BOS"), status="flagged")
    Submission.objects.filter(pk=decoy.pk).update(kobo_id=sub.pk + 100000)
    Submission.objects.filter(pk=sub.pk).update(kobo_id=sub.pk + 1)
    sub.refresh_from_db()
    assert sub.kobo_id != sub.pk
    client = client_for(rd.sup_a)
    queue = client.get(QUEUE).content.decode()
    assert f'<a href="/admin/review/{sub.kobo_id}/">{sub.kobo_id}</a>' in queue
    assert "Interview (KoBo ID)" in queue
    page = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert f"<title>Interview {sub.kobo_id} |" in page
    assert f'id="kobo-id">{sub.kobo_id}<' in page
    # The row id is not an address of the screen: typing it opens no interview of that id.
    assert client.get(f"/admin/review/{sub.pk}/").status_code == 404


def test_a_number_two_forms_share_asks_which_form_and_each_form_opens_its_own(
    rd: round_data.RoundData,
) -> None:
    sub = flagged_interview(rd)
    twin = same_number_in_another_form(rd, sub)
    client = client_for(rd.sup_a)
    choose = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert 'id="several"' in choose
    for row in (sub, twin):
        assert f'href="/admin/review/{sub.kobo_id}/?form={row.form_id}"' in choose
    page = client.get(f"/admin/review/{sub.kobo_id}/?form={twin.form_id}").content.decode()
    assert f'name="form" value="{twin.form_id}"' in page or f"?form={twin.form_id}" in page
    client.post(
        f"/admin/review/{sub.kobo_id}/decide/?form={twin.form_id}",
        {"action": "hold", "comment": "wait"},
    )
    assert Submission.objects.get(pk=twin.pk).review_status == S.ON_HOLD
    assert Submission.objects.get(pk=sub.pk).review_status == S.FLAGGED


def test_another_teams_number_is_not_found_even_when_it_is_unique(
    rd: round_data.RoundData,
) -> None:
    theirs = flagged_interview(rd, 3, team="b")
    assert client_for(rd.sup_a).get(f"/admin/review/{theirs.kobo_id}/").status_code == 404
    assert client_for(rd.sup_b).get(f"/admin/review/{theirs.kobo_id}/").status_code == 200


def test_the_api_decides_by_kobo_id_and_asks_for_the_form_only_when_ambiguous(
    rd: round_data.RoundData,
) -> None:
    sub = flagged_interview(rd)
    api = api_for(rd.sup_a)
    response = api.post(
        "/api/v1/review-decisions/",
        {"interview": sub.kobo_id, "decision": "hold", "comment": "  call her back  "},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["interview"], body["form"], body["comment"]) == (
        sub.kobo_id,
        sub.form_id,
        "call her back",  # stripped by decide(), as on the screen
    )
    listed = api.get("/api/v1/review-decisions/", {"interview": sub.kobo_id}).json()
    assert listed["results"]
    assert {r["interview"] for r in listed["results"]} == {sub.kobo_id}
    flags = api.get("/api/v1/flags/", {"interview": sub.kobo_id}).json()["results"]
    assert flags
    assert {f["interview"] for f in flags} == {sub.kobo_id}
    twin = same_number_in_another_form(rd, sub)
    ambiguous = api.post(
        "/api/v1/review-decisions/",
        {"interview": sub.kobo_id, "decision": "hold"},
        format="json",
    )
    assert ambiguous.status_code == 400
    assert "form" in ambiguous.json()["detail"]
    exact = api.post(
        "/api/v1/review-decisions/",
        {"interview": sub.kobo_id, "form": twin.form_id, "decision": "hold"},
        format="json",
    )
    assert exact.status_code == 201
    assert Submission.objects.get(pk=twin.pk).review_status == S.ON_HOLD


def test_the_api_de_duplicates_the_questions_as_the_screen_does(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    response = api_for(rd.sup_a).post(
        "/api/v1/review-decisions/",
        {
            "interview": sub.kobo_id,
            "decision": "return",
            "comment": " re-ask ",
            "questions": [" employment/sector", "employment/sector ", "employment/sector"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    event = ReviewEvent.objects.filter(submission=sub).latest("pk")
    assert (event.questions, event.comment) == (["employment/sector"], "re-ask")


# --- item 3: risky approvals -----------------------------------------------------------------


def ineligible(rd: round_data.RoundData) -> Submission:
    return round_data.add(
        rd, round_data.answers(4, "KZ-ALA-BOS"), status="flagged", verdict="ineligible"
    )


@pytest.mark.parametrize(
    ("_case", "post"),
    [
        ("no confirmation", {"action": "approve", "comment": "looks fine"}),
        ("confirmation without a comment", {"action": "approve", "confirm": "yes"}),
    ],
)
def test_approving_an_ineligible_interview_needs_a_confirmation_and_a_comment(
    rd: round_data.RoundData, _case: str, post: dict[str, str]
) -> None:
    sub = ineligible(rd)
    client = client_for(rd.sup_a)
    page = client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    assert 'id="approve-warning"' in page
    assert "not eligible" in page
    response = client.post(f"/admin/review/{sub.kobo_id}/decide/", post, follow=True)
    assert "To approve it anyway" in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).review_status == S.FLAGGED
    assert not ReviewEvent.objects.filter(submission=sub).exists()


def test_a_confirmed_risky_approval_keeps_the_risks_and_the_reason_in_history(
    rd: round_data.RoundData,
) -> None:
    sub = ineligible(rd)
    Flag.objects.create(submission=sub, check_code="gps.outside_district", severity="blocker")
    client = client_for(rd.sup_a)
    client.post(
        f"/admin/review/{sub.kobo_id}/decide/",
        {"action": "approve", "confirm": "yes", "comment": "Phoned: she does work abroad."},
    )
    assert Submission.objects.get(pk=sub.pk).review_status == S.APPROVED
    event = ReviewEvent.objects.get(submission=sub)
    assert event.comment == (
        "Approved despite: not eligible; 1 open blocker. Phoned: she does work abroad."
    )
    assert (
        "Approved despite: not eligible; 1 open blocker."
        in client.get(f"/admin/review/{sub.kobo_id}/").content.decode()
    )


def test_the_api_and_the_bulk_action_refuse_a_risky_approval_the_same_way(
    rd: round_data.RoundData,
) -> None:
    sub = ineligible(rd)
    api = api_for(rd.sup_a)
    refused = api.post(
        "/api/v1/review-decisions/",
        {"interview": sub.kobo_id, "decision": "approve"},
        format="json",
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "confirmation_needed")
    clean = round_data.add(rd, round_data.answers(6, "KZ-ALA-BOS"), status="clean")
    risky_clean = round_data.add(
        rd, round_data.answers(7, "KZ-ALA-BOS"), status="clean", verdict="ineligible"
    )
    report = review.bulk_decide(
        submissions=Submission.objects.filter(pk__in=[clean.pk, risky_clean.pk]),
        actor=rd.sup_a,
        to=S.APPROVED,
    )
    assert (report.decided, report.skipped) == (1, 1)
    assert Submission.objects.get(pk=risky_clean.pk).review_status == S.CLEAN
    done = api.post(
        "/api/v1/review-decisions/",
        {"interview": sub.kobo_id, "decision": "approve", "confirm": True, "comment": "ok"},
        format="json",
    )
    assert done.status_code == 201


# --- item 3: language, constraint wording, correction task -----------------------------------


def test_the_switch_translates_the_screen_not_only_the_form(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    english = client.get(f"/admin/review/{sub.kobo_id}/?lang=en").content.decode()
    assert "What the checks found" in english
    assert "Next in queue" in english
    russian = client.get(f"/admin/review/{sub.kobo_id}/?lang=ru").content.decode()
    assert '<html lang="ru"' in russian
    assert "What the checks found" not in russian
    assert "Next in queue" not in russian
    assert "Что нашли проверки" in russian
    assert "Следующее в очереди" in russian
    assert f"Интервью {sub.kobo_id}" in russian
    # The choice is remembered for the next interview, and for the messages after a decision.
    response = client.post(
        f"/admin/review/{sub.kobo_id}/decide/", {"action": "hold"}, follow=True
    ).content.decode()
    assert "Отложено." in response


def test_a_failed_constraint_reads_the_forms_message_in_the_chosen_language(
    rd: round_data.RoundData,
) -> None:
    data = round_data.answers(
        1, "KZ-ALA-BOS", **{"screening/age": "120", "profile/dependants": "25"}
    )
    sub = round_data.add(rd, data, status="received", verdict=None)
    validate_submission(submission=sub)
    codes = set(Flag.objects.filter(submission=sub).values_list("path", "check_code"))
    assert ("screening/age", "skip_logic.constraint_failed") in codes
    assert ("profile/dependants", "skip_logic.constraint_failed") in codes
    client = client_for(rd.sup_a)
    english = client.get(f"/admin/review/{sub.kobo_id}/?lang=en").content.decode()
    assert "Age must be between 14 and 90" in english
    assert "The answer must be between 0 and 20." in english  # no message: plain words
    russian = client.get(f"/admin/review/{sub.kobo_id}/?lang=ru").content.decode()
    assert "Возраст от 14 до 90" in russian
    assert "Ответ должен быть от 0 до 20." in russian
    for html in (english, russian):
        assert ". &gt;= 14" not in html
        assert ". >= 14" not in html
        assert "&lt;= 20" not in html


@pytest.mark.parametrize(
    ("_case", "constraint", "words"),
    [
        ("range", ". >= 1 and . <= 50", "The answer must be between 1 and 50."),
        ("one bound", ". > 0", "The answer must be more than 0."),
        ("two odd bounds", ". >= 0 and . < 18", "The answer must be at least 0 and less than 18."),
        ("not simple", "regex(., '^[0-9]+$')", ""),
    ],
)
def test_simple_rules_are_put_into_words(_case: str, constraint: str, words: str) -> None:
    assert rule_in_words(constraint) == words


def test_the_screen_shows_the_correction_tasks_state_and_its_steps(
    rd: round_data.RoundData,
) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    client.post(
        f"/admin/review/{sub.kobo_id}/decide/",
        {"action": "return", "comment": "re-ask", "questions": ["employment/sector"]},
    )
    task = CorrectionTask.objects.get(submission=sub)
    html = client.get(f"/admin/review/{sub.kobo_id}/?lang=en").content.decode()
    card = re.search(r'id="correction">(.*?)</div>\s*</div>', html, re.S)
    assert card is not None
    assert str(task.State(task.state).label) in card.group(1)
    assert "Opened." in card.group(1)  # the first step, with who and when
    assert "sup_a" in card.group(1)


# --- item 2: the queue -----------------------------------------------------------------------


def test_the_queue_is_titled_and_labelled_and_names_the_checks_that_fired(
    rd: round_data.RoundData,
) -> None:
    sub = flagged_interview(rd)
    Submission.objects.filter(pk=sub.pk).update(changed_since_review=True)
    html = client_for(rd.sup_a).get(QUEUE).content.decode()
    assert "<h1>Review queue</h1>" in html
    assert "to change" not in html
    for header in ("Open flags", "Checks that fired", "Status · eligibility · changed"):
        assert f">{header}<" in html, header
    row = re.search(rf"<tr>.*?>{sub.kobo_id}</a>.*?</tr>", html, re.S)
    assert row is not None
    assert "Checked – flagged" in row.group(0)
    assert "changed in KoBo" in row.group(0)
    assert 'class="rv-verdict ' in row.group(0)
    codes = set(Flag.objects.open().filter(submission=sub).values_list("check_code", flat=True))
    assert codes
    for code in codes:
        assert f">{code}</span>" in row.group(0)


def test_the_date_filter_counts_weeks_from_the_rounds_fieldwork(rd: round_data.RoundData) -> None:
    rd.round.fieldwork_start = dt.date(2024, 2, 5)
    rd.round.fieldwork_end = dt.date(2024, 3, 3)
    rd.round.save()
    first = round_data.add(
        rd,
        round_data.answers(1, "KZ-ALA-BOS"),
        status="flagged",
        when=dt.datetime(2024, 2, 6, 9, 0, tzinfo=dt.UTC),
    )
    third = round_data.add(
        rd,
        round_data.answers(2, "KZ-ALA-BOS"),
        status="flagged",
        when=dt.datetime(2024, 2, 20, 9, 0, tzinfo=dt.UTC),
    )
    client = client_for(rd.sup_a)
    html = client.get(QUEUE).content.decode()
    assert "Week 1: 5 Feb – 11 Feb" in html
    assert "Week 4: 26 Feb – 3 Mar" in html
    assert "Week 5" not in html
    assert "Past 7 days" not in html
    week3 = client.get(QUEUE, {"week": "2024-02-19"}).content.decode()
    assert f">{third.kobo_id}</a>" in week3
    assert f">{first.kobo_id}</a>" not in week3


def test_next_from_a_low_risk_row_goes_on_down_the_queue(rd: round_data.RoundData) -> None:
    day = dt.datetime(2024, 2, 10, 9, 0, tzinfo=dt.UTC)
    rows = []
    for seed, score in enumerate((50, 30, 10, 5), start=1):
        sub = round_data.add(rd, round_data.answers(seed, "KZ-ALA-BOS"), status="flagged", when=day)
        copy_to_submissions([ReviewPriority.objects.create(submission=sub, score=score)])
        rows.append(sub)
    client = client_for(rd.sup_a)
    low = client.get(f"/admin/review/{rows[2].kobo_id}/next/")
    assert low["Location"] == f"/admin/review/{rows[3].kobo_id}/?form={rows[3].form_id}"
    last = client.get(f"/admin/review/{rows[3].kobo_id}/next/", follow=True)
    assert last.redirect_chain[0][0] == f"/admin/review/{rows[0].kobo_id}/?form={rows[0].form_id}"
    assert "back to its top" in last.content.decode()


def test_the_queue_runs_a_fixed_number_of_queries_with_the_checks_column(
    rd: round_data.RoundData,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(rd.sup_a)
    flagged_interview(rd, 1)
    client.get(QUEUE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    small = count()
    for seed in range(2, 12):
        other = flagged_interview(rd, seed)
        Flag.objects.bulk_create(
            Flag(submission=other, check_code=f"outlier.v{i}", path=f"x{i}", severity="minor")
            for i in range(4)
        )
    assert count() == small
