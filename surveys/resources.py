"""django-import-export resources: locations, quotas, teams and enumerators (CSV and XLSX).

Every exported cell goes through ``mtm.spreadsheets.escape_cell`` (a location named ``=1+1``
stays text in Excel) and every imported one through ``unescape_cell``, so exports re-import
unchanged. Locations are resolved through one in-memory ``LocationIndex`` per import.
"""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models
from import_export import fields, instance_loaders, resources, widgets

from mtm.spreadsheets import escape_cell, unescape_cell
from surveys.gazetteer import UnknownLocationError, resolve_location
from surveys.imports.location_index import LocationIndex
from surveys.imports.problems import file_line
from surveys.models import Enumerator, Location, Quota, Round, Sex, Team
from surveys.roles import ENUMERATOR

_SEX_WORDS = {
    Sex.MALE: {"male", "m", "man", "men", "мужской", "мужчины", "м", "ер"},
    Sex.FEMALE: {"female", "f", "woman", "women", "женский", "женщины", "ж", "әйел"},
}


class LocationWidget(widgets.ForeignKeyWidget):
    """A location written as a code or a known name; renders the code."""

    index: LocationIndex | None = None  # set for the length of one import

    def __init__(self) -> None:
        super().__init__(Location, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Location | None:
        if value in (None, ""):
            return None
        if self.index is None:
            return resolve_location(str(value))
        return self.index.stub(self.index.resolve(str(value)))


class LocationsWidget(widgets.ManyToManyWidget):
    """Several locations separated by ';', each a code or a known name."""

    index: LocationIndex | None = None

    def __init__(self) -> None:
        super().__init__(Location, separator=";", field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        names = [part.strip() for part in str(value or "").split(";") if part.strip()]
        index = self.index
        pks = [
            index.resolve(name) if index is not None else resolve_location(name).pk
            for name in names
        ]
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.location_index: LocationIndex | None = None
        self.on_row: Any = None  # called with each row number: progress of background imports

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self._seen_keys: dict[tuple[str, ...], int] = {}
        location_widgets = [
            f.widget
            for f in self.fields.values()
            if isinstance(f.widget, LocationWidget | LocationsWidget)
        ]
        if location_widgets:
            self.location_index = LocationIndex.load()
            for widget in location_widgets:
                widget.index = self.location_index

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        if self.on_row is not None:
            self.on_row(int(kwargs.get("row_number") or 0))

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        return escape_cell(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        for name, value in row.items():
            row[name] = unescape_cell(value)
        self.normalise_row(row)
        # The same key twice in one file is a mistake to show, not a silent last-one-wins.
        key = tuple(str(row.get(name) or "").strip().casefold() for name in self._import_keys())
        line = int(kwargs.get("row_number") or 0)
        first = self._seen_keys.setdefault(key, line)
        if first != line:
            # Said in the file's lines (header = line 1), as the import pages number them.
            raise ValueError(f"This row repeats line {file_line(first)} ({', '.join(key)}).")

    def normalise_row(self, row: Any) -> None:
        """Rewrite a row before its key is read (a location named by alias gets its code)."""

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        # Field checks only: the table's constraints are checked by the database at save
        # (save_instance reports a violation with the constraint's message). Asking the
        # database once per constraint per row made a 20,000-row file take minutes.
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | self._indexed_foreign_keys()
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _indexed_foreign_keys(self) -> set[str]:
        """Foreign keys resolved through the import's index, so known to exist."""
        if self.location_index is None:
            return set()
        return {
            f.attribute
            for f in self.fields.values()
            if isinstance(f.widget, LocationWidget) and f.attribute
        }

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        try:
            super().save_instance(instance, is_create, row, **kwargs)
        except IntegrityError as exc:
            # The row's savepoint (django-import-export's per-row atomic) rolls it back.
            raise ValidationError(
                {NON_FIELD_ERRORS: [_constraint_message(instance, exc)]}
            ) from None

    def _import_keys(self) -> tuple[str, ...]:
        return tuple(self._meta.import_id_fields)

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        # A file with any bad row imports nothing: roll back on validation errors too.
        kwargs.setdefault("use_transactions", True)
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(*args, **kwargs)


class _IndexedLocationLoader(instance_loaders.BaseInstanceLoader):
    """Finds rows' locations through the import's index, loading the file's ones in one query."""

    def __init__(self, resource: Any, dataset: Any = None) -> None:
        super().__init__(resource, dataset)
        self._cache: dict[int, Location] | None = None

    def get_instance(self, row: Any) -> Location | None:
        index: LocationIndex | None = self.resource.location_index
        if index is None:
            return Location.objects.filter(code=str(row.get("code") or "")).first()
        if self._cache is None:
            self._cache = self._load(index)
        pk = index.pk_for_code(str(row.get("code") or ""))
        if pk is None:
            return None
        return self._cache.get(pk) or Location.objects.filter(pk=pk).first()

    def _load(self, index: LocationIndex) -> dict[int, Location]:
        pks = set()
        for value in (
            self.dataset["code"] if self.dataset and "code" in self.dataset.headers else []
        ):
            try:
                pks.add(index.resolve(unescape_cell(str(value or ""))))
            except UnknownLocationError:
                continue
        found = Location.objects.in_bulk(pks)
        parent = Location._meta.get_field("parent")
        for location in found.values():
            if location.parent_id is not None and location.parent_id in index.code_of:
                # Rendering the row's diff reads the parent's code: no query per row for it.
                parent.set_cached_value(location, index.stub(location.parent_id))  # type: ignore[attr-defined]
        return found


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
        instance_loader_class = _IndexedLocationLoader

    def normalise_row(self, row: Any) -> None:
        code = str(row.get("code") or "").strip()
        parent = str(row.get("parent") or "").strip()
        if code and parent.casefold() == code.casefold():
            raise ValueError(f"Location {code} cannot be its own parent.")
        index = self.location_index
        # A row may name an existing location by an alias (Nur-Sultan): update that one.
        if code and index is not None and index.pk_for_code(code) is None:
            try:
                row["code"] = index.code_of[index.resolve(code)]
            except UnknownLocationError:
                row["code"] = code

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        loop = (
            self.location_index.cycle_through(instance.pk, instance.parent_id)
            if (self.location_index is not None)
            else None
        )
        if loop:
            errors["parent"] = [
                f"Parent {loop[1]} would put {instance.code} inside itself: "
                + " → ".join(loop)
                + "."
            ]
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance: Location, row: Any, **kwargs: Any) -> None:
        if self.location_index is not None:
            self.location_index.add(instance)


class BulkLocationResource(LocationResource):
    """The location import for large files (background jobs, PostgreSQL): batched writes.

    Rows are still read, resolved and validated one by one (each error keeps its line); new
    locations get ids reserved from the table's sequence as they are read, so a later row can
    name one as its parent before the batch holding it is written (PostgreSQL checks the
    parent key at commit: Django makes foreign keys deferrable). A batch the database refuses
    is reported without a line: the job then runs the row-by-row import to find it.
    """

    class Meta(LocationResource.Meta):
        use_bulk = True
        batch_size = 1000
        skip_html_diff = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reserved: list[int] = []

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        if new:
            instance.pk = self._next_id()

    def _next_id(self) -> int:
        if not self._reserved:
            table = Location._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, self._meta.batch_size],
                )
                self._reserved = [pk for (pk,) in cursor.fetchall()][::-1]
        return self._reserved.pop()


class QuotaResource(_StrictResource):
    round = fields.Field(attribute="round", column_name="round", widget=RoundWidget())
    location = fields.Field(attribute="location", column_name="location", widget=LocationWidget())
    sex = fields.Field(attribute="sex", column_name="sex", widget=SexWidget())
    # The form's citizenship value (e.g. uz); blank or no column = every citizenship.
    citizenship = fields.Field(attribute="citizenship", column_name="citizenship", default="")
    target = fields.Field(attribute="target", column_name="target", widget=CountWidget())

    class Meta:
        model = Quota
        import_id_fields = ("round", "location", "sex", "citizenship")
        fields = ("round", "location", "sex", "citizenship", "target")
        clean_model_instances = True
        skip_unchanged = True

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if "citizenship" not in (dataset.headers or []):  # files from before the column
            dataset.append_col([""] * len(dataset), header="citizenship")
        super().before_import(dataset, **kwargs)

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

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        if instance.user_id is None and instance.kobo_username:
            refusal = _login_refusal(instance.kobo_username)
            if refusal:
                errors["kobo_username"] = [refusal]
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance: Enumerator, row: Any, **kwargs: Any) -> None:
        # Every enumerator gets a login for their task pages: never staff, no admin access.
        if instance.user_id is None:
            refusal = _login_refusal(instance.kobo_username)
            if refusal:  # validate_instance reports it; this guards any other caller
                raise ValueError(refusal)
            user, created = get_user_model().objects.get_or_create(
                username=instance.kobo_username, defaults={"is_staff": False}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=ENUMERATOR))
            instance.user = user


def _constraint_message(instance: models.Model, exc: IntegrityError) -> str:
    """The message of the model constraint the database refused the row for."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or ""
    for constraint in instance._meta.constraints:
        if constraint.name != name and constraint.name not in str(exc):
            continue
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            error = instance.unique_error_message(type(instance), tuple(constraint.fields))
            return " ".join(error.messages)
        return str(constraint.get_violation_error_message())
    return "The database refused this row (a rule of the table is broken)."


def _login_refusal(username: str) -> str:
    """Why an existing login of this name may not become an enumerator's ('' when it may).

    The import links an enumerator to the login of the same name and puts it in the
    enumerators' group; a staff, superuser or otherwise-privileged account must never be
    changed that way (a supervisor called "enum01" would lose nothing but gain a role).
    """
    user = get_user_model().objects.filter(username=username).prefetch_related("groups").first()
    if user is None:
        return ""
    if Enumerator.objects.filter(user=user).exists():
        return f"The login {username!r} already belongs to another enumerator."
    if user.is_staff or user.is_superuser:
        return (
            f"{username!r} is the username of a staff account; an enumerator cannot share it. "
            "Use the enumerator's own KoBo username."
        )
    others = [g.name for g in user.groups.all() if g.name != ENUMERATOR]
    if others or user.user_permissions.exists():
        return (
            f"{username!r} is the username of an account with other roles "
            f"({', '.join(others) or 'own permissions'}); an enumerator cannot share it."
        )
    return ""
