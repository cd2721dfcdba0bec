"""A returned question carries its reasons, eligibility included; the task admin reads as text."""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.integration import corrections_world as cw
from validation import review
from validation.corrections import items
from validation.engine.validate import compiled_form
from validation.models import CorrectionTask, InclusionCriterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_age() -> tuple[cw.World, str]:
    """An interview of a 16-year-old in a round whose criterion is 18 or more."""
    world = cw.build()
    InclusionCriterion.objects.create(
        round=factories.round_of(world.form),
        code="age",
        label="18 years of age or more",
        question="age",
        operator=">=",
        value="18",
        message="Respondent is under 18",
    )
    path = compiled_form(world.version).by_name["age"].xpath
    world.submission = cw.new_version(world.submission, **{path: "16"})
    assert world.submission.flags.filter(check_code="eligibility.age", path="").exists()
    return world, path


def _return(world: cw.World, path: str, capture: Any) -> CorrectionTask:
    with capture(execute=True):
        review.return_to_enumerator(
            submission=world.submission,
            actor=world.supervisor,
            comment="Check the age again.",
            questions=[path],
        )
    return CorrectionTask.objects.get(submission=world.submission)


def test_returning_the_question_of_a_failing_criterion_sends_its_reason(
    under_age: tuple[cw.World, str], django_capture_on_commit_callbacks: Any
) -> None:
    world, path = under_age
    task = _return(world, path, django_capture_on_commit_callbacks)
    [item] = task.items
    assert item["path"] == path
    assert [f["code"] for f in item["flags"]] == ["eligibility.age"]

    token = Token.objects.create(user=factories.user_of(world.enumerator))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    [api_item] = api.get(f"/api/v1/correction-tasks/{task.pk}/").json()["items"]
    assert api_item["reasons"]
    assert "under 18" in api_item["reasons"][0]
    assert api_item["passing"] is False


def test_the_item_passes_once_the_criterion_does(
    under_age: tuple[cw.World, str], django_capture_on_commit_callbacks: Any
) -> None:
    world, path = under_age
    task = _return(world, path, django_capture_on_commit_callbacks)
    fixed = cw.new_version(world.submission, **{path: "30"})
    [judged] = items.judge_items(submission=fixed, items=task.items)
    assert judged["passing"] is True
    assert judged["previous_answer"] == "16"


def test_the_task_admin_shows_items_as_a_table_not_json(
    under_age: tuple[cw.World, str], django_capture_on_commit_callbacks: Any
) -> None:
    world, path = under_age
    task = _return(world, path, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(world.supervisor)
    html = client.get(f"/admin/validation/correctiontask/{task.pk}/change/").content.decode()
    assert '<table class="mtm-items">' in html
    assert "Respondent is under 18" in html
    assert "to correct" in html
    assert '"labels"' not in html
    assert "&quot;labels&quot;" not in html


def test_an_engine_reason_reaches_the_enumerator_in_their_language() -> None:
    required = {
        "code": "skip_logic.required_missing",
        "path": "screening/stay",
        "severity": "major",
        "message": "'How long do you plan to stay?' is a required question but was not answered.",
    }
    with translation.override("ru"):
        assert items.reason(required) == "Обязательный, но без ответа"
    with translation.override("en"):
        assert items.reason(required) == "Required, but not answered"
    # A check of our own keeps its sentence (it is written for the reader already).
    other = {**required, "code": "eligibility.age", "message": "Respondent is under 18."}
    assert items.reason(other) == "Respondent is under 18."
