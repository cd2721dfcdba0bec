import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Interview
from validation.checks.registry import (
    CHECKS,
    DEFAULTS,
    run_checks,
    validate_config,
    validate_params,
)


def test_every_code_has_defaults_with_severity() -> None:
    codes = [code for check in CHECKS for code in check.codes]
    assert len(codes) == len(set(codes))
    assert set(DEFAULTS) == set(codes)
    assert all(d["severity"] in {"blocker", "major", "minor", "info"} for d in DEFAULTS.values())
    assert DEFAULTS["duration.too_short"]["min_minutes"] == 15.0
    assert DEFAULTS["timing.late_upload"]["max_days"] == 7.0


def test_valid_overrides_are_merged() -> None:
    assert validate_params("duration.too_short", {"min_minutes": 20, "severity": "blocker"}) == {
        "severity": "blocker",
        "min_minutes": 20.0,
        "seconds_per_answer_min": 0.0,
    }
    assert validate_params("outlier.value", {"min_sample": 30.0})["min_sample"] == 30


@pytest.mark.parametrize(
    ("_case", "code", "params", "message"),
    [
        ("unknown code", "duration.too_quick", {}, "Unknown check code 'duration.too_quick'."),
        (
            "unknown key",
            "duration.too_short",
            {"minimum": 5},
            "duration.too_short: unknown threshold 'minimum'; known: severity, min_minutes, "
            "seconds_per_answer_min.",
        ),
        (
            "negative minutes",
            "duration.too_short",
            {"min_minutes": -5},
            "duration.too_short: min_minutes must be at least 0; got -5.",
        ),
        (
            "text minutes",
            "duration.too_short",
            {"min_minutes": "15"},
            "duration.too_short: min_minutes must be a number; got '15'.",
        ),
        (
            "boolean minutes",
            "duration.too_short",
            {"min_minutes": True},
            "duration.too_short: min_minutes must be a number; got True.",
        ),
        (
            "infinite",
            "gps.low_accuracy",
            {"max_accuracy_m": float("inf")},
            "gps.low_accuracy: max_accuracy_m must be a finite number; got inf.",
        ),
        (
            "share above 1",
            "refusal.interview_rate",
            {"max_rate": 1.5},
            "refusal.interview_rate: max_rate must be at most 1; got 1.5.",
        ),
        (
            "fractional sample size",
            "outlier.value",
            {"min_sample": 20.5},
            "outlier.value: min_sample must be a whole number; got 20.5.",
        ),
        (
            "unknown method",
            "outlier.value",
            {"method": "zscore"},
            "outlier.value: method must be one of mad, iqr; got 'zscore'.",
        ),
        (
            "bad severity",
            "gps.missing",
            {"severity": "critical"},
            "gps.missing: severity must be one of blocker, major, minor, info; got 'critical'.",
        ),
        (
            "flag as text",
            "gps.outside_district",
            {"use_accuracy": "yes"},
            "gps.outside_district: use_accuracy must be true or false; got 'yes'.",
        ),
        (
            "not a mapping",
            "gps.missing",
            [1],
            "gps.missing: thresholds must be a mapping; got list.",
        ),
    ],
)
def test_bad_thresholds_are_rejected(_case: str, code: str, params: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_params(code, params)


def test_minimum_above_maximum_is_rejected() -> None:
    message = (
        "duration.too_short: min_minutes (200) must not exceed "
        "duration.too_long: max_minutes (180)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_config({"duration.too_short": {"min_minutes": 200}})
    assert validate_config({"duration.too_short": {"min_minutes": 180}})  # equal is allowed


def test_run_checks_rejects_bad_config(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    with pytest.raises(ValueError, match="max_accuracy_m"):
        run_checks(
            [make_interview()], make_context(params={"gps.low_accuracy": {"max_accuracy_m": -1}})
        )


def test_clean_interview_has_no_findings(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    assert run_checks([make_interview(answers={"d/income_kzt": "250000"})], make_context()) == []


def test_findings_are_unique_and_json(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 10, 0)
    bad = make_interview(
        start=start,
        end=start + timedelta(minutes=3),
        gps=None,
        team="SHY-2",
        answers={"d/income_kzt": "много"},
    )
    twin = make_interview(instance_id=bad.instance_id)
    findings = run_checks([bad, twin], make_context())
    keys = [(f.interview_id, f.code, f.path) for f in findings]
    assert len(keys) == len(set(keys))
    json.dumps([f.values for f in findings])
    assert tuple(
        code
        for code in ("duration.too_short", "gps.missing", "duplicate.same_instance")
        if any(f.code == code and f.interview_id == bad.id for f in findings)
    ) == ("duration.too_short", "gps.missing", "duplicate.same_instance")


def test_cannot_check_reasons_merge(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(start=None, end=None, team="SHY-2")
    (timing,) = [f for f in run_checks([iv], make_context()) if f.code == "timing.cannot_check"]
    assert timing.values["reasons"] == ["The start time is missing.", "The end time is missing."]


def test_enabled_limits_codes_and_families(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 10, 0)
    iv = make_interview(start=start, end=start + timedelta(minutes=3), gps=None)
    ctx = make_context(enabled=frozenset({"gps.missing"}))
    assert [f.code for f in run_checks([iv], ctx)] == ["gps.missing"]


def test_incremental_mode_compares_with_the_block(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    old = make_interview(phone_hash="p1", name_hash="n1")
    new = make_interview(phone_hash="p1", name_hash="n1", location="KZ-ALA-AUE")
    other_round = make_interview(round_id=2, phone_hash="p1", name_hash="n1")
    findings = run_checks([old, new, other_round], make_context(), only_ids={new.id})
    assert {f.interview_id for f in findings} == {new.id}
    (repeat,) = [f for f in findings if f.code == "duplicate.respondent"]
    assert repeat.values["other_id"] == old.id
