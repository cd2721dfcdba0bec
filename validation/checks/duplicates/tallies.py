"""What a respondent matcher counts on its round before comparing any pair."""

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from operator import attrgetter, itemgetter
from typing import Any

from validation.checks.base import Interview, sort_key
from validation.checks.duplicates.model import (
    _COUNTED,
    _FUZZY_TOKEN_U0,
    _LOOSE_TOKEN_DICE,
    _LOOSE_TOKEN_U0,
    _MAX_IDENTIFIER_GROUP,
    _MIN_TOKEN_DICE,
    _NEAR_PHONE_U0,
    _PSEUDO,
    _PSEUDO_PAIRS,
    _SAMPLE_PAIRS,
    Estimates,
    Level,
    _FactRow,
)
from validation.checks.identifiers import dice


class _Tallies:
    """The round's members in interview order, their values' counts and the chance rates."""

    def __init__(
        self,
        members: Sequence[Interview],
        params: dict[str, Any],
        *,
        facts: Sequence[str] = (),
        missing: frozenset[str] = frozenset(),
        estimates: Estimates | None = None,
    ) -> None:
        # Estimates kept from an earlier run (kept.py), used instead of estimating on the round.
        self.kept_estimates = estimates
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

    def _fact_row(self, iv: Interview) -> _FactRow:
        row = self.fact_rows.get(iv.id)
        return row if row is not None else self._read_facts(iv)

    def _read_facts(self, iv: Interview) -> _FactRow:
        """The interview's answers to the facts, None where not given (or don't know/refused)."""
        return tuple(
            v if (v := iv.answers.get(key)) and v not in self.missing else None
            for key in self.facts
        )


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


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    # Counter counts in C, keys in order of first sight as the loop it replaced.
    return dict(Counter(filter(None, values)))
