"""The respondent match's Fellegi-Sunter model: its set m and u, priors, and value types."""

import math
from dataclasses import dataclass

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


def _probability(weight: float) -> float:
    """Posterior probability from log-odds."""
    return 1 / (1 + math.exp(-min(weight, 700)))
