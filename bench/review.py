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
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import seeding  # bench/ is sys.path[0] when run as a script

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
STATUSES = ["flagged"] * 4 + ["on_hold", "clean", "clean", "approved", "approved", "returned"]
# What each interview's eligibility verdict records.
CRITERIA = [
    {"code": "age", "label": "Aged 18 or more", "result": "pass", "reason": ""},
    {"code": "consent", "label": "Informed consent given", "result": "pass", "reason": ""},
]


def _django(database_url: str) -> None:
    os.environ.pop("REDIS_URL", None)  # the scorecard cache is per process (locmem) here
    seeding.django_setup(database_url)


def _times(i: int, now: dt.datetime) -> dict[str, dt.datetime]:
    """One interview every minute back from now, each 40 minutes long."""
    return {
        "submission_time": now - dt.timedelta(minutes=i),
        "started_at": now - dt.timedelta(minutes=i + 40),
        "ended_at": now - dt.timedelta(minutes=i),
    }


def seed(database_url: str, n: int) -> None:
    _django(database_url)
    from surveys.models import Submission
    from validation.criteria_defaults import ensure_default_criteria
    from validation.models import Flag, ReviewPriority

    br = seeding.bench_round(n, status="fieldwork", supervised=True)
    ensure_default_criteria(round=br.round)

    def flags_and_priorities(created: list) -> None:
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

    seeding.seed_interviews(
        br,
        n,
        statuses=STATUSES,
        times=_times,
        criteria=CRITERIA,
        from_status="received",
        extra=flags_and_priorities,
    )
    seeding.vacuum_analyze()
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
    url = seeding.seeded(__file__, f"mtm_bench_review_{args.size}", args.size, keep=args.keep)
    m = seeding.run_mode(__file__, "measure", "--database-url", url)
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
