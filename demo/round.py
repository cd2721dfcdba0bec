"""Load the Kazakhstan round-3 demo: locations, round, quotas, teams, enumerators, users."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from demo.data import ENUMERATORS, LOCATIONS, QUOTAS, SUPERVISORS
from surveys.models import Enumerator, Location, Quota, Round, Team
from surveys.roles import DATA_MANAGER, ENUMERATOR, SUPERVISOR

DEMO_PASSWORD = "mtm-demo-2024"  # noqa: S105 - printed to the person running the demo
# Every demo user has an address, so correction messages (a returned interview, reminders)
# have somewhere to go: run_demo writes them to files (demo/mail.py). The .invalid top-level
# domain (RFC 2606) cannot reach anyone if a real mail server is configured by mistake.
DEMO_MAIL_DOMAIN = "mtm-demo.invalid"


@dataclass(frozen=True)
class DemoReport:
    round: Round
    locations: int
    quotas: int
    enumerators: int
    logins: list[tuple[str, str]]


def _user(username: str, role: str, *, staff: bool, full_name: str = "") -> Any:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    first, _, last = full_name.partition(" ")
    user.first_name, user.last_name, user.is_staff = first, last, staff
    user.email = f"{username}@{DEMO_MAIL_DOMAIN}"
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def _centroid(row: dict[str, Any]) -> tuple[float | None, float | None]:
    if row.get("centroid"):
        lat, lon = row["centroid"]
        return float(lat), float(lon)
    return row.get("centroid_lat"), row.get("centroid_lon")


@transaction.atomic
def load_demo_round() -> DemoReport:
    """Create or refresh the demo data; running it twice changes nothing."""
    round_, _ = Round.objects.update_or_create(
        country="KZ",
        number=3,
        defaults={
            "name": "Round 3 – International Migrant Worker Survey (Feb 2024)",
            "fieldwork_start": dt.date(2024, 2, 1),
            "fieldwork_end": dt.date(2024, 2, 29),
            "status": Round.Status.FIELDWORK,
        },
    )
    by_code: dict[str, Location] = {}
    # Parents first: regions and cities have no parent_code.
    for row in sorted(LOCATIONS, key=lambda r: bool(r.get("parent_code"))):
        lat, lon = _centroid(row)
        location, _ = Location.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "parent": by_code.get(row.get("parent_code") or ""),
                "name_en": row["name_en"],
                "name_ru": row.get("name_ru", ""),
                "name_kk": row.get("name_kk", ""),
                "aliases": list(row.get("aliases", [])),
                "centroid_lat": lat,
                "centroid_lon": lon,
                "boundary": row.get("boundary"),
            },
        )
        by_code[location.code] = location
    for row in QUOTAS:
        Quota.objects.update_or_create(
            round=round_,
            location=by_code[row["location_code"]],
            sex=row["sex"],
            citizenship="",
            defaults={"target": row["target"]},
        )
    # The reports' "city x sex" design beside the district breakdown: each city's quota is
    # its districts' sum and fills from their interviews (roll-up, counted once in totals).
    city_targets: dict[tuple[str, str], int] = {}
    for row in QUOTAS:
        city = by_code[row["location_code"]].parent
        if city is not None and city.kind == Location.Kind.CITY:
            key = (city.code, row["sex"])
            city_targets[key] = city_targets.get(key, 0) + int(row["target"])
    for (code, sex), target in sorted(city_targets.items()):
        Quota.objects.update_or_create(
            round=round_,
            location=by_code[code],
            sex=sex,
            citizenship="",
            defaults={"target": target},
        )
    logins = [("manager", "data manager")]
    _user("manager", DATA_MANAGER, staff=True, full_name="Data Manager")
    teams: dict[str, Team] = {}
    for row in SUPERVISORS:
        supervisor = _user(
            row["username"], SUPERVISOR, staff=True, full_name=row.get("full_name", "")
        )
        team, _ = Team.objects.update_or_create(
            name=row["team"], defaults={"supervisor": supervisor}
        )
        teams[team.name] = team
        logins.append((row["username"], f"supervisor, {team.name}"))
    for row in ENUMERATORS:
        user = _user(row["username"], ENUMERATOR, staff=False, full_name=row.get("full_name", ""))
        own_team = teams.get(row.get("team", ""))
        enumerator, _ = Enumerator.objects.update_or_create(
            kobo_username=row["username"],
            defaults={
                "user": user,
                "full_name": row.get("full_name", row["username"]),
                "sex": row["sex"],
                "team": own_team,
            },
        )
        enumerator.active_rounds.add(round_)
        if own_team is not None:
            codes = row.get("district_codes") or []
            own_team.locations.add(*[by_code[c] for c in codes if c in by_code])
    logins.append(("enum01 … enum20", "enumerators (no admin access)"))
    return DemoReport(
        round_, len(by_code), Quota.objects.filter(round=round_).count(), len(ENUMERATORS), logins
    )
