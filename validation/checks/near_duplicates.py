"""Fabrication signal: two interviews of one enumerator with almost identical answers."""

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain, combinations
from typing import Any, cast

import numpy as np

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    cannot_check,
    is_answer_key,
    is_enabled,
    moment_of,
    resolve_params,
)

NEAR_DUPLICATE = "fabrication.near_duplicate"

SPECS = {
    NEAR_DUPLICATE: CheckSpec(
        NEAR_DUPLICATE,
        "major",
        {
            "min_share": Param(0.95, minimum=0.5, maximum=1.0),
            "min_answered": Param(20, minimum=1),
            "window_days": Param(0.0),  # 0: compare across the whole round
        },
    )
}
# Answer groups this large share a band of very common answers; comparing them all would be
# quadratic, so each is compared only with its nearest interviews in time (copies are made
# the same day or the next).
_MAX_GROUP = 200
_NEIGHBOURS = 40
_MAX_LISTED_FIELDS = 20
_NOT_AN_ANSWER = -1  # the code of an empty answer or a metadata key
_NOT_ANSWERS = frozenset({_NOT_AN_ANSWER})


@dataclass(frozen=True, slots=True)
class _Answers:
    iv: Interview
    items: frozenset[int]  # ids of (question, answer) pairs, shared across interviews


class _Vocabulary:
    """Interns (question, answer) pairs as small ints: 100,000 interviews x 60 answers fit."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}  # -1: not an answer (empty, or metadata)
        self.keys: list[str] = []
        self._crc = np.zeros(0, dtype=np.int64)
        self._tags = np.zeros(0, dtype=np.uint64)

    def encode(self, answers: Mapping[str, str]) -> frozenset[int]:
        # One dictionary look-up per answer, in C (map): items() yields the (key, value)
        # tuples themselves; pairs seen for the first time are interned, then looked up again.
        ids = self.ids
        got = frozenset(map(ids.get, answers.items()))
        if None in got:
            for pair in answers.items():
                if pair not in ids:
                    key, value = pair
                    if value == "" or not is_answer_key(key):
                        ids[pair] = -1
                    else:
                        ids[pair] = len(self.keys)
                        self.keys.append(key)
            got = frozenset(map(ids.get, answers.items()))
        known = cast("frozenset[int]", got)  # every pair is interned now
        # Most interviews have no empty answer nor metadata left: no copy then.
        return known - _NOT_ANSWERS if _NOT_AN_ANSWER in known else known

    def questions(self, items: Iterable[int]) -> set[str]:
        return {self.keys[p] for p in items}

    def crc32(self) -> np.ndarray:
        """Per item, the crc32 of its question (bands are by question)."""
        if len(self._crc) < len(self.keys):
            more = [zlib.crc32(key.encode()) for key in self.keys[len(self._crc) :]]
            self._crc = np.concatenate((self._crc, np.array(more, dtype=np.int64)))
        return self._crc

    def tags(self) -> np.ndarray:
        """Per item, a random 64-bit tag (seeded: the same candidates on every run)."""
        if len(self._tags) < len(self.keys):
            rng = np.random.default_rng(len(self._tags))
            more = rng.integers(0, 2**64, size=len(self.keys) - len(self._tags), dtype=np.uint64)
            self._tags = np.concatenate((self._tags, more))
        return self._tags


class NearDuplicateCheck:
    codes: tuple[str, ...] = (NEAR_DUPLICATE,)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not is_enabled(ctx, NEAR_DUPLICATE):
            return
        params = resolve_params(ctx, SPECS[NEAR_DUPLICATE])
        min_answered = int(params["min_answered"])
        vocabulary = _Vocabulary()
        members: dict[tuple[int, int, str], list[Interview]] = defaultdict(list)
        for iv in interviews:
            if not iv.enumerator:
                yield cannot_check("fabrication", iv.id, "No enumerator is recorded.")
                continue
            members[(iv.round_id, iv.form_id, iv.enumerator)].append(iv)
        for block_members in members.values():
            # A block without a focus interview cannot reach one: not even encoded.
            if only_ids is not None and not any(iv.id in only_ids for iv in block_members):
                continue
            block = []
            for iv in block_members:
                items = vocabulary.encode(iv.answers)
                # Short paths (screened out early) are alike by design: nothing to judge.
                if len(items) >= min_answered:
                    block.append(_Answers(iv, items))
            yield from _block_findings(block, params, vocabulary, only_ids)


def _candidates(
    block: list[_Answers],
    min_share: float,
    vocabulary: _Vocabulary,
    focus: set[int] | None = None,
) -> set[tuple[int, int]]:
    """Pairs sharing one whole band of answers (with focus, only pairs with a focus index).

    If share = same / union >= t, the differing keys number at most (1 - t) / t * len(answers);
    split keys into one band more than that and some band is identical in both (pigeonhole),
    so grouping by band content finds every qualifying pair without comparing all pairs.
    """
    pairs: set[tuple[int, int]] = set()
    for members in _band_groups(block, min_share, vocabulary):
        if len(members) <= _MAX_GROUP:
            if focus is None:
                pairs.update(combinations(members, 2))
            else:
                for i in members:
                    if i in focus:
                        pairs.update((min(i, j), max(i, j)) for j in members if j != i)
            continue
        ordered = sorted(members, key=lambda i: moment_of(block[i].iv))
        for pos, i in enumerate(ordered):
            for j in ordered[pos + 1 : pos + 1 + _NEIGHBOURS]:
                if focus is None or i in focus or j in focus:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def _band_groups(
    block: list[_Answers], min_share: float, vocabulary: _Vocabulary
) -> Iterator[list[int]]:
    """Indices (ascending) of the interviews with the same content in one band, 2 or more.

    A band's content is summed as random 64-bit tags of its answers (in numpy, all interviews
    at once): equal content gives equal sums, and a chance collision only adds a candidate,
    which is verified exactly.
    """
    longest = max(len(a.items) for a in block)
    bands = math.floor((1 - min_share) / min_share * longest + 1e-9) + 1
    lengths = np.fromiter((len(a.items) for a in block), dtype=np.int64, count=len(block))
    items = np.fromiter(
        chain.from_iterable(a.items for a in block), dtype=np.int64, count=int(lengths.sum())
    )
    # crc32 of the question, not hash(): the same bands in every process.
    band_of = vocabulary.crc32()[items] % bands
    cell = np.repeat(np.arange(len(block), dtype=np.int64), lengths) * bands + band_of
    content = np.zeros(len(block) * bands, dtype=np.uint64)
    np.add.at(content, cell, vocabulary.tags()[items])
    # The bands each interview has answers in, ascending: a mask, not np.unique's sort.
    present = np.zeros(len(content), dtype=bool)
    present[cell] = True
    cells = np.flatnonzero(present)
    band, sums, owner = cells % bands, content[cells], cells // bands
    order = np.lexsort((owner, sums, band))
    band, sums, owner = band[order], sums[order], owner[order]
    starts = np.flatnonzero(
        np.concatenate(([True], (band[1:] != band[:-1]) | (sums[1:] != sums[:-1]), [True]))
    )
    for lo, hi in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
        if hi - lo > 1:
            yield owner[lo:hi].tolist()


def _block_findings(
    block: list[_Answers],
    params: dict[str, Any],
    vocabulary: _Vocabulary,
    only_ids: frozenset[int] | None,
) -> Iterator[Finding]:
    if len(block) < 2:
        return
    min_share = float(params["min_share"])
    window = timedelta(days=float(params["window_days"]))
    found: dict[int, list[tuple[float, int, list[str], int]]] = defaultdict(list)
    focus = None
    if only_ids is not None:
        focus = {index for index, answers in enumerate(block) if answers.iv.id in only_ids}
    for i, j in _candidates(block, min_share, vocabulary, focus):
        a, b = block[i], block[j]
        if only_ids is not None and a.iv.id not in only_ids and b.iv.id not in only_ids:
            continue
        if window and abs(moment_of(a.iv) - moment_of(b.iv)) > window:
            continue
        common = a.items & b.items
        if len(common) < min_share * max(len(a.items), len(b.items)):
            continue  # cheap bound: the union is at least the larger of the two
        questions = vocabulary.questions(a.items) | vocabulary.questions(b.items)
        share = len(common) / len(questions)
        if share < min_share:
            continue
        differing = sorted(questions - vocabulary.questions(common))
        union = len(questions)
        found[i].append((share, j, differing, union))
        found[j].append((share, i, differing, union))
    for index, matches in found.items():
        matches.sort(key=lambda m: (-m[0], block[m[1]].iv.id))
        share, other_index, differing, union = matches[0]
        other = block[other_index].iv
        listed = ", ".join(differing[:5]) + (" …" if len(differing) > 5 else "")
        yield Finding(
            NEAR_DUPLICATE,
            block[index].iv.id,
            "",
            str(params["severity"]),
            f"{share:.0%} of answers are identical to KoBo id {other.kobo_id} by the same "
            f"enumerator; only {len(differing)} differ" + (f" ({listed})." if differing else "."),
            {
                "other_id": other.id,
                "other_kobo_id": other.kobo_id,
                "share": round(share, 4),
                "min_share": min_share,
                "compared": union,
                "differing": differing[:_MAX_LISTED_FIELDS],
                "other_ids": [block[j].iv.id for _, j, _, _ in matches],
            },
        )
