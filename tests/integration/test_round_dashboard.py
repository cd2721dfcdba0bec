"""The round dashboard (#16 item 6): scope, collected vs eligible, over quota, map, Russian."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.models import Location
from tests import factories
from tests.integration import round_data
from tests.integration.test_dashboards import box

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
