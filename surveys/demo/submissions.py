"""Realistic demo answers in KoBo's JSON shape, following the form's skip logic.

Violations can be planted on request, so the demo and tests have interviews to flag.
"""

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from surveys.demo.form_definition import CHOICES, DK, HARDSHIPS, REFUSE, SERVICES
from surveys.demo.locations import CENTROIDS

_TZ = dt.timezone(dt.timedelta(hours=5))
_LISTS: dict[str, list[str]] = {}
for _list, _name, *_ in CHOICES:
    _LISTS.setdefault(_list, []).append(_name)
_ORIGINS = ["uz"] * 5 + ["tj"] * 2 + ["kg"] * 2 + ["ru", "cn", "tm", "az"]
VIOLATIONS = (
    "not_relevant",
    "required_missing",
    "constraint",
    "ineligible_age",
    "kazakh",
    "recent_arrival",
    "too_short",
    "gps_far",
    "invalid_choice",
)


def _pick(rng: random.Random, list_name: str, *, dk_rate: float = 0.03) -> str:
    names = _LISTS[list_name]
    real = [n for n in names if n not in ("dk", "refuse")]
    if len(real) < len(names) and rng.random() < dk_rate:
        return rng.choice([n for n in names if n in ("dk", "refuse")])
    return rng.choice(real)


def _multi(rng: random.Random, list_name: str) -> str:
    real = [n for n in _LISTS[list_name] if n not in ("dk", "refuse", "other", "none", "nothing")]
    return " ".join(sorted(rng.sample(real, rng.randint(1, min(3, len(real))))))


def generate_submission(
    rng: random.Random,
    *,
    version: str = "v2",
    enumerator: str,
    district_code: str,
    sex: str | None = None,
    interview_date: dt.date | None = None,
    violations: Sequence[str] = (),
) -> dict[str, Any]:
    """One interview's answers: strings, group paths, non-relevant questions absent."""
    day = interview_date or dt.date(2024, 2, 1) + dt.timedelta(days=rng.randint(0, 27))
    start = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), _TZ)
    minutes = 4 if "too_short" in violations else rng.randint(25, 60)
    end = start + dt.timedelta(minutes=minutes, seconds=rng.randint(0, 59))
    region = district_code.rsplit("-", 1)[0]
    age = 16 if "ineligible_age" in violations else rng.randint(19, 58)
    arrival = day - dt.timedelta(
        days=10 if "recent_arrival" in violations else rng.randint(45, 2000)
    )
    a: dict[str, Any] = {
        "start": start.isoformat(timespec="milliseconds"),
        "end": end.isoformat(timespec="milliseconds"),
        "today": day.isoformat(),
        "deviceid": f"collect:{enumerator}",
        "consent": "yes",
        "screening/enumerator": enumerator,
        "screening/region": region,
        "screening/district": district_code,
        "screening/age": str(age),
        "screening/citizenship": "kz" if "kazakh" in violations else rng.choice(_ORIGINS),
        "screening/dual_citizenship": "no",
        "screening/employment_status": rng.choice(["working"] * 8 + ["worked", "looking"]),
        "screening/interviewed_before": "no",
        "screening/arrival_date": arrival.isoformat(),
        "screening/legal_status": "no",
    }
    days = (day - arrival).days
    a["screening/days_in_kz"] = str(days)
    eligible = age >= 18 and a["screening/citizenship"] != "kz" and days >= 30
    a["screening/eligible"] = "yes" if eligible else "no"
    if not eligible:
        return a
    working = a["screening/employment_status"] == "working"
    children = rng.choice([0, 0, 1, 2, 3])
    a.update(
        {
            "profile/sex": sex or rng.choice(["male", "male", "female"]),
            "profile/marital_status": _pick(rng, "marital"),
            "profile/education": rng.choice(
                ["primary", "secondary", "secondary", "vocational", "higher"]
            ),
            "profile/household_provider": rng.choice(["yes", "no"]),
            "profile/dependants": str(rng.randint(0, 6)),
            "profile/children_count": str(children),
            "profile/family_in_kz": rng.choice(["yes", "no"]),
        }
    )
    if a["profile/education"] not in ("none", "primary"):
        a["profile/education_field"] = _pick(rng, "field")
    if children:
        kids = []
        for _ in range(children):
            child_age = rng.randint(0, 17)
            kid = {
                "profile/children/child_age": str(child_age),
                "profile/children/child_sex": rng.choice(["male", "female"]),
                "profile/children/child_location": _pick(rng, "child_location"),
            }
            if child_age >= 7:
                kid["profile/children/child_school"] = rng.choice(["yes", "no"])
            kids.append(kid)
        a["profile/children"] = kids
    lived_in_russia = rng.random() < 0.3
    a.update(
        {
            "migration/origin_country": a["screening/citizenship"],
            "migration/left_origin_date": (
                arrival - dt.timedelta(days=rng.randint(0, 900))
            ).isoformat(),
            "migration/first_arrival_year": str(rng.randint(2010, 2023)),
            "migration/migration_reasons": _multi(rng, "reasons"),
            "migration/why_kazakhstan": _multi(rng, "why_kz"),
            "migration/expected_stay": _pick(rng, "stay"),
            "migration/lived_in_russia": "yes" if lived_in_russia else "no",
            "migration/intention_12m": _pick(rng, "intention"),
            "migration/registered": rng.choice(["yes", "yes", "no"]),
            "migration/work_permit": _pick(rng, "permit", dk_rate=0),
        }
    )
    if lived_in_russia:
        a["migration/return_to_russia"] = _pick(rng, "yesno_dk")
    worked_before = rng.random() < 0.7
    a["employment/worked_before"] = "yes" if worked_before else "no"
    if worked_before:
        a["employment/sector_before"] = _pick(rng, "sector")
    if working:
        a.update(
            {
                "employment/sector": _pick(rng, "sector"),
                "employment/contract": _pick(rng, "contract"),
                "employment/pension": _pick(rng, "yesno_dk"),
                "employment/paid_leave": _pick(rng, "yesno_dk"),
                "employment/job_found": _pick(rng, "job_found"),
                "employment/agency": rng.choice(["yes", "no", "no"]),
                "employment/hours_week": str(rng.randint(30, 72)),
                "employment/work_challenges": _multi(rng, "challenges"),
                "employment/income_band": _pick(rng, "income", dk_rate=0.08),
            }
        )
    sends = rng.random() < 0.75
    a["employment/income_sufficiency"] = _pick(rng, "sufficiency")
    a["employment/sends_money"] = "yes" if sends else "no"
    if sends:
        a.update(
            {
                "employment/remit_share": str(rng.choice([10, 20, 25, 30, 40, 50, 60])),
                "employment/remit_frequency": _pick(rng, "frequency"),
                "employment/remit_channel": _pick(rng, "channel"),
                "employment/remit_purpose": _multi(rng, "purpose"),
            }
        )
    satisfaction = _pick(rng, "satisfaction")
    a.update(
        {
            "wellbeing/housing": _pick(rng, "housing"),
            "wellbeing/people_in_dwelling": str(rng.randint(1, 12)),
            "wellbeing/satisfaction": satisfaction,
        }
    )
    if satisfaction in ("dissatisfied", "very_dissatisfied"):
        a["wellbeing/dissatisfaction_reasons"] = _multi(rng, "dissatisfaction")
    for key in ("health", "education", "bank", "legal", "housing_aid"):
        a[f"wellbeing/access_{key}"] = _pick(rng, "yesno_dk")
    a.update(
        {
            "wellbeing/cannot_afford": _multi(rng, "afford"),
            "wellbeing/informed_rights": _pick(rng, "yesno_dk"),
            "wellbeing/info_channels": _multi(rng, "info_channel"),
            "wellbeing/relations_locals": _pick(rng, "relations"),
        }
    )
    if version == "v2":
        a["wellbeing/sanctions_impact"] = _pick(rng, "yesno_dk")
    for key in ("safe", "welcome", "fair_pay", "treated_equal", "recommend"):
        a[f"wellbeing/agree_{key}"] = rng.choice(["2", "3", "4", "4", "5"])
    faced = 0
    for key, _, _ in HARDSHIPS:
        answer = rng.choices(["yes", "no", DK, REFUSE], weights=[2, 10, 0.3, 0.2])[0]
        a[f"wellbeing/hardship_{key}"] = answer
        faced += answer == "yes"
    if faced:
        a["wellbeing/hardships_count"] = str(rng.randint(0, faced))
        if a["wellbeing/hardships_count"] != "0":
            a["wellbeing/help_sources"] = _multi(rng, "help_source")
    for key, _, _ in SERVICES:
        a[f"wellbeing/used_{key}"] = _pick(rng, "yesno_dk")
    lat, lon = CENTROIDS[district_code]
    if "gps_far" in violations:
        lat, lon = lat + 0.5, lon + 0.5
    a["wellbeing/gps"] = (
        f"{lat + rng.uniform(-0.015, 0.015):.6f} "
        f"{lon + rng.uniform(-0.015, 0.015):.6f} {rng.randint(400, 900)}.0 "
        f"{rng.uniform(3, 20):.1f}"
    )
    followup = rng.random() < 0.4
    a["wellbeing/followup_consent"] = "yes" if followup else "no"
    if followup:
        a["wellbeing/phone"] = f"+7707{rng.randint(1000000, 9999999)}"
    _plant(rng, a, violations, working, sends)
    return a


def _plant(
    rng: random.Random, a: dict[str, Any], violations: Sequence[str], working: bool, sends: bool
) -> None:
    if "not_relevant" in violations and not working:
        a["employment/sector"] = "construction"  # answered although not working
    elif "not_relevant" in violations and not sends:
        a["employment/remit_share"] = "30"
    if "required_missing" in violations:
        a.pop("migration/expected_stay", None)
    if "constraint" in violations and sends:
        a["employment/remit_share"] = "140"
    elif "constraint" in violations:
        a["wellbeing/people_in_dwelling"] = "0"
    if "invalid_choice" in violations:
        a["wellbeing/relations_locals"] = "excellent"
