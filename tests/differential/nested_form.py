"""A small XLSForm written for the differential test: what the three real forms lack.

Nested repeats, a repeat inside a group inside a repeat, relevance reading the parent
repeat instance (`../`), aggregates across instances (count, sum, max), indexed-repeat
with position(..), a required expression, a relevant required note, calculates in
repeats that gate other questions, date arithmetic, regex and count-selected constraints.
"""

from pathlib import Path

from openpyxl import Workbook

Row = tuple[str, str, str, dict[str, str]]

SURVEY: list[Row] = [
    ("start", "start", "", {}),
    ("end", "end", "", {}),
    ("select_one yn", "consent", "Consent?", {"required": "yes"}),
    ("begin_group", "hh", "Household", {"relevant": "${consent} = 'yes'"}),
    ("integer", "members", "Members", {"required": "yes", "constraint": ". >= 0 and . <= 6"}),
    ("date", "visit", "Visit date", {"required": "yes", "constraint": ". <= today()"}),
    ("begin_repeat", "member", "Member", {"repeat_count": "${members}"}),
    ("text", "name", "Name", {"required": "yes", "constraint": "string-length(.) >= 2"}),
    ("integer", "age", "Age", {"required": "yes", "constraint": ". >= 0 and . <= 110"}),
    ("calculate", "adult", "", {"calculation": "if(${age} >= 18, 'yes', 'no')"}),
    ("calculate", "pos", "", {"calculation": "position(..)"}),
    ("select_one yn", "works", "Works?", {"required": "${adult} = 'yes'"}),
    ("note", "minor_note", "Minor", {"relevant": "${age} < 18", "required": "yes"}),
    ("begin_repeat", "job", "Job", {"relevant": "${works} = 'yes'"}),
    ("text", "employer", "Employer", {"required": "yes"}),
    ("integer", "hours", "Hours", {"required": "yes", "constraint": ". > 0 and . <= 80"}),
    ("select_multiple days", "days", "Days", {"constraint": "count-selected(.) <= 5"}),
    ("begin_group", "pay", "Pay", {"relevant": "${hours} >= 20"}),
    ("decimal", "wage", "Wage", {"required": "yes", "constraint": ". > 0"}),
    ("text", "phone", "Phone", {"constraint": "regex(., '^\\+?[0-9]{10,13}$')"}),
    ("end_group", "", "", {}),
    ("end_repeat", "", "", {}),
    ("calculate", "total_hours", "", {"calculation": "sum(../job/hours)"}),
    ("integer", "overtime", "Overtime", {"relevant": "${total_hours} > 40", "required": "yes"}),
    ("end_repeat", "", "", {}),
    ("calculate", "n_members", "", {"calculation": "count(${member})"}),
    ("calculate", "oldest", "", {"calculation": "max(${age})"}),
    (
        "calculate",
        "first_name",
        "",
        {"calculation": "indexed-repeat(${name}, ${member}, 1)"},
    ),
    ("text", "head_name", "Head", {"relevant": "${first_name} != ''", "required": "yes"}),
    ("integer", "head_age", "Head age", {"constraint": ". >= ${oldest}"}),
    ("end_group", "", "", {}),
    ("select_one yn", "more", "More?", {"relevant": "${n_members} > 2 and ${oldest} >= 60"}),
    ("date", "birth", "Birth", {"constraint": "decimal-date-time(.) < decimal-date-time(today())"}),
    ("integer", "years", "Years", {"relevant": "${birth} != ''", "constraint": ". < 120"}),
]
CHOICES = [
    ("yn", "yes", "Yes"),
    ("yn", "no", "No"),
    ("days", "mon", "Mon"),
    ("days", "tue", "Tue"),
    ("days", "wed", "Wed"),
    ("days", "thu", "Thu"),
    ("days", "fri", "Fri"),
    ("days", "sat", "Sat"),
]
COLUMNS = ["required", "relevant", "constraint", "calculation", "repeat_count"]


def write_nested_form(path: Path) -> Path:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label", *COLUMNS])
    for kind, name, label, extra in SURVEY:
        survey.append([kind, name, label, *(extra.get(c, "") for c in COLUMNS)])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in CHOICES:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["nested_repeats", "1"])
    book.save(path)
    return path
