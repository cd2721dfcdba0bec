"""Benchmark of the clean dataset export: .venv/bin/python bench/export.py [--n 100000] [--keep].

Seeds N approved, eligible interviews of the demo form (bench/seeding.py) into a fresh
PostgreSQL database, then builds the clean dataset as an export job does (``run_export``:
scope, count, rows, file) in CSV and in XLSX, each in a process of its own so its peak RSS is
its own, at 10% and at 100% of the rows (flat memory: the two peaks should be close). The
anchor, measured in the same run: PostgreSQL's own ``COPY (SELECT ...) TO STDOUT`` of the same
rows and columns as CSV (``->>`` per answer column, the jsonb decompressed once a row) into a
file, the floor no export of these rows can go under. Prints the machine's load, seconds per
format, the ratio to the anchor, the CPU seconds of our process and of its PostgreSQL backend
(a loaded shared machine inflates wall time far more than CPU time) and the peak RSS.
Target: <= 10 s per format for 100,000 interviews.
"""

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import seeding  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_S = 10.0


def seed(database_url: str, n: int) -> None:
    seeding.django_setup(database_url)
    from surveys.models import Submission
    from validation.models import Eligibility

    seeding.seed_interviews(
        seeding.bench_round(n),
        n,
        statuses=["approved"],
        times=lambda i, now: {
            "submission_time": now,
            "started_at": now.replace(microsecond=0) - dt.timedelta(minutes=40 + i % 30),
            "ended_at": now.replace(microsecond=0),
        },
        criteria=[],
        from_status="flagged",
        extra=lambda _created: None,
    )
    Eligibility.objects.update(verdict=Eligibility.Verdict.ELIGIBLE)  # all N in the dataset
    seeding.vacuum_analyze()
    print(json.dumps({"seeded": Submission.objects.count()}))


def _backend_cpu_s(pid: int) -> float | None:
    """A local PostgreSQL backend's CPU seconds so far (None if its /proc is not visible)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    utime, stime = stat.read_text().rsplit(")", 1)[1].split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 2)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _limit(n: int | None) -> None:
    """Only the first n interviews stay approved (the 10% run); undone by the caller's rollback."""
    from surveys.models import Submission

    if n is None:
        return
    cut = Submission.objects.order_by("pk").values_list("pk", flat=True)[n]
    Submission.objects.filter(pk__gte=cut).update(review_status=Submission.ReviewStatus.CLEAN)


def export(database_url: str, fmt: str, rows: int | None) -> None:
    """One export job built in this process, timed from claim to the file in place."""
    seeding.django_setup(database_url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from surveys.models import Round
    from validation.exports import jobs
    from validation.models import ExportJob

    settings.MTM_EXPORT_DIR = tempfile.mkdtemp(prefix="bench_export_")
    manager = get_user_model().objects.get(username="bench_manager")
    rnd = Round.objects.get()
    base = _rss_mb()
    with transaction.atomic():
        _limit(rows)
        job = ExportJob.objects.create(
            kind=ExportJob.Kind.CLEAN_DATASET, format=fmt, round=rnd, requested_by=manager
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        pg_before = _backend_cpu_s(pid)
        started, cpu = time.perf_counter(), time.process_time()
        jobs.run_export(job_id=str(job.pk))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        pg_after = _backend_cpu_s(pid)
        job.refresh_from_db()
        path = jobs.export_path(job)
        size = path.stat().st_size
        path.unlink()
        transaction.set_rollback(True)
    print(
        json.dumps(
            {
                "status": job.status,
                "error": job.error,
                "rows": job.rows_done,
                "seconds": round(elapsed, 2),
                "cpu_s": round(cpu, 2),
                "pg_cpu_s": _spent(pg_before, pg_after),
                "mb": round(size / 2**20, 1),
                "peak_rss_mb": round(_rss_mb()),
                "rss_before_mb": round(base),
            }
        )
    )


def anchor(database_url: str) -> None:
    """PostgreSQL's COPY of the same rows and columns as CSV, streamed into a file."""
    seeding.django_setup(database_url)
    from django.db import connection

    from surveys.models import Round
    from validation.exports import clean_dataset

    rnd = Round.objects.get()
    shape = clean_dataset.layout(rnd.pk)
    # The answers' paths are quoted as literals. Each ->> on a stored (TOASTed) jsonb would
    # decompress it again, 112 times a row; `data || '{}'` in a subquery decompresses it once,
    # PostgreSQL's fastest way to these columns.
    answers = ", ".join(f"s.d ->> {_literal(path)}" for path in shape.columns)
    sql = (
        "COPY (SELECT s.id, s.root_uuid, s.kobo_id, s.version_uid, s.started_at, s.ended_at,"  # noqa: S608
        " s.submission_time, s.kobo_username, s.code, s.verdict, "
        + answers
        + " FROM (SELECT s.id, s.root_uuid, s.kobo_id, s.version_uid, s.started_at,"
        " s.ended_at, s.submission_time, e.kobo_username, l.code, v.verdict,"
        " s.data || '{}'::jsonb AS d"
        " FROM surveys_submission s"
        " JOIN surveys_koboform f ON f.id = s.form_id"
        " JOIN validation_eligibility v ON v.submission_id = s.id"
        " LEFT JOIN surveys_enumerator e ON e.id = s.enumerator_id"
        " LEFT JOIN surveys_location l ON l.id = s.location_id"
        " WHERE f.round_id = %s AND s.deleted_at IS NULL AND s.review_status = 'approved'"
        " AND v.verdict = 'eligible' ORDER BY s.id OFFSET 0) s ORDER BY s.id)"
        " TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    out = Path(tempfile.gettempdir()) / "bench_export_anchor.csv"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    pg_before = _backend_cpu_s(pid)
    started = time.perf_counter()
    with (
        out.open("wb") as sink,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql, (rnd.pk,)) as copy,
    ):
        for block in copy:
            sink.write(block)
    elapsed = time.perf_counter() - started
    pg_after = _backend_cpu_s(pid)
    lines = sum(1 for _ in out.open("rb"))
    size = out.stat().st_size
    out.unlink()
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "pg_cpu_s": _spent(pg_before, pg_after),
                "lines": lines,
                "columns": 10 + len(shape.columns),
                "mb": round(size / 2**20, 1),
            }
        )
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "mode", nargs="?", default="run", choices=["run", "seed", "export", "anchor"]
    )
    parser.add_argument("--n", "--size", dest="n", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--rows", type=int, help="export mode: only the first ROWS interviews")
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    args = parser.parse_args()
    if args.mode == "seed":
        seed(args.database_url, args.n)
        return
    if args.mode == "export":
        export(args.database_url, args.format, args.rows)
        return
    if args.mode == "anchor":
        anchor(args.database_url)
        return
    # BENCH_DATABASE_PREFIX: engineers sharing a server each seed and drop only their own.
    prefix = os.environ.get("BENCH_DATABASE_PREFIX", "mtm_bench")
    url = seeding.seeded(__file__, f"{prefix}_export_{args.n}", args.n, keep=args.keep)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    a = seeding.run_mode(__file__, "anchor", "--database-url", url)
    print(
        f"anchor: PostgreSQL COPY ... TO STDOUT (CSV) of {a['lines'] - 1:,} rows x "
        f"{a['columns']} columns: {a['seconds']:.2f} s (PostgreSQL CPU {a['pg_cpu_s']} s), "
        f"{a['mb']} MB"
    )
    ok = True
    for fmt in ("csv", "xlsx"):
        small = seeding.run_mode(
            __file__, "export", "--database-url", url, "--format", fmt, "--rows", str(args.n // 10)
        )
        full = seeding.run_mode(__file__, "export", "--database-url", url, "--format", fmt)
        if full["status"] != "done":
            raise SystemExit(f"{fmt} export failed: {full['error']}")
        verdict = "met" if full["seconds"] <= TARGET_S else "NOT MET"
        ok = ok and full["seconds"] <= TARGET_S
        print(
            f"{fmt}: {full['rows']:,} rows in {full['seconds']:.2f} s ({full['mb']} MB), "
            f"{full['seconds'] / a['seconds']:.1f}x the COPY anchor; target <= {TARGET_S:.0f} s "
            f"{verdict}; CPU: ours {full['cpu_s']} s, PostgreSQL {full['pg_cpu_s']} s "
            f"(a loaded machine inflates wall time); peak RSS {full['peak_rss_mb']} MB (after "
            f"setup {full['rss_before_mb']} MB; {small['rows']:,} rows: {small['peak_rss_mb']} MB "
            f"in {small['seconds']:.2f} s)",
            flush=True,
        )
        load = os.getloadavg()
        print(f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
