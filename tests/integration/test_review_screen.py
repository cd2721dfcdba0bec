"""The review screen: answers by group with flags in place, decisions, comments, least privilege."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from surveys.models import Location, Submission
from tests import factories
from tests.integration import round_data
from tests.integration.review_world import box, flagged_interview
from validation.flags.criteria_presets import ensure_default_criteria
from validation.flags.priority import copy_to_submissions
from validation.models import Flag, QuestionComment, ReviewEvent, ReviewPriority
from validation.selectors import review_queue

pytestmark = pytest.mark.django_db
S = Submission.ReviewStatus


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


def screen_url(sub: Submission) -> str:
    return f"/admin/review/{sub.kobo_id}/"


def exact_url(sub: Submission) -> str:
    """The address the app's own links and redirects use: the number and its form."""
    return f"/admin/review/{sub.kobo_id}/?form={sub.form_id}"


def test_the_screen_explains_the_flag_in_place(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    assert sub.review_status == S.FLAGGED
    flag = Flag.objects.get(submission=sub, path="employment/sector")
    assert (flag.check_code, flag.status) == ("skip_logic.not_relevant", "open")
    response = client_for(rd.sup_a).get(screen_url(sub))
    assert response.status_code == 200
    html = response.content.decode()
    # The answer sits in its form group, highlighted, with the reason in plain words.
    section = html[html.index('id="section-employment"') :]
    row = section[section.index('id="q-employment/sector"') :]
    row = row[: row.index("</div>\n", row.index("rv-why"))]
    assert "flag-major" in section[: section.index('id="q-employment/sector"') + 80]
    assert "Sector of employment" in row
    assert "should have been skipped" in row
    assert "but should have been skipped" in row  # the checker's own sentence
    assert "D. Employment and remittances" in section[:300]
    # Eligibility per criterion, GPS against the district, duration, scorecard.
    assert re.search(r'rv-res pass">pass</span></td><td>18 years of age or more', html)
    assert "Outside Bostandyk, about" in html
    assert html.count("<polygon") == 1
    assert 'r="7"' in html
    assert '<b id="duration">40.0 min</b>' in html
    assert "Enumerator scorecard" in html
    assert "Median duration (min)" in html


def test_language_is_the_supervisor_s_choice_and_is_remembered(rd: round_data.RoundData) -> None:
    first, second = flagged_interview(rd, 1), flagged_interview(rd, 2)
    client = client_for(rd.sup_a)
    assert "Sector of employment" in client.get(screen_url(first)).content.decode()
    html = client.get(screen_url(first) + "?lang=ru").content.decode()
    assert re.search(r'class="rv-q"[^>]*>Сфера занятости<', html)
    assert not re.search(r'class="rv-q"[^>]*>Sector of employment<', html)
    assert "E. Общее благополучие в Казахстане" in html
    # The next interview opens in Russian without asking again.
    html = client.get(screen_url(second)).content.decode()
    assert re.search(r'class="rv-q"[^>]*>Сфера занятости<', html)


def test_return_with_comment_and_questions_is_logged_and_shown(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    response = client.post(
        f"/admin/review/{sub.kobo_id}/decide/",
        {
            "action": "return",
            "comment": "She is looking for work: re-ask the sector.",
            "questions": ["employment/sector", "screening/employment_status"],
        },
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=sub.pk).review_status == S.RETURNED
    event = ReviewEvent.objects.filter(submission=sub).latest("pk")
    assert (event.actor, event.to_status) == (rd.sup_a, S.RETURNED)
    assert event.questions == ["employment/sector", "screening/employment_status"]
    html = client.get(response["Location"]).content.decode()
    assert "Returned to the enumerator with 2 questions to re-ask." in html
    assert "She is looking for work: re-ask the sector." in html
    assert "Re-ask: Sector of employment; Have you worked" in html


@pytest.mark.parametrize(
    ("_case", "post", "message"),
    [
        ("return without questions", {"action": "return", "comment": "x"}, "at least one question"),
        ("return without comment", {"action": "return", "questions": ["a"]}, "needs a comment"),
        ("exclude without reason", {"action": "exclude"}, "needs a reason"),
        ("unknown action", {"action": "delete"}, "Choose approve"),
    ],
)
def test_a_refused_decision_changes_nothing_and_says_why(
    rd: round_data.RoundData, _case: str, post: dict[str, Any], message: str
) -> None:
    sub = flagged_interview(rd)
    events = ReviewEvent.objects.count()
    client = client_for(rd.sup_a)
    response = client.post(f"/admin/review/{sub.kobo_id}/decide/", post, follow=True)
    assert message in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).review_status == S.FLAGGED
    assert ReviewEvent.objects.count() == events


def test_each_decision_button_moves_the_state_machine(rd: round_data.RoundData) -> None:
    client = client_for(rd.sup_a)
    for seed, post, status in (
        (1, {"action": "approve"}, S.APPROVED),
        (2, {"action": "hold", "comment": "Ask the team lead"}, S.ON_HOLD),
        (3, {"action": "exclude", "reason": "duplicate"}, S.EXCLUDED),
    ):
        sub = flagged_interview(rd, seed)
        client.post(f"/admin/review/{sub.kobo_id}/decide/", post)
        assert Submission.objects.get(pk=sub.pk).review_status == status
        assert ReviewEvent.objects.filter(submission=sub).latest("pk").to_status == status


def test_an_illegal_transition_is_refused_with_its_message(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    client.post(
        f"/admin/review/{sub.kobo_id}/decide/", {"action": "exclude", "reason": "fabricated"}
    )
    response = client.post(
        f"/admin/review/{sub.kobo_id}/decide/", {"action": "approve"}, follow=True
    )
    assert "cannot be moved to approved" in response.content.decode()
    assert Submission.objects.get(pk=sub.pk).review_status == S.EXCLUDED
    # The button is shown disabled for a move the state machine refuses.
    assert re.search(r'id="approve" disabled', response.content.decode())


def test_per_question_comments_are_appended_and_shown_in_place(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    for text in ("Sector looks copied", "Checked with the enumerator"):
        response = client.post(
            f"/admin/review/{sub.kobo_id}/comment/", {"path": "employment/sector", "text": text}
        )
        assert response.status_code == 302
    assert list(QuestionComment.objects.values_list("path", "text", "author")) == [
        ("employment/sector", "Sector looks copied", rd.sup_a.pk),
        ("employment/sector", "Checked with the enumerator", rd.sup_a.pk),
    ]
    client.post(
        f"/admin/review/{sub.kobo_id}/comment/", {"path": "employment/sector", "text": "  "}
    )
    assert QuestionComment.objects.count() == 2
    html = client.get(screen_url(sub)).content.decode()
    row = html[html.index('id="q-employment/sector"') :]
    assert row.index("Sector looks copied") < row.index("Checked with the enumerator")
    assert row.index("Checked with the enumerator") < row.index('id="q-', 10)


def test_kobo_drift_and_changed_since_review_are_shown(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    Submission.objects.filter(pk=sub.pk).update(
        review_status=S.APPROVED, kobo_status="validation_status_not_approved"
    )
    html = client_for(rd.sup_a).get(screen_url(sub)).content.decode()
    assert 'id="kobo-drift"' not in html  # not pushed yet: pending, not a drift
    Submission.objects.filter(pk=sub.pk).update(kobo_status_pushed="validation_status_approved")
    html = client_for(rd.sup_a).get(screen_url(sub)).content.decode()
    assert re.search(r"KoBo shows <b>Not approved</b> but the decision here is <b>Approved", html)
    Submission.objects.filter(pk=sub.pk).update(
        kobo_status="validation_status_approved", changed_since_review=True
    )
    html = client_for(rd.sup_a).get(screen_url(sub)).content.decode()
    assert 'id="kobo-drift"' not in html
    assert "The data changed in KoBo after the last decision" in html


# --- least privilege -------------------------------------------------------------------------


def _state(sub: Submission) -> tuple[Any, ...]:
    row = Submission.objects.get(pk=sub.pk)
    return (
        row.review_status,
        ReviewEvent.objects.filter(submission=sub).count(),
        QuestionComment.objects.filter(submission=sub).count(),
    )


@pytest.mark.parametrize(
    ("_case", "suffix", "post"),
    [
        ("open", "", None),
        ("approve", "decide/", {"action": "approve"}),
        ("hold", "decide/", {"action": "hold"}),
        ("return", "decide/", {"action": "return", "comment": "x", "questions": ["a"]}),
        ("exclude", "decide/", {"action": "exclude", "reason": "fabricated"}),
        ("comment", "comment/", {"path": "employment/sector", "text": "mine now"}),
    ],
)
def test_another_team_s_interview_is_404_and_nothing_changes(
    rd: round_data.RoundData, _case: str, suffix: str, post: dict[str, Any] | None
) -> None:
    theirs = flagged_interview(rd, team="b")
    before = _state(theirs)
    client = client_for(rd.sup_a)
    url = screen_url(theirs) + suffix
    response = client.get(url) if post is None else client.post(url, post)
    assert response.status_code == 404
    assert _state(theirs) == before
    # Their own supervisor and the data manager may.
    for user in (rd.sup_b, rd.manager):
        assert client_for(user).get(screen_url(theirs)).status_code == 200


def test_an_enumerator_cannot_open_the_admin_or_act(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    before = _state(sub)
    enumerator = factories.enumerator_user(username="enum_user")
    rd.enum_a.user = enumerator
    rd.enum_a.save()
    client = client_for(enumerator)
    for url in ("/admin/", screen_url(sub), "/admin/validation/interviewreview/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    response = client.post(f"{screen_url(sub)}decide/", {"action": "approve"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert _state(sub) == before


def test_staff_without_the_review_role_gets_404(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    before = _state(sub)
    staff = factories.UserFactory.create(username="intern", is_staff=True)
    client = client_for(staff)
    assert client.get(screen_url(sub)).status_code == 404
    assert client.post(f"{screen_url(sub)}decide/", {"action": "approve"}).status_code == 404
    assert _state(sub) == before


def test_the_queue_links_rows_to_the_review_screen(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    client = client_for(rd.sup_a)
    html = client.get("/admin/validation/interviewreview/").content.decode()
    assert f'href="/admin/review/{sub.kobo_id}/"' in html
    # The raw change form is never offered: it redirects to the screen.
    response = client.get(f"/admin/validation/interviewreview/{sub.pk}/change/")
    assert (response.status_code, response["Location"]) == (302, exact_url(sub))
    response = client.post(
        f"/admin/validation/interviewreview/{sub.pk}/change/", {"review_status": "approved"}
    )
    assert Submission.objects.get(pk=sub.pk).review_status == S.FLAGGED


def test_the_queue_page_lists_the_riskiest_first_then_the_oldest(
    rd: round_data.RoundData,
) -> None:
    day = dt.datetime(2024, 2, 10, 9, 0, tzinfo=dt.UTC)
    # (score, days after the first): created newest first, so neither pk nor
    # Submission's own newest-first order gives the queue's order by chance.
    rows = [(5, 3), (40, 2), (5, 1), (40, 0)]
    subs = []
    for seed, (score, days) in enumerate(rows, start=1):
        sub = round_data.add(
            rd,
            round_data.answers(seed, "KZ-ALA-BOS"),
            status="flagged",
            when=day + dt.timedelta(days=days),
        )
        copy_to_submissions([ReviewPriority.objects.create(submission=sub, score=score)])
        subs.append(sub)
    html = client_for(rd.sup_a).get("/admin/validation/interviewreview/").content.decode()
    shown = [int(n) for n in re.findall(r'href="/admin/review/(\d+)/"', html)]
    expected = [subs[3], subs[1], subs[2], subs[0]]
    assert shown == [s.kobo_id for s in expected]
    assert list(review_queue(rd.sup_a).values_list("pk", flat=True)) == [s.pk for s in expected]


def test_the_queue_pages_follow_the_queue_s_order(rd: round_data.RoundData) -> None:
    # More than a page: each page's rows are read by pk after the page's pks (QueuePaginator).
    day = dt.datetime(2024, 2, 10, 9, 0, tzinfo=dt.UTC)
    for i in range(57):
        sub = round_data.add(
            rd,
            round_data.answers(i % 7 + 1, "KZ-ALA-BOS"),
            status="flagged" if i % 3 else "on_hold",
            when=day - dt.timedelta(hours=i),
        )
        copy_to_submissions([ReviewPriority.objects.create(submission=sub, score=(i * 7) % 5)])
    client = client_for(rd.sup_a)
    shown = []
    for page in ("", "?p=2"):
        html = client.get(f"/admin/validation/interviewreview/{page}").content.decode()
        shown += [int(n) for n in re.findall(r'href="/admin/review/(\d+)/"', html)]
    assert len(shown) == 57
    assert shown == list(review_queue(rd.sup_a).values_list("kobo_id", flat=True))


def test_the_queue_s_page_is_a_walk_of_its_index_for_a_manager_and_a_supervisor(
    rd: round_data.RoundData,
) -> None:
    """The first page reads submission_queue_idx in order and stops: no sort of the queue.

    With sorts and sequential scans off the planner takes an index in the queue's order
    whenever one may serve: a filter or order that drifts from the index's predicate or
    columns (selectors._WAITING, QUEUE_ORDER) leaves it a Sort.
    """
    from django.db import connection

    for seed in range(1, 4):
        flagged_interview(rd, seed)
    for user in (rd.manager, rd.sup_a):
        page = review_queue(user).values_list("pk", flat=True)[:50]
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "submission_queue_idx" in plan, plan
        assert "Sort" not in plan, plan


def test_the_queue_says_how_many_wait_and_more_than_its_count_cap(
    rd: round_data.RoundData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validation.review_screen import queue_filters

    for seed in range(1, 6):
        flagged_interview(rd, seed)
    queue = "/admin/validation/interviewreview/"
    html = client_for(rd.sup_a).get(queue).content.decode()
    assert "5 interviews wait" in html
    assert "more than" not in html
    monkeypatch.setattr(queue_filters, "QUEUE_COUNT_CAP", 3)  # counted up to 4, not 5
    html = client_for(rd.sup_a).get(queue).content.decode()
    assert "more than 3 interviews wait" in html
    assert "Select all (more than 3)" in html
    assert "All of more than 3 selected" in html
    assert not re.search(r"\b[45] (interviews|results|review queue)\b", html)
    russian = Client(headers={"accept-language": "ru"})
    russian.force_login(rd.sup_a)
    assert "ждут проверки более 3 интервью" in russian.get(queue).content.decode()


# --- query bounds ----------------------------------------------------------------------------


def test_queue_and_screen_queries_do_not_grow_with_flags_or_interviews(
    rd: round_data.RoundData, django_assert_max_num_queries: Any
) -> None:
    client = client_for(rd.sup_a)
    sub = flagged_interview(rd, 1)
    client.get(screen_url(sub))  # warm the compiled form and the scorecard cache

    def counts() -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queue:
            assert client.get("/admin/validation/interviewreview/").status_code == 200
        with CaptureQueriesContext(connection) as screen:
            assert client.get(screen_url(sub)).status_code == 200
        return len(queue), len(screen)

    small = counts()
    for seed in range(2, 14):
        other = flagged_interview(rd, seed)
        Flag.objects.bulk_create(
            Flag(submission=other, check_code="outlier.value", path=f"x{i}", severity="minor")
            for i in range(5)
        )
    Flag.objects.bulk_create(
        Flag(submission=sub, check_code="outlier.value", path=f"y{i}", severity="minor")
        for i in range(40)
    )
    cache.clear()
    client.get(screen_url(sub))
    large = counts()
    assert large == small, (small, large)
    with django_assert_max_num_queries(30):
        client.get("/admin/validation/interviewreview/")
    with django_assert_max_num_queries(20):
        client.get(screen_url(sub))


# --- home page -------------------------------------------------------------------------------


def test_team_progress_on_the_supervisor_s_home_page(rd: round_data.RoundData) -> None:
    bos = Location.objects.get(code="KZ-ALA-BOS")
    med = Location.objects.get(code="KZ-ALA-MED")
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=10)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="male", target=5)
    factories.QuotaFactory.create(round=rd.round, location=med, sex="female", target=7)
    women = {"profile/sex": "female"}
    round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS", **women))  # approved, eligible
    round_data.add(rd, round_data.answers(2, "KZ-ALA-BOS", **women), status="flagged")
    round_data.add(rd, round_data.answers(3, "KZ-ALA-BOS", **women), verdict="ineligible")
    round_data.add(rd, round_data.answers(4, "KZ-ALA-BOS", **women), status="excluded")
    round_data.add(rd, round_data.answers(5, "KZ-ALA-MED", **women), team="b")
    html = client_for(rd.sup_a).get("/admin/").content.decode()
    row = re.search(r'<tr data-location="KZ-ALA-BOS" data-sex="female">(.*?)</tr>', html, re.S)
    assert row is not None
    numbers = [int(n) for n in re.findall(r'class="num[^"]*">(\d+)<', row.group(1))]
    # target, collected, eligible, approved, pending, remaining
    assert numbers == [10, 4, 3, 1, 1, 8]
    assert 'data-location="KZ-ALA-BOS" data-sex="male"' in html
    assert 'data-location="KZ-ALA-MED"' not in html  # another team's district
    manager_html = client_for(rd.manager).get("/admin/").content.decode()
    assert 'data-location="KZ-ALA-MED" data-sex="female"' in manager_html
    # In Russian, the sexes and the levels of the locations too.
    russian = client_for(rd.sup_a)
    russian.cookies["django_language"] = "ru"
    row = re.search(
        r'<tr data-location="KZ-ALA-BOS" data-sex="female">(.*?)</tr>',
        russian.get("/admin/").content.decode(),
        re.S,
    )
    assert row is not None
    cells = re.sub(r"<[^>]+>", " ", row.group(1))
    for word in ("(район)", "женщины", "все"):
        assert word in cells, cells
    assert "female" not in cells
    assert "(district)" not in cells


def test_next_in_queue_opens_the_next_riskiest_interview(rd: round_data.RoundData) -> None:
    first, second = flagged_interview(rd, 1), flagged_interview(rd, 2)
    client = client_for(rd.sup_a)
    response = client.get(f"/admin/review/{first.kobo_id}/next/")
    assert response["Location"] == exact_url(second)
    for sub in (first, second):
        client.post(f"/admin/review/{sub.kobo_id}/decide/", {"action": "approve"})
    response = client.get(f"/admin/review/{first.kobo_id}/next/")
    assert response["Location"] == "/admin/validation/interviewreview/"


def test_without_its_form_version_the_answers_are_still_shown(rd: round_data.RoundData) -> None:
    sub = flagged_interview(rd)
    Submission.objects.filter(pk=sub.pk).update(version=None, version_uid="vGone")
    html = client_for(rd.sup_a).get(screen_url(sub)).content.decode()
    assert "Form version vGone is not available." in html
    assert 'id="q-employment/sector"' in html  # by its KoBo key, flag in place
    row = html[html.index('id="q-employment/sector"') :]
    assert "should have been skipped" in row[: row.index('id="q-', 10)]
