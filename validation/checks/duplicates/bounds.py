"""A numpy upper bound of the score, screening candidate pairs before exact scoring."""

import datetime as dt
import functools
import math
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import numpy as np

from validation.checks.duplicates.model import (
    _AGE_M,
    _ARRIVAL_M,
    _DISAGREE,
    _MAX_IDENTIFIER_GROUP,
    _NAME_M,
    _PHONE_M,
)
from validation.checks.duplicates.weights import _Weights

# Fewer candidate pairs (a few new interviews' own) are scored directly: the arrays cost more.
_BOUND_PAIRS = 5_000


class _Bounds(_Weights):
    """The candidate pairs that may reach min_score, screened in arrays."""

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


class _Columns:
    """Per member of a matcher, codes and weights as arrays (-1 where absent) for _promising."""

    def __init__(self, matcher: _Bounds) -> None:
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


def _arrival_weights(matcher: _Bounds, date: dt.date) -> tuple[float, float, float]:
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
