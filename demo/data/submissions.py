"""Realistic demo answers in KoBo's JSON shape, following the form's skip logic.

Categorical answers are drawn from the round's published shares (the codebook's `shares`,
mtm-instrument-and-figures.md §4.1 for Round 3), so the demo round's figures land near the
report's. Answers the reports do not quantify are drawn evenly, with a few "don't know" and
refusals. Violations can be planted on request, so the demo and tests have interviews to flag.
"""

import datetime as dt
import math
import random
from collections.abc import Sequence
from functools import cache
from typing import Any

from demo.data.codebook import Codebook, load_codebook
from demo.data.form_definition import CHOICES, DK, HARDSHIPS, REFUSE, SERVICES
from demo.data.locations import CENTROIDS

_TZ = dt.timezone(dt.timedelta(hours=5))
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
# Answers that stand alone in a select_multiple.
_EXCLUSIVE = ("none", DK, REFUSE)
_WORKED = ("private", "public", "daily_wage", "self_employed")
_RETURNS = {"return_improves": "yes", "return_sanctions": "yes", "stay_kz": "no"}
# (mean age of men, of women) in R3.
_MEAN_AGE = {"male": 34, "female": 36}


@cache
def _lists(codebook: Codebook) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for list_name, name, *_ in CHOICES:
        lists.setdefault(list_name, []).append(name)
    for list_name, items in codebook.lists.items():
        lists[list_name] = [c.name for c in items] + [DK, REFUSE]
    return lists


class _Draw:
    """Draws answers for one interview from the codebook's shares."""

    def __init__(self, rng: random.Random, codebook: Codebook) -> None:
        self.rng = rng
        self.codebook = codebook
        self.lists = _lists(codebook)

    def _weights(self, question: str, list_name: str) -> dict[str, float]:
        names = self.lists[list_name]
        shares = self.codebook.shares.get(question, {})
        return {n: w for n, w in shares.items() if n in names and w > 0}

    def one(self, question: str, list_name: str, *, dk_rate: float = 0.03) -> str:
        weights = self._weights(question, list_name)
        if weights:
            return self.rng.choices(list(weights), weights=list(weights.values()))[0]
        names = self.lists[list_name]
        real = [n for n in names if n not in (DK, REFUSE)]
        if len(real) < len(names) and self.rng.random() < dk_rate:
            return self.rng.choice([n for n in names if n in (DK, REFUSE)])
        return self.rng.choice(real)

    def many(self, question: str, list_name: str, *, cap: int | None = None) -> str:
        """Each answer picked at its published rate; exclusive answers stand alone.

        The rates of a multi-select add up to more than 100 %: one answer is drawn as the
        main one, then each other answer joins with the chance that keeps its overall rate.
        """
        rng = self.rng
        weights = self._weights(question, list_name)
        names = self.lists[list_name]
        if not weights:  # unquantified: one to three plain answers
            real = [n for n in names if n not in (*_EXCLUSIVE, "other")]
            return " ".join(sorted(rng.sample(real, rng.randint(1, min(cap or 3, len(real))))))
        left = 1.0
        for name in [n for n in weights if n in _EXCLUSIVE]:
            if rng.random() < min(1.0, weights[name] / 100 / left):
                return name
            left -= weights[name] / 100
        rates = {n: w / 100 / max(left, 0.01) for n, w in weights.items() if n not in _EXCLUSIVE}
        total = sum(rates.values())
        main = rng.choices(list(rates), weights=list(rates.values()))[0]
        picked = [main]
        if total > 1:
            for name, rate in rates.items():
                first = rate / total
                if name != main and first < 1 and rng.random() < (rate - first) / (1 - first):
                    picked.append(name)
        if cap and len(picked) > cap:
            picked = rng.sample(picked, cap)
        order = {n: i for i, n in enumerate(names)}
        return " ".join(sorted(picked, key=order.__getitem__))

    def count(self, question: str, default: str = "0-6") -> int:
        """A whole number from banded shares such as {"0": 17, "1-3": 46}."""
        bands = self.codebook.shares.get(question) or {default: 1.0}
        band = self.rng.choices(list(bands), weights=list(bands.values()))[0]
        low, _, high = band.partition("-")
        return self.rng.randint(int(low), int(high or low))

    def chance(self, question: str, default: float) -> bool:
        shares = self.codebook.shares.get(question)
        if not shares:
            return self.rng.random() < default
        return self.rng.random() < shares.get("yes", 0) / sum(shares.values())


def _exact_share(rng: random.Random, codebook: Codebook, band: str) -> str:
    interval = codebook.choice("remit_share", band).interval
    if interval is None:  # read_codebook refuses such a file; kept for the type checker
        raise ValueError(f"remit_share band {band!r} has no interval")
    low = math.floor(interval.low) + 1 if interval.low_open else math.ceil(interval.low)
    high = math.ceil(interval.high) - 1 if interval.high_open else math.floor(interval.high)
    return str(rng.randint(max(low, 1), min(high, 85)))


def generate_submission(
    rng: random.Random,
    *,
    version: str = "v2",
    enumerator: str,
    district_code: str,
    sex: str | None = None,
    interview_date: dt.date | None = None,
    violations: Sequence[str] = (),
    codebook: Codebook | None = None,
) -> dict[str, Any]:
    """One interview's answers: strings, group paths, non-relevant questions absent."""
    codebook = codebook or load_codebook(3)
    draw = _Draw(rng, codebook)
    day = interview_date or dt.date(2024, 2, 1) + dt.timedelta(days=rng.randint(0, 27))
    start = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59)), _TZ)
    minutes = 4 if "too_short" in violations else rng.randint(25, 60)
    end = start + dt.timedelta(minutes=minutes, seconds=rng.randint(0, 59))
    region = district_code.rsplit("-", 1)[0]
    sex = sex or draw.one("sex", "sex")
    age = (
        16
        if "ineligible_age" in violations
        else min(64, max(19, round(rng.gauss(_MEAN_AGE.get(sex, 35), 9))))
    )
    away = draw.one("time_away", "time_away")
    first, last = codebook.choice("time_away", away).days or (45, 2000)
    left_origin = day - dt.timedelta(days=rng.randint(first, last))
    arrival = left_origin + dt.timedelta(days=rng.randint(0, max(0, min(7, last - 30))))
    if (day - arrival).days < 30:
        arrival = day - dt.timedelta(days=30)
    if "recent_arrival" in violations:
        arrival = day - dt.timedelta(days=10)
    citizenship = "kz" if "kazakh" in violations else draw.one("citizenship", "country", dk_rate=0)
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
        "screening/citizenship": citizenship,
        "screening/dual_citizenship": draw.one("dual_citizenship", "yesno"),
        "screening/employment_status": draw.one("employment_status", "employment"),
        "screening/interviewed_before": "no",
        "screening/arrival_date": arrival.isoformat(),
        "screening/legal_status": "no",
    }
    days = (day - arrival).days
    a["screening/days_in_kz"] = str(days)
    eligible = age >= 18 and citizenship != "kz" and days >= 30
    a["screening/eligible"] = "yes" if eligible else "no"
    if not eligible:
        return a
    working = a["screening/employment_status"] == "working"
    children = rng.choice([0, 0, 1, 2, 3])
    a.update(
        {
            "profile/sex": sex,
            "profile/marital_status": draw.one("marital_status", "marital"),
            "profile/education": draw.one("education", "education"),
            "profile/household_provider": draw.one("household_provider", "yesno_dk"),
            "profile/dependants": str(draw.count("dependants")),
            "profile/children_count": str(children),
            "profile/family_in_kz": rng.choice(["yes", "no"]),
        }
    )
    if a["profile/education"] not in ("none", "primary") and draw.chance(
        "education_field_answered", 0.5
    ):
        a["profile/education_field"] = draw.one("education_field", "field")
    if children:
        kids = []
        for _ in range(children):
            child_age = rng.randint(0, 17)
            kid = {
                "profile/children/child_age": str(child_age),
                "profile/children/child_sex": rng.choice(["male", "female"]),
                "profile/children/child_location": draw.one("child_location", "child_location"),
            }
            if child_age >= 7:
                kid["profile/children/child_school"] = rng.choice(["yes", "no"])
            kids.append(kid)
        a["profile/children"] = kids
    _migration(a, draw, citizenship, left_origin, away, arrival)
    _employment(a, draw, working)
    _wellbeing(a, draw, version)
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
    _plant(a, violations, working)
    return a


def _migration(
    a: dict[str, Any],
    draw: _Draw,
    citizenship: str,
    left_origin: dt.date,
    away: str,
    arrival: dt.date,
) -> None:
    rng = draw.rng
    reasons = draw.many("migration_reasons", "reasons", cap=3)
    a.update(
        {
            "migration/origin_country": citizenship,
            "migration/left_origin_date": min(left_origin, arrival).isoformat(),
            "migration/time_away": away,
            "migration/first_arrival_year": str(rng.randint(min(2010, arrival.year), arrival.year)),
            "migration/migration_reasons": reasons,
            "migration/why_kazakhstan": draw.many("why_kazakhstan", "why_kz", cap=3),
            "migration/expected_stay": draw.one("expected_stay", "stay"),
            "migration/stay_as_expected": draw.one("stay_as_expected", "as_expected"),
        }
    )
    if "other" in reasons.split():
        a["migration/migration_reasons_other"] = rng.choice(
            ["Visiting relatives", "Medical treatment", "Marriage"]
        )
    lived_in_russia = draw.chance("lived_in_russia", 0.2)
    a["migration/lived_in_russia"] = "yes" if lived_in_russia else "no"
    if lived_in_russia:
        plans = draw.one("russia_plans", "russia_plans")
        a["migration/return_to_russia"] = _RETURNS.get(plans, plans)
        a["migration/russia_plans"] = plans
        a["migration/left_russia_reasons"] = draw.many("left_russia_reasons", "left_russia", cap=3)
    a.update(
        {
            "migration/intention_12m": draw.one("intention_12m", "intention"),
            "migration/entry_document": draw.one("entry_document", "entry_doc", dk_rate=0),
            "migration/registered": rng.choice(["yes", "yes", "no"]),
            "migration/work_permit": draw.one("work_permit", "permit", dk_rate=0),
        }
    )


def _employment(a: dict[str, Any], draw: _Draw, working: bool) -> None:
    rng = draw.rng
    before = draw.one("status_before", "status_before", dk_rate=0)
    worked_before = before in _WORKED
    a["employment/status_before"] = before
    a["employment/worked_before"] = "yes" if worked_before else "no"
    if worked_before:
        a["employment/sector_before"] = draw.one("sector_before", "sector")
    a["employment/current_activity"] = (
        draw.one("current_activity", "current_activity", dk_rate=0)
        if working
        else "unemployed_looking"
    )
    if working:
        work_time = draw.one("work_time", "work_time")
        a.update(
            {
                "employment/work_time": work_time,
                "employment/employment_type": draw.one("employment_type", "employment_type"),
                "employment/sector": draw.one("sector", "sector"),
                "employment/contract": draw.one("contract", "contract"),
                "employment/pension": draw.one("pension", "yesno_dk"),
                "employment/paid_leave": draw.one("paid_leave", "yesno_dk"),
                "employment/dismissal_notice": draw.one("dismissal_notice", "yesno_dk"),
                "employment/job_found": draw.one("job_found", "job_found"),
                "employment/agency": draw.one("agency", "yesno"),
                "employment/hours_week": str(
                    rng.randint(40, 72) if work_time == "full_time" else rng.randint(12, 36)
                ),
                "employment/work_challenges": draw.many("work_challenges", "challenges"),
            }
        )
        experienced = draw.chance("experience", 0.8)
        a["employment/experience"] = "yes" if experienced else "no"
        if experienced:
            a["employment/experience_years"] = draw.one("experience_years", "experience", dk_rate=0)
    # Those not working now are most of the published "no income".
    income = draw.one("income_band", "income")
    if "no_income" in draw.lists["income"]:
        if not working and rng.random() < 0.6:
            income = "no_income"
        while working and income == "no_income":
            income = draw.one("income_band", "income")
    a["employment/income_band"] = income
    a["employment/income_sufficiency"] = draw.one("income_sufficiency", "sufficiency")
    sends = draw.chance("sends_money", 0.5)
    a["employment/sends_money"] = "yes" if sends else "no"
    if sends:
        band = draw.one("remit_share_band", "remit_share")
        a["employment/remit_share_band"] = band
        if band not in (DK, REFUSE) and draw.chance("remit_share_given", 0.85):
            a["employment/remit_share"] = _exact_share(rng, draw.codebook, band)
        a.update(
            {
                "employment/remit_frequency": draw.one("remit_frequency", "frequency"),
                "employment/remit_channel": draw.one("remit_channel", "channel"),
                "employment/remit_purpose": draw.many("remit_purpose", "purpose"),
            }
        )


def _wellbeing(a: dict[str, Any], draw: _Draw, version: str) -> None:
    rng = draw.rng
    lives_with = draw.one("lives_with", "lives_with")
    a.update(
        {
            "wellbeing/housing": draw.one("housing", "housing"),
            "wellbeing/lives_with": lives_with,
            "wellbeing/pays_rent": draw.one("pays_rent", "yesno"),
            "wellbeing/housing_barriers": draw.many("housing_barriers", "housing_barrier"),
            "wellbeing/people_in_dwelling": str(1 if lives_with == "alone" else rng.randint(2, 12)),
        }
    )
    satisfaction = draw.one("satisfaction", "satisfaction")
    a["wellbeing/satisfaction"] = satisfaction
    if satisfaction in ("dissatisfied", "very_dissatisfied"):
        a["wellbeing/dissatisfaction_reasons"] = draw.many(
            "dissatisfaction_reasons", "dissatisfaction"
        )
    for key in ("health", "education", "bank", "legal", "housing_aid"):
        a[f"wellbeing/access_{key}"] = draw.one(f"access_{key}", "yesno_dk")
    if a["wellbeing/access_health"] == "no":
        a["wellbeing/health_barriers"] = draw.many("health_barriers", "health_barrier")
    a.update(
        {
            "wellbeing/can_afford": draw.many("can_afford", "afford"),
            "wellbeing/informed_rights": draw.one("informed_rights", "informed"),
            "wellbeing/info_channels": draw.many("info_channels", "info_channel"),
            "wellbeing/info_language": draw.one("info_language", "info_language"),
            "wellbeing/new_rules_aware": draw.one("new_rules_aware", "yesno_dk"),
            "wellbeing/relations_locals": draw.one("relations_locals", "relations"),
            "wellbeing/relations_migrants": draw.one("relations_migrants", "relations"),
        }
    )
    if version == "v2":
        a["wellbeing/sanctions_impact"] = draw.one("sanctions_impact", "yesno_dk")
    for key in ("safe", "welcome", "fair_pay", "treated_equal", "recommend"):
        a[f"wellbeing/agree_{key}"] = rng.choice(["2", "3", "4", "4", "5"])
    faced = 0
    for key, *_ in HARDSHIPS:
        answer = rng.choices(["yes", "no", DK, REFUSE], weights=[2, 10, 0.3, 0.2])[0]
        a[f"wellbeing/hardship_{key}"] = answer
        faced += answer == "yes"
    if faced:
        a["wellbeing/hardships_count"] = str(rng.randint(0, faced))
        if a["wellbeing/hardships_count"] != "0":
            a["wellbeing/help_sources"] = draw.many("help_sources", "help_source")
    for key, *_ in SERVICES:
        a[f"wellbeing/used_{key}"] = draw.one(f"used_{key}", "yesno_dk")


def _plant(a: dict[str, Any], violations: Sequence[str], working: bool) -> None:
    sends = a.get("employment/sends_money") == "yes"
    if "not_relevant" in violations and not working:
        a["employment/sector"] = "construction"  # answered although not working
    elif "not_relevant" in violations and not sends:
        a["employment/remit_share"] = "30"
    if "required_missing" in violations:
        a.pop("migration/expected_stay", None)
    if "constraint" in violations and "employment/remit_share" in a:
        a["employment/remit_share"] = "140"
    elif "constraint" in violations:
        a["wellbeing/people_in_dwelling"] = "0"
    if "invalid_choice" in violations:
        a["wellbeing/relations_locals"] = "excellent"
