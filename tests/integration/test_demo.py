"""load_demo builds round 3 once, and a second run changes nothing; the demo's mail is seen."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from surveys.models import Enumerator, Location, Quota, Submission, Team
from tests import factories
from validation import review
from validation.models import InclusionCriterion

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_its_users_can_log_in() -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    # 42 district x sex quotas (1,810 interviews) and 6 city x sex quotas over them.
    assert Quota.objects.filter(round__number=3).count() == 48
    districts = Quota.objects.filter(location__kind="district")
    assert sum(districts.values_list("target", flat=True)) == 1810
    assert Quota.objects.get(location__code="KZ-ALA", sex="female").target == sum(
        districts.filter(location__parent__code="KZ-ALA", sex="female").values_list(
            "target", flat=True
        )
    )
    assert Enumerator.objects.count() == 20
    assert Enumerator.objects.filter(sex="male").count() == 4
    assert Team.objects.count() == 5
    assert Location.objects.filter(kind="district", parent__code="KZ-ALA").count() == 8
    assert Location.objects.get(code="KZ-AST").aliases[0] == "Nur-Sultan"
    # The strictest published set: the three-city study's, exclusions included.
    criteria = InclusionCriterion.objects.filter(round__number=3, is_active=True)
    assert set(criteria.values_list("preset", flat=True)) == {"Three-city 2022"}
    assert {"not_student", "not_refugee_or_stateless", "length_of_stay"} <= set(
        criteria.values_list("code", flat=True)
    )
    client = Client()
    assert client.login(username="manager", password="mtm-demo-2024")
    assert client.get("/admin/surveys/quota/").status_code == 200
    assert client.login(username="sup_almaty_a", password="mtm-demo-2024")
    assert client.get("/admin/").status_code == 200
    assert client.login(username="enum01", password="mtm-demo-2024")
    assert client.get("/admin/").status_code == 302
    assert not get_user_model().objects.get(username="enum01").is_staff
    assert get_user_model().objects.get(username="enum01").email == "enum01@mtm-demo.invalid"


def test_the_demo_writes_a_returned_interviews_message_where_it_says(
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.delenv("DJANGO_EMAIL_BACKEND", raising=False)
    monkeypatch.delenv("MTM_PUBLIC_URL", raising=False)
    mail = tmp_path / "mail"
    settings.EMAIL_FILE_PATH = mail
    out = io.StringIO()
    call_command(
        "run_demo",
        "--no-serve",
        "--submissions",
        "30",
        "--kobo-port",
        "0",
        "--port",
        "8123",
        stdout=out,
    )
    assert f"Notifications: e-mail is written to files in {mail}/" in out.getvalue()
    assert list(mail.iterdir()) == []

    submission = (
        Submission.objects.filter(
            review_status__in=[Submission.ReviewStatus.CLEAN, Submission.ReviewStatus.FLAGGED]
        )
        .select_related("enumerator__user", "enumerator__team__supervisor")
        .order_by("pk")
        .first()
    )
    assert submission is not None
    assert submission.enumerator is not None
    enumerator = submission.enumerator
    assert enumerator.team is not None
    assert enumerator.user is not None
    with django_capture_on_commit_callbacks(execute=True):
        review.return_to_enumerator(
            submission=submission,
            actor=factories.supervisor_of(submission),
            comment="Ask again how much they send home.",
            questions=["employment/remit_share"],
        )

    (message,) = list(mail.iterdir())
    text = message.read_text(encoding="utf-8")
    assert f"To: {enumerator.user.email}" in text
    assert "http://127.0.0.1:8123/" in text  # links lead back to the demo's own port
