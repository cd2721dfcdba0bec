"""Form-level semantics of the skip-logic checker, as ODK Collect and Enketo behave."""

import datetime as dt
import json
from pathlib import Path

import pytest

from validation.xlsform import (
    CompiledForm,
    XLSFormError,
    compile_asset_content,
    compile_xlsx,
    load_form_file,
)

ALMATY = dt.timezone(dt.timedelta(hours=5))
NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=ALMATY)
FORMS = Path(__file__).resolve().parents[2] / "data" / "forms"
DEMO = Path(__file__).resolve().parents[3] / "demo" / "data"

YESNO = [
    {"list_name": "yesno", "name": "yes", "label": ["Yes", "Да"]},
    {"list_name": "yesno", "name": "no", "label": ["No", "Нет"]},
]


def form(*rows: dict, choices: list[dict] | None = None) -> CompiledForm:
    survey = []
    for row in rows:
        item = dict(row)
        if "label" in item and isinstance(item["label"], str):
            item["label"] = [item["label"], item["label"] + " (ru)"]
        survey.append(item)
    return compile_asset_content(
        {
            "survey": survey,
            "choices": YESNO + (choices or []),
            "translations": ["English (en)", "Russian (ru)"],
            "settings": {"default_language": "English (en)"},
        }
    )


def codes(found: list) -> list[tuple[str, str]]:
    return sorted((f.code, f.path) for f in found)


WORKING = (
    {
        "type": "select_one",
        "select_from_list_name": "yesno",
        "name": "working",
        "label": "Are you currently working?",
        "required": True,
    },
    {
        "type": "text",
        "name": "sector",
        "label": "Sector of employment",
        "relevant": "${working} = 'yes'",
        "required": True,
    },
)


def test_answer_to_skipped_question_is_reported_in_plain_words() -> None:
    (finding,) = form(*WORKING).check({"working": "no", "sector": "trade"}, now=NOW)
    assert finding.code == "skip_logic.not_relevant"
    assert finding.path == "sector"
    assert finding.message == (
        "'Sector of employment' was answered ('trade') but should have been skipped: "
        "'Are you currently working?' is 'No'."
    )
    assert finding.values == {"sector": "trade", "working": "no"}
    assert finding.expression == "${working} = 'yes'"


def test_messages_follow_the_requested_language() -> None:
    (finding,) = form(*WORKING).check(
        {"working": "no", "sector": "x"}, now=NOW, lang="Russian (ru)"
    )
    assert "'Are you currently working? (ru)' is 'Нет'" in finding.message


def test_relevant_answered_and_required_missing() -> None:
    f = form(*WORKING)
    assert f.check({"working": "yes", "sector": "trade"}, now=NOW) == []
    assert codes(f.check({"working": "yes"}, now=NOW)) == [
        ("skip_logic.required_missing", "sector")
    ]
    # Not relevant and empty: nothing to say.
    assert f.check({"working": "no"}, now=NOW) == []


def test_question_inside_skipped_group_is_not_relevant_and_message_names_the_group() -> None:
    f = form(
        {
            "type": "select_one",
            "select_from_list_name": "yesno",
            "name": "consent",
            "label": "Consent?",
        },
        {
            "type": "begin_group",
            "name": "main",
            "label": "Main section",
            "relevant": "${consent} = 'yes'",
        },
        {"type": "integer", "name": "age", "label": "Age", "required": True},
        {"type": "end_group"},
    )
    (finding,) = f.check({"consent": "no", "main/age": "30"}, now=NOW)
    assert (finding.code, finding.path) == ("skip_logic.not_relevant", "main/age")
    assert "it is in 'Main section', which was skipped because 'Consent?' is 'No'" in (
        finding.message
    )
    # Required questions of a skipped group are not required.
    assert f.check({"consent": "no"}, now=NOW) == []


def test_non_relevant_value_does_not_exist_for_other_expressions() -> None:
    # b is answered but not relevant; c's relevance reads b and must see it empty.
    f = form(
        {"type": "integer", "name": "a", "label": "A"},
        {"type": "integer", "name": "b", "label": "B", "relevant": "${a} > 5"},
        {"type": "integer", "name": "c", "label": "C", "relevant": "${b} != ''"},
    )
    found = f.check({"a": "1", "b": "9", "c": "3"}, now=NOW)
    assert codes(found) == [("skip_logic.not_relevant", "b"), ("skip_logic.not_relevant", "c")]


def test_forward_reference_is_settled_by_iterating() -> None:
    # q1's relevance reads q2, which comes later and is itself not relevant.
    f = form(
        {"type": "integer", "name": "q1", "label": "Q1", "relevant": "${q2} = 1"},
        {"type": "integer", "name": "q2", "label": "Q2", "relevant": "${q3} = 1"},
        {"type": "integer", "name": "q3", "label": "Q3"},
    )
    found = f.check({"q1": "5", "q2": "1", "q3": "0"}, now=NOW)
    assert codes(found) == [("skip_logic.not_relevant", "q1"), ("skip_logic.not_relevant", "q2")]


def test_constraint_uses_dot_and_is_skipped_when_empty_or_not_relevant() -> None:
    f = form(
        {
            "type": "integer",
            "name": "age",
            "label": "How old are you?",
            "constraint": ". >= 14 and . <= 90",
            "constraint_message": ["Age must be between 14 and 90", "Возраст"],
        },
    )
    (finding,) = f.check({"age": "12"}, now=NOW)
    assert finding.code == "skip_logic.constraint_failed"
    assert finding.message == (
        "'How old are you?' is '12', which breaks the rule 'Age must be between 14 and 90' "
        "(. >= 14 and . <= 90)."
    )
    assert f.check({"age": "14"}, now=NOW) == []
    assert f.check({}, now=NOW) == []


def test_constraint_comparing_with_another_answer() -> None:
    f = form(
        {"type": "integer", "name": "household", "label": "Household size"},
        {
            "type": "integer",
            "name": "children",
            "label": "Children",
            "constraint": ". < ${household}",
        },
    )
    (finding,) = f.check({"household": "3", "children": "4"}, now=NOW)
    assert finding.values == {"children": "4", "household": "3"}


def test_required_note_that_is_relevant_counts_as_missing() -> None:
    f = form(
        {
            "type": "select_one",
            "select_from_list_name": "yesno",
            "name": "consent",
            "label": "Consent?",
        },
        {
            "type": "note",
            "name": "stop",
            "label": "Stop the interview",
            "required": True,
            "relevant": "${consent} = 'no'",
        },
    )
    assert codes(f.check({"consent": "no"}, now=NOW)) == [("skip_logic.required_missing", "stop")]
    assert f.check({"consent": "yes"}, now=NOW) == []


def test_dynamic_required_expression() -> None:
    f = form(
        {"type": "integer", "name": "a", "label": "A"},
        {"type": "text", "name": "b", "label": "B", "required": "${a} > 10"},
    )
    assert codes(f.check({"a": "11"}, now=NOW)) == [("skip_logic.required_missing", "b")]
    assert f.check({"a": "3"}, now=NOW) == []


def test_meta_calculate_and_hidden_fields_are_never_reported() -> None:
    f = form(
        {"type": "start", "name": "start"},
        {"type": "calculate", "name": "calc", "calculation": "1 + 1", "relevant": "false()"},
        {"type": "hidden", "name": "h", "relevant": "false()"},
        {"type": "deviceid", "name": "deviceid"},
    )
    assert f.check({"start": "x", "calc": "5", "h": "y", "deviceid": "z"}, now=NOW) == []


def test_calculate_in_data_is_used_as_submitted_and_missing_one_is_computed() -> None:
    f = form(
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "calculate", "name": "adult", "calculation": "if(${age} >= 18, 'yes', 'no')"},
        {"type": "text", "name": "job", "label": "Job", "relevant": "${adult} = 'yes'"},
    )
    # Submitted calculate says "no" although age says otherwise: the submitted value rules.
    assert codes(f.check({"age": "30", "adult": "no", "job": "x"}, now=NOW)) == [
        ("skip_logic.not_relevant", "job")
    ]
    assert f.check({"age": "30", "job": "x"}, now=NOW) == []
    assert codes(f.check({"age": "10", "job": "x"}, now=NOW)) == [
        ("skip_logic.not_relevant", "job")
    ]


def test_calculates_are_computed_in_dependency_order_not_document_order() -> None:
    f = form(
        {"type": "calculate", "name": "double", "calculation": "${base} * 2"},
        {"type": "calculate", "name": "base", "calculation": "${n} + 1"},
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "text", "name": "t", "label": "T", "relevant": "${double} = 8"},
    )
    assert f.check({"n": "3", "t": "ok"}, now=NOW) == []
    assert codes(f.check({"n": "2", "t": "ok"}, now=NOW)) == [("skip_logic.not_relevant", "t")]


REPEAT = (
    {"type": "integer", "name": "members_count", "label": "How many members?"},
    {
        "type": "begin_repeat",
        "name": "member",
        "label": "Member",
        "repeat_count": "${members_count}",
    },
    {"type": "integer", "name": "m_age", "label": "Age of member", "required": True},
    {
        "type": "select_one",
        "select_from_list_name": "yesno",
        "name": "m_school",
        "label": "Attends school?",
        "relevant": "${m_age} < 18",
    },
    {"type": "end_repeat"},
    {"type": "integer", "name": "oldest", "label": "Oldest age", "constraint": ". = max(${m_age})"},
)


def _members(*rows: dict) -> list[dict]:
    return [{f"member/{k}": v for k, v in row.items()} for row in rows]


def test_repeat_instances_are_evaluated_in_their_own_context_with_indexed_paths() -> None:
    f = form(*REPEAT)
    data = {
        "members_count": "3",
        "member": _members(
            {"m_age": "40", "m_school": "no"}, {"m_age": "10", "m_school": "yes"}, {}
        ),
    }
    assert codes(f.check(data, now=NOW)) == [
        ("skip_logic.not_relevant", "member[1]/m_school"),
        ("skip_logic.required_missing", "member[3]/m_age"),
    ]


def test_nodeset_functions_read_every_repeat_instance() -> None:
    f = form(*REPEAT)
    data = {
        "members_count": "2",
        "member": _members({"m_age": "40"}, {"m_age": "50"}),
        "oldest": "40",
    }
    assert codes(f.check(data, now=NOW)) == [("skip_logic.constraint_failed", "oldest")]
    assert f.evaluate("sum(${m_age})", data, now=NOW) == 90
    assert f.evaluate("count(${member})", data, now=NOW) == 2


def test_repeat_count_mismatch() -> None:
    f = form(*REPEAT)
    data = {"members_count": "3", "member": _members({"m_age": "40"}), "oldest": "40"}
    (finding,) = f.check(data, now=NOW)
    assert (finding.code, finding.path) == ("skip_logic.repeat_count_mismatch", "member")
    assert finding.message == ("'Member' should have 3 entries (${members_count}) but has 1.")


def test_nested_repeats_and_indexed_repeat() -> None:
    f = form(
        {"type": "begin_repeat", "name": "hh", "label": "Household"},
        {"type": "text", "name": "hh_name", "label": "Name"},
        {"type": "begin_repeat", "name": "person", "label": "Person"},
        {"type": "integer", "name": "p_age", "label": "Age"},
        {"type": "text", "name": "p_job", "label": "Job", "relevant": "${p_age} >= 18"},
        {"type": "end_repeat"},
        {"type": "end_repeat"},
        {
            "type": "text",
            "name": "first_name",
            "label": "First name",
            "constraint": ". = indexed-repeat(${hh_name}, ${hh}, 1)",
        },
    )
    data = {
        "hh": [
            {
                "hh/hh_name": "A",
                "hh/person": [
                    {"hh/person/p_age": "30", "hh/person/p_job": "x"},
                    {"hh/person/p_age": "5", "hh/person/p_job": "y"},
                ],
            },
            {"hh/hh_name": "B", "hh/person": [{"hh/person/p_age": "7", "hh/person/p_job": "z"}]},
        ],
        "first_name": "A",
    }
    assert codes(f.check(data, now=NOW)) == [
        ("skip_logic.not_relevant", "hh[1]/person[2]/p_job"),
        ("skip_logic.not_relevant", "hh[2]/person[1]/p_job"),
    ]
    assert codes(f.check({**data, "first_name": "B"}, now=NOW))[0] == (
        "skip_logic.constraint_failed",
        "first_name",
    )


def test_invalid_choice_and_choice_filter() -> None:
    f = form(
        {
            "type": "select_one",
            "select_from_list_name": "region",
            "name": "region",
            "label": "Region",
        },
        {
            "type": "select_one",
            "select_from_list_name": "district",
            "name": "district",
            "label": "District",
            "choice_filter": "region = ${region}",
        },
        {
            "type": "select_multiple",
            "select_from_list_name": "yesno",
            "name": "multi",
            "label": "Multi",
        },
        choices=[
            {"list_name": "region", "name": "ALA", "label": ["Almaty", "Алматы"]},
            {"list_name": "region", "name": "AST", "label": ["Astana", "Астана"]},
            {"list_name": "district", "name": "BOS", "label": ["Bostandyk", "Б"], "region": "ALA"},
            {"list_name": "district", "name": "ESI", "label": ["Esil", "Е"], "region": "AST"},
        ],
    )
    assert f.check({"region": "ALA", "district": "BOS", "multi": "yes no"}, now=NOW) == []
    (filtered,) = f.check({"region": "ALA", "district": "ESI"}, now=NOW)
    assert filtered.code == "skip_logic.invalid_choice"
    assert "'Esil', which is not offered here by the filter region = ${region}" in (
        filtered.message
    )
    assert codes(f.check({"region": "XXX", "multi": "yes maybe"}, now=NOW)) == [
        ("skip_logic.invalid_choice", "multi"),
        ("skip_logic.invalid_choice", "region"),
    ]


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("integer", "-12", "12.5"),
        ("decimal", "12.5", "twelve"),
        ("date", "2024-02-29", "2023-02-29"),
        ("dateTime", "2024-02-01T10:02:11.204+05:00", "yesterday"),
        ("time", "10:02:11.204+05:00", "25 past ten"),
        ("geopoint", "43.2 76.9 800 5", "43.2"),
        ("geopoint", "-89.9 179.9", "91 10 0 0"),
    ],
)
def test_invalid_values_by_type(kind: str, good: str, bad: str) -> None:
    f = form({"type": kind, "name": "q", "label": "Q", "constraint": "true()"})
    assert f.check({"q": good}, now=NOW) == []
    (finding,) = f.check({"q": bad}, now=NOW)
    assert finding.code == "skip_logic.invalid_value"


def test_today_is_the_interview_time_not_the_server_clock() -> None:
    f = form(
        {"type": "end", "name": "end"},
        {"type": "date", "name": "arrival", "label": "Arrival", "constraint": "today() - . >= 30"},
    )
    interview = {"end": "2024-02-10T23:30:00.000+05:00", "arrival": "2024-01-11"}
    assert f.check(interview) == []  # 30 days before the interview's local date
    later = {**interview, "arrival": "2024-01-12"}
    assert codes(f.check(later)) == [("skip_logic.constraint_failed", "arrival")]
    # The same instant in UTC is still 10 February in Almaty, where the form ran.
    assert f.evaluate("today()", interview) == dt.date(2024, 2, 10)
    # An explicit `now` overrides the interview's own time (the offline checker's --now).
    assert f.check(later, now=dt.datetime(2024, 3, 1, tzinfo=ALMATY)) == []


def test_offline_functions_give_cannot_check_and_never_a_flag() -> None:
    f = form(
        {"type": "calculate", "name": "quota", "calculation": "pulldata('quotas', 'n', 'id', 1)"},
        {
            "type": "integer",
            "name": "q",
            "label": "Q",
            "relevant": "${quota} > 3",
            "required": True,
        },
        {"type": "integer", "name": "r", "label": "R", "constraint": ". < pulldata('x','y','z',1)"},
    )
    found = f.check({"r": "5"}, now=NOW)
    assert codes(found) == [("skip_logic.cannot_check", "q"), ("skip_logic.cannot_check", "r")]
    assert all(x.severity == "info" for x in found)
    # A calculate the submission carries needs no pulldata: the check goes through.
    assert codes(f.check({"quota": "5", "r": "5"}, now=NOW)) == [
        ("skip_logic.cannot_check", "r"),
        ("skip_logic.required_missing", "q"),
    ]


def test_broken_expression_is_a_form_error_with_the_column_and_the_rest_still_checks() -> None:
    f = form(
        {"type": "integer", "name": "a", "label": "A", "relevant": "${a > 3"},
        {"type": "integer", "name": "b", "label": "B", "relevant": "${missing} = 1"},
        {"type": "integer", "name": "c", "label": "C", "required": True},
    )
    assert [(e.name, e.column) for e in f.errors] == [("a", "relevant"), ("b", "relevant")]
    assert "column 1" in f.errors[0].message
    assert "${missing} does not name a question" in f.errors[1].message
    assert codes(f.check({"a": "1"}, now=NOW)) == [("skip_logic.required_missing", "c")]


def test_structurally_broken_form_is_a_clear_error() -> None:
    with pytest.raises(XLSFormError, match="'end group' has no matching begin"):
        form({"type": "integer", "name": "a"}, {"type": "end_group"})
    with pytest.raises(XLSFormError, match="never closed"):
        form({"type": "begin_repeat", "name": "r"}, {"type": "integer", "name": "a"})
    with pytest.raises(XLSFormError, match="'survey' list"):
        compile_asset_content({"choices": []})


def test_kobo_asset_and_xlsx_of_the_demo_form_give_the_same_findings() -> None:
    asset = compile_asset_content(json.loads((DEMO / "mtm_survey_r3.asset.json").read_text()))
    workbook = compile_xlsx(DEMO / "mtm_survey_r3.xlsx")
    assert [q.path for q in asset.questions] == [q.path for q in workbook.questions]
    data = {
        "consent": "yes",
        "screening/age": "12",
        "screening/employment_status": "looking",
        "employment/sector": "construction",
    }
    assert codes(asset.check(data, now=NOW)) == codes(workbook.check(data, now=NOW))
    assert ("skip_logic.constraint_failed", "screening/age") in codes(asset.check(data, now=NOW))


@pytest.mark.parametrize(
    "name", ["reach_water_household_survey.xlsx", "unhcr_household_survey_americas.xlsx"]
)
def test_real_world_forms_compile_without_errors(name: str) -> None:
    compiled = load_form_file(FORMS / name)
    assert compiled.errors == []
    assert len(compiled.questions) > 100
    # An empty interview checks without crashing (only required questions are reported).
    assert {f.code for f in compiled.check({}, now=NOW)} <= {
        "skip_logic.required_missing",
        "skip_logic.cannot_check",
    }


def test_unreadable_form_files_are_clear_errors(tmp_path: Path) -> None:
    bad_json = tmp_path / "form.json"
    bad_json.write_text("{not json")
    with pytest.raises(XLSFormError, match="not valid JSON"):
        load_form_file(bad_json)
    bad_xlsx = tmp_path / "form.xlsx"
    bad_xlsx.write_bytes(b"PK not really a workbook")
    with pytest.raises(XLSFormError, match=r"not a readable \.xlsx"):
        load_form_file(bad_xlsx)


def test_random_calculate_missing_from_the_data_cannot_be_checked_reproducibly() -> None:
    f = form(
        {"type": "calculate", "name": "r", "calculation": "random()"},
        {"type": "text", "name": "q", "label": "Q", "relevant": "${r} > 0.5"},
    )
    verdicts = {tuple(codes(f.check({"q": "hello"}, now=NOW))) for _ in range(50)}
    assert verdicts == {(("skip_logic.cannot_check", "q"),)}
    assert f.check({"q": "hello", "r": "0.7"}, now=NOW) == []


def test_a_random_pick_from_an_empty_list_is_known_and_from_a_full_one_is_not() -> None:
    # The UNHCR form picks one listed adult at random; with nobody listed the pick is ''
    # whatever the draw, so the section that needs a pick is known to be skipped.
    f = form(
        {"type": "text", "name": "adults", "label": "Adults"},
        {"type": "calculate", "name": "n", "calculation": "count-selected(${adults})"},
        {
            "type": "calculate",
            "name": "pick",
            "calculation": "selected-at(${adults}, int(random() * ${n}))",
        },
        {"type": "text", "name": "q", "label": "Q", "relevant": "${pick} != ''"},
    )

    nobody = f.check({"q": "answered anyway"}, now=NOW)
    two = {tuple(codes(f.check({"adults": "a b", "q": "x"}, now=NOW))) for _ in range(20)}

    assert codes(nobody) == [("skip_logic.not_relevant", "q")]
    assert two == {(("skip_logic.cannot_check", "q"),)}
