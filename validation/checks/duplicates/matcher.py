"""The respondent matcher: a round's candidate pairs scored, and its findings."""

import math
from collections import defaultdict
from collections.abc import Iterator

from validation.checks.base import Finding, Interview, cannot_check
from validation.checks.duplicates.bounds import _Bounds
from validation.checks.duplicates.model import _MAX_LISTED_MATCHES, Match, _Base, _probability
from validation.checks.duplicates.specs import RESPONDENT


class RespondentMatcher(_Bounds):
    """Scores candidate pairs of one round, found by blocking, never by comparing all pairs.

    Built in layers, one module each, every one using those before it: tallies (the
    round's counts), scoring (a pair's evidence), candidates, weights (EM), bounds.
    """

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

    def findings(self, only_ids: frozenset[int] | None = None) -> Iterator[Finding]:
        min_score = float(self.params["min_score"])
        floor = self._weight_floor(min_score)
        found: dict[int, list[tuple[Match, int, str]]] = defaultdict(list)
        # In index order, so that matches of equal score are listed alike by a whole run and
        # a focused one (which, with kept estimates, finds only its own pairs).
        if only_ids is None:
            pairs = sorted(self.candidates)
        else:
            focus = {n for n, iv in enumerate(self.members) if iv.id in only_ids}
            pairs = sorted(self.candidates_of(focus))
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
