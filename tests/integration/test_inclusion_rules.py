"""Inclusion criteria as each report states them: presets applied per round, a reason per verdict.

Interviews are judged by the real engine against the demo form (its `legal_status` question
asks student / refugee / stateless), so each exclusion the reports print must come out
ineligible with its own criterion and plain-words reason.
"""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from surveys.models import Submission
from tests import factories
from tests.integration import round_data
from validation.engine.validate import validate_submission
from validation.flags.criteria_presets import (
    PRESETS,
    STRICTEST,
    UnknownPresetError,
    apply_preset,
    ensure_default_criteria,
)
from validation.models import Eligibility, InclusionCriterion

pytestmark = pytest.mark.django_db

# The interview day of round_data.add: arrival dates are set against it.
DAY = dt.date(2024, 2, 10)
SETTLED = {"screening/arrival_date": "2023-06-01", "screening/legal_status": "no"}


@pytest.fixture
def rd() -> round_data.RoundData:
    return round_data.build()


def judged(rd: round_data.RoundData, seed: int = 1, /, **answers: Any) -> Eligibility:
    data = round_data.answers(seed, "KZ-ALA-BOS", **{**SETTLED, **answers})
    submission = round_data.add(rd, data, verdict=None)
    validate_submission(submission=submission)
    return Eligibility.objects.get(submission=submission)


def failing(eligibility: Eligibility) -> dict[str, str]:
    return {c["code"]: c["reason"] for c in eligibility.criteria if c["result"] == "fail"}


def test_round_1_has_the_reports_three_rows_and_nothing_else(rd: round_data.RoundData) -> None:
    apply_preset(round=rd.round, preset="R1 2023")
    rows = list(InclusionCriterion.objects.filter(round=rd.round, is_active=True))
    assert [(r.variable, r.label) for r in rows] == [
        ("Age", "+18 years of age"),
        ("Nationality", "Not Kazakh"),
        (
            "Interview with IOM",
            "Has not been interviewed by IOM before in the same round of data collection",
        ),
    ]
    assert all("Round 1" in r.source and r.preset == "R1 2023" for r in rows)


def test_three_city_rows_keep_the_printed_wording_and_exclusions(
    rd: round_data.RoundData,
) -> None:
    apply_preset(round=rd.round, preset="Three-city 2022")
    rows = {r.code: r for r in InclusionCriterion.objects.filter(round=rd.round)}
    assert rows["length_of_stay"].label == (
        "Has arrived in Kazakhstan within the past month or before"
    )
    assert rows["employment"].label == (
        "Has worked, is working, or is actively looking for a job in Kazakhstan"
    )
    assert rows["age"].label == "18 years of age or more"
    assert (rows["not_student"].kind, rows["not_student"].label) == (
        "exclusion",
        "students and trainees",
    )
    assert rows["not_refugee_or_stateless"].label == "refugees and stateless persons"
    assert "The list is not exhaustive." in rows["not_student"].source
    assert "ethics" in rows["consent"].source


@pytest.mark.parametrize(
    ("_case", "answers", "code", "reason"),
    [
        ("student", {"screening/legal_status": "student"}, "not_student", "Students and trainees"),
        (
            "refugee",
            {"screening/legal_status": "refugee"},
            "not_refugee_or_stateless",
            "Refugees and stateless persons",
        ),
        (
            "stateless",
            {"screening/legal_status": "stateless"},
            "not_refugee_or_stateless",
            "Refugees and stateless persons",
        ),
        ("under 18", {"screening/age": "17"}, "age", "under 18"),
        ("Kazakh national", {"screening/citizenship": "kz"}, "nationality", "Kazakh national"),
        ("no work", {"screening/employment_status": "none"}, "employment", "not worked"),
        (
            "interviewed before",
            {"screening/interviewed_before": "yes"},
            "not_interviewed_before",
            "already interviewed",
        ),
        (
            "arrived 10 days ago",
            {"screening/arrival_date": (DAY - dt.timedelta(days=10)).isoformat()},
            "length_of_stay",
            "less than a month",
        ),
        ("no consent", {"consent": "no"}, "consent", "did not give informed consent"),
    ],
)
def test_every_exclusion_in_the_reports_is_ineligible_with_its_reason(
    rd: round_data.RoundData, _case: str, answers: dict[str, str], code: str, reason: str
) -> None:
    apply_preset(round=rd.round, preset=STRICTEST)
    eligibility = judged(rd, **answers)
    assert eligibility.verdict == "ineligible"
    assert list(failing(eligibility)) == [code]
    assert reason in failing(eligibility)[code]


def test_an_eligible_interview_explains_every_criterion(rd: round_data.RoundData) -> None:
    apply_preset(round=rd.round, preset=STRICTEST)
    eligibility = judged(rd, **{"screening/age": "34"})
    assert eligibility.verdict == "eligible"
    results = {c["code"]: c for c in eligibility.criteria}
    assert set(results) == {s.code for s in PRESETS[STRICTEST]}
    assert all(c["result"] == "pass" and c["reason"] for c in results.values())
    assert results["age"]["reason"] == "34, at least 18"
    assert (
        results["length_of_stay"]["reason"] == "arrived 2023-06-01, 254 days before the interview"
    )
    assert results["not_student"]["kind"] == "exclusion"
    assert "three-city" in results["not_student"]["source"]


def test_rounds_without_a_rule_do_not_apply_it(rd: round_data.RoundData) -> None:
    recent = {"screening/arrival_date": (DAY - dt.timedelta(days=10)).isoformat()}
    # R3 (IOM definition) sets no length of stay: 8% of its respondents arrived under a month.
    apply_preset(round=rd.round, preset="R3 2024 (IOM definition)")
    assert judged(rd, **recent).verdict == "eligible"
    # R1 has no exclusions: a student passes its three rows.
    apply_preset(round=rd.round, preset="R1 2023")
    assert judged(rd, 2, **{"screening/legal_status": "student"}).verdict == "eligible"
    apply_preset(round=rd.round, preset=STRICTEST)
    assert judged(rd, 3, **recent).verdict == "ineligible"


def test_applying_is_idempotent_keeps_others_inactive_and_requeues(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    submission = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS", **SETTLED))
    Submission.objects.update(needs_validation=False)
    InclusionCriterion.objects.create(
        round=rd.round, code="own_rule", label="x", operator="=", message="m", value="1"
    )
    first = apply_preset(round=rd.round, preset="R1 2023", revalidate=False)
    assert (first.created, first.deactivated) == (3, ["own_rule"])
    again = apply_preset(round=rd.round, preset="R1 2023")
    assert (again.created, again.updated, again.deactivated, again.requeued) == (0, 0, [], 0)
    # Edited afterwards, the row stays as edited until a preset is applied again.
    InclusionCriterion.objects.filter(round=rd.round, code="age").update(value="21")
    ensure_default_criteria(round=rd.round)  # a round with a preset keeps its rows
    assert InclusionCriterion.objects.get(round=rd.round, code="age").value == "21"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        switched = apply_preset(round=rd.round, preset=STRICTEST, revalidate=True)
    assert (switched.requeued, len(callbacks)) == (1, 1)
    assert InclusionCriterion.objects.get(round=rd.round, code="age").value == "18"
    assert not InclusionCriterion.objects.get(round=rd.round, code="own_rule").is_active
    # Eager tasks, after commit: the requeued interview was judged again under the new set.
    assert Eligibility.objects.get(submission=submission).verdict == "eligible"
    assert len(Eligibility.objects.get(submission=submission).criteria) == 8
    with pytest.raises(UnknownPresetError, match="known presets"):
        apply_preset(round=rd.round, preset="R2 2023")


def test_the_command(rd: round_data.RoundData) -> None:
    out = io.StringIO()
    call_command("apply_criteria", "--list", stdout=out)
    assert "R3 2024 (IOM definition)" in out.getvalue()
    call_command(
        "apply_criteria", "--round", str(rd.round.number), "--preset", "R1 2023", stdout=out
    )
    assert "3 created" in out.getvalue()
    assert InclusionCriterion.objects.filter(round=rd.round, is_active=True).count() == 3
    with pytest.raises(CommandError, match="No criteria preset 'R9'"):
        call_command("apply_criteria", "--round", str(rd.round.number), "--preset", "R9")
    with pytest.raises(CommandError, match="No round number 99"):
        call_command("apply_criteria", "--round", "99", "--preset", "R1 2023")


def test_admin_page_applies_for_data_managers_only(rd: round_data.RoundData) -> None:
    url = "/admin/validation/inclusioncriterion/apply-preset/"
    supervisor = Client()
    supervisor.force_login(rd.sup_a)
    assert supervisor.post(url, {"round": rd.round.pk, "preset": "R1 2023"}).status_code == 403
    assert not InclusionCriterion.objects.exists()
    manager = Client()
    manager.force_login(rd.manager)
    page = manager.get(url)
    assert page.status_code == 200
    assert "students and trainees" in page.content.decode()
    assert "apply-preset" in manager.get("/admin/validation/inclusioncriterion/").content.decode()
    bad = manager.post(url, {"round": rd.round.pk, "preset": "nope"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    done = manager.post(url, {"round": rd.round.pk, "preset": "Three-city 2022"})
    assert done.status_code == 302
    assert InclusionCriterion.objects.filter(round=rd.round, is_active=True).count() == 8


def test_a_new_round_gets_the_strictest_set() -> None:
    round_ = factories.RoundFactory.create()
    assert ensure_default_criteria(round=round_) == len(PRESETS[STRICTEST])
    assert ensure_default_criteria(round=round_) == 0
