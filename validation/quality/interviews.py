"""Stored submissions as the checks' Interview rows (identifiers hashed), a run's context."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from surveys.models import Location, Round, Submission, Team
from validation.checks import identifiers
from validation.checks.base import (
    CheckContext,
    Interview,
    is_answer_key,
)
from validation.models.check_config import QUESTION_ROLES
from validation.quality.config import EffectiveConfig

# --- building interviews ---------------------------------------------------------------------


@functools.cache
def _hmac_key_for(secret: str) -> bytes:
    return hashlib.sha256(b"mtm-respondent-identifier:" + secret.encode()).digest()


def _hmac_key() -> bytes:
    # A key of its own (MTM_HASH_KEY), not SECRET_KEY: rotating the session key must not
    # silently change every respondent hash, nor a leak of one give away the other.
    return _hmac_key_for(settings.MTM_HASH_KEY)


def identifier_hash(kind: str, raw: str) -> str | None:
    """A keyed hash of a phone number or name, normalised first; None when there is none.

    Keyed (HMAC of an MTM_HASH_KEY-derived key) so a leaked flag cannot be reversed by hashing
    every phone number; only hashes (validation.checks.identifiers) reach the checks, and none
    is ever written to a flag.
    """
    encoded = identifiers.encode(_hmac_key(), **{kind: raw})
    return encoded.phone_hash if kind == "phone" else encoded.name_hash


def _text(data: Mapping[str, Any], path: str) -> str | None:
    if not path:
        return None
    value = data.get(path)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _age(raw: str | None) -> int | None:
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return int(value) if value is not None and value.is_integer() else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _gps(raw: str | None) -> tuple[float, float, float | None, float | None] | None:
    """ODK geopoint "lat lon altitude accuracy"; None when absent or unreadable."""
    if not raw:
        return None
    parts = raw.split()
    try:
        numbers = [float(p) for p in parts[:4]]
    except ValueError:
        return None
    if len(numbers) < 2:
        return None
    alt = numbers[2] if len(numbers) > 2 else None
    acc = numbers[3] if len(numbers) > 3 else None
    return (numbers[0], numbers[1], alt, acc)


@dataclass(frozen=True)
class _Row:
    """What a submission row gives the builder (data may be the whole answers or a few keys)."""

    pk: int
    kobo_id: int
    root_uuid: str
    instance_id: str
    form_id: int
    round_id: int
    enumerator: str | None
    team: str | None
    location: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    submission_time: dt.datetime
    data: Mapping[str, Any]


def build_interview(row: _Row, questions: Mapping[str, Any]) -> Interview:
    """An Interview for the checks; phone and name leave as keyed hashes, never in clear."""
    data = row.data
    private = {questions.get("phone") or "", questions.get("name") or ""} - {""}
    phone, name = _text(data, questions.get("phone") or ""), _text(data, questions.get("name", ""))
    answers = {
        key: str(value)
        for key, value in data.items()
        if key not in private
        and isinstance(value, str | int | float)
        and not isinstance(value, bool)
    }
    answered = sum(1 for key, value in answers.items() if value.strip() and is_answer_key(key))
    ids = identifiers.encode(_hmac_key(), phone=phone, name=name)
    return Interview(
        id=row.pk,
        kobo_id=row.kobo_id,
        root_uuid=row.root_uuid,
        instance_id=row.instance_id,
        form_id=row.form_id,
        round_id=row.round_id,
        enumerator=row.enumerator,
        team=row.team,
        location=row.location,
        sex=_text(data, questions["sex"]),
        age=_age(_text(data, questions["age"])),
        nationality=_text(data, questions["nationality"]),
        arrival_date=_date(_text(data, questions["arrival_date"])),
        start=row.started_at,
        end=row.ended_at,
        submitted=row.submission_time,
        gps=_gps(_text(data, questions["gps"])),
        phone_hash=ids.phone_hash,
        name_hash=ids.name_hash,
        answers=answers,
        answered=answered,
        phone_keys=ids.phone_keys,
        name_parts=ids.name_parts,
    )


_ROW_FIELDS = (
    "pk",
    "kobo_id",
    "root_uuid",
    "instance_id",
    "form_id",
    "form__round_id",
    "enumerator__kobo_username",
    "submitted_by",
    "enumerator__team__name",
    "location__code",
    "started_at",
    "ended_at",
    "submission_time",
)


def load_interviews(
    rows: QuerySet[Submission], questions: Mapping[str, Any], *, only_keys: Sequence[str] = ()
) -> list[Interview]:
    """Interviews of the rows; with only_keys, just those answers are read (in SQL)."""
    annotations = {f"k{i}": KeyTextTransform(key, "data") for i, key in enumerate(only_keys)}
    fields = [*_ROW_FIELDS, *annotations] if only_keys else [*_ROW_FIELDS, "data"]
    out = []
    for values in rows.annotate(**annotations).values_list(*fields).iterator(chunk_size=2000):
        if only_keys:
            extra = values[len(_ROW_FIELDS) :]
            data = {k: v for k, v in zip(only_keys, extra, strict=True) if v is not None}
        else:
            data = values[-1]
        (pk, kobo_id, root, instance, form_id, round_id, username, submitted_by) = values[:8]
        team, location, started, ended, submitted = values[8:13]
        row = _Row(
            pk,
            kobo_id,
            root,
            instance,
            form_id,
            round_id or 0,
            username or submitted_by or None,
            team,
            location,
            started,
            ended,
            submitted,
            data,
        )
        out.append(build_interview(row, questions))
    return out


def lean_keys(questions: Mapping[str, Any]) -> list[str]:
    roles = [questions[r] for r in QUESTION_ROLES if r != "gps" and questions.get(r)]
    return sorted(
        set(roles) | set(questions["numeric_questions"]) | set(questions["respondent_facts"])
    )


# --- context -----------------------------------------------------------------------------------


def build_context(
    round_: Round | None, config: EffectiveConfig, *, now: dt.datetime | None = None
) -> CheckContext:
    """The round's dates, team hours, location geometry, and the configured question lists."""
    locations = Location.objects.filter(is_active=True).values_list(
        "code", "boundary", "centroid_lat", "centroid_lon"
    )
    q = config.questions
    return CheckContext(
        fieldwork_start=round_.fieldwork_start if round_ else None,
        fieldwork_end=round_.fieldwork_end if round_ else None,
        now=now or timezone.now(),
        working_hours={
            name: (start, end)
            for name, start, end in Team.objects.values_list(
                "name", "working_hours_start", "working_hours_end"
            )
        },
        timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
        boundaries={code: boundary for code, boundary, _, _ in locations if boundary},
        centroids={
            code: (lat, lon)
            for code, _, lat, lon in locations
            if lat is not None and lon is not None
        },
        numeric_questions=tuple(q["numeric_questions"]),
        dk_values=frozenset(q["dk_values"]),
        refuse_values=frozenset(q["refuse_values"]),
        straightline_blocks=tuple(tuple(block) for block in q["straightline_blocks"]),
        params=config.params,
        enabled=config.enabled,
        respondent_facts=tuple(q["respondent_facts"]),
    )
