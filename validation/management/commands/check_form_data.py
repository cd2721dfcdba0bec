"""Offline checker: python manage.py check_form_data --form FORM --data DATA [--jsonl] [--now ISO].

FORM is an XLSForm .xlsx or a KoBo asset/version JSON; DATA is KoBo JSON (a list of
submissions or a data page with "results"). No database is touched.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from validation.xlsform import XLSFormError, load_form_file


def _submission_key(submission: dict[str, Any], index: int) -> Any:
    for key in ("_id", "_uuid", "meta/instanceID"):
        if submission.get(key) not in (None, ""):
            return submission[key]
    return index


def _load_data(path: Path) -> list[dict[str, Any]]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read data file {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"Data file {path} is not valid JSON: {exc}") from None
    rows = payload.get("results") if isinstance(payload, dict) else payload
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise CommandError(
            f"Data file {path} must hold a list of submissions or a KoBo data page with results"
        )
    return rows


class Command(BaseCommand):
    help = "Check KoBo submissions against an XLSForm's skip logic, offline."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--form", required=True, type=Path, help=".xlsx or KoBo asset JSON")
        parser.add_argument("--data", required=True, type=Path, help="KoBo JSON submissions")
        parser.add_argument("--jsonl", action="store_true", help="one JSON object per finding")
        parser.add_argument(
            "--now",
            help="ISO date-time used for today()/now() (default: each "
            "interview's own end/start time)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        form_path: Path = options["form"]
        if not form_path.is_file():
            raise CommandError(f"Form file {form_path} does not exist")
        try:
            form = load_form_file(form_path)
        except (XLSFormError, OSError, ValueError) as exc:
            raise CommandError(f"Cannot read form {form_path}: {exc}") from None
        for error in form.errors:
            self.stderr.write(
                f"Form rule not checked: {error.column} of {error.path}: {error.message}"
            )
        rows = _load_data(options["data"])
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now {options['now']!r} is not an ISO date-time") from None
        count = 0
        for index, submission in enumerate(rows):
            for finding in form.check(submission, now=now):
                count += 1
                record = {
                    "submission": _submission_key(submission, index),
                    "path": finding.path,
                    "code": finding.code,
                    "message": finding.message,
                }
                if options["jsonl"]:
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
                else:
                    self.stdout.write(
                        f"[{record['submission']}] {finding.code} {finding.path}: {finding.message}"
                    )
        if not options["jsonl"]:
            self.stdout.write(f"{len(rows)} submissions checked, {count} findings")
