"""Benchmark the location import: python bench/location_import.py [--rows 20000] [--keep].

Builds a file of N locations (20 regions and cities, the rest districts whose parent is
written as a code, a Russian name or an alias, as field teams write them), saved as
Windows-1251 CSV like Excel on a Russian-locale PC does, and imports it into a fresh
PostgreSQL database through the background-import service (``surveys.imports.jobs``: one
transaction, progress written every 250 rows). A second run imports the same file again
(every row unchanged). Prints rows/s for both, the CPU seconds of this process, and the
machine's load (1-minute load average and CPU count) before and after, since wall time on a
shared machine depends on it. The issue's target: 20,000 rows in 20 s or less.
"""

import argparse
import csv
import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import seeding  # bench/ is sys.path[0] when run as a script

if TYPE_CHECKING:  # Django is set up at run time, after these imports
    from django.contrib.auth.models import User

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOP = 20


def build_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["code", "kind", "parent", "name_en", "name_ru", "aliases", "centroid_lat", "centroid_lon"]
    )
    for i in range(TOP):
        kind = "city" if i < 3 else "region"
        writer.writerow(
            [f"KZ-B{i:02d}", kind, "", f"Oblast {i}", f"Область {i}", f"Obl{i}; Облыс {i}", "", ""]
        )
    for i in range(rows - TOP):
        top = i % TOP
        parent = (f"KZ-B{top:02d}", f"Область {top}", f"Obl{top}")[i % 3]
        writer.writerow(
            [
                f"KZ-B{top:02d}-{i:06d}",
                "district",
                parent,
                f"District {i}",
                f"Район {i}",
                f"Rayon {i}",
                f"{40 + (i % 1000) / 100:.3f}",
                f"{50 + (i % 2000) / 100:.3f}",
            ]
        )
    return out.getvalue().encode("cp1251")


def import_once(data: bytes, user: "User") -> dict[str, float]:
    from surveys.imports.jobs import run_import
    from surveys.models import ImportJob, Location

    job = ImportJob.objects.create(
        kind=ImportJob.Kind.LOCATIONS,
        format=ImportJob.Format.CSV,
        file_name="bench.csv",
        content=data,
        requested_by=user,
    )
    cpu = time.process_time()
    started = time.perf_counter()
    run_import(job_id=str(job.pk))
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.error, job.errors[:3])
    return {
        "seconds": round(seconds, 2),
        "rows_per_s": round(job.rows_done / seconds),
        "cpu_s": round(time.process_time() - cpu, 2),
        "new": job.created,
        "unchanged": job.skipped,
        "locations": Location.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database", default="bench_location_import")
    args = parser.parse_args()

    url = seeding.database(args.database, recreate=True)
    os.environ.setdefault("MTM_HASH_KEY", "bench-respondent-hash-key-" + "y" * 20)
    seeding.django_setup(url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench_manager", is_staff=True)
    data = build_csv(args.rows)
    load_before = os.getloadavg()[0]
    first = import_once(data, user)
    again = import_once(data, user)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    report = {
        "rows": args.rows,
        "file_mb": round(len(data) / 1_048_576, 2),
        "first_import": first,
        "same_file_again": again,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_1m_before": round(load_before, 2),
        "load_1m_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "postgresql": pg,
    }
    print(
        f"{args.rows} locations: {first['seconds']} s ({first['rows_per_s']} rows/s); "
        f"same file again {again['seconds']} s ({again['rows_per_s']} rows/s); "
        f"load {report['load_1m_before']} -> {report['load_1m_after']} on {report['cpus']} CPUs"
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
