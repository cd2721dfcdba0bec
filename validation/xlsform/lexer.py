"""Tokenizer for ODK XPath expressions, with XLSForm `${name}` references."""

import re
from typing import NamedTuple

from validation.xlsform.errors import ExpressionSyntaxError

MAX_LENGTH = 10_000


class Token(NamedTuple):
    kind: str  # num str ref name opname op var eof
    text: str
    pos: int  # 0-based offset into the expression


# XPath 1.0 §3.7: after these tokens `*` is a name test and a name is a name, not an operator.
_OPERAND_EXPECTED = {
    "@",
    "::",
    "(",
    "[",
    ",",
    "and",
    "or",
    "mod",
    "div",
    "/",
    "//",
    "|",
    "+",
    "-",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
}
_OPERATOR_NAMES = {"and", "or", "mod", "div"}
_NAME = re.compile(r"[^\W\d][\w.\-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")  # XPath Digits are ASCII only
_REF = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")
_SYMBOLS = (
    "!=",
    "<=",
    ">=",
    "//",
    "::",
    "..",
    "(",
    ")",
    "[",
    "]",
    ",",
    "@",
    "|",
    "+",
    "-",
    "=",
    "<",
    ">",
    "/",
    "*",
    ".",
)
_DIGITS = frozenset("0123456789")  # not str.isdigit(): '²' and '٣' are no XPath digits
_SMART_QUOTES = "‘’‚‛“”„‟′″"


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; raises ExpressionSyntaxError with the offending column."""
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"expression is longer than {MAX_LENGTH} characters", text, MAX_LENGTH + 1
        )
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        prev = tokens[-1].text if tokens else None
        operand_expected = prev is None or (
            tokens[-1].kind in ("op", "opname")
            and (prev in _OPERAND_EXPECTED or tokens[-1].kind == "opname")
        )
        if char in "'\"":
            close = text.find(char, pos + 1)
            if close < 0:
                raise ExpressionSyntaxError("string is not closed", text, pos + 1)
            tokens.append(Token("str", text[pos + 1 : close], pos))
            pos = close + 1
            continue
        if char == "$":
            if text.startswith("${", pos):
                match = _REF.match(text, pos)
                if match is None:
                    raise ExpressionSyntaxError(
                        "malformed ${...} reference (expected ${question_name})", text, pos + 1
                    )
                tokens.append(Token("ref", match.group(1), pos))
                pos = match.end()
                continue
            match = _NAME.match(text, pos + 1)
            if match is None:
                raise ExpressionSyntaxError("'$' must start ${name} or $variable", text, pos + 1)
            tokens.append(Token("var", match.group(), pos))
            pos = match.end()
            continue
        if char in _DIGITS or (char == "." and pos + 1 < end and text[pos + 1] in _DIGITS):
            match = _NUMBER.match(text, pos)
            assert match is not None  # noqa: S101 - guarded by the digit test above
            tokens.append(Token("num", match.group(), pos))
            pos = match.end()
            continue
        match = _NAME.match(text, pos)
        if match is not None:
            name = match.group()
            # A QName may carry a prefix (jr:choice-name, odk:...); `a::b` is an axis instead.
            after = match.end()
            if text.startswith(":", after) and not text.startswith("::", after):
                local = _NAME.match(text, after + 1)
                if local is not None:
                    name, after = f"{name}:{local.group()}", local.end()
                elif text.startswith("*", after + 1):
                    name, after = f"{name}:*", after + 2
            kind = "opname" if not operand_expected and name in _OPERATOR_NAMES else "name"
            tokens.append(Token(kind, name, pos))
            pos = after
            continue
        for symbol in _SYMBOLS:
            if text.startswith(symbol, pos):
                kind = "op"
                if symbol == "*" and not operand_expected:
                    kind = "opname"
                tokens.append(Token(kind, symbol, pos))
                pos += len(symbol)
                break
        else:
            if char in _SMART_QUOTES:
                raise ExpressionSyntaxError(
                    f"typographic quote {char!r}: use a straight quote ' or \"", text, pos + 1
                )
            raise ExpressionSyntaxError(f"unexpected character {char!r}", text, pos + 1)
    tokens.append(Token("eof", "", end))
    return tokens
