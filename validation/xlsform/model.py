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
        "question",
        "read_early",
        "relevant",
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
        self.value_kind = VALUE_KINDS.get(typ, "text")
        self.silent = typ in SILENT_TYPES
        self.list_name: str | None = None
        self.choices: dict[str, Choice] | None = None
        self.or_other = False
        self.read_early = False  # read by an expression placed before it in document order
        self.relevant: Compiled | None = None
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
    parts: list[str] = []
    chain: list[Element] = []
    node: Element | None = elem
    while node is not None and node.kind != "root":
        chain.append(node)
        node = node.parent
    depth = 0
    for item in reversed(chain):
        if item.kind == "repeat" and depth < len(idx):
            parts.append(f"{item.name}[{idx[depth]}]")
            depth += 1
        else:
            parts.append(item.name)
    return "/".join(parts)
