"""Duplicates: the same submission stored twice, and the same respondent interviewed twice."""

import bisect
import datetime as dt
import functools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from validation.checks.base import (
    SEVERITIES,
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    cannot_check,
    family_enabled,
    is_enabled,
    resolve_params,
    sort_key,
)
from validation.checks.identifiers import dice, match_names, match_names_graded

SAME_ROOT = "duplicate.same_root_uuid"
SAME_INSTANCE = "duplicate.same_instance"
RESPONDENT = "duplicate.respondent"

SPECS = {
    SAME_ROOT: CheckSpec(SAME_ROOT, "blocker"),
    SAME_INSTANCE: CheckSpec(SAME_INSTANCE, "blocker"),
    RESPONDENT: CheckSpec(
        RESPONDENT,
        "major",  # severity of the later interview of a pair: the one to exclude if confirmed
        {
            # The score is the posterior probability of "same person". A repeat respondent breaks
            # an inclusion criterion and inflates a quota, while a false flag costs a supervisor a
            # look: flag from 40%. bench/checks.py (100,000 interviews, seeds 7-9): recall
            # 0.952-0.956 at precision 0.903-0.912; at 0.5, 0.949-0.951 at 0.920-0.925.
            "min_score": Param(0.4, maximum=1.0),
            "earlier_severity": Param("minor", choices=SEVERITIES),
            "age_tolerance": Param(1, maximum=10),
            "arrival_tolerance_days": Param(7, maximum=366),
        },
    ),
}
# Fellegi-Sunter scoring: each field adds ln(m/u) when it agrees and ln((1-m)/(1-u)) when it
# does not; m = P(agrees | same person), u = P(agrees | two random respondents of the round).
# u is the frequency of the value in the round, so a common name or the modal age says less
# than a rare one. The score is the posterior probability that the pair is one person.
_M = {"sex": 0.99, "nationality": 0.99, "location": 0.3}
# Phones and names agree exactly, nearly (a mistyped digit; a typo or a spelling the phonetic
# skeleton does not absorb), or not at all. Migrants change SIM cards often; a name may be
# withheld, or given as a nickname, the second time.
_PHONE_M = (0.48, 0.02, 0.5)
# Tiers: the same name; alike (a word by sound, the other one a close spelling); loosely alike
# (a word by sound, the other one slipped further: a swap or a dropped letter in a short name).
_NAME_M = (0.7, 0.17, 0.03, 0.05)
# Snowball sampling sends respondents across districts: a different district is weak evidence.
_DISAGREE = {
    "sex": math.log(0.005 / 0.5),
    "nationality": math.log(0.01 / 0.7),
    "location": math.log(0.7 / 0.94),
}
_DISAGREE_SEX, _DISAGREE_NATIONALITY, _DISAGREE_LOCATION = (
    _DISAGREE["sex"],
    _DISAGREE["nationality"],
    _DISAGREE["location"],
)
# Ages and arrivals agree at levels, each with its m (set, not estimated: see estimates).
# Ages are guessed to the year and a birthday may fall between two interviews: the same age,
# within tolerance, one year beyond it, further (almost never one person).
_AGE_M = (0.6, 0.35, 0.04, 0.005)
# Arrival: to the day, within the tolerance, in the month recalled (one date on the 1st),
# within a few weeks (two recollections drift), within a year, further (almost never).
_ARRIVAL_M = (0.35, 0.45, 0.1, 0.07, 0.025, 0.005)
_ARRIVAL_BANDS = (31, 366)  # days: the upper bounds of the drift levels
# A respondent met twice gives a stable fact (marital status, education, region of origin…)
# the same way about nine times in ten; strangers agree as often as the answer is common.
_FACT_M = 0.9
# Expectation-maximisation: candidate pairs sampled, rounds, pseudo-pairs holding the start.
_EM_PAIRS, _EM_ROUNDS, _EM_PSEUDO = 20_000, 3, 50
# The share of a round's interviews expected to be repeats sets the prior odds per pair; each
# round's own estimate moves it, weighed against this many pseudo-interviews.
_REPEAT_SHARE, _PRIOR_PSEUDO = 0.02, 1000
# Frequencies are smoothed towards typical MTM values with this many pseudo-interviews, so a
# small round (or a small block in incremental mode) still gets sensible weights.
_PSEUDO = 200
_U0 = {
    "phone": 1e-4,
    "name": 2e-3,
    "name_token": 2e-2,
    "sex": 0.5,
    "nationality": 0.3,
    "location": 1 / 16,
}
_AGE_U0 = (0.04, 0.08)  # same age; within a year
# Same day, week, month, within weeks, within a year: arrivals spread over ~6 years.
_ARRIVAL_U0 = (1 / 2000, 15 / 2000, 30 / 2000, 48 / 2000, 670 / 2000)
# Two name tokens are one spelled differently from this Dice coefficient of their letter pairs.
_MIN_TOKEN_DICE = 0.75
# Below that, down to this, a word is loosely alike: weak evidence, and only beside a word
# agreeing by sound (Abkyt/Bakyt, Жамид/Жамшид).
_LOOSE_TOKEN_DICE = 0.5
# How often two tokens of different people pass that Dice test, and two phones differ by one
# digit, are measured on the round; these priors (in pseudo-pairs) steady small rounds.
_FUZZY_TOKEN_U0, _LOOSE_TOKEN_U0, _NEAR_PHONE_U0, _PSEUDO_PAIRS = 0.02, 0.1, 1e-6, 2000
_SAMPLE_PAIRS = 20_000
# Larger identifier groups are a shared or placeholder number (an enumerator's own phone), not a
# respondent met twice; comparing them all would also be quadratic.
_MAX_IDENTIFIER_GROUP = 40
_MAX_LISTED_MATCHES = 10
# The fields whose values' frequencies weigh an agreement, and the Interview attribute of each.
_COUNTED = {
    "phone": "phone_hash",
    "name": "name_hash",
    "sex": "sex",
    "nationality": "nationality",
    "location": "location",
}
# Fewer candidate pairs (a few new interviews' own) are scored directly: the arrays cost more.
_BOUND_PAIRS = 5_000


# Per fact, per answer (and for an answer the round has not seen): the log-likelihoods of the
# other interview agreeing and of it not.
Weights = tuple[float, float]
_FactTable = list[tuple[dict[str, Weights], Weights]]
_FactRow = tuple[str | None, ...]
Level = tuple[int, float]  # a comparison's level and u, the share of the round at that level


@dataclass(frozen=True, slots=True)
class Estimates:
    prior: float  # log odds of a pair being one person
    facts: list[tuple[float, float]]  # (m, lift) per fact


@dataclass(frozen=True, slots=True)
class _Base:
    weight: float  # identifiers, sex, nationality, location
    fields: list[str]
    differences: dict[str, int]
    age: Level | None
    arrival: Level | None


@dataclass(frozen=True, slots=True)
class Match:
    score: float
    fields: tuple[str, ...]
    differences: dict[str, int]


class DuplicateCheck:
    codes: tuple[str, ...] = tuple(SPECS)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not family_enabled(ctx, self.codes):
            return
        if is_enabled(ctx, SAME_ROOT):
            yield from _same_value(interviews, ctx, SAME_ROOT, lambda iv: iv.root_uuid, "root uuid")
        if is_enabled(ctx, SAME_INSTANCE):
            yield from _same_value(
                interviews, ctx, SAME_INSTANCE, lambda iv: iv.instance_id, "instance id"
            )
        if is_enabled(ctx, RESPONDENT):
            params = resolve_params(ctx, SPECS[RESPONDENT])
            rounds: dict[int, list[Interview]] = defaultdict(list)
            for iv in interviews:
                rounds[iv.round_id].append(iv)
            for members in rounds.values():
                if only_ids is None or any(iv.id in only_ids for iv in members):
                    yield from _matcher(members, params, ctx, memo=only_ids is not None).findings(
                        only_ids
                    )


def _matcher(
    members: list[Interview], params: dict[str, Any], ctx: CheckContext, *, memo: bool
) -> "RespondentMatcher":
    """The round's matcher; with memo, kept in ctx.memo for a later call on the same members.

    Only focused runs keep theirs (the quality run's two passes over a round); a whole run
    over every round would hold every round's matcher in memory at once.
    """
    facts, missing = tuple(ctx.respondent_facts), ctx.dk_values | ctx.refuse_values
    if not memo:
        return RespondentMatcher(members, params, facts=facts, missing=missing)
    ids = tuple(iv.id for iv in members)
    key = (RESPONDENT, ids, tuple(sorted(params.items())), facts, missing)
    matcher = ctx.memo.get(key)
    if not isinstance(matcher, RespondentMatcher):
        matcher = ctx.memo[key] = RespondentMatcher(members, params, facts=facts, missing=missing)
    return matcher


def _same_value(
    interviews: Sequence[Interview],
    ctx: CheckContext,
    code: str,
    key: Callable[[Interview], str],
    label: str,
) -> Iterator[Finding]:
    groups: dict[str, list[Interview]] = defaultdict(list)
    for iv in interviews:
        value = (key(iv) or "").strip()
        if value:
            groups[value].append(iv)
        else:
            yield cannot_check("duplicate", iv.id, f"The interview has no {label}.")
    severity = str(resolve_params(ctx, SPECS[code])["severity"])
    for members in groups.values():
        if len(members) < 2:
            continue
        for iv in members:
            others = [o for o in members if o is not iv]
            yield Finding(
                code,
                iv.id,
                "",
                severity,
                f"The same {label} is stored under {len(members)} KoBo submissions "
                f"(also KoBo id {', '.join(str(o.kobo_id) for o in others)}).",
                {
                    "other_ids": [o.id for o in others],
                    "other_kobo_ids": [o.kobo_id for o in others],
                    "form_ids": sorted({o.form_id for o in members}),
                },
            )


class RespondentMatcher:
    """Scores candidate pairs of one round, found by blocking, never by comparing all pairs."""

    def __init__(
        self,
        members: Sequence[Interview],
        params: dict[str, Any],
        *,
        facts: Sequence[str] = (),
        missing: frozenset[str] = frozenset(),
    ) -> None:
        self.members = sorted(members, key=sort_key)  # index order = interview order
        self.params = params
        self.facts, self.missing = tuple(facts), missing
        self.fact_rows = {iv.id: self._read_facts(iv) for iv in self.members}
        self.fact_counts = [
            _counts(map(itemgetter(k), self.fact_rows.values())) for k in range(len(self.facts))
        ]
        self._age_memo: dict[tuple[int, int], Level] = {}
        self._agreement_memo: dict[tuple[str, str], float] = {}
        self._day_memo: dict[int, tuple[float, float]] = {}
        self._band_memo: dict[tuple[int, int], Level] = {}
        self.age_tol = int(params["age_tolerance"])
        self.arrival_tol = int(params["arrival_tolerance_days"])
        self.size = len(self.members) + _PSEUDO
        self.counts = {
            name: _counts(map(attrgetter(attr), self.members)) for name, attr in _COUNTED.items()
        }
        self.token_counts = _counts(key for iv in self.members for key, _ in iv.name_parts)
        self.ages: dict[int, int] = defaultdict(int)
        for iv in self.members:
            if iv.age is not None:
                self.ages[iv.age] += 1
        self.arrivals = sorted(
            iv.arrival_date.toordinal() for iv in self.members if iv.arrival_date is not None
        )
        self.phone_groups = _groups(iv.phone_keys for iv in self.members)
        self.near_phone_u = self._near_phone_rate()
        self.fuzzy_token_u, self.loose_token_u = self._fuzzy_token_rates()

    def _near_phone_rate(self) -> float:
        """Share of pairs of distinct numbers one digit apart (they share a deletion key)."""
        near = {
            pair
            for group in self.phone_groups.values()
            if 1 < len(group) <= _MAX_IDENTIFIER_GROUP
            for pair in combinations(group, 2)
            if self.members[pair[0]].phone_hash != self.members[pair[1]].phone_hash
        }
        phones = sum(1 for iv in self.members if iv.phone_hash)
        pairs = phones * (phones - 1) / 2
        return (len(near) + _PSEUDO_PAIRS * _NEAR_PHONE_U0) / (pairs + _PSEUDO_PAIRS)

    def _fuzzy_token_rates(self) -> tuple[float, float]:
        """The u of the alike and loosely alike tiers: how often other words pass by chance.

        Measured where the tiers are used: on pairs of two-word names sharing a word (mostly
        namesakes and relatives: Sherzod and Sardor Karimov), not on any two words.
        """
        blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, iv in enumerate(self.members):
            if len(iv.name_parts) == 2:
                for key, _ in iv.name_parts:
                    blocks[(key, iv.sex or "")].append(index)
        shared = [(key, block) for (key, _), block in blocks.items() if len(block) > 1]
        alike = loose = trials = 0
        if shared:
            rng = random.Random(len(self.members))  # noqa: S311 -- reproducible, not secrets
            weights = [len(block) ** 2 for _, block in shared]
            members = self.members
            for key, block in rng.choices(shared, weights=weights, k=_SAMPLE_PAIRS):
                i, j = rng.sample(block, 2)
                # Each of the two-word names' other word (the words' keys are distinct).
                first, second = members[i].name_parts
                ka, ba = first if first[0] != key else second
                first, second = members[j].name_parts
                kb, bb = first if first[0] != key else second
                if ka != kb:
                    trials += 1
                    score = dice(ba, bb)
                    alike += score >= _MIN_TOKEN_DICE
                    loose += score >= _LOOSE_TOKEN_DICE
        # Similar-looking names cluster (-bek, -jon, -ov): never trust the sample below 3%.
        alike_u, loose_u = (
            max((hits + _PSEUDO_PAIRS * u0) / (trials + _PSEUDO_PAIRS), 0.03)
            for hits, u0 in ((alike, _FUZZY_TOKEN_U0), (loose, _LOOSE_TOKEN_U0))
        )
        return alike_u, loose_u

    @functools.cached_property
    def candidates(self) -> set[tuple[int, int]]:
        pairs: set[tuple[int, int]] = set()
        for attr in ("phone_hash", "name_hash"):
            groups = _groups(
                (value,) if (value := getattr(iv, attr)) else () for iv in self.members
            )
            for group in groups.values():
                if 1 < len(group) <= _MAX_IDENTIFIER_GROUP:
                    pairs.update(combinations(group, 2))
        for group in self.phone_groups.values():  # one digit apart
            if 1 < len(group) <= _MAX_IDENTIFIER_GROUP:
                pairs.update(combinations(group, 2))
        pairs.update(self._name_pairs())
        pairs.update(self._demographic)
        return pairs

    @functools.cached_property
    def _demographic(self) -> set[tuple[int, int]]:
        return set(self._demographic_pairs())

    def _name_pairs(self) -> Iterator[tuple[int, int]]:
        """Pairs of one sex sharing a name token, of ages close enough, whose names match."""
        # Entries: (age, index, the other token's Bloom filter and its bit count) for two-word
        # names, the commonest case, compared inline; other lengths go through match_names.
        blocks: dict[tuple[str, str], list[tuple[int, int, int, int]]] = defaultdict(list)
        for index, iv in enumerate(self.members):
            if iv.age is None or not iv.sex:
                continue
            parts = iv.name_parts
            for key, _ in parts:
                other = next((b for k, b in parts if k != key), 0) if len(parts) == 2 else -1
                count = other.bit_count() if other > 0 else 0
                blocks[(key, iv.sex)].append((iv.age, index, other, count))
        min_dice = _LOOSE_TOKEN_DICE
        for block in blocks.values():
            if len(block) < 2:
                continue
            block.sort()
            ages = [entry[0] for entry in block]
            for pos, (age, i, other_i, count_i) in enumerate(block):
                # One year past the tolerance is still one person now and then (_AGE_M).
                end = bisect.bisect_right(ages, age + self.age_tol + 1)
                for _, j, other_j, count_j in block[pos + 1 : end]:
                    if other_i > 0 and other_j > 0:
                        same = 2 * (other_i & other_j).bit_count() >= min_dice * (count_i + count_j)
                    else:
                        a, b = self.members[i], self.members[j]
                        same = a.name_hash == b.name_hash or (
                            match_names(a.name_parts, b.name_parts, min_dice, max_fuzzy=1)
                            is not None
                        )
                    if same:
                        yield (i, j) if i < j else (j, i)

    def _demographic_pairs(self) -> Iterator[tuple[int, int]]:
        """Pairs of the same sex and nationality, ages within tolerance, arrivals within window."""
        blocks: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
        for index, iv in enumerate(self.members):
            if iv.sex and iv.nationality and iv.age is not None and iv.arrival_date is not None:
                key = (iv.sex, iv.nationality, iv.age)
                blocks[key].append((iv.arrival_date.toordinal(), index))
        for block in blocks.values():
            block.sort()
        for (sex, nationality, age), block in blocks.items():
            for other_age in range(age, age + self.age_tol + 1):
                other = blocks.get((sex, nationality, other_age))
                if other is None:
                    continue
                days = [d for d, _ in other]
                for day, index in block:
                    for lo_day, hi_day in self._arrival_windows(day):
                        lo = bisect.bisect_left(days, lo_day)
                        hi = bisect.bisect_right(days, hi_day)
                        for _, j in other[lo:hi]:
                            if j != index and (other_age != age or j > index):
                                yield (index, j) if index < j else (j, index)

    def _arrival_windows(self, day: int) -> list[tuple[int, int]]:
        """Arrival days (ordinals) another interview of this respondent may have recorded.

        Within the tolerance; and a date on the 1st is often a month recalled without its day,
        so it meets any day of its month, and any date meets the 1st of its own month.
        """
        windows = [(day - self.arrival_tol, day + self.arrival_tol)]
        date = dt.date.fromordinal(day)
        if date.day == 1:
            windows.append((day, day + 30))
        else:
            first = day - date.day + 1
            windows.append((first, first))
        return windows

    def _agreement(self, name: str, value: str) -> float:
        key = (name, value)
        weight = self._agreement_memo.get(key)
        if weight is None:
            weight = self._agreement_memo[key] = math.log(_M[name] / self._frequency(name, value))
        return weight

    def _frequency(self, name: str, value: str) -> float:
        return (self.counts[name].get(value, 0) + _PSEUDO * _U0[name]) / self.size

    def _token_frequency(self, key: str) -> float:
        return (self.token_counts.get(key, 0) + _PSEUDO * _U0["name_token"]) / self.size

    def _phone(self, a: Interview, b: Interview) -> tuple[float, str | None]:
        if a.phone_hash == b.phone_hash:
            key = ("phone", a.phone_hash or "")
            weight = self._agreement_memo.get(key)
            if weight is None:
                weight = math.log(_PHONE_M[0] / self._frequency(*key))
                self._agreement_memo[key] = weight
            return weight, "phone"
        if a.phone_keys & b.phone_keys:
            return math.log(_PHONE_M[1] / self.near_phone_u), "similar_phone"
        return math.log(_PHONE_M[2]), None

    def _name(self, a: Interview, b: Interview) -> tuple[float, str | None]:
        if a.name_hash == b.name_hash:
            key = ("name", a.name_hash or "")
            weight = self._agreement_memo.get(key)
            if weight is None:
                weight = math.log(_NAME_M[0] / self._frequency(*key))
                self._agreement_memo[key] = weight
            return weight, "name"
        # One pairing serves both tiers: a tier holds when the lowest Dice reaches its bar.
        graded = match_names_graded(a.name_parts, b.name_parts, max_fuzzy=1)
        for m, min_dice, fuzzy_u in (
            (_NAME_M[1], _MIN_TOKEN_DICE, self.fuzzy_token_u),
            (_NAME_M[2], _LOOSE_TOKEN_DICE, self.loose_token_u),
        ):
            # Names made from names (Karim Sherzodov, Sherzod Karimov) look alike throughout:
            # at least one word must agree by sound, and one only may differ by a typo.
            if graded is not None and graded[0] and graded[2] >= min_dice:
                exact, fuzzy, _ = graded
                # Tokens agree independently enough: the rarer the shared spellings, the stronger.
                u = math.prod(self._token_frequency(key) for key in exact) * fuzzy_u**fuzzy
                return math.log(m / max(u, 1 / self.size**2)), "similar_name"
        return math.log(_NAME_M[3]), None

    def score(self, a: Interview, b: Interview) -> Match:
        return self._match(a, b, self._base(a, b))

    def _match(self, a: Interview, b: Interview, base: _Base, weight: float | None = None) -> Match:
        if weight is None:
            weight = self._weight(base)
        facts_weight, agreed = self._facts(a, b, self._fact_table)
        return Match(_probability(weight + facts_weight), (*base.fields, *agreed), base.differences)

    def _weight(self, base: _Base) -> float:
        """Log odds of one person before the facts: prior, identifiers, demographics, levels."""
        return self.estimates.prior + base.weight + self._levels(base)

    def _weight_floor(self, min_score: float) -> float:
        """Below this weight a pair misses min_score even if every fact agrees at its strongest.

        Facts add at most the largest weight each can give (absent ones add nothing); a small
        margin keeps rounding from ever dropping a pair the full score would keep.
        """
        if not 0 < min_score < 1:
            return -math.inf
        ceiling = sum(
            max(0.0, *unseen, *(w for pair in column.values() for w in pair))
            for column, unseen in self._fact_table
        )
        return math.log(min_score / (1 - min_score)) - ceiling - 1e-6

    def _base(self, a: Interview, b: Interview) -> _Base:
        """The evidence of identifiers and demographics; age and arrival levels."""
        # Unrolled (it runs for every candidate pair); the terms add in this fixed order.
        weight = 0.0
        fields: list[str] = []
        differences: dict[str, int] = {}
        if a.phone_hash and b.phone_hash:
            gain, label = self._phone(a, b)
            weight += gain
            if label:
                fields.append(label)
        if a.name_hash and b.name_hash:
            gain, label = self._name(a, b)
            weight += gain
            if label:
                fields.append(label)
        agreement = self._agreement
        va, vb = a.sex, b.sex
        if va and vb:
            if va == vb:
                weight += agreement("sex", va)
                fields.append("sex")
            else:
                weight += _DISAGREE_SEX
        va, vb = a.nationality, b.nationality
        if va and vb:
            if va == vb:
                weight += agreement("nationality", va)
                fields.append("nationality")
            else:
                weight += _DISAGREE_NATIONALITY
        va, vb = a.location, b.location
        if va and vb:
            if va == vb:
                weight += agreement("location", va)
                fields.append("location")
            else:
                weight += _DISAGREE_LOCATION
        age = arrival = None
        if a.age is not None and b.age is not None:
            gap = abs(a.age - b.age)
            age = self._age(a.age, gap)
            if gap <= self.age_tol:
                fields.append("age")
                differences["age_years"] = gap
        if a.arrival_date is not None and b.arrival_date is not None:
            gap = abs((a.arrival_date - b.arrival_date).days)
            arrival = self._arrival(a.arrival_date, b.arrival_date, gap)
            if gap <= self.arrival_tol or _same_month(a.arrival_date, b.arrival_date):
                fields.append("arrival_date")
                differences["arrival_days"] = gap
        return _Base(weight, fields, differences, age, arrival)

    @staticmethod
    def _levels(base: _Base) -> float:
        """Evidence of the age and arrival levels."""
        weight = 0.0
        for level, m in ((base.age, _AGE_M), (base.arrival, _ARRIVAL_M)):
            if level is not None:
                weight += math.log(m[level[0]] / level[1])
        return weight

    def _facts(self, a: Interview, b: Interview, table: _FactTable) -> tuple[float, list[str]]:
        """Evidence of the respondent facts both interviews answered."""
        ra, rb = self._fact_row(a), self._fact_row(b)
        agreed = [key for key, va, vb in zip(self.facts, ra, rb, strict=True) if va and va == vb]
        return self._fact_weight(ra, rb, table), agreed

    @staticmethod
    def _fact_weight(ra: _FactRow, rb: _FactRow, table: _FactTable) -> float:
        total = 0.0
        for va, vb, (column, unseen) in zip(ra, rb, table, strict=True):
            if va is not None and vb is not None:
                agree, disagree = column.get(va, unseen)
                total += agree if va == vb else disagree
        return total

    def _fact_row(self, iv: Interview) -> _FactRow:
        row = self.fact_rows.get(iv.id)
        return row if row is not None else self._read_facts(iv)

    def _read_facts(self, iv: Interview) -> _FactRow:
        """The interview's answers to the facts, None where not given (or don't know/refused)."""
        return tuple(
            v if (v := iv.answers.get(key)) and v not in self.missing else None
            for key in self.facts
        )

    def _table(self, weights: Sequence[tuple[float, float]]) -> _FactTable:
        """Per fact and answer, the log-likelihoods of agreeing and of not, given (m, lift)."""
        table = []
        for counts, (m, lift) in zip(self.fact_counts, weights, strict=True):
            total = sum(counts.values()) + len(counts) + 1  # Laplace-smoothed shares

            def weigh(count: int, total: int = total, m: float = m, lift: float = lift) -> Weights:
                u = min((count + 1) / total * lift, 0.99)
                return math.log(m / u), math.log((1 - m) / max(1 - u, 0.01))

            table.append(({value: weigh(c) for value, c in counts.items()}, weigh(0)))
        return table

    @functools.cached_property
    def _fact_table(self) -> _FactTable:
        return self._table(self.estimates.facts)

    @functools.cached_property
    def estimates(self) -> Estimates:
        """The prior and each fact's (m, lift), estimated on this round.

        Expectation-maximisation over a sample of the candidate pairs: each pair weighs in as
        one person by its current probability of being one, as two by the rest.
        - prior: from the expected number of pairs that are one person per interview (pairs
          outside the candidates never are), steadied by _PRIOR_PSEUDO interviews;
        - m: the fact's agreement among pairs that are one person;
        - lift: how much likelier two different respondents alike in sex, nationality, age and
          arrival are to agree on the fact than two random ones (regions go with nationality,
          first arrival year with arrival), measured on those pairs; the fact's frequency is
          scaled by it, so correlated evidence is not counted twice. Pseudo-pairs at _FACT_M
          and no lift steady small rounds.

        Ages and arrivals keep their set m: relatives who came together share a phone and an
        arrival, and EM would learn from them that one person's ages may lie years apart.
        """
        weights = [(_FACT_M, 1.0)] * len(self.facts)
        prior = _prior(_REPEAT_SHARE, self.size)
        pairs = sorted(self.candidates)
        if not pairs:
            return Estimates(prior, weights)
        rng = random.Random(len(pairs))  # noqa: S311 -- reproducible weights, not secrets
        sample = rng.sample(pairs, min(len(pairs), _EM_PAIRS))
        alike = np.array([pair in self._demographic for pair in sample], dtype=bool)
        members, bases = self.members, []
        for i, j in sample:
            # Not kept for the scoring: it scores only the few pairs _promising passes.
            base = self._base(members[i], members[j])
            bases.append(base.weight + self._levels(base))
        base_weights = np.array(bases, dtype=float)
        facts = _SampleFacts(self.fact_rows, self.members, sample, len(self.facts))
        chance = []
        for counts in self.fact_counts:
            total = sum(counts.values())
            chance.append(sum((c / total) ** 2 for c in counts.values()) if total else 1.0)
        for _ in range(_EM_ROUNDS):
            table = self._table(weights)
            # (prior + base) + facts, element by element as the scalar formula adds them.
            logits = (prior + base_weights) + facts.weights(table)
            same = np.array([_probability(w) for w in logits.tolist()], dtype=float)
            expected = _sequential_sum(same) * len(pairs) / len(sample)
            share = (expected + _PRIOR_PSEUDO * _REPEAT_SHARE) / (len(self.members) + _PRIOR_PSEUDO)
            prior = _prior(share, self.size)
            weights = []
            different = 1 - same
            for k, chance_agree in enumerate(chance):
                tried, agreed = facts.present[k], facts.present[k] & facts.equal[k]
                m_tried = _sequential_sum(np.where(tried, same, 0.0))
                m_agree = _sequential_sum(np.where(agreed, same, 0.0))
                u_tried = _sequential_sum(np.where(tried & alike, different, 0.0))
                u_agree = _sequential_sum(np.where(agreed & alike, different, 0.0))
                m = (m_agree + _EM_PSEUDO * _FACT_M) / (m_tried + _EM_PSEUDO)
                agree = (u_agree + _EM_PSEUDO * chance_agree) / (u_tried + _EM_PSEUDO)
                weights.append((min(m, 0.99), agree / chance_agree))
        return Estimates(prior, weights)

    def _age(self, age: int, gap: int) -> Level:
        """Level of two ages this far apart, and its u from the round's ages around this one."""
        key = (age, min(gap, self.age_tol + 2))  # all gaps past tolerance + 1 are one level
        if key not in self._age_memo:
            self._age_memo[key] = self._age_level(age, gap)
        return self._age_memo[key]

    def _age_level(self, age: int, gap: int) -> Level:
        def share(years: int, pseudo: float) -> float:
            count = sum(self.ages.get(age + d, 0) for d in range(-years, years + 1))
            return (count + _PSEUDO * pseudo) / self.size

        exact = share(0, _AGE_U0[0])
        if gap == 0:
            return 0, exact
        near = share(self.age_tol, _AGE_U0[1])
        if gap <= self.age_tol:
            return 1, max(near - exact, exact)
        wider = share(self.age_tol + 1, _AGE_U0[1] * 1.5)
        if gap == self.age_tol + 1:
            return 2, max(wider - near, exact)
        return 3, max(1 - wider, 0.01)

    def _arrival(self, a: dt.date, b: dt.date, gap: int) -> Level:
        """Level of two arrival dates and its u, the share of the round's arrivals that far.

        Levels: the day, within tolerance, the month recalled, weeks, a year, further.
        A date on the 1st is often a month recalled without its day: the other date agreeing
        to that month is evidence, as common as arrivals in that month are.
        """
        day = a.toordinal()
        if day not in self._day_memo:
            exact = (self._arrivals_within(day, 0) + _PSEUDO * _ARRIVAL_U0[0]) / self.size
            within = self._arrivals_within(day, self.arrival_tol) + _PSEUDO * _ARRIVAL_U0[1]
            self._day_memo[day] = (exact, max(within / self.size - exact, exact))
        if gap <= self.arrival_tol:
            return (0, self._day_memo[day][0]) if gap == 0 else (1, self._day_memo[day][1])
        if _same_month(a, b):
            rough = a if a.day == 1 else b
            first = rough.toordinal()
            key = (first, 2)
        else:
            # The band the gap falls in: 3 (weeks), 4 (a year), 5 (further).
            first = day
            key = (day, 3 + bisect.bisect_left(_ARRIVAL_BANDS, gap))
        level = self._band_memo.get(key)
        if level is None:
            level = self._band_memo[key] = self._arrival_band(first, key[1])
        return level

    def _arrival_band(self, day: int, band: int) -> Level:
        """Level 2 (day is the 1st of the month recalled) or 3-5 around day, with its u."""
        if band == 2:
            in_month = bisect.bisect_left(self.arrivals, day + 31) - bisect.bisect_left(
                self.arrivals, day
            )
            return 2, (in_month + _PSEUDO * _ARRIVAL_U0[2]) / self.size
        closer = self._arrivals_within(day, self.arrival_tol)
        for level, days in enumerate(_ARRIVAL_BANDS, start=3):
            within = self._arrivals_within(day, days)
            if level == band:
                return level, (within - closer + _PSEUDO * _ARRIVAL_U0[level]) / self.size
            closer = within
        return 5, max(len(self.arrivals) - closer, 1) / self.size

    def _arrivals_within(self, day: int, days: int) -> int:
        return bisect.bisect_right(self.arrivals, day + days) - bisect.bisect_left(
            self.arrivals, day - days
        )

    def _promising(self, pairs: list[tuple[int, int]], min_score: float) -> list[tuple[int, int]]:
        """The pairs whose score may reach min_score (in their order), by an upper bound.

        Scoring every candidate in Python was most of a round's time, yet few pairs come near
        min_score. In numpy each term of the log odds is taken exactly where a look-up gives
        it (sex, nationality, location, equal identifiers, age, arrival within tolerance,
        facts) and bounded above where it needs a comparison (names alike but not equal,
        arrivals further apart); the pairs that pass are scored exactly, as before.
        """
        if not pairs or len(pairs) < _BOUND_PAIRS or not 0 < min_score < 1:
            return pairs
        cols = self._columns
        index = np.array(pairs, dtype=np.int64)
        i, j = index[:, 0], index[:, 1]
        bound = np.full(len(pairs), self.estimates.prior)
        bound += self._phone_bound(cols, pairs, i, j)
        bound += self._name_bound(cols, i, j)
        for codes, agree, disagree in cols.demographics:
            ca, cb = codes[i], codes[j]
            both = (ca >= 0) & (cb >= 0)
            bound += np.where(both, np.where(ca == cb, agree[ca], disagree), 0.0)
        age_a, age_b = cols.age_row[i], cols.age_row[j]
        gap = np.minimum(np.abs(cols.age[i] - cols.age[j]), self.age_tol + 2)
        bound += np.where((age_a >= 0) & (age_b >= 0), cols.age_weights[age_a, gap], 0.0)
        day_a, day_b = cols.arrival[i], cols.arrival[j]
        gap = np.abs(day_a - day_b)
        arrival = np.where(
            gap == 0,
            cols.arrival_weights[0][i],
            np.where(
                gap <= self.arrival_tol, cols.arrival_weights[1][i], cols.arrival_weights[2][i]
            ),
        )
        bound += np.where((day_a >= 0) & (day_b >= 0), arrival, 0.0)
        for k, (column, unseen) in enumerate(self._fact_table):
            codes = cols.fact_codes[k]
            same_w = np.array([*(column.get(v, unseen)[0] for v in cols.fact_values[k]), 0.0])
            other_w = np.array([*(column.get(v, unseen)[1] for v in cols.fact_values[k]), 0.0])
            fa, fb = codes[i], codes[j]
            picked = np.where(fa == fb, same_w[fa], other_w[fa])
            bound += np.where((fa >= 0) & (fb >= 0), picked, 0.0)
        # A margin for the other order of the additions (the exact scoring's rounding).
        keep = bound >= math.log(min_score / (1 - min_score)) - 1e-6
        return [pairs[k] for k in np.flatnonzero(keep).tolist()]

    def _phone_bound(
        self, cols: "_Columns", pairs: list[tuple[int, int]], i: np.ndarray, j: np.ndarray
    ) -> np.ndarray:
        pa, pb = cols.phone[i], cols.phone[j]
        both = (pa >= 0) & (pb >= 0)
        same = both & (pa == pb)
        near_pairs, crowded = cols.near_pairs, cols.crowded_phone
        near = np.fromiter((pair in near_pairs for pair in pairs), dtype=bool, count=len(pairs))
        near_weight = math.log(_PHONE_M[1] / self.near_phone_u)
        far_weight = math.log(_PHONE_M[2])
        # Numbers in a group too large to pair up may still be one digit apart: either way.
        other = np.where(
            near,
            near_weight,
            np.where(crowded[i] | crowded[j], max(near_weight, far_weight), far_weight),
        )
        return np.where(both, np.where(same, cols.phone_weights[pa], other), 0.0)

    def _name_bound(self, cols: "_Columns", i: np.ndarray, j: np.ndarray) -> np.ndarray:
        na, nb = cols.name[i], cols.name[j]
        both = (na >= 0) & (nb >= 0)
        a0, a1, b0, b1 = cols.token0[i], cols.token1[i], cols.token0[j], cols.token1[j]
        # Two-word names (nearly all): alike only through one shared word, whose frequency
        # bounds u; other lengths are always scored.
        shared0 = (a0 == b0) | (a0 == b1)
        shared1 = (a1 == b0) | (a1 == b1)
        freq = cols.token_freq
        share = np.where(shared0, freq[a0], 1.0) * np.where(shared1, freq[a1], 1.0)
        floor_u = 1 / self.size**2
        alike = np.maximum(
            np.log(_NAME_M[1] / np.maximum(share * self.fuzzy_token_u, floor_u)),
            np.log(_NAME_M[2] / np.maximum(share * self.loose_token_u, floor_u)),
        )
        unlike = math.log(_NAME_M[3])
        other = np.where(shared0 | shared1, np.maximum(alike, unlike), unlike)
        other = np.where((a0 >= 0) & (b0 >= 0), other, math.inf)
        return np.where(both, np.where(na == nb, cols.name_weights[na], other), 0.0)

    @functools.cached_property
    def _columns(self) -> "_Columns":
        return _Columns(self)

    def findings(self, only_ids: frozenset[int] | None = None) -> Iterator[Finding]:
        min_score = float(self.params["min_score"])
        floor = self._weight_floor(min_score)
        found: dict[int, list[tuple[Match, int, str]]] = defaultdict(list)
        pairs = list(self.candidates)  # set order: matches of equal score keep their order
        if only_ids is not None:
            focus = {n for n, iv in enumerate(self.members) if iv.id in only_ids}
            pairs = [(i, j) for i, j in pairs if i in focus or j in focus]
        for i, j in self._promising(pairs, min_score):
            a, b = self.members[i], self.members[j]
            if a.root_uuid == b.root_uuid or a.instance_id == b.instance_id:
                continue  # one submission stored twice: the technical duplicate checks say so
            base = self._base(a, b)
            weight = self._weight(base)
            if weight < floor:
                continue  # cannot reach min_score whatever the facts say
            match = self._match(a, b, base, weight)
            if match.score >= min_score:
                found[i].append((match, j, "later"))
                found[j].append((match, i, "earlier"))
        for index, matches in found.items():
            yield self._finding(self.members[index], matches)
        for iv in self.members:
            if not (iv.phone_hash or iv.name_hash or iv.sex or iv.age is not None):
                yield cannot_check(
                    "duplicate", iv.id, "No phone, name, sex or age to compare respondents on."
                )

    def _finding(self, iv: Interview, matches: list[tuple[Match, int, str]]) -> Finding:
        matches.sort(key=lambda m: -m[0].score)
        is_later = any(role == "earlier" for _, _, role in matches)
        best, other_index, _ = matches[0]
        other = self.members[other_index]
        listed = [
            {
                "id": self.members[j].id,
                "kobo_id": self.members[j].kobo_id,
                "score": round(m.score, 4),
                "fields": list(m.fields),
                "differences": m.differences,
                "other_is": "earlier" if role == "earlier" else "later",
            }
            for m, j, role in matches[:_MAX_LISTED_MATCHES]
        ]
        severity = self.params["severity"] if is_later else self.params["earlier_severity"]
        also = f" and {len(matches) - 1} more" if len(matches) > 1 else ""
        return Finding(
            RESPONDENT,
            iv.id,
            "",
            str(severity),
            f"Possibly the same respondent as KoBo id {other.kobo_id}{also} "
            f"(score {best.score:.2f}; same {_describe(best)}).",
            {
                "score": round(best.score, 4),
                "other_id": other.id,
                "fields": list(best.fields),
                "matches": listed,
                "match_count": len(matches),
            },
        )


class _Columns:
    """Per member of a matcher, codes and weights as arrays (-1 where absent) for _promising."""

    def __init__(self, matcher: RespondentMatcher) -> None:
        members = matcher.members
        self.phone, phones = _codes(iv.phone_hash for iv in members)
        self.phone_weights = np.array(
            [math.log(_PHONE_M[0] / matcher._frequency("phone", h)) for h in phones] + [0.0]
        )
        self.name, names = _codes(iv.name_hash for iv in members)
        self.name_weights = np.array(
            [math.log(_NAME_M[0] / matcher._frequency("name", h)) for h in names] + [0.0]
        )
        self.demographics = []
        for field in ("sex", "nationality", "location"):
            codes, values = _codes(getattr(iv, field) for iv in members)
            agree = np.array([matcher._agreement(field, v) for v in values] + [0.0])
            self.demographics.append((codes, agree, _DISAGREE[field]))
        self.near_pairs: set[tuple[int, int]] = set()
        self.crowded_phone = np.zeros(len(members), dtype=bool)
        for group in matcher.phone_groups.values():
            if len(group) > _MAX_IDENTIFIER_GROUP:
                self.crowded_phone[group] = True
            elif len(group) > 1:
                self.near_pairs.update(combinations(group, 2))
        two = [iv.name_parts if len(iv.name_parts) == 2 else None for iv in members]
        tokens, keys = _codes(
            key for parts in two for key in ((parts[0][0], parts[1][0]) if parts else (None, None))
        )
        self.token0, self.token1 = tokens[0::2], tokens[1::2]
        self.token_freq = np.array([matcher._token_frequency(k) for k in keys] + [1.0])
        ages = [iv.age for iv in members]
        self.age = np.array([a if a is not None else 0 for a in ages], dtype=np.int64)
        self.age_row, distinct = _codes(ages)
        self.age_weights = np.array(
            [
                [
                    math.log(_AGE_M[level] / u)
                    for level, u in (matcher._age(age, g) for g in range(matcher.age_tol + 3))
                ]
                for age in distinct
            ]
            + [[0.0] * (matcher.age_tol + 3)]
        )
        self.arrival = np.array(
            [iv.arrival_date.toordinal() if iv.arrival_date else -1 for iv in members],
            dtype=np.int64,
        )
        by_day: dict[dt.date, tuple[float, float, float]] = {}
        for iv in members:
            if iv.arrival_date is not None and iv.arrival_date not in by_day:
                by_day[iv.arrival_date] = _arrival_weights(matcher, iv.arrival_date)
        self.arrival_weights = [
            np.array([by_day[iv.arrival_date][k] if iv.arrival_date else 0.0 for iv in members])
            for k in range(3)
        ]
        rows = [matcher._fact_row(iv) for iv in members]
        self.fact_codes, self.fact_values = [], []
        for k in range(len(matcher.facts)):
            codes, values = _codes(row[k] for row in rows)
            self.fact_codes.append(codes)
            self.fact_values.append(values)


def _arrival_weights(matcher: RespondentMatcher, date: dt.date) -> tuple[float, float, float]:
    """Weights of an arrival on date against one the same day, within tolerance, and further.

    Further is a bound: the largest of the month recalled and the three bands around date.
    """
    day = date.toordinal()
    level, u = matcher._arrival(date, date, 0)
    exact = math.log(_ARRIVAL_M[level] / u)
    within = math.log(_ARRIVAL_M[1] / matcher._day_memo[day][1])
    further = [matcher._arrival_band(day - date.day + 1, 2)]
    further += [matcher._arrival_band(day, band) for band in (3, 4, 5)]
    return exact, within, max(math.log(_ARRIVAL_M[lv] / u) for lv, u in further)


def _codes(values: Iterable[Any]) -> tuple[np.ndarray, list[Any]]:
    """Each value's code in order of first sight, -1 for None or empty; and the values."""
    listed = list(values)
    order = dict.fromkeys(listed)  # in C: the values in order of first sight
    order.pop(None, None)
    order.pop("", None)
    seen: dict[Any, int] = {value: code for code, value in enumerate(order)}
    distinct = list(seen)
    seen[None] = seen[""] = -1
    return np.fromiter(map(seen.__getitem__, listed), dtype=np.int64, count=len(listed)), distinct


class _SampleFacts:
    """The EM sample's fact answers as arrays: per fact, both given, equal, and answer codes."""

    def __init__(
        self,
        fact_rows: Mapping[int, _FactRow],
        members: Sequence[Interview],
        sample: Sequence[tuple[int, int]],
        width: int,
    ) -> None:
        codes: list[dict[str, int]] = [{} for _ in range(width)]
        rows = [fact_rows[iv.id] for iv in members]
        # Codes per member (a list per fact, made an array once), then the sample's picked.
        by_member = np.array(
            [
                [-1 if (v := row[k]) is None else column.setdefault(v, len(column)) for row in rows]
                for k, column in enumerate(codes)
            ],
            dtype=np.int64,
        ).reshape(width, len(rows))
        pairs = np.array(sample, dtype=np.int64).reshape(-1, 2)
        left, right = by_member[:, pairs[:, 0]], by_member[:, pairs[:, 1]]
        self.codes = codes
        self.left = left
        self.present = (left >= 0) & (right >= 0)
        self.equal = left == right

    def weights(self, table: _FactTable) -> np.ndarray:
        """RespondentMatcher._fact_weight of every sampled pair, summed fact by fact as it does."""
        total = np.zeros(self.left.shape[1], dtype=float)
        for k, (column, unseen) in enumerate(table):
            agree = np.full(len(self.codes[k]) + 1, unseen[0], dtype=float)
            disagree = np.full(len(self.codes[k]) + 1, unseen[1], dtype=float)
            for value, code in self.codes[k].items():
                agree[code], disagree[code] = column.get(value, unseen)
            picked = np.where(self.equal[k], agree[self.left[k]], disagree[self.left[k]])
            total = total + np.where(self.present[k], picked, 0.0)
        return total


def _sequential_sum(values: np.ndarray) -> float:
    """Left-to-right sum (as a Python loop adds), not numpy's pairwise one: same weights."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def _describe(match: Match) -> str:
    words = []
    for name in match.fields:
        if name == "age" and match.differences.get("age_years"):
            words.append(f"age ±{match.differences['age_years']}")
        elif name == "arrival_date" and match.differences.get("arrival_days"):
            words.append(f"arrival ±{match.differences['arrival_days']} days")
        else:
            words.append(name.rsplit("/", 1)[-1].replace("_", " "))  # a fact: its question
    return ", ".join(words)


def _groups(keys_per_member: Iterable[Iterable[str]]) -> dict[str, list[int]]:
    """Member indices per key held by two or more members, keys in order of first sight.

    Keys held once (most phone deletion keys) get no list: building one per key was most of
    the grouping's time.
    """
    first: dict[str, int] = {}
    shared: dict[str, list[int]] = {}
    for index, keys in enumerate(keys_per_member):
        for key in keys:
            seen = first.setdefault(key, index)
            if seen != index:
                group = shared.get(key)
                if group is None:
                    shared[key] = [seen, index]
                else:
                    group.append(index)
    return {key: shared[key] for key in first if key in shared} if shared else {}


def _same_month(a: dt.date, b: dt.date) -> bool:
    return (a.day == 1 or b.day == 1) and (a.year, a.month) == (b.year, b.month)


def _prior(share: float, size: float) -> float:
    """Log prior odds that a pair is one person, when this share of interviews are repeats."""
    return math.log(2 * share / size)


def _probability(weight: float) -> float:
    """Posterior probability from log-odds."""
    return 1 / (1 + math.exp(-min(weight, 700)))


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    # Counter counts in C, keys in order of first sight as the loop it replaced.
    return dict(Counter(filter(None, values)))
