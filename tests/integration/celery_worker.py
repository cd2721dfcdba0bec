"""A real Celery worker process on the test database and a Redis DB of its own, for e2e tests.

The end-to-end tests empty their broker database before they start. They never empty the
broker or cache the project is configured with: their database is MTM_E2E_REDIS_URL, by
default DB 15 on the configured broker's server, and the test process publishes there too.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools

from mtm.celery import app as celery_app
from tests.polling import wait_until

E2E_REDIS_ENV = "MTM_E2E_REDIS_URL"
E2E_DEFAULT_DB = 15


def database_url() -> str:
    db = connection.settings_dict
    assert connection.vendor == "postgresql", "the e2e tests need PostgreSQL (DATABASE_URL)"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis_db(url: str) -> tuple[str, int, int]:
    parts = urlsplit(url)
    return (parts.hostname or "localhost", parts.port or 6379, int(parts.path.strip("/") or 0))


def e2e_redis_url() -> str:
    """The Redis DB the e2e tests own: MTM_E2E_REDIS_URL, else DB 15 beside the broker."""
    explicit = os.environ.get(E2E_REDIS_ENV, "")
    if explicit:
        return explicit
    configured = settings.CELERY_BROKER_URL
    assert configured.startswith("redis://"), (
        "the e2e tests need a Redis broker (CELERY_BROKER_URL)"
    )
    parts = urlsplit(configured)
    own = urlunsplit((parts.scheme, parts.netloc, f"/{E2E_DEFAULT_DB}", "", ""))
    taken = {_redis_db(url) for url in (configured, settings.REDIS_URL) if url}
    if _redis_db(own) in taken:
        raise AssertionError(
            f"DB {E2E_DEFAULT_DB} is the configured broker or cache, which the e2e tests would "
            f"empty: set {E2E_REDIS_ENV} to a Redis DB they may own"
        )
    return own


def _point_celery_at(url: str) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its own setting, and kombu's
    # pools would hand back connections made for the previous URL.
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.update(broker_url=url)
    pools.reset()
    # Drops the app's connection and producer pools, as after a fork (private: untyped).
    celery_app._after_fork()  # type: ignore[attr-defined]


@pytest.fixture
def e2e_broker() -> Iterator[str]:
    """Empty the e2e tests' own Redis DB, publish there for the test, then restore."""
    url = e2e_redis_url()
    redis.Redis.from_url(url).flushdb()  # no stale messages from an earlier run
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved_url = celery_app.conf.broker_url
    _point_celery_at(url)
    yield url
    _point_celery_at(saved_url or "")
    if saved_env is None:
        del os.environ["CELERY_BROKER_URL"]
    else:
        os.environ["CELERY_BROKER_URL"] = saved_env


def queued(url: str) -> int:
    """Messages waiting in the worker's queues (the routes' queues) on `url`."""
    client = redis.Redis.from_url(url)
    return sum(int(client.llen(q)) for q in ("default", "sync", "validation", "notifications"))


_TASK_LINE = re.compile(r"Task [\w.]+\[[0-9a-f-]+\] (received|succeeded|raised|retry|failed)")


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Worker":
        self.log.write_text("")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mtm",
                "worker",
                "-Q",
                "sync,validation,notifications,default",
                "-c",
                "1",
                "-P",
                "prefork",
                "-l",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"e2e-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = self.process

        def ready() -> bool:
            assert process.poll() is None, f"the worker exited:\n{self.tail()}"
            return "ready." in self.log.read_text()

        wait_for(ready, what="the worker to start", worker=self)
        return self

    def pool_child(self) -> int:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        [child] = [int(pid) for pid in children.split()]
        return child

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def tail(self) -> str:
        return "\n".join(self.log.read_text().splitlines()[-40:])

    def idle(self) -> bool:
        """Every task the worker received has ended (succeeded, raised or set to retry)."""
        ends = [m.group(1) for m in _TASK_LINE.finditer(self.log.read_text())]
        return ends.count("received") == len(ends) - ends.count("received")


def wait_for(
    check: Callable[[], Any], *, what: str, timeout: float = 90, worker: Worker | None = None
) -> Any:
    """wait_until with the worker's log on failure."""
    return wait_until(
        check,
        timeout,
        f"waiting for {what}",
        interval=0.2,
        detail=(lambda: f"--- worker log ---\n{worker.tail()}") if worker is not None else None,
    )
