"""Benchmark the review queue and the review screen: python bench/review.py.

Seeds N submissions (default 300,000) of the demo form with 10 flags per 3 interviews
(1,000,000) into a fresh PostgreSQL database by COPY, with risk priorities, eligibility
verdicts and review events, five supervised teams; then prints, per page, the median of 5
requests after a warm-up: wall time, Python and PostgreSQL CPU time, and the query count, of
the review queue (a supervisor's and a data manager's: first page, page 20, filtered), the
admin home (team progress), the quota progress API and the review screen of the riskiest
interview (warm, and cold: the team's scorecard not cached); the load average; peak RSS.
Targets: <= 150 ms each page, <= 100 ms the quota progress API.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
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


def flag_picks(i: int) -> list[tuple[str, str, str]]:
    """Interview i's distinct findings: 4 for every third interview, else 3 (10 per 3: 1,000,000
    flags for 300,000 interviews)."""
    return random.Random(i).sample(FINDINGS, 4 if i % 3 == 0 else 3)


def seed(database_url: str, n: int) -> None:
    _django(database_url)
    from surveys.models import Submission
    from validation.flags.criteria_presets import ensure_default_criteria
    from validation.models import Flag, ReviewPriority

    def priority(i: int) -> dict[str, object]:
        severities = [p[2] for p in flag_picks(i)]
        return {
            "submission_id": i + 1,
            "score": sum(WEIGHT[x] for x in severities),
            "blockers": severities.count("blocker"),
            "majors": severities.count("major"),
            "minors": severities.count("minor"),
            "spot_check": (i + 1) % 20 == 0,
        }

    def risk(i: int) -> dict[str, object]:
        """What validation.flags.priority copies onto the interview for the queue's index."""
        row = priority(i)
        return {"risk_score": row["score"], "spot_check": row["spot_check"]}

    br = seeding.bench_round(n, status="fieldwork", supervised=True)
    ensure_default_criteria(round=br.round)
    now = seeding.copy_interviews(
        br,
        n,
        statuses=STATUSES,
        times=_times,
        criteria=CRITERIA,
        from_status="received",
        columns=risk,
    )
    seeding.copy_rows(
        Flag,
        (
            {
                "submission_id": i + 1,
                "check_code": code,
                "path": path,
                "severity": severity,
                "message": f"{code} on {path or 'the interview'}: explained in plain words.",
            }
            for i in range(n)
            for code, path, severity in flag_picks(i)
        ),
        now=now,
    )

    seeding.copy_rows(ReviewPriority, (priority(i) for i in range(n)), now=now)
    seeding.vacuum_analyze()
    print(json.dumps({"seeded": Submission.objects.count(), "flags": Flag.objects.count()}))


def _backend_stat() -> Path | None:
    """/proc's stat file of this connection's PostgreSQL backend (a local server only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    return stat if stat.exists() else None


def _cpu_ms(stat: Path | None) -> float:
    if stat is None:
        return 0.0
    utime, stime = stat.read_text().rsplit(")", 1)[1].split()[11:13]
    return (int(utime) + int(stime)) * 1000 / os.sysconf("SC_CLK_TCK")


def _timed(client: object, url: str, runs: int = 5) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = client.get(url).status_code  # type: ignore[attr-defined]
    stat = _backend_stat()  # the test client's requests share this process's connection
    times, cpu, sql, pg = [], [], [], []
    for _ in range(runs):
        started, started_cpu, started_pg = time.perf_counter(), time.process_time(), _cpu_ms(stat)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        pg.append(_cpu_ms(stat) - started_pg)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
    # On a shared machine wall time swings with the load: the Python CPU time and PostgreSQL's
    # CPU time (its backend's, from /proc; 10 ms ticks) show the work the page itself costs.
    return {
        "status": status,
        "queries": len(queries),
        "ms_median": round(statistics.median(times) * 1000, 1),
        "python_cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "postgres_cpu_ms": round(statistics.median(pg), 1),
        "cpu_ms": round(statistics.median([c * 1000 + p for c, p in zip(cpu, pg, strict=True)]), 1),
        "sql_ms": round(statistics.median(sql) * 1000, 1),
    }


def measure(database_url: str) -> None:
    _django(database_url)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from surveys.models import Round, Submission
    from validation.models import Flag
    from validation.selectors import review_queue

    users = get_user_model()
    round_id = Round.objects.get().pk
    out: dict[str, object] = {
        "submissions": Submission.objects.count(),
        "flags": Flag.objects.count(),
    }
    for name in ("bench_sup0", "bench_manager"):
        user = users.objects.get(username=name)
        client = Client()
        client.force_login(user)
        riskiest = review_queue(user).values_list("kobo_id", flat=True).first()  # its address
        out[name] = {
            "queue": _timed(client, "/admin/validation/interviewreview/"),
            "queue_page_20": _timed(client, "/admin/validation/interviewreview/?p=20"),
            "queue_filtered": _timed(
                client, "/admin/validation/interviewreview/?severity=blocker&check=eligibility.age"
            ),
            "home": _timed(client, "/admin/"),
            "quota_progress_api": _timed(client, f"/api/v1/quota-progress/?round={round_id}"),
        }
        client.get(f"/admin/review/{riskiest}/")  # compiles the form version once per process
        cache.clear()  # cold: the team's scorecard is computed again
        started = time.perf_counter()
        client.get(f"/admin/review/{riskiest}/")
        cold_ms = round((time.perf_counter() - started) * 1000, 1)
        screen = _timed(client, f"/admin/review/{riskiest}/")
        screen["cold_ms"] = cold_ms
        out[name]["screen"] = screen  # type: ignore[index]
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "seed", "measure"])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    parser.add_argument(
        "--name", help="the bench database's name (default mtm_bench_review_<size>)"
    )
    args = parser.parse_args()
    if args.mode == "seed":
        seed(args.database_url, args.size)
        return
    if args.mode == "measure":
        measure(args.database_url)
        return
    url = seeding.seeded(
        __file__, args.name or f"mtm_bench_review_{args.size}", args.size, keep=args.keep
    )
    load = os.getloadavg()[0]
    m = seeding.run_mode(__file__, "measure", "--database-url", url)
    print(f"{m['submissions']} submissions, {m['flags']} flags")
    for who in ("bench_sup0", "bench_manager"):
        for page, f in m[who].items():
            target = 100 if page == "quota_progress_api" else 150
            verdict = "OK" if f["ms_median"] <= target else f"OVER the {target} ms target"
            verdict += " (CPU: OK)" if f["cpu_ms"] <= target else " (CPU: OVER)"
            if f["status"] != 200:
                verdict = "NOT SERVED"
            cold = f" (cold scorecard cache: {f['cold_ms']} ms)" if "cold_ms" in f else ""
            print(
                f"  {who:14} {page:15} {f['ms_median']:7.1f} ms median (Python CPU "
                f"{f['python_cpu_ms']} ms, PostgreSQL CPU {f['postgres_cpu_ms']} ms, SQL wall "
                f"{f['sql_ms']} ms), {f['queries']} queries, "
                f"HTTP {f['status']} {verdict}{cold}"
            )
    print(
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} "
        f"CPUs (a loaded machine inflates wall time; Python CPU and SQL time show where it goes)"
    )
    print(f"peak RSS of the measuring process: {m['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
