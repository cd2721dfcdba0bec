"""A real Celery worker process on the test database, for the end-to-end tests."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection


def database_url() -> str:
    db = connection.settings_dict
    assert connection.vendor == "postgresql", "the e2e tests need PostgreSQL (DATABASE_URL)"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.process = env, log, None  # type: ignore[var-annotated]

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


def wait_for(
    check: Callable[[], Any], *, what: str, timeout: float = 90, worker: Any = None
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    detail = f"\n--- worker log ---\n{worker.tail()}" if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}{detail}")
