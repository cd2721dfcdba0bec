"""Mongo-style filters and sorts as kpi applies them to /data/ (operator whitelist included)."""

import re
from collections.abc import Callable
from typing import Any

# kpi mongo_helper.py:46-64: any other `$op` is base64-encoded into a field name (kobo-api.md §3).
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


class UnsupportedQueryError(Exception):
    """Mongo would raise OperationFailure; kpi answers 400 `["Unsupported query"]` (§3)."""

    def __init__(self, message: str = "Unsupported query") -> None:
        super().__init__(message)
        self.message = message


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    for key, condition in query.items():
        if key in ("$or", "$and"):
            if not isinstance(condition, list) or not condition:
                raise UnsupportedQueryError
            branches = (matches(doc, _as_query(q)) for q in condition)
            if not (any(branches) if key == "$or" else all(branches)):
                return False
        elif key.startswith("$"):
            if key in ALLOWED_OPERATORS:
                raise UnsupportedQueryError  # e.g. a top-level $in or $expr: not in this fake
            return False  # encoded into a field name that no document has
        elif "." in key and not key.startswith("_validation_status."):
            return False  # dotted keys are encoded too, except under _validation_status
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
    if "." not in key:
        return _MISSING
    value: Any = doc
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _is_operator_dict(condition: Any) -> bool:
    return (
        isinstance(condition, dict)
        and bool(condition)
        and all(isinstance(k, str) and k.startswith("$") for k in condition)
    )


def field_matches(value: Any, condition: Any) -> bool:
    if not _is_operator_dict(condition):
        return _equals(value, condition)
    for op, arg in condition.items():
        if op not in ALLOWED_OPERATORS:
            return False  # the operator became a sub-document key: nothing equals that
        if not _operator(value, op, arg, condition):
            return False
    return True


def _operator(value: Any, op: str, arg: Any, condition: dict[str, Any]) -> bool:
    if op in _COMPARE:
        return any(_compare(v, arg, _COMPARE[op]) for v in _values(value))
    if op in ("$in", "$nin"):
        if not isinstance(arg, list):
            raise UnsupportedQueryError
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
        if not _is_operator_dict(arg):
            raise UnsupportedQueryError
        return not field_matches(value, arg)
    if op == "$all":
        if not isinstance(arg, list):
            raise UnsupportedQueryError("$all needs an array")
        return all(_equals(value, item) for item in arg)
    if op == "$elemMatch":
        if not isinstance(value, list) or not isinstance(arg, dict):
            return False
        if _is_operator_dict(arg):
            return any(field_matches(item, arg) for item in value)
        return any(isinstance(item, dict) and matches(item, arg) for item in value)
    raise UnsupportedQueryError  # $expr/$ifNull as field operators: Mongo rejects them


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
        return any(item == expected and type(item) is type(expected) for item in value)
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


def sort_keys(keys: list[int], docs: dict[int, dict[str, Any]], spec: dict[str, Any]) -> list[int]:
    """Order storage keys by a Mongo sort spec; `{"_id": 1}` (kpi's default) is insertion order."""
    if not spec or spec == {"_id": 1}:
        return keys
    if spec == {"_id": -1}:
        return keys[::-1]
    ordered = list(keys)
    for name, direction in reversed(list(spec.items())):

        def by_field(key: int, name: str = name) -> tuple[int, Any]:
            return _sort_key(docs[key].get(name))

        ordered.sort(key=by_field, reverse=direction == -1)
    return ordered


def _sort_key(value: Any) -> tuple[int, Any]:
    # Mongo's BSON order: null/missing < numbers < strings < objects/arrays.
    if value is None:
        return (0, 0)
    if _is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, repr(value))
