"""The evidence two interviews give of one respondent: identifiers, demographics, levels, facts."""

import bisect
import datetime as dt
import math
from collections.abc import Sequence

from validation.checks.base import Interview
from validation.checks.duplicates.model import (
    _AGE_M,
    _AGE_U0,
    _ARRIVAL_BANDS,
    _ARRIVAL_M,
    _ARRIVAL_U0,
    _DISAGREE_LOCATION,
    _DISAGREE_NATIONALITY,
    _DISAGREE_SEX,
    _LOOSE_TOKEN_DICE,
    _M,
    _MIN_TOKEN_DICE,
    _NAME_M,
    _PHONE_M,
    _PSEUDO,
    _U0,
    Level,
    Weights,
    _Base,
    _FactRow,
    _FactTable,
)
from validation.checks.duplicates.tallies import _Tallies
from validation.checks.identifiers import match_names_graded


class _Evidence(_Tallies):
    """Per field, the log-likelihood ratio of one person given how a pair compares."""

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


def _same_month(a: dt.date, b: dt.date) -> bool:
    return (a.day == 1 or b.day == 1) and (a.year, a.month) == (b.year, b.month)
