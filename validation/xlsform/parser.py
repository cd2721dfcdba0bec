"""Recursive-descent XPath 1.0 parser (ODK dialect) with bounded length and nesting depth."""

import functools

from validation.xlsform import nodes as n
from validation.xlsform.errors import ExpressionSyntaxError
from validation.xlsform.lexer import Token, tokenize

MAX_DEPTH = 100
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
_AXES = {
    "ancestor",
    "ancestor-or-self",
    "attribute",
    "child",
    "descendant",
    "descendant-or-self",
    "following",
    "following-sibling",
    "namespace",
    "parent",
    "preceding",
    "preceding-sibling",
    "self",
}


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> n.Expr:
    """Parse an expression once (cached); raises ExpressionSyntaxError, nothing else."""
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def fail(self, message: str, token: Token | None = None) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, self.text, (token or self.tok).pos + 1)

    def found(self) -> str:
        return "the end of the expression" if self.tok.kind == "eof" else repr(self.tok.text)

    def expect(self, text: str) -> None:
        if self.tok.kind not in ("op", "opname") or self.tok.text != text:
            raise self.fail(f"expected '{text}' but found {self.found()}")
        self.i += 1

    def is_op(self, *texts: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in texts

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> n.Expr:
        if self.tok.kind == "eof":
            raise self.fail("expression is empty")
        expr = self.expr()
        if self.tok.kind != "eof":
            raise self.fail(f"unexpected {self.found()}")
        return expr

    def expr(self) -> n.Expr:
        """Operator-precedence loop: binary operators never recurse, so `a or b or ...` is flat."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression is nested more than {MAX_DEPTH} levels deep")
        operands = [self.unary()]
        operators: list[str] = []
        while self.tok.kind == "opname" or (self.tok.kind == "op" and self.tok.text in _PRECEDENCE):
            op = self.tok.text
            if op not in _PRECEDENCE:
                raise self.fail(f"unexpected {self.found()}")
            while operators and _PRECEDENCE[operators[-1]] >= _PRECEDENCE[op]:
                _reduce(operands, operators)
            operators.append(op)
            self.i += 1
            operands.append(self.unary())
        while operators:
            _reduce(operands, operators)
        self.depth -= 1
        return operands[0]

    def unary(self) -> n.Expr:
        minus = 0
        while self.is_op("-"):
            minus += 1
            self.i += 1
        operand = self.union()
        if minus % 2:
            return n.Negate(operand)
        # `--x` is number(x) in XPath 1.0.
        return n.Call("number", (operand,), -1) if minus else operand

    def union(self) -> n.Expr:
        parts = [self.path_expr()]
        while self.is_op("|"):
            self.i += 1
            parts.append(self.path_expr())
        return parts[0] if len(parts) == 1 else n.Union(tuple(parts))

    def path_expr(self) -> n.Expr:
        tok = self.tok
        if tok.kind == "op" and tok.text in ("/", "//"):
            self.i += 1
            steps: list[n.Step] = []
            if tok.text == "//":
                steps.append(n.Step("descendant-or-self", "node()", ()))
                steps.extend(self.relative_path())
            elif self.starts_step():
                steps.extend(self.relative_path())
            return n.Path(True, tuple(steps))
        if self.starts_step():
            return n.Path(False, tuple(self.relative_path()))
        primary = self.primary()
        predicates = self.predicates()
        trailing: list[n.Step] = []
        if self.is_op("/", "//"):
            trailing = self.path_tail()
        if not predicates and not trailing:
            return primary
        return n.Filter(primary, tuple(predicates), tuple(trailing))

    def path_tail(self) -> list[n.Step]:
        """`/step//step...`: a loop, so a path of thousands of steps does not recurse."""
        steps: list[n.Step] = []
        while self.is_op("/", "//"):
            if self.tok.text == "//":
                steps.append(n.Step("descendant-or-self", "node()", ()))
            self.i += 1
            steps.append(self.step())
        return steps

    def starts_step(self) -> bool:
        tok, nxt = self.tok, self.peek()
        if tok.kind == "op":
            return tok.text in (".", "..", "@", "*")
        if tok.kind != "name":
            return False
        if nxt.kind == "op" and nxt.text == "(":
            return tok.text in _NODE_TYPES
        return True

    def relative_path(self) -> list[n.Step]:
        return [self.step(), *self.path_tail()]

    def step(self) -> n.Step:
        tok = self.tok
        if self.is_op("."):
            self.i += 1
            return n.Step("self", "node()", tuple(self.predicates()))
        if self.is_op(".."):
            self.i += 1
            return n.Step("parent", "node()", tuple(self.predicates()))
        axis = "child"
        if self.is_op("@"):
            axis = "attribute"
            self.i += 1
        elif tok.kind == "name" and self.peek().kind == "op" and self.peek().text == "::":
            if tok.text not in _AXES:
                raise self.fail(f"unknown axis {tok.text!r}")
            axis = tok.text
            self.i += 2
        test = self.node_test()
        return n.Step(axis, test, tuple(self.predicates()))

    def node_test(self) -> str:
        tok = self.tok
        if tok.kind == "op" and tok.text == "*":
            self.i += 1
            return "*"
        if tok.kind != "name":
            raise self.fail(f"expected a name but found {self.found()}")
        self.i += 1
        if tok.text in _NODE_TYPES and self.is_op("("):
            self.i += 1
            self.expect(")")
            return tok.text + "()"
        return tok.text

    def predicates(self) -> list[n.Expr]:
        found: list[n.Expr] = []
        while self.is_op("["):
            self.i += 1
            found.append(self.expr())
            self.expect("]")
        return found

    def primary(self) -> n.Expr:
        tok = self.tok
        if tok.kind == "str":
            self.i += 1
            return n.String(tok.text)
        if tok.kind == "num":
            self.i += 1
            return n.Number(float(tok.text))
        if tok.kind == "ref":
            self.i += 1
            return n.Ref(tok.text, tok.pos)
        if tok.kind == "var":
            self.i += 1
            return n.Variable(tok.text, tok.pos)
        if self.is_op("("):
            self.i += 1
            inner = self.expr()
            self.expect(")")
            return inner
        if tok.kind == "name" and self.peek().kind == "op" and self.peek().text == "(":
            return self.call()
        if tok.kind == "eof":
            raise self.fail("expression ends too early")
        raise self.fail(f"unexpected {self.found()}")

    def call(self) -> n.Call:
        tok = self.tok
        self.i += 2
        args: list[n.Expr] = []
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression is nested more than {MAX_DEPTH} levels deep")
        if not self.is_op(")"):
            args.append(self.expr())
            while self.is_op(","):
                self.i += 1
                args.append(self.expr())
        if not self.is_op(")"):
            raise self.fail(f"expected ',' or ')' in {tok.text}() but found {self.found()}")
        self.i += 1
        self.depth -= 1
        return n.Call(tok.text, tuple(args), tok.pos)


def _reduce(operands: list[n.Expr], operators: list[str]) -> None:
    op = operators.pop()
    right = operands.pop()
    left = operands.pop()
    if op in ("or", "and"):
        if isinstance(left, n.Logical) and left.op == op:
            operands.append(n.Logical(op, (*left.operands, right)))
        else:
            operands.append(n.Logical(op, (left, right)))
        return
    level = _PRECEDENCE[op]
    if isinstance(left, n.Chain) and _PRECEDENCE[left.rest[0][0]] == level:
        operands.append(n.Chain(left.first, (*left.rest, (op, right))))
    else:
        operands.append(n.Chain(left, ((op, right),)))
