"""Baseline figures from key-informant interviews (the BMA's KoBo form), after each sync.

The key-informant form records, per interview, the location (its `location_field`, as the
survey does) and a repeat group of years; each year gives, per target population, a total
and a count of men and of women when the informant knows them:

    years/year, years/mw_total, years/mw_male, years/mw_female   (international migrant workers)
                years/rm_…                                        (return migrants)
                years/em_…                                        (emigrants)

and `presence/<prefix>_present` = "no" says that population is absent (a count of 0).

Several informants describe one location (the reports name no consolidation rule), so a
figure is the median of their counts, rounded half up; `informants` says how many gave one.
A total missing beside both sexes is their sum. Imported figures (source=import) are a data
manager's word and are never overwritten or deleted here.

Re-deriving is incremental: each location's active interviews are fingerprinted (pk and
content hash, read without the answers); only locations whose fingerprint moved (an
interview added, edited, deleted) are read in full and rewritten.
"""

import hashlib
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    BaselineFigure,
    BaselineInputs,
    KoboForm,
    Submission,
    TargetPopulation,
)

logger = logging.getLogger(__name__)

REPEAT = "years"
PREFIXES: dict[str, str] = {
    "mw": TargetPopulation.MIGRANT_WORKERS,
    "rm": TargetPopulation.RETURN_MIGRANTS,
    "em": TargetPopulation.EMIGRANTS,
}
SEXES = ("male", "female")
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_COUNT = 10_000_000  # above any Kazakh location's population: a typing slip, not a count

FigureKey = tuple[int, str, str]  # year, population, sex ("" = total)


@dataclass
class DeriveReport:
    form: str
    locations: int = 0  # locations re-derived
    interviews: int = 0  # interviews read in full
    written: int = 0
    deleted: int = 0
    kept_imported: int = 0  # figures left alone because a data manager imported them
    problems: list[str] = field(default_factory=list)


def parse_interview(answers: dict[str, Any]) -> tuple[dict[FigureKey, int], list[str]]:
    """One interview's counts by (year, population, sex) and what could not be read."""
    out: dict[FigureKey, int] = {}
    problems: list[str] = []
    absent = {
        population
        for prefix, population in PREFIXES.items()
        if _answer(answers, f"{prefix}_present") == "no"
    }
    entries = answers.get(REPEAT)
    if not isinstance(entries, list):
        return out, problems
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append("a year entry is not a group of answers")
            continue
        year = _int(entry.get(f"{REPEAT}/year"))
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            problems.append(f"year {entry.get(f'{REPEAT}/year')!r} is not a year")
            continue
        for prefix, population in PREFIXES.items():
            if population in absent:
                out[(year, population, "")] = 0
                continue
            counts: dict[str, int] = {}
            for part in ("total", *SEXES):
                raw = entry.get(f"{REPEAT}/{prefix}_{part}")
                if raw in (None, ""):
                    continue
                value = _int(raw)
                if value is None or not 0 <= value <= MAX_COUNT:
                    problems.append(f"{year} {prefix}_{part}: {raw!r} is not a count")
                    continue
                counts[part] = value
            if "total" not in counts and all(s in counts for s in SEXES):
                counts["total"] = counts["male"] + counts["female"]
            for part, value in counts.items():
                out[(year, population, "" if part == "total" else part)] = value
    return out, problems


def _answer(answers: dict[str, Any], name: str) -> str:
    suffix = "/" + name
    for key, value in answers.items():
        if (key == name or key.endswith(suffix)) and isinstance(value, str):
            return value.strip()
    return ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def median_half_up(values: list[int]) -> int:
    """Median of informants' counts; an even count's half rounds up (2.5 -> 3, not 2)."""
    middle = statistics.median(values)
    return int(middle + 0.5) if middle >= 0 else int(middle)


def ki_submissions(round_id: int) -> Any:
    return Submission.objects.filter(
        form__round_id=round_id,
        form__instrument=KoboForm.Instrument.KEY_INFORMANT,
        deleted_at__isnull=True,
    )


def _fingerprints(form: KoboForm) -> dict[int, tuple[str, int]]:
    """Each location's (digest, interviews) over the form's active interviews; no answers read."""
    rows = (
        Submission.objects.filter(form=form, deleted_at__isnull=True, location__isnull=False)
        .order_by("location_id", "pk")
        .values_list("location_id", "pk", "content_hash")
    )
    digests: dict[int, Any] = {}
    counts: dict[int, int] = defaultdict(int)
    for location_id, pk, digest in rows:
        digests.setdefault(location_id, hashlib.sha256()).update(f"{pk}:{digest};".encode())
        counts[location_id] += 1
    return {loc: (h.hexdigest(), counts[loc]) for loc, h in digests.items()}


def derive_baseline(form: KoboForm, *, everything: bool = False) -> DeriveReport:
    """Re-derive the figures of the form's locations whose interviews changed since last time."""
    report = DeriveReport(form=form.asset_uid)
    if form.instrument != KoboForm.Instrument.KEY_INFORMANT:
        return report
    if form.round_id is None:
        report.problems.append("the form has no round: its figures have nowhere to go")
        logger.warning("baseline: key-informant form %s has no round", form.asset_uid)
        return report
    now = _fingerprints(form)
    stored = {
        s.location_id: s
        for s in BaselineInputs.objects.filter(form=form).only("location_id", "fingerprint")
    }
    changed = {
        loc
        for loc in set(now) | set(stored)
        if everything
        or loc not in stored
        or loc not in now
        or stored[loc].fingerprint != now[loc][0]
    }
    if not changed:
        return report
    with transaction.atomic():
        _rederive(form.round_id, changed, report)
        BaselineInputs.objects.filter(form=form, location_id__in=changed - set(now)).delete()
        for loc in changed & set(now):
            digest, interviews = now[loc]
            BaselineInputs.objects.update_or_create(
                form=form,
                location_id=loc,
                defaults={"fingerprint": digest, "interviews": interviews},
            )
    report.locations = len(changed)
    logger.info(
        "baseline from %s: %d locations, %d written, %d deleted, %d problems",
        form.asset_uid,
        report.locations,
        report.written,
        report.deleted,
        len(report.problems),
    )
    return report


def _rederive(round_id: int, locations: Iterable[int], report: DeriveReport) -> None:
    """Replace the key-informant figures of these locations (every KI form of the round)."""
    locations = set(locations)
    reports: dict[tuple[int, FigureKey], list[int]] = defaultdict(list)
    rows = ki_submissions(round_id).filter(location_id__in=locations)
    for location_id, kobo_id, answers in rows.values_list("location_id", "kobo_id", "data"):
        report.interviews += 1
        counts, problems = parse_interview(answers or {})
        report.problems.extend(f"interview {kobo_id}: {p}" for p in problems)
        for key, value in counts.items():
            reports[(location_id, key)].append(value)
    wanted = {
        (loc, *key): (median_half_up(values), len(values)) for (loc, key), values in reports.items()
    }
    existing = {
        (f.location_id, f.year, f.population, f.sex): f
        for f in BaselineFigure.objects.filter(round_id=round_id, location_id__in=locations)
    }
    stale = [
        f.pk
        for key, f in existing.items()
        if f.source == BaselineFigure.Source.KEY_INFORMANTS and key not in wanted
    ]
    report.deleted += BaselineFigure.objects.filter(pk__in=stale).delete()[0]
    new: list[BaselineFigure] = []
    changed: list[BaselineFigure] = []
    for (loc, year, population, sex), (count, informants) in wanted.items():
        figure = existing.get((loc, year, population, sex))
        if figure is None:
            new.append(
                BaselineFigure(
                    round_id=round_id,
                    location_id=loc,
                    year=year,
                    population=population,
                    sex=sex,
                    count=count,
                    informants=informants,
                    source=BaselineFigure.Source.KEY_INFORMANTS,
                )
            )
        elif figure.source == BaselineFigure.Source.IMPORT:
            report.kept_imported += 1
        elif (figure.count, figure.informants) != (count, informants):
            figure.count, figure.informants = count, informants
            figure.updated_at = timezone.now()  # bulk_update skips auto_now
            changed.append(figure)
    BaselineFigure.objects.bulk_create(new)
    BaselineFigure.objects.bulk_update(changed, ["count", "informants", "updated_at"])
    report.written += len(new) + len(changed)
