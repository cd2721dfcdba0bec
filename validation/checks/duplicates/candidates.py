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

    def candidates_of(self, focus: set[int]) -> set[tuple[int, int]]:
        """The candidate pairs with a member in focus (indices), as candidates has them.

        Found from the focus alone where the whole set is not at hand (kept estimates).
        """
        if "candidates" in self.__dict__:
            return {(i, j) for i, j in self.candidates if i in focus or j in focus}
        pairs: set[tuple[int, int]] = set()
        groups = [
            _groups((value,) if (value := getattr(iv, attr)) else () for iv in self.members)
            for attr in ("phone_hash", "name_hash")
        ]
        for grouped in (*groups, self.phone_groups):
            for group in grouped.values():
                if 1 < len(group) <= _MAX_IDENTIFIER_GROUP and not focus.isdisjoint(group):
                    pairs.update(
                        p for p in combinations(group, 2) if p[0] in focus or p[1] in focus
                    )
        pairs.update(self._name_pairs(focus))
        pairs.update(self._demographic_pairs_of(focus))
        return pairs

    @functools.cached_property
    def _demographic(self) -> set[tuple[int, int]]:
        return set(self._demographic_pairs())

    def _name_pairs(self, focus: set[int] | None = None) -> Iterator[tuple[int, int]]:
        """Pairs of one sex sharing a name token, of ages close enough, whose names match.

        With focus, only pairs with a member in it: blocks without one are skipped, and in the
        others each focus member meets the entries before it whose age range reaches it.
        """
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
            if focus is not None:
                yield from self._focus_name_pairs(block, focus)
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

    def _focus_name_pairs(
        self, block: list[tuple[int, int, int, int]], focus: set[int]
    ) -> Iterator[tuple[int, int]]:
        """A block's pairs with a member in focus.

        Each focus entry meets those after it in its age range, as in _name_pairs, and those
        before it whose age range reaches it (as the pair's first, the order _name_pairs uses).
        """
        if all(entry[1] not in focus for entry in block):
            return
        block.sort()
        ages = [entry[0] for entry in block]
        for pos, entry in enumerate(block):
            age, i = entry[0], entry[1]
            if i not in focus:
                continue
            start = bisect.bisect_left(ages, age - self.age_tol - 1)
            end = bisect.bisect_right(ages, age + self.age_tol + 1)
            met = [(block[k], entry, block[k][1]) for k in range(start, pos)]
            met += [(entry, block[k], block[k][1]) for k in range(pos + 1, end)]
            for first, second, j in met:
                if self._names_meet(first, second):
                    yield (i, j) if i < j else (j, i)

    def _names_meet(
        self, first: tuple[int, int, int, int], second: tuple[int, int, int, int]
    ) -> bool:
        _, i, other_i, count_i = first
        _, j, other_j, count_j = second
        if other_i > 0 and other_j > 0:
            return 2 * (other_i & other_j).bit_count() >= _LOOSE_TOKEN_DICE * (count_i + count_j)
        a, b = self.members[i], self.members[j]
        return a.name_hash == b.name_hash or (
            match_names(a.name_parts, b.name_parts, _LOOSE_TOKEN_DICE, max_fuzzy=1) is not None
        )

    def _demographic_pairs(self) -> Iterator[tuple[int, int]]:
        """Pairs of the same sex and nationality, ages within tolerance, arrivals within window."""
        blocks = self._demographic_blocks()
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

    def _demographic_blocks(self) -> dict[tuple[str, str, int], list[tuple[int, int]]]:
        """(arrival ordinal, index) of members by sex, nationality and age, in arrival order."""
        blocks: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
        for index, iv in enumerate(self.members):
            if iv.sex and iv.nationality and iv.age is not None and iv.arrival_date is not None:
                key = (iv.sex, iv.nationality, iv.age)
                blocks[key].append((iv.arrival_date.toordinal(), index))
        for block in blocks.values():
            block.sort()
        return blocks

    def _demographic_pairs_of(self, focus: set[int]) -> Iterator[tuple[int, int]]:
        """The pairs _demographic_pairs gives that have a member in focus, from the focus."""
        by_key = self._demographic_blocks()
        reach = max(self.arrival_tol, 31)  # no window reaches further (see _arrival_windows)
        for index in focus:
            iv = self.members[index]
            if not (iv.sex and iv.nationality and iv.age is not None and iv.arrival_date):
                continue
            day = iv.arrival_date.toordinal()
            for shift in range(-self.age_tol, self.age_tol + 1):
                other = by_key.get((iv.sex, iv.nationality, iv.age + shift))
                if other is None:
                    continue
                days = [d for d, _ in other]
                # As the first of the pair (its age the lower): others in its windows.
                if shift >= 0:
                    for lo_day, hi_day in self._arrival_windows(day):
                        lo = bisect.bisect_left(days, lo_day)
                        hi = bisect.bisect_right(days, hi_day)
                        for _, j in other[lo:hi]:
                            if j != index and (shift != 0 or j > index):
                                yield (index, j) if index < j else (j, index)
                # As the second: others whose windows hold its arrival.
                if shift <= 0:
                    lo = bisect.bisect_left(days, day - reach)
                    hi = bisect.bisect_right(days, day + reach)
                    for other_day, j in other[lo:hi]:
                        if j != index and (shift != 0 or index > j):
                            windows = self._arrival_windows(other_day)
                            if any(a <= day <= b for a, b in windows):
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
