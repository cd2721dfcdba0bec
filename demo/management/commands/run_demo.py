"""The demo: migrate, load the round, start a local KoBo server, sync, validate, serve."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.connections import client_for, default_server
from surveys.demo import DEMO_ASSET_UID
from surveys.demo.ki_seed import register_ki_form, seed_ki_store
from surveys.demo.seed import seed_store
from surveys.kobo.fake import FakeKoboServer, FakeKoboStore
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
        if options["no_serve"]:
            kobo.stop()
            return
        self.stdout.write(f"Admin: http://127.0.0.1:{options['port']}/admin/")
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
