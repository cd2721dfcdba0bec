"""Small XLSForms written for the differential test: what the three real forms lack.

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


# One relevance per function or coercion rule (numbers vs empty, dates vs strings and
# today(), select helpers, string functions, arithmetic), on plain answers.
# Left out on purpose: `${t} > 3` and number(${t}) on text such as '+7701...' (Enketo's
# JavaScript `+str` reads it as a number, XPath 1.0 gives NaN), and unary minus on a path
# (`-${n}`), which openrosa-xpath-evaluator 3.1.0 cannot parse.
PROBE: list[tuple[str, str, str, dict[str, str]]] = [
    ("integer", "n", "N", {}),
    ("decimal", "d", "D", {}),
    ("text", "t", "T", {}),
    ("date", "dt", "Date", {}),
    ("select_one abc", "s1", "S1", {}),
    ("select_multiple abc", "sm", "SM", {}),
    ("text", "a1", "", {"relevant": "${n} > 5"}),
    ("text", "a2", "", {"relevant": "${n} != 5"}),
    ("text", "a3", "", {"relevant": "${n} = ''"}),
    ("text", "a4", "", {"relevant": "${d} < ${n}"}),
    ("text", "a6", "", {"relevant": "${dt} < today()"}),
    ("text", "a7", "", {"relevant": "${dt} > '2024-03-01'"}),
    ("text", "a8", "", {"relevant": "today() - ${dt} > 30"}),
    ("text", "a9", "", {"relevant": "format-date(${dt}, '%Y') = '2024'"}),
    ("text", "a10", "", {"relevant": "substr(${t}, 0, 2) = 'Ai'"}),
    ("text", "a11", "", {"relevant": "string-length(${t}) > 4 and not(selected(${sm}, 'b'))"}),
    ("text", "a12", "", {"relevant": "count-selected(${sm}) >= 2 or selected-at(${sm}, 0) = 'c'"}),
    ("text", "a13", "", {"relevant": "coalesce(${t}, 'x') = 'x'"}),
    ("text", "a14", "", {"relevant": "concat(${s1}, ${n}) = 'a7'"}),
    ("text", "a15", "", {"relevant": "round(${d}) = 3 or int(${d}) = -1"}),
    ("text", "a16", "", {"relevant": "boolean(${t})"}),
    ("text", "a18", "", {"relevant": "${n} mod 2 = 1 or ${n} div 4 >= 2"}),
    ("text", "a19", "", {"relevant": "contains(${t}, 'a') and starts-with(${t}, 'A')"}),
    ("text", "a20", "", {"relevant": "decimal-date-time(${dt}) > 19800"}),
    ("text", "a21", "", {"relevant": "date(${dt}) = date('2024-02-01')"}),
    ("text", "a22", "", {"relevant": "${dt} = ''"}),
    (
        "text",
        "a23",
        "",
        {"relevant": "pow(${n}, 2) > 20 and min(${n}, ${d}) < 3 and max(${n}, ${d}) > 1"},
    ),
    ("text", "a24", "", {"relevant": "translate(${t}, 'abc', 'ABC') = ${t}"}),
    ("text", "a25", "", {"relevant": "boolean-from-string(${s1})"}),
    ("text", "a26", "", {"relevant": "if(${n} > 3, ${s1} = 'a', ${s1} = 'b')"}),
    ("text", "a27", "", {"relevant": "jr:choice-name(${s1}, '${s1}') = 'Alpha'"}),
    ("text", "a28", "", {"relevant": "${s1} = 'a' or ${s1} = 'b' and ${n} > 2"}),
    ("text", "a30", "", {"relevant": "${d} > 2.5"}),
    ("text", "a31", "", {"relevant": "normalize-space(${t}) != ${t}"}),
    ("text", "a32", "", {"relevant": "regex(${t}, '^[A-Z][a-z]+$')"}),
    ("text", "a33", "", {"relevant": "count-non-empty(${n}) = 1"}),
    ("text", "a34", "", {"relevant": "true() and false() = false()"}),
    ("text", "a35", "", {"relevant": "${n} >= 0.5 * ${d}"}),
    (
        "text",
        "a36",
        "",
        {"relevant": "substring-before(${t}, 'i') = 'A' or substring-after(${t}, 'a') = 'kyt'"},
    ),
    (
        "text",
        "a37",
        "",
        {"relevant": "format-date(${dt}, '%d/%m') = '01/02' or format-date(${dt}, '%b') = 'Mar'"},
    ),
    ("text", "a38", "", {"relevant": "${dt} < date('2024-03-01') + 0"}),
    ("text", "a39", "", {"relevant": "string(${n}) = '7'"}),
    ("text", "a40", "", {"relevant": "ceiling(${d}) = 3 or floor(${d}) = 2 or abs(${d}) > 5"}),
]
PROBE_CHOICES = [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("true", "T"), ("1", "One")]


def write_probe_form(path: Path) -> Path:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant"])
    for kind, name, label, extra in PROBE:
        survey.append([kind, name, label or name, extra.get("relevant", "")])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for name, label in PROBE_CHOICES:
        choices.append(["abc", name, label])
    book.save(path)
    return path
