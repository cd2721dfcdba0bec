"""Benchmark the KoBo sync: python bench/sync.py [--sizes 20000 100000].

For each size, a KoBo-compatible server (its own process) serves that many submissions of
about 150 answers; a fresh process syncs them into PostgreSQL and reports submissions/s, its
peak RSS, and the time of a second sync that finds nothing new (with the edit/deletion scan).
On a shared machine wall time depends on the load, so it also prints the CPU seconds each
process spent (the syncing process, the KoBo-compatible server, the PostgreSQL backend) and
the 1-minute load average.
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
from pathlib import Path

import seeding  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ASSET = "aMTMkzR3demo2024"
TOKEN = "bench-token"


def _answers(rng: random.Random, index: int) -> dict[str, object]:
    from surveys.demo.people import ENUMERATORS
    from surveys.demo.submissions import generate_submission

    enumerator = ENUMERATORS[index % len(ENUMERATORS)]
    answers = generate_submission(
        rng, enumerator=enumerator["username"], district_code=enumerator["district_codes"][0]
    )
    # Pad to about 150 answers, as a long MTM interview has.
    for extra in range(150 - len(answers)):
        answers[f"extra/q{extra:03d}"] = str(rng.randint(0, 99))
    return answers


def serve(n: int, port: int) -> None:
    from surveys.demo.build_form import load_content
    from surveys.kobo.fake import FakeKoboServer, FakeKoboStore

    store = FakeKoboStore(token=TOKEN, username="bench")
    store.add_asset(ASSET, "bench", versions=[("vR3b2024feb10", load_content("v2"))])
    rng = random.Random(n)
    store.add_submissions(
        ASSET,
        (_answers(rng, index) for index in range(n)),
        version_uid="vR3b2024feb10",
        submitted_by="enum01",
    )
    # Encode every row now (the fake server caches them), so the figures measure the sync
    # rather than the fake server's first json.dumps of each row; its CPU is printed anyway.
    asset = store.assets[ASSET]
    for key in asset.keys:
        store.serialized(asset, key)
    server = FakeKoboServer(store, host="127.0.0.1", port=port)
    server.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


def sync(url: str, database_url: str, server_pid: int) -> None:
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
    started = time.perf_counter()
    first = sync_form(form=form)
    first_s = time.perf_counter() - started
    first_cpu = cpu.lap()
    started = time.perf_counter()
    second = sync_form(form=form, full=True)
    second_s = time.perf_counter() - started
    second_cpu = cpu.lap()
    print(
        json.dumps(
            {
                "created": first.created,
                "stored": Submission.objects.count(),
                "first_sync_s": round(first_s, 2),
                "submissions_per_s": round(first.created / first_s),
                "no_change_sync_s": round(second_s, 2),
                "no_change_unchanged": second.unchanged,
                "no_change_created_updated_deleted": [
                    second.created,
                    second.updated,
                    second.deleted,
                ],
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "first_sync_cpu_s": first_cpu,
                "no_change_cpu_s": second_cpu,
                "load_avg_1m": round(os.getloadavg()[0], 1),
            }
        )
    )


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
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "serve", "sync"])
    parser.add_argument("--url")
    parser.add_argument("--database-url")
    parser.add_argument("--server-pid", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.sizes[0], args.port)
        return
    if args.mode == "sync":
        sync(args.url, args.database_url, args.server_pid)
        return
    for size in args.sizes:
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
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{size:>7} submissions: " + ", ".join(f"{k}={v}" for k, v in figures.items()),
                flush=True,
            )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
