"""factory_boy factories for the models, with MTM-realistic values."""

import datetime as dt
import hashlib
import uuid
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.utils import timezone

from surveys import models
from surveys.roles import DATA_MANAGER, ENUMERATOR, SUPERVISOR

# Factories are called as XFactory.create(...): factory_boy types create() by the model
# (DjangoModelFactory[Model]), while a plain call is untyped.


def _grant_role(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
    if create and extracted:
        user.groups.add(Group.objects.get(name=extracted))
        if extracted in (DATA_MANAGER, SUPERVISOR):
            user.is_staff = True
            user.save(update_fields=["is_staff"])


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-Mtm-2024")
    role = factory.PostGeneration(_grant_role)


def data_manager(**kwargs: Any) -> User:
    return UserFactory.create(role=DATA_MANAGER, **kwargs)


def supervisor(**kwargs: Any) -> User:
    return UserFactory.create(role=SUPERVISOR, **kwargs)


def enumerator_user(**kwargs: Any) -> User:
    return UserFactory.create(role=ENUMERATOR, **kwargs)


def supervisor_of(submission: models.Submission) -> User:
    """The supervisor of the team of the interview's enumerator (the factories set them all)."""
    enumerator = submission.enumerator
    assert enumerator is not None
    assert enumerator.team is not None
    supervisor: User | None = enumerator.team.supervisor
    assert supervisor is not None
    return supervisor


def user_of(enumerator: models.Enumerator) -> User:
    """The enumerator's log-in (EnumeratorFactory always makes one)."""
    user: User | None = enumerator.user
    assert user is not None
    return user


def round_of(form: models.KoboForm) -> models.Round:
    """The form's round (KoboFormFactory always sets one)."""
    assert form.round is not None
    return form.round


class RoundFactory(factory.django.DjangoModelFactory[models.Round]):
    class Meta:
        model = models.Round
        django_get_or_create = ("country", "number")

    country = "KZ"
    number = 3
    name = "Round 3 (Feb 2024)"
    fieldwork_start = dt.date(2024, 2, 1)
    fieldwork_end = dt.date(2024, 2, 29)
    status = models.Round.Status.FIELDWORK


class CityFactory(factory.django.DjangoModelFactory[models.Location]):
    class Meta:
        model = models.Location
        django_get_or_create = ("code",)

    code = "KZ-ALA"
    kind = models.Location.Kind.CITY
    name_en = "Almaty"
    name_ru = "Алматы"
    name_kk = "Алматы"
    centroid_lat = 43.238
    centroid_lon = 76.945


class DistrictFactory(factory.django.DjangoModelFactory[models.Location]):
    class Meta:
        model = models.Location
        django_get_or_create = ("code",)

    code = "KZ-ALA-BOS"
    kind = models.Location.Kind.DISTRICT
    parent = factory.SubFactory(CityFactory)
    name_en = "Bostandyk"
    name_ru = "Бостандыкский"
    name_kk = "Бостандық"
    centroid_lat = 43.21
    centroid_lon = 76.91


class QuotaFactory(factory.django.DjangoModelFactory[models.Quota]):
    class Meta:
        model = models.Quota

    round = factory.SubFactory(RoundFactory)
    location = factory.SubFactory(DistrictFactory)
    sex = models.Sex.FEMALE
    target = 40


class TeamFactory(factory.django.DjangoModelFactory[models.Team]):
    class Meta:
        model = models.Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Almaty team {n}")
    supervisor = factory.LazyFunction(supervisor)


class EnumeratorFactory(factory.django.DjangoModelFactory[models.Enumerator]):
    class Meta:
        model = models.Enumerator
        django_get_or_create = ("kobo_username",)

    kobo_username = factory.Sequence(lambda n: f"enum{n:02d}")
    user = factory.LazyAttribute(lambda o: enumerator_user(username=o.kobo_username))
    full_name = factory.Sequence(lambda n: f"Aigerim Nurlanovna {n}")
    sex = models.Sex.FEMALE
    team = factory.SubFactory(TeamFactory)


class KoboServerFactory(factory.django.DjangoModelFactory[models.KoboServer]):
    class Meta:
        model = models.KoboServer
        django_get_or_create = ("base_url",)

    name = "Local KoBo"
    base_url = "http://127.0.0.1:8765"
    api_token = "demo-token"
    is_active = False  # nothing syncs or pushes unless a test starts a KoBo server


class KoboFormFactory(factory.django.DjangoModelFactory[models.KoboForm]):
    class Meta:
        model = models.KoboForm
        django_get_or_create = ("server", "asset_uid")

    server = factory.SubFactory(KoboServerFactory)
    asset_uid = factory.Sequence(lambda n: f"aTestForm{n:06d}")
    name = "MTM R3 survey"
    round = factory.SubFactory(RoundFactory)


class SubmissionFactory(factory.django.DjangoModelFactory[models.Submission]):
    class Meta:
        model = models.Submission

    form = factory.SubFactory(KoboFormFactory)
    kobo_id = factory.Sequence(lambda n: 1000 + n)
    root_uuid = factory.LazyFunction(lambda: str(uuid.uuid4()))
    instance_id = factory.LazyAttribute(lambda o: f"uuid:{o.root_uuid}")
    submission_time = factory.LazyFunction(timezone.now)
    data = factory.LazyAttribute(lambda o: {"_id": o.kobo_id, "respondent/age": "34"})
    content_hash = factory.LazyAttribute(
        lambda o: hashlib.sha256(str(sorted(o.data.items())).encode()).hexdigest()
    )
    enumerator = factory.SubFactory(EnumeratorFactory)
    location = factory.SubFactory(DistrictFactory)
