import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Finding, Interview, resolve_params
from validation.checks.duplicates import (
    SPECS,
    DuplicateCheck,
    Estimates,
    RespondentMatcher,
    bounds,
    kept,
)
from validation.checks.identifiers import encode
from validation.checks.registry import DEFAULTS

PEOPLE = [("male", 25, "kg"), ("female", 41, "tj"), ("male", 52, "ru"), ("female", 29, "uz")]


@pytest.fixture
def crowd(make_interview: Callable[..., Interview]) -> list[Interview]:
    """A round of 200 distinct respondents across Almaty districts, named and with phones."""
    crowd: list[Interview] = []
    for i in range(200):
        sex, age, nationality = PEOPLE[i % 4]
        crowd.append(
            make_interview(
                sex=sex,
                age=age + i % 7,
                nationality=nationality,
                arrival_date=date(2019, 1, 1) + timedelta(days=13 * i),
                phone_hash=f"p{i}",
                name_hash=f"n{i % 150}",
                location=["KZ-ALA-BOS", "KZ-ALA-AUE", "KZ-ALA-TUR"][i % 3],
                enumerator=f"enum{i % 12}",
                start=almaty(1 + i % 28, 17),
                end=almaty(1 + i % 28, 18),
            )
        )
    return crowd


def _by_code(findings: Iterable[Finding], code: str) -> dict[int, Finding]:
    return {f.interview_id: f for f in findings if f.code == code}


def test_same_root_uuid_and_instance(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    first = make_interview(root_uuid="uuid:abc", instance_id="uuid:v1")
    edited_copy = make_interview(root_uuid="uuid:abc", instance_id="uuid:v2", form_id=2)
    resent = make_interview(instance_id="uuid:v1")
    alone = make_interview()
    findings = list(
        DuplicateCheck().run(
            [first, edited_copy, resent, alone],
            make_context(
                enabled=frozenset({"duplicate.same_root_uuid", "duplicate.same_instance"})
            ),
        )
    )
    assert sorted((f.code, f.interview_id) for f in findings) == [
        ("duplicate.same_instance", first.id),
        ("duplicate.same_instance", resent.id),
        ("duplicate.same_root_uuid", first.id),
        ("duplicate.same_root_uuid", edited_copy.id),
    ]
    root = _by_code(findings, "duplicate.same_root_uuid")[first.id]
    assert root.severity == "blocker"
    assert root.values == {
        "other_ids": [edited_copy.id],
        "other_kobo_ids": [edited_copy.kobo_id],
        "form_ids": [1, 2],
    }


def test_missing_uuid_cannot_be_checked(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    findings = list(
        DuplicateCheck().run([make_interview(root_uuid="", instance_id="uuid:x")], make_context())
    )
    assert [(f.code, f.message) for f in findings] == [
        ("duplicate.cannot_check", "The interview has no root uuid.")
    ]


@pytest.mark.parametrize(
    ("_case", "changes", "flagged"),
    [
        (
            "same phone, age +1, arrival +3 d, other district",
            {"phone": "same", "age": 1, "days": 3},
            True,
        ),
        (
            "new SIM, same name, age exact, arrival +2 d",
            {"phone": "new", "age": 0, "days": 2},
            True,
        ),
        ("same name but 20 years older", {"phone": "new", "age": 20, "days": 0}, False),
        (
            "same phone, other sex and age: a relative",
            {"phone": "same", "age": 15, "days": 400, "sex": "female"},
            False,
        ),
    ],
)
def test_repeat_respondent(
    _case: str,
    changes: dict[str, Any],
    flagged: bool,
    crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = crowd[10]
    assert first.age is not None
    assert first.arrival_date is not None
    again = make_interview(
        sex=changes.get("sex", first.sex),
        age=first.age + changes["age"],
        nationality=first.nationality,
        arrival_date=first.arrival_date + timedelta(days=changes["days"]),
        phone_hash=first.phone_hash if changes["phone"] == "same" else "p-new",
        name_hash=first.name_hash if changes["phone"] == "new" else None,
        location="KZ-ALA-MED",
        enumerator="dana.k",
        start=almaty(20, 19),
        end=almaty(20, 20),
    )
    findings = _by_code(
        DuplicateCheck().run([*crowd, again], make_context()), "duplicate.respondent"
    )
    assert (again.id in findings) is flagged
    if flagged:
        later, earlier = findings[again.id], findings[first.id]
        assert (later.severity, earlier.severity) == ("major", "minor")
        assert later.values["other_id"] == first.id
        assert later.values["matches"][0]["other_is"] == "earlier"
        assert "age" in later.values["fields"]
        assert "p10" not in str(later.values)  # no identifier (even hashed) in the values
    assert set(findings) <= {first.id, again.id}


def test_distinct_respondents_are_not_flagged(
    crowd: list[Interview], make_context: Callable[..., CheckContext]
) -> None:
    assert _by_code(DuplicateCheck().run(crowd, make_context()), "duplicate.respondent") == {}


def test_repeat_in_another_round_is_not_a_repeat(
    crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = crowd[3]
    again = make_interview(
        sex=first.sex,
        age=first.age,
        nationality=first.nationality,
        arrival_date=first.arrival_date,
        phone_hash=first.phone_hash,
        round_id=4,
    )
    assert (
        _by_code(DuplicateCheck().run([*crowd, again], make_context()), "duplicate.respondent")
        == {}
    )


def test_min_score_edge(
    crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = crowd[10]
    assert first.age is not None
    again = make_interview(
        sex=first.sex,
        age=first.age + 1,
        nationality=first.nationality,
        arrival_date=first.arrival_date,
        name_hash=first.name_hash,
    )
    params = dict(DEFAULTS["duplicate.respondent"])
    score = RespondentMatcher([*crowd, again], params).score(first, again).score
    at_edge = make_context(params={"duplicate.respondent": {"min_score": score}})
    above = make_context(params={"duplicate.respondent": {"min_score": min(1.0, score + 1e-9)}})
    assert again.id in _by_code(
        DuplicateCheck().run([*crowd, again], at_edge), "duplicate.respondent"
    )
    assert again.id not in _by_code(
        DuplicateCheck().run([*crowd, again], above), "duplicate.respondent"
    )


def test_nothing_to_compare(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    bare = make_interview(sex=None, age=None, nationality=None, arrival_date=None)
    findings = list(
        DuplicateCheck().run([bare], make_context(enabled=frozenset({"duplicate.respondent"})))
    )
    assert [(f.code, f.message) for f in findings] == [
        ("duplicate.cannot_check", "No phone, name, sex or age to compare respondents on.")
    ]


def test_only_ids_limits_output_not_comparison(
    crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = crowd[10]
    again = make_interview(
        sex=first.sex,
        age=first.age,
        nationality=first.nationality,
        arrival_date=first.arrival_date,
        phone_hash=first.phone_hash,
    )
    findings = list(
        DuplicateCheck().run([*crowd, again], make_context(), only_ids=frozenset({again.id}))
    )
    assert again.id in _by_code(findings, "duplicate.respondent")


KEY = b"test-key"


def _ids(phone: str | None = None, name: str | None = None) -> dict[str, Any]:
    encoded = encode(KEY, phone=phone, name=name)
    return {
        "phone_hash": encoded.phone_hash,
        "phone_keys": encoded.phone_keys,
        "name_hash": encoded.name_hash,
        "name_parts": encoded.name_parts,
    }


@pytest.fixture
def named_crowd(make_interview: Callable[..., Interview]) -> list[Interview]:
    """200 distinct Uzbek and Kyrgyz men with names and phones; some share a surname."""
    firsts = ["Шерзод", "Дилшод", "Жасур", "Азамат", "Нурлан", "Бекзод", "Рустам", "Улан"]
    surnames = ["Каримов", "Рахимов", "Юсупов", "Жумабаев", "Асанов", "Маматов", "Усенов"]
    crowd: list[Interview] = []
    for i in range(200):
        name = f"{surnames[i % 7]} {firsts[(i // 7) % 8]}"
        crowd.append(
            make_interview(
                age=20 + i % 30,
                nationality="uz" if i % 2 else "kg",
                arrival_date=date(2018, 1, 3) + timedelta(days=11 * i),
                location=["KZ-ALA-BOS", "KZ-ALA-AUE", "KZ-ALA-TUR"][i % 3],
                enumerator=f"enum{i % 12}",
                **_ids(phone=f"+7 707 {1000000 + 7919 * i:07d}", name=f"{name} {i}"),
            )
        )
    return crowd


def _again(first: Interview, make_interview: Callable[..., Interview], **changes: Any) -> Interview:
    same = {
        "sex": first.sex,
        "age": first.age,
        "nationality": first.nationality,
        "arrival_date": first.arrival_date,
        "location": "KZ-ALA-MED",
        "enumerator": "dana.k",
        "start": almaty(20, 19),
        "end": almaty(20, 20),
    }
    return make_interview(**(same | changes))


@pytest.mark.parametrize(
    ("_case", "first_name", "again_name", "again_phone", "label"),
    [
        ("Cyrillic then Latin, other order", "Тошматов Ойбек", "OYBEK TOSHMATOV", None, "name"),
        ("a typo in the surname", "Тошматов Ойбек", "Toshmaton Oybek", None, "similar_name"),
        ("one digit mistyped", None, None, "+7 701 555 12 35", "similar_phone"),
        (
            "letters swapped in a short name",
            "Эрмекбеков Бакыт",
            "Abkyt Ermekbekov",
            None,
            "similar_name",
        ),
    ],
)
def test_fuzzy_repeat_respondent(
    _case: str,
    first_name: str | None,
    again_name: str | None,
    again_phone: str | None,
    label: str,
    named_crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = make_interview(
        age=33,
        nationality="uz",
        arrival_date=date(2020, 6, 14),
        **_ids(phone="+7 701 555 12 34", name=first_name),
    )
    again = _again(first, make_interview, **_ids(phone=again_phone, name=again_name))
    findings = _by_code(
        DuplicateCheck().run([*named_crowd, first, again], make_context()), "duplicate.respondent"
    )
    assert again.id in findings
    assert label in findings[again.id].values["fields"]
    assert findings[again.id].values["other_id"] == first.id
    assert "Тошматов" not in str(findings[again.id].values)


def test_brother_with_family_phone_is_not_a_repeat(
    named_crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    """Same surname and phone, another first name and age: a relative, not the same man."""
    first = make_interview(
        age=33, nationality="uz", **_ids(phone="+7 701 555 12 34", name="Тошматов Ойбек")
    )
    brother = make_interview(
        age=27,
        nationality="uz",
        arrival_date=first.arrival_date,
        **_ids(phone="+7 701 555 12 34", name="Toshmatov Sardor"),
    )
    findings = _by_code(
        DuplicateCheck().run([*named_crowd, first, brother], make_context()),
        "duplicate.respondent",
    )
    assert brother.id not in findings


def test_arrival_recalled_to_the_month(
    named_crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = make_interview(age=41, nationality="kg", arrival_date=date(2019, 3, 17))
    params = dict(DEFAULTS["duplicate.respondent"])
    matcher = RespondentMatcher([*named_crowd, first], params)
    month = _again(first, make_interview, arrival_date=date(2019, 3, 1))
    other_month = _again(first, make_interview, arrival_date=date(2019, 4, 1))
    in_month = matcher.score(first, month)
    assert "arrival_date" in in_month.fields
    assert in_month.differences["arrival_days"] == 16
    assert "arrival_date" not in matcher.score(first, other_month).fields
    assert in_month.score > matcher.score(first, other_month).score


def test_arrival_years_apart_outweighs_a_shared_name(
    named_crowd: list[Interview], make_interview: Callable[..., Interview]
) -> None:
    """One name and age: arrivals weeks apart may be one man's recollections, years apart not."""
    first = make_interview(age=30, arrival_date=date(2019, 3, 17), **_ids(name="Каримов Шерзод"))
    matcher = RespondentMatcher([*named_crowd, first], dict(DEFAULTS["duplicate.respondent"]))
    weeks = _again(
        first, make_interview, arrival_date=date(2019, 4, 2), **_ids(name="Karimov Sherzod")
    )
    years = _again(
        first, make_interview, arrival_date=date(2022, 4, 2), **_ids(name="Karimov Sherzod")
    )
    assert matcher.score(first, years).score < matcher.score(first, weeks).score / 20


def test_two_years_of_age_apart_is_still_found(
    named_crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    """A birthday between the interviews and an age guessed one year off: two years apart."""
    first = make_interview(age=30, **_ids(name="Тошматов Ойбек"))
    again = _again(first, make_interview, age=32, **_ids(name="Toshmatov Oybek"))
    findings = _by_code(
        DuplicateCheck().run([*named_crowd, first, again], make_context()),
        "duplicate.respondent",
    )
    assert findings[again.id].values["other_id"] == first.id
    older = _again(first, make_interview, age=36, **_ids(name="Toshmatov Oybek"))
    matcher = RespondentMatcher([*named_crowd, first], dict(DEFAULTS["duplicate.respondent"]))
    six_years = matcher.score(first, older).score
    assert six_years < 0.5
    assert six_years < matcher.score(first, again).score / 5


FACTS = ["b/marital", "b/education", "b/children", "c/region", "c/first_year"]
CHOICES = {
    "b/marital": ["married"] * 6 + ["single"] * 3 + ["divorced"],
    "b/education": ["secondary"] * 5 + ["vocational"] * 2 + ["higher"] * 2 + ["primary"],
    "b/children": ["0", "0", "0", "1", "2", "2", "3", "4"],
    "c/region": [f"uz-{k:02d}" for k in range(12)],
}


@pytest.fixture
def anonymous_crowd(make_interview: Callable[..., Interview]) -> list[Interview]:
    """400 anonymous Uzbek men, no phone or name, of a few ages, who came in February or March
    of some year: many look alike by age and arrival (as snowball samples do), and differ in
    their profile answers; the first arrival is this year's or some years before."""
    rng = random.Random(3)
    crowd: list[Interview] = []
    for _ in range(400):
        arrival = date(rng.randint(2016, 2023), rng.choice((2, 3)), rng.randint(1, 28))
        answers = {key: rng.choice(values) for key, values in CHOICES.items()}
        answers["c/first_year"] = str(arrival.year - rng.choice((0, 0, 1, 2, 3, 5)))
        crowd.append(make_interview(age=rng.randint(24, 30), arrival_date=arrival, answers=answers))
    return crowd


def _profile(**changes: str) -> dict[str, str]:
    return {
        "b/marital": "married",
        "b/education": "higher",
        "b/children": "3",
        "c/region": "uz-07",
        "c/first_year": "2017",
    } | changes


def test_profile_answers_find_an_anonymous_repeat(
    anonymous_crowd: list[Interview],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    first = make_interview(age=27, arrival_date=date(2021, 2, 9), answers=_profile())
    again = _again(first, make_interview, answers=_profile())
    lookalike = _again(
        first,
        make_interview,
        answers=_profile(**{"b/education": "secondary", "c/region": "uz-02", "b/children": "0"}),
    )
    people = [*anonymous_crowd, first, again, lookalike]
    with_facts = _by_code(
        DuplicateCheck().run(people, make_context(respondent_facts=FACTS)), "duplicate.respondent"
    )
    assert with_facts[again.id].values["other_id"] == first.id
    assert {"b/education", "c/region", "arrival_date"} <= set(with_facts[again.id].values["fields"])
    assert "region" in with_facts[again.id].message
    assert lookalike.id not in with_facts
    # The same interviews without their profile answers are too alike to the crowd to tell.
    assert again.id not in _by_code(
        DuplicateCheck().run(people, make_context()), "duplicate.respondent"
    )


def test_dont_know_is_no_evidence(
    anonymous_crowd: list[Interview], make_interview: Callable[..., Interview]
) -> None:
    first = make_interview(age=27, answers=_profile())
    unsure = _again(first, make_interview, answers=dict.fromkeys(FACTS, "dk"))
    silent = _again(first, make_interview, answers={})
    params = dict(DEFAULTS["duplicate.respondent"])
    matcher = RespondentMatcher(
        [*anonymous_crowd, first], params, facts=FACTS, missing=frozenset({"dk", "refuse"})
    )
    assert matcher.score(first, unsure).score == matcher.score(first, silent).score


def test_facts_that_follow_arrival_are_not_counted_twice(
    anonymous_crowd: list[Interview], make_interview: Callable[..., Interview]
) -> None:
    """First arrival year follows this arrival (often the same year): for two men who arrived
    the same week, agreeing on it is likely by chance, so EM gives it a lift; the region is
    independent of arrival and gets none; one man gives each answer the same way."""
    params = dict(DEFAULTS["duplicate.respondent"])
    matcher = RespondentMatcher(anonymous_crowd, params, facts=FACTS)
    weights = dict(zip(FACTS, matcher.estimates.facts, strict=True))
    assert weights["c/first_year"][1] > 1.5
    assert 0.7 < weights["c/region"][1] < 1.4
    assert all(0.8 <= m <= 0.99 for m, _ in weights.values())


@pytest.fixture
def mixed_round(make_interview: Callable[..., Interview]) -> list[Interview]:
    """600 respondents drawn from few names, ages and arrivals (many alike pairs), with
    three-word names, typos, a placeholder phone shared by 50, absent fields, repeats (some
    with a slip in the name)."""
    rng = random.Random(11)
    firsts = ["Sherzod", "Sardor", "Шерзод", "Bakyt", "Бакыт", "Azamat", "Nurlan", "Jasur"]
    surnames = ["Karimov", "Каримов", "Rakhimov", "Raximov", "Asanov", "Usenov", "Tursunov"]
    people: list[Interview] = []
    for n in range(600):
        name = f"{rng.choice(surnames)} {rng.choice(firsts)}"
        if n % 25 == 0:
            name += " Rustamovich Ali"  # more than two words after the patronymic goes
        if n % 9 == 0:
            name = name[:-1]  # a typo
        phone = "+7 700 000 00 00" if n % 12 == 0 else f"+7 707 {rng.randrange(10**7):07d}"
        answers = {key: rng.choice(values) for key, values in CHOICES.items()}
        answers["c/first_year"] = str(rng.randint(2015, 2023))
        arrival = date(rng.randint(2019, 2022), rng.randint(1, 12), rng.choice((1, 5, 6, 20)))
        person = make_interview(
            sex=rng.choice(("male", "male", "female", "")),
            age=rng.choice((None, 30, 31, 32, 33)),
            nationality=rng.choice(("uz", "kg", "tj")),
            location=rng.choice(("KZ-ALA-BOS", "KZ-ALA-MED", None)),
            arrival_date=None if n % 17 == 0 else arrival,
            answers=answers,
            **_ids(phone=None if n % 7 == 0 else phone, name=None if n % 11 == 0 else name),
        )
        people.append(person)
        if n % 30 == 0:
            people.append(_again(person, make_interview, answers=answers))
        elif n % 30 == 15:  # met again: a slip in the name, no phone this time
            slip = _ids(name=name.replace("ov", "of", 1).replace("ов", "оф", 1))
            people.append(_again(person, make_interview, answers=answers, **slip))
    return people


@pytest.mark.parametrize("min_score", [0.05, 0.4, 0.9])
def test_bounded_scoring_finds_what_scoring_every_pair_finds(
    mixed_round: list[Interview],
    make_context: Callable[..., CheckContext],
    monkeypatch: pytest.MonkeyPatch,
    min_score: float,
) -> None:
    ctx = make_context(
        respondent_facts=FACTS, params={"duplicate.respondent": {"min_score": min_score}}
    )
    monkeypatch.setattr(bounds, "_BOUND_PAIRS", 10**9)  # every candidate scored
    everyone = list(DuplicateCheck().run(mixed_round, ctx))
    monkeypatch.setattr(bounds, "_BOUND_PAIRS", 0)  # the bound screens every candidate
    bounded = list(DuplicateCheck().run(mixed_round, ctx))
    assert bounded == everyone
    assert sum(f.code == "duplicate.respondent" for f in everyone) > 10
    params = dict(DEFAULTS["duplicate.respondent"]) | {"min_score": min_score}
    matcher = RespondentMatcher(mixed_round, params, facts=FACTS)
    pairs = sorted(matcher.candidates)
    # The bound does screen: most pairs are not scored at the default threshold.
    kept = matcher._promising(pairs, min_score)
    assert len(kept) < len(pairs) / (2 if min_score >= 0.4 else 1)
    assert matcher._promising([], min_score) == []


def test_focused_runs_share_the_rounds_matcher(
    mixed_round: list[Interview], make_context: Callable[..., CheckContext]
) -> None:
    ctx = make_context(respondent_facts=FACTS)
    focus = frozenset(iv.id for iv in mixed_round[:40])
    first = list(DuplicateCheck().run(mixed_round, ctx, only_ids=focus))
    (matcher,) = ctx.memo.values()
    # A copy of the context (quality.run narrows it per family) shares the matcher.
    again = list(DuplicateCheck().run(mixed_round, replace(ctx, enabled=None), only_ids=focus))
    assert again == first
    assert list(ctx.memo.values()) == [matcher]
    fresh = list(DuplicateCheck().run(mixed_round, make_context(respondent_facts=FACTS)))
    assert [f for f in fresh if f.interview_id in focus] == [
        f for f in first if f.interview_id in focus
    ]
    # Other members (an interview more) or a whole run build their own.
    list(DuplicateCheck().run(mixed_round[1:], ctx, only_ids=focus))
    list(DuplicateCheck().run(mixed_round, ctx))
    assert len(ctx.memo) == 2


def _estimates_used(ctx: CheckContext) -> Estimates:
    (matcher,) = ctx.memo.values()
    assert isinstance(matcher, RespondentMatcher)
    return matcher.estimates


def test_focused_run_scores_with_the_estimates_kept_by_an_earlier_run(
    mixed_round: list[Interview],
    make_context: Callable[..., CheckContext],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept, "_KEEP_FROM", 0)  # a round of 620 keeps its estimates too
    older, new = mixed_round[:-20], mixed_round[-20:]
    earlier = make_context(respondent_facts=FACTS)
    list(DuplicateCheck().run(older, earlier))
    (round_id,) = earlier.kept
    stored = earlier.kept[round_id]
    assert stored["size"] == len(older)

    focus = frozenset(iv.id for iv in new)
    ctx = make_context(respondent_facts=FACTS, kept=dict(earlier.kept))
    findings = list(DuplicateCheck().run(mixed_round, ctx, only_ids=focus))
    fresh = RespondentMatcher(
        mixed_round, dict(DEFAULTS["duplicate.respondent"]), facts=FACTS
    ).estimates
    # The kept estimates scored the new interviews (they differ from estimating afresh) and
    # stay kept as they were; the findings name the same partners as a whole run's.
    assert _estimates_used(ctx) == Estimates(stored["prior"], [tuple(f) for f in stored["facts"]])
    assert _estimates_used(ctx) != fresh
    assert ctx.kept[round_id] is stored
    whole = list(DuplicateCheck().run(mixed_round, make_context(respondent_facts=FACTS)))

    def named(fs: Iterable[Finding]) -> set[tuple[int, frozenset[int]]]:
        return {
            (f.interview_id, frozenset(m["id"] for m in f.values["matches"]))
            for f in fs
            if f.code == "duplicate.respondent" and f.interview_id in focus
        }

    assert named(findings) == named(whole) != set()


@pytest.mark.parametrize(
    "change", ["grown", "shrunk", "settings", "facts", "whole run", "small round", "malformed"]
)
def test_kept_estimates_are_replaced_when_they_no_longer_stand(
    mixed_round: list[Interview],
    make_context: Callable[..., CheckContext],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    monkeypatch.setattr(kept, "_KEEP_FROM", 10**9 if change == "small round" else 0)
    base = mixed_round[:500]
    earlier = make_context(respondent_facts=FACTS)
    list(DuplicateCheck().run(base, earlier))
    (round_id,) = earlier.kept
    members = {"grown": mixed_round, "shrunk": base[:440]}.get(change, base)
    overrides: dict[str, Any] = {"respondent_facts": FACTS}
    if change == "settings":
        overrides["params"] = {"duplicate.respondent": {"age_tolerance": 2}}
    if change == "facts":
        overrides["respondent_facts"] = FACTS[:-1]
    stale = {round_id: {"size": "x"}} if change == "malformed" else dict(earlier.kept)
    ctx = make_context(kept=dict(stale), **overrides)
    focus = None if change == "whole run" else frozenset(iv.id for iv in members[-5:])
    list(DuplicateCheck().run(members, ctx, only_ids=focus))
    replaced = ctx.kept[round_id]
    assert replaced is not stale[round_id]
    params = resolve_params(ctx, SPECS["duplicate.respondent"])
    facts = overrides["respondent_facts"]
    missing = ctx.dk_values | ctx.refuse_values
    fresh = RespondentMatcher(members, params, facts=facts, missing=missing).estimates
    assert (replaced["size"], replaced["prior"]) == (len(members), fresh.prior)
    assert replaced["facts"] == [list(f) for f in fresh.facts]
    assert replaced["settings"] == kept.settings_key(params, facts, missing)


def test_kept_estimates_stand_within_a_tenth_of_the_rounds_size() -> None:
    estimates = Estimates(-9.5, [(0.9, 1.2)])
    stored = kept.entry(10_000, "s", estimates)
    assert kept.reusable(stored, 11_000, "s") == estimates
    assert kept.reusable(stored, 9_000, "s") == estimates
    assert kept.reusable(stored, 11_001, "s") is None
    assert kept.reusable(stored, 11_000, "other settings") is None
    assert kept.reusable(None, 10_000, "s") is None
    assert kept.reusable(stored, kept._KEEP_FROM - 1, "s") is None


@pytest.mark.parametrize(("age_tolerance", "arrival_days"), [(1, 7), (0, 0), (3, 40), (2, 366)])
def test_focus_finds_the_candidate_pairs_the_whole_round_has(
    mixed_round: list[Interview], age_tolerance: int, arrival_days: int
) -> None:
    params = dict(DEFAULTS["duplicate.respondent"]) | {
        "age_tolerance": age_tolerance,
        "arrival_tolerance_days": arrival_days,
    }
    every = RespondentMatcher(mixed_round, params, facts=FACTS).candidates
    rng = random.Random(age_tolerance * 1000 + arrival_days)
    for size in (1, 30, 300):
        focus = set(rng.sample(range(len(mixed_round)), size))
        # A matcher that never built the whole set (as with kept estimates).
        found = RespondentMatcher(mixed_round, params, facts=FACTS).candidates_of(focus)
        assert found == {(i, j) for i, j in every if i in focus or j in focus}
        assert found or size == 1
