"""validate_submission on stored interviews: flags, eligibility, idempotence, own form version."""

import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from demo.data.locations import DISTRICT_CODES
from demo.data.submissions import generate_submission
from surveys.models import FormVersion, KoboForm, Submission
from tests import factories
from validation.engine.validate import mark_for_validation, validate_pending, validate_submission
from validation.flags.criteria_presets import ensure_default_criteria
from validation.models import Eligibility, Flag

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
ALMATY = dt.timezone(dt.timedelta(hours=5))


def _version(
    form: KoboForm, name: str = "mtm_survey_r3.asset.json", uid: str = "vR3b"
) -> FormVersion:
    content = json.loads((DEMO / name).read_text())
    content = content.get("content", content)
    return FormVersion.objects.create(
        form=form,
        version_uid=uid,
        content=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
    )


def _answers(**overrides: str | None) -> dict:
    """A complete, valid demo interview (working, sends money home), then the overrides."""
    rng = random.Random(4)
    while True:
        data = generate_submission(
            rng,
            enumerator="enum01",
            district_code=DISTRICT_CODES[0],
            interview_date=dt.date(2024, 2, 10),
        )
        if data.get("employment/sector") and data.get("screening/age", "0") >= "20":
            break
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def version() -> FormVersion:
    form = factories.KoboFormFactory.create()
    ensure_default_criteria(round=factories.round_of(form))
    return _version(form)


def _submission(version: FormVersion, **overrides: str) -> Submission:
    return factories.SubmissionFactory.create(
        form=version.form,
        version=version,
        version_uid=version.version_uid,
        data=_answers(**overrides),
        started_at=dt.datetime(2024, 2, 10, 18, tzinfo=ALMATY),
        ended_at=dt.datetime(2024, 2, 10, 18, 40, tzinfo=ALMATY),
    )


def _open(submission: Submission) -> dict[tuple[str, str], Flag]:
    return {
        (f.check_code, f.path): f
        for f in Flag.objects.filter(submission=submission, status=Flag.Status.OPEN)
        if f.check_code.startswith(("skip_logic.", "eligibility."))
    }


def test_skipped_answer_becomes_a_flag_with_plain_words_and_values(version: FormVersion) -> None:
    submission = _submission(
        version, **{"screening/employment_status": "looking", "employment/sector": "construction"}
    )
    validate_submission(submission=submission)
    flag = _open(submission)[("skip_logic.not_relevant", "employment/sector")]
    assert flag.message.startswith("'Sector of employment' was answered ('Construction')")
    assert "is 'Is looking for work'" in flag.message
    assert flag.values["screening/employment_status"] == "looking"
    assert flag.severity == "major"
    submission.refresh_from_db()
    assert submission.review_status == Submission.ReviewStatus.FLAGGED


def test_revalidation_is_idempotent_and_resolves_what_no_longer_holds(version: FormVersion) -> None:
    submission = _submission(version, **{"screening/age": "12"})
    first = validate_submission(submission=submission)
    again = validate_submission(submission=submission)
    assert first.opened >= 2
    assert (again.opened, again.resolved) == (0, 0)
    keys = set(_open(submission))
    assert ("skip_logic.constraint_failed", "screening/age") in keys
    assert ("eligibility.age", "") in keys
    assert Eligibility.objects.get(submission=submission).verdict == "ineligible"

    # The enumerator corrects the age in KoBo: flags resolve, history stays.
    submission.data = _answers()
    submission.save()
    report = validate_submission(submission=submission)
    assert report.resolved == first.opened
    assert _open(submission) == {}
    assert Flag.objects.filter(submission=submission, status=Flag.Status.RESOLVED).count() == (
        first.opened
    )
    assert Eligibility.objects.get(submission=submission).verdict == "eligible"
    submission.refresh_from_db()
    assert submission.review_status == Submission.ReviewStatus.CLEAN


def test_each_submission_is_checked_against_its_own_form_version(version: FormVersion) -> None:
    # Version 1 of the demo form has no 'legal_status' question rules of version 2;
    # the same answers give the findings of the version each interview was filled with.
    old = _version(version.form, "mtm_survey_r3_v1.asset.json", uid="vR3a")
    data = {"screening/age": "15"}
    new_sub, old_sub = _submission(version, **data), _submission(old, **data)
    validate_submission(submission=new_sub)
    validate_submission(submission=old_sub)
    new_codes = {k for k in _open(new_sub) if k[0].startswith("skip_logic.")}
    old_codes = {k for k in _open(old_sub) if k[0].startswith("skip_logic.")}
    assert new_codes != old_codes


def test_missing_form_version_is_cannot_check_not_a_crash(version: FormVersion) -> None:
    submission = _submission(version)
    submission.version = None
    submission.version_uid = "vUnknown"
    submission.save()
    validate_submission(submission=submission)
    flag = _open(submission)[("skip_logic.cannot_check", "")]
    assert "vUnknown" in flag.message
    assert flag.severity == "info"


def test_arrival_less_than_a_month_before_the_interview_is_ineligible(version: FormVersion) -> None:
    submission = _submission(version, **{"screening/arrival_date": "2024-01-25"})
    validate_submission(submission=submission)
    eligibility = Eligibility.objects.get(submission=submission)
    assert eligibility.verdict == "ineligible"
    failing = [c for c in eligibility.criteria if c["result"] == "fail"]
    assert [c["code"] for c in failing] == ["length_of_stay"]


def test_pending_queue_and_command(version: FormVersion) -> None:
    subs = [_submission(version) for _ in range(3)]
    Submission.objects.update(needs_validation=False)
    assert mark_for_validation(round_number=factories.round_of(version.form).number) == 3
    assert validate_pending(limit=2) == 2
    assert validate_pending(limit=2) == 1
    assert validate_pending(limit=2) == 0
    out = io.StringIO()
    call_command("validate", "--all", stdout=out)
    assert "3 submissions validated" in out.getvalue()
    assert all(Eligibility.objects.filter(submission=s).exists() for s in subs)
    again = io.StringIO()
    call_command("validate", stdout=again)  # what the demo prints after its sync validated all
    assert again.getvalue() == "No submission was waiting: every synced one is validated already\n"


def test_offline_checker_prints_jsonl_findings(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    rows = [
        {"_id": 7, **_answers(**{"screening/employment_status": "looking"})},
        {"_uuid": "abc", **_answers()},
        _answers(**{"screening/age": "9"}),
    ]
    data.write_text(json.dumps({"count": 3, "results": rows}))
    out = io.StringIO()
    call_command(
        "check_form_data",
        "--form",
        str(DEMO / "mtm_survey_r3.xlsx"),
        "--data",
        str(data),
        "--jsonl",
        stdout=out,
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert any(
        {
            "submission": 7,
            "path": "employment/sector",
            "code": "skip_logic.not_relevant",
        }.items()
        <= r.items()
        for r in records
    )
    assert {r["submission"] for r in records} == {7, 2}  # list index when no id at all
    assert all(set(r) == {"submission", "path", "code", "message"} for r in records)


def test_offline_checker_refuses_unreadable_files_clearly(tmp_path: Path) -> None:
    broken = tmp_path / "data.json"
    broken.write_text("[{")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command(
            "check_form_data",
            "--form",
            str(DEMO / "mtm_survey_r3.xlsx"),
            "--data",
            str(broken),
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "check_form_data",
            "--form",
            str(tmp_path / "nope.xlsx"),
            "--data",
            str(broken),
            stdout=io.StringIO(),
        )


def test_a_rule_the_compiler_rejects_is_reported_and_the_rest_still_checked(
    version: FormVersion,
) -> None:
    content = dict(version.content)
    survey = [dict(row) for row in content["survey"]]
    for row in survey:
        if row.get("name") == "sector":
            row["relevant"] = "${employment_status} = 'working"  # unclosed string
    content["survey"] = survey
    broken = FormVersion.objects.create(
        form=version.form, version_uid="vBroken", content=content, content_hash="broken"
    )
    submission = _submission(broken, **{"screening/age": "9"})
    validate_submission(submission=submission)
    flags = _open(submission)
    unusable = flags[("skip_logic.unparseable", "employment/sector")]
    assert unusable.severity == "info"
    assert "The relevant of 'Sector of employment' cannot be checked: string is not closed" in (
        unusable.message
    )
    assert ("skip_logic.constraint_failed", "screening/age") in flags
