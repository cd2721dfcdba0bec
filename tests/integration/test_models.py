"""Database constraints for every natural key and domain rule of the surveys models."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from surveys.models import FormVersion, Location, Quota, Round, Submission
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    assert connection.vendor == "postgresql", "the constraints are checked on PostgreSQL"


def _violates(constraint: str, create: Callable[[], Any]) -> None:
    """`create` breaks exactly this constraint (PostgreSQL names it), not any other."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    assert caught.value.__cause__.diag.constraint_name == constraint  # type: ignore[union-attr]


def test_round_number_is_unique_per_country() -> None:
    factories.RoundFactory.create(number=3)
    _violates(
        "round_unique_number",
        lambda: Round.objects.create(
            country="KZ", number=3, name="dup", fieldwork_start=dt.date(2024, 2, 1)
        ),
    )
    Round.objects.create(
        country="KG", number=3, name="Kyrgyzstan R3", fieldwork_start=dt.date(2024, 2, 1)
    )
    assert Round.objects.filter(number=3).count() == 2


def test_round_cannot_end_before_it_starts() -> None:
    _violates(
        "round_end_after_start",
        lambda: Round.objects.create(
            number=4,
            name="R4",
            fieldwork_start=dt.date(2024, 5, 2),
            fieldwork_end=dt.date(2024, 5, 1),
        ),
    )


def test_location_code_is_unique() -> None:
    factories.CityFactory.create()
    _violates(
        "location_unique_code",
        lambda: Location.objects.create(code="KZ-ALA", kind="city", name_en="Almaty 2"),
    )


@pytest.mark.parametrize(
    ("_case", "kind", "with_parent"),
    [
        ("district without parent", "district", False),
        ("region with parent", "region", True),
        ("city with parent", "city", True),
    ],
)
def test_location_tree_shape_is_enforced(_case: str, kind: str, with_parent: bool) -> None:
    parent = factories.CityFactory.create() if with_parent else None
    _violates(
        "location_district_has_parent",
        lambda: Location.objects.create(code="KZ-X", kind=kind, parent=parent, name_en="X"),
    )


def test_location_centroid_needs_both_coordinates_in_range() -> None:
    _violates(
        "location_centroid_in_range",
        lambda: Location.objects.create(
            code="KZ-Y", kind="region", name_en="Y", centroid_lat=95, centroid_lon=70
        ),
    )
    _violates(
        "location_centroid_in_range",
        lambda: Location.objects.create(code="KZ-Z", kind="region", name_en="Z", centroid_lat=45),
    )


def test_location_boundary_must_be_a_valid_polygon() -> None:
    loc = factories.CityFactory.create()
    loc.boundary = {"type": "Point", "coordinates": [76.9, 43.2]}
    with pytest.raises(ValidationError, match="Polygon"):
        loc.full_clean()
    loc.boundary = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError, match="self-intersecting"):
        loc.full_clean()
    loc.boundary = {
        "type": "Polygon",
        "coordinates": [[[76.8, 43.1], [77.0, 43.1], [77.0, 43.3], [76.8, 43.1]]],
    }
    loc.full_clean()


def test_quota_is_unique_per_round_location_and_sex() -> None:
    quota = factories.QuotaFactory.create()
    _violates(
        "quota_unique_stratum",
        lambda: Quota.objects.create(
            round=quota.round, location=quota.location, sex=quota.sex, target=5
        ),
    )
    Quota.objects.create(round=quota.round, location=quota.location, sex="male", target=5)
    _violates(
        "quota_sex_valid",
        lambda: Quota.objects.create(
            round=quota.round, location=quota.location, sex="other", target=5
        ),
    )


def test_enumerator_kobo_username_is_unique() -> None:
    enumerator = factories.EnumeratorFactory.create()
    team = enumerator.team
    _violates(
        "enumerator_unique_kobo_user",
        lambda: type(enumerator).objects.create(
            kobo_username=enumerator.kobo_username, full_name="Other", sex="male", team=team
        ),
    )


def test_submission_identity_is_root_uuid_and_kobo_id_per_form() -> None:
    sub = factories.SubmissionFactory.create()
    _violates(
        "submission_unique_root",
        lambda: factories.SubmissionFactory.create(form=sub.form, root_uuid=sub.root_uuid),
    )
    _violates(
        "submission_unique_kobo_id",
        lambda: factories.SubmissionFactory.create(form=sub.form, kobo_id=sub.kobo_id),
    )
    other_form = factories.KoboFormFactory.create()
    factories.SubmissionFactory.create(
        form=other_form, root_uuid=sub.root_uuid, kobo_id=sub.kobo_id
    )
    assert Submission.objects.filter(root_uuid=sub.root_uuid).count() == 2


def test_deleted_submissions_leave_the_active_set() -> None:
    kept = factories.SubmissionFactory.create()
    gone = factories.SubmissionFactory.create(form=kept.form)
    Submission.objects.filter(pk=gone.pk).update(deleted_at=dt.datetime.now(dt.UTC))
    assert list(Submission.objects.active()) == [kept]


def test_form_version_is_unique_per_form_and_token_is_masked() -> None:
    form = factories.KoboFormFactory.create(server__api_token="0123456789abcdef")
    FormVersion.objects.create(form=form, version_uid="v1", content={}, content_hash="x")
    _violates(
        "formversion_unique_uid",
        lambda: FormVersion.objects.create(
            form=form, version_uid="v1", content={}, content_hash="y"
        ),
    )
    assert form.server.token_hint == "…cdef"
    assert "0123456789" not in repr(form.server) + str(form.server)
