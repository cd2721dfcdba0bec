"""Immutable syntax tree of an XPath expression; chains are n-ary so long `or`s stay shallow."""

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class String:
    value: str


@dataclass(frozen=True, slots=True)
class Ref:
    """An XLSForm `${name}` reference."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Variable:
    """An XPath `$name` variable; ODK defines none."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: "tuple[Expr, ...]"
    pos: int


@dataclass(frozen=True, slots=True)
class Logical:
    """`a or b or c` / `a and b`: evaluated left to right with short-circuit."""

    op: str
    operands: "tuple[Expr, ...]"


@dataclass(frozen=True, slots=True)
class Chain:
    """Left-associative run of one precedence level: `a - b + c`, `a = b`, `a < b`."""

    first: "Expr"
    rest: "tuple[tuple[str, Expr], ...]"


@dataclass(frozen=True, slots=True)
class Negate:
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class Union:
    operands: "tuple[Expr, ...]"


@dataclass(frozen=True, slots=True)
class Step:
    axis: str  # child parent self attribute descendant-or-self ...
    test: str  # a name, "*", "node()" or "text()"
    predicates: "tuple[Expr, ...]"


@dataclass(frozen=True, slots=True)
class Path:
    absolute: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Filter:
    """`primary[pred]/steps`, e.g. `current()/../q` or `${rep}[2]/q`."""

    primary: "Expr"
    predicates: "tuple[Expr, ...]"
    steps: tuple[Step, ...]


Expr = Number | String | Ref | Variable | Call | Logical | Chain | Negate | Union | Path | Filter

DOT = Step("self", "node()", ())


def literal_number(expr: Expr) -> float | None:
    """The value of a number literal (negated or not); None for anything else."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Negate) and isinstance(expr.operand, Number):
        return -expr.operand.value
    return None


def is_dot(expr: Expr) -> bool:
    """`.`: the context node itself."""
    if not isinstance(expr, Path) or expr.absolute:
        return False
    return len(expr.steps) == 1 and expr.steps[0] == DOT


# Functions of a node-set's nodes, never of their values.
STRUCTURAL = frozenset({"position", "count", "name", "local-name", "last"})


def plain_path(expr: Expr) -> bool:
    """A path without predicates: which nodes it names is fixed once the data is loaded."""
    return isinstance(expr, Path) and not any(step.predicates for step in expr.steps)


def walk(expr: Expr) -> Iterator[Expr]:
    """The expression and every expression inside it (predicates included), depth first."""
    yield expr
    inner: tuple[Expr, ...] = ()
    if isinstance(expr, Call):
        inner = expr.args
    elif isinstance(expr, Logical | Union):
        inner = expr.operands
    elif isinstance(expr, Chain):
        inner = (expr.first, *(operand for _, operand in expr.rest))
    elif isinstance(expr, Negate):
        inner = (expr.operand,)
    elif isinstance(expr, Filter):
        inner = (expr.primary, *expr.predicates, *(p for s in expr.steps for p in s.predicates))
    elif isinstance(expr, Path):
        inner = tuple(p for s in expr.steps for p in s.predicates)
    for child in inner:
        yield from walk(child)
