"""Exceptions of the XLSForm engine; every one is a ValueError so callers can catch one type."""


class XLSFormError(ValueError):
    """A form, or something in it, that the engine cannot use."""


class ExpressionSyntaxError(XLSFormError):
    """An expression that does not parse; `column` is 1-based, as a form author counts."""

    def __init__(self, message: str, expression: str, column: int) -> None:
        self.reason = message
        self.expression = expression
        self.column = column
        super().__init__(f"{message} (column {column})")


class EvaluationError(XLSFormError):
    """An expression that parsed but cannot be evaluated on this submission."""


class CannotCheckError(EvaluationError):
    """Evaluation needs something the engine does not have (pulldata, external instances...)."""


class UnknownFunctionError(CannotCheckError):
    """A function the engine does not implement; the form may still be valid in ODK."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"the function {name}() is not supported")
