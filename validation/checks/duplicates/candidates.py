"""Candidate pairs of a round, found by blocking, never by comparing all pairs."""

import bisect
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from validation.checks.duplicates.model import _LOOSE_TOKEN_DICE, _MAX_IDENTIFIER_GROUP
from validation.checks.duplicates.scoring import _Evidence
from validation.checks.duplicates.tallies import _groups
from validation.checks.identifiers import match_names


class _Candidates(_Evidence):
    """The pairs worth scoring: shared identifiers, alike names, alike demographics."""

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
