"""Serve the fake KoBo: python manage.py run_fake_kobo [--port P] [--host H] [--seed-demo N]."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from demo.data.seed import seed_store
from demo.kobo_fake import FakeKoboServer, FakeKoboStore


def _default_port() -> int:
    return urlsplit(settings.KOBO_URL).port or 8765


class Command(BaseCommand):
    help = "Run a KoBo-compatible fake server (kpi v2 shapes, fault injection) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="default: KOBO_URL's port")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--token", default=None, help="accepted API token (default KOBO_TOKEN)")
        parser.add_argument("--username", default="demo")
        parser.add_argument(
            "--seed-demo", type=int, default=0, metavar="N", help="load the demo form with N rows"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        store = FakeKoboStore(
            token=options["token"] or settings.KOBO_TOKEN, username=options["username"]
        )
        if options["seed_demo"]:
            self._seed(store, options["seed_demo"])
        port = options["port"] if options["port"] is not None else _default_port()
        server = FakeKoboServer(store, host=options["host"], port=port)
        self.stdout.write(
            f"Fake KoBo at {server.url} (user {store.username!r}); "
            f"faults: POST {server.url}/__faults__/, stats: GET {server.url}/__stats__/. "
            "Ctrl-C stops."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            server.stop()

    def _seed(self, store: FakeKoboStore, n_submissions: int) -> None:
        seed_store(store, n_submissions)
        total = sum(len(asset.keys) for asset in store.assets.values())
        self.stdout.write(f"Seeded {len(store.assets)} form(s) with {total} submissions.")
