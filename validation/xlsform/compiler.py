"""Turn a parsed expression into nested closures, resolved once against the form's tree.

`${name}` is resolved at compile time as pyxform does: relative to the question that holds
the expression, so inside a repeat it names the same instance, and from outside it names
every instance. Closures take (runtime, context node) and return an XPath value.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from weakref import WeakSet

from validation.xlsform import nodes as n
from validation.xlsform import values as v
from validation.xlsform.errors import CannotCheckError, XLSFormError
from validation.xlsform.functions import compile_call
from validation.xlsform.model import Choice, Compiled, Element, Fn
from validation.xlsform.parser import parse
from validation.xlsform.runtime import Runtime
from validation.xlsform.values import Idx, Node, NodeSet, Value

NodesFn = Callable[[Runtime, list[Node]], list[Node]]


@dataclass
class Scope:
    """What compiling one expression needs to know about the form."""

    root: Element
    by_name: Mapping[str, Element]
    choices: Mapping[str, Mapping[str, Choice]]
    language: str
    context: Element
    choice_context: bool = False  # choice_filter: bare names are the choice row's columns
    refs: list[Element] = field(default_factory=list)


def compile_expression(text: str, scope: Scope) -> Compiled:
    """Parse and compile; raises XLSFormError (ExpressionSyntaxError has the column)."""
    ast = parse(text)
    fn = _compile(ast, scope)
    return Compiled(text, ast, fn, tuple(dict.fromkeys(scope.refs)))


def _compile(expr: n.Expr, scope: Scope) -> Fn:
    if isinstance(expr, n.Number):
        number = expr.value
        return lambda rt, node: number
    if isinstance(expr, n.String):
        text = expr.value
        return lambda rt, node: text
    if isinstance(expr, n.Ref):
        return _ref(expr, scope)
    if isinstance(expr, n.Variable):
        raise XLSFormError(f"${expr.name} is not defined (ODK forms have no XPath variables)")
    if isinstance(expr, n.Call):
        fast = _fast_call(expr, scope)
        if fast is not None:
            return fast
        return compile_call(expr, scope, _compile)
    if isinstance(expr, n.Logical):
        return _logical(expr, scope)
    if isinstance(expr, n.Chain):
        return _chain(expr, scope)
    if isinstance(expr, n.Negate):
        operand = _compile(expr.operand, scope)
        return lambda rt, node: -v.to_number(operand(rt, node))
    if isinstance(expr, n.Union):
        parts = [_nodeset_fn(p, scope) for p in expr.operands]

        def union(rt: Runtime, node: Node) -> Value:
            seen: dict[tuple[int, Idx], Node] = {}
            for part in parts:
                for found in part(rt, node):
                    seen.setdefault((found[0].id, found[1]), found)
            ordered = sorted(seen.values(), key=lambda x: (x[0].order, x[1]))
            return _nodeset(rt, ordered)

        return union
    if isinstance(expr, n.Path | n.Filter):
        nodes_fn = _nodeset_fn(expr, scope)
        if scope.choice_context and isinstance(expr, n.Path):
            column = choice_column(expr)
            if column is not None:
                return lambda rt, node: _column(rt, column)
        return lambda rt, node: _nodeset(rt, nodes_fn(rt, node))
    raise XLSFormError(f"unsupported expression {expr!r}")  # pragma: no cover - exhaustive


def _column(rt: Runtime, column: str) -> Value:
    row = rt.choice_row
    if row is None:
        return ""
    return row.get(column, "")


def choice_column(expr: n.Path) -> str | None:
    """The choice's column a bare name in a choice_filter reads (`region`), else None."""
    if expr.absolute or len(expr.steps) != 1:
        return None
    step = expr.steps[0]
    if step.axis == "child" and not step.predicates and step.test not in ("*", "node()"):
        return step.test
    return None


def _nodeset(rt: Runtime, nodes: list[Node]) -> NodeSet:
    return NodeSet(nodes, read=rt.strings)


def _ref(expr: n.Ref, scope: Scope) -> Fn:
    target = scope.by_name.get(expr.name)
    if target is None:
        raise XLSFormError(f"${{{expr.name}}} does not name a question of this form")
    scope.refs.append(target)
    shared = _shared_repeats(scope.context, target)
    extra = target.repeats[shared:]
    if not extra:
        if target.kind == "leaf":

            def single(rt: Runtime, node: Node) -> Value:
                idx = _origin(rt, node)[1][:shared]
                return NodeSet([(target, idx)], [rt.value(target, idx)])

            return single

        def container(rt: Runtime, node: Node) -> Value:
            idx = _origin(rt, node)[1][:shared]
            return _nodeset(rt, [(target, idx)])

        return container

    def many(rt: Runtime, node: Node) -> Value:
        base = _origin(rt, node)[1][:shared]
        return _nodeset(rt, [(target, i) for i in rt.expand(extra, base)])

    return many


def ref_nodes(target: Element, scope: Scope) -> Callable[[Runtime, Node], list[Node]]:
    """The nodes `${target}` names from the scope's context (for functions taking a node-set)."""
    shared = _shared_repeats(scope.context, target)
    extra = target.repeats[shared:]

    def nodes(rt: Runtime, node: Node) -> list[Node]:
        base = _origin(rt, node)[1][:shared]
        return [(target, i) for i in rt.expand(extra, base)]

    return nodes


def _origin(rt: Runtime, node: Node) -> Node:
    return rt.current if rt.current is not None else node


def _shared_repeats(context: Element, target: Element) -> int:
    shared = 0
    for mine, theirs in zip(context.repeats, target.repeats, strict=False):
        if mine is not theirs:
            break
        shared += 1
    return shared


def _logical(expr: n.Logical, scope: Scope) -> Fn:
    operands = [_compile(o, scope) for o in expr.operands]
    boolean = v.to_boolean
    if len(operands) == 2:
        first, second = operands
        if first in BOOLEAN and second in BOOLEAN:
            # Both give True/False already: Python's own and/or is XPath's.
            if expr.op == "or":
                return _boolean(lambda rt, node: first(rt, node) or second(rt, node))
            return _boolean(lambda rt, node: first(rt, node) and second(rt, node))
        if expr.op == "or":
            return lambda rt, node: boolean(first(rt, node)) or boolean(second(rt, node))
        return lambda rt, node: boolean(first(rt, node)) and boolean(second(rt, node))
    if expr.op == "or":

        def any_of(rt: Runtime, node: Node) -> Value:
            for operand in operands:  # noqa: SIM110 - any(generator) is slower on this hot path
                if boolean(operand(rt, node)):
                    return True
            return False

        return any_of

    def all_of(rt: Runtime, node: Node) -> Value:
        for operand in operands:  # noqa: SIM110 - all(generator) is slower on this hot path
            if not boolean(operand(rt, node)):
                return False
        return True

    return all_of


_RELATIONS = {
    "=": v.equal,
    "!=": v.not_equal,
    "<": lambda a, b: v.relate("<", a, b),
    "<=": lambda a, b: v.relate("<=", a, b),
    ">": lambda a, b: v.relate(">", a, b),
    ">=": lambda a, b: v.relate(">=", a, b),
}


def _chain(expr: n.Chain, scope: Scope) -> Fn:
    if len(expr.rest) == 1 and expr.rest[0][0] in _RELATIONS:
        op, other = expr.rest[0]
        direct = _comparison(op, expr.first, other, scope)
        if direct is not None:
            return direct
    first = _compile(expr.first, scope)
    rest: list[tuple[Callable[[Value, Value], Value], Fn]] = []
    for op, operand in expr.rest:
        if op in _RELATIONS:
            combine: Callable[[Value, Value], Value] = _RELATIONS[op]
        else:
            combine = _arithmetic(op)
        rest.append((combine, _compile(operand, scope)))
    if len(rest) == 1:
        combine, second = rest[0]
        return lambda rt, node: combine(first(rt, node), second(rt, node))

    def chain(rt: Runtime, node: Node) -> Value:
        value = first(rt, node)
        for combine, operand in rest:
            value = combine(value, operand(rt, node))
        return value

    return chain


# -- comparisons of one string with another or with a number, the bulk of skip logic ---------
#
# `${q} = 'yes'`, `. >= 18`, `${a} != ${b}`: when each side is one string (a literal, `.`, or
# `${q}` naming one answer) or a number literal, XPath's node-set rules reduce to comparing the
# strings, or their numbers, so the closure skips building node-sets. Same results as v.equal,
# v.not_equal and v.relate.

StrFn = Callable[[Runtime, Node], str]


def _comparison(op: str, left: n.Expr, right: n.Expr, scope: Scope) -> Fn | None:
    left_number, right_number = n.literal_number(left), n.literal_number(right)
    if left_number is not None and right_number is not None:
        return None  # constant: not worth a special case
    if left_number is None and not _one_string(left, scope):
        return None
    if right_number is None and not _one_string(right, scope):
        return None
    number = v.string_number
    if left_number is None and right_number is None:
        a, b = _string_fn(left, scope), _string_fn(right, scope)
        if op == "=":
            return _boolean(lambda rt, node: a(rt, node) == b(rt, node))
        if op == "!=":
            return _boolean(lambda rt, node: a(rt, node) != b(rt, node))
        test = _NUMERIC[op]
        return _boolean(lambda rt, node: test(number(a(rt, node)), number(b(rt, node))))
    if left_number is None:
        text, constant, test = _string_fn(left, scope), right_number, _NUMERIC[op]
    else:
        # 5 < x is x > 5: keep the string on the left.
        text, constant, test = _string_fn(right, scope), left_number, _NUMERIC[_FLIPPED[op]]
    assert constant is not None  # noqa: S101 - narrowing for mypy
    return _boolean(lambda rt, node: test(number(text(rt, node)), constant))


_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": float.__eq__,
    "!=": float.__ne__,
    "<": float.__lt__,
    "<=": float.__le__,
    ">": float.__gt__,
    ">=": float.__ge__,
}
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _one_string(expr: n.Expr, scope: Scope) -> bool:
    """True when the expression stands for exactly one string (see _string_fn)."""
    if isinstance(expr, n.String) or n.is_dot(expr):
        return True
    if isinstance(expr, n.Ref):
        target = scope.by_name.get(expr.name)
        return (
            target is not None
            and target.kind == "leaf"
            and _shared_repeats(scope.context, target) == len(target.repeats)
        )
    return False


def _string_fn(expr: n.Expr, scope: Scope) -> StrFn:
    """The string of a literal, of `.`, or of the one answer `${q}` names (_one_string's)."""
    if isinstance(expr, n.String):
        text = expr.value
        return lambda rt, node: text
    if isinstance(expr, n.Ref):
        target = scope.by_name[expr.name]
        scope.refs.append(target)
        shared = len(target.repeats)
        if not shared:
            key = target.key

            def top(rt: Runtime, node: Node) -> str:
                # Runtime.value inlined: the most frequent read of all.
                if rt.unknown and key in rt.unknown:
                    rt.tainted = True
                return rt.values.get(key, "")

            return top
        return lambda rt, node: rt.value(target, _origin(rt, node)[1][:shared])
    return lambda rt, node: rt.string(*node)


# -- calls on one string: selected(${q}, 'x'), count-selected(${q}), not(...) -----------------

# Compiled closures known to return a plain bool (and/or/not skip converting their results).
BOOLEAN: "WeakSet[Fn]" = WeakSet()


def _boolean(fn: Fn) -> Fn:
    BOOLEAN.add(fn)
    return fn


def _fast_call(expr: n.Call, scope: Scope) -> Fn | None:
    """The same results as functions.py's general closures, without building node-sets."""
    name, args = expr.name, expr.args
    if name in ("selected", "is-selected", "jr:selected") and len(args) == 2:
        value, wanted = args
        if isinstance(wanted, n.String) and wanted.value.strip() and _one_string(value, scope):
            needle, text = wanted.value.strip(), _string_fn(value, scope)
            return _boolean(lambda rt, node: needle in text(rt, node).split())
    if name == "count-selected" and len(args) == 1 and _one_string(args[0], scope):
        text = _string_fn(args[0], scope)
        return lambda rt, node: float(len(text(rt, node).split()))
    if name == "not" and len(args) == 1:
        operand = _compile(args[0], scope)
        if operand in BOOLEAN:
            return _boolean(lambda rt, node: not operand(rt, node))
        boolean = v.to_boolean
        return _boolean(lambda rt, node: not boolean(operand(rt, node)))
    return None


def _arithmetic(op: str) -> Callable[[Value, Value], Value]:
    return lambda a, b: v.arithmetic(op, a, b)


# -- location paths ---------------------------------------------------------------------------


def _nodeset_fn(expr: n.Expr, scope: Scope) -> Callable[[Runtime, Node], list[Node]]:
    if isinstance(expr, n.Path):
        steps = [_step(s, scope) for s in expr.steps]
        if expr.absolute:
            root = scope.root
            first = expr.steps[0] if expr.steps else None
            if first is not None and first.axis == "child":
                # The first step names the form's root element, whatever the form id is.
                root_predicates = [_compile(p, scope) for p in first.predicates]
                steps = steps[1:]
            else:
                root_predicates = []

            def absolute(rt: Runtime, node: Node) -> list[Node]:
                found = _filter(rt, [(root, ())], root_predicates)
                for step in steps:
                    found = step(rt, found)
                return found

            return absolute

        def relative(rt: Runtime, node: Node) -> list[Node]:
            found = [node]
            for step in steps:
                found = step(rt, found)
            return found

        return relative
    if isinstance(expr, n.Filter):
        primary = _compile(expr.primary, scope)
        predicates = [_compile(p, scope) for p in expr.predicates]
        steps = [_step(s, scope) for s in expr.steps]

        def filtered(rt: Runtime, node: Node) -> list[Node]:
            value = primary(rt, node)
            if not isinstance(value, NodeSet):
                raise CannotCheckError("a path step was applied to something that is not a node")
            found = _filter(rt, value.nodes, predicates)
            for step in steps:
                found = step(rt, found)
            return found

        return filtered
    if isinstance(expr, n.Ref):
        target = scope.by_name.get(expr.name)
        if target is None:
            raise XLSFormError(f"${{{expr.name}}} does not name a question of this form")
        scope.refs.append(target)
        return ref_nodes(target, scope)
    value_fn = _compile(expr, scope)

    def as_nodes(rt: Runtime, node: Node) -> list[Node]:
        value = value_fn(rt, node)
        if isinstance(value, NodeSet):
            return value.nodes
        raise CannotCheckError("a node-set was expected")

    return as_nodes


def _filter(rt: Runtime, nodes: list[Node], predicates: list[Fn]) -> list[Node]:
    for predicate in predicates:
        kept = []
        saved = rt.ctx_pos, rt.ctx_size
        size = len(nodes)
        for position, node in enumerate(nodes, start=1):
            rt.ctx_pos, rt.ctx_size = position, size
            result = predicate(rt, node)
            if isinstance(result, float) and not isinstance(result, bool):
                if result == position:
                    kept.append(node)
            elif v.to_boolean(result):
                kept.append(node)
        rt.ctx_pos, rt.ctx_size = saved
        nodes = kept
    return nodes


def _step(step: n.Step, scope: Scope) -> NodesFn:
    predicates = [_compile(p, scope) for p in step.predicates]
    test = step.test
    axis = step.axis

    def matches(elem: Element) -> bool:
        return test in ("*", "node()") or elem.name == test

    if axis == "child":

        def child(rt: Runtime, nodes: list[Node]) -> list[Node]:
            out: list[Node] = []
            for elem, idx in nodes:
                kids = (
                    elem.children.values()
                    if test in ("*", "node()")
                    else ([elem.children[test]] if test in elem.children else [])
                )
                for kid in kids:
                    if kid.kind == "repeat":
                        found = [(kid, (*idx, k)) for k in range(1, rt.count(kid, idx) + 1)]
                    else:
                        found = [(kid, idx)]
                    out.extend(_filter(rt, found, predicates) if predicates else found)
            return out

        return child
    if axis == "parent":

        def parent(rt: Runtime, nodes: list[Node]) -> list[Node]:
            out: list[Node] = []
            for elem, idx in nodes:
                up = elem.parent
                if up is not None and matches(up):
                    out.append((up, idx[:-1] if elem.kind == "repeat" else idx))
            return _filter(rt, _dedupe(out), predicates)

        return parent
    if axis == "self":

        def self_(rt: Runtime, nodes: list[Node]) -> list[Node]:
            return _filter(rt, [x for x in nodes if matches(x[0])], predicates)

        return self_
    if axis in ("descendant", "descendant-or-self"):
        include_self = axis == "descendant-or-self"

        def descendant(rt: Runtime, nodes: list[Node]) -> list[Node]:
            out: list[Node] = []
            for elem, idx in nodes:
                found = _descendants(rt, elem, idx)
                if include_self:
                    found.insert(0, (elem, idx))
                out.extend(x for x in found if matches(x[0]))
            return _filter(rt, _dedupe(out), predicates)

        return descendant
    if axis in ("ancestor", "ancestor-or-self"):
        include_self = axis == "ancestor-or-self"

        def ancestor(rt: Runtime, nodes: list[Node]) -> list[Node]:
            out: list[Node] = []
            for elem, idx in nodes:
                chain = [(elem, idx)] if include_self else []
                cur, cidx = elem, idx
                while cur.parent is not None:
                    cidx = cidx[:-1] if cur.kind == "repeat" else cidx
                    cur = cur.parent
                    chain.append((cur, cidx))
                out.extend(x for x in chain if matches(x[0]))
            return _filter(rt, _dedupe(out), predicates)

        return ancestor
    if axis == "attribute":
        return lambda rt, nodes: []

    def unsupported(rt: Runtime, nodes: list[Node]) -> list[Node]:
        raise CannotCheckError(f"the XPath axis {axis}:: is not supported")

    return unsupported


def _descendants(rt: Runtime, elem: Element, idx: Idx) -> list[Node]:
    out: list[Node] = []
    for kid in elem.children.values():
        if kid.kind == "repeat":
            for k in range(1, rt.count(kid, idx) + 1):
                out.append((kid, (*idx, k)))
                out.extend(_descendants(rt, kid, (*idx, k)))
        else:
            out.append((kid, idx))
            out.extend(_descendants(rt, kid, idx))
    return out


def _dedupe(nodes: list[Node]) -> list[Node]:
    if len(nodes) < 2:
        return nodes
    seen: dict[tuple[int, Idx], Node] = {}
    for node in nodes:
        seen.setdefault((node[0].id, node[1]), node)
    return sorted(seen.values(), key=lambda x: (x[0].order, x[1]))
