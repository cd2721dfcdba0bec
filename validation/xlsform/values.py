"""XPath 1.0 values as JavaRosa sees them: conversions, comparisons, arithmetic, dates."""

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from validation.xlsform.model import Element

Idx: TypeAlias = tuple[int, ...]
Node: TypeAlias = "tuple[Element, Idx]"


class NodeSet:
    """Nodes in document order; their string values are read on first use (count() needs none)."""

    __slots__ = ("_read", "_strings", "nodes")

    def __init__(
        self,
        nodes: "list[Node]",
        strings: list[str] | None = None,
        read: "Callable[[list[Node]], list[str]] | None" = None,
    ) -> None:
        self.nodes = nodes
        self._strings = strings
        self._read = read

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = self._read(self.nodes) if self._read is not None else []
        return self._strings

    def __repr__(self) -> str:
        return f"NodeSet({self.strings!r})"


Value: TypeAlias = str | float | bool | dt.date | dt.datetime | NodeSet

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - wall-clock arithmetic, see days()
# ASCII digits only, as JavaRosa's toNumeric and JavaScript's Number(): '٣' is not 3.
_NUMBER = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
NAN = math.nan


def parse_date(text: str) -> dt.date | None:
    if len(text) != 10 or not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> dt.datetime | None:
    """ISO 8601 date-time as ODK writes it (`2024-02-01T10:02:11.204+05:00`)."""
    if not _DATETIME.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


def parse_temporal(text: str) -> dt.date | dt.datetime | None:
    text = text.strip()
    return parse_date(text) or parse_datetime(text)


def days(value: dt.date | dt.datetime) -> float:
    """Days since 1970-01-01 on the value's own wall clock.

    JavaRosa's DateUtils.fractionalDaysSinceEpoch adds the local offset, so an interview's
    local midnight is a whole number and `today() - date(x)` counts calendar days.
    """
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    return float(value.toordinal() - _EPOCH_ORDINAL)


# date.min and date.max in days since 1970-01-01, a day inside each end so zone shifts fit.
_MIN_DAYS, _MAX_DAYS = -719_161, 2_932_895


def days_in_range(number: float) -> bool:
    """True when `number` days after the epoch is a date Python can hold (never NaN or inf)."""
    return _MIN_DAYS < number < _MAX_DAYS


def from_days(number: float) -> dt.date:
    return dt.date.fromordinal(math.floor(number) + _EPOCH_ORDINAL)


def string_number(text: str) -> float:
    """number() of a string: ASCII decimal, or days since the epoch for a date, else NaN."""
    if _NUMBER.match(text):
        return float(text)
    if text and text[0].isdigit():
        temporal = parse_temporal(text)
        if temporal is not None:
            # Enketo and JavaRosa both do date arithmetic on date strings.
            return days(temporal)
    return NAN


class NumberCache(dict[str, float]):
    """string_number remembered per text, for one form's generated passes.

    Answers a form compares as numbers repeat across submissions ('1', '18', a date), and a
    hit is one dict lookup (cache[text]) where string_number matches a regex and parses.
    Holds at most MAX_NUMBERS texts: the oldest go all at once.
    """

    __slots__ = ()

    def __missing__(self, text: str) -> float:
        if len(self) >= MAX_NUMBERS:
            self.clear()
        number = self[text] = string_number(text)
        return number


MAX_NUMBERS = 4_096


def to_number(value: Value) -> float:
    if type(value) is float:
        return value
    if isinstance(value, str):
        return string_number(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, NodeSet):
        return to_number(value.strings[0]) if value.strings else NAN
    if isinstance(value, dt.date):
        return days(value)
    return float(value)


def format_number(number: float) -> str:
    if number != number:
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def to_string(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, NodeSet):
        return value.strings[0] if value.strings else ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds")
    return value.isoformat()


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return bool(value)
    if isinstance(value, float):
        return value == value and value != 0
    if isinstance(value, NodeSet):
        return bool(value.nodes)
    return True


def to_temporal(value: Value) -> dt.date | dt.datetime | None:
    """A date or date-time from any value: dates, ISO strings, or days since the epoch."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, NodeSet):
        value = to_string(value)
    if isinstance(value, str):
        found = parse_temporal(value)
        if found is not None or not _NUMBER.match(value):
            return found
    number = to_number(value)
    if not days_in_range(number):
        return None
    if number == int(number):
        return from_days(number)
    return _EPOCH + dt.timedelta(days=number)


def _is_temporal_like(value: Value) -> bool:
    return isinstance(value, dt.date) or (
        isinstance(value, str) and parse_temporal(value) is not None
    )


def _scalar_equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, float) or isinstance(b, float):
        return to_number(a) == to_number(b)
    # A date against a date string compares as dates, not as text.
    if (isinstance(a, dt.date) or isinstance(b, dt.date)) and (
        _is_temporal_like(a) and _is_temporal_like(b)
    ):
        return to_number(a) == to_number(b)
    return to_string(a) == to_string(b)


def equal(a: Value, b: Value) -> bool:
    """XPath 1.0 `=`: existential over node-sets."""
    if isinstance(a, NodeSet) or isinstance(b, NodeSet):
        if isinstance(a, bool) or isinstance(b, bool):
            return to_boolean(a) == to_boolean(b)
        if isinstance(a, NodeSet) and isinstance(b, NodeSet):
            right = set(b.strings)
            return any(s in right for s in a.strings)
        ns, other = (a, b) if isinstance(a, NodeSet) else (b, a)
        assert isinstance(ns, NodeSet)  # noqa: S101 - narrowing for mypy
        return any(_scalar_equal(s, other) for s in ns.strings)
    return _scalar_equal(a, b)


def not_equal(a: Value, b: Value) -> bool:
    """XPath 1.0 `!=` is not `not(=)` on node-sets: some pair must differ."""
    if isinstance(a, NodeSet) or isinstance(b, NodeSet):
        if isinstance(a, bool) or isinstance(b, bool):
            return to_boolean(a) != to_boolean(b)
        if isinstance(a, NodeSet) and isinstance(b, NodeSet):
            return any(x != y for x in a.strings for y in b.strings)
        ns, other = (a, b) if isinstance(a, NodeSet) else (b, a)
        assert isinstance(ns, NodeSet)  # noqa: S101 - narrowing for mypy
        return any(not _scalar_equal(s, other) for s in ns.strings)
    return not _scalar_equal(a, b)


def _numbers(value: Value) -> list[float]:
    if isinstance(value, NodeSet):
        return [to_number(s) for s in value.strings]
    return [to_number(value)]


def relate(op: str, a: Value, b: Value) -> bool:
    """`<`, `<=`, `>`, `>=`: both sides as numbers (dates as days), existential on node-sets."""
    if not isinstance(a, NodeSet) and not isinstance(b, NodeSet):
        x, y = to_number(a), to_number(b)
        if op == "<":
            return x < y
        if op == "<=":
            return x <= y
        if op == ">":
            return x > y
        return x >= y
    return any(relate(op, x, y) for x in _numbers(a) for y in _numbers(b))


def arithmetic(op: str, a: Value, b: Value) -> float:
    x, y = to_number(a), to_number(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x != x or x == 0:
                return NAN
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    if y == 0 or x != x or y != y or math.isinf(x):
        return NAN
    return math.fmod(x, y)  # XPath mod truncates like Java's %, unlike Python's %
