"""The round the database benches seed: demo form, 20 enumerators in 5 teams, N bulk interviews."""

import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def database(name: str, *, recreate: bool) -> str:
    """The URL of the bench's own database on BENCH_DATABASE_URL's server, dropped and
    created afresh when recreate."""
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    if recreate:
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
    return f"{base}/{name}"


def run_mode(script: str, *args: str) -> dict[str, Any]:
    """Run a bench script's mode in its own process; its last output line is its JSON."""
    out = subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def seeded(script: str, name: str, size: int, *, keep: bool) -> str:
    """The bench database's URL; unless keep, recreated and seeded by the script's seed mode."""
    url = database(name, recreate=not keep)
    if not keep:
        started = time.perf_counter()
        seed = run_mode(script, "seed", "--database-url", url, "--size", str(size))
        print("seed:", seed, f"{time.perf_counter() - started:.0f} s", flush=True)
    return url


# Production settings: DEBUG keeps every query's text in memory.
def django_setup(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "mtm.settings",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 40,
            "MTM_HASH_KEY": "bench-hash-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            # The test client speaks plain HTTP: without these every page is a 301 to https.
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DJANGO_SECURE_COOKIES": "False",
        }
    )
    import django

    django.setup()


@dataclass
class BenchRound:
    round: Any
    form: Any
    version: Any
    districts: dict[str, Any]
    enumerators: list[tuple[Any, str]]  # (enumerator, the district code they work in)


def bench_round(n: int, *, status: str = "planned", supervised: bool = False) -> BenchRound:
    """Migrate, then the demo locations, round 3 with its form and quotas sized for N interviews,
    bench_manager (data manager) and 5 teams of 4 enumerators, each led by bench_sup<t> if
    supervised."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo.data.build_form import load_content
    from demo.data.locations import DISTRICT_CODES, LOCATIONS
    from surveys.models import (
        Enumerator,
        FormVersion,
        KoboForm,
        KoboServer,
        Location,
        Quota,
        Round,
        Team,
    )
    from surveys.roles import DATA_MANAGER, SUPERVISOR

    for row in LOCATIONS:
        parent = Location.objects.filter(code=row["parent_code"] or "").first()
        Location.objects.get_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "parent": parent,
                "name_en": row["name_en"],
                "boundary": row.get("boundary"),
            },
        )
    rnd = Round.objects.create(
        number=3, name="Bench R3", fieldwork_start="2024-02-01", status=status
    )
    server = KoboServer.objects.create(
        name="bench",
        base_url="http://127.0.0.1:1",
        api_token="bench-token-unused",  # noqa: S106
    )
    form = KoboForm.objects.create(server=server, asset_uid="aBench", name="bench", round=rnd)
    content = load_content("v2")
    version = FormVersion.objects.create(
        form=form,
        version_uid="vBench",
        content=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
    )
    districts = {loc.code: loc for loc in Location.objects.filter(code__in=DISTRICT_CODES)}
    for loc in districts.values():
        for sex, target in (("female", n // 40), ("male", n // 60)):
            Quota.objects.create(round=rnd, location=loc, sex=sex, target=target)
    users = get_user_model()
    manager = users.objects.create_user("bench_manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=DATA_MANAGER))
    teams = []
    for t in range(5):
        supervisor = None
        if supervised:
            supervisor = users.objects.create_user(f"bench_sup{t}", is_staff=True)
            supervisor.groups.add(Group.objects.get(name=SUPERVISOR))
        teams.append(Team.objects.create(name=f"team {t}", supervisor=supervisor))
    enumerators = []
    for i in range(20):
        team, code = teams[i // 4], DISTRICT_CODES[i % len(DISTRICT_CODES)]
        team.locations.add(districts[code])
        enumerator = Enumerator.objects.create(
            kobo_username=f"b{i:02d}", full_name=f"E {i}", sex="female", team=team
        )
        enumerators.append((enumerator, code))
    return BenchRound(rnd, form, version, districts, enumerators)


def seed_interviews(
    br: BenchRound,
    n: int,
    *,
    statuses: list[str],
    times: Callable[[int, datetime], dict[str, datetime]],
    criteria: list[dict[str, str]],
    from_status: str,
    extra: Callable[[list[Any]], None],
) -> None:
    """Bulk-insert N interviews drawn from 500 eligible demo answers, review status i cycling
    through statuses, with times(i, now); each with an eligibility verdict (1 in 20
    ineligible), what extra(batch) adds, and a review event unless clean; then the progress
    fields validation derives."""
    from django.utils import timezone

    from demo.data.locations import DISTRICT_CODES
    from demo.data.submissions import generate_submission
    from surveys.models import Submission
    from validation.models import Eligibility, ReviewEvent
    from validation.quotas.progress import derive_progress_fields

    rng = random.Random(7)
    pool: list[dict[str, object]] = []
    while len(pool) < 500:
        data = generate_submission(rng, enumerator="x", district_code=DISTRICT_CODES[0])
        if data.get("screening/eligible") == "yes":
            pool.append(data)
    now = timezone.now()
    for start in range(0, n, BATCH):
        subs = []
        for i in range(start, min(start + BATCH, n)):
            enumerator, code = br.enumerators[i % len(br.enumerators)]
            data = dict(pool[i % len(pool)])
            data["profile/sex"] = "female" if i % 5 < 3 else "male"
            data["screening/district"] = code
            subs.append(
                Submission(
                    form=br.form,
                    kobo_id=i + 1,
                    root_uuid=f"{i:032x}",
                    instance_id=f"uuid:{i:032x}",
                    version=br.version,
                    version_uid="vBench",
                    **times(i, now),
                    data=data,
                    content_hash="h",
                    enumerator=enumerator,
                    location=br.districts[code],
                    review_status=statuses[i % len(statuses)],
                    needs_validation=False,
                )
            )
        created = Submission.objects.bulk_create(subs)
        Eligibility.objects.bulk_create(
            Eligibility(
                submission=s, verdict="eligible" if k % 20 else "ineligible", criteria=criteria
            )
            for k, s in enumerate(created)
        )
        extra(created)
        ReviewEvent.objects.bulk_create(
            ReviewEvent(submission=s, from_status=from_status, to_status=s.review_status)
            for s in created
            if s.review_status != "clean"
        )
    # What validation stores on each interview it checks, for the progress aggregate.
    derive_progress_fields(rows=Submission.objects.all(), round_id=br.round.pk)


def vacuum_analyze() -> None:
    from django.db import connection

    from validation.quotas import counters

    counters.compact()  # one progress counter per stratum, as the quota task leaves them
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by then


# COPY seeding: bulk_create of 300,000 interviews and 1,000,000 flags takes most of an hour on a
# loaded machine; COPY FROM STDIN takes minutes. Primary keys are given (1..N on a fresh
# database) so that flags and priorities can name their interview without reading it back.


def _column_defaults(model: Any, now: datetime) -> dict[str, Any]:
    """What each column of the model holds when a row does not say: as Django would insert."""
    from django.db import models

    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        elif f.has_default():
            value = f.get_default()
            if hasattr(value, "value"):  # a TextChoices member
                value = value.value
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField):
            value = ""
        else:
            continue  # the caller must give it
        if isinstance(f, models.JSONField) and value is not None:
            value = json.dumps(value)
        out[f.column] = value
    return out


def copy_rows(model: Any, rows: Iterable[dict[str, Any]], *, now: datetime) -> int:
    """COPY rows (column -> value; JSON as text) into the model's table, defaults filled in;
    then move its id sequence past the largest id. Returns the number of rows."""
    from django.db import connection

    defaults = _column_defaults(model, now)
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    # A column neither the rows nor a default fill (an id) is left to the database.
    columns = [f.column for f in model._meta.concrete_fields]
    columns = [c for c in columns if c in first or c in defaults]
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in itertools.chain((first,), it):
                copy.write_row([row[c] if c in row else defaults[c] for c in columns])
                count += 1
        if model._meta.pk.column == "id":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'COALESCE((SELECT max(id) FROM "{table}"), 1))'
            )
    return count


def copy_interviews(
    br: BenchRound,
    n: int,
    *,
    statuses: list[str],
    times: Callable[[int, datetime], dict[str, datetime]],
    criteria: list[dict[str, str]],
    from_status: str,
    columns: Callable[[int], dict[str, Any]] | None = None,
) -> datetime:
    """As seed_interviews, by COPY: interview i (0-based) gets pk i + 1, its eligibility
    verdict, a review event unless clean, the progress fields validation derives (stored
    directly, as derive_progress_fields would) and what columns(i) adds. Returns the seeding's
    `now`."""
    from django.utils import timezone

    from demo.data.locations import DISTRICT_CODES
    from demo.data.submissions import generate_submission
    from surveys.models import Sex, Submission
    from validation.models import Eligibility, ReviewEvent
    from validation.selectors import question_path

    rng = random.Random(7)
    pool: list[dict[str, object]] = []
    while len(pool) < 500:
        data = generate_submission(rng, enumerator="x", district_code=DISTRICT_CODES[0])
        if data.get("screening/eligible") == "yes":
            pool.append(data)
    sex_path = question_path(br.round.pk, "sex")
    # (pool row, district, sex) -> the answers' JSON and the stored sex
    answers: dict[tuple[int, str, str], tuple[str, str]] = {}

    def answer(i: int, code: str) -> tuple[str, str]:
        key = (i % len(pool), code, "female" if i % 5 < 3 else "male")
        if key not in answers:
            data = dict(pool[key[0]])
            data["profile/sex"] = key[2]
            data["screening/district"] = code
            sex = str(data.get(sex_path, ""))
            answers[key] = (json.dumps(data), sex if sex in Sex.values else "other")
        return answers[key]

    now = timezone.now()

    def status(i: int) -> str:
        return statuses[i % len(statuses)]

    def submissions() -> Iterable[dict[str, Any]]:
        for i in range(n):
            enumerator, code = br.enumerators[i % len(br.enumerators)]
            data, sex = answer(i, code)
            yield {
                "id": i + 1,
                "form_id": br.form.pk,
                "kobo_id": i + 1,
                "root_uuid": f"{i:032x}",
                "instance_id": f"uuid:{i:032x}",
                "version_id": br.version.pk,
                "version_uid": "vBench",
                **times(i, now),
                "data": data,
                "content_hash": "h",
                "enumerator_id": enumerator.pk,
                "location_id": br.districts[code].pk,
                "review_status": status(i),
                "needs_validation": False,
                "respondent_sex": sex,
                "is_eligible": bool(i % 20),
                **(columns(i) if columns else {}),
            }

    copy_rows(Submission, submissions(), now=now)
    verdicts = json.dumps(criteria)
    copy_rows(
        Eligibility,
        (
            {
                "id": i + 1,
                "submission_id": i + 1,
                "verdict": "eligible" if i % 20 else "ineligible",
                "criteria": verdicts,
            }
            for i in range(n)
        ),
        now=now,
    )
    copy_rows(
        ReviewEvent,
        (
            {"submission_id": i + 1, "from_status": from_status, "to_status": status(i)}
            for i in range(n)
            if status(i) != "clean"
        ),
        now=now,
    )
    return now
