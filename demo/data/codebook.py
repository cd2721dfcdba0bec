"""A round's codebook: the answer bands that move between rounds, and the published shares.

Bands (income, remittance share, time away, work experience) are printed differently by each
round's report (mtm-instrument-and-figures.md §3), so they live in one JSON file per round
(codebooks/r<N>.json), not in code. The same file holds the round's published shares per
question, which the demo data generator draws from.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "codebooks"
LANGUAGES = ("en", "ru", "kk")
# The lists a codebook must give: the form's select questions name them.
BAND_LISTS = ("income", "remit_share", "time_away", "experience")
_INTERVAL = re.compile(r"^([\[(])\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*([\])])$")


class CodebookError(ValueError):
    """A codebook file that cannot be used, with the file and the entry named."""


@dataclass(frozen=True)
class Interval:
    """A band of per cent: low/high with open or closed ends, as printed."""

    low: float
    high: float
    low_open: bool
    high_open: bool

    def xpath(self, node: str = ".") -> str:
        low = f"{node} {'>' if self.low_open else '>='} {_num(self.low)}"
        high = f"{node} {'<' if self.high_open else '<='} {_num(self.high)}"
        return f"{low} and {high}"


@dataclass(frozen=True)
class Choice:
    name: str
    labels: tuple[str, str, str]  # en, ru, kk
    interval: Interval | None = None
    days: tuple[int, int] | None = None  # time-away bands: the days they cover


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: loaded once per round
class Codebook:
    round: int
    form_id: str
    title: str
    versions: dict[str, str]
    lists: dict[str, list[Choice]]
    shares: dict[str, dict[str, float]] = field(default_factory=dict)

    def choice(self, list_name: str, name: str) -> Choice:
        for item in self.lists[list_name]:
            if item.name == name:
                return item
        raise KeyError(f"{list_name}.{name}")


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def parse_interval(text: str) -> Interval:
    """'(50,100]' -> more than 50 up to 100 inclusive."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise CodebookError(f"interval {text!r} is not like '[10,25)' or '(50,100]'")
    left, low, high, right = match.groups()
    if float(low) >= float(high):
        raise CodebookError(f"interval {text!r}: the low end must be below the high end")
    return Interval(float(low), float(high), left == "(", right == ")")


def _choice(path: Path, list_name: str, raw: dict[str, Any]) -> Choice:
    where = f"{path.name}: lists.{list_name}.{raw.get('name', '?')}"
    label = raw.get("label") or {}
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        raise CodebookError(f"{where}: every choice needs a name")
    missing = [lang for lang in LANGUAGES if not str(label.get(lang, "")).strip()]
    if missing:
        raise CodebookError(f"{where}: label missing in {', '.join(missing)}")
    try:
        interval = parse_interval(raw["interval"]) if "interval" in raw else None
    except CodebookError as exc:
        raise CodebookError(f"{where}: {exc}") from None
    days = raw.get("days")
    if days is not None and not (
        isinstance(days, list) and len(days) == 2 and 0 <= days[0] <= days[1]
    ):
        raise CodebookError(f"{where}: days must be [first, last] with first <= last")
    return Choice(
        raw["name"],
        (label["en"], label["ru"], label["kk"]),
        interval,
        (int(days[0]), int(days[1])) if days else None,
    )


def read_codebook(path: Path) -> Codebook:
    """Parse and check one codebook file; every problem names the file and the entry."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CodebookError(f"{path.name}: cannot read the codebook ({exc})") from None
    lists: dict[str, list[Choice]] = {}
    for list_name in BAND_LISTS:
        items = raw.get("lists", {}).get(list_name)
        if not items:
            raise CodebookError(f"{path.name}: lists.{list_name} is missing or empty")
        lists[list_name] = [_choice(path, list_name, item) for item in items]
        names = [c.name for c in lists[list_name]]
        if len(set(names)) != len(names):
            raise CodebookError(f"{path.name}: lists.{list_name} repeats a choice name")
    if not all(c.interval for c in lists["remit_share"]):
        raise CodebookError(f"{path.name}: every remit_share band needs an interval")
    if not all(c.days for c in lists["time_away"]):
        raise CodebookError(f"{path.name}: every time_away band needs days")
    shares: dict[str, dict[str, float]] = {}
    for question, weights in (raw.get("shares") or {}).items():
        if not isinstance(weights, dict) or not all(
            isinstance(v, int | float) and v >= 0 for v in weights.values()
        ):
            raise CodebookError(f"{path.name}: shares.{question} must map choices to numbers >= 0")
        shares[question] = {str(k): float(v) for k, v in weights.items()}
    versions = raw.get("versions") or {}
    if "v2" not in versions:
        raise CodebookError(f"{path.name}: versions.v2 (the current form version) is missing")
    return Codebook(
        round=int(raw["round"]),
        form_id=str(raw["form_id"]),
        title=str(raw["title"]),
        versions=dict(versions),
        lists=lists,
        shares=shares,
    )


def available_rounds() -> list[int]:
    return sorted(int(p.stem[1:]) for p in HERE.glob("r*.json") if p.stem[1:].isdigit())


@cache
def load_codebook(round_number: int = 3) -> Codebook:
    path = HERE / f"r{round_number}.json"
    if not path.exists():
        known = ", ".join(str(n) for n in available_rounds())
        raise CodebookError(f"No codebook for round {round_number}; known rounds: {known}.")
    return read_codebook(path)
