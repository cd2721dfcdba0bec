"""Apply the rounds' retention policies now; --dry-run prints what would be removed."""

import datetime as dt
import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import PurgeRun, Round
from validation.retention.purge import purge_personal_data


class Command(BaseCommand):
    help = (
        "Remove, per round's retention policy, the answers of interviews deleted in KoBo, "
        "personal identifiers after fieldwork, and whole interviews past the retention period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print, remove nothing")
        parser.add_argument("--round", type=int, action="append", help="round id (repeatable)")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help="judge the periods as on this day (YYYY-MM-DD; dry runs only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        round_ids = options["round"]
        if round_ids:
            missing = set(round_ids) - set(
                Round.objects.filter(pk__in=round_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No round with id {', '.join(map(str, sorted(missing)))}.")
        now = None
        if options["as_of"] is not None:
            if not options["dry_run"]:
                raise CommandError("--as-of only with --dry-run: a purge is judged as of now.")
            now = dt.datetime.combine(options["as_of"], dt.time(12), tzinfo=dt.UTC)
        purges = purge_personal_data(
            actor=_who(),
            trigger=PurgeRun.Trigger.COMMAND,
            dry_run=options["dry_run"],
            round_ids=round_ids,
            now=now,
        )
        verb = "Would remove" if options["dry_run"] else "Removed"
        self.stdout.write(f"{verb} (per round):")
        for purge in purges:
            for line in purge.describe():
                self.stdout.write(line)
        if not purges:
            self.stdout.write("No rounds.")


def _who() -> str:
    """The account running the command, for the audit."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "unknown (manage.py)"
