"""Dashboard pages: scoping for each role, figures on the page, map, summary, streamed exports."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from demo.data.locations import CENTROIDS
from surveys.models import Location
from tests import factories
from tests.integration import browser, round_data
from validation.models import Flag

pytestmark = pytest.mark.django_db


def box(code: str) -> dict[str, Any]:
    lat, lon = CENTROIDS[code]
    h = 0.03
    ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    for code in ("KZ-ALA-BOS", "KZ-ALA-MED"):
        Location.objects.filter(code=code).update(boundary=box(code))
    a1 = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"))
    round_data.add(rd, round_data.answers(2, "KZ-ALA-BOS"), status="flagged")
    round_data.add(rd, round_data.answers(3, "KZ-ALA-MED"), team="b")
    Flag.objects.create(
        submission=a1, check_code="duration.too_short", severity="major", message="4 minutes"
    )
    return rd


def page(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url)


def kpi(html: str) -> int:
    match = re.search(r'id="kpi-total">(\d+)<', html)
    assert match is not None
    return int(match.group(1))


def map_of(html: str) -> str:
    """The map panels, without the legend's sample symbols."""
    return html.split('id="round-map"', 1)[1].split("<h2>", 1)[0]


def test_the_manager_sees_the_whole_round(rd: round_data.RoundData) -> None:
    response = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert kpi(html) == 3
    assert "duration.too_short" in html
    assert map_of(html).count("<polygon") == 2  # both districts
    assert map_of(html).count("<circle") == 3  # every interview has a GPS point
    assert "enum_a" in html
    assert "enum_b" in html
    assert "/static/vendor/chart.umd.min.js" in html
    assert "cdn" not in html.lower()


def test_a_supervisor_sees_only_their_team(rd: round_data.RoundData) -> None:
    html = page(rd.sup_a, f"/admin/dashboards/rounds/{rd.round.pk}/").content.decode()
    assert kpi(html) == 2
    assert map_of(html).count("<circle") == 2
    assert "enum_b" not in html


def test_an_enumerator_never_reaches_a_dashboard(rd: round_data.RoundData) -> None:
    for url in (
        "/admin/dashboards/",
        f"/admin/dashboards/rounds/{rd.round.pk}/",
        f"/admin/dashboards/rounds/{rd.round.pk}/summary/",
        f"/admin/dashboards/rounds/{rd.round.pk}/export/clean_dataset.csv",
    ):
        response = page(rd.enum_a.user, url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_staff_without_the_role_is_refused(rd: round_data.RoundData) -> None:
    staff = factories.UserFactory.create(username="intern", is_staff=True)
    assert page(staff, f"/admin/dashboards/rounds/{rd.round.pk}/").status_code == 403
    assert page(staff, f"/admin/dashboards/rounds/{rd.round.pk}/summary/").status_code == 403


def test_admin_pages_link_to_the_dashboards_for_those_who_may_see_them(
    rd: round_data.RoundData,
) -> None:
    link = 'href="/admin/dashboards/"'
    for user in (rd.manager, rd.sup_a):
        assert link in page(user, "/admin/").content.decode()
        assert link in page(user, "/admin/surveys/submission/").content.decode()
    staff = factories.UserFactory.create(username="intern", is_staff=True)
    assert link not in page(staff, "/admin/").content.decode()


def test_summary_page_and_csv(rd: round_data.RoundData) -> None:
    from validation.reporting.summary import counted_answers
    from validation.selectors import export_scope

    counted = counted_answers(export_scope(rd.manager), rd.round.pk).count()
    assert counted >= 2
    html = page(rd.manager, f"/admin/dashboards/rounds/{rd.round.pk}/summary/").content.decode()
    assert re.search(rf'id="respondents">{counted}<', html)  # the quota rule's counted
    body = page(rd.sup_a, f"/admin/dashboards/rounds/{rd.round.pk}/summary/?format=csv")
    rows = list(csv.DictReader(io.StringIO(body.content.decode().lstrip("\ufeff"))))
    sex_total = [r for r in rows if r["indicator"] == "sex" and r["column"] == ""]
    assert sum(int(r["count"]) for r in sex_total) == int(sex_total[0]["base_n"]) >= 1


def test_streamed_clean_dataset_is_scoped(rd: round_data.RoundData) -> None:
    url = f"/admin/dashboards/rounds/{rd.round.pk}/export/clean_dataset.csv"
    response = page(rd.sup_b, url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["_enumerator"] for r in rows] == ["enum_b"]
    assert page(rd.manager, url.replace("clean_dataset", "nonsense")).status_code == 403


def test_chart_library_is_installed_locally() -> None:
    vendored = Path(settings.BASE_DIR) / "validation" / "static" / "vendor" / "chart.umd.min.js"
    assert vendored.is_file(), "run `make install` (it vendors Chart.js from npm)"
    assert "Chart.js v4" in vendored.read_text(encoding="utf-8")[:300]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_opens_the_dashboard_offline_and_keeps_a_screenshot(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rd = round_data.build()
    for code in ("KZ-ALA-BOS", "KZ-ALA-MED"):
        Location.objects.filter(code=code).update(boundary=box(code))
    for seed in range(6):
        round_data.add(rd, round_data.answers(seed, "KZ-ALA-BOS"), team="a" if seed % 2 else "b")
    browser.give_password(rd.manager)
    with browser.chromium(
        live_server.url, monkeypatch, viewport={"width": 1400, "height": 1800}
    ) as (tab, outside):
        tab.goto(f"{live_server.url}/admin/login/?next=/admin/dashboards/rounds/{rd.round.pk}/")
        browser.log_in(tab, "manager")
        tab.wait_for_selector("#per-day-chart")
        assert tab.inner_text("#kpi-total") == "6"
        assert tab.evaluate("typeof Chart") == "function"
        assert tab.evaluate("Chart.getChart('per-day-chart').data.datasets[0].data.length") >= 1
        assert tab.locator("svg.mtm-map circle").count() == 6
        tab.screenshot(path=str(browser.SHOTS / "dashboard.png"), full_page=True)
    assert outside == []
    assert (browser.SHOTS / "dashboard.png").stat().st_size > 10_000
