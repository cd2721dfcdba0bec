"""The Submission admin shows the review status but never changes it (#16 item 4)."""

import pytest
from django.test import Client

from surveys.models import Submission
from tests.integration import round_data
from validation.models import ReviewEvent

pytestmark = pytest.mark.django_db


def test_a_posted_review_status_is_ignored_and_leaves_no_silent_change() -> None:
    rd = round_data.build()
    sub = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"), status="flagged")
    client = Client()
    client.force_login(rd.manager)
    url = f"/admin/surveys/submission/{sub.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="review_status"' not in page  # shown as text, not a field
    # decisions happen on the review screen (its public address: KoBo's number and the form)
    assert f'href="/admin/review/{sub.kobo_id}/?form={sub.form_id}"' in page

    response = client.post(
        url,
        {
            "review_status": "approved",
            "is_eligible": "on",
            "needs_validation": "",
            "enumerator": str(rd.enum_a.pk),
            "location": str(sub.location_id),
        },
    )
    assert response.status_code == 302  # saved: only the editable fields were read
    fresh = Submission.objects.get(pk=sub.pk)
    assert fresh.review_status == "flagged"
    assert fresh.is_eligible == sub.is_eligible
    assert fresh.needs_validation == sub.needs_validation
    assert not ReviewEvent.objects.filter(submission=sub).exists()


def test_the_enumerator_can_still_be_corrected() -> None:
    rd = round_data.build()
    sub = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"), status="flagged")
    client = Client()
    client.force_login(rd.manager)
    response = client.post(
        f"/admin/surveys/submission/{sub.pk}/change/",
        {"enumerator": str(rd.enum_b.pk), "location": str(sub.location_id)},
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=sub.pk).enumerator_id == rd.enum_b.pk
