"""Baseline Mobility Assessment: key-informant sync into figures, import/export, the page."""

import io
from typing import Any

import pytest
import tablib
from django.test import Client

from demo.data.ki_form import KI_ASSET_UID, KI_VERSION, load_content
from demo.data.ki_seed import MIGRANT_WORKERS_2023, ki_answers, register_ki_form, seed_ki_store
from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.baseline import derive_baseline, median_half_up, parse_interview
from surveys.baseline_resources import BaselineFigureResource
from surveys.kobo.client import KoboClient
from surveys.models import (
    BaselineFigure,
    BaselineInputs,
    KoboForm,
    KoboServer,
    Location,
    Submission,
)
from surveys.sync import sync_form
from tests import factories
from tests.integration import round_data
from tests.kobo_fixtures import KOBO_TOKEN, kobo_server, kobo_store

pytestmark = pytest.mark.django_db
_ = (kobo_server, kobo_store)
MW = "migrant_workers"


def entry(year: int, **counts: Any) -> dict[str, str]:
    return {"years/year": str(year), **{f"years/{k}": str(v) for k, v in counts.items()}}


def ki(district: str, *years: dict[str, str], **extra: str) -> dict[str, Any]:
    return {"ki/district": district, "ki/enumerator": "enum_a", **extra, "years": list(years)}


def test_parse_interview_reads_totals_sexes_and_refuses_bad_counts() -> None:
    counts, problems = parse_interview(
        {
            "presence/em_present": "no",
            "years": [
                entry(2023, mw_male=80, mw_female=20, rm_total=9, rm_male=-3),
                entry(2022, mw_total="12.5"),
                {"years/year": "soon"},
            ],
        }
    )
    assert counts[(2023, MW, "")] == 100  # both sexes, no total: their sum
    assert counts[(2023, MW, "male")] == 80
    assert counts[(2023, "return_migrants", "")] == 9
    assert (2023, "return_migrants", "male") not in counts
    assert counts[(2023, "emigrants", "")] == 0  # the informant says there are none
    assert (2022, MW, "") not in counts
    assert len(problems) == 3
    assert any("rm_male" in p for p in problems)
    assert any("soon" in p for p in problems)


def test_median_rounds_half_up() -> None:
    assert median_half_up([10, 20, 30]) == 20
    assert median_half_up([10, 11]) == 11
    assert median_half_up([7]) == 7


@pytest.fixture
def ki_setup(
    kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> tuple[KoboForm, FakeKoboStore]:
    round_ = factories.RoundFactory.create()
    factories.DistrictFactory.create()  # KZ-ALA-BOS
    factories.DistrictFactory.create(code="KZ-ALA-MED", name_en="Medeu")
    kobo_store.add_asset(KI_ASSET_UID, "BMA", versions=[(KI_VERSION, load_content())])
    server = KoboServer.objects.create(name="fake", base_url=kobo_server.url, api_token=KOBO_TOKEN)
    client = KoboClient(kobo_server.url, KOBO_TOKEN, retries=1, backoff=0.01)
    form = register_ki_form(server=server, client=client, round_=round_)
    return form, kobo_store


def _figure(location: str, year: int = 2023, sex: str = "", population: str = MW) -> BaselineFigure:
    return BaselineFigure.objects.get(
        location__code=location, year=year, population=population, sex=sex
    )


def test_sync_of_the_key_informant_form_derives_median_figures(
    ki_setup: tuple[KoboForm, FakeKoboStore],
) -> None:
    form, store = ki_setup
    for total, male in ((100, 80), (130, 100), (90, 75)):
        store.add_submission(
            KI_ASSET_UID,
            ki("KZ-ALA-BOS", entry(2023, mw_total=total, mw_male=male, mw_female=total - male)),
        )
    ids = [
        store.add_submission(KI_ASSET_UID, ki("KZ-ALA-MED", entry(2023, mw_total=n)))["_id"]
        for n in (40, 60)
    ]
    report = sync_form(form=form, full=True)
    assert report.created == 5
    # Stored as usual, but kept out of the survey's checks.
    assert Submission.objects.filter(form=form, needs_validation=True).count() == 0
    bos = _figure("KZ-ALA-BOS")
    assert (bos.count, bos.informants, bos.source) == (100, 3, "ki")
    assert _figure("KZ-ALA-BOS", sex="male").count == 80
    assert _figure("KZ-ALA-BOS", sex="female").count == 20
    assert _figure("KZ-ALA-MED").count == 50

    # An edit in KoBo re-derives that location only; a deletion removes what it gave.
    before = dict(BaselineInputs.objects.values_list("location__code", "derived_at"))
    store.edit_submission(KI_ASSET_UID, ids[0], {"years": [entry(2023, mw_total=100)]})
    sync_form(form=form, full=True)
    after = dict(BaselineInputs.objects.values_list("location__code", "derived_at"))
    assert after["KZ-ALA-BOS"] == before["KZ-ALA-BOS"]
    assert after["KZ-ALA-MED"] > before["KZ-ALA-MED"]
    assert _figure("KZ-ALA-MED").count == 80
    for kobo_id in ids:
        store.delete_submission(KI_ASSET_UID, kobo_id)
    sync_form(form=form, full=True)
    assert not BaselineFigure.objects.filter(location__code="KZ-ALA-MED").exists()
    assert not BaselineInputs.objects.filter(location__code="KZ-ALA-MED").exists()
    assert BaselineFigure.objects.filter(location__code="KZ-ALA-BOS").count() == 3


def test_imported_figures_win_over_key_informants(ki_setup: tuple[KoboForm, FakeKoboStore]) -> None:
    form, store = ki_setup
    bos = Location.objects.get(code="KZ-ALA-BOS")
    BaselineFigure.objects.create(
        round=factories.round_of(form),
        location=bos,
        year=2023,
        population=MW,
        count=777,
        source="import",
    )
    store.add_submission(KI_ASSET_UID, ki("KZ-ALA-BOS", entry(2023, mw_total=5, em_total=3)))
    sync_form(form=form, full=True)
    assert _figure("KZ-ALA-BOS").count == 777
    assert _figure("KZ-ALA-BOS", population="emigrants").count == 3
    assert derive_baseline(form, everything=True).kept_imported == 1
    assert _figure("KZ-ALA-BOS").source == "import"


def test_a_form_without_round_derives_nothing_and_says_so(
    ki_setup: tuple[KoboForm, FakeKoboStore],
) -> None:
    form, store = ki_setup
    KoboForm.objects.filter(pk=form.pk).update(round=None)
    form.refresh_from_db()
    store.add_submission(KI_ASSET_UID, ki("KZ-ALA-BOS", entry(2023, mw_total=5)))
    sync_form(form=form, full=True)
    assert Submission.objects.filter(form=form).count() == 1
    assert not BaselineFigure.objects.exists()
    assert "no round" in derive_baseline(form).problems[0]


def test_demo_key_informant_data_covers_every_district() -> None:
    store = FakeKoboStore(token=KOBO_TOKEN, username="demo")
    assert seed_ki_store(store) == 3 * len(MIGRANT_WORKERS_2023)
    import random

    counts, problems = parse_interview(ki_answers(random.Random(1), "KZ-MAN-AKT", 0))
    assert not problems
    assert counts[(2023, MW, "")] > counts[(2021, MW, "")]


def _import(rows: list[list[Any]], headers: list[str], dry_run: bool = False) -> Any:
    data = tablib.Dataset(*rows, headers=headers)
    return BaselineFigureResource().import_data(data, dry_run=dry_run)


HEADERS = ["round", "location", "year", "population", "sex", "count"]


def test_import_and_export_of_baseline_figures() -> None:
    factories.RoundFactory.create()
    factories.DistrictFactory.create()
    result = _import(
        [
            ["R3", "KZ-ALA-BOS", 2023, "migrant_workers", "", 1200],
            ["3", "Bostandyk", "2023", "International migrant workers", "male", "1000"],
            ["3", "kz-ala-bos", 2023, "emigrants", "total", 40],
        ],
        HEADERS,
    )
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert BaselineFigure.objects.filter(source="import").count() == 3
    assert _figure("KZ-ALA-BOS", sex="male").count == 1000
    exported = BaselineFigureResource().export().csv
    again = tablib.Dataset().load(io.StringIO(exported), format="csv")
    result = BaselineFigureResource().import_data(again, dry_run=True)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert {r.import_type for r in result.rows} == {"skip"}  # unchanged on re-import


def test_a_bad_row_imports_nothing_and_says_why() -> None:
    factories.RoundFactory.create()
    factories.DistrictFactory.create()
    result = _import(
        [
            ["3", "KZ-ALA-BOS", 2023, "migrant_workers", "", 10],
            ["3", "KZ-ALA-BOS", 2023, "tourists", "", 10],
            ["3", "KZ-ALA-BOS", 1850, "emigrants", "", 10],
            ["3", "KZ-ALA-BOS", 2023, "return_migrants", "", -4],
            ["3", "Nowhere", 2023, "emigrants", "", 1],
        ],
        HEADERS,
    )
    found = [(line, str(err.error)) for line, errs in result.row_errors() for err in errs]
    found += [(row.number, str(row.error_dict)) for row in result.invalid_rows]
    by_line = dict(found)
    assert sorted(by_line) == [2, 3, 4, 5]
    assert "tourists" in by_line[2]
    assert "1850" in by_line[3]
    assert "greater than or equal to 0" in by_line[4]
    assert "Nowhere" in by_line[5]
    assert not BaselineFigure.objects.exists()


def test_baseline_page_puts_baseline_quota_and_collected_side_by_side() -> None:
    rd = round_data.build()
    bos = Location.objects.get(code="KZ-ALA-BOS")
    med = Location.objects.get(code="KZ-ALA-MED")
    for location, sex, count in (
        (bos, "", 3000),
        (bos, "male", 2500),
        (bos, "female", 500),
        (med, "", 1000),
    ):
        BaselineFigure.objects.create(
            round=rd.round, location=location, year=2023, population=MW, sex=sex, count=count
        )
    BaselineFigure.objects.create(round=rd.round, location=med, year=2022, population=MW, count=1)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="male", target=30)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=10)
    for seed in (1, 2):
        sex = "male" if seed == 1 else "female"
        round_data.add(rd, round_data.answers(seed, "KZ-ALA-BOS", **{"screening/sex": sex}))
    client = Client()
    client.force_login(rd.manager)
    response = client.get(f"/admin/dashboards/rounds/{rd.round.pk}/baseline/")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.year == 2023
    assert table.years == [2023, 2022]
    row = {r.code: r for r in table.rows}
    assert (row["KZ-ALA-BOS"].baseline, row["KZ-ALA-BOS"].quota_total) == (3000, 40)
    assert row["KZ-ALA-BOS"].baseline_share == 75.0
    assert row["KZ-ALA-MED"].quota_total is None
    html = response.content.decode()
    assert "no quota" in html
    assert "3000" in html
    older = client.get(f"/admin/dashboards/rounds/{rd.round.pk}/baseline/?year=2022")
    assert older.context["table"].baseline_total == 1

    enumerator = Client()
    enumerator.force_login(factories.enumerator_user(username="e1"))
    assert enumerator.get(f"/admin/dashboards/rounds/{rd.round.pk}/baseline/").status_code == 302
    assert Client().get(f"/admin/dashboards/rounds/{rd.round.pk}/baseline/").status_code == 302


def _demo_round_with_baseline() -> Any:
    """The demo round (locations, quotas, users), its KI interviews derived, some interviews."""
    import datetime as dt
    import random

    from demo.data.submissions import generate_submission
    from demo.round import load_demo_round
    from surveys.models import FormVersion, Round
    from validation.models import Eligibility

    load_demo_round()
    round_ = Round.objects.get(country="KZ", number=3)
    ki_form = factories.KoboFormFactory.create(
        round=round_, asset_uid="aKI", instrument=KoboForm.Instrument.KEY_INFORMANT
    )
    rng = random.Random(15)
    locations = {loc.code: loc for loc in Location.objects.all()}
    for code in MIGRANT_WORKERS_2023:
        for informant in range(3):
            factories.SubmissionFactory.create(
                form=ki_form,
                location=locations[code],
                enumerator=None,
                data=ki_answers(rng, code, informant),
                needs_validation=False,
            )
    derive_baseline(ki_form)
    survey = factories.KoboFormFactory.create(round=round_, asset_uid="aSurvey")
    content = load_survey_content()
    version = FormVersion.objects.create(
        form=survey, version_uid="vR3b", content=content, content_hash="x"
    )
    for i, code in enumerate(list(MIGRANT_WORKERS_2023) * 4):
        data = generate_submission(rng, enumerator="enum01", district_code=code)
        sub = factories.SubmissionFactory.create(
            form=survey,
            version=version,
            version_uid="vR3b",
            location=locations[code],
            enumerator=None,
            data=data,
            review_status="approved" if i % 3 else "received",
            submission_time=dt.datetime(2024, 2, 10, tzinfo=dt.UTC),
        )
        Eligibility.objects.create(submission=sub, verdict="eligible", criteria=[])
    return round_


def load_survey_content() -> dict[str, Any]:
    content: dict[str, Any] = round_data.json.loads(
        (round_data.DEMO / "mtm_survey_r3.asset.json").read_text()
    )
    return content.get("content", content)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_shows_the_baseline_page_in_english_and_russian(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth import get_user_model

    from tests.integration import browser

    round_ = _demo_round_with_baseline()
    browser.give_password(get_user_model().objects.get(username="manager"))
    url = f"{live_server.url}/admin/dashboards/rounds/{round_.pk}/baseline/"
    for lang, locale in (("en", "en-GB"), ("ru", "ru-RU")):
        for width, height in ((1366, 768), (390, 844)):
            with browser.chromium(
                live_server.url,
                monkeypatch,
                viewport={"width": width, "height": height},
                locale=locale,
            ) as (tab, outside):
                tab.goto(f"{live_server.url}/admin/login/?next={url}")
                browser.log_in(tab, "manager")
                tab.wait_for_selector("#baseline-table")
                rows = tab.locator("#baseline-table tbody tr").count()
                assert rows >= len(MIGRANT_WORKERS_2023)
                heading = tab.inner_text("#baseline-table thead").casefold()
                assert ("базовая оценка" if lang == "ru" else "baseline") in heading
                shot = browser.SHOTS / f"baseline_{lang}_{width}x{height}.png"
                tab.screenshot(path=str(shot), full_page=True)
            assert outside == []
            assert shot.stat().st_size > 10_000


def test_a_city_quota_shows_its_districts_baseline_once() -> None:
    from validation.dashboards.baseline_table import baseline_table

    rd = round_data.build()
    city = Location.objects.get(code="KZ-ALA")
    for code, count in (("KZ-ALA-BOS", 300), ("KZ-ALA-MED", 100)):
        BaselineFigure.objects.create(
            round=rd.round,
            location=Location.objects.get(code=code),
            year=2023,
            population=MW,
            count=count,
        )
    factories.QuotaFactory.create(round=rd.round, location=city, sex="male", target=50)
    table = baseline_table(round_=rd.round, scope=Submission.objects.all())
    row = {r.code: r for r in table.rows}
    assert row["KZ-ALA"].baseline == 400
    assert row["KZ-ALA"].rolled_up
    assert table.baseline_total == 400
    assert row["KZ-ALA-BOS"].baseline_share == 75.0
