"""Sync KoBo forms now: python manage.py sync_kobo [--asset UID ...] [--full] [--json]."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.connections import client_for, default_server
from surveys.kobo.errors import KoboAuthError, KoboError, KoboNotFoundError, KoboUnavailableError
from surveys.locks import SyncAlreadyRunningError
from surveys.models import KoboForm
from surveys.services import register_form
from surveys.sync import sync_form


class Command(BaseCommand):
    help = "Sync submissions from KoBo (KOBO_URL/KOBO_TOKEN, or the servers configured in admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--asset", action="append", default=[], help="asset uid (repeatable)")
        parser.add_argument("--full", action="store_true", help="also scan for edits and deletions")
        parser.add_argument("--json", action="store_true", help="one JSON object per asset")

    def handle(self, *args: Any, **options: Any) -> None:
        forms = self._forms(options["asset"])
        failed = []
        for form in forms:
            try:
                report = sync_form(form=form, full=options["full"])
            except SyncAlreadyRunningError as exc:
                failed.append(f"{form.asset_uid}: {exc}")
                continue
            except KoboAuthError:
                raise CommandError(
                    f"KoBo at {form.server.base_url} rejected the API token (check KOBO_TOKEN)."
                ) from None
            except KoboError as exc:
                failed.append(f"{form.asset_uid}: {exc}")
                continue
            if options["json"]:
                self.stdout.write(json.dumps(report.counts()))
            else:
                counts = report.counts()
                self.stdout.write(
                    f"{form.asset_uid}: {counts['created']} created, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged, {counts['deleted']} deleted, "
                    f"{counts['quarantined']} quarantined"
                )
        if failed:
            raise CommandError("Sync failed for " + "; ".join(failed))

    def _forms(self, assets: list[str]) -> list[KoboForm]:
        server = default_server()
        client = client_for(server)
        try:
            client.me()
            if assets:
                return [
                    KoboForm.objects.filter(asset_uid=uid).select_related("server").first()
                    or register_form(server=server, asset_uid=uid, client=client)
                    for uid in assets
                ]
            forms = list(KoboForm.objects.filter(is_active=True).select_related("server"))
            if not forms:
                forms = [
                    register_form(server=server, asset_uid=asset.uid, client=client)
                    for asset in client.list_assets()
                ]
        except KoboAuthError:
            raise CommandError(
                f"KoBo at {server.base_url} rejected the API token (check KOBO_TOKEN)."
            ) from None
        except KoboNotFoundError as exc:
            raise CommandError(f"KoBo at {server.base_url} has no such asset: {exc}") from None
        except KoboUnavailableError as exc:
            raise CommandError(f"KoBo at {server.base_url} cannot be reached: {exc}") from None
        return forms
