"""Load the demo round: python manage.py load_demo (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from demo.round import DEMO_PASSWORD, load_demo_round
from validation.flags.criteria_presets import DEMO_PRESET, ensure_default_criteria


class Command(BaseCommand):
    help = "Load Kazakhstan round 3: locations, quotas, teams, 20 enumerators and demo users."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo_round()
        # The strictest published set (students, refugees and stateless persons excluded).
        if ensure_default_criteria(round=report.round):
            self.stdout.write(f"Inclusion criteria: the {DEMO_PRESET!r} set")
        self.stdout.write(
            f"{report.round}: {report.locations} locations, {report.quotas} quotas, "
            f"{report.enumerators} enumerators"
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, role in report.logins:
            self.stdout.write(f"  {username:<18} {role}")
