"""Dry run: python manage.py checks_dry_run --round N [--country KZ] [--config F] [--json].

How many quality flags per check a configuration would add and resolve on a round, computed
as a diff against the stored flags inside a transaction that is rolled back: nothing is saved.
FILE is JSON with any of enabled_checks, thresholds, severities, question_map (as in the admin);
without it, the saved configuration is re-run over the whole round.
"""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from surveys.models import Round
from validation import quality
from validation.models import CheckConfig

_KEYS = ("enabled_checks", "thresholds", "severities", "question_map")


def _load_config(path: Path, round_: Round) -> CheckConfig:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read configuration file {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"Configuration file {path} is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise CommandError(f"Configuration file {path} must hold a JSON object.")
    unknown = sorted(set(payload) - set(_KEYS))
    if unknown:
        raise CommandError(
            f"Configuration file {path}: unknown keys {', '.join(unknown)}; "
            f"known: {', '.join(_KEYS)}."
        )
    config = CheckConfig(round=round_, **payload)
    try:
        config.clean()
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise CommandError(f"Invalid configuration: {problems}") from None
    return config


class Command(BaseCommand):
    help = "Show how many quality flags a check configuration would add and resolve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, type=int, help="round number")
        parser.add_argument("--country", help="ISO code, when several countries share N")
        parser.add_argument("--config", type=Path, help="JSON configuration to try")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = Round.objects.filter(number=options["round"])
        if options["country"]:
            rounds = rounds.filter(country=options["country"].upper())
        found = list(rounds[:2])
        if not found:
            raise CommandError(f"No round number {options['round']}.")
        if len(found) > 1:
            raise CommandError(f"Several rounds are number {options['round']}: add --country.")
        round_ = found[0]
        config = _load_config(options["config"], round_) if options["config"] else None
        added: dict[str, int] = {}
        resolved: dict[str, int] = {}
        with transaction.atomic():
            reports = quality.check_round(round_, override=config, full=True, dry_run=True)
            transaction.set_rollback(True)  # belt and braces: the dry run writes nothing anyway
        for report in reports:
            for code, n in report.added.items():
                added[code] = added.get(code, 0) + n
            for code, n in report.resolved.items():
                resolved[code] = resolved.get(code, 0) + n
        codes = sorted(set(added) | set(resolved))
        interviews = sum(r.due for r in reports)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "round": round_.number,
                        "interviews": interviews,
                        "checks": {
                            c: {"add": added.get(c, 0), "resolve": resolved.get(c, 0)}
                            for c in codes
                        },
                    },
                    sort_keys=True,
                )
            )
            return
        self.stdout.write(f"Round {round_}: {interviews} interviews checked; nothing was saved.")
        width = max([len("check"), *(len(c) for c in codes)])
        self.stdout.write(f"{'check':<{width}}  {'add':>6}  {'resolve':>7}")
        for code in codes:
            self.stdout.write(
                f"{code:<{width}}  {added.get(code, 0):>6}  {resolved.get(code, 0):>7}"
            )
        total_add, total_res = sum(added.values()), sum(resolved.values())
        self.stdout.write(f"{'total':<{width}}  {total_add:>6}  {total_res:>7}")
