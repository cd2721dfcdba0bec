"""Demo key-informant interviews: three informants per round-3 district, years 2021-2023.

The counts follow the BMA's picture (mtm-instrument-and-figures.md §1): most migrant workers
in Mangystau and Almaty, about 84% men, growth year on year. Informants disagree a little,
one in three knows only totals and some do not know about return migrants.
"""

import datetime as dt
import random
from typing import Any

from demo.data.ki_form import KI_ASSET_NAME, KI_ASSET_UID, KI_VERSION, load_content
from demo.data.people import ENUMERATORS
from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, KoboServer, Round
from surveys.services import register_form

YEARS = (2021, 2022, 2023)
# International migrant workers in 2023 per district, as the demo's informants put it.
MIGRANT_WORKERS_2023: dict[str, int] = {
    "KZ-ALA-ALT": 2400,
    "KZ-ALA-ALM": 3100,
    "KZ-ALA-AUE": 2700,
    "KZ-ALA-BOS": 2900,
    "KZ-ALA-MED": 1800,
    "KZ-ALA-NAU": 2200,
    "KZ-ALA-TUR": 1600,
    "KZ-ALA-ZHE": 2000,
    "KZ-ALM-KON": 3300,
    "KZ-ALM-TAL": 2600,
    "KZ-AST-ALM": 1500,
    "KZ-AST-BAI": 1900,
    "KZ-AST-ESI": 1400,
    "KZ-AST-SAR": 1700,
    "KZ-KAR-KAR": 2500,
    "KZ-SHY-ABA": 1300,
    "KZ-SHY-ALF": 900,
    "KZ-SHY-ENB": 1100,
    "KZ-SHY-KAR": 1200,
    "KZ-MAN-AKT": 7200,
    "KZ-MAN-ZHA": 4300,
}
_GROWTH = {2021: 1 / (1.263 * 1.149), 2022: 1 / 1.263, 2023: 1.0}  # +14.9%, +26.3% (BMA R1)
_UPLOADED = dt.datetime(2024, 1, 26, 7, 0, tzinfo=dt.UTC).replace(tzinfo=None)  # naive UTC
_ROLES = ("local_authority", "community_leader", "teacher", "religious_leader")


def _enumerator_for(code: str) -> str:
    for row in ENUMERATORS:
        if code in row["district_codes"]:
            return str(row["username"])
    return str(ENUMERATORS[0]["username"])


def ki_answers(rng: random.Random, code: str, informant: int) -> dict[str, Any]:
    """One informant's answers about one district, in KoBo's JSON shape (repeat as a list)."""
    totals_only = informant == 2
    knows_returns = informant != 1
    day = dt.date(2024, 1, 10) + dt.timedelta(days=rng.randint(0, 14))
    start = dt.datetime.combine(day, dt.time(10 + informant, rng.randint(0, 59)))
    answers: dict[str, Any] = {
        "start": start.isoformat(timespec="milliseconds") + "+05:00",
        "end": (start + dt.timedelta(minutes=rng.randint(20, 40))).isoformat(
            timespec="milliseconds"
        )
        + "+05:00",
        "today": day.isoformat(),
        "ki/enumerator": _enumerator_for(code),
        "ki/region": code.rsplit("-", 1)[0],
        "ki/district": code,
        "ki/role": _ROLES[informant % len(_ROLES)],
        "ki/informant_sex": rng.choice(["male", "male", "female"]),
        "presence/mw_present": "yes",
        "presence/rm_present": "yes" if knows_returns else "dk",
        "presence/em_present": "yes",
    }
    years = []
    for year in YEARS:
        entry: dict[str, Any] = {"years/year": str(year)}
        base = MIGRANT_WORKERS_2023[code] * _GROWTH[year]
        for prefix, size, men in (
            ("mw", base, 0.84),
            ("rm", base * 0.08, 0.7),
            ("em", base * 0.05, 0.55),
        ):
            if prefix == "rm" and not knows_returns:
                continue
            total = round(size * rng.uniform(0.9, 1.1))
            entry[f"years/{prefix}_total"] = str(total)
            if not totals_only:
                male = round(total * rng.uniform(men - 0.03, men + 0.03))
                entry[f"years/{prefix}_male"] = str(male)
                entry[f"years/{prefix}_female"] = str(total - male)
        years.append(entry)
    answers["years"] = years
    return answers


def seed_ki_store(store: Any, *, seed: int = 15) -> int:
    """Add the key-informant asset and its interviews to a KoBo-compatible store."""
    rng = random.Random(seed)
    store.add_asset(KI_ASSET_UID, KI_ASSET_NAME, versions=[(KI_VERSION, load_content())])
    added = 0
    for code in sorted(MIGRANT_WORKERS_2023):
        for informant in range(3):
            answers = ki_answers(rng, code, informant)
            store.add_submission(
                KI_ASSET_UID,
                answers,
                version_uid=KI_VERSION,
                submitted_by=answers["ki/enumerator"],
                submission_time=_UPLOADED + dt.timedelta(minutes=added),
            )
            added += 1
    return added


def register_ki_form(*, server: KoboServer, client: KoboClient, round_: Round) -> KoboForm:
    """Register the demo key-informant asset as the round's BMA form (idempotent)."""
    form = register_form(server=server, asset_uid=KI_ASSET_UID, client=client, round=round_)
    form.round = round_
    form.instrument = KoboForm.Instrument.KEY_INFORMANT
    form.location_field = "district"
    form.enumerator_field = "enumerator"
    form.save(update_fields=["round", "instrument", "location_field", "enumerator_field"])
    return form
