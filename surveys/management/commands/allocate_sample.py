"""allocate_sample: propose quota targets from the baseline, show the diff, apply on confirmation.

    python manage.py allocate_sample --round 3 --total 1810 --by sex --min-per-stratum 20

The method (proportional to the baseline, minimum first, largest remainders) is ours: the
reports publish no formula (docs/sampling.md).
"""

from fractions import Fraction
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.allocation import AllocationError, AllocationPlan, allocate, apply_plan
from surveys.models import Round


class Command(BaseCommand):
    help = (
        "Allocate a round's sample in proportion to its baseline (minimum per stratum first, "
        "largest-remainder rounding) and show the quota changes; apply them when confirmed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="round number, e.g. 3")
        parser.add_argument("--country", default="KZ", help="the round's country (default KZ)")
        parser.add_argument("--total", type=int, required=True, help="interviews in all")
        parser.add_argument("--by", choices=["sex"], help="split each location's target by sex")
        parser.add_argument("--min-per-stratum", type=int, default=0, metavar="K")
        parser.add_argument(
            "--female-share",
            type=Fraction,
            help="women's share (e.g. 0.19) where the baseline gives no counts by sex",
        )
        parser.add_argument("--year", type=int, help="baseline year (default: the latest)")
        parser.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
        parser.add_argument("--yes", action="store_true", help="apply without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        country = options["country"].upper()
        round_ = Round.objects.filter(country=country, number=options["round"]).first()
        if round_ is None:
            raise CommandError(f"Round {options['round']} of {country} does not exist.")
        by_sex = options["by"] == "sex"
        try:
            plan = allocate(
                round_=round_,
                total=options["total"],
                by_sex=by_sex,
                min_per_stratum=options["min_per_stratum"],
                female_share=options["female_share"],
                year=options["year"],
            )
        except AllocationError as exc:
            raise CommandError(str(exc)) from None
        self._show(plan)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing changed.")
            return
        if not by_sex:
            raise CommandError(
                "Quotas are per sex, so this allocation cannot be written as quota rows: "
                "run again with --by sex (or --dry-run to only compare location totals)."
            )
        if not plan.pending:
            self.stdout.write("The quotas already match: nothing to apply.")
            return
        if not options["yes"] and not self._confirm(len(plan.pending)):
            self.stdout.write("Not applied.")
            return
        try:
            done = apply_plan(plan, user="allocate_sample")
        except AllocationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Applied {done} quota changes."))

    def _confirm(self, n: int) -> bool:
        try:
            answer = input(f"Apply these {n} quota changes? [y/N] ")
        except EOFError:
            return False
        return answer.strip().casefold() in ("y", "yes")

    def _show(self, plan: AllocationPlan) -> None:
        out = self.stdout.write
        out(
            f"Baseline year {plan.year}, international migrant workers; "
            f"{len(plan.strata)} strata, total {plan.total}, minimum {plan.min_per_stratum} each."
        )
        out("Proportional to the baseline, largest remainders (the reports publish no formula).")
        header = f"{'stratum':<14} {'place':<34} {'baseline':>9} {'target':>7}"
        if plan.by_sex:
            header += f" {'male':>6} {'female':>6}  sex split from"
        out(header)
        for s in plan.strata:
            line = f"{s.location_code:<14} {s.location_name[:34]:<34} {s.baseline:>9} {s.target:>7}"
            if plan.by_sex:
                line += f" {s.by_sex['male']:>6} {s.by_sex['female']:>6}  {s.sex_basis}"
            out(line)
        out("")
        out("Quota changes (current -> proposed):" if plan.by_sex else "Location totals:")
        columns = ("current", "proposed", "change")
        out(f"{'action':<7} {'location':<14} {'sex':<7} " + " ".join(f"{c:>8}" for c in columns))
        for c in plan.changes:
            current = "-" if c.current is None else str(c.current)
            proposed = "-" if c.proposed is None else str(c.proposed)
            out(
                f"{c.action:<7} {c.location_code:<14} {c.sex or 'all':<7} {current:>8} "
                f"{proposed:>8} {c.delta:>+8}"
            )
        counts = {
            a: sum(1 for c in plan.changes if c.action == a)
            for a in ("create", "update", "delete", "same")
        }
        out(
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete, {counts['same']} unchanged."
        )
        if plan.untouched:
            out(
                f"{plan.untouched} other quotas of the round (other levels, such as city totals, "
                "or by citizenship) are left as they are: review them after applying."
            )
