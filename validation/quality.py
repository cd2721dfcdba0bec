"""Run the quality checks (validation/checks) on stored submissions and keep their flags.

Work is scoped to one form in one round (blocks never span forms) and is incremental: only
submissions whose content, configuration or deletion changed since their QualityState are
"due"; per-interview checks run on those alone, and each cross-interview check re-runs only the
blocks they touch (now or at the last run):

- near-duplicates: the round's interviews of the same enumerator;
- "don't know"/refusal rates and productivity: the same team (its median is the yardstick);
- outliers: the same location (and locations small enough to fall back to round fences);
- duplicates: the interviews that match a due one, before or now (found by the check's own
  blocking over the round's respondent fields, loaded without the answers).

Flags are written through engine.apply_findings only where they differ, so a re-run with
nothing due writes nothing and changing a threshold adds or resolves exactly what changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from surveys.models import KoboForm, Location, Round, Submission, Team
from validation import engine, priority, review
from validation.checks import identifiers
from validation.checks.base import (
    CheckContext,
    Finding,
    Interview,
    is_answer_key,
    resolve_params,
)
from validation.checks.registry import SPECS, family, run_checks, validate_config
from validation.models import (
    CheckConfig,
    Flag,
    QualityState,
    ReviewEvent,
    Severity,
)
from validation.models.check_config import DEFAULT_LISTS, QUESTION_ROLES, validate_question_map

# Check families by how far their findings reach.
PER_INTERVIEW = ("duration", "timing", "gps", "straightlining")
ENUMERATOR_BLOCK = ("fabrication",)
TEAM_BLOCK = ("refusal", "productivity")
LOCATION_BLOCK = ("outlier",)
ROUND_MATCHING = ("duplicate",)
_ALL_FAMILIES = PER_INTERVIEW + ENUMERATOR_BLOCK + TEAM_BLOCK + LOCATION_BLOCK + ROUND_MATCHING
_OUTLIER = "outlier.value"


def _codes(families: Iterable[str]) -> tuple[str, ...]:
    wanted = set(families)
    codes = [code for code in SPECS if family(code) in wanted]
    return tuple(sorted(codes + [f"{fam}.cannot_check" for fam in sorted(wanted)]))


QUALITY_CODES = _codes(_ALL_FAMILIES)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveConfig:
    params: dict[str, dict[str, Any]]
    enabled: frozenset[str] | None
    questions: dict[str, Any]  # roles -> path, and the lists (numeric questions, ...)

    @property
    def hash(self) -> str:
        text = json.dumps(
            [self.params, sorted(self.enabled or []), self.questions], sort_keys=True, default=str
        )
        return hashlib.sha256(text.encode()).hexdigest()


def effective_config(form: KoboForm, override: CheckConfig | None = None) -> EffectiveConfig:
    """The most specific active configuration (round + form, form, round), else defaults."""
    config = override
    if config is None:
        rows = CheckConfig.objects.filter(is_active=True).filter(
            Q(form=form, round_id=form.round_id)
            | Q(form=form, round__isnull=True)
            | Q(form__isnull=True, round_id=form.round_id)
        )
        ranked = sorted(rows, key=lambda c: (c.form_id is None, c.round_id is None))
        config = ranked[0] if ranked else None
    if config is None:
        return EffectiveConfig({}, None, {**QUESTION_ROLES, **DEFAULT_LISTS})
    params = validate_config(config.params())
    questions = {**QUESTION_ROLES, **DEFAULT_LISTS, **validate_question_map(config.question_map)}
    return EffectiveConfig(params, config.enabled(), questions)


# --- building interviews ---------------------------------------------------------------------


@functools.cache
def _hmac_key_for(secret: str) -> bytes:
    return hashlib.sha256(b"mtm-respondent-identifier:" + secret.encode()).digest()


def _hmac_key() -> bytes:
    # A key of its own (MTM_HASH_KEY), not SECRET_KEY: rotating the session key must not
    # silently change every respondent hash, nor a leak of one give away the other.
    return _hmac_key_for(settings.MTM_HASH_KEY)


def identifier_hash(kind: str, raw: str) -> str | None:
    """A keyed hash of a phone number or name, normalised first; None when there is none.

    Keyed (HMAC of an MTM_HASH_KEY-derived key) so a leaked flag cannot be reversed by hashing
    every phone number; only hashes (validation.checks.identifiers) reach the checks, and none
    is ever written to a flag.
    """
    encoded = identifiers.encode(_hmac_key(), **{kind: raw})
    return encoded.phone_hash if kind == "phone" else encoded.name_hash


def _text(data: Mapping[str, Any], path: str) -> str | None:
    if not path:
        return None
    value = data.get(path)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _age(raw: str | None) -> int | None:
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return int(value) if value is not None and value.is_integer() else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _gps(raw: str | None) -> tuple[float, float, float | None, float | None] | None:
    """ODK geopoint "lat lon altitude accuracy"; None when absent or unreadable."""
    if not raw:
        return None
    parts = raw.split()
    try:
        numbers = [float(p) for p in parts[:4]]
    except ValueError:
        return None
    if len(numbers) < 2:
        return None
    alt = numbers[2] if len(numbers) > 2 else None
    acc = numbers[3] if len(numbers) > 3 else None
    return (numbers[0], numbers[1], alt, acc)


@dataclass(frozen=True)
class _Row:
    """What a submission row gives the builder (data may be the whole answers or a few keys)."""

    pk: int
    kobo_id: int
    root_uuid: str
    instance_id: str
    form_id: int
    round_id: int
    enumerator: str | None
    team: str | None
    location: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    submission_time: dt.datetime
    data: Mapping[str, Any]


def build_interview(row: _Row, questions: Mapping[str, Any]) -> Interview:
    """An Interview for the checks; phone and name leave as keyed hashes, never in clear."""
    data = row.data
    private = {questions.get("phone") or "", questions.get("name") or ""} - {""}
    phone, name = _text(data, questions.get("phone") or ""), _text(data, questions.get("name", ""))
    answers = {
        key: str(value)
        for key, value in data.items()
        if key not in private
        and isinstance(value, str | int | float)
        and not isinstance(value, bool)
    }
    answered = sum(1 for key, value in answers.items() if value.strip() and is_answer_key(key))
    ids = identifiers.encode(_hmac_key(), phone=phone, name=name)
    return Interview(
        id=row.pk,
        kobo_id=row.kobo_id,
        root_uuid=row.root_uuid,
        instance_id=row.instance_id,
        form_id=row.form_id,
        round_id=row.round_id,
        enumerator=row.enumerator,
        team=row.team,
        location=row.location,
        sex=_text(data, questions["sex"]),
        age=_age(_text(data, questions["age"])),
        nationality=_text(data, questions["nationality"]),
        arrival_date=_date(_text(data, questions["arrival_date"])),
        start=row.started_at,
        end=row.ended_at,
        submitted=row.submission_time,
        gps=_gps(_text(data, questions["gps"])),
        phone_hash=ids.phone_hash,
        name_hash=ids.name_hash,
        answers=answers,
        answered=answered,
        phone_keys=ids.phone_keys,
        name_parts=ids.name_parts,
    )


_ROW_FIELDS = (
    "pk",
    "kobo_id",
    "root_uuid",
    "instance_id",
    "form_id",
    "form__round_id",
    "enumerator__kobo_username",
    "submitted_by",
    "enumerator__team__name",
    "location__code",
    "started_at",
    "ended_at",
    "submission_time",
)


def load_interviews(
    rows: QuerySet[Submission], questions: Mapping[str, Any], *, only_keys: Sequence[str] = ()
) -> list[Interview]:
    """Interviews of the rows; with only_keys, just those answers are read (in SQL)."""
    annotations = {f"k{i}": KeyTextTransform(key, "data") for i, key in enumerate(only_keys)}
    fields = [*_ROW_FIELDS, *annotations] if only_keys else [*_ROW_FIELDS, "data"]
    out = []
    for values in rows.annotate(**annotations).values_list(*fields).iterator(chunk_size=2000):
        if only_keys:
            extra = values[len(_ROW_FIELDS) :]
            data = {k: v for k, v in zip(only_keys, extra, strict=True) if v is not None}
        else:
            data = values[-1]
        (pk, kobo_id, root, instance, form_id, round_id, username, submitted_by) = values[:8]
        team, location, started, ended, submitted = values[8:13]
        row = _Row(
            pk,
            kobo_id,
            root,
            instance,
            form_id,
            round_id or 0,
            username or submitted_by or None,
            team,
            location,
            started,
            ended,
            submitted,
            data,
        )
        out.append(build_interview(row, questions))
    return out


def _lean_keys(questions: Mapping[str, Any]) -> list[str]:
    roles = [questions[r] for r in QUESTION_ROLES if r != "gps" and questions.get(r)]
    return sorted(
        set(roles) | set(questions["numeric_questions"]) | set(questions["respondent_facts"])
    )


# --- context -----------------------------------------------------------------------------------


def build_context(
    round_: Round | None, config: EffectiveConfig, *, now: dt.datetime | None = None
) -> CheckContext:
    """The round's dates, team hours, location geometry, and the configured question lists."""
    locations = Location.objects.filter(is_active=True).values_list(
        "code", "boundary", "centroid_lat", "centroid_lon"
    )
    q = config.questions
    return CheckContext(
        fieldwork_start=round_.fieldwork_start if round_ else None,
        fieldwork_end=round_.fieldwork_end if round_ else None,
        now=now or timezone.now(),
        working_hours={
            name: (start, end)
            for name, start, end in Team.objects.values_list(
                "name", "working_hours_start", "working_hours_end"
            )
        },
        timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
        boundaries={code: boundary for code, boundary, _, _ in locations if boundary},
        centroids={
            code: (lat, lon)
            for code, _, lat, lon in locations
            if lat is not None and lon is not None
        },
        numeric_questions=tuple(q["numeric_questions"]),
        dk_values=frozenset(q["dk_values"]),
        refuse_values=frozenset(q["refuse_values"]),
        straightline_blocks=tuple(tuple(block) for block in q["straightline_blocks"]),
        params=config.params,
        enabled=config.enabled,
        respondent_facts=tuple(q["respondent_facts"]),
    )


# --- the run -----------------------------------------------------------------------------------


@dataclass
class QualityReport:
    form_id: int
    due: int = 0
    loaded: int = 0  # interviews read with all their answers (the touched blocks)
    written: int = 0  # submissions whose flags changed
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    resolved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocks: set[str] = field(default_factory=set)


def _blocks(iv: Interview) -> list[str]:
    return [f"e:{iv.enumerator or ''}", f"t:{iv.team or ''}", f"l:{iv.location or ''}"]


def _unit_ctx(ctx: CheckContext, families: Sequence[str]) -> CheckContext | None:
    """The context restricted to some families, or None when none of their codes is enabled."""
    codes = frozenset(
        c for c in SPECS if family(c) in families and (ctx.enabled is None or c in ctx.enabled)
    )
    return replace(ctx, enabled=codes) if codes else None


def _run(
    interviews: Sequence[Interview],
    ctx: CheckContext,
    families: Sequence[str],
    only_ids: set[int] | None = None,
) -> list[Finding]:
    unit = _unit_ctx(ctx, families)
    if unit is None or not interviews:
        return []
    return run_checks(interviews, unit, only_ids=only_ids)


def _partners(findings: Iterable[Finding]) -> set[int]:
    """Other interviews named by duplicate findings (their flags list this one too)."""
    ids: set[int] = set()
    for f in findings:
        ids.update(f.values.get("other_ids", []))
        if "other_id" in f.values:
            ids.add(f.values["other_id"])
        ids.update(m["id"] for m in f.values.get("matches", []))
    return ids


def _scope(form: KoboForm) -> QuerySet[Submission]:
    return Submission.objects.filter(form=form)


def due_submissions(form: KoboForm, config_hash: str) -> QuerySet[Submission]:
    """Submissions the checks have not seen as they are now (content, config or deletion)."""
    rows = _scope(form).annotate(
        seen_hash=F("quality_state__content_hash"),
        seen_config=F("quality_state__config_hash"),
        seen_deleted=F("quality_state__deleted"),
    )
    return rows.filter(
        Q(seen_hash__isnull=True, deleted_at__isnull=True)
        | (
            Q(seen_hash__isnull=False)
            & (
                ~Q(seen_hash=F("content_hash"))
                | ~Q(seen_config=config_hash)
                | Q(deleted_at__isnull=False, seen_deleted=False)
                | Q(deleted_at__isnull=True, seen_deleted=True)
            )
        )
    )


def check_form(
    form: KoboForm,
    *,
    override: CheckConfig | None = None,
    full: bool = False,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> QualityReport:
    """Bring the quality flags of one form's interviews up to date; see the module docstring.

    With override, that (unsaved) configuration is used and every interview is due; with
    dry_run, the report counts what would be added and resolved and nothing is written.
    """
    config = effective_config(form, override)
    round_ = form.round
    report = QualityReport(form.pk)
    with transaction.atomic():
        if round_ is not None:
            # One run per round at a time: two would race on the same flag rows.
            Round.objects.select_for_update().filter(pk=round_.pk).first()
        due_rows = (
            _scope(form) if (full or override is not None) else due_submissions(form, config.hash)
        )
        due = list(
            due_rows.values_list("pk", "content_hash", "deleted_at", "quality_state__blocks")
        )
        report.due = len(due)
        if not due:
            return report
        due_ids = {pk for pk, *_ in due}
        ctx = build_context(round_, config, now=now)
        active = _scope(form).filter(deleted_at__isnull=True)
        due_ivs = load_interviews(active.filter(pk__in=due_ids), config.questions)
        touched: set[str] = set()
        for _, _, _, old_blocks in due:
            touched.update(old_blocks or [])
        for iv in due_ivs:
            touched.update(_blocks(iv))
        report.blocks = touched
        desired, covered = _desired(form, active, due_ivs, due_ids, touched, ctx, config, report)
        _write(desired, covered, report, dry_run=dry_run)
        if not dry_run:
            by_id = {iv.id: iv for iv in due_ivs}
            QualityState.objects.bulk_create(
                [
                    QualityState(
                        submission_id=pk,
                        content_hash=content_hash,
                        config_hash=config.hash,
                        deleted=deleted_at is not None,
                        blocks=_blocks(by_id[pk]) if pk in by_id else [],
                    )
                    for pk, content_hash, deleted_at, _ in due
                ],
                update_conflicts=True,
                unique_fields=["submission"],
                update_fields=["content_hash", "config_hash", "deleted", "blocks", "checked_at"],
            )
    return report


def _members(active: QuerySet[Submission], prefix: str, touched: set[str]) -> Q | None:
    names = {key[2:] for key in touched if key.startswith(prefix)}
    if not names:
        return None
    named = names - {""}
    if prefix == "e:":
        cond = Q(enumerator__kobo_username__in=named) | Q(
            enumerator__isnull=True, submitted_by__in=named
        )
        if "" in names:
            cond |= Q(enumerator__isnull=True, submitted_by="")
    elif prefix == "t:":
        cond = Q(enumerator__team__name__in=named)
        if "" in names:
            cond |= Q(enumerator__team__isnull=True)
    else:
        cond = Q(location__code__in=named)
        if "" in names:
            cond |= Q(location__isnull=True)
    return cond


def _desired(
    form: KoboForm,
    active: QuerySet[Submission],
    due_ivs: list[Interview],
    due_ids: set[int],
    touched: set[str],
    ctx: CheckContext,
    config: EffectiveConfig,
    report: QualityReport,
) -> tuple[dict[int, list[Finding]], dict[int, set[str]]]:
    """Findings per submission, and which codes each submission's findings are complete for."""
    desired: dict[int, list[Finding]] = defaultdict(list)
    covered: dict[int, set[str]] = defaultdict(set)

    def take(findings: Iterable[Finding], ids: Iterable[int], families: Sequence[str]) -> None:
        codes = set(_codes(families))
        for pk in ids:
            covered[pk] |= codes
        ids_set = set(ids) if not isinstance(ids, set) else ids
        for f in findings:
            if f.interview_id in ids_set:
                desired[f.interview_id].append(f)

    # Deleted (or gone) submissions: every quality flag of theirs resolves.
    for pk in due_ids - {iv.id for iv in due_ivs}:
        covered[pk] |= set(QUALITY_CODES)

    take(_run(due_ivs, ctx, PER_INTERVIEW), [iv.id for iv in due_ivs], PER_INTERVIEW)

    # Team and enumerator blocks, read with all their answers.
    conds = [c for c in (_members(active, p, touched) for p in ("e:", "t:")) if c is not None]
    block_ivs: list[Interview] = []
    if conds:
        cond = conds[0]
        for c in conds[1:]:
            cond |= c
        block_ivs = load_interviews(active.filter(cond), config.questions)
    report.loaded = len(block_ivs) + len(due_ivs)
    enumerators = {k[2:] for k in touched if k.startswith("e:")}
    teams = {k[2:] for k in touched if k.startswith("t:")}
    in_enum = [iv for iv in block_ivs if (iv.enumerator or "") in enumerators]
    take(_run(in_enum, ctx, ENUMERATOR_BLOCK), [iv.id for iv in in_enum], ENUMERATOR_BLOCK)
    in_team = [iv for iv in block_ivs if (iv.team or "") in teams]
    take(_run(in_team, ctx, TEAM_BLOCK), [iv.id for iv in in_team], TEAM_BLOCK)

    # Round-wide reads of a few answers only: respondent fields and numeric questions.
    lean = load_interviews(active, config.questions, only_keys=_lean_keys(config.questions))
    _outliers(lean, touched, ctx, take)
    _duplicates(lean, due_ids, ctx, take)
    return desired, covered


def _outliers(lean: list[Interview], touched: set[str], ctx: CheckContext, take: Any) -> None:
    unit = _unit_ctx(ctx, LOCATION_BLOCK)
    locations = {k[2:] for k in touched if k.startswith("l:")}
    if unit is not None and resolve_params(unit, SPECS[_OUTLIER])["fallback_to_round"]:
        # A location with too few answers to one question is judged by round fences, which
        # every new interview moves: its interviews are covered too.
        min_sample = int(resolve_params(unit, SPECS[_OUTLIER])["min_sample"])
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for iv in lean:
            for question in ctx.numeric_questions:
                if iv.answers.get(question, "").strip():
                    counts[(iv.location or "", question)] += 1
        for iv_location in {iv.location or "" for iv in lean}:
            if any(counts[(iv_location, q)] < min_sample for q in ctx.numeric_questions):
                locations.add(iv_location)
    in_loc = [iv for iv in lean if (iv.location or "") in locations]
    ids = {iv.id for iv in in_loc}
    findings = _run(lean, ctx, LOCATION_BLOCK, only_ids=ids) if ids else []
    take(findings, ids, LOCATION_BLOCK)


def _duplicates(lean: list[Interview], due_ids: set[int], ctx: CheckContext, take: Any) -> None:
    if _unit_ctx(ctx, ROUND_MATCHING) is None:
        take([], due_ids, ROUND_MATCHING)
        return
    # Earlier partners of the due interviews (their flags name each other), then new ones.
    old = _partners(
        Finding(f.check_code, f.submission_id, f.path, f.severity, f.message, f.values)
        for f in Flag.objects.filter(
            submission_id__in=due_ids, check_code__startswith="duplicate."
        ).exclude(status=Flag.Status.RESOLVED)
    )
    focus = due_ids | old
    first = _run(lean, ctx, ROUND_MATCHING, only_ids=focus)
    focus |= _partners(first)
    findings = _run(lean, ctx, ROUND_MATCHING, only_ids=focus)
    live = {iv.id for iv in lean}
    take(findings, focus & live, ROUND_MATCHING)


# --- writing -----------------------------------------------------------------------------------


def _write(
    desired: dict[int, list[Finding]],
    covered: dict[int, set[str]],
    report: QualityReport,
    *,
    dry_run: bool,
) -> None:
    """Apply the findings where the stored flags differ; count per code what changes."""
    existing: dict[int, dict[tuple[str, str], Flag]] = defaultdict(dict)
    ids = list(covered)
    for start in range(0, len(ids), 5000):
        for flag in Flag.objects.filter(
            submission_id__in=ids[start : start + 5000], check_code__in=QUALITY_CODES
        ):
            existing[flag.submission_id][(flag.check_code, flag.path)] = flag
    changed: list[int] = []
    reviewable: list[int] = []  # open non-info flags changed: status and priority follow
    creates: list[Flag] = []
    updates: list[Flag] = []
    for pk, codes in covered.items():
        want = {(f.code, f.path): f for f in desired.get(pk, []) if f.code in codes}
        have = {key: flag for key, flag in existing[pk].items() if key[0] in codes}
        reopen = [
            flag
            for key, flag in have.items()
            if flag.check_code == _OUTLIER
            and flag.status == Flag.Status.OKAYED
            and key in want
            and want[key].values.get("value") != flag.values.get("value")
        ]
        differs = relevant = bool(reopen)
        for key, finding in want.items():
            stored = have.get(key)
            if stored is None or stored.status == Flag.Status.RESOLVED:
                report.added[key[0]] += 1
                differs = True
                relevant = relevant or finding.severity != "info"
            elif (stored.severity, stored.message, stored.values) != (
                finding.severity,
                finding.message,
                _jsonable(finding.values),
            ):
                differs = True
                relevant = relevant or stored.severity != finding.severity
        for key, flag in have.items():
            if key not in want and flag.status == Flag.Status.OPEN:
                report.resolved[key[0]] += 1
                differs = True
                relevant = relevant or flag.severity != "info"
        if not differs or dry_run:
            continue
        _stage(pk, want, have, reopen, creates, updates)
        changed.append(pk)
        if relevant:
            reviewable.append(pk)
    report.written = len(changed)
    if dry_run:
        return
    # One bulk insert and one bulk update for all submissions (engine.apply_findings' rules).
    Flag.objects.bulk_create(creates, batch_size=2000)
    Flag.objects.bulk_update(
        updates,
        ["status", "resolved_at", "severity", "message", "values", "last_seen_at", "okayed_by"],
        batch_size=1000,
    )
    _refresh_review_states(reviewable)


_CHECKED = (Submission.ReviewStatus.CLEAN, Submission.ReviewStatus.FLAGGED)


def _refresh_review_states(pks: list[int]) -> None:
    """engine.refresh_review_state for many submissions, with the per-row work batched.

    The common moves (received, clean or flagged to clean or flagged as the open flags say)
    are made with one update per target status and their ReviewEvents in one insert, as
    review.transition logs them (none of these is mirrored to KoBo). Any other move (a decision
    or a return meeting changed data, a corrected interview) goes through the engine one by one.
    Then priorities: open-flag counts, eligibility verdicts and enumerators' flag rates read in
    a few queries and upserted at once, with validation.priority's formula.
    """
    simple = (Submission.ReviewStatus.RECEIVED, *_CHECKED)
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for pk, severity, n in (
            Flag.objects.open()
            .filter(submission_id__in=chunk)
            .values_list("submission_id", "severity")
            .annotate(n=Count("pk"))
        ):
            counts[pk][severity] = n
        rows: list[tuple[Submission, dict[str, int]]] = []
        moves: dict[str, list[Submission]] = defaultdict(list)
        for submission in Submission.objects.filter(
            pk__in=chunk, deleted_at__isnull=True
        ).select_related("form", "enumerator"):
            by_severity = counts.get(submission.pk, {})
            open_total = sum(n for sev, n in by_severity.items() if sev != Severity.INFO)
            checked = _CHECKED[1] if open_total else _CHECKED[0]
            status = submission.review_status
            if status in simple:
                if status != checked and checked in review.ALLOWED[status]:
                    moves[checked].append(submission)
                rows.append((submission, by_severity))
            elif (submission.changed_since_review and status in review.DECISIONS) or (
                status in engine.REVIEWABLE and status != checked
            ):
                _refresh_one(submission)  # logged, maybe mirrored
            else:
                rows.append((submission, by_severity))
        events = []
        for to, moved in moves.items():
            for submission in _move_if_unchanged(moved, to):
                events.append(
                    ReviewEvent(
                        submission=submission, from_status=submission.review_status, to_status=to
                    )
                )
                submission.review_status = to
        ReviewEvent.objects.bulk_create(events, batch_size=2000)
        priority.update_priorities(rows)


def _move_if_unchanged(moved: list[Submission], to: str) -> list[Submission]:
    """Move to `to` those of `moved` still in the status they were read in; return them.

    The rows were read without a lock late in a long transaction: a supervisor's decision
    committed since must stand, so each row moves only from the status read (the lock-and-check
    re-reads the newest committed row on PostgreSQL), and only those moved are logged.
    """
    done: list[Submission] = []
    by_from: dict[str, list[Submission]] = defaultdict(list)
    for submission in moved:
        by_from[submission.review_status].append(submission)
    for source, group in by_from.items():
        unchanged = set(
            Submission.objects.select_for_update()
            .filter(pk__in=[s.pk for s in group], review_status=source)
            .values_list("pk", flat=True)
        )
        if unchanged:
            Submission.objects.filter(pk__in=unchanged).update(review_status=to)
        done.extend(s for s in group if s.pk in unchanged)
    return done


def _refresh_one(submission: Submission) -> None:
    """engine.refresh_review_state on the row as it is now, locked: not as read a while ago."""
    current = (
        Submission.objects.select_for_update()
        .filter(pk=submission.pk, deleted_at__isnull=True)
        .values("review_status", "changed_since_review")
        .first()
    )
    if current is None:
        return
    submission.review_status = current["review_status"]
    submission.changed_since_review = current["changed_since_review"]
    engine.refresh_review_state(submission=submission)


def _stage(
    pk: int,
    want: dict[tuple[str, str], Finding],
    have: dict[tuple[str, str], Flag],
    reopen: list[Flag],
    creates: list[Flag],
    updates: list[Flag],
) -> None:
    """Flags to create and to update so the submission's flags of these codes equal `want`.

    As engine.apply_findings: new findings open flags, vanished ones resolve open flags, a
    finding that came back reopens its resolved flag, and a supervisor's okay persists (unless
    the outlier's value changed since: then it needs a new look).
    """
    now = timezone.now()
    for key, finding in want.items():
        values = _jsonable(finding.values)
        flag = have.get(key)
        if flag is None:
            creates.append(
                Flag(
                    submission_id=pk,
                    check_code=finding.code,
                    path=finding.path,
                    severity=finding.severity,
                    message=finding.message,
                    values=values,
                )
            )
            continue
        if flag.status == Flag.Status.RESOLVED:
            flag.status, flag.resolved_at = Flag.Status.OPEN, None  # it came back
        if flag in reopen:
            flag.status, flag.okayed_by = Flag.Status.OPEN, None
        flag.severity, flag.message, flag.values = finding.severity, finding.message, values
        flag.last_seen_at = now
        updates.append(flag)
    for key, flag in have.items():
        if key not in want and flag.status == Flag.Status.OPEN:
            flag.status, flag.resolved_at = Flag.Status.RESOLVED, now
            updates.append(flag)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """As the JSON column will hold it (tuples become lists, dates text), to compare."""
    result: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return result


# --- entry points ------------------------------------------------------------------------------


def check_due(*, now: dt.datetime | None = None) -> list[QualityReport]:
    """Run the checks on every active form with due submissions (the pipeline's step)."""
    return [
        check_form(form, now=now)
        for form in KoboForm.objects.select_related("round").filter(round__isnull=False)
    ]


def check_round(
    round_: Round,
    *,
    override: CheckConfig | None = None,
    full: bool = False,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> list[QualityReport]:
    return [
        check_form(form, override=override, full=full, dry_run=dry_run, now=now)
        for form in KoboForm.objects.select_related("round").filter(round=round_)
    ]
