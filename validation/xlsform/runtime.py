"""One submission's state while its form logic is evaluated.

Answers are keyed by (element id, repeat index tuple). `values` is what expressions see:
the submitted answer while its question is relevant, nothing otherwise (ODK drops
non-relevant values), and computed calculates where the submission has none.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from validation.xlsform.model import Element
from validation.xlsform.values import Idx, Node

Key = tuple[int, Idx]


class Runtime:
    __slots__ = (
        "_instances",
        "answers",
        "choice_row",
        "counts",
        "ctx_pos",
        "ctx_size",
        "current",
        "evaluations",
        "extra",
        "inner",
        "keys",
        "node_tables",
        "now",
        "raw",
        "reasons",
        "rel",
        "tainted",
        "top",
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
        self.keys: NodeKeys | None = None  # the form's node keys, where load was given them
        # load_direct's: the submission itself (its answers are read in place, not into raw)
        self.top: Mapping[str, Any] | None = None
        self.answers: Sequence[str | None] = ()  # load_direct's: those outside repeats, in order
        self.inner: dict[int, list[Any]] = {}  # and those of the repeats it reads so

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
            # A repeat in no other: ((1,), (2,), ...) made once per count.
            count = self.counts.get((repeats[0].id, ()), 0) if len(repeats) == 1 else -1
            small = 0 <= count < len(_FIRST)
            found = _FIRST[count] if small else tuple(self.expand(repeats, ()))
            self._instances[repeats] = found
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

    def key(self, elem: Element, idx: Idx) -> Key:
        """The node's key: the form's own object where load was given them (NodeKeys)."""
        if not idx:
            return elem.key
        if self.keys is None:
            return (elem.id, idx)
        return self.keys.at(idx)[elem.id]

    # -- loading -------------------------------------------------------------------------
    def load(
        self,
        root: Element,
        data: Mapping[str, Any],
        keys: "KeyCache | None" = None,
        nodes: "NodeKeys | None" = None,
    ) -> None:
        """Read a submission's answers; `keys` remembers where each data key goes, per form.

        nodes: the form's key objects, for the answers' keys (NodeKeys).
        """
        self.keys = nodes
        self._load(root, (), data, "", {} if keys is None else keys)

    def load_direct(
        self,
        root: Element,
        data: Mapping[str, Any],
        paths: dict[int, frozenset[str]],
        order: tuple[str, ...],
        keys: "KeyCache",
        nodes: "NodeKeys",
    ) -> None:
        """load(), but answers are left where they are in the submission, read by KoBo path.

        For the one-pass function (merged.py): `answers`, the answers to the questions outside
        repeats (order: their paths, paths[root.id]), each read as load() reads it (as_text);
        inner[repeat id], for each repeat in paths (merged.read_in_place), one mapping per
        instance: KoBo's own where every key there is such a question's and every answer
        text, else a copy made as load() reads them. raw gets the other repeats' answers.
        """
        self.keys = nodes
        if type(data) is not dict:
            data = dict(data)
        self.top = data
        level = keys.get(root.id)
        if level is None:
            level = keys[root.id] = KeyLevel()
        if level.known is not None:
            known, read = level.known  # every key seen: the questions', the repeats', KoBo's
            # The submission laid over the known keys, all None: one C copy and update,
            # then each answer read with the template's own key (found by identity, no
            # string compare). A key the form has not seen makes the merge larger.
            merged = {**known, **data}
            if len(merged) == len(known):
                answers = read(merged)
                for key in level.repeats:
                    answer = merged[key]
                    if answer is not None:
                        self._outside(level, root, key, answer, paths, keys)
                if not _TEXT_OR_NONE.issuperset(map(type, answers)):
                    answers = list(map(as_text, answers))
                self.answers = answers
                return
        # keys first seen, or not the form's: each placed (remembered) as load() does
        for key in data.keys() - paths[root.id] - level.skipped:  # any order
            self._outside(level, root, key, data[key], paths, keys)
        if len(level.skipped) < MAX_KEYS:
            level.learn(order)
        self.answers = list(map(as_text, map(data.get, order)))

    def _outside(
        self,
        level: "KeyLevel",
        root: Element,
        key: Any,
        answer: Any,
        paths: dict[int, frozenset[str]],
        keys: "KeyCache",
    ) -> None:
        """load_direct's reading of a key outside repeats other than a question's."""
        action, elem = level.place(root, key, "")
        inner = paths.get(elem.id) if action is _REPEAT else None
        if inner is None or type(answer) is not list:
            self._other(level, level.instance(()), root, (), "", key, answer, keys)
            return
        self.counts[(elem.id, ())] = len(answer)
        self.inner[elem.id] = self._instances_in_place(elem, answer, inner, keys)

    def _instances_in_place(
        self, repeat: Element, items: list[Any], inner: frozenset[str], keys: "KeyCache"
    ) -> list[Any]:
        """A repeat's instances for load_direct: each its answers by KoBo path."""
        if (
            set(map(type, items)) == _DICT  # each a dict, each key a question, each answer text
            and all(map(inner.issuperset, items))
            and _TEXT.issuperset(map(type, chain.from_iterable(map(dict.values, items))))
        ):
            return items
        # Odd keys or answers: each instance loaded as load() does, then read back by path.
        prefix = repeat.xpath + "/"
        leaves = [(path, _find(repeat, path, prefix)) for path in inner]
        found: list[Any] = []
        for k, item in enumerate(items, start=1):
            if type(item) is dict or isinstance(item, Mapping):
                self._load(repeat, (k,), item, prefix, keys)
            answers = ((path, self.raw.get(self.key(e, (k,)))) for path, e in leaves if e)
            found.append({path: answer for path, answer in answers if answer})
        return found

    def _load(
        self, container: Element, idx: Idx, data: Mapping[str, Any], prefix: str, keys: "KeyCache"
    ) -> None:
        level = keys.get(container.id)
        if level is None:
            level = keys[container.id] = KeyLevel()
        known = level.instance(idx)
        raw, known_get, skipped = self.raw, known.get, level.skipped
        for key, answer in data.items():
            at = known_get(key)
            if at is not None and type(answer) is str:  # most keys: a question's text
                if answer:
                    raw[at] = answer
                continue
            if key in skipped:  # KoBo's own keys (_id, meta/...), seen before
                continue
            self._other(level, known, container, idx, prefix, key, answer, keys)

    def _other(
        self,
        level: "KeyLevel",
        known: dict[Any, Key],
        container: Element,
        idx: Idx,
        prefix: str,
        key: Any,
        answer: Any,
        keys: "KeyCache",
    ) -> None:
        """Any key but a remembered question's text: first seen, not a question, not text."""
        action, elem = level.place(container, key, prefix)
        if action is _LEAF:
            at = self.key(elem, idx)
            level.remember(known, key, at)
            text = as_text(answer)
            if text:  # raw keeps no empty answer
                self.raw[at] = text
        elif action is _REPEAT:
            if not isinstance(answer, list):
                self.extra.append(key)
                return
            self.counts[(elem.id, idx)] = len(answer)
            inner = elem.xpath + "/"
            for k, item in enumerate(answer, start=1):
                if type(item) is dict or isinstance(item, Mapping):
                    self._load(elem, (*idx, k), item, inner, keys)
        elif action is _EXTRA:
            self.extra.append(key)


class NodeKeys:
    """One key object per node of a form, (element id, index), made once per index.

    The submission's answers, the generated passes and the node tables then hold the same
    tuple for a node, and a dict finds it by identity rather than comparing tuples.
    Outside repeats the key is Element.key.
    """

    __slots__ = ("_depths", "_tables")

    def __init__(self, elements: list[Element]) -> None:
        self._depths: dict[int, list[Element]] = {}  # elements by how many repeats hold them
        for e in elements:
            self._depths.setdefault(len(e.repeats), []).append(e)
        self._tables: dict[Idx, dict[int, Key]] = {}

    def at(self, idx: Idx) -> dict[int, Key]:
        """Element id -> key of its node at idx, for every element as deep in repeats as idx."""
        found = self._tables.get(idx)
        if found is None:
            if len(self._tables) >= MAX_KEYS:
                self._tables.clear()
            elements = self._depths.get(len(idx), [])
            found = self._tables[idx] = {e.id: (e.id, idx) if idx else e.key for e in elements}
        return found


_DICT, _TEXT, _TEXT_OR_NONE = {dict}, frozenset({str}), frozenset({str, type(None)})
_FIRST: tuple[tuple[Idx, ...], ...] = tuple(  # instances_of
    tuple((k,) for k in range(1, n + 1)) for n in range(64)
)

# Where a data key goes: what to do with its answer, and the element it answers.
_LEAF, _REPEAT, _EXTRA, _SKIP = "leaf", "repeat", "extra", "skip"
Place = tuple[str, Element]
MAX_KEYS = 10_000  # a level's keys are the form's paths; odd data may bring others: stop there


class KeyLevel:
    """A form's memory of one level of its submissions' data (the root's or a repeat's).

    Where each data key goes, and per instance of the level the runtime key of each
    question's answer there, so loading a submission finds its keys rather than building them.
    """

    __slots__ = ("instances", "known", "places", "repeats", "size", "skipped")

    def __init__(self) -> None:
        self.places: dict[Any, Place] = {}  # data key -> where it goes
        self.skipped: set[Any] = set()  # the remembered data keys whose answers are ignored
        self.instances: dict[Idx, dict[Any, Key]] = {}  # index -> question's data key -> key
        self.size = 0  # the instances' entries and tables, kept under MAX_KEYS
        # Runtime.load_direct's, at the root, once it has looked: every key it knows (the
        # questions it reads in place, the ignored, the repeats'), each None, and what reads
        # the questions' answers, in order, from a submission laid over it; the repeats' keys.
        self.known: tuple[dict[Any, None], Callable[[dict[Any, Any]], Sequence[Any]]] | None
        self.known = None
        self.repeats: list[Any] = []

    def learn(self, order: tuple[str, ...]) -> None:
        """load_direct's template: the questions' keys (in order), then the others it knows."""
        self.repeats = [k for k, (act, _) in self.places.items() if act is _REPEAT]
        template = dict.fromkeys((*order, *self.skipped, *self.repeats))
        # itemgetter of one key gives the answer itself, not a tuple of one
        read = itemgetter(*order) if len(order) > 1 else lambda m: [m[k] for k in order]
        self.known = (template, read)

    def place(self, container: Element, key: Any, prefix: str) -> Place:
        found = self.places.get(key)
        if found is None:
            found = _place(container, key, prefix)
            if len(self.places) < MAX_KEYS:
                self.places[key] = found
                if found[0] is _SKIP:
                    self.skipped.add(key)
        return found

    def instance(self, idx: Idx) -> dict[Any, Key]:
        """The remembered keys of an instance; once the memory is full, an empty table."""
        found = self.instances.get(idx)
        if found is None:
            found = {}
            if self.size < MAX_KEYS:
                self.instances[idx] = found
                self.size += 1
        return found

    def remember(self, known: dict[Any, Key], key: Any, at: Key) -> None:
        if key not in known and self.size < MAX_KEYS and key in self.places:
            known[key] = at
            self.size += 1


# container element id -> that level's memory
KeyCache = dict[int, KeyLevel]


def _place(container: Element, key: Any, prefix: str) -> Place:
    if not isinstance(key, str) or key.startswith("_"):
        return _SKIP, container  # KoBo's own keys: _id, _uuid...
    elem = _find(container, key, prefix)
    if elem is None:
        if key.startswith(("meta/", "formhub/")) or key == "__version__":
            return _SKIP, container
        return _EXTRA, container
    if elem.kind == "leaf":
        return _LEAF, elem
    # a group's key has no answer
    return (_REPEAT if elem.kind == "repeat" else _SKIP), elem


def as_text(answer: Any) -> str | None:
    """A question's answer as text, as load() keeps it: None for a list or a mapping."""
    if type(answer) is str or answer is None:
        return answer
    return None if isinstance(answer, list | dict) else _text(answer)


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
