"""The compiled form's records: questions, findings, form errors, and the element tree."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    name: str
    message: str
    severity: str
    values: dict[str, str] = field(default_factory=dict)
    expression: str | None = None


def make_finding(
    code: str,
    path: str,
    name: str,
    message: str,
    severity: str,
    values: dict[str, str],
    expression: str | None,
) -> Finding:
    """Finding(...) for the checker's hot path (dozens a submission).

    The frozen dataclass's __init__ sets each field through object.__setattr__; filling the
    instance's __dict__ at once gives the same object in half the time.
    """
    finding: Finding = object.__new__(Finding)
    finding.__dict__.update(
        code=code,
        path=path,
        name=name,
        message=message,
        severity=severity,
        values=values,
        expression=expression,
    )
    return finding


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
