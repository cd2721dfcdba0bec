"""Build a CompiledForm from a form source: the element tree with every expression compiled."""

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from validation.xlsform import nodes as n
from validation.xlsform.checker import (
    TYPED,
    CheckStep,
    SettleNode,
    SettleStep,
    check_submission,
    interview_time,
    parent_key,
    settle,
)
from validation.xlsform.compiler import Scope, compile_expression
from validation.xlsform.errors import CannotCheckError, ExpressionSyntaxError, XLSFormError
from validation.xlsform.generated import check_pass, settle_pass
from validation.xlsform.merged import merged_pass, read_in_place, top_order
from validation.xlsform.model import Choice, Compiled, Element, Finding, FormError, Question
from validation.xlsform.runtime import KeyCache, NodeKeys, Runtime
from validation.xlsform.sources import FormSource, Row, from_asset_content, read_form_file
from validation.xlsform.values import Idx, NodeSet

SkipWords = tuple[dict[str, str], str, str | None]
_CONTAINERS = {"begin_group": "group", "begin_repeat": "repeat"}
_ENDS = {"end_group": "group", "end_repeat": "repeat"}
_IGNORED = {
    "",
    "begin_kobomatrix",
    "end_kobomatrix",
    "begin_score",
    "end_score",
    "begin_rank",
    "end_rank",
    "score__row",
    "rank__level",
}


class CompiledForm:
    """A form version ready to check submissions; build it with compile_asset_content/xlsx."""

    def __init__(self, source: FormSource) -> None:
        self.languages = source.languages
        self.default_language = source.default_language
        self.title = source.title
        self.errors: list[FormError] = []
        self.questions: list[Question] = []
        self.choices: dict[str, dict[str, Choice]] = {}
        self.root = Element(0, source.form_id or "data", "root", "", None, "")
        self.by_name: dict[str, Element] = {}
        self.by_path: dict[str, Element] = {}
        self.order: list[Element] = []  # every element but the root, in document order
        self.leaves: list[Element] = []
        self.iterate_always = False  # an expression reads paths we cannot index by name
        self.evaluations = 0  # expression evaluations so far (for benchmarks)
        self._adhoc: dict[str, Compiled] = {}
        self._keys: KeyCache = {}  # where each submission data key goes (Runtime.load)
        self.quoted_labels: dict[str, dict[int, str]] = {}  # language -> element id -> 'label'
        # language -> (list name, choice name) -> label as messages show it
        self.choice_words: dict[str, dict[tuple[str | None, str], str]] = {}
        # language -> (decider id, decider is the question, values its condition read) -> a
        # not_relevant finding's (values read, closing words, condition), and language ->
        # (question id, answer) -> the answer as messages show it: the same skip of the same
        # answers reads the same in every submission (checker._Words.not_relevant).
        self.skip_words: dict[
            str, dict[tuple[Any, ...], tuple[dict[str, str], str, str | None]]
        ] = {}
        self.shown_answers: dict[str, dict[tuple[int, str], str]] = {}
        # (repeats, a submission's instances of them) -> element id -> settle's nodes of it
        self.repeat_nodes: dict[
            tuple[tuple[Element, ...], tuple[Idx, ...]], dict[int, list[SettleNode]]
        ] = {}
        for choice in source.choices:
            self.choices.setdefault(choice.list_name, {})[choice.name] = Choice(
                choice.name, choice.labels, choice.columns
            )
        rows = self._tree(source.rows)
        for element, row in rows:
            self._compile(element, row)
        # repeats -> the elements under exactly those repeats (checker.node_table's rows)
        self.node_keys = NodeKeys(self.order)  # one key object per node (runtime.py)
        self.under_repeats: dict[tuple[Element, ...], list[Element]] = {}
        for e in self.order:
            if e.repeats:
                self.under_repeats.setdefault(e.repeats, []).append(e)
        # What settle's loop reads of each element, unpacked once per form rather than per pass:
        # (element, is a leaf, relevant, calc, its nodes when outside repeats else None) where
        # a node is (key, parent's key or None under the root, (element, index)).
        self.settle_plan: list[SettleStep] = [
            (
                e,
                e.kind == "leaf",
                e.relevant,
                e.calc,
                None if e.repeats else [(e.key, parent_key(e, ()), (e, ()))],
            )
            for e in self.order
        ]
        self.settle_pass = settle_pass(self)
        # check_submission's: (element, its key when outside repeats else None, repeats, has a
        # repeat_count to check, is a reported question, has a typed answer, is a select with
        # its list).
        self.check_plan: list[CheckStep] = [
            (
                e,
                None if e.repeats else e.key,
                e.repeats,
                e.kind == "repeat" and e.repeat_count is not None,
                e.kind == "leaf" and not e.silent,
                e.value_kind in TYPED,
                e.value_kind in ("select1", "selectm") and e.choices is not None,
            )
            for e in self.order
        ]
        self.check_pass = check_pass(self)
        # Both in one function where that is the same (merged.py); None: one after the other.
        self.merged_pass = merged_pass(self)
        # The answers that function reads in place, by KoBo path (Runtime.load_direct).
        self.in_place = read_in_place(self)
        self.top_order = tuple(e.xpath for e in top_order(self))

    # -- building ------------------------------------------------------------------------
    def _tree(self, rows: list[Row]) -> list[tuple[Element, Row]]:
        stack = [self.root]
        built: list[tuple[Element, Row]] = []
        for row in rows:
            kind = row.type
            if kind in _ENDS:
                if len(stack) == 1 or stack[-1].kind != _ENDS[kind]:
                    raise XLSFormError(
                        f"survey row {row.line}: '{kind.replace('_', ' ')}' has no matching begin"
                    )
                stack.pop()
                continue
            if kind in _IGNORED:
                continue
            if not row.name:
                raise XLSFormError(f"survey row {row.line}: a '{kind}' row has no name")
            parent = stack[-1]
            element_kind = _CONTAINERS.get(kind, "leaf")
            xpath = f"{parent.xpath}/{row.name}" if parent.xpath else row.name
            element = Element(len(self.order) + 1, row.name, element_kind, kind, parent, xpath)
            if row.name in parent.children:
                raise XLSFormError(f"survey row {row.line}: the name '{row.name}' is used twice")
            parent.children[row.name] = element
            element.list_name = row.list_name
            element.or_other = row.or_other
            if row.list_name is not None:
                element.choices = self.choices.get(row.list_name)
            element.question = Question(
                name=row.name,
                path=xpath,
                type=kind,
                list_name=row.list_name,
                labels=row.labels,
                relevant=row.relevant,
                constraint=row.constraint,
                constraint_messages=row.constraint_messages,
                required=row.required,
                calculation=row.calculation,
                choice_filter=row.choice_filter,
                repeat_count=row.repeat_count,
                group_path=parent.xpath,
            )
            self.questions.append(element.question)
            self.by_name.setdefault(row.name, element)
            self.by_path[xpath] = element
            self.order.append(element)
            if element_kind == "leaf":
                self.leaves.append(element)
                up: Element | None = parent
                while up is not None:
                    up.leaves.append(element)
                    up = up.parent
            else:
                stack.append(element)
            built.append((element, row))
        if len(stack) > 1:
            raise XLSFormError(f"the {stack[-1].kind} '{stack[-1].name}' is never closed")
        return built

    def _compile(self, element: Element, row: Row) -> None:
        def build(column: str, text: str, context: Element, *, choices: bool = False) -> Any:
            scope = Scope(
                self.root,
                self.by_name,
                self.choices,
                self.default_language,
                context,
                choice_context=choices,
            )
            try:
                compiled = compile_expression(text, scope)
            except XLSFormError as exc:
                detail = exc.reason if isinstance(exc, ExpressionSyntaxError) else str(exc)
                where = f" at column {exc.column}" if isinstance(exc, ExpressionSyntaxError) else ""
                self.errors.append(
                    FormError(element.name, element.xpath, column, text, f"{detail}{where}")
                )
                return None
            if column in ("relevant", "calculation"):
                for target in compiled.refs:
                    if target.order >= element.order:
                        target.read_early = True
                if _reads_paths(compiled.ast):
                    self.iterate_always = True
            return compiled

        if row.relevant:
            element.relevant = build("relevant", row.relevant, element)
        if row.constraint:
            element.constraint = build("constraint", row.constraint, element)
        if isinstance(row.required, str):
            element.required = build("required", row.required, element) or False
        else:
            element.required = row.required
        if row.calculation and (element.type in ("calculate", "hidden") or element.kind == "leaf"):
            element.calc = build("calculation", row.calculation, element)
        if row.choice_filter:
            element.choice_filter = build("choice_filter", row.choice_filter, element, choices=True)
        if row.repeat_count and element.kind == "repeat" and element.parent is not None:
            element.repeat_count = build("repeat_count", row.repeat_count, element.parent)

    # -- using ---------------------------------------------------------------------------
    def check(
        self, data: Mapping[str, Any], now: dt.datetime | None = None, lang: str | None = None
    ) -> list[Finding]:
        """Findings for one KoBo submission (a dict as the data API returns it)."""
        runtime = self._loaded(data, now)
        found = check_submission(self, runtime, lang or self.default_language)
        self.evaluations += runtime.evaluations
        return found

    def evaluate(
        self, expression: str, data: Mapping[str, Any], now: dt.datetime | None = None
    ) -> Any:
        """Evaluate an expression at the form's root, with non-relevant answers dropped.

        Returns a string, number, boolean, date, or a list of strings for several nodes;
        raises XLSFormError for a bad expression, CannotCheckError when it cannot be known.
        """
        compiled = self._adhoc.get(expression)
        if compiled is None:
            scope = Scope(self.root, self.by_name, self.choices, self.default_language, self.root)
            compiled = self._adhoc[expression] = compile_expression(expression, scope)
        runtime = self._runtime(data, now)
        node = (self.root, ())
        runtime.current, runtime.tainted = node, False
        value = compiled.fn(runtime, node)
        strings = value.strings if isinstance(value, NodeSet) else None
        if runtime.tainted:
            raise CannotCheckError(f"{expression} depends on answers that cannot be known")
        if strings is not None:
            return strings[0] if len(strings) == 1 else list(strings)
        return value

    def _runtime(self, data: Mapping[str, Any], now: dt.datetime | None) -> Runtime:
        """The submission loaded and settled."""
        runtime = self._loaded(data, now, whole=True)
        settle(self, runtime)
        return runtime

    def _loaded(
        self, data: Mapping[str, Any], now: dt.datetime | None, whole: bool = False
    ) -> Runtime:
        """The submission loaded (for the one-pass function, unless whole, in place).

        Runtime.load_direct leaves the answers outside repeats where they are.
        """
        if not isinstance(data, Mapping):
            raise XLSFormError("a submission must be a JSON object")
        runtime = Runtime(now or interview_time(data))
        if self.merged_pass is not None and not whole:
            runtime.load_direct(
                self.root, data, self.in_place, self.top_order, self._keys, self.node_keys
            )
        else:
            runtime.load(self.root, data, self._keys, self.node_keys)
        return runtime

    def label(self, name_or_path: str, lang: str | None = None) -> str:
        element = self.by_path.get(name_or_path) or self.by_name.get(name_or_path)
        if element is None:
            return name_or_path
        return label_of(element, lang or self.default_language)

    def choice_label(self, list_name: str, value: str, lang: str | None = None) -> str:
        choice = self.choices.get(list_name, {}).get(value)
        if choice is None:
            return value
        return _pick(choice.labels, lang or self.default_language) or value


def _pick(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or next((t for t in labels.values() if t), "")


def label_of(element: Element, lang: str) -> str:
    return _pick(element.labels(), lang) or element.name


def _reads_paths(expr: n.Expr) -> bool:
    """True when an expression reads answers through XPath paths rather than ${name} references.

    position(..) and count(path) read only which nodes exist, fixed once the data is loaded,
    so another pass could not change them (the UNHCR form's repeats use position(..) a lot).
    """
    if isinstance(expr, n.Path | n.Filter):
        return True
    if isinstance(expr, n.Call):
        if expr.name in n.STRUCTURAL and all(map(n.plain_path, expr.args)):
            return False
        return expr.name == "current" or any(_reads_paths(a) for a in expr.args)
    if isinstance(expr, n.Logical | n.Union):
        return any(_reads_paths(o) for o in expr.operands)
    if isinstance(expr, n.Chain):
        return _reads_paths(expr.first) or any(_reads_paths(o) for _, o in expr.rest)
    if isinstance(expr, n.Negate):
        return _reads_paths(expr.operand)
    return False


def compile_asset_content(content: Any) -> CompiledForm:
    """Compile KoBo asset (or asset version) content; raises XLSFormError for a broken form."""
    return CompiledForm(from_asset_content(content))


def compile_xlsx(path: str | Path) -> CompiledForm:
    return CompiledForm(read_form_file(Path(path)))


def load_form_file(path: str | Path) -> CompiledForm:
    """An .xlsx XLSForm or a KoBo asset/version JSON file."""
    return CompiledForm(read_form_file(Path(path)))
