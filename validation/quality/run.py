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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from surveys.models import KoboForm, Round, Submission
from validation.checks.base import (
    CheckContext,
    Finding,
    Interview,
    resolve_params,
)
from validation.checks.registry import SPECS, family, run_checks
from validation.models import (
    CheckConfig,
    Flag,
    QualityState,
)
from validation.quality import estimates
from validation.quality.config import (
    ENUMERATOR_BLOCK,
    LOCATION_BLOCK,
    OUTLIER_CODE,
    PER_INTERVIEW,
    QUALITY_CODES,
    ROUND_MATCHING,
    TEAM_BLOCK,
    EffectiveConfig,
    codes_of,
    effective_config,
)
from validation.quality.interviews import build_context, lean_keys, load_interviews
from validation.quality.writes import QualityReport, write_flags

# --- the run -----------------------------------------------------------------------------------


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
        if not full and override is None:
            # A full run (on demand) estimates the respondent matcher afresh.
            estimates.restore(ctx, form.pk, config.hash)
        active = _scope(form).filter(deleted_at__isnull=True)
        due_ivs = load_interviews(active.filter(pk__in=due_ids), config.questions)
        touched: set[str] = set()
        for _, _, _, old_blocks in due:
            touched.update(old_blocks or [])
        for iv in due_ivs:
            touched.update(_blocks(iv))
        report.blocks = touched
        desired, covered = _desired(form, active, due_ivs, due_ids, touched, ctx, config, report)
        write_flags(desired, covered, report, dry_run=dry_run)
        if not dry_run and override is None:
            estimates.keep(ctx, form.pk, config.hash)
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
        codes = set(codes_of(families))
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
    lean = load_interviews(active, config.questions, only_keys=lean_keys(config.questions))
    _outliers(lean, touched, ctx, take)
    _duplicates(lean, due_ids, ctx, take)
    return desired, covered


def _outliers(lean: list[Interview], touched: set[str], ctx: CheckContext, take: Any) -> None:
    unit = _unit_ctx(ctx, LOCATION_BLOCK)
    locations = {k[2:] for k in touched if k.startswith("l:")}
    if unit is not None and resolve_params(unit, SPECS[OUTLIER_CODE])["fallback_to_round"]:
        # A location with too few answers to one question is judged by round fences, which
        # every new interview moves: its interviews are covered too.
        min_sample = int(resolve_params(unit, SPECS[OUTLIER_CODE])["min_sample"])
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
