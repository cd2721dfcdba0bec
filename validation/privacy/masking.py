"""Personal data in answers and texts: which answers are personal, and how they are masked.

The round's question map declares the personal-data questions (`personal_data`, plus the phone,
name and gps roles). Reviewers see them masked (`+7 7** *** **67`, `A*** B***`, a GPS point to
~1 km) until they reveal one, which is logged (privacy.audit); flag messages, flag values,
the cleaning log and the API carry the masked form only.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from validation.models import CheckConfig
from validation.models.check_config import DEFAULT_LISTS, QUESTION_ROLES

PHONE, NAME, ID_NUMBER, GPS, OTHER = "phone", "name", "id", "gps", "other"
HIDDEN = "***"
KOBO_GEOLOCATION = "_geolocation"
_ROLE_KINDS = {"phone": PHONE, "name": NAME, "gps": GPS}
# Kinds told by the question's name when the question map gives no role.
_NAME_KINDS = (
    (re.compile(r"(^|_)(gps|geo|geopoint|location_point|coords?)($|_)", re.I), GPS),
    (re.compile(r"(^|_)(phone|tel|mobile|whatsapp|telegram)($|_)", re.I), PHONE),
    (re.compile(r"(^|_)(name|surname|first_name|last_name|full_name|fio)($|_)", re.I), NAME),
    (re.compile(r"(^|_)(passport|iin|id|id_number|document|doc_number)($|_)", re.I), ID_NUMBER),
)
_GPS_KEYS = frozenset({"lat", "lon", "lng", "latitude", "longitude"})
_MIN_QUOTED = 3  # shorter answers ("no", "5") say nothing about a person and are everywhere


def mask_phone(raw: str) -> str:
    """The first two and last two digits, grouped as a phone number: +7 7** *** **67."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7:
        return HIDDEN
    shown = digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    n = len(shown)
    groups = [shown[: n - 10]] if n > 10 else []
    tail = shown[-10:]
    groups += [tail[:-7], tail[-7:-4], tail[-4:]]
    return ("+" if raw.strip().startswith("+") else "") + " ".join(g for g in groups if g)


def mask_name(raw: str) -> str:
    """Each word's first letter: A*** B***."""
    words = raw.split()
    return " ".join(w[0] + "***" for w in words) if words else HIDDEN


def mask_id(raw: str) -> str:
    """Only the last two characters of a long enough number: *******34."""
    text = raw.strip()
    return "*" * (len(text) - 2) + text[-2:] if len(text) >= 6 else HIDDEN


def gps_point(raw: object) -> tuple[float, float] | None:
    """Latitude and longitude of an ODK geopoint ("lat lon [alt [accuracy]]")."""
    parts = str(raw or "").split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """Two decimals: about 1 km, enough to see the district, not the door."""
    return round(lat, 2), round(lon, 2)


def mask_gps(raw: str) -> str:
    point = gps_point(raw)
    if point is None:
        return HIDDEN
    lat, lon = coarse_point(*point)
    return f"{lat:.2f} {lon:.2f} (±1 km)"


_MASKS = {PHONE: mask_phone, NAME: mask_name, ID_NUMBER: mask_id, GPS: mask_gps}


def mask(kind: str, raw: object) -> str:
    text = "" if raw is None else str(raw)
    if not text.strip():
        return ""
    if "*" in text:
        return text  # masked already (a flag's stored value): masking again would lose it
    if kind == OTHER and gps_point(text) is not None and len(text.split()) >= 2:
        kind = GPS  # an undeclared kind that reads as a point is masked as one
    return _MASKS.get(kind, lambda _: HIDDEN)(text)


def kind_of(path: str, role_paths: Mapping[str, str]) -> str:
    for role, kind in _ROLE_KINDS.items():
        if role_paths.get(role) == path:
            return kind
    name = path.rsplit("/", 1)[-1]
    return next((kind for pattern, kind in _NAME_KINDS if pattern.search(name)), OTHER)


@dataclass(frozen=True)
class PersonalData:
    """A form's personal-data questions (KoBo paths) and the kind of each, for masking."""

    kinds: dict[str, str] = field(default_factory=dict)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.path_of(path) is not None

    def path_of(self, key: str) -> str | None:
        """The declared path a data key or a repeat path (`g/r[2]/q`, `/data/g/q`) is."""
        plain = re.sub(r"\[\d+\]", "", key).lstrip("/")
        if plain in self.kinds:
            return plain
        return next((p for p in self.kinds if plain.endswith("/" + p)), None)

    def mask_answer(self, key: str, raw: object) -> str:
        path = self.path_of(key)
        return mask(self.kinds[path], raw) if path is not None else str(raw)

    def masked_data(self, data: Any) -> Any:
        """The answers with every personal answer masked (repeats included).

        KoBo's `_geolocation` copies the form's first geopoint as [lat, lon]: coarsened too
        when the form's GPS is personal.
        """
        if isinstance(data, Mapping):
            return {key: self._masked_entry(str(key), value) for key, value in data.items()}
        if isinstance(data, list):
            return [self.masked_data(item) for item in data]
        return data

    def _masked_entry(self, key: str, value: Any) -> Any:
        if key in self and not isinstance(value, list | dict):
            return self.mask_answer(key, value)
        if key == KOBO_GEOLOCATION:
            return self._coarse_geolocation(value)
        return self.masked_data(value)

    def _coarse_geolocation(self, value: Any) -> Any:
        if GPS not in self.kinds.values() or not isinstance(value, list) or len(value) != 2:
            return value
        lat, lon = value
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return [None, None] if any(v is not None for v in value) else value
        return list(coarse_point(float(lat), float(lon)))

    def quoted(self, data: Any) -> list[tuple[str, str]]:
        """(text as quoted, its mask) for each personal answer in `data`, longest first."""
        pairs: dict[str, str] = {}
        for key, value in _leaves(data):
            path = self.path_of(key)
            text = "" if value is None else str(value).strip()
            if path is None or len(text) < _MIN_QUOTED:
                continue
            kind = self.kinds[path]
            masked = mask(kind, text)
            pairs[text] = masked
            if kind == PHONE:
                digits = re.sub(r"\D", "", text)
                if len(digits) >= 7:
                    pairs.setdefault(digits, masked)
            point = gps_point(text)
            if point is not None:
                # Each coordinate alone, as written and as a float prints it.
                coarse = coarse_point(*point)
                for written, number, rounded in zip(text.split()[:2], point, coarse, strict=True):
                    for form in (written, repr(number)):
                        if "." in form and len(form.split(".")[1]) > 2:
                            pairs.setdefault(form, f"{rounded:.2f}")
        return sorted(pairs.items(), key=lambda p: -len(p[0]))

    def redact_text(self, text: str, quoted: Iterable[tuple[str, str]]) -> str:
        for raw, masked in quoted:
            if raw in text:
                text = text.replace(raw, masked)
        return text

    def redact_values(self, values: Any, quoted: list[tuple[str, str]], key: str = "") -> Any:
        """A flag's recorded values with personal answers masked and coordinates coarsened."""
        if isinstance(values, Mapping):
            return {k: self.redact_values(v, quoted, str(k)) for k, v in values.items()}
        if isinstance(values, list):
            return [self.redact_values(v, quoted, key) for v in values]
        if key and key in self and values is not None and not isinstance(values, bool):
            return self.mask_answer(key, values)
        if key.casefold() in _GPS_KEYS and isinstance(values, float):
            return round(values, 2)
        if isinstance(values, str):
            return self.redact_text(values, quoted)
        if isinstance(values, int | float) and not isinstance(values, bool):
            as_text = str(values)
            for raw, masked in quoted:
                if raw == as_text:
                    return masked
        return values


def _leaves(data: Any, key: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _leaves(v, str(k))
    elif isinstance(data, list):
        for item in data:
            yield from _leaves(item, key)
    elif key:
        yield key, data


def personal_data_from_map(question_map: Mapping[str, Any] | None) -> PersonalData:
    """The personal-data questions a question map declares (the MTM defaults where silent)."""
    mapping = {**QUESTION_ROLES, **DEFAULT_LISTS, **(question_map or {})}
    roles = {role: str(mapping.get(role) or "") for role in _ROLE_KINDS}
    declared = mapping.get("personal_data")
    paths = [p for p in (declared if isinstance(declared, list) else []) if isinstance(p, str)]
    paths += [p for p in roles.values() if p]
    return PersonalData({p.strip("/"): kind_of(p.strip("/"), roles) for p in paths if p.strip()})


def personal_data_for(*, form_id: int | None, round_id: int | None) -> PersonalData:
    """The form's personal data by the most specific active check configuration.

    As the quality checks choose theirs: round + form, then form, then round.
    """
    scope = Q(form_id=form_id, round_id=round_id) | Q(form_id=form_id, round__isnull=True)
    if round_id is not None:
        scope |= Q(form__isnull=True, round_id=round_id)
    rows = CheckConfig.objects.filter(is_active=True).filter(scope)
    ranked = sorted(
        rows.values("form_id", "round_id", "question_map"),
        key=lambda c: (c["form_id"] is None, c["round_id"] is None),
    )
    question_map = ranked[0]["question_map"] if ranked else None
    return personal_data_from_map(question_map if isinstance(question_map, dict) else None)
