"""A supervisor reviews in a real browser: queue, riskiest interview, flag explained, returned."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from surveys.models import Location, Submission
from surveys.roles import ROLE_PERMISSIONS
from tests import factories
from tests.integration import browser, round_data
from tests.integration.review_world import box, flagged_interview
from validation.engine.validate import validate_submission
from validation.flags.criteria_presets import ensure_default_criteria
from validation.models import QuestionComment, ReviewEvent, ReviewPriority


def ensure_role_groups() -> None:
    """A transactional test run earlier flushed the groups the data migrations created."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, models in grants.items():
            codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervisor_returns_the_riskiest_interview_in_the_browser(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    ensure_role_groups()
    rd = round_data.build()
    ensure_default_criteria(round=rd.round)
    Location.objects.filter(code="KZ-ALA-BOS").update(boundary=box("KZ-ALA-BOS"))
    bos = Location.objects.get(code="KZ-ALA-BOS")
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=40)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="male", target=25)
    riskiest = flagged_interview(rd, 1)
    for seed in (2, 3):  # milder: one answer that should have been skipped
        data = round_data.answers(seed, "KZ-ALA-BOS")
        data["migration/return_to_russia"] = "no"
        data["migration/lived_in_russia"] = "no"
        sub = round_data.add(rd, data, status="received", verdict=None)
        validate_submission(submission=sub)
    scores = dict(ReviewPriority.objects.values_list("submission_id", "score"))
    assert max(scores, key=lambda pk: scores[pk]) == riskiest.pk
    browser.give_password(rd.sup_a)
    with browser.chromium(
        live_server.url, monkeypatch, viewport={"width": 1440, "height": 1200}
    ) as (tab, outside):
        tab.goto(f"{live_server.url}/admin/login/?next=/admin/")
        browser.log_in(tab, "sup_a")
        tab.wait_for_selector(".rv-progress")
        assert "Team progress" in tab.inner_text(".rv-progress h2")
        tab.screenshot(path=str(browser.SHOTS / "review-home.png"))
        tab.click("text=Open the review queue →")
        tab.wait_for_selector("#result_list")
        tab.screenshot(path=str(browser.SHOTS / "review-queue.png"))
        first = tab.locator("#result_list tbody tr").first.locator("a[href*='/admin/review/']")
        first.click()
        tab.wait_for_selector("#findings")
        assert tab.url.endswith(f"/admin/review/{riskiest.kobo_id}/")
        row = tab.locator('[id="q-employment/sector"]')
        assert "should have been skipped" in row.inner_text()
        assert "Is looking for work" in row.inner_text()
        row.locator(".rv-cbtn").click()
        tab.fill("#comment-form textarea", "Sector looks copied from her last job.")
        tab.click("#comment-form button[type=submit]")
        tab.wait_for_selector('[id="q-employment/sector"] .rv-comments')
        assert "copied from her last job" in row.inner_text()
        row.locator("input[name=questions]").check()
        assert tab.inner_text("#reask-count") == "1"
        tab.fill("#return-comment", "She is looking for work: re-ask the sector and the income.")
        tab.click("#return")
        tab.wait_for_selector("#history .rv-comment")
        assert tab.inner_text("#review-status") == "Returned to enumerator"
        assert "re-ask the sector" in tab.inner_text("#history")
        # What the supervisor sees first, and the whole screen.
        tab.evaluate("window.scrollTo(0, 0)")
        tab.screenshot(path=str(browser.SHOTS / "review-screen.png"))
        tab.screenshot(path=str(browser.SHOTS / "review-screen-full.png"), full_page=True)
    assert outside == []
    assert Submission.objects.get(pk=riskiest.pk).review_status == "returned"
    event = ReviewEvent.objects.filter(submission=riskiest).latest("pk")
    assert (event.actor_id, event.questions) == (rd.sup_a.pk, ["employment/sector"])
    assert QuestionComment.objects.get(submission=riskiest).path == "employment/sector"
    assert (browser.SHOTS / "review-screen.png").stat().st_size > 20_000
