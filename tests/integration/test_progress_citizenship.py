"""Quotas per citizenship read the citizenship validation stores, as they read sex.

Round progress groups checked interviews by respondent_citizenship (from the covering index)
instead of decoding every interview's answers; unchecked interviews are still read from their
answers, and refresh_progress_fields catches a stored value that no longer matches them.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from surveys.models import Location, Quota, Submission
from tests.integration import round_data
from validation.quotas.alerts import check_quotas
from validation.quotas.progress import (
    derive_progress_fields,
    refresh_progress_fields,
    round_progress,
)
from validation.selectors import export_scope

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 2, 10, 9, 0, tzinfo=round_data.ALMATY)


def _interview(rd: round_data.RoundData, n: int, cit: str) -> Submission:
    data = round_data.answers(
        n, "KZ-ALA-BOS", **{"profile/sex": "male", "screening/citizenship": cit}
    )
    return round_data.add(rd, data, team="a", when=T0 + dt.timedelta(hours=n))


def _counted(rd: round_data.RoundData) -> dict[str, int]:
    rows = round_progress(scope=export_scope(rd.manager), round_id=rd.round.pk)
    return {r.citizenship: r.counted for r in rows}


def test_checked_interviews_count_by_their_stored_citizenship() -> None:
    rd = round_data.build()
    city = Location.objects.get(code="KZ-ALA")
    for cit in ("", "uz", "kg"):
        Quota.objects.create(round=rd.round, location=city, sex="male", citizenship=cit, target=5)
    for n, cit in enumerate(("uz", "uz", "kg"), start=1):
        _interview(rd, n, cit)
    subs = Submission.objects.filter(form__round=rd.round)
    # Unchecked: read from the answers.
    subs.update(needs_validation=True, respondent_sex="", respondent_citizenship="")
    assert _counted(rd) == {"": 3, "uz": 2, "kg": 1}

    derive_progress_fields(rows=subs, round_id=rd.round.pk)
    subs.update(needs_validation=False)
    assert sorted(subs.values_list("respondent_citizenship", flat=True)) == ["kg", "uz", "uz"]
    with CaptureQueriesContext(connection) as queries:
        assert _counted(rd) == {"": 3, "uz": 2, "kg": 1}
    aggregate = next(q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"])
    derived_part = aggregate.split("UNION ALL")[0]
    assert "respondent_citizenship" in derived_part
    assert "screening/citizenship" not in derived_part  # the answers are not decoded

    # The stored value is what counts for checked interviews, until a refresh re-derives it.
    first = subs.order_by("pk").first()
    assert first is not None
    first.data["screening/citizenship"] = "kg"
    Submission.objects.filter(pk=first.pk).update(data=first.data)
    assert _counted(rd)["kg"] == 1
    assert refresh_progress_fields(round_id=rd.round.pk) == 1
    assert _counted(rd) == {"": 3, "uz": 1, "kg": 2}


def test_the_quota_check_reads_the_stored_citizenship_as_progress_does() -> None:
    """check_quotas (the over-quota ranking) counts checked interviews by their stored
    respondent_citizenship, not by decoding their answers; unchecked ones by their answers."""
    rd = round_data.build()
    city = Location.objects.get(code="KZ-ALA")
    uz, kg = (
        Quota.objects.create(round=rd.round, location=city, sex="male", citizenship=c, target=5)
        for c in ("uz", "kg")
    )
    subs = [_interview(rd, n, cit) for n, cit in enumerate(("uz", "uz", "kg"), start=1)]
    rows = Submission.objects.filter(pk__in=[s.pk for s in subs])
    derive_progress_fields(rows=rows, round_id=rd.round.pk)
    rows.update(needs_validation=False)
    # An answer changed since the check: the stored "uz" counts until validation re-derives it.
    subs[0].data["screening/citizenship"] = "kg"
    Submission.objects.filter(pk=subs[0].pk).update(data=subs[0].data)
    waiting = _interview(rd, 4, "kg")
    Submission.objects.filter(pk=waiting.pk).update(needs_validation=True, respondent_sex="")
    counted = check_quotas(round_id=rd.round.pk).counted
    assert counted == {uz.pk: 2, kg.pk: 2}
    assert counted == {
        q.pk: r.counted
        for q in (uz, kg)
        for r in round_progress(scope=Q(), round_id=rd.round.pk)
        if r.citizenship == q.citizenship
    }
