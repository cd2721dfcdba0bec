"""Benchmark the KoBo sync: python bench/sync.py [--sizes 100000 1000000].

For each size, a KoBo-compatible server (its own process, over HTTP on loopback) serves that
many submissions of about 150 answers; a fresh process syncs them into PostgreSQL and reports
submissions/s, its peak RSS, and the time of a second sync that finds nothing new (with the
edit/deletion scan). Beside it, in the same run, the anchor: a plain PostgreSQL COPY of the
same rows (binary, server-side from a file) into an empty copy of the table with the same
indexes and foreign keys, in one transaction: PostgreSQL's own limit for these rows, so the
ratio says how close the sync comes to it. On a shared machine wall time depends on the
load, so it also prints the CPU seconds each process spent (the syncing process, the server,
the PostgreSQL backend) and the 1-minute load average before and after.

The server generates its rows from a pool of distinct interviews (ids and uuids its own), so
1,000,000 rows fit in a few hundred MB; its CPU is printed, and it competes for the cores.
Validation is not run: as in production, sync hands it over through a broker (here kombu's
in-memory transport), and the validation task runs elsewhere.
"""

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import seeding  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ASSET = "aMTMkzR3demo2024"
TOKEN = "bench-token"


def _answers(rng: random.Random, index: int) -> dict[str, object]:
    from demo.data.people import ENUMERATORS
    from demo.data.submissions import generate_submission

    enumerator = ENUMERATORS[index % len(ENUMERATORS)]
    answers = generate_submission(
        rng, enumerator=enumerator["username"], district_code=enumerator["district_codes"][0]
    )
    # Pad to about 150 answers, as a long MTM interview has.
    for extra in range(150 - len(answers)):
        answers[f"extra/q{extra:03d}"] = str(rng.randint(0, 99))
    return answers


POOL = 5000  # distinct interviews the server draws its rows from


def serve(n: int, port: int) -> None:
    from demo.data.build_form import load_content
    from demo.kobo_fake import FakeKoboServer, FakeKoboStore

    store = FakeKoboStore(token=TOKEN, username="bench")
    store.add_asset(ASSET, "bench", versions=[("vR3b2024feb10", load_content("v2"))])
    rng = random.Random(n)
    store.add_submissions(
        ASSET,
        (_answers(rng, index) for index in range(min(n, POOL))),
        version_uid="vR3b2024feb10",
        submitted_by="enum01",
    )
    _PooledRows(store.assets[ASSET], n).install()
    server = FakeKoboServer(store, host="127.0.0.1", port=port)
    server.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


class _PooledRows:
    """Rows 1..n of the asset as the pool's rows, each with its own _id and uuids.

    Each pool row is encoded once (as DRF would), split around its _id and uuid; a row is
    those parts joined with its own, so the server spends no time encoding during the sync
    (its CPU is printed anyway) and holds no dict per row. Read-only: the bench edits nothing.
    """

    def __init__(self, asset: Any, n: int) -> None:
        from demo.kobo_fake.store import encode

        self.asset, self.n = asset, n
        self.pool: list[tuple[bytes, list[bytes]]] = []
        for key in list(asset.keys):
            doc = asset.docs[key]
            bare = doc["_uuid"]
            encoded = encode({k: v for k, v in doc.items() if k != "_id"})
            self.pool.append((encoded[1:], encoded[1:].split(bare.encode())))

    def install(self) -> None:
        self.asset.keys = list(range(1, self.n + 1))
        self.asset.docs = _LazyMap(self, light=True)
        self.asset.cache = _LazyMap(self, light=False)
        self.asset.roots = {}

    def encoded(self, key: int) -> bytes:
        _, parts = self.pool[(key - 1) % len(self.pool)]
        return b'{"_id":%d,' % key + self.bare(key).encode().join(parts)

    def light(self, key: int) -> dict[str, Any]:
        """The fields the edit/deletion scan projects, without building the whole row."""
        bare = self.bare(key)
        return {
            "_id": key,
            "meta/instanceID": f"uuid:{bare}",
            "meta/rootUuid": f"uuid:{bare}",
            "_uuid": bare,
            "_validation_status": {},
        }

    @staticmethod
    def bare(key: int) -> str:
        return str(uuid.UUID(int=(0x5EED << 112) | key, version=4))


class _LazyMap:
    """asset.docs / asset.cache over _PooledRows, built on each read (what the server uses).

    As docs, a row holds only the scan's fields: the bench queries rows by `_id` alone.
    """

    def __init__(self, rows: _PooledRows, *, light: bool) -> None:
        self.rows, self.light = rows, light

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and 1 <= key <= self.rows.n

    def __getitem__(self, key: int) -> Any:
        if key not in self:
            raise KeyError(key)
        return self.rows.light(key) if self.light else self.rows.encoded(key)

    def get(self, key: int, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: int, value: Any) -> None:
        pass  # the server caches what it encodes; ours costs nothing to rebuild

    def pop(self, key: int, default: Any = None) -> Any:
        return default

    def __len__(self) -> int:
        return self.rows.n


def sync(url: str, database_url: str, server_pid: int, anchor_rows: int, rescan: bool) -> None:
    # Validation goes through a broker as in production (not in-line, as eager mode would).
    os.environ["CELERY_BROKER_URL"] = "memory://"
    seeding.django_setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from surveys.models import KoboForm, KoboServer, Submission
    from surveys.sync import sync_form

    server = KoboServer.objects.create(name="bench", base_url=url, api_token=TOKEN)
    form = KoboForm.objects.create(server=server, asset_uid=ASSET, name="bench")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postgres_pid = cursor.fetchone()[0]
    # CPU seconds of the three processes say where the work is, whatever the machine's load.
    cpu = _CpuClock({"sync": os.getpid(), "kobo_server": server_pid, "postgres": postgres_pid})
    load_before = round(os.getloadavg()[0], 1)
    started = time.perf_counter()
    first = sync_form(form=form)
    first_s = time.perf_counter() - started
    first_cpu = cpu.lap()
    load_after = round(os.getloadavg()[0], 1)
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    anchored = min(anchor_rows or first.created, first.created)
    with connection.cursor() as cursor:
        # Statement triggers (progress counters) are part of what the sync's COPY costs; the
        # anchor's twin has none (a plain COPY): their names say what was measured.
        cursor.execute(
            "SELECT coalesce(string_agg(tgname, ' ' ORDER BY tgname), '') FROM pg_trigger "
            "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [Submission._meta.db_table],
        )
        triggers = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass",
            [Submission._meta.db_table],
        )
        indexes = cursor.fetchone()[0]
    anchor_s, anchor_cpu = _copy_anchor(Submission._meta.db_table, anchored, cpu)
    anchor_load = round(os.getloadavg()[0], 1)
    ours = first.created / first_s
    anchor = anchored / anchor_s
    figures: dict[str, Any] = {
        "created": first.created,
        "stored": Submission.objects.count(),
        "first_sync_s": round(first_s, 2),
        "submissions_per_s": round(ours),
        "copy_anchor_rows": anchored,
        "copy_anchor_s": round(anchor_s, 2),
        "copy_anchor_per_s": round(anchor),
        "ratio_to_copy": round(ours / anchor, 2),
        "peak_rss_mb": peak_rss_mb,
        "first_sync_cpu_s": first_cpu,
        # CPU per row: comparable across loads (wall time is not, on a shared machine).
        "first_sync_cpu_us_per_row": {
            name: None if spent is None else round(spent * 1e6 / max(first.created, 1))
            for name, spent in first_cpu.items()
        },
        "copy_anchor_postgres_cpu_us_per_row": None
        if anchor_cpu is None
        else round(anchor_cpu * 1e6 / max(anchored, 1)),
        "indexes": indexes,
        "triggers": triggers or "none",
        "copy_anchor_postgres_cpu_s": anchor_cpu,
        "load_avg_1m_before_after_sync_after_anchor": [load_before, load_after, anchor_load],
    }
    if rescan:
        cpu.lap()
        started = time.perf_counter()
        second = sync_form(form=form, full=True)
        figures |= {
            "no_change_sync_s": round(time.perf_counter() - started, 2),
            "no_change_unchanged": second.unchanged,
            "no_change_created_updated_deleted": [second.created, second.updated, second.deleted],
            "no_change_cpu_s": cpu.lap(),
            "peak_rss_mb_after_no_change": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            ),
        }
    print(json.dumps(figures))


def _copy_anchor(table: str, rows: int, cpu: "_CpuClock") -> tuple[float, float | None]:
    """Seconds PostgreSQL takes to COPY `rows` synced rows into an empty twin of their table.

    The rows (every column the sync writes, so all but the id) go to a binary file on the
    server first (untimed); the twin has the same columns, storage, defaults, indexes and
    foreign keys; the timed COPY reads the file server-side in one transaction, so no client
    work is in the figure. Returns its seconds and the PostgreSQL backend's CPU seconds.
    """
    from django.db import connection, transaction

    path = f"/tmp/mtm_syncbench_anchor_{os.getpid()}.copy"  # noqa: S108 - the server's own file
    twin = f"{table}_anchor"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attname <> 'id'",
            [table],
        )
        columns = cursor.fetchone()[0]
        first_rows = f"SELECT {columns} FROM {table} ORDER BY id LIMIT {int(rows)}"  # noqa: S608
        cursor.execute(f"COPY ({first_rows}) TO '{path}' (FORMAT BINARY)")
        cursor.execute(f"DROP TABLE IF EXISTS {twin}")
        cursor.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {twin} ADD CONSTRAINT {name}_anchor {definition}")
        cursor.execute("CHECKPOINT")  # the sync's dirty pages are not the anchor's to write
        cpu.lap()
        started = time.perf_counter()
        with transaction.atomic():
            cursor.execute(f"COPY {twin} ({columns}) FROM '{path}' (FORMAT BINARY)")
        elapsed = time.perf_counter() - started
        spent = cpu.lap()["postgres"]
        cursor.execute(f"DROP TABLE {twin}")
    Path(path).unlink(missing_ok=True)
    return elapsed, spent


class _CpuClock:
    """CPU seconds (user + system) used by each process since the last lap, from /proc."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.last = self._read()

    def _read(self) -> dict[str, float | None]:
        ticks = os.sysconf("SC_CLK_TCK")
        seconds: dict[str, float | None] = {}
        for name, pid in self.pids.items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                seconds[name] = (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                seconds[name] = None  # not Linux, or PostgreSQL runs elsewhere
        return seconds

    def lap(self) -> dict[str, float | None]:
        now = self._read()
        spent: dict[str, float | None] = {}
        for name, seconds in now.items():
            before = self.last[name]
            spent[name] = None if seconds is None or before is None else round(seconds - before, 2)
        self.last = now
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000, 1000000])
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "serve", "sync"])
    parser.add_argument("--url")
    parser.add_argument("--database-url")
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument(
        "--anchor-rows", type=int, default=0, help="COPY only the first N rows (0: all)"
    )
    parser.add_argument(
        "--rescan",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then time a second, full sync that finds nothing new (--no-rescan: skip it)",
    )
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.sizes[0], args.port)
        return
    if args.mode == "sync":
        sync(args.url, args.database_url, args.server_pid, args.anchor_rows, args.rescan)
        return
    for size in args.sizes:
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, __file__, "serve", "--sizes", str(size), "--port", str(args.port)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "ready":
                raise SystemExit("the KoBo-compatible server did not start")
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "sync",
                    "--url",
                    f"http://127.0.0.1:{args.port}",
                    "--database-url",
                    # BENCH_DATABASE_PREFIX: runs sharing a server each recreate only their own.
                    seeding.database(
                        f"{os.environ.get('BENCH_DATABASE_PREFIX', 'mtm_syncbench')}_{size}",
                        recreate=True,
                    ),
                    "--server-pid",
                    str(server.pid),
                    "--anchor-rows",
                    str(args.anchor_rows),
                    "--rescan" if args.rescan else "--no-rescan",
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if result.returncode:
                raise SystemExit(f"the sync failed:\n{result.stderr[-4000:]}")
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            # The whole size's run: server start, migrations, sync(s), anchor.
            figures["bench_wall_s"] = round(time.perf_counter() - started)
            print(
                f"{size:>7} submissions: " + ", ".join(f"{k}={v}" for k, v in figures.items()),
                flush=True,
            )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
