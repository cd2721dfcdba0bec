"""Benchmark of validation.checks on synthetic MTM interviews with planted problems.

Usage: .venv/bin/python bench/checks.py [--n 100000] [--rounds 4] [--seed 7]
Prints time per check, total time, peak RSS, and recall/precision on planted repeat
respondents and near-duplicates (and hit rates on the other planted problems).
"""

import argparse
import hashlib
import random
import resource
import sys
import time as clock
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.registry import CHECKS, run_checks

ALMATY = ZoneInfo("Asia/Almaty")
# 16 city districts as boxes (lat_min, lat_max, lon_min, lon_max); cities are far apart.
CITIES = {
    "ALA": (43.20, 76.85, ["ALT", "ALM", "AUE", "BOS", "MED", "NAU", "TUR", "ZHE"]),
    "AST": (51.13, 71.40, ["ALM", "BAI", "ESI", "SAR"]),
    "SHY": (42.32, 69.60, ["ABA", "FAR", "ENB", "KAR"]),
}
BOX = 0.04  # degrees per district box side (~4 km)
NATIONALITIES = ["uz"] * 45 + ["tj"] * 20 + ["kg"] * 20 + ["ru"] * 8 + ["cn"] * 3 + ["az", "tm"] * 2
FIRST = [f"f{i}" for i in range(120)]
LAST = [f"l{i}" for i in range(200)]
DK, REFUSE = "98", "99"
NUMERIC = ["d/income_kzt", "d/household_size", "d/remit_share"]
LIKERT = [f"e/sat_{i}" for i in range(6)]


def _zipf(rng: random.Random, items: list[str]) -> str:
    # Name frequencies are uneven (Zipf): the commonest full name is ~1% of respondents.
    return rng.choices(items, cum_weights=_cumulative(len(items)))[0]


def _cumulative(n: int) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-0.8
        out.append(total)
    return out


def _hash(text: str) -> str:
    return hashlib.sha256(f"salt:{text}".encode()).hexdigest()[:20]


def districts() -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for city, (lat, lon, names) in CITIES.items():
        for k, name in enumerate(names):
            row, col = divmod(k, 4)
            lat0, lon0 = lat + row * BOX, lon + col * BOX
            boxes[f"KZ-{city}-{name}"] = (lat0, lat0 + BOX, lon0, lon0 + BOX)
    return boxes


def _polygon(box: tuple[float, float, float, float]) -> dict[str, Any]:
    lat0, lat1, lon0, lon1 = box
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


class World:
    """The generator: people, enumerators, teams, and the truth about what was planted."""

    def __init__(self, n: int, rounds: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n, self.rounds = n, rounds
        self.boxes = districts()
        self.teams = {
            "ALA-1": ("ALA", (time(14), time(22))),
            "ALA-2": ("ALA", (time(9), time(18))),
            "AST-1": ("AST", (time(9), time(18))),
            "SHY-1": ("SHY", (time(14), time(22))),
        }
        names = list(self.teams)
        self.enumerators = {f"enum{i:02d}": names[i % len(names)] for i in range(20)}
        self.questions = self._questions()
        self.truth: dict[str, set[Any]] = defaultdict(set)
        self.next_id = 1

    def _questions(self) -> list[tuple[str, list[str], list[float]]]:
        rng, out = self.rng, []
        for i in range(56):
            options = [str(c) for c in range(1, rng.randint(2, 7))]
            weights = [rng.random() ** 2 + 0.02 for _ in options]
            out.append((f"{'bcde'[i % 4]}/q{i:02d}", options, weights))
        return out

    def round_dates(self, round_id: int) -> tuple[date, date]:
        first = date(2023, 1, 10) + timedelta(days=120 * (round_id - 1))
        return first, first + timedelta(days=59)

    def person(self) -> dict[str, Any]:
        rng = self.rng
        sex = "male" if rng.random() < 0.7 else "female"
        return {
            "sex": sex,
            "age": min(60, 18 + int(rng.gammavariate(2.2, 6))),
            "nationality": rng.choice(NATIONALITIES),
            "arrival": date(2016, 1, 1) + timedelta(days=rng.randrange(2900)),
            "phone": _hash(f"phone{rng.random()}") if rng.random() < 0.8 else None,
            "name": _hash(f"{_zipf(rng, FIRST)} {_zipf(rng, LAST)} {sex}")
            if rng.random() < 0.92
            else None,
        }

    def interview(self, round_id: int, person: dict[str, Any], enumerator: str) -> Interview:
        rng = self.rng
        team = self.enumerators[enumerator]
        city, (open_at, close_at) = self.teams[team]
        location = rng.choice([c for c in self.boxes if c.startswith(f"KZ-{city}-")])
        lat0, lat1, lon0, lon1 = self.boxes[location]
        first, _ = self.round_dates(round_id)
        day = first + timedelta(days=rng.randrange(60))
        minutes = max(16.0, rng.lognormvariate(3.7, 0.3))
        latest = (close_at.hour - open_at.hour) * 60 - minutes - 5
        begin = datetime.combine(day, open_at, ALMATY) + timedelta(
            minutes=rng.uniform(0, max(latest, 1))
        )
        end = begin + timedelta(minutes=minutes)
        answers = self._answers(person)
        iv = Interview(
            id=self.next_id,
            kobo_id=100_000 + self.next_id,
            root_uuid=f"uuid:r{self.next_id}",
            instance_id=f"uuid:i{self.next_id}",
            form_id=round_id,
            round_id=round_id,
            enumerator=enumerator,
            team=team,
            location=location,
            sex=person["sex"],
            age=person["age"],
            nationality=person["nationality"],
            arrival_date=person["arrival"],
            start=begin,
            end=end,
            submitted=(end + timedelta(hours=rng.uniform(0.1, 72))).astimezone(UTC),
            gps=(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1), 800.0, rng.uniform(3, 40)),
            phone_hash=person["phone"],
            name_hash=person["name"],
            answers=answers,
            answered=len(answers),
        )
        self.next_id += 1
        return iv

    def _answers(self, person: dict[str, Any]) -> dict[str, str]:
        rng = self.rng
        answers = {"start": "x", "end": "x", "meta/instanceID": "x"}
        employed = rng.random() < 0.8
        for key, options, weights in self.questions:
            if key.startswith("d/") and not employed:
                continue  # skip logic: employment questions only for the employed
            roll = rng.random()
            answers[key] = (
                DK if roll < 0.02 else REFUSE if roll < 0.03 else rng.choices(options, weights)[0]
            )
        if employed:
            answers["d/income_kzt"] = str(round(rng.lognormvariate(12.0, 0.35), -3))
            answers["d/remit_share"] = str(rng.randint(0, 80))
        answers["d/household_size"] = str(max(1, int(rng.gauss(4, 1.5))))
        likert = rng.choices("12345", k=len(LIKERT))
        answers.update(zip(LIKERT, likert, strict=True))
        return {k: v for k, v in answers.items() if k not in ("start", "end", "meta/instanceID")}

    def build(self) -> list[Interview]:
        rng, per_round = self.rng, self.n // self.rounds
        out: list[Interview] = []
        for round_id in range(1, self.rounds + 1):
            people: list[tuple[dict[str, Any], Interview]] = []
            for _ in range(per_round):
                person = self.person()
                iv = self.interview(round_id, person, rng.choice(list(self.enumerators)))
                iv = self._plant(iv)
                people.append((person, iv))
                out.append(iv)
                if rng.random() < 0.02:
                    out.append(self._repeat(round_id, person, iv))
                if rng.random() < 0.01:
                    out.append(self._copy(iv))
        return out

    def _plant(self, iv: Interview) -> Interview:
        rng, roll = self.rng, self.rng.random()
        if iv.start is None or iv.end is None:
            return iv
        if roll < 0.02:
            self.truth["too_short"].add(iv.id)
            return replace(iv, end=iv.start + timedelta(minutes=rng.uniform(3, 10)))
        if roll < 0.04:
            night = iv.start.replace(hour=23, minute=rng.randrange(50))
            self.truth["outside_hours"].add(iv.id)
            moved = night - iv.start
            return replace(iv, start=night, end=iv.end + moved, submitted=iv.submitted + moved)
        if roll < 0.06 and iv.gps is not None:
            self.truth["gps_outside"].add(iv.id)
            return replace(iv, gps=(iv.gps[0] + 0.5, iv.gps[1] + 0.5, None, 10.0))
        if roll < 0.065 and "d/income_kzt" in iv.answers:
            self.truth["outlier"].add(iv.id)
            answers = dict(iv.answers) | {"d/income_kzt": "9000000"}
            return replace(iv, answers=answers)
        return iv

    def _repeat(self, round_id: int, person: dict[str, Any], first: Interview) -> Interview:
        """The same respondent met again through snowball sampling, elsewhere, by someone else."""
        rng = self.rng
        again = dict(person)
        if rng.random() < 0.4:
            again["age"] = person["age"] + rng.choice((-1, 1))
        if rng.random() < 0.6:
            again["arrival"] = person["arrival"] + timedelta(days=rng.randint(-5, 5))
        if rng.random() < 0.4:  # new SIM card or no number given this time
            again["phone"] = _hash(f"phone{rng.random()}") if rng.random() < 0.6 else None
        if again["name"] and rng.random() < 0.05:
            again["name"] = None  # declined to give a name this time
        others = [e for e in self.enumerators if e != first.enumerator]
        iv = self.interview(round_id, again, rng.choice(others))
        self.truth["repeat"].add(frozenset((first.id, iv.id)))
        return iv

    def _copy(self, source: Interview) -> Interview:
        """A fabricated interview: an enumerator's own interview copied with a few changes."""
        rng = self.rng
        copy = self.interview(source.round_id, self.person(), source.enumerator or "enum00")
        answers = dict(source.answers)
        for key in rng.sample(sorted(answers), rng.randint(1, 2)):
            answers[key] = "5" if answers[key] != "5" else "4"
        copy = replace(
            copy,
            answers=answers,
            answered=len(answers),
            sex=source.sex,
            age=source.age,
            nationality=source.nationality,
            arrival_date=source.arrival_date,
        )
        self.truth["copy"].add(frozenset((source.id, copy.id)))
        return copy

    def context(self) -> CheckContext:
        return CheckContext(
            fieldwork_start=date(2023, 1, 10),
            fieldwork_end=self.round_dates(self.rounds)[1],
            now=datetime(2025, 1, 1, tzinfo=UTC),
            working_hours={team: hours for team, (_, hours) in self.teams.items()},
            timezone=ALMATY,
            boundaries={code: _polygon(box) for code, box in self.boxes.items()},
            centroids={},
            numeric_questions=NUMERIC,
            dk_values=frozenset({DK}),
            refuse_values=frozenset({REFUSE}),
            straightline_blocks=[LIKERT],
            params={},
        )


def _pairs(findings: list[Finding], code: str, key: str) -> set[frozenset[int]]:
    pairs = set()
    for f in findings:
        if f.code == code:
            for other in f.values[key]:
                pairs.add(frozenset((f.interview_id, other["id"] if key == "matches" else other)))
    return pairs


def _report(name: str, found: set[Any], truth: set[Any], accepted: set[Any]) -> None:
    hits = len(found & truth)
    recall = hits / len(truth) if truth else float("nan")
    precision = len(found & accepted) / len(found) if found else float("nan")
    print(
        f"{name:<22} planted {len(truth):>6}  flagged {len(found):>6}  "
        f"recall {recall:.3f}  precision {precision:.3f}"
    )


def _share_identifier(pair: frozenset[int], by_id: dict[int, Interview]) -> bool:
    a, b = (by_id[i] for i in pair)
    return bool(
        (a.phone_hash and a.phone_hash == b.phone_hash)
        or (a.name_hash and a.name_hash == b.name_hash)
    )


def _threshold_curve(interviews: list[Interview], ctx: CheckContext, truth: dict[str, Any]) -> None:
    """Recall/precision of duplicate.respondent at other min_score settings (one run)."""
    low = replace(
        ctx,
        params={"duplicate.respondent": {"min_score": 0.05}},
        enabled=frozenset({"duplicate.respondent"}),
    )
    scored: dict[frozenset[int], float] = {}
    for f in run_checks(interviews, low):
        if f.code == "duplicate.respondent":
            for m in f.values["matches"]:
                scored[frozenset((f.interview_id, m["id"]))] = m["score"]
    for threshold in (0.1, 0.2, 0.3, 0.5, 0.7, 0.9):
        found = {pair for pair, score in scored.items() if score >= threshold}
        accepted = truth["repeat"] | truth["copy"]
        _report(f"  min_score {threshold:.1f}", found, truth["repeat"], accepted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = clock.perf_counter()
    world = World(args.n, args.rounds, args.seed)
    interviews = world.build()
    ctx = world.context()
    print(f"built {len(interviews)} interviews in {clock.perf_counter() - started:.1f} s")
    for check in CHECKS:
        t0 = clock.perf_counter()
        count = sum(1 for _ in check.run(interviews, ctx))
        print(
            f"  {type(check).__name__:<22} {clock.perf_counter() - t0:6.2f} s  {count:>7} findings"
        )
    t0 = clock.perf_counter()
    findings = run_checks(interviews, ctx)
    elapsed = clock.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"run_checks: {len(findings)} findings in {elapsed:.1f} s; peak RSS {peak_mb:.0f} MB")
    by_code: dict[str, int] = defaultdict(int)
    for f in findings:
        by_code[f.code] += 1
    for code, count in sorted(by_code.items()):
        print(f"  {code:<34} {count:>7}")
    truth = world.truth
    repeats = _pairs(findings, "duplicate.respondent", "matches")
    _report("repeat respondents", repeats, truth["repeat"], truth["repeat"] | truth["copy"])
    by_id = {iv.id: iv for iv in interviews}
    identified = {pair for pair in truth["repeat"] if _share_identifier(pair, by_id)}
    _report("  sharing phone/name", repeats & identified, identified, truth["repeat"])
    _threshold_curve(interviews, ctx, truth)
    copies = _pairs(findings, "fabrication.near_duplicate", "other_ids")
    _report("near-duplicates", copies, truth["copy"], truth["copy"])
    for code, planted in (
        ("duration.too_short", "too_short"),
        ("timing.outside_hours", "outside_hours"),
        ("gps.outside_district", "gps_outside"),
        ("outlier.value", "outlier"),
    ):
        flagged = {f.interview_id for f in findings if f.code == code}
        _report(code, flagged, truth[planted], truth[planted])
    t0 = clock.perf_counter()
    some = {iv.id for iv in interviews[-200:]}
    run_checks(interviews, ctx, only_ids=some)
    print(f"incremental (200 new of {len(interviews)}): {clock.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
