"""An interview's answers laid out by the form's groups, with flags and comments in place."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from validation.flags import wording
from validation.models import Flag, QuestionComment
from validation.xlsform import CompiledForm
from validation.xlsform.form import label_of
from validation.xlsform.model import SILENT_TYPES, Element, kobo_path

NOT_RELEVANT = "skip_logic.not_relevant"
_NO_VALUE_TYPES = frozenset({"note", "acknowledge"}) | SILENT_TYPES
_SELECTS = frozenset({"select_one", "select_multiple", "rank", "select_one_from_file"})


@dataclass
class AnswerRow:
    is_row: ClassVar[bool] = True
    path: str  # the KoBo key, with a 1-based index after each repeat
    label: str
    name: str
    value: str  # as the supervisor reads it (choice labels)
    raw: str  # as stored (choice names)
    answered: bool
    flags: list[Flag] = field(default_factory=list)
    comments: list[QuestionComment] = field(default_factory=list)
    personal: bool = False  # a declared personal-data question: masked until revealed
    revealed: bool = False

    @property
    def should_have_been_skipped(self) -> bool:
        return any(f.check_code == NOT_RELEVANT for f in self.flags)

    @property
    def worst(self) -> str:
        order = ("blocker", "major", "minor", "info")
        found = [f.severity for f in self.flags]
        return next((s for s in order if s in found), "")


@dataclass
class Heading:
    is_row: ClassVar[bool] = False
    title: str
    level: int  # 1: a group inside the section, 2: deeper
    repeat: bool = False


@dataclass
class Section:
    path: str
    title: str
    items: list[AnswerRow | Heading] = field(default_factory=list)
    not_asked: int = 0  # questions without an answer: skipped by the form's logic

    @property
    def rows(self) -> list[AnswerRow]:
        return [i for i in self.items if isinstance(i, AnswerRow)]

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flags)


@dataclass
class Layout:
    sections: list[Section]
    elsewhere: list[Flag]  # whole-interview flags and flags on keys the form does not have
    questions: dict[str, str]  # path -> label, for the history's "questions to re-ask"
    placed: set[str] = field(default_factory=set)  # paths shown as rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return _("%(n)d entries") % {"n": len(value)} if isinstance(value, list) else "…"
    return str(value)


def _display(form: CompiledForm, element: Element, raw: str, lang: str) -> str:
    if element.type in _SELECTS and element.list_name:
        names = raw.split() if element.type != "select_one" else [raw]
        return ", ".join(form.choice_label(element.list_name, n, lang) for n in names)
    return raw


def lay_out(
    form: CompiledForm,
    data: Mapping[str, Any],
    flags: Iterable[Flag],
    comments: Iterable[QuestionComment],
    lang: str,
) -> Layout:
    """Every answered (or flagged, or commented) question in form order, grouped by section."""
    by_path, notes = _by_path(flags, comments)
    placed: set[str] = set()
    questions: dict[str, str] = {}
    first = Section("", _("Interview"))
    sections = [first]

    def leaf(
        section: Section, element: Element, ctx: Mapping[str, Any], idx: tuple[int, ...]
    ) -> None:
        if element.type in _NO_VALUE_TYPES:
            return
        path = kobo_path(element, idx)
        raw = _text(ctx.get(element.xpath))
        row_flags, row_notes = by_path.get(path, []), notes.get(path, [])
        for flag in row_flags:
            if flag.check_code == wording.CONSTRAINT_FAILED:
                # In memory only: the stored sentence quotes the form's XPath.
                flag.message = wording.constraint_failed(element.question, lang)
        label = label_of(element, lang)
        questions[path] = label + (f" #{'.'.join(map(str, idx))}" if idx else "")
        if raw == "" and not row_flags and not row_notes:
            section.not_asked += 1
            return
        placed.add(path)
        section.items.append(
            AnswerRow(
                path=path,
                label=label,
                name=element.name,
                value=_display(form, element, raw, lang) if raw else "",
                raw=raw,
                answered=raw != "",
                flags=row_flags,
                comments=row_notes,
            )
        )

    def walk(
        section: Section,
        element: Element,
        ctx: Mapping[str, Any],
        idx: tuple[int, ...],
        depth: int,
    ) -> None:
        for child in element.children.values():
            if child.kind == "leaf":
                leaf(section, child, ctx, idx)
            elif child.kind == "group":
                section.items.append(Heading(label_of(child, lang), min(depth, 2)))
                walk(section, child, ctx, idx, depth + 1)
            else:
                entries = ctx.get(child.xpath)
                if not isinstance(entries, list):
                    continue
                for number, entry in enumerate(entries, 1):
                    if not isinstance(entry, Mapping):
                        continue
                    title = f"{label_of(child, lang)} #{number}"
                    section.items.append(Heading(title, min(depth, 2), repeat=True))
                    walk(section, child, entry, (*idx, number), depth + 1)

    for element in form.root.children.values():
        if element.kind == "leaf":
            leaf(first, element, data, ())
            continue
        section = Section(element.xpath, label_of(element, lang))
        sections.append(section)
        if element.kind == "group":
            walk(section, element, data, (), 1)
        else:
            entries = data.get(element.xpath)
            for number, entry in enumerate(entries if isinstance(entries, list) else [], 1):
                if isinstance(entry, Mapping):
                    section.items.append(Heading(f"#{number}", 1, repeat=True))
                    walk(section, element, entry, (number,), 1)
    for section in sections:
        section.items = _prune(section.items)
    elsewhere = [f for path, fs in by_path.items() if path not in placed for f in fs]
    elsewhere.sort(key=lambda f: (_RANK.get(f.severity, 9), f.check_code, f.path))
    return Layout([s for s in sections if s.items or s.not_asked], elsewhere, questions, placed)


_RANK = {"blocker": 0, "major": 1, "minor": 2, "info": 3}


def _by_path(
    flags: Iterable[Flag], comments: Iterable[QuestionComment]
) -> tuple[dict[str, list[Flag]], dict[str, list[QuestionComment]]]:
    by_path: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        by_path[flag.path].append(flag)
    notes: dict[str, list[QuestionComment]] = defaultdict(list)
    for comment in comments:
        notes[comment.path].append(comment)
    return by_path, notes


def raw_layout(
    data: Mapping[str, Any], flags: Iterable[Flag], comments: Iterable[QuestionComment]
) -> Layout:
    """Without the form version: the answers as KoBo keys, flags still in place."""
    by_path, notes = _by_path(flags, comments)
    section = Section("", _("Answers (as stored; the form version is not available)"))
    for key, value in data.items():
        if key.startswith("_") or key in ("start", "end", "today", "deviceid"):
            continue
        raw = _text(value)
        section.items.append(
            AnswerRow(
                key,
                key,
                key.rsplit("/", 1)[-1],
                raw,
                raw,
                raw != "",
                by_path.get(key, []),
                notes.get(key, []),
            )
        )
    placed = {row.path for row in section.rows}
    elsewhere = [f for path, fs in by_path.items() if path not in placed for f in fs]
    return Layout([section], elsewhere, {p: p for p in placed}, placed)


def _prune(items: list[AnswerRow | Heading]) -> list[AnswerRow | Heading]:
    """Drop headings of groups with nothing to show (their questions were all skipped)."""
    kept: list[AnswerRow | Heading] = []
    pending_rows = False
    for item in reversed(items):
        if isinstance(item, AnswerRow):
            kept.append(item)
            pending_rows = True
        elif pending_rows or (
            kept and isinstance(kept[-1], Heading) and kept[-1].level > item.level
        ):
            kept.append(item)
            pending_rows = False
    return kept[::-1]


def severity_rank(flags: Sequence[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: (_RANK.get(f.severity, 9), f.check_code, f.path))
