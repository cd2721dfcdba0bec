"""Mongo filters and sorts as KPI builds and Mongo evaluates them for /data/.

`prepare` is kpi/utils/mongo_helper.py `to_safe_dict(reading=True)` (:248-324): a `$key` not in
KEY_WHITELIST (:46-64) and any key with a dot become base64-encoded *field names* (`$eq` →
`JA==eq`, `a.b` → `aLg==b`), except dotted paths under `_validation_status` (:295-319,
kpi/constants.py:84-86); an `_id` scalar is passed through int() (:288-293). `matches` then
evaluates the prepared filter with Mongo's semantics on this fake's documents.
"""

import re
from collections.abc import Callable
from typing import Any

from demo.kobo_fake.errors import KpiServerError

ALLOWED_OPERATORS = frozenset(
    {
        "$or",
        "$and",
        "$in",
        "$nin",
        "$not",
        "$exists",
        "$gt",
        "$gte",
        "$lt",
        "$lte",
        "$regex",
        "$options",
        "$all",
        "$elemMatch",
        "$ne",
        "$expr",
        "$ifNull",
    }
)
_MISSING: Any = object()
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_DOLLAR, _DOT = "JA==", "Lg=="  # base64 of "$" and "." (mongo_helper.py:66-69)


class UnsupportedQueryError(Exception):
    """Mongo raises OperationFailure on this filter.

    Mongo raises OperationFailure; KPI answers 400 `["Unsupported query"]`, or the message itself
    for "$all needs an array" (kpi/views/v2/data.py:483-489).
    """

    def __init__(self, message: str = "Unsupported query") -> None:
        super().__init__(message)
        self.message = message


class NotEmulatedError(Exception):
    """Valid for Mongo but not evaluated by this fake (`$expr`): refused honestly (501)."""


def encode_key(key: str) -> str:
    return re.sub(r"\.", _DOT, re.sub(r"^\$", _DOLLAR, key))


def _safe_key(key: str) -> str:
    if key.startswith("_validation_status."):
        return key
    if key not in ALLOWED_OPERATORS and (key.startswith("$") or "." in key):
        return encode_key(key)
    return key


def prepare(value: Any) -> dict[str, Any]:
    """The filter KPI sends to Mongo; a non-object is an AttributeError in KPI → 500."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise KpiServerError("query.update() on a non-dict")  # mongo_helper.py:397-400
    return _safe_dict(value)


def _safe_dict(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        if isinstance(value, list):
            value = [_safe_dict(e) if isinstance(e, dict) else e for e in value]
        elif isinstance(value, dict):
            value = _safe_dict(value)
        elif key == "_id":
            try:
                value = int(value)
            except ValueError:
                pass  # not an int: compared as given
            except TypeError:
                raise KpiServerError("int(None) on _id") from None  # only ValueError is caught
        out[_safe_key(key)] = value
    return out


def prepare_sort(value: Any) -> list[tuple[str, int]]:
    """Prepare a sort spec as KPI does.

    mongo_helper.py:157-160: keys made safe, every direction through int(); Mongo then rejects
    anything but 1/-1 while the response streams (uncaught → 500).
    """
    if not value:
        return [("_id", 1)]  # openrosa_backend.py:1527-1529
    if not isinstance(value, dict):
        raise KpiServerError("sort is not an object")
    spec: list[tuple[str, int]] = []
    for key, direction in _safe_dict(value).items():
        try:
            number = int(direction)
        except (TypeError, ValueError):
            raise KpiServerError("sort direction is not an integer") from None
        if number not in (1, -1):
            raise KpiServerError("$sort key ordering must be 1 or -1")
        spec.append((key, number))
    return spec


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    """Does a document match a *prepared* filter."""
    for key, condition in query.items():
        if key in ("$or", "$and"):
            if not isinstance(condition, list) or not condition:
                raise UnsupportedQueryError
            branches = (matches(doc, _as_query(q)) for q in condition)
            if not (any(branches) if key == "$or" else all(branches)):
                return False
        elif key == "$expr":
            raise NotEmulatedError("$expr")
        elif key.startswith("$"):
            raise UnsupportedQueryError  # e.g. a top-level $in: "unknown top level operator"
        elif not field_matches(_lookup(doc, key), condition):
            return False
    return True


def _as_query(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnsupportedQueryError
    return value


def _lookup(doc: dict[str, Any], key: str) -> Any:
    if key in doc:
        return doc[key]
    if not key.startswith("_validation_status."):
        return _MISSING
    value: Any = doc
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def field_matches(value: Any, condition: Any) -> bool:
    # Mongo reads a sub-document as operators when its first key starts with "$".
    if not (isinstance(condition, dict) and condition and next(iter(condition)).startswith("$")):
        return _equals(value, condition)
    for op, arg in condition.items():
        if op not in ALLOWED_OPERATORS:
            raise UnsupportedQueryError  # "unknown operator: JA==eq"
        if not _operator(value, op, arg, condition):
            return False
    return True


def _operator(value: Any, op: str, arg: Any, condition: dict[str, Any]) -> bool:
    if op in _COMPARE:
        return any(_compare(v, arg, _COMPARE[op]) for v in _values(value))
    if op in ("$in", "$nin"):
        if not isinstance(arg, list):
            raise UnsupportedQueryError  # "$in needs an array"
        found = any(_equals(value, item) for item in arg)
        return found if op == "$in" else not found
    if op == "$ne":
        return not _equals(value, arg)
    if op == "$exists":
        return bool(arg) == (value is not _MISSING)
    if op == "$regex":
        return _regex(value, arg, condition.get("$options", ""))
    if op == "$options":
        if "$regex" not in condition:
            raise UnsupportedQueryError
        return True
    if op == "$not":
        if not (isinstance(arg, dict) and arg):
            raise UnsupportedQueryError
        return not field_matches(value, arg)
    if op == "$all":
        if not isinstance(arg, list):
            raise UnsupportedQueryError("$all needs an array")
        return all(_equals(value, item) for item in arg)
    if op == "$elemMatch":
        if not isinstance(arg, dict):
            raise UnsupportedQueryError
        if not isinstance(value, list):
            return False
        if arg and next(iter(arg)).startswith("$"):
            return any(field_matches(item, arg) for item in value)
        return any(isinstance(item, dict) and matches(item, arg) for item in value)
    raise UnsupportedQueryError  # $expr/$ifNull inside a field: "unknown operator"


def _values(value: Any) -> list[Any]:
    if value is _MISSING:
        return []
    return value if isinstance(value, list) else [value]


def _equals(value: Any, expected: Any) -> bool:
    if value is _MISSING:
        return expected is None
    if value == expected and type(value) is type(expected):
        return True
    if isinstance(value, list) and not isinstance(expected, list):
        return any(_equals(item, expected) for item in value)
    return _is_number(value) and _is_number(expected) and value == expected


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(value: Any, arg: Any, op: Callable[[Any, Any], bool]) -> bool:
    # BSON compares within a type class: "34" > 5 is simply false, not an error.
    if _is_number(value) and _is_number(arg):
        return op(value, arg)
    if isinstance(value, str) and isinstance(arg, str):
        return op(value, arg)
    return False


def _regex(value: Any, pattern: Any, options: Any) -> bool:
    if not isinstance(pattern, str) or not isinstance(options, str):
        raise UnsupportedQueryError
    flags = 0
    for letter in options:
        flags |= _REGEX_FLAGS.get(letter, 0)
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        raise UnsupportedQueryError from None
    return any(isinstance(v, str) and compiled.search(v) for v in _values(value))


def sort_keys(
    keys: list[int], docs: dict[int, dict[str, Any]], spec: list[tuple[str, int]]
) -> list[int]:
    """Order storage keys by a prepared sort; `_id` ascending is insertion order."""
    if not spec or spec == [("_id", 1)]:
        return keys
    if spec == [("_id", -1)]:
        return keys[::-1]
    ordered = list(keys)
    for name, direction in reversed(spec):

        def by_field(key: int, name: str = name) -> tuple[int, Any]:
            return _sort_key(_lookup(docs[key], name))

        ordered.sort(key=by_field, reverse=direction == -1)
    return ordered


def _sort_key(value: Any) -> tuple[int, Any]:
    # Mongo's BSON order: null/missing < numbers < strings < objects/arrays.
    if value is None or value is _MISSING:
        return (0, 0)
    if _is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, repr(value))
