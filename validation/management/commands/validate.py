"""Validate submissions now: python manage.py validate [--round N] [--all]."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from validation.engine.validate import mark_for_validation, validate_pending


class Command(BaseCommand):
    help = "Check submissions marked by sync (or all of them) against skip logic and criteria."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, help="only this round's submissions (with --all)")
        parser.add_argument("--all", action="store_true", help="re-check every active submission")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] or options["round"] is not None:
            marked = mark_for_validation(round_number=options["round"])
            self.stdout.write(f"{marked} submissions queued for validation")
        total = 0
        while done := validate_pending(limit=500):
            total += done
        if total:
            self.stdout.write(f"{total} submissions validated")
        else:  # the sync queues each submission it stores, and its worker checked them already
            self.stdout.write("No submission was waiting: every synced one is validated already")
