"""Apply a published criteria set: python manage.py apply_criteria --round N --preset NAME.

`--list` prints the presets and their rows (the reports' wording and sources). Applying makes
the round's active criteria exactly the preset's (other rows are kept, inactive) and queues
the round's interviews so every verdict follows; the rows stay editable in the admin.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import Round
from validation.flags.criteria_presets import PRESETS, UnknownPresetError, apply_preset


class Command(BaseCommand):
    help = "Apply a published inclusion-criteria set (preset) to a round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, help="round number")
        parser.add_argument("--country", help="ISO code, when several countries share N")
        parser.add_argument("--preset", help=f"one of: {', '.join(PRESETS)}")
        parser.add_argument("--list", action="store_true", help="print the presets and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name, specs in PRESETS.items():
                self.stdout.write(name)
                for spec in specs:
                    self.stdout.write(f"  {spec.code:<26} {spec.kind:<9} {spec.label}")
                    self.stdout.write(f"  {'':<26} {'':<9} source: {spec.source}")
            return
        if options["round"] is None or not options["preset"]:
            raise CommandError("Give --round N and --preset NAME (or --list).")
        rounds = Round.objects.filter(number=options["round"])
        if options["country"]:
            rounds = rounds.filter(country=options["country"].upper())
        found = list(rounds[:2])
        if not found:
            raise CommandError(f"No round number {options['round']}.")
        if len(found) > 1:
            raise CommandError(f"Several rounds are number {options['round']}: add --country.")
        try:
            report = apply_preset(round=found[0], preset=options["preset"])
        except UnknownPresetError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{found[0]}: preset {report.preset!r} applied: {report.created} created, "
            f"{report.updated} updated, deactivated: {', '.join(report.deactivated) or 'none'}; "
            f"{report.requeued} interviews queued to be judged again."
        )
