"""Respondent identifiers (phone, name) turned into keyed hashes at ingest, fuzzy-comparable.

Only these encodings reach the checks; none of them is ever written to a flag. Names are
written by different enumerators in Cyrillic or in one of several Latin spellings, in either
order, with or without a patronymic, sometimes with a typo; phones in any national format,
sometimes with a mistyped digit. So besides the exact hash each identifier gets:

- phone: the hashes of its nine one-digit deletions; two numbers one substitution or one
  adjacent swap apart share one of them;
- name: per token, a hash of its phonetic skeleton (the same for Sherzod/Шерзод, Rakhimov/
  Raximov/Рахимов, Zhumabaev/Jumabaev/Джумабаев) and a keyed Bloom filter of the letter pairs
  of its transliteration, whose Dice coefficient measures typos (Schnell et al. 2009).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

BLOOM_BITS = 256  # per name token: ~8 letter pairs x 6 positions fill about a sixth
_BLOOM_K = 6  # positions per letter pair
_PHONE_DIGITS = 9  # +7 707 …, 8 707 …, +998 90 … compared on their last nine digits
# Patronymics are written or left out at will (Rustamovich, Rustamovna, Rustam o'g'li/qizi).
_PATRONYMIC_END = ("ovich", "evich", "ovna", "evna", "ichna", "vich", "vna")
_PATRONYMIC_WORD = frozenset({"ogli", "ugli", "uli", "kizi", "ulu"})  # uulu, kyzy fold to these
# Latin spellings of one Cyrillic letter, folded to one (order matters: longest first).
_SPELLINGS = (
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("tch", "ch"),
    ("kh", "h"),
    ("gh", "g"),
    ("x", "h"),
    ("q", "k"),
    ("w", "v"),
    ("ph", "f"),
    ("yo", "io"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("ye", "e"),
    ("y", "i"),
)
_SPELLING_RE = re.compile("|".join(a for a, _ in _SPELLINGS))
_SPELLING = dict(_SPELLINGS)
_VOWELS = re.compile(r"[aeiou]+")
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class Encoded:
    phone_hash: str | None = None
    phone_keys: frozenset[str] = frozenset()
    name_hash: str | None = None
    name_parts: tuple[tuple[str, int], ...] = ()  # (skeleton hash, Bloom filter) per token


def phone_digits(raw: str) -> str | None:
    """The last nine digits of a phone number, or None when it has fewer."""
    digits = re.sub(r"\D", "", raw)
    return digits[-_PHONE_DIGITS:] if len(digits) >= _PHONE_DIGITS else None


def name_tokens(raw: str) -> list[str]:
    """Lower-case Latin tokens with one spelling per sound; patronymics dropped."""
    latin = anyascii(unicodedata.normalize("NFKC", raw)).casefold()
    words = re.findall(r"[a-z]+", latin.replace("'", "").replace("`", ""))
    tokens: list[str] = []
    for word in words:
        folded = _REPEATS.sub(r"\1", _SPELLING_RE.sub(lambda m: _SPELLING[m.group(0)], word))
        if folded in _PATRONYMIC_WORD:
            if tokens:
                tokens.pop()  # "Rustam o'g'li": the father's name goes with it
            continue
        if len(folded) > 6 and folded.endswith(_PATRONYMIC_END):
            continue
        tokens.append(folded)
    return tokens


def skeleton(token: str) -> str:
    """Consonants of a folded token, a leading vowel kept as one mark (Ekubov = Yokubov)."""
    head = "a" if token[0] in "aeiou" else ""
    return _REPEATS.sub(r"\1", head + _VOWELS.sub("", token))


def _hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def _bloom(key: bytes, token: str) -> int:
    bits = 0
    padded = f"_{token}_"
    for i in range(len(padded) - 1):
        digest = hmac.new(key, f"bg:{padded[i : i + 2]}".encode(), hashlib.sha256).digest()
        for k in range(_BLOOM_K):
            bits |= 1 << (int.from_bytes(digest[2 * k : 2 * k + 2], "big") % BLOOM_BITS)
    return bits


def encode(key: bytes, *, phone: str | None = None, name: str | None = None) -> Encoded:
    """Keyed encodings of a phone number and a name as the form recorded them (or None)."""
    phone_hash, phone_keys = None, frozenset[str]()
    digits = phone_digits(phone) if phone else None
    if digits:
        phone_hash = _hmac(key, f"phone:{digits}")
        phone_keys = frozenset(
            _hmac(key, f"phone-1:{digits[:i]}{digits[i + 1 :]}") for i in range(len(digits))
        )
    name_hash, parts = None, tuple[tuple[str, int], ...]()
    by_skeleton = {skeleton(t): t for t in (name_tokens(name) if name else [])}
    if by_skeleton:
        name_hash = _hmac(key, "name:" + " ".join(sorted(by_skeleton)))
        parts = tuple(
            (_hmac(key, f"name-token:{s}"), _bloom(key, t)) for s, t in sorted(by_skeleton.items())
        )
    return Encoded(phone_hash, phone_keys, name_hash, parts)


def dice(a: int, b: int) -> float:
    """Dice coefficient of two Bloom filters (0 when either is empty)."""
    total = a.bit_count() + b.bit_count()
    return 2 * (a & b).bit_count() / total if total else 0.0


def match_names_graded(
    a: tuple[tuple[str, int], ...],
    b: tuple[tuple[str, int], ...],
    max_fuzzy: int | None = None,
) -> tuple[list[str], int, float] | None:
    """match_names for every min_dice at once: (exact, fuzzy count, lowest partner Dice).

    The greedy pairing does not depend on min_dice (each token takes its best free partner),
    so match_names(a, b, t, max_fuzzy) succeeds exactly when the lowest Dice is >= t, with
    the same exact keys and fuzzy count. The lowest is inf when every token matched exactly;
    None when a token has no free partner at all, or more than max_fuzzy need one.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    long_keys = {key for key, _ in long}
    exact = [key for key, _ in short if key in long_keys]
    rest = [bloom for key, bloom in short if key not in long_keys]
    if max_fuzzy is not None and len(rest) > max_fuzzy:
        return None
    lowest = math.inf
    if rest:
        matched = set(exact)
        free = [bloom for key, bloom in long if key not in matched]
        for bloom in rest:
            scores = [dice(bloom, other) for other in free]
            best = max(range(len(free)), key=scores.__getitem__, default=None)
            if best is None:
                return None
            lowest = min(lowest, scores[best])
            free.pop(best)
    return exact, len(rest), lowest


def match_names(
    a: tuple[tuple[str, int], ...],
    b: tuple[tuple[str, int], ...],
    min_dice: float,
    max_fuzzy: int | None = None,
) -> tuple[list[str], int] | None:
    """Whether every token of the shorter name has a partner in the other name.

    A partner has the same skeleton or a Dice coefficient of at least min_dice (at most
    max_fuzzy of those). Returns the skeleton hashes that matched and how many tokens matched
    only by Dice, else None.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    long_keys = {key for key, _ in long}
    exact = [key for key, _ in short if key in long_keys]
    rest = [bloom for key, bloom in short if key not in long_keys]
    if max_fuzzy is not None and len(rest) > max_fuzzy:
        return None
    if rest:
        matched = set(exact)
        free = [bloom for key, bloom in long if key not in matched]
        for bloom in rest:
            scores = [dice(bloom, other) for other in free]
            best = max(range(len(free)), key=scores.__getitem__, default=None)
            if best is None or scores[best] < min_dice:
                return None
            free.pop(best)
    return exact, len(rest)
