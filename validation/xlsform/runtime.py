"""One submission's state while its form logic is evaluated.

Answers are keyed by (element id, repeat index tuple). `values` is what expressions see:
the submitted answer while its question is relevant, nothing otherwise (ODK drops
non-relevant values), and computed calculates where the submission has none.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from validation.xlsform.model import Element
from validation.xlsform.values import Idx, Node

Key = tuple[int, Idx]


class Runtime:
    __slots__ = (
        "_instances",
        "choice_row",
        "counts",
        "ctx_pos",
        "ctx_size",
        "current",
        "evaluations",
        "extra",
        "node_tables",
        "now",
        "raw",
        "reasons",
        "rel",
        "tainted",
        "unknown",
        "values",
    )

    def __init__(self, now: dt.datetime) -> None:
        self.raw: dict[Key, str] = {}
        self.values: dict[Key, str] = {}
        self.counts: dict[Key, int] = {}
        self.rel: dict[Key, bool | None] = {}  # None: relevance cannot be known offline
        self.reasons: dict[Key, str] = {}  # why a node's relevance cannot be known
        self.unknown: set[Key] = set()  # values nobody can know offline (failed calculates...)
        self.extra: list[str] = []  # answers in the data for questions the form does not have
        self.now = now
        self.current: Node | None = None  # the node whose expression is being evaluated
        self.choice_row: dict[str, str] | None = None  # the choice a choice_filter is testing
        self.ctx_pos = 1
        self.ctx_size = 1
        self.tainted = False
        self.evaluations = 0
        self._instances: dict[tuple[Element, ...], tuple[Idx, ...]] = {(): ((),)}
        # repeats -> the form's table of nodes for this submission's instances of them
        self.node_tables: dict[tuple[Element, ...], dict[int, list[Any]]] = {}

    # -- reading -------------------------------------------------------------------------
    def value(self, elem: Element, idx: Idx) -> str:
        key = (elem.id, idx)
        if self.unknown and key in self.unknown:
            self.tainted = True
        return self.values.get(key, "")

    def string(self, elem: Element, idx: Idx) -> str:
        if elem.kind == "leaf":
            return self.value(elem, idx)
        return "".join(self.value(leaf, i) for leaf, i in self.leaf_nodes(elem, idx))

    def strings(self, nodes: list[Node]) -> list[str]:
        return [self.string(e, i) for e, i in nodes]

    def count(self, repeat: Element, parent: Idx) -> int:
        return self.counts.get((repeat.id, parent), 0)

    def expand(self, repeats: tuple[Element, ...], base: Idx) -> list[Idx]:
        """Every index tuple of the instances of `repeats` (nested, outermost first) under base."""
        found = [base]
        for repeat in repeats:
            found = [(*i, k) for i in found for k in range(1, self.count(repeat, i) + 1)]
        return found

    def instances_of(self, repeats: tuple[Element, ...]) -> tuple[Idx, ...]:
        """expand(repeats, ()) remembered: the counts are fixed once the data is loaded."""
        found = self._instances.get(repeats)
        if found is None:
            found = self._instances[repeats] = tuple(self.expand(repeats, ()))
        return found

    def instances(self, elem: Element) -> list[Idx]:
        """Index tuples of every instance of `elem` in this submission."""
        return self.expand(elem.repeats, ())

    def leaf_nodes(self, elem: Element, idx: Idx) -> list[Node]:
        out: list[Node] = []
        for leaf in elem.leaves:
            extra = leaf.repeats[len(elem.repeats) :]
            out.extend((leaf, i) for i in self.expand(extra, idx))
        return out

    # -- loading -------------------------------------------------------------------------
    def load(self, root: Element, data: Mapping[str, Any], keys: "KeyCache | None" = None) -> None:
        """Read a submission's answers; `keys` remembers where each data key goes, per form."""
        self._load(root, (), data, "", {} if keys is None else keys)

    def _load(
        self, container: Element, idx: Idx, data: Mapping[str, Any], prefix: str, keys: "KeyCache"
    ) -> None:
        level = keys.get(container.id)
        if level is None:
            level = keys[container.id] = ({}, {})
        known, plain = level
        raw, plain_get = self.raw, plain.get
        for key, answer in data.items():
            top = plain_get(key)
            if top is not None and type(answer) is str:  # most keys: a question's text
                if answer:
                    raw[(top[0], idx) if idx else top] = answer
                continue
            place = known.get(key)
            if place is None:
                place = _place(container, key, prefix)
                if len(known) < MAX_KEYS:
                    known[key] = place
                    if place[0] is _LEAF:
                        plain[key] = place[2]
            action, elem, top = place
            if action is _LEAF:
                if type(answer) is str:
                    if answer:
                        raw[(elem.id, idx) if idx else top] = answer
                elif not isinstance(answer, list | dict):
                    text = _text(answer)
                    if text != "":
                        raw[(elem.id, idx) if idx else top] = text
            elif action is _REPEAT:
                if not isinstance(answer, list):
                    self.extra.append(key)
                    continue
                self.counts[(elem.id, idx)] = len(answer)
                inner = elem.xpath + "/"
                for k, item in enumerate(answer, start=1):
                    if isinstance(item, Mapping):
                        self._load(elem, (*idx, k), item, inner, keys)
            elif action is _EXTRA:
                self.extra.append(key)


# Where a data key goes: (what to do with its answer, the element it answers, the element's
# key outside repeats, made once).
_LEAF, _REPEAT, _EXTRA, _SKIP = "leaf", "repeat", "extra", "skip"
Place = tuple[str, Element, Key]
# container element id -> (data key -> place, data key of a question -> its key outside repeats)
KeyCache = dict[int, tuple[dict[Any, Place], dict[Any, Key]]]
MAX_KEYS = 10_000  # a level's keys are the form's paths; odd data may bring others: stop there


def _place(container: Element, key: Any, prefix: str) -> Place:
    if not isinstance(key, str) or key.startswith("_"):
        return _SKIP, container, (container.id, ())  # KoBo's own keys: _id, _uuid...
    elem = _find(container, key, prefix)
    if elem is None:
        if key.startswith(("meta/", "formhub/")) or key == "__version__":
            return _SKIP, container, (container.id, ())
        return _EXTRA, container, (container.id, ())
    if elem.kind == "leaf":
        return _LEAF, elem, (elem.id, ())
    # a group's key has no answer
    return (_REPEAT if elem.kind == "repeat" else _SKIP), elem, (elem.id, ())


def _text(answer: Any) -> str:
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return "" if answer is None else str(answer)


def _find(container: Element, key: str, prefix: str) -> Element | None:
    """The element for a KoBo key: full path (KoBo) or, leniently, relative to the container."""
    path = key.removeprefix(prefix) if prefix and key.startswith(prefix) else key
    node = container
    if not prefix or key.startswith(prefix):
        for part in path.split("/"):
            child = node.children.get(part)
            if child is None:
                node = container
                break
            node = child
        else:
            return _same_repeat_level(container, node)
    # A key relative to the root inside a repeat instance (some exports strip nothing).
    node = container
    while node.parent is not None:
        node = node.parent
    for part in key.split("/"):
        child = node.children.get(part)
        if child is None:
            return None
        node = child
    return _same_repeat_level(container, node)


def _same_repeat_level(container: Element, elem: Element) -> Element | None:
    """Only keys whose enclosing repeat is the container belong to this level of the data."""
    expected = container.repeats
    inner = elem.repeats[:-1] if elem.kind == "repeat" else elem.repeats
    return elem if inner == expected else None
