"""The compiled form's records: questions, findings, form errors, and the element tree."""

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validation.xlsform.nodes import Expr
    from validation.xlsform.runtime import Runtime
    from validation.xlsform.values import Node, Value


@dataclass(frozen=True)
class Question:
    """One survey row (question, group or repeat) as the form author wrote it."""

    name: str
    path: str
    type: str
    list_name: str | None
    labels: dict[str, str]
    relevant: str = ""
    constraint: str = ""
    constraint_messages: dict[str, str] = field(default_factory=dict)
    required: bool | str = False
    calculation: str = ""
    choice_filter: str = ""
    repeat_count: str = ""
    group_path: str = ""


@dataclass(frozen=True)
class FormError:
    """An expression the compiler rejects; its question is checked without it."""

    name: str
    path: str
    column: str
    expression: str
    message: str


class Finding:
    """One finding: the verdict (code, path, name, severity, expression) and its words.

    Read-only, like a frozen dataclass. The message and the values it quotes may be built
    when first read (lazy_finding): checking a submission then costs what its verdicts cost,
    and words are written only for the findings someone stores or shows.
    """

    __slots__ = (
        "_build",
        "_code",
        "_expression",
        "_message",
        "_name",
        "_path",
        "_severity",
        "_values",
    )

    def __init__(
        self,
        code: str,
        path: str,
        name: str,
        message: str,
        severity: str,
        values: dict[str, str] | None = None,
        expression: str | None = None,
    ) -> None:
        self._code, self._path, self._name, self._severity = code, path, name, severity
        self._message, self._values, self._expression = message, values or {}, expression
        self._build: tuple[Any, ...] | None = None

    code: str = property(attrgetter("_code"))  # type: ignore[assignment]
    path: str = property(attrgetter("_path"))  # type: ignore[assignment]
    name: str = property(attrgetter("_name"))  # type: ignore[assignment]
    severity: str = property(attrgetter("_severity"))  # type: ignore[assignment]
    expression: str | None = property(attrgetter("_expression"))  # type: ignore[assignment]

    @property
    def message(self) -> str:
        if self._build is not None:
            self._write()
        return self._message

    @property
    def values(self) -> dict[str, str]:
        if self._build is not None:
            self._write()
        return self._values

    def _write(self) -> None:
        build = self._build
        assert build is not None  # noqa: S101 - called only while the words are pending
        self._message, self._values = build[0](*build[1:])
        self._build = None

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, as dataclasses.asdict would give them."""
        return {
            "code": self._code,
            "path": self._path,
            "name": self._name,
            "message": self.message,
            "severity": self._severity,
            "values": self.values,
            "expression": self._expression,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self._code, self._path, self._name, self._severity, self._expression))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items())
        return f"Finding({shown})"


def lazy_finding(
    code: str,
    path: str,
    name: str,
    severity: str,
    expression: str | None,
    build: Callable[..., tuple[str, dict[str, str]]],
    *args: Any,
) -> Finding:
    """A Finding whose (message, values) are build(*args), called when either is first read.

    For the checker's hot path (dozens a submission): build must read only state that no
    longer changes once the submission is checked (its runtime, the form's word caches).
    """
    finding: Finding = _new(Finding)
    finding._code, finding._path, finding._name, finding._severity = code, path, name, severity
    finding._expression, finding._build = expression, (build, *args)
    return finding


_new = object.__new__


class QuestionFinding(Finding):
    """A finding made of its question `_e` and `_build` = (words, its index, ...).

    The checker's most frequent findings (dozens a submission) are made so, with a few
    stores: their name and path follow from the question and index when read, and their
    message and quoted values from _write when first read. _build stays (the path reads it).
    """

    __slots__ = ("_e",)
    _e: "Element"
    _severity = "major"
    # Made bare, QuestionFinding() then a few stores: object's own __init__ (C) rather than
    # Finding's keeps the call in C, cheaper than object.__new__(cls) (dozens a submission).
    __init__ = object.__init__  # type: ignore[assignment]

    @property
    def _name(self) -> str:  # type: ignore[override]  # read-only: from the question
        return self._e.name

    # The verdict's parts read straight (a class attribute, one property), not through
    # Finding's attrgetter of the private name: every finding's are read when stored.
    @property
    def path(self) -> str:  # type: ignore[override]
        idx = self._build[1]  # type: ignore[index]
        return kobo_path(self._e, idx) if idx else self._e.path_segments[0]

    _path = path  # type: ignore[assignment]

    @property
    def message(self) -> str:
        try:
            return self._message
        except AttributeError:  # not written yet
            self._write()
            return self._message

    @property
    def values(self) -> dict[str, str]:
        try:
            return self._values
        except AttributeError:
            self._write()
            return self._values


class Skipped(QuestionFinding):
    """skip_logic.not_relevant: the answer `_x`; _build = (words, index, decider, its index).

    The findings of one skipped group share their _build; the expression is the decider's
    relevant.
    """

    __slots__ = ("_x",)
    _x: str
    code = _code = "skip_logic.not_relevant"  # type: ignore[assignment]

    @property
    def expression(self) -> str | None:  # type: ignore[override]
        relevant = self._build[2].relevant  # type: ignore[index]
        return relevant.text if relevant is not None else None

    _expression = expression  # type: ignore[assignment]

    def _write(self) -> None:
        words, idx, decider, didx = self._build  # type: ignore[misc]
        self._message, self._values = words(self._e, idx, self._x, decider, didx)


class TopSkipped(QuestionFinding):
    """A Skipped outside repeats, as the generated passes make it.

    Its path and expression (the form's own strings) are stored when it is made and read
    straight from Finding's slots. Skipped's sibling, not its subclass: one class less
    between it and object makes it cheaper to make and free (dozens a submission).
    """

    __slots__ = ("_x",)
    _x: str
    code = _code = Skipped.code
    # Finding's slot descriptors again: C reads, no property call (every one is read when
    # stored); writable as any slot, but the checker is the one writer.
    path = _path = Finding._path  # type: ignore[assignment,misc]
    expression = _expression = Finding._expression  # type: ignore[assignment,misc]
    _write = Skipped._write


class Missing(QuestionFinding):
    """skip_logic.required_missing of a question always required; _build = (words, index)."""

    __slots__ = ()
    code = _code = "skip_logic.required_missing"  # type: ignore[assignment]
    expression = _expression = None  # type: ignore[assignment]

    def _write(self) -> None:
        self._message, self._values = self._build[0](self._e)  # type: ignore[index]


@dataclass(frozen=True)
class Choice:
    name: str
    labels: dict[str, str]
    columns: dict[str, str]


Fn = Callable[["Runtime", "Node"], "Value"]


@dataclass(frozen=True)
class Compiled:
    """An expression compiled for one context element; `refs` lets messages quote values."""

    text: str
    ast: "Expr"
    fn: Fn
    refs: "tuple[Element, ...]"


# How a question's answer must look (JavaRosa refuses other text for these types).
VALUE_KINDS = {
    "integer": "int",
    "decimal": "dec",
    "range": "dec",
    "date": "date",
    "dateTime": "datetime",
    "time": "time",
    "geopoint": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "select_one": "select1",
    "select_multiple": "selectm",
    "rank": "selectm",
}
META_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
        "xml-external",
        "csv-external",
        "instanceID",
        "uri:deviceid",
    }
)
# Never reported: the device fills them, or they are computed.
SILENT_TYPES = META_TYPES | {"calculate", "hidden"}


class Element:
    """A node of the form's instance tree (root, group, repeat or leaf) plus compiled logic."""

    __slots__ = (
        "ancestors",
        "calc",
        "children",
        "choice_filter",
        "choices",
        "constraint",
        "id",
        "key",
        "kind",
        "leaves",
        "list_name",
        "name",
        "or_other",
        "order",
        "parent",
        "path_segments",
        "question",
        "read_early",
        "relevant",
        "relevant_reads",
        "repeat_count",
        "repeats",
        "required",
        "silent",
        "type",
        "value_kind",
        "xpath",
    )

    def __init__(
        self, ident: int, name: str, kind: str, typ: str, parent: "Element | None", xpath: str
    ) -> None:
        self.id = ident
        # Its runtime key outside repeats, one object: the generated passes' constants and the
        # submission's keys are then the same, and a dict finds them by identity.
        self.key: tuple[int, tuple[int, ...]] = (ident, ())
        self.order = ident
        self.name = name
        self.kind = kind  # root group repeat leaf
        self.type = typ
        self.parent = parent
        self.xpath = xpath
        self.question: Question | None = None
        self.children: dict[str, Element] = {}
        self.leaves: list[Element] = []  # leaves under this container, in document order
        own = (self,) if kind == "repeat" else ()
        self.repeats: tuple[Element, ...] = (parent.repeats if parent else ()) + own
        # Groups and repeats holding this element, innermost first (the root excluded).
        above = parent if parent is not None and parent.kind != "root" else None
        self.ancestors: tuple[Element, ...] = (above, *above.ancestors) if above else ()
        # kobo_path's text between repeat indices: a/rep1/b/rep2/c -> ("a/rep1", "/b/rep2", "/c").
        segments = [*above.path_segments] if above else [""]
        segments[-1] += f"/{name}" if above else name
        if kind == "repeat":
            segments.append("")
        self.path_segments: tuple[str, ...] = tuple(segments) if kind != "root" else ("",)
        self.value_kind = VALUE_KINDS.get(typ, "text")
        self.silent = typ in SILENT_TYPES
        self.list_name: str | None = None
        self.choices: dict[str, Choice] | None = None
        self.or_other = False
        self.read_early = False  # read by an expression placed before it in document order
        self.relevant: Compiled | None = None
        # The answer keys messages quote for `relevant` (checker._plain_reads); False: not yet.
        self.relevant_reads: tuple[tuple[int, tuple[int, ...]], ...] | bool | None = False
        self.calc: Compiled | None = None
        self.constraint: Compiled | None = None
        self.required: bool | Compiled = False
        self.choice_filter: Compiled | None = None
        self.repeat_count: Compiled | None = None

    def __repr__(self) -> str:
        return f"<Element {self.xpath or '/'}>"

    def labels(self) -> dict[str, str]:
        return self.question.labels if self.question else {}


def kobo_path(elem: Element, idx: tuple[int, ...]) -> str:
    """KoBo key with a 1-based index after each repeat: `household/member[2]/age`."""
    segments = elem.path_segments
    if len(segments) == 1:
        return segments[0]
    if len(segments) == 2 and idx:
        return f"{segments[0]}[{idx[0]}]{segments[1]}"
    parts: list[str] = []
    for depth, segment in enumerate(segments[:-1]):
        parts.append(segment)
        if depth < len(idx):
            parts.append(f"[{idx[depth]}]")
    parts.append(segments[-1])
    return "".join(parts)
