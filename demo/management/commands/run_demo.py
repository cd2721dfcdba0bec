"""The demo: migrate, load the round, start a local KoBo server, sync, validate, serve."""

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.data import DEMO_ASSET_UID
from demo.data.ki_seed import register_ki_form, seed_ki_store
from demo.data.seed import seed_store
from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from demo.mail import configure_demo_mail
from surveys.connections import client_for, default_server
from surveys.models import Round
from surveys.services import register_form
from surveys.sync import sync_form


class Command(BaseCommand):
    help = "Run the whole demo with no KoBo account, then serve the admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--kobo-port", type=int, default=8765)
        parser.add_argument("--submissions", type=int, default=1200)
        parser.add_argument("--no-serve", action="store_true", help="stop after validating")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("load_demo", stdout=self.stdout)
        store = FakeKoboStore(token=settings.KOBO_TOKEN, username="demo")
        seed_store(store, options["submissions"])
        seed_ki_store(store)  # the BMA key-informant form beside the survey
        kobo = FakeKoboServer(store, host="127.0.0.1", port=options["kobo_port"])
        try:
            kobo.start()
        except OSError as exc:
            raise CommandError(
                f"Port {options['kobo_port']} is busy ({exc.strerror}); "
                "pass --kobo-port or set KOBO_PORT for make demo."
            ) from None
        settings.KOBO_URL = kobo.url
        self.stdout.write(
            f"KoBo-compatible server on {kobo.url} ({options['submissions']} submissions)"
        )
        server = default_server()
        form = register_form(server=server, asset_uid=DEMO_ASSET_UID, client=client_for(server))
        form.round = Round.objects.get(country="KZ", number=3)
        form.save(update_fields=["round"])
        report = sync_form(form=form, full=True)
        self.stdout.write(f"Synced: {report.counts()}")
        round_ = Round.objects.get(country="KZ", number=3)
        ki_form = register_ki_form(server=server, client=client_for(server), round_=round_)
        self.stdout.write(f"Key informants synced: {sync_form(form=ki_form, full=True).counts()}")
        call_command("validate", stdout=self.stdout)
        self._notifications(options["port"])
        if options["no_serve"]:
            kobo.stop()
            return
        self.stdout.write(f"Admin: http://127.0.0.1:{options['port']}/admin/")
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)

    def _notifications(self, port: int) -> None:
        if not os.environ.get("MTM_PUBLIC_URL"):  # links in messages lead back to this demo
            settings.MTM_PUBLIC_URL = f"http://127.0.0.1:{port}"
        folder = configure_demo_mail()
        if folder is None:
            self.stdout.write(f"Notifications: e-mail through {settings.EMAIL_BACKEND}.")
            return
        self.stdout.write(
            f"Notifications: e-mail is written to files in {folder}/ (one file per message). "
            "Return an interview as a supervisor (review screen, 'Return to enumerator') "
            "and the enumerator's message appears there."
        )
