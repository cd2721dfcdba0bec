"""The round dashboard (#16 item 6): scope, collected vs eligible, over quota, map, Russian."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.models import Location, Submission
from surveys.selectors import visible_submissions
from tests import factories
from tests.integration import round_data
from tests.integration.test_dashboards import box
from validation import quality
from validation.checks.base import Finding
from validation.checks.refusals import tally
from validation.checks.scorecard import enumerator_scorecard
from validation.models import Flag
from validation.reporting import scorecards

pytestmark = pytest.mark.django_db
SEX = "profile/sex"


@pytest.fixture
def rd() -> round_data.RoundData:
    """Team A works in Bostandyk, team B in Medeu; quotas on both districts and on the city."""
    rd = round_data.build()
    bos = Location.objects.get(code="KZ-ALA-BOS")
    med = Location.objects.get(code="KZ-ALA-MED")
    Location.objects.filter(pk=bos.pk).update(boundary=box("KZ-ALA-BOS"))  # Medeu: none stored
    factories.QuotaFactory.create(round=rd.round, location=bos.parent, sex="female", target=50)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=1)
    factories.QuotaFactory.create(round=rd.round, location=med, sex="female", target=20)
    for seed in (1, 2):
        round_data.add(rd, round_data.answers(seed, "KZ-ALA-BOS", **{SEX: "female"}))
    round_data.add(rd, round_data.answers(3, "KZ-ALA-BOS", **{SEX: "female"}), verdict="ineligible")
    round_data.add(
        rd, round_data.answers(4, "KZ-ALA-MED", **{SEX: "female"}), team="b", status="flagged"
    )
    return rd


def page(user: Any, url: str, lang: str = "en") -> str:
    client = Client(headers={"accept-language": lang})
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def row(html: str, location: str) -> str:
    """The progress table row whose location cell names `location`."""
    table = html.split('id="progress"', 1)[1].split("</table>", 1)[0]
    found = [r for r in table.split("<tr")[1:] if f"{location} <small>" in r]
    assert len(found) == 1, location
    return found[0]


def cells(tr: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", c).split()[0] for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]


def test_a_supervisor_sees_only_quotas_of_their_teams_places(rd: round_data.RoundData) -> None:
    html = page(rd.sup_a, f"/admin/dashboards/rounds/{rd.round.pk}/")
    assert "Almaty – Bostandyk <small>" in html
    assert "Almaty <small>" in html  # the city quota their district counts toward
    assert "Medeu <small>" not in html  # another team's district, not shown at 0
    manager = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/")
    assert "Almaty – Medeu <small>" in manager


def test_collected_counts_every_interview_and_eligible_only_the_eligible(
    rd: round_data.RoundData,
) -> None:
    html = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/")
    # location, sex, target, collected, eligible, approved, pending, excluded, counted, ...
    bos = cells(row(html, "Almaty – Bostandyk"))
    assert bos[2:5] == ["1", "3", "2"]


def test_progress_above_target_is_called_over_quota_in_words(rd: round_data.RoundData) -> None:
    html = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/")
    bos = row(html, "Almaty – Bostandyk")
    assert 'data-over="1"' in bos
    assert "mtm-over" in bos
    assert "over quota by 1" in bos  # text, not colour alone
    assert "1 quota has more counted interviews than its target." in html
    assert "over quota" not in row(html, "Almaty – Medeu")
    ru = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/", "ru")
    assert "сверх квоты на 1" in row(ru, "Almaty – Bostandyk")
    assert "Выполнение по местоположениям" in ru


def test_the_map_draws_each_city_with_labelled_districts_and_flagged_points_on_top(
    rd: round_data.RoundData,
) -> None:
    html = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/")
    maps = html.split('id="round-map"', 1)[1].split("</div>", 1)[0]
    assert maps.count("<figure") == 1  # one city, one panel at its own scale
    assert ">Bostandyk</text>" in maps
    assert ">Medeu</text>" in maps
    dashed, polygons = maps.count('stroke-dasharray="4 3"><title>'), maps.count("<polygon")
    assert polygons == 2
    assert dashed == 1
    assert "no boundary stored" in maps
    big = [m.start() for m in re.finditer(r'<circle [^>]*r="4.5"', maps)]
    small = [m.start() for m in re.finditer(r'<circle [^>]*r="2.2"', maps)]
    assert len(big) == 1
    assert len(small) == 3
    assert min(big) > max(small)  # drawn last: never hidden under the others
    assert "1 flagged" in maps
    assert "flagged, on hold or returned" in html  # the legend


def test_the_page_costs_the_same_queries_whatever_the_number_of_interviews(
    rd: round_data.RoundData,
) -> None:
    client = Client()
    client.force_login(rd.manager)
    url = f"/admin/dashboards/rounds/{rd.round.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for seed in range(10, 16):
        round_data.add(rd, round_data.answers(seed, "KZ-ALA-MED"), team="b")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def _reference_scorecards(user: Any, rd: round_data.RoundData) -> dict[str, Any]:
    """The scorecards as the checks compute them: every interview's answers read in Python."""
    rows = visible_submissions(user).filter(form__round=rd.round, deleted_at__isnull=True)
    config = quality.effective_config(rd.form)
    findings = [
        Finding(code, pk, path, severity, "", {})
        for code, pk, path, severity in Flag.objects.filter(
            submission__in=rows.values("pk"), status=Flag.Status.OPEN
        ).values_list("check_code", "submission_id", "path", "severity")
    ]
    return enumerator_scorecard(
        quality.load_interviews(rows, config.questions),
        findings,
        quality.build_context(rd.round, config),
    )


DK = {"employment/dismissal_notice": "dk", "wellbeing/hardship_eviction": "dk"}


def _varied_round(rd: round_data.RoundData) -> None:
    """Interviews over several local days, of whole-minute lengths, some with "don't know"
    answers, some with open flags of a family (info ones too, which do not count)."""
    start = dt.datetime(2024, 2, 11, 4, 30, tzinfo=dt.UTC)  # 09:30 in Almaty
    for i in range(9):
        data = round_data.answers(20 + i, "KZ-ALA-BOS" if i % 3 else "KZ-ALA-MED")
        if i % 2:
            data.update(DK)
        sub = round_data.add(
            rd, data, team="a" if i % 3 else "b", when=start + dt.timedelta(hours=9 * i)
        )
        assert sub.started_at is not None
        Submission.objects.filter(pk=sub.pk).update(
            ended_at=sub.started_at + dt.timedelta(minutes=10 + 7 * i)
        )
        for code, severity in (("duration.too_short", "major"), ("gps.outside", "info"))[: i % 3]:
            Flag.objects.create(submission=sub, check_code=code, severity=severity, message="m")


def test_scorecards_in_sql_equal_the_checks_scorecards(rd: round_data.RoundData) -> None:
    """Counts, days, median minutes, flag rates by family, refusal rate and team medians
    grouped in SQL equal the checks' scorecard over every interview's answers (each
    enumerator has fewer than REFUSAL_SAMPLE interviews: the sample is all of them)."""
    _varied_round(rd)
    for user in (rd.manager, rd.sup_a, rd.sup_b):
        assert scorecards.round_scorecards(user, rd.round) == _reference_scorecards(user, rd)
    assert set(scorecards.round_scorecards(rd.sup_a, rd.round)) == {rd.enum_a.kobo_username}
    card = scorecards.round_scorecards(rd.manager, rd.round)[rd.enum_a.kobo_username]
    assert card["days_active"] > 1
    assert card["refusal_rate"] > 0
    assert card["flag_rate"]["duration"] > 0
    assert card["flag_rate"]["gps"] == 0  # info flags say nothing about the work


def test_the_refusal_rate_reads_each_enumerators_latest_interviews_only(
    rd: round_data.RoundData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a sample of 3, the oldest interview's "don't know" answers are left out of the
    rate (the other figures still count it)."""
    oldest = round_data.add(
        rd,
        {**round_data.answers(40, "KZ-ALA-BOS"), **DK},
        when=dt.datetime(2024, 1, 5, 10, tzinfo=dt.UTC),
    )
    monkeypatch.setattr(scorecards, "REFUSAL_SAMPLE", 3)
    mine = Submission.objects.filter(enumerator=rd.enum_a)
    latest = mine.order_by("-submission_time")[:3]
    assert oldest not in latest
    assert mine.count() == 4
    config = quality.effective_config(rd.form)
    ctx = quality.build_context(rd.round, config)
    counts = [tally(iv, ctx) for iv in quality.load_interviews(latest, config.questions)]
    special = sum(c.dont_know + c.refused for c in counts)
    answered = sum(max(c.answered, c.dont_know + c.refused) for c in counts)
    card = scorecards.round_scorecards(rd.manager, rd.round)[rd.enum_a.kobo_username]
    assert card["refusal_rate"] == round(special / answered, 4)
    assert card["interviews"] == 4
