"""Benchmark round progress, API list queries and the clean export: python bench/progress.py.

Seeds N submissions (default 300,000) of the demo form into a fresh PostgreSQL database by
COPY, then prints: round progress time (median of 5; target <= 100 ms; and with quotas per
citizenship too) read from the progress counters, beside the full aggregate of the interviews
it replaced (the anchor, same process, same data), the over-quota ranking time, the
query count, time and Python peak memory of every API list endpoint the /api/v1/ router serves,
the round dashboard page (a data manager's and a supervisor's: median time, queries, SQL time,
CPU per page), and the peak memory of a clean-dataset CSV export of 10% and 100% of the N
interviews, all made approved and eligible for it in a transaction rolled back after (flat
memory: the two peaks should be close).

As in the field, validation has derived the progress fields of all but the latest interviews:
the last 500 still wait for validation (needs_validation), and 1 in 50 has an open duplicate.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import seeding  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(database_url: str, n: int) -> None:
    seeding.django_setup(database_url)
    from surveys.models import Submission
    from validation.models import Flag

    br = seeding.bench_round(n, supervised=True)
    now = seeding.copy_interviews(
        br,
        n,
        statuses=["approved"] * 6 + ["clean", "flagged", "returned", "excluded"],
        times=lambda _i, now: {"submission_time": now, "started_at": now},
        criteria=[],
        from_status="clean",
    )

    def flags() -> Iterator[dict[str, object]]:
        for i in range(n):
            if i % 7 == 0:
                yield {"submission_id": i + 1, "check_code": "duration.too_short"}
            if i % 50 == 3:
                yield {"submission_id": i + 1, "check_code": "duplicate.respondent"}

    seeding.copy_rows(Flag, ({**f, "severity": "major", "message": "m"} for f in flags()), now=now)
    # Validation has not reached the latest 500 yet.
    latest = Submission.objects.order_by("-pk").values("pk")[:500]
    Submission.objects.filter(pk__in=latest).update(needs_validation=True, respondent_sex="")
    seeding.vacuum_analyze()
    print(json.dumps({"seeded": Submission.objects.count()}))


def measure(database_url: str) -> None:
    seeding.django_setup(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mtm.api_urls import router
    from surveys.models import Round, Submission
    from surveys.selectors import submission_rule
    from validation.quotas.alerts import counted_interviews
    from validation.quotas.progress import round_progress

    rnd = Round.objects.get()
    manager = get_user_model().objects.get(username="bench_manager")
    # The manager's rule (every interview) reads the counters; a queryset is aggregated.
    everyone, all_rows = submission_rule(manager), Submission.objects.all()
    times, anchor_times = [], []
    for _ in range(6):
        started = time.perf_counter()
        rows = round_progress(scope=everyone, round_id=rnd.pk)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        anchor_rows = round_progress(scope=all_rows, round_id=rnd.pk)
        anchor_times.append(time.perf_counter() - started)
    assert rows == anchor_rows, "the counters disagree with the aggregate"
    cpu = _progress_cpu_ms(connection, lambda: round_progress(scope=everyone, round_id=rnd.pk))
    anchor_cpu = _progress_cpu_ms(
        connection, lambda: round_progress(scope=all_rows, round_id=rnd.pk)
    )
    started = time.perf_counter()
    # "rank" is the queryset's window annotation, which django-stubs' plugin cannot see.
    ranked = len(list(counted_interviews(rnd.pk).values_list("pk", "rank")))  # type: ignore[misc]
    rank_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "submissions": Submission.objects.count(),
        "strata": len(rows),
        "progress_ms_median": round(statistics.median(times[1:]) * 1000, 1),
        "progress_cpu_ms": cpu,
        "aggregate_ms_median": round(statistics.median(anchor_times[1:]) * 1000, 1),
        "aggregate_cpu_ms": anchor_cpu,
        "load": os.getloadavg()[0],
        "over_quota_ranking_ms": round(rank_s * 1000),
        "ranked": ranked,
        "api": {},
    }
    figures["progress_citizenship_ms_median"] = _citizenship_progress_ms(rnd.pk)
    figures["over_quota_citizenship_ms"] = {**OVER_QUOTA, "load": os.getloadavg()[0]}
    figures["dashboard"] = {
        role: _page(connection, user, f"/admin/dashboards/rounds/{rnd.pk}/")
        for role, user in (("manager", manager), ("supervisor", _supervisor()))
    }
    client = Client()
    client.force_login(manager)
    for prefix, _viewset, _basename in router.registry:  # every list endpoint, as served
        url = f"/api/v1/{prefix}/" + (f"?round={rnd.pk}" if prefix == "quota-progress" else "")
        client.get(url)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        elapsed = time.perf_counter() - started
        count = len(queries)  # the next request's request_started clears the query log
        tracemalloc.start()  # a third request: tracing slows Python down
        client.get(url)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figures["api"][prefix] = {
            "status": status,
            "queries": count,
            "ms": round(elapsed * 1000),
            "peak_kb": round(peak / 1024),
        }
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


def _supervisor() -> Any:
    """bench_sup0, team 0's supervisor (made here in a database seeded without supervisors)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from surveys.models import Team
    from surveys.roles import SUPERVISOR

    user, created = get_user_model().objects.get_or_create(
        username="bench_sup0", defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name=SUPERVISOR))
        Team.objects.filter(name="team 0").update(supervisor=user)
    return user


def _page(connection: Any, user: Any, url: str, runs: int = 5) -> dict[str, Any]:
    """A page as served to the user: median wall time of `runs` after a first request.

    With its query count and SQL time, and CPU per page (Python, and PostgreSQL's backend).
    """
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    status = client.get(url).status_code  # templates compiled, caches warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.append(time.perf_counter() - started)
    return {
        "status": status,
        "ms_median": round(statistics.median(times) * 1000),
        "queries": len(queries),
        "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000),
        "cpu_ms": _progress_cpu_ms(connection, lambda: client.get(url), runs=3),
        "load": os.getloadavg()[0],
    }


def _citizenship_progress_ms(round_id: int) -> float:
    """Round progress when the round also has quotas per citizenship (each district's women
    and men from uz and from kg), added in a transaction rolled back after."""
    from django.db import transaction
    from django.db.models import Q

    from surveys.models import Quota
    from validation.quotas.progress import round_progress

    with transaction.atomic():
        Quota.objects.bulk_create(
            Quota(round_id=round_id, location_id=q.location_id, sex=q.sex, citizenship=c, target=9)
            for q in Quota.objects.filter(round_id=round_id, citizenship="")
            for c in ("uz", "kg")
        )
        times = []
        for _ in range(6):
            started = time.perf_counter()
            round_progress(scope=Q(), round_id=round_id)  # every interview, from the counters
            times.append(time.perf_counter() - started)
        _over_quota_by_citizenship(round_id)
        transaction.set_rollback(True)
    return round(statistics.median(times[1:]) * 1000, 1)


OVER_QUOTA: dict[str, float] = {}


def _over_quota_by_citizenship(round_id: int) -> None:
    """The over-quota ranking (quota check) with citizenship quotas: every counted interview
    in interview-time order with its stratum, citizenship from respondent_citizenship; beside
    it the anchor, the same read taking the citizenship from the answers (as before)."""
    from validation.quotas.alerts import _interview_time, counted_rows
    from validation.quotas.progress import citizenship_answer, quota_tree

    assert quota_tree(round_id).by_citizenship

    # "sex" and "cit" are annotations, which django-stubs' plugin cannot see.
    def stored() -> int:  # what rolled_up reads
        rows: Any = counted_rows(round_id, by_citizenship=True).order_by(*_interview_time())
        return len(list(rows.values_list("pk", "location_id", "sex", "cit")))

    def anchor() -> int:
        rows: Any = (
            counted_rows(round_id)
            .annotate(answer=citizenship_answer(round_id, by_citizenship=True))
            .order_by(*_interview_time())
        )
        return len(list(rows.values_list("pk", "location_id", "sex", "answer")))

    for key, call in (("stored", stored), ("answers", anchor)):
        call()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        OVER_QUOTA[key] = round(statistics.median(times) * 1000)


def _progress_cpu_ms(
    connection: Any, call: Callable[[], object], runs: int = 10
) -> dict[str, float] | None:
    """CPU per call, which a shared machine's load does not inflate as it does wall time.

    PostgreSQL's share is read from its backend process (/proc, so only with a local server),
    with parallel workers off so that the backend does all the work.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if not stat.exists():
            return None
        cursor.execute("SET max_parallel_workers_per_gather = 0")

    def backend_ms() -> float:
        utime, stime = stat.read_text().rsplit(")", 1)[1].split()[11:13]
        return (int(utime) + int(stime)) * 1000 / os.sysconf("SC_CLK_TCK")

    call()
    db, py = backend_ms(), time.process_time()
    for _ in range(runs):
        call()
    out = {
        "postgres": round((backend_ms() - db) / runs),
        "python": round((time.process_time() - py) * 1000 / runs, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    return out


def export(database_url: str, share: float) -> None:
    seeding.django_setup(database_url)
    from django.db import connection, transaction

    from surveys.models import Round, Submission
    from validation.exports import clean_dataset, writers
    from validation.models import Eligibility

    rnd = Round.objects.get()
    shape = clean_dataset.layout(rnd.pk)
    with transaction.atomic():
        # Every interview approved and eligible, for a clean export of all N rows; undone after.
        Submission.objects.update(review_status=Submission.ReviewStatus.APPROVED)
        Eligibility.objects.update(verdict=Eligibility.Verdict.ELIGIBLE)
        subs = clean_dataset.clean_submissions(Submission.objects.all(), rnd.pk)
        if share < 1:
            last = Submission.objects.order_by("pk").values_list("pk", flat=True)[
                int(Submission.objects.count() * share)
            ]
            subs = subs.filter(pk__lt=last)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        out = Path(tempfile.gettempdir()) / f"bench_clean_{share}.csv"
        rows = writers.write_csv(out, shape.header, clean_dataset.clean_rows(subs, shape))
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    with connection.cursor() as cursor:  # leave no dead rows behind for a --keep run
        cursor.execute("VACUUM ANALYZE surveys_submission, validation_eligibility")
    print(
        json.dumps(
            {
                "rows": rows,
                "columns": len(shape.header),
                "seconds": round(elapsed, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "rss_before_mb": round(base / 1024),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "mode", nargs="?", default="run", choices=["run", "seed", "measure", "export"]
    )
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    parser.add_argument(
        "--name", help="the bench database's name (default mtm_bench_progress_<size>)"
    )
    args = parser.parse_args()
    if args.mode == "seed":
        seed(args.database_url, args.size)
        return
    if args.mode == "measure":
        measure(args.database_url)
        return
    if args.mode == "export":
        export(args.database_url, args.share)
        return
    url = seeding.seeded(
        __file__, args.name or f"mtm_bench_progress_{args.size}", args.size, keep=args.keep
    )
    m = seeding.run_mode(__file__, "measure", "--database-url", url)
    target = "OK" if m["progress_ms_median"] <= 100 else "OVER the 100 ms target"
    print(
        f"round progress: {m['progress_ms_median']} ms median over {m['submissions']} "
        f"submissions, {m['strata']} strata ({target}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: the machine may be shared)"
    )
    print(f"  with quotas per citizenship too: {m['progress_citizenship_ms_median']} ms median")
    ratio = m["aggregate_ms_median"] / max(m["progress_ms_median"], 0.1)
    print(
        f"  anchor, the full aggregate of the interviews (as before the counters): "
        f"{m['aggregate_ms_median']} ms median, {ratio:.1f}x the counters' time "
        f"(load {m['load']:.1f} while measured)"
    )
    for label, key in (("counters", "progress_cpu_ms"), ("aggregate", "aggregate_cpu_ms")):
        if m[key]:
            print(
                f"  CPU per call, {label}: PostgreSQL {m[key]['postgres']} ms (one process, "
                f"no parallel workers), Python {m[key]['python']} ms"
            )
    print(
        f"over-quota ranking: {m['over_quota_ranking_ms']} ms for {m['ranked']} counted interviews"
    )
    for role, p in m["dashboard"].items():
        cpu = p["cpu_ms"] or {}
        print(
            f"round dashboard ({role}): {p['ms_median']} ms median, {p['queries']} queries, "
            f"SQL {p['sql_ms']} ms; CPU per page PostgreSQL {cpu.get('postgres')} ms (no "
            f"parallel workers) + Python {cpu.get('python')} ms (HTTP {p['status']}, load "
            f"{p['load']:.1f})"
        )
    o = m["over_quota_citizenship_ms"]
    print(
        f"over-quota ranking with citizenship quotas: {o['stored']} ms median (stored "
        f"citizenship); anchor reading it from the answers {o['answers']} ms, "
        f"{o['answers'] / max(o['stored'], 1):.1f}x (load {o['load']:.1f})"
    )
    print(f"measuring process peak RSS: {m['peak_rss_mb']} MB")
    for endpoint, f in m["api"].items():
        print(
            f"  GET /api/v1/{endpoint}/: {f['queries']} queries, {f['ms']} ms, "
            f"Python peak {f['peak_kb']} KB (HTTP {f['status']})"
        )
    for share in (0.1, 1.0):
        e = seeding.run_mode(__file__, "export", "--database-url", url, "--share", str(share))
        print(
            f"clean export {e['rows']} rows x {e['columns']} columns: {e['seconds']} s, "
            f"peak RSS {e['peak_rss_mb']} MB (before {e['rss_before_mb']} MB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
