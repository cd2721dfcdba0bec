"""django-import-export resources: locations, quotas, teams and enumerators (CSV and XLSX)."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from import_export import fields, resources, widgets

from surveys.gazetteer import UnknownLocationError, resolve_location
from surveys.models import Enumerator, Location, Quota, Round, Sex, Team
from surveys.roles import ENUMERATOR

_SEX_WORDS = {
    Sex.MALE: {"male", "m", "man", "men", "мужской", "мужчины", "м", "ер"},
    Sex.FEMALE: {"female", "f", "woman", "women", "женский", "женщины", "ж", "әйел"},
}


class LocationWidget(widgets.ForeignKeyWidget):
    """A location written as a code or a known name; renders the code."""

    def __init__(self) -> None:
        super().__init__(Location, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Location | None:
        if value in (None, ""):
            return None
        return resolve_location(str(value))


class LocationsWidget(widgets.ManyToManyWidget):
    """Several locations separated by ';', each a code or a known name."""

    def __init__(self) -> None:
        super().__init__(Location, separator=";", field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        names = [part.strip() for part in str(value or "").split(";") if part.strip()]
        pks = [resolve_location(name).pk for name in names]
        return Location.objects.filter(pk__in=pks)


class SexWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        word = str(value or "").strip().casefold()
        for sex, words in _SEX_WORDS.items():
            if word in words:
                return str(sex)
        raise ValueError(f"Unknown sex {value!r}: use male or female.")


class RoundWidget(widgets.ForeignKeyWidget):
    """A round written as its number (R3 or 3), in the row's country (default KZ)."""

    def __init__(self) -> None:
        super().__init__(Round, field="number")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Round | None:
        text = str(value or "").strip().upper().removeprefix("R")
        if not text:
            return None
        try:
            number = int(float(text))
        except ValueError:
            raise ValueError(f"Round must be a number such as 3 or R3, got {value!r}.") from None
        country = str((row or {}).get("country") or "KZ").strip().upper()
        try:
            return Round.objects.get(country=country, number=number)
        except Round.DoesNotExist:
            raise ValueError(f"Round {number} of {country} does not exist.") from None


class NameListWidget(widgets.Widget):
    """A list of names written as 'a; b; c'."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        return [part.strip() for part in str(value or "").split(";") if part.strip()]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "; ".join(value or [])


class GeoJSONWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        if isinstance(value, dict):
            return value
        try:
            return json.loads(str(value))
        except json.JSONDecodeError as exc:
            raise ValueError(f"Boundary is not valid JSON: {exc.msg}.") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return json.dumps(value, separators=(",", ":")) if value else ""


class CountWidget(widgets.Widget):
    """A whole, non-negative number such as a quota target."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if value in (None, ""):
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"Must be a whole number, got {value!r}.") from None
        if not number.is_integer():
            raise ValueError(f"Must be a whole number, got {value!r}.")
        return int(number)


class _StrictResource(resources.ModelResource):
    """Validate every instance (field and constraint checks) so bad rows are reported."""

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self._seen_keys: dict[tuple[str, ...], int] = {}

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # The same key twice in one file is a mistake to show, not a silent last-one-wins.
        key = tuple(str(row.get(name) or "").strip().casefold() for name in self._import_keys())
        line = int(kwargs.get("row_number") or 0)
        first = self._seen_keys.setdefault(key, line)
        if first != line:
            raise ValueError(f"This row repeats line {first} ({', '.join(key)}).")

    def _import_keys(self) -> tuple[str, ...]:
        return tuple(self._meta.import_id_fields)

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        # A file with any bad row imports nothing: roll back on validation errors too.
        kwargs.setdefault("use_transactions", True)
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(*args, **kwargs)


class LocationResource(_StrictResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=LocationWidget())
    aliases = fields.Field(attribute="aliases", column_name="aliases", widget=NameListWidget())
    boundary = fields.Field(attribute="boundary", column_name="boundary", widget=GeoJSONWidget())

    class Meta:
        model = Location
        import_id_fields = ("code",)
        fields = (
            "code",
            "kind",
            "parent",
            "name_en",
            "name_ru",
            "name_kk",
            "aliases",
            "centroid_lat",
            "centroid_lon",
            "boundary",
            "is_active",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # A row may name an existing location by an alias (Nur-Sultan): update that one.
        code = str(row.get("code") or "").strip()
        if code and not Location.objects.filter(code=code).exists():
            try:
                row["code"] = resolve_location(code).code
            except UnknownLocationError:
                row["code"] = code
        super().before_import_row(row, **kwargs)


class QuotaResource(_StrictResource):
    round = fields.Field(attribute="round", column_name="round", widget=RoundWidget())
    location = fields.Field(attribute="location", column_name="location", widget=LocationWidget())
    sex = fields.Field(attribute="sex", column_name="sex", widget=SexWidget())
    target = fields.Field(attribute="target", column_name="target", widget=CountWidget())

    class Meta:
        model = Quota
        import_id_fields = ("round", "location", "sex")
        fields = ("round", "location", "sex", "target")
        clean_model_instances = True
        skip_unchanged = True

    def dehydrate_round(self, quota: Quota) -> int:
        return quota.round.number


class TeamResource(_StrictResource):
    supervisor = fields.Field(
        attribute="supervisor",
        column_name="supervisor",
        widget=widgets.ForeignKeyWidget(get_user_model(), field="username"),
    )
    locations = fields.Field(
        attribute="locations", column_name="locations", widget=LocationsWidget()
    )

    class Meta:
        model = Team
        import_id_fields = ("name",)
        fields = ("name", "supervisor", "locations", "working_hours_start", "working_hours_end")
        clean_model_instances = True
        skip_unchanged = True


class EnumeratorResource(_StrictResource):
    sex = fields.Field(attribute="sex", column_name="sex", widget=SexWidget())
    team = fields.Field(
        attribute="team", column_name="team", widget=widgets.ForeignKeyWidget(Team, field="name")
    )
    active_rounds = fields.Field(
        attribute="active_rounds",
        column_name="active_rounds",
        widget=widgets.ManyToManyWidget(Round, separator=";", field="number"),
    )

    class Meta:
        model = Enumerator
        import_id_fields = ("kobo_username",)
        fields = ("kobo_username", "full_name", "sex", "team", "active_rounds", "is_active")
        clean_model_instances = True
        skip_unchanged = True

    def before_save_instance(self, instance: Enumerator, row: Any, **kwargs: Any) -> None:
        # Every enumerator gets a login for their task pages: never staff, no admin access.
        if instance.user_id is None:
            user, created = get_user_model().objects.get_or_create(
                username=instance.kobo_username, defaults={"is_staff": False}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=ENUMERATOR))
            instance.user = user
