"""The ODK XPath function library (JavaRosa / Enketo behaviour), compiled per call site."""

import base64
import datetime as dt
import decimal
import hashlib
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from validation.xlsform import nodes as n
from validation.xlsform import values as v
from validation.xlsform.errors import CannotCheckError, EvaluationError, XLSFormError
from validation.xlsform.model import Choice, Element, Fn
from validation.xlsform.runtime import Runtime
from validation.xlsform.values import Node, NodeSet, Value

if TYPE_CHECKING:
    from validation.xlsform.compiler import Scope

Compile = Callable[[n.Expr, "Scope"], Fn]
Impl = Callable[[Runtime, Node, list[Value]], Value]

# Functions that need data the server does not have: a clear "cannot check", never a guess.
OFFLINE = frozenset(
    {
        # random() and uuid() differ on every evaluation: a verdict built on them could not be
        # reproduced, so a calculate using them counts only as the submission carries it.
        "random",
        "uuid",
        "pulldata",
        "instance",
        "version",
        "property",
        "area",
        "distance",
        "geofence",
        "checklist",
        "weighted-checklist",
        "randomize",
        "sort",
        "extract-signed",
    }
)


def _s(value: Value) -> str:
    return v.to_string(value)


def _num(value: Value) -> float:
    return v.to_number(value)


def _strings(args: list[Value]) -> list[str]:
    out: list[str] = []
    for arg in args:
        if isinstance(arg, NodeSet):
            out.extend(arg.strings)
        else:
            out.append(_s(arg))
    return out


def _nodes(value: Value, name: str) -> NodeSet:
    if not isinstance(value, NodeSet):
        raise EvaluationError(f"{name}() needs a question reference, not a value")
    return value


def _java_int(number: float) -> int:
    """Java's `(int) double` as JavaRosa's toInt().intValue(): NaN is 0, extremes saturate."""
    if number != number:
        return 0
    if math.isinf(number):
        return _INT_MAX if number > 0 else _INT_MIN
    return max(_INT_MIN, min(_INT_MAX, int(number)))


_INT_MAX, _INT_MIN = 2**31 - 1, -(2**31)


def _round(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """JavaRosa's round(): on the decimal text of the number, ties towards +infinity.

    XPathFuncExpr.round uses BigDecimal(Double.toString(x)).setScale(places, HALF_UP for
    x >= 0, HALF_DOWN for x < 0), so round(-2.5) = -2 and round(1.005, 2) = 1.01 (float
    arithmetic would give 1.0). Enketo rounds -2.5 to -3; Collect is the reference here.
    """
    number = _num(args[0])
    digits = _java_int(_num(args[1])) if len(args) > 1 else 0
    if number != number or math.isinf(number):
        return number
    if digits > 30 or digits < -30:
        return v.NAN
    if digits < 0:
        scale = 10.0**-digits
        return math.floor(number / scale + 0.5) * scale
    if abs(number) >= 2.0**52:
        return number  # already a whole number
    mode = decimal.ROUND_HALF_DOWN if number < 0 else decimal.ROUND_HALF_UP
    exact = decimal.Decimal(repr(number)).quantize(
        decimal.Decimal(1).scaleb(-digits), mode, _DECIMALS
    )
    return float(exact) + 0.0  # + 0.0 turns -0.0 into 0.0, as BigDecimal has no -0


_DECIMALS = decimal.Context(prec=100)  # 16 significant digits + 30 places fit easily


def _int(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return truncate(_num(args[0]))


def truncate(number: float) -> float:
    """int(): towards zero; NaN and the infinities stay as they are."""
    if number != number or math.isinf(number):
        return number
    return float(math.trunc(number))


def _boolean_from_string(rt: Runtime, node: Node, args: list[Value]) -> Value:
    # JavaRosa boolStr: "true" in any case, or "1"; nothing is trimmed.
    text = _s(args[0])
    return text.lower() == "true" or text == "1"


def _selected(rt: Runtime, node: Node, args: list[Value]) -> Value:
    needle = _s(args[1]).strip()
    if not needle:
        # JavaRosa (" " + list + " ").contains("  ") and Enketo list.split(" ").indexOf(""):
        # true only for an empty list or one with a doubled, leading or trailing space.
        return "" in _s(args[0]).split(" ")
    return needle in _s(args[0]).split()


def _lazy_selected_at(expr: n.Call, scope: "Scope", compile_: Compile) -> Fn:
    """selected-at(list, n): of an empty list it is '' whatever n is, so n is not evaluated.

    That keeps `selected-at(${list}, int(random() * ${count}))` (pick one of the listed
    people) knowable offline when nobody is listed: the draw cannot change the result.
    """
    _arity(expr.name, expr.args, 2, 2)
    items_fn, index_fn = (compile_(a, scope) for a in expr.args)

    def selected_at(rt: Runtime, node: Node) -> Value:
        items = items_fn(rt, node)
        if not _s(items).split():
            return ""
        return _selected_at(rt, node, [items, index_fn(rt, node)])

    return selected_at


def _selected_at(rt: Runtime, node: Node, args: list[Value]) -> Value:
    items = _s(args[0]).split()
    index = _num(args[1])
    if index != index or index < 0 or index >= len(items):
        return ""
    return items[int(index)]


def _aggregate(kind: str) -> Impl:
    def impl(rt: Runtime, node: Node, args: list[Value]) -> Value:
        numbers = [_num(s) for s in _strings(args)]
        if kind == "sum":
            return float(sum(numbers))
        if not numbers or any(x != x for x in numbers):
            return v.NAN
        return float(min(numbers) if kind == "min" else max(numbers))

    return impl


def _count(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return float(len(_nodes(args[0], "count").nodes))


def _count_non_empty(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return float(sum(1 for s in _nodes(args[0], "count-non-empty").strings if s != ""))


def _substr(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """JavaRosa substring(): 0-based [start, end); negative positions count from the end."""
    text = _s(args[0])
    size = len(text)
    start = _java_int(_num(args[1]))
    end = _java_int(_num(args[2])) if len(args) > 2 else size
    if start < 0:
        start += size
    if end < 0:
        end += size
    start, end = min(max(start, 0), size), min(max(end, 0), size)
    return text[start:end] if start <= end else ""


def _substring(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """XPath 1.0 substring(): 1-based, rounded positions, NaN-aware."""
    text = _s(args[0])
    start = _xround(_num(args[1]))
    length = _xround(_num(args[2])) if len(args) > 2 else math.inf
    out = []
    for position, char in enumerate(text, start=1):
        if position >= start and position < start + length:
            out.append(char)
    return "".join(out)


def _xround(number: float) -> float:
    if number != number or math.isinf(number):
        return number
    return math.floor(number + 0.5)


def _substring_before(rt: Runtime, node: Node, args: list[Value]) -> Value:
    text, sep = _s(args[0]), _s(args[1])
    at = text.find(sep)
    return text[:at] if at >= 0 and sep else ""


def _substring_after(rt: Runtime, node: Node, args: list[Value]) -> Value:
    text, sep = _s(args[0]), _s(args[1])
    at = text.find(sep)
    return text[at + len(sep) :] if at >= 0 else ""


def _translate(rt: Runtime, node: Node, args: list[Value]) -> Value:
    text, old, new = _s(args[0]), _s(args[1]), _s(args[2])
    table: dict[int, int | None] = {}
    for i, char in enumerate(old):
        table.setdefault(ord(char), ord(new[i]) if i < len(new) else None)
    return text.translate(table)


def _regex(rt: Runtime, node: Node, args: list[Value]) -> Value:
    pattern = _s(args[1])
    try:
        return re.search(pattern, _s(args[0])) is not None
    except re.error as exc:
        raise CannotCheckError(f"the regular expression {pattern!r} is invalid: {exc}") from None


def _coalesce(rt: Runtime, node: Node, args: list[Value]) -> Value:
    first = _s(args[0])
    return first if first != "" else _s(args[1])


def _date(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return date_of(args[0])


def date_of(value: Value) -> Value:
    """date(value): its calendar date, or '' (JavaRosa: an empty or unparseable date is none)."""
    found = v.to_temporal(value)
    if found is None:
        return ""
    return found.date() if isinstance(found, dt.datetime) else found


def date_days(text: str) -> float:
    """number(date(text)) of one answer's string, as the closures give it (inline.py)."""
    return v.to_number(date_of(text))


def _date_time(rt: Runtime, node: Node, args: list[Value]) -> Value:
    if isinstance(args[0], float):
        # A number is days since the epoch instant (JavaRosa `new Date(n * DAY_IN_MS)`).
        number = args[0]
        if not v.days_in_range(number):
            return ""
        instant = _EPOCH_UTC + dt.timedelta(days=number)
        return instant.astimezone(rt.now.tzinfo) if rt.now.tzinfo else instant
    found = v.to_temporal(args[0])
    if found is None:
        return ""
    if isinstance(found, dt.datetime):
        return found
    return dt.datetime.combine(found, dt.time(), tzinfo=rt.now.tzinfo)


_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _decimal_date_time(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """Days since the epoch instant (JavaRosa getTime() / DAY_IN_MS, as Enketo).

    A date or a date-time without an offset is on the interview's clock, as on the device.
    """
    if isinstance(args[0], float):
        return args[0]
    found = v.to_temporal(args[0])
    if found is None:
        return v.NAN
    if not isinstance(found, dt.datetime):
        found = dt.datetime.combine(found, dt.time())
    if found.tzinfo is None:
        found = found.replace(tzinfo=rt.now.tzinfo or dt.UTC)
    return (found - _EPOCH_UTC).total_seconds() / 86400


def _decimal_time(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """Fraction of the local day: a time with an offset is moved to the interview's zone."""
    text = _s(args[0]).strip()
    try:
        parsed = dt.time.fromisoformat(text)
    except ValueError:
        return v.NAN
    if parsed.tzinfo is not None and rt.now.tzinfo is not None:
        moved = dt.datetime.combine(rt.now.date(), parsed).astimezone(rt.now.tzinfo)
        parsed = moved.time()
    return (parsed.hour * 3600 + parsed.minute * 60 + parsed.second) / 86400


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


_DATE_CODES: dict[str, Callable[[dt.datetime], str]] = {
    "Y": lambda when: f"{when.year:04d}",
    "y": lambda when: f"{when.year % 100:02d}",
    "m": lambda when: f"{when.month:02d}",
    "n": lambda when: str(when.month),
    "b": lambda when: _MONTHS[when.month - 1],
    "d": lambda when: f"{when.day:02d}",
    "e": lambda when: str(when.day),
    "H": lambda when: f"{when.hour:02d}",
    "h": lambda when: str(when.hour),
    "M": lambda when: f"{when.minute:02d}",
    "S": lambda when: f"{when.second:02d}",
    "3": lambda when: f"{when.microsecond // 1000:03d}",
    "a": lambda when: _DAYS[when.weekday()],
}


def _format_date(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return format_temporal(args[0], _s(args[1]))


def format_temporal(value: Value, pattern: str) -> str:
    """format-date() / format-date-time(): '' for what is no date."""
    found = v.to_temporal(value)
    if found is None:
        return ""
    when = found if isinstance(found, dt.datetime) else dt.datetime.combine(found, dt.time())
    codes = _DATE_CODES  # each built only when the pattern uses it
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            code = codes.get(pattern[i + 1])
            out.append(code(when) if code is not None else pattern[i + 1])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _digest(rt: Runtime, node: Node, args: list[Value]) -> Value:
    algorithm = _s(args[1]).replace("-", "").lower()
    if algorithm not in ("md5", "sha1", "sha256", "sha384", "sha512"):
        raise EvaluationError(f"digest(): unknown algorithm {_s(args[1])!r}")
    raw = hashlib.new(algorithm, _s(args[0]).encode()).digest()
    encoding = _s(args[2]).lower() if len(args) > 2 else "base64"
    return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode()


def _position(rt: Runtime, node: Node, args: list[Value]) -> Value:
    if not args:
        return float(rt.ctx_pos)
    found = _nodes(args[0], "position").nodes
    if not found:
        return 0.0  # JavaRosa: 1 + TreeReference.INDEX_UNBOUND
    # JavaRosa and Enketo: the position of the first node of the set.
    elem, idx = found[0]
    if elem.kind == "repeat":
        return float(idx[-1])
    return 1.0


def _math(fn: Callable[..., float]) -> Impl:
    """A java.lang.Math function: NaN in, NaN out; overflow is Infinity, as in Java and JS."""

    def impl(rt: Runtime, node: Node, args: list[Value]) -> Value:
        numbers = [_num(a) for a in args]
        if any(x != x for x in numbers):
            return v.NAN
        try:
            return float(fn(*numbers))
        except OverflowError:
            return math.inf
        except ValueError:
            return v.NAN

    return impl


def _integral(fn: Callable[[float], float]) -> Callable[[float], float]:
    """floor/ceiling keep infinities (Python's raise OverflowError)."""
    return lambda x: x if math.isinf(x) else fn(x)


def _logarithm(fn: Callable[[float], float]) -> Callable[[float], float]:
    """log(0) is -Infinity in Java and JavaScript; Python raises."""
    return lambda x: -math.inf if x == 0 else fn(x)


def _pow(rt: Runtime, node: Node, args: list[Value]) -> Value:
    """java.lang.Math.pow: overflow and 0 to a negative power are Infinity, not errors."""
    base, exponent = _num(args[0]), _num(args[1])
    try:
        return float(math.pow(base, exponent))
    except OverflowError:
        odd = exponent == int(exponent) and int(exponent) % 2 == 1
        return -math.inf if base < 0 and odd else math.inf
    except ValueError:
        if base == 0:
            odd = exponent == int(exponent) and int(exponent) % 2 == 1
            return -math.inf if odd and math.copysign(1.0, base) < 0 else math.inf
        return v.NAN


def _join(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return _s(args[0]).join(_strings(args[1:]))


def _concat(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return "".join(_strings(args))


def _normalize_space(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return " ".join(_s(args[0]).split()) if args else " ".join(_s(_self(rt, node)).split())


def _string_length(rt: Runtime, node: Node, args: list[Value]) -> Value:
    return float(len(_s(args[0]) if args else _s(_self(rt, node))))


def _self(rt: Runtime, node: Node) -> Value:
    return NodeSet([node], [rt.string(*node)])


# name -> (implementation, min args, max args or None for any)
EAGER: dict[str, tuple[Impl, int, int | None]] = {
    "true": (lambda rt, node, a: True, 0, 0),
    "false": (lambda rt, node, a: False, 0, 0),
    "not": (lambda rt, node, a: not v.to_boolean(a[0]), 1, 1),
    "boolean": (lambda rt, node, a: v.to_boolean(a[0]), 1, 1),
    "boolean-from-string": (_boolean_from_string, 1, 1),
    "number": (lambda rt, node, a: _num(a[0] if a else _self(rt, node)), 0, 1),
    "int": (_int, 1, 1),
    "string": (lambda rt, node, a: _s(a[0] if a else _self(rt, node)), 0, 1),
    "round": (_round, 1, 2),
    "floor": (_math(_integral(math.floor)), 1, 1),
    "ceiling": (_math(_integral(math.ceil)), 1, 1),
    "abs": (_math(abs), 1, 1),
    "pow": (_pow, 2, 2),
    "sqrt": (_math(math.sqrt), 1, 1),
    "exp": (_math(math.exp), 1, 1),
    "exp10": (_math(lambda x: 10.0**x), 1, 1),
    "log": (_math(_logarithm(math.log)), 1, 1),
    "log10": (_math(_logarithm(math.log10)), 1, 1),
    "sin": (_math(math.sin), 1, 1),
    "cos": (_math(math.cos), 1, 1),
    "tan": (_math(math.tan), 1, 1),
    "asin": (_math(math.asin), 1, 1),
    "acos": (_math(math.acos), 1, 1),
    "atan": (_math(math.atan), 1, 1),
    "atan2": (_math(math.atan2), 2, 2),
    "pi": (lambda rt, node, a: math.pi, 0, 0),
    "sum": (_aggregate("sum"), 1, 1),
    "min": (_aggregate("min"), 1, None),
    "max": (_aggregate("max"), 1, None),
    "count": (_count, 1, 1),
    "count-non-empty": (_count_non_empty, 1, 1),
    "selected": (_selected, 2, 2),
    "is-selected": (_selected, 2, 2),
    "count-selected": (lambda rt, node, a: float(len(_s(a[0]).split())), 1, 1),
    "selected-at": (_selected_at, 2, 2),
    "string-length": (_string_length, 0, 1),
    "normalize-space": (_normalize_space, 0, 1),
    "contains": (lambda rt, node, a: _s(a[1]) in _s(a[0]), 2, 2),
    "starts-with": (lambda rt, node, a: _s(a[0]).startswith(_s(a[1])), 2, 2),
    "ends-with": (lambda rt, node, a: _s(a[0]).endswith(_s(a[1])), 2, 2),
    "substr": (_substr, 2, 3),
    "substring": (_substring, 2, 3),
    "substring-before": (_substring_before, 2, 2),
    "substring-after": (_substring_after, 2, 2),
    "translate": (_translate, 3, 3),
    "concat": (_concat, 0, None),
    "join": (_join, 1, None),
    "regex": (_regex, 2, 2),
    "coalesce": (_coalesce, 2, 2),
    "today": (lambda rt, node, a: rt.now.date(), 0, 0),
    "now": (lambda rt, node, a: rt.now, 0, 0),
    "date": (_date, 1, 1),
    "date-time": (_date_time, 1, 1),
    "decimal-date-time": (_decimal_date_time, 1, 1),
    "decimal-time": (_decimal_time, 1, 1),
    "format-date": (_format_date, 2, 2),
    "format-date-time": (_format_date, 2, 2),
    "position": (_position, 0, 1),
    "last": (lambda rt, node, a: float(rt.ctx_size), 0, 0),
    "once": (lambda rt, node, a: a[0], 1, 1),
    "digest": (_digest, 2, 3),
    "local-name": (lambda rt, node, a: _name(a[0] if a else _self(rt, node)), 0, 1),
    "name": (lambda rt, node, a: _name(a[0] if a else _self(rt, node)), 0, 1),
}
_PREFIXES = ("jr:", "odk:", "orx:")


def _name(value: Value) -> str:
    return value.nodes[0][0].name if isinstance(value, NodeSet) and value.nodes else ""


def compile_call(expr: n.Call, scope: "Scope", compile_: Compile) -> Fn:
    name = expr.name
    bare = name.split(":", 1)[1] if name.startswith(_PREFIXES) else name
    args = expr.args
    if bare == "if":
        _arity(name, args, 3, 3)
        test, then, other = (compile_(a, scope) for a in args)
        return lambda rt, node: then(rt, node) if v.to_boolean(test(rt, node)) else other(rt, node)
    if bare == "current":
        _arity(name, args, 0, 0)
        return lambda rt, node: _self(rt, rt.current if rt.current is not None else node)
    if bare == "choice-name":
        return _choice_name(expr, scope, compile_)
    if bare == "indexed-repeat":
        return _indexed_repeat(expr, scope, compile_)
    if bare == "selected-at":
        return _lazy_selected_at(expr, scope, compile_)
    if bare in OFFLINE:
        for arg in args:
            compile_(arg, scope)  # still report bad references inside

        def offline(rt: Runtime, node: Node) -> Value:
            if bare in ("random", "uuid"):
                raise CannotCheckError(f"{name}() gives a new value each time it is evaluated")
            raise CannotCheckError(f"{name}() needs data that is only on the device or server")

        return offline
    if bare not in EAGER:
        for arg in args:
            compile_(arg, scope)

        def unknown(rt: Runtime, node: Node) -> Value:
            raise CannotCheckError(f"the function {name}() is not supported")

        return unknown
    impl, low, high = EAGER[bare]
    _arity(name, args, low, high)
    compiled = [compile_(a, scope) for a in args]
    if not compiled:
        return lambda rt, node: impl(rt, node, [])
    if len(compiled) == 1:
        only = compiled[0]
        return lambda rt, node: impl(rt, node, [only(rt, node)])
    return lambda rt, node: impl(rt, node, [c(rt, node) for c in compiled])


def _arity(name: str, args: tuple[n.Expr, ...], low: int, high: int | None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        expected = str(low) if low == high else f"{low} to {high}" if high else f"{low} or more"
        raise XLSFormError(f"{name}() takes {expected} argument(s), not {len(args)}")


def _target(expr: n.Expr, scope: "Scope") -> Element | None:
    return named(expr, scope.by_name)


def named(expr: n.Expr, by_name: Mapping[str, Element]) -> Element | None:
    """The question an argument names: ${q}, '${q}' or a path ending with its name."""
    if isinstance(expr, n.Ref):
        return by_name.get(expr.name)
    text = ""
    if isinstance(expr, n.String):
        text = expr.value.strip()
    elif isinstance(expr, n.Path) and expr.steps:
        text = expr.steps[-1].test
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    name = text.rstrip("/").rsplit("/", 1)[-1]
    return by_name.get(name)


def _choice_name(expr: n.Call, scope: "Scope", compile_: Compile) -> Fn:
    _arity(expr.name, expr.args, 2, 2)
    value = compile_(expr.args[0], scope)
    target = _target(expr.args[1], scope)
    if target is None or target.list_name is None:
        raise XLSFormError(f"{expr.name}(): the second argument must name a select question")
    choices = scope.choices.get(target.list_name, {})
    language = scope.language

    def choice_name(rt: Runtime, node: Node) -> Value:
        choice = choices.get(_s(value(rt, node)).strip())
        return "" if choice is None else choice_label(choice, language)

    return choice_name


def choice_label(choice: Choice, language: str) -> str:
    """What choice-name() gives of a choice: its label in the language, else any, else its name."""
    label: str = choice.labels.get(language) or next(iter(choice.labels.values()), choice.name)
    return label


def _indexed_repeat(expr: n.Call, scope: "Scope", compile_: Compile) -> Fn:
    args = expr.args
    if len(args) < 3 or len(args) % 2 == 0:
        raise XLSFormError("indexed-repeat() takes a question, then pairs of repeat and position")
    target = _target(args[0], scope)
    if target is None:
        raise XLSFormError("indexed-repeat(): the first argument must name a question")
    scope.refs.append(target)
    given: list[tuple[Element, Fn]] = []
    for i in range(1, len(args), 2):
        repeat = _target(args[i], scope)
        if repeat is None or repeat.kind != "repeat":
            raise XLSFormError(f"indexed-repeat(): argument {i + 1} must name a repeat")
        given.append((repeat, compile_(args[i + 1], scope)))
    context = scope.context
    if len(given) == 1 and target.repeats == (given[0][0],):
        return _indexed_repeat_once(target, *given[0])

    def indexed_repeat(rt: Runtime, node: Node) -> Value:
        origin = rt.current if rt.current is not None else node
        positions = {repeat.id: _num(fn(rt, node)) for repeat, fn in given}
        idx: tuple[int, ...] = ()
        for depth, repeat in enumerate(target.repeats):
            if repeat.id in positions:
                position = positions[repeat.id]
                if position != position or position < 1:
                    return NodeSet([], [])
                k = int(position)
            elif depth < len(context.repeats) and context.repeats[depth] is repeat:
                k = origin[1][depth]
            else:
                k = 1
            if k > rt.count(repeat, idx):
                return NodeSet([], [])
            idx = (*idx, k)
        return NodeSet([(target, idx)], [rt.string(target, idx)])

    return indexed_repeat


def _indexed_repeat_once(target: Element, repeat: Element, position_fn: Fn) -> Fn:
    """indexed-repeat(${q}, ${r}, n) where ${q} is in r and r in no repeat: the common form."""

    def indexed_repeat(rt: Runtime, node: Node) -> Value:
        position = _num(position_fn(rt, node))
        if position != position or position < 1:
            return NodeSet([], [])
        k = int(position)
        if k > rt.count(repeat, ()):
            return NodeSet([], [])
        return NodeSet([(target, (k,))], [rt.string(target, (k,))])

    return indexed_repeat
