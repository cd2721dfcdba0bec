"""Seeded synthetic KoBo submissions for any XLSForm, read from pyxform's survey tree.

Independent of validation.xlsform: it knows the question types, choice lists and simple
numeric bounds, nothing of the skip logic. Every question is answered with some
probability, so the submissions carry all three planted violations the differential test
needs — answers to questions that are not relevant, relevant required questions left
empty, and answers outside their constraints (out-of-range numbers, future dates, text
that fails a regex) — next to plausible valid answers.
"""

import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

# The harness runs Node in this zone (see enketo.py): all interviews are in +06:00.
INTERVIEW_TZ = timezone(timedelta(hours=6))
NODE_TZ = "Etc/GMT-6"
META = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
        "username", "email", "audit", "start-geopoint", "background-audio"}  # fmt: skip
WORDS = ["Aigerim", "Bakyt", "Dilnoza", "Farrukh", "Gulnara", "Jamshid", "Nodir", "Saule",
         "Timur", "Zarina", "ok", "n/a", "other", "shop", "market", "yes"]  # fmt: skip
BOUND = re.compile(r"\.\s*(<=|<|>=|>)\s*(-?\d+(?:\.\d+)?)")
LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")
SIMPLE_REF = re.compile(r"^\s*\$\{(\w[\w.-]*)\}\s*$")
EQUALS = re.compile(r"\$\{([\w.-]+)\}\s*=\s*'([^']*)'|selected\(\s*\$\{([\w.-]+)\}\s*,\s*'([^']*)'")


@dataclass(frozen=True)
class Synthetic:
    """One generated interview: the KoBo JSON and the interview time both engines use."""

    index: int
    data: dict[str, Any]
    now: datetime


def submissions(
    tree: dict[str, Any], n: int, seed: int, version: str = "v1"
) -> Iterator[Synthetic]:
    """n reproducible submissions of the form: the same (tree, seed) gives the same data."""
    choices: dict[str, list[dict[str, Any]]] = tree.get("choices", {})
    favoured = _favoured(tree)
    for index in range(n):
        rng = random.Random(f"{seed}:{index}")
        yield _Interview(rng, choices, favoured, index, version).build(tree)


def _favoured(tree: dict[str, Any]) -> dict[str, list[str]]:
    """Choice values the form's logic tests for (`${q} = 'x'`, `selected(${q}, 'x')`).

    Picking them more often than chance opens the gated sections (consent, eligibility),
    so the interviews reach deep questions instead of failing at the first gate.
    """
    found: dict[str, list[str]] = {}

    def walk(node: dict[str, Any]) -> None:
        for child in node.get("children", []):
            for text in child.get("bind", {}).values():
                for a, b, c, d in EQUALS.findall(text if isinstance(text, str) else ""):
                    found.setdefault(a or c, []).append(b or d)
            walk(child)

    walk(tree)
    return found


class _Interview:
    def __init__(
        self,
        rng: random.Random,
        choices: dict[str, list[dict[str, Any]]],
        favoured: dict[str, list[str]],
        index: int,
        version: str,
    ) -> None:
        self.rng = rng
        self.choices = choices
        self.favoured = favoured
        self.skip_rate = rng.choice([0.0, 0.05, 0.2])
        self.index = index
        self.version = version
        # Careful and sloppy enumerators: how often a question gets an answer at all.
        self.answer_rate = rng.choice([0.97, 0.9, 0.75])
        self.violation_rate = rng.choice([0.0, 0.03, 0.1])
        self.carry_calculates = rng.random() < 0.5
        day = datetime(2024, 1, 15, tzinfo=INTERVIEW_TZ) + timedelta(days=rng.randrange(200))
        self.now = day.replace(hour=rng.randrange(8, 20), minute=rng.randrange(60))
        self.numbers: dict[str, int] = {}

    def build(self, tree: dict[str, Any]) -> Synthetic:
        data: dict[str, Any] = {}
        self._fill(tree.get("children", []), "", data)
        start = self.now - timedelta(minutes=self.rng.randrange(10, 60))
        instance_id = f"uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
        data.update(
            {
                "start": _iso(start),
                "end": _iso(self.now),
                "__version__": self.version,
                "meta/instanceID": instance_id,
                "_id": 100000 + self.index,
                "_uuid": instance_id.removeprefix("uuid:"),
                "_submission_time": self.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )
        return Synthetic(self.index, data, self.now)

    def _fill(self, children: list[dict[str, Any]], prefix: str, out: dict[str, Any]) -> None:
        for child in children:
            kind, name = child.get("type", ""), child["name"]
            key = f"{prefix}{name}"
            # A whole section left out (as Collect leaves a skipped group) is common too.
            skipped = self.rng.random() < self.skip_rate
            if kind == "group":
                if name != "meta" and not skipped:
                    self._fill(child.get("children", []), f"{key}/", out)
            elif kind == "repeat":
                items = []
                for _ in range(self._repeat_count(child)):
                    item: dict[str, Any] = {}
                    if self.rng.random() >= self.skip_rate:
                        self._fill(child.get("children", []), f"{key}/", item)
                    items.append(item)
                if items:
                    out[key] = items
            elif kind not in META:
                value = self._value(child)
                if value is not None:
                    out[key] = value

    def _repeat_count(self, repeat: dict[str, Any]) -> int:
        count = repeat.get("control", {}).get("jr:count", "")
        ref = SIMPLE_REF.match(count) if isinstance(count, str) else None
        # Mostly as many instances as the count question says (capped), else 0..4.
        if ref and ref.group(1) in self.numbers and self.rng.random() < 0.8:
            return max(0, min(self.numbers[ref.group(1)], 4))
        return self.rng.randrange(5)

    def _value(self, q: dict[str, Any]) -> str | None:
        kind = q.get("type", "")
        bind = q.get("bind", {})
        if kind == "calculate" or "calculate" in bind:
            return self._calculate(bind.get("calculate", "")) if self.carry_calculates else None
        if kind == "note":
            return self.rng.choice(WORDS) if self.rng.random() < 0.02 else None
        if self.rng.random() > self.answer_rate:
            return None
        broken = self.rng.random() < self.violation_rate
        value = self._answer(q, kind, bind, broken)
        if value is not None and kind == "integer":
            self.numbers[q["name"]] = int(value)
        return value

    def _answer(
        self, q: dict[str, Any], kind: str, bind: dict[str, Any], broken: bool
    ) -> str | None:
        rng = self.rng
        if kind in ("select one", "select all that apply"):
            names = [str(c["name"]) for c in self.choices.get(q.get("list_name", ""), [])]
            if not names:
                return rng.choice(WORDS)
            liked = [v for v in self.favoured.get(q["name"], []) if v in names]
            if kind == "select one":
                return rng.choice(liked) if liked and rng.random() < 0.85 else rng.choice(names)
            picked = set(rng.sample(names, rng.randint(1, min(3, len(names)))))
            if liked and rng.random() < 0.5:
                picked.add(rng.choice(liked))
            return " ".join(n for n in names if n in picked)
        if kind in ("integer", "decimal", "range"):
            return self._number(kind, str(bind.get("constraint", "")), broken)
        if kind == "date":
            days = -rng.randrange(1, 40) if broken else rng.randrange(0, 3650)
            return (self.now.date() - timedelta(days=days)).isoformat()
        if kind == "datetime":
            return _iso(self.now - timedelta(minutes=rng.randrange(0, 100000)))
        if kind == "time":
            return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00.000+06:00"
        if kind == "geopoint":
            return f"{43 + rng.random():.6f} {76 + rng.random():.6f} {rng.randrange(500, 900)} 5.0"
        if kind == "acknowledge":
            return "OK"
        if kind in ("text", "barcode", "hidden"):
            if rng.random() < 0.3:
                return "+7" + "".join(
                    str(rng.randrange(10)) for _ in range(rng.choice([6, 10, 11]))
                )
            if rng.random() < 0.2:
                return f"{rng.randrange(1, 13):02d}/{rng.randrange(1990, 2025)}"
            return rng.choice(WORDS)
        if kind in ("image", "audio", "video", "file"):
            return f"{rng.choice(WORDS)}.jpg"
        return rng.choice(WORDS)

    def _number(self, kind: str, constraint: str, broken: bool) -> str:
        low, high = 0.0, 12.0
        for op, bound in BOUND.findall(constraint):
            if op.startswith(">"):
                low = float(bound) + (1 if op == ">" else 0)
            else:
                high = float(bound) - (1 if op == "<" else 0)
        if high < low:
            low, high = high, low
        if high - low > 120:
            low = max(low, high - 120)
        value = self.rng.uniform(low, high)
        if broken:
            value = high + self.rng.randint(1, 30) if self.rng.random() < 0.5 else low - 1
        if kind == "integer":
            return str(round(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")

    def _calculate(self, expression: str) -> str | None:
        # A carried calculate: a plausible stored value (one of the expression's string
        # literals, a date, or a small number); both engines must use it as submitted.
        literals = [a or b for a, b in LITERAL.findall(expression) if (a or b).strip()]
        roll = self.rng.random()
        if roll < 0.1:
            return None
        if literals and roll < 0.7:
            return self.rng.choice(literals)
        if "today()" in expression or "now()" in expression:
            return _date(self.now.date())
        return str(self.rng.randrange(6))


def _iso(moment: datetime) -> str:
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if moment.utcoffset() == timedelta(0) else text


def _date(day: date) -> str:
    return day.isoformat()
