"""Benchmark the review queue and the review screen: python bench/review.py.

Seeds N submissions (default 100,000) of the demo form and 3 flags per submission (300,000)
into a fresh PostgreSQL database by bulk insert, with risk priorities, eligibility verdicts
and review events, five supervised teams; then prints the server time (median of 5 after a
warm-up) and the query count of the review queue page (a supervisor's and a data manager's)
and of the review screen of the riskiest interview (warm, and cold: the team's scorecard
not cached). The home page (team progress over validation/quota_progress.py) is timed too.
Target: <= 300 ms each.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (check code, path, severity): three distinct findings are drawn per interview from these.
FINDINGS = [
    ("skip_logic.not_relevant", "employment/sector", "major"),
    ("skip_logic.not_relevant", "employment/contract", "major"),
    ("outlier.value", "employment/remit_share", "minor"),
    ("duration.too_short", "", "major"),
    ("gps.outside_district", "wellbeing/gps", "major"),
    ("refusal.rate_high", "", "minor"),
    ("straightlining.agree_block", "", "minor"),
    ("eligibility.age", "", "blocker"),
]
WEIGHT = {"blocker": 100, "major": 10, "minor": 3}


def _django(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "mtm.settings",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        }
    )
    os.environ.pop("REDIS_URL", None)  # the scorecard cache is per process (locmem) here
    import django

    django.setup()


def seed(database_url: str, n: int) -> None:
    _django(database_url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from surveys.demo.build_form import load_content
    from surveys.demo.locations import DISTRICT_CODES, LOCATIONS
    from surveys.demo.submissions import generate_submission
    from surveys.models import (
        Enumerator,
        FormVersion,
        KoboForm,
        KoboServer,
        Location,
        Quota,
        Round,
        Submission,
        Team,
    )
    from surveys.roles import DATA_MANAGER, SUPERVISOR
    from validation.criteria_defaults import ensure_default_criteria
    from validation.models import Eligibility, Flag, ReviewEvent, ReviewPriority
    from validation.quota_progress import derive_progress_fields

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
        number=3, name="Bench R3", fieldwork_start="2024-02-01", status="fieldwork"
    )
    ensure_default_criteria(round=rnd)
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
    rng = random.Random(7)
    pool: list[dict[str, object]] = []
    while len(pool) < 500:
        data = generate_submission(rng, enumerator="x", district_code=DISTRICT_CODES[0])
        if data.get("screening/eligible") == "yes":
            pool.append(data)
    statuses = ["flagged"] * 4 + ["on_hold", "clean", "clean", "approved", "approved", "returned"]
    criteria = [
        {"code": "age", "label": "Aged 18 or more", "result": "pass", "reason": ""},
        {"code": "consent", "label": "Informed consent given", "result": "pass", "reason": ""},
    ]
    now = timezone.now()
    batch = 5000
    for start in range(0, n, batch):
        subs = []
        for i in range(start, min(start + batch, n)):
            enumerator, code = enumerators[i % len(enumerators)]
            data = dict(pool[i % len(pool)])
            data["profile/sex"] = "female" if i % 5 < 3 else "male"
            data["screening/district"] = code
            subs.append(
                Submission(
                    form=form,
                    kobo_id=i + 1,
                    root_uuid=f"{i:032x}",
                    instance_id=f"uuid:{i:032x}",
                    version=version,
                    version_uid="vBench",
                    submission_time=now - dt.timedelta(minutes=i),
                    started_at=now - dt.timedelta(minutes=i + 40),
                    ended_at=now - dt.timedelta(minutes=i),
                    data=data,
                    content_hash="h",
                    enumerator=enumerator,
                    location=districts[code],
                    review_status=statuses[i % len(statuses)],
                    needs_validation=False,
                )
            )
        created = Submission.objects.bulk_create(subs)
        Eligibility.objects.bulk_create(
            Eligibility(
                submission=s,
                verdict="eligible" if k % 20 else "ineligible",
                criteria=criteria,
            )
            for k, s in enumerate(created)
        )
        flags, priorities = [], []
        for s in created:
            picks = random.Random(s.pk).sample(FINDINGS, 3)
            flags += [
                Flag(
                    submission=s,
                    check_code=code,
                    path=path,
                    severity=severity,
                    message=f"{code} on {path or 'the interview'}: explained in plain words.",
                )
                for code, path, severity in picks
            ]
            severities = [p[2] for p in picks]
            priorities.append(
                ReviewPriority(
                    submission=s,
                    score=sum(WEIGHT[x] for x in severities),
                    blockers=severities.count("blocker"),
                    majors=severities.count("major"),
                    minors=severities.count("minor"),
                    spot_check=s.pk % 20 == 0,
                )
            )
        Flag.objects.bulk_create(flags, batch_size=5000)
        ReviewPriority.objects.bulk_create(priorities)
        ReviewEvent.objects.bulk_create(
            ReviewEvent(submission=s, from_status="received", to_status=s.review_status)
            for s in created
            if s.review_status != "clean"
        )
    # What validation stores on each checked interview for the progress aggregate.
    derive_progress_fields(rows=Submission.objects.all(), round_id=rnd.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"seeded": Submission.objects.count(), "flags": Flag.objects.count()}))


def _timed(client: object, url: str, runs: int = 5) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = client.get(url).status_code  # type: ignore[attr-defined]
    times, cpu, sql = [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
    # On a shared machine wall time swings with the load: the Python CPU time and the time
    # spent waiting for PostgreSQL show where it goes.
    return {
        "status": status,
        "queries": len(queries),
        "ms_median": round(statistics.median(times) * 1000, 1),
        "python_cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "sql_ms": round(statistics.median(sql) * 1000, 1),
    }


def measure(database_url: str) -> None:
    _django(database_url)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from surveys.models import Submission
    from validation.models import Flag
    from validation.selectors import review_queue

    users = get_user_model()
    out: dict[str, object] = {
        "submissions": Submission.objects.count(),
        "flags": Flag.objects.count(),
    }
    for name in ("bench_sup0", "bench_manager"):
        user = users.objects.get(username=name)
        client = Client()
        client.force_login(user)
        riskiest = review_queue(user).values_list("pk", flat=True).first()
        out[name] = {
            "queue": _timed(client, "/admin/validation/interviewreview/"),
            "queue_filtered": _timed(
                client, "/admin/validation/interviewreview/?severity=blocker&check=eligibility.age"
            ),
            "home": _timed(client, "/admin/"),
        }
        client.get(f"/admin/review/{riskiest}/")  # compiles the form version once per process
        cache.clear()  # cold: the team's scorecard is computed again
        started = time.perf_counter()
        client.get(f"/admin/review/{riskiest}/")
        cold_ms = round((time.perf_counter() - started) * 1000, 1)
        screen = _timed(client, f"/admin/review/{riskiest}/")
        screen["cold_ms"] = cold_ms
        out[name]["screen"] = screen  # type: ignore[index]
    print(json.dumps(out))


def _run(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "seed", "measure"])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    args = parser.parse_args()
    if args.mode == "seed":
        seed(args.database_url, args.size)
        return
    if args.mode == "measure":
        measure(args.database_url)
        return
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    name = f"mtm_bench_review_{args.size}"
    url = f"{base}/{name}"
    if not args.keep:
        subprocess.run(
            ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
        )
        subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        started = time.perf_counter()
        print(
            "seed:",
            _run("seed", "--database-url", url, "--size", str(args.size)),
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    m = _run("measure", "--database-url", url)
    print(f"{m['submissions']} submissions, {m['flags']} flags")
    for who in ("bench_sup0", "bench_manager"):
        for page, f in m[who].items():
            verdict = "OK" if f["ms_median"] <= 300 else "OVER the 300 ms target"
            cold = f" (cold scorecard cache: {f['cold_ms']} ms)" if "cold_ms" in f else ""
            print(
                f"  {who:14} {page:15} {f['ms_median']:7.1f} ms median (Python CPU "
                f"{f['python_cpu_ms']} ms, SQL {f['sql_ms']} ms), {f['queries']} queries, "
                f"HTTP {f['status']} {verdict}{cold}"
            )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
