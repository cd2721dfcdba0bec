"""Python source for the simplest boolean expressions, for the generated passes to inline.

Most skip logic is `${q} = 'yes'`, `selected(${q}, 'x')`, `. >= 18`, `count-selected(.) <= 3`
or `${a} < ${b} + ${c}`, joined by and/or/not; dates as days (`. <= today()`,
`today() - date(${d})`), and a choice_filter's columns (`region = ${region}`) read from the
chosen choice's row.
Written into the generated pass (generated.py) they skip checker.truth's bookkeeping and
the compiled closures' calls. The source gives what compiler.py's closures give for the
same expression (_comparison, _fast_call, _logical): it compares the very strings and
numbers they compare. Anything else returns None and the pass calls the closure.

A calculation's string (what values.to_string of its closure's value gives) is written
the same way when it is a literal, one answer, `if(<boolean>, a, b)`, + - * of numbers (and
div by a number literal), indexed-repeat() of a question in a top-level repeat at a fixed or
its own position, position(..) there, today(), int(), format-date(-time)() of a string,
selected-at() at a fixed position, concat(), choice-name() (a dict of the select's labels),
or join() / sum() / count() over every instance of a top-level repeat (read from the pass's
node table of that repeat).

The generated pass uses the source only while no answer of the submission is unknown
(Runtime.unknown empty): then no read can taint the result and nothing here can raise.
"""

import math
from collections.abc import Callable
from typing import Any

from validation.xlsform import nodes as n
from validation.xlsform import values as v
from validation.xlsform.compiler import choice_column
from validation.xlsform.functions import date_days, format_temporal, named, truncate
from validation.xlsform.model import Element
from validation.xlsform.runtime import Key

# The functions and names the source may use; the generated pass's namespace defines them.
NUMBER = "number"  # values.string_number
READ = "values_get"  # Runtime.values.get
STRING = "to_string"  # values.to_string
STRINGS = "repeat_strings"  # repeat_strings below
SUM = "repeat_sum"  # repeat_sum below
TRUNCATE = "truncate"  # functions.truncate: int()
FORMAT = "format_temporal"  # functions.format_temporal: format-date(-time)()
DAYS = "days"  # values.days: today()'s number
DATE_DAYS = "date_days"  # functions.date_days: date()'s number
TODAY = f"{DAYS}(rt.now.date())"  # to_number of today()'s value (functions' "today")

_PREFIXES = ("jr:", "odk:", "orx:")  # as functions.compile_call strips them
_PARENT = n.Path(False, (n.Step("parent", "node()", ()),))  # `..`

_NUMBER_CALLS = ("count-selected", "sum", "count", "position", "int")  # Inliner.number's
# Inliner.number's calls whose value is a date: = and != compare it as a date (values.equal),
# not as its number, so only < <= > >= and arithmetic read them here.
_DATES = ("today", "date")
_FORMATS = ("format-date", "format-date-time")
_NUMERIC = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


Row = tuple[Key, Any, Any]  # a node table's row: (key, parent's key, node)
Read = Callable[[Key, str], str]  # Runtime.values.get


def repeat_strings(read: Read, rows: list[Row]) -> list[str]:
    """Each row's node's string (Runtime.strings of a leaf's nodes): '' where it has none."""
    return [read(row[0], "") for row in rows]


def repeat_sum(read: Read, rows: list[Row]) -> float:
    """functions._aggregate's sum() of the rows' nodes' strings."""
    return float(sum([v.string_number(read(row[0], "")) for row in rows]))


def helpers() -> dict[str, Any]:
    """The functions the source calls by name, for the generated pass's namespace."""
    return {
        NUMBER: v.NumberCache().__getitem__,  # one per form's pass
        STRING: v.to_string,
        STRINGS: repeat_strings,
        SUM: repeat_sum,
        TRUNCATE: truncate,
        FORMAT: format_temporal,
        DAYS: v.days,
        DATE_DAYS: date_days,
    }


def _dated(expr: n.Expr) -> bool:
    return isinstance(expr, n.Call) and _bare(expr.name) in _DATES


def _bare(name: str) -> str:
    """A function's name as functions.compile_call looks it up."""
    return name.split(":", 1)[1] if name.startswith(_PREFIXES) else name


class Inliner:
    """Source of expressions evaluated at `context`, whose index tuple is named `idx`."""

    def __init__(
        self,
        by_name: dict[str, Element],
        context: Element,
        idx: str,
        split_once: set[int] | None = None,
        table: Callable[[tuple[Element, ...]], str] | None = None,
        labels: Callable[[Element], str] | None = None,
        row: str | None = None,
    ) -> None:
        """split_once: when given, an answer outside repeats is split once per pass.

        Its words are the local `s<id>` (None until first needed; the pass starts it so),
        and the element's id is added to the set. Only for a pass where that answer no
        longer changes once read (generated.single_pass; the findings walk).
        table: the local holding the pass's node table of some repeats (checker.node_table:
        element id -> a (key, ...) per instance), for reads of every instance of a repeat.
        labels: the name of a dict of a select's choices, choice name -> what choice-name()
        gives of it (functions.choice_label), in the pass's namespace.
        row: for a choice_filter, the local holding the choice's row (checker.choice_row):
        a bare name there reads its column, '' where it has none (compiler._column).
        """
        self.by_name, self.context, self.idx = by_name, context, idx
        self.split_once, self.table, self.labels = split_once, table, labels
        self.row = row
        # A string's words, split once for all its selected() / count-selected() in the
        # expression: string source -> the local holding them (see prelude).
        self.words: dict[str, str] = {}
        self._fixed: dict[str, int] = {}  # string source -> its element, read outside repeats

    def prelude(self) -> list[str]:
        """Lines to run before the expression's source: its strings' words."""
        lines: list[str] = []
        for text, name in self.words.items():
            if name.startswith("s"):  # split once per pass
                lines += [f"if {name} is None:", f"    {name} = {text}.split()"]
            else:
                lines.append(f"{name} = {text}.split()")
        return lines

    def _words(self, text: str) -> str:
        name = self.words.get(text)
        if name is None:
            fixed = self._fixed.get(text)
            if fixed is not None and self.split_once is not None:
                self.split_once.add(fixed)
                name = self.words[text] = f"s{fixed}"
            else:
                name = self.words[text] = f"w{len(self.words)}"
        return name

    def boolean(self, expr: n.Expr) -> str | None:
        """Source giving the expression's True/False, or None when it is not that simple."""
        if isinstance(expr, n.Logical):
            parts = [self.boolean(o) for o in expr.operands]
            if any(p is None for p in parts):
                return None
            return "(" + f" {expr.op} ".join(p for p in parts if p is not None) + ")"
        if isinstance(expr, n.Chain) and len(expr.rest) == 1 and expr.rest[0][0] in _NUMERIC:
            op, right = expr.rest[0]
            return self._comparison(op, expr.first, right)
        if isinstance(expr, n.Call):
            return self._call(expr)
        return None

    def _comparison(self, op: str, left: n.Expr, right: n.Expr) -> str | None:
        left_number, right_number = n.literal_number(left), n.literal_number(right)
        if left_number is not None and right_number is not None:
            return None
        if op in ("=", "!=") and (_dated(left) or _dated(right)):
            return None
        found = self._strings(op, left, right, left_number, right_number)
        if found is not None or (self._simple(left) and self._simple(right)):
            return found
        # A side is a number (count-selected, + - *): compiler._chain's general path, whose
        # v.relate / v.equal compare numbers then (a one-answer node-set by its number).
        a, b = self.number(left), self.number(right)
        if a is None or b is None:
            return None
        return f"({a} {_NUMERIC[op]} {b})"

    def _simple(self, expr: n.Expr) -> bool:
        """A string or number literal, `.` or `${q}`: compiler._comparison's own cases."""
        if n.literal_number(expr) is not None or n.is_dot(expr):
            return True
        return isinstance(expr, n.String | n.Ref)

    def _strings(
        self,
        op: str,
        left: n.Expr,
        right: n.Expr,
        left_number: float | None,
        right_number: float | None,
    ) -> str | None:
        """compiler._comparison: one string against another or a number literal."""
        if left_number is None and right_number is None:
            a, b = self.string(left), self.string(right)
            if a is None or b is None:
                return None
            if op in ("=", "!="):
                return f"({a} {_NUMERIC[op]} {b})"
            return f"({NUMBER}({a}) {_NUMERIC[op]} {NUMBER}({b}))"
        if left_number is None:
            text, constant = self.string(left), right_number
        else:  # 5 < x is x > 5
            text, constant, op = self.string(right), left_number, _FLIPPED[op]
        if text is None or constant is None or not math.isfinite(constant):
            return None  # (repr(inf) is no Python literal)
        return f"({NUMBER}({text}) {_NUMERIC[op]} {constant!r})"

    def number(self, expr: n.Expr) -> str | None:
        """Source of a number: a literal, count-selected(), + - * of numbers, a string's.

        As compiler.py's closures and values.to_number / values.arithmetic give it.
        """
        literal = n.literal_number(expr)
        if literal is not None:
            return repr(literal) if math.isfinite(literal) else None
        if isinstance(expr, n.Call):
            name = _bare(expr.name)
            if name == "count-selected" and len(expr.args) == 1:
                text = self.string(expr.args[0])
                return None if text is None else f"float(len({self._words(text)}))"
            if name in ("sum", "count") and len(expr.args) == 1:
                return self._aggregate(name, expr.args[0])
            if name == "position" and len(expr.args) == 1 and self._own_position(expr):
                return f"float({self.idx}[-1])"  # functions._position: the repeat's index
            if name == "int" and len(expr.args) == 1:
                inner = self._operand(expr.args[0])
                return None if inner is None else f"{TRUNCATE}({inner})"
            if name == "today" and not expr.args:
                return TODAY
            if name == "date" and len(expr.args) == 1:  # of one string: functions.date_of
                text = self.string(expr.args[0])
                return None if text is None else f"{DATE_DAYS}({text})"
            return None
        if isinstance(expr, n.Chain):
            if not all(op in ("+", "-", "*", "div") for op, _ in expr.rest):
                return None  # mod has XPath's own rules (values.arithmetic)
            source = self._operand(expr.first)
            for op, operand in expr.rest:
                right = self._divisor(operand) if op == "div" else self._operand(operand)
                if source is None or right is None:
                    return None
                source = f"({source} {'/' if op == 'div' else op} {right})"
            return source
        text = self.string(expr)
        return None if text is None else f"{NUMBER}({text})"

    def _operand(self, expr: n.Expr) -> str | None:
        """values.to_number of an operand's value: a number's, or a formatted date's string's.

        Not number()'s own: compared (v.equal, v.relate), that string stays a string.
        """
        if isinstance(expr, n.Call) and _bare(expr.name) in _FORMATS and len(expr.args) == 2:
            text = self._format(*expr.args)
            return None if text is None else f"{NUMBER}({text})"
        return self.number(expr)

    def _divisor(self, expr: n.Expr) -> str | None:
        """A number literal other than 0: values.arithmetic's div is then Python's x / y."""
        literal = n.literal_number(expr)
        if literal is None or literal == 0 or not math.isfinite(literal):
            return None  # by 0 div gives NaN or an infinity, not ZeroDivisionError
        return repr(literal)

    def _aggregate(self, name: str, expr: n.Expr) -> str | None:
        """functions._aggregate's sum() and _count over every instance of a top-level repeat.

        count: one node per instance; sum: float(sum()) of the nodes' numbers (NaN where a
        node holds no number, as where it is not relevant).
        """
        target = self._every_instance(expr)
        if target is None:
            return None
        if name == "count":
            return f"float(len({self._nodes(target)}))"
        if target.kind != "leaf":
            return None  # a group's string is its leaves' (Runtime.string)
        return f"{SUM}({READ}, {self._nodes(target)})"

    def _every_instance(self, expr: n.Expr) -> Element | None:
        """The question of `${q}` when q is in a top-level repeat R and read outside R.

        There compiler._ref's `many` reads each instance's node (rt.expand), in order, as the
        node table lists them.
        """
        if self.table is None or not isinstance(expr, n.Ref):
            return None
        target = self.by_name.get(expr.name)
        if target is None or len(target.repeats) != 1:
            return None
        if self.context.repeats[:1] == target.repeats:  # inside R: its own instance
            return None
        return target

    def _nodes(self, target: Element) -> str:
        """Source of the node table's rows of target, a (key, ...) per instance."""
        assert self.table is not None  # noqa: S101 - _every_instance checked it
        return f"{self.table(target.repeats)}[{int(target.id)}]"

    def _every_string(self, expr: n.Expr) -> str | None:
        """Source of the strings of every instance's q (a leaf): rt.strings of `${q}`."""
        target = self._every_instance(expr)
        if target is None or target.kind != "leaf":
            return None  # a group's string is its leaves' (Runtime.string)
        return f"{STRINGS}({READ}, {self._nodes(target)})"

    def calculation(self, expr: n.Expr) -> str | None:
        """Source of the string values.to_string gives of the expression's value, or None."""
        literal = n.literal_number(expr)
        if literal is not None:
            return repr(v.format_number(literal))
        if isinstance(expr, n.String | n.Ref) or n.is_dot(expr):
            return self.string(expr)
        if isinstance(expr, n.Call):
            name = _bare(expr.name)
            if name == "if" and len(expr.args) == 3:
                return self._if(*expr.args)
            if name == "indexed-repeat":
                return self._indexed_repeat(expr.args)
            if name == "selected-at" and len(expr.args) == 2:
                return self._selected_at(*expr.args)
            if name == "join" and len(expr.args) >= 2:
                return self._join(expr.args[0], expr.args[1:])
            if name == "concat" and expr.args:
                return self._join(n.String(""), expr.args)
            if name == "choice-name" and len(expr.args) == 2:
                return self._choice_name(*expr.args)
            if name in _FORMATS and len(expr.args) == 2:
                return self._format(*expr.args)
            if name == "today" and not expr.args:
                return "rt.now.date().isoformat()"  # values.to_string of a date
        if isinstance(expr, n.Chain) and expr.rest[0][0] in ("+", "-", "*", "div"):
            number = self.number(expr)  # compiler._chain: values.arithmetic's floats
            return None if number is None else f"{STRING}({number})"
        if isinstance(expr, n.Call) and _bare(expr.name) in _NUMBER_CALLS:
            number = self.number(expr)
            return None if number is None else f"{STRING}({number})"
        boolean = self.boolean(expr)
        return None if boolean is None else f"('true' if {boolean} else 'false')"

    def _if(self, test: n.Expr, then: n.Expr, other: n.Expr) -> str | None:
        """functions.compile_call's if(): only the branch chosen is evaluated."""
        parts = self.boolean(test), self.calculation(then), self.calculation(other)
        if None in parts:
            return None
        condition, a, b = parts
        return f"({a} if {condition} else {b})"

    def _selected_at(self, items: n.Expr, position: n.Expr) -> str | None:
        """functions._selected_at at a whole-number literal position >= 0: '' past the end.

        Its lazy check (an empty list is '') is the same '' here.
        """
        k = n.literal_number(position)
        text = self.string(items)
        if text is None or k is None or not (0 <= k < math.inf):
            return None
        words, k = self._words(text), int(k)  # index >= len(items) is int(index) >= len here
        return f"({words}[{k}] if len({words}) > {k} else '')"

    def _format(self, value: n.Expr, pattern: n.Expr) -> str | None:
        """functions._format_date of a string (to_temporal then parses it, as the closure's)."""
        text, form = self.string(value), self.string(pattern)
        return None if text is None or form is None else f"{FORMAT}({text}, {form})"

    def _choice_name(self, value: n.Expr, question: n.Expr) -> str | None:
        """functions._choice_name: the label of the choice value's string names, else ''."""
        target = named(question, self.by_name)
        if self.labels is None or target is None or target.list_name is None:
            return None
        text = self.calculation(value)
        return None if text is None else f"{self.labels(target)}.get({text}.strip(), '')"

    def _join(self, separator: n.Expr, parts: tuple[n.Expr, ...]) -> str | None:
        """functions._join (and _concat, joined by ''): each part's strings, separated."""
        sep = self.string(separator)
        if sep is None:
            return None
        if len(parts) == 1:
            every = self._every_string(parts[0])
            if every is not None:
                return f"{sep}.join({every})"
        items: list[str] = []
        for part in parts:
            every = self._every_string(part)
            one = self.calculation(part) if every is None else None
            if every is not None:
                items.append(f"*{every}")
            elif one is not None:
                items.append(one)
            else:
                return None
        return f"{sep}.join([{', '.join(items)}])"

    def _indexed_repeat(self, args: tuple[n.Expr, ...]) -> str | None:
        """functions._indexed_repeat_once: ${q} in repeat R, R in none; past the count ''.

        The position is an integer literal >= 1, or position(..) in an element directly in
        a top-level repeat (`..` is then that repeat's instance: its index, never < 1).
        Past R's count `values` holds nothing (Runtime.load reads instances 1..count, settle
        writes only theirs), so the read alone gives the closure's ''.
        """
        if len(args) != 3 or not isinstance(args[0], n.Ref) or not isinstance(args[1], n.Ref):
            return None
        target, repeat = self.by_name.get(args[0].name), self.by_name.get(args[1].name)
        if target is None or repeat is None or repeat.kind != "repeat":
            return None
        if target.kind != "leaf" or target.repeats != (repeat,):
            return None  # a group's string is its leaves' (Runtime.string)
        position = args[2]
        if isinstance(position, n.Number):
            k = position.value
            if not (k >= 1 and k == int(k)):
                return None  # int() truncates: written as the closure has it, not here
            index = f"({int(k)},)"
        elif self._own_position(position):
            index = self.idx
        else:
            return None
        return f"{READ}(({int(target.id)}, {index}), '')"

    def _own_position(self, expr: n.Expr) -> bool:
        """position(..) in an element directly in a top-level repeat: functions._position."""
        parent = self.context.parent
        return (
            isinstance(expr, n.Call)
            and expr.name == "position"
            and expr.args == (_PARENT,)
            and parent is not None
            and parent.kind == "repeat"
            and self.context.repeats == (parent,)
        )

    def _call(self, expr: n.Call) -> str | None:
        args = expr.args
        if expr.name in ("selected", "is-selected", "jr:selected") and len(args) == 2:
            value, wanted = args
            if isinstance(wanted, n.String) and wanted.value.strip():
                text = self.string(value)
                if text is not None:
                    return f"({wanted.value.strip()!r} in {self._words(text)})"
            return None
        if expr.name == "not" and len(args) == 1:
            inner = self.boolean(args[0])
            return None if inner is None else f"(not {inner})"
        return None

    def string(self, expr: n.Expr) -> str | None:
        """Source of one string: a literal, `.` of a question, or `${q}` naming one answer."""
        if isinstance(expr, n.String):
            return repr(expr.value)
        if isinstance(expr, n.Ref):
            target = self.by_name.get(expr.name)
            if target is None or target.kind != "leaf":
                return None
            return self._read(target)
        if n.is_dot(expr) and self.context.kind == "leaf":
            return self._read(self.context)
        if self.row is not None and isinstance(expr, n.Path):
            column = choice_column(expr)
            return None if column is None else f"{self.row}.get({column!r}, '')"
        return None

    def _read(self, target: Element) -> str | None:
        if not target.repeats:
            text = f"{READ}(K{int(target.id)}, '')"  # Element.key, in the pass's namespace
            self._fixed[text] = int(target.id)
            return text
        if target.repeats == self.context.repeats:  # the answer in this same instance
            return f"{READ}(({int(target.id)}, {self.idx}), '')"
        return None
