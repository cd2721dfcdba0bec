"""Recount round progress's counters from the interviews: python manage.py rebuild_progress_counts.

The triggers keep them right on every write; this is for repair (a restore of one table, a
trigger disabled by hand). `--compact` only folds the change rows, as the quota task does.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from validation.quotas import counters


class Command(BaseCommand):
    help = "Recount the round progress counters (validation.ProgressCount) from the interviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--compact", action="store_true", help="only fold the change rows")

    def handle(self, *args: Any, **options: Any) -> None:
        if not counters.enabled():
            self.stdout.write("No counters on this database: round progress reads the interviews.")
            return
        if options["compact"]:
            self.stdout.write(f"Compacted: {counters.compact()} strata.")
            return
        self.stdout.write(f"Rebuilt: {counters.rebuild()} strata.")
