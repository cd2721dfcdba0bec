"""The prior and the facts' weights, estimated on a round by expectation-maximisation."""

import functools
import math
import random
from collections.abc import Mapping, Sequence

import numpy as np

from validation.checks.base import Interview
from validation.checks.duplicates.candidates import _Candidates
from validation.checks.duplicates.model import (
    _EM_PAIRS,
    _EM_PSEUDO,
    _EM_ROUNDS,
    _FACT_M,
    _PRIOR_PSEUDO,
    _REPEAT_SHARE,
    Estimates,
    _FactRow,
    _FactTable,
    _probability,
)


class _Weights(_Candidates):
    """The round's estimates and the fact weights they give."""

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
        if self.kept_estimates is not None:
            return self.kept_estimates
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


def _prior(share: float, size: float) -> float:
    """Log prior odds that a pair is one person, when this share of interviews are repeats."""
    return math.log(2 * share / size)
