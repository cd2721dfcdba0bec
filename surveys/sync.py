"""Sync one KoBo form into Submission rows: new rows by _id keyset, edits and deletions by scan.

KoBo exposes no modified time (kobo-api.md §7.3), changes instanceID on every edit (§3.2) and
hard-deletes rows (§3.3). So new rows come by keyset on `_id` with an overlap, edits and
deletions by a light scan of `_id` + instanceID, and each page commits with its watermark.
"""

import gc
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import Error as DatabaseFailure
from django.db import connections, router, transaction
from django.utils import timezone

from mtm.celery import task_named
from surveys.baseline import derive_baseline
from surveys.bulk_insert import EncodedJson, JsonbOrder, dumps, insert_rows
from surveys.connections import client_for
from surveys.kobo.client import KoboClient
from surveys.kobo.errors import KoboError, KoboNotFoundError, MalformedPayloadError
from surveys.kobo.payloads import ParsedSubmission, SubmissionRef, parse_submission
from surveys.locks import FormLease, form_lease
from surveys.models import (
    Enumerator,
    FormVersion,
    KoboForm,
    Location,
    Submission,
    SyncCursor,
    SyncIssue,
    SyncRun,
)
from surveys.read_ahead import read_ahead

logger = logging.getLogger(__name__)

# Keys that change without the interview changing: status is mirrored on its own column.
_VOLATILE_KEYS = frozenset({"_validation_status", "_tags", "_notes", "_attachments"})
_UPDATE_FIELDS = [
    "kobo_id",
    "instance_id",
    "version_uid",
    "version",
    "submitted_by",
    "submission_time",
    "started_at",
    "ended_at",
    "data",
    "content_hash",
    "enumerator",
    "location",
    "kobo_status",
    "needs_validation",
    "changed_since_review",
    "deleted_at",
    "updated_at",
]
# Decisions that a later edit in KoBo puts back in question.
_DECIDED = frozenset({"approved", "excluded", "on_hold", "returned"})


class UnknownFormVersionError(KoboError):
    """Data names a form version KoBo does not serve (yet): retry later, commit nothing."""


@dataclass
class SyncReport:
    asset: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    pages: int = 0
    reconciled: bool = False
    changed_pks: list[int] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            k: data[k]
            for k in ("asset", "created", "updated", "unchanged", "deleted", "quarantined")
        }


def content_hash(answers: dict[str, Any]) -> str:
    """SHA-256 of the answers that make the interview, as sorted compact JSON (by orjson).

    For strings, ints and usual floats orjson writes the same bytes as `_stdlib_hash`; where it
    would not (exponent floats), the caller also accepts the stdlib digest of a stored row.
    """
    stable = dict(answers)
    for key in _VOLATILE_KEYS:
        stable.pop(key, None)
    try:
        encoded = orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return _stdlib_hash(answers)
    return hashlib.sha256(encoded).hexdigest()


def _stdlib_hash(answers: dict[str, Any]) -> str:
    """The digest as stored before orjson; kept so no row reads as edited after an upgrade."""
    stable = {k: v for k, v in answers.items() if k not in _VOLATILE_KEYS}
    return hashlib.sha256(
        json.dumps(stable, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def sync_form(
    *, form: KoboForm, full: bool = False, client: KoboClient | None = None
) -> SyncReport:
    """Bring the form's submissions in line with KoBo; safe to re-run and to kill at any point."""
    client = client or client_for(form.server)
    with form_lease(form) as lease:
        run = SyncRun.objects.create(form=form, full=full)
        report = SyncReport(asset=form.asset_uid)
        started = time.monotonic()
        try:
            with _fewer_collections():
                _run(form, full, client, lease, run, report)
        except BaseException as exc:
            # Whatever stops it (KoBo, the database, a time limit, ^C), the run ends failed
            # with its reason: never left `running`.
            _fail(run, report, exc)
            logger.warning(
                "sync of %s failed after %.1fs: %s",
                form.asset_uid,
                time.monotonic() - started,
                type(exc).__name__,
            )
            raise
        _finish(run, report)
        logger.info("synced %s: %s", form.asset_uid, report.counts())
        if form.instrument == KoboForm.Instrument.KEY_INFORMANT:
            _derive_baseline(form)
    return report


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the youngest garbage collection less often while pages are parsed.

    A page decodes to some 150,000 objects that reference counting frees; at the default
    threshold (700) the collector ran every few rows for nothing, about a tenth of the
    parsing time. The previous thresholds come back afterwards.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 100_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _derive_baseline(form: KoboForm) -> None:
    """Turn the key-informant interviews that changed into baseline figures (after the sync).

    A failure leaves the synced rows in place and the figures as they were: the next sync
    sees the same locations as changed and derives them again.
    """
    try:
        derive_baseline(form)
    except Exception:  # the sync itself succeeded; the next one retries
        logger.exception(
            "baseline figures of %s not derived; the next sync retries", form.asset_uid
        )


def _run(
    form: KoboForm,
    full: bool,
    client: KoboClient,
    lease: FormLease,
    run: SyncRun,
    report: SyncReport,
) -> None:
    context = _PageContext(form, client, lease)
    context.refresh_deployed_versions()
    cursor = SyncCursor.objects.get(form=form)
    after = max(0, cursor.last_kobo_id - settings.MTM_SYNC_OVERLAP_IDS)
    # From _id 0 with nothing stored, the keyset pass reads every row KoBo had when it
    # started (edited ones as edited; deleted ones are absent): a scan would find only
    # what changed since that start, which is what the next scheduled scan is for.
    whole = after == 0 and context.started_empty
    pass_started = timezone.now()
    # Page k+1 downloads and is parsed and digested (pure work, in the read-ahead
    # thread) while page k is written; versions are fetched in prepare.
    order = JsonbOrder()  # used in the read-ahead thread only
    pages = read_ahead(
        (
            _parse_page(page.results, order)
            for page in client.iter_data(form.asset_uid, after_id=after)
        ),
        lambda page: _prepare_page(context, page),
    )
    with closing(pages):
        for prepared in pages:
            _commit_page(context, run, prepared, report, advance_cursor=True)
    if whole and not full:
        SyncCursor.objects.filter(form=form).update(last_reconciled_at=pass_started)
    elif full or _reconcile_due(cursor):
        _reconcile(context, run, report)


def _reconcile_due(cursor: SyncCursor) -> bool:
    if cursor.last_reconciled_at is None:
        return True
    due = cursor.last_reconciled_at + timedelta(seconds=settings.MTM_RECONCILE_INTERVAL_S)
    return timezone.now() >= due


class _PageContext:
    """What a page needs besides its rows: known versions, enumerators and locations."""

    def __init__(self, form: KoboForm, client: KoboClient, lease: FormLease) -> None:
        self.form = form
        self.client = client
        self.lease = lease
        # Key-informant interviews are counts for the baseline, not interviews to check.
        self.validate = form.instrument == KoboForm.Instrument.SURVEY
        self.order = JsonbOrder()  # for pages parsed in this thread (refetches)
        self._location_path = ""
        self.versions = {v.version_uid: v for v in form.versions.only("pk", "version_uid")}
        self.enumerators = dict(Enumerator.objects.values_list("kobo_username", "pk"))
        self.locations = {
            code.casefold(): pk for code, pk in Location.objects.values_list("code", "pk")
        }
        # No active row has a KoBo _id above this (None: not known). Known when the run
        # starts with no active rows, as a first sync does; then each page's new _ids are
        # above every _id stored before them (keyset order), and no row can have been given
        # one of them before: the check for reused _ids is skipped.
        self.started_empty = not Submission.objects.filter(form=form).active().exists()
        self._active_ids_up_to: int | None = 0 if self.started_empty else None

    def may_hold_ids(self, lowest: int) -> bool:
        """Whether an active row of the form may have a KoBo _id >= lowest."""
        return self._active_ids_up_to is None or lowest <= self._active_ids_up_to

    def holds_ids_up_to(self, highest: int) -> None:
        """Note a page's _ids as stored (after its rows were written, in its transaction)."""
        if self._active_ids_up_to is not None:
            self._active_ids_up_to = max(self._active_ids_up_to, highest)

    def refresh_deployed_versions(self) -> None:
        """Fetch the deployed versions the asset lists; older ones come when a row names them."""
        asset = self.client.get_asset(self.form.asset_uid)
        for summary in asset.deployed_versions:
            self.ensure_version(summary.uid)
        # deployed_version_id is what collectors use; the list is newest first otherwise.
        current = asset.deployed_version_id or next((v.uid for v in asset.deployed_versions), "")
        if current:
            self.ensure_version(current)
        if current and self.form.deployed_version_uid != current:
            self.form.deployed_version_uid = current
            self.form.save(update_fields=["deployed_version_uid"])

    def ensure_version(self, version_uid: str) -> None:
        if version_uid in self.versions:
            return
        try:
            detail = self.client.get_version(self.form.asset_uid, version_uid)
        except KoboNotFoundError:
            raise UnknownFormVersionError(
                f"Form {self.form.asset_uid} has submissions on version {version_uid!r}, "
                "which KoBo does not serve; the sync will retry."
            ) from None
        digest = hashlib.sha256(
            json.dumps(detail.content, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        version, _ = FormVersion.objects.get_or_create(
            form=self.form,
            version_uid=version_uid,
            defaults={
                "content": detail.content,
                "content_hash": detail.content_hash or digest,
                "date_deployed": detail.date_deployed,
            },
        )
        self.versions[version_uid] = version

    def enumerator_pk(self, parsed: ParsedSubmission) -> int | None:
        username = parsed.submitted_by or _answer(parsed.answers, self.form.enumerator_field)
        return self.enumerators.get(username) if username else None

    def location_pk(self, parsed: ParsedSubmission) -> int | None:
        name = self.form.location_field
        # XLSForm names are unique in a form, so the path found in one row is the question's
        # path in the next: look there first instead of over every answer of every row.
        value = parsed.answers.get(self._location_path) if self._location_path else None
        if isinstance(value, str):
            code = value
        else:
            code, path = _answer_at(parsed.answers, name)
            if path:
                self._location_path = path
        return self.locations.get(code.casefold()) if code else None


def _answer(answers: dict[str, Any], name: str) -> str:
    """The first string answer to question `name`, in whatever group (its path's last part)."""
    return _answer_at(answers, name)[0]


def _answer_at(answers: dict[str, Any], name: str) -> tuple[str, str]:
    """_answer and the key it was found under ("" if none)."""
    if not name or "/" in name:
        return "", ""
    suffix = "/" + name  # endswith, not rsplit: this runs over every answer of every row
    for key, value in answers.items():
        if (key == name or key.endswith(suffix)) and isinstance(value, str):
            return value, key
    return "", ""


def _parse_rows(
    rows: list[dict[str, Any]],
) -> tuple[list[ParsedSubmission], list[tuple[dict[str, Any], str]], int]:
    parsed: dict[str, ParsedSubmission] = {}
    issues: list[tuple[dict[str, Any], str]] = []
    max_id = 0
    for raw in rows:
        raw_id = raw.get("_id") if isinstance(raw, dict) else None
        if isinstance(raw_id, int):
            max_id = max(max_id, raw_id)
        try:
            item = parse_submission(raw)
        except MalformedPayloadError as exc:
            issues.append((raw if isinstance(raw, dict) else {"raw": raw}, str(exc)))
            continue
        earlier = parsed.get(item.root_uuid)
        if earlier is not None:
            # KoBo enforces one row per rootUuid; two in a page mean a server-side copy.
            dropped = min(earlier, item, key=lambda p: p.kobo_id)
            issues.append(
                (
                    dropped.answers,
                    f"Duplicate rootUuid {item.root_uuid} (kept the "
                    f"higher _id of {earlier.kobo_id}, {item.kobo_id})",
                )
            )
            item = max(earlier, item, key=lambda p: p.kobo_id)
        parsed[item.root_uuid] = item
    return list(parsed.values()), issues, max_id


@dataclass
class _Page:
    parsed: list[ParsedSubmission]
    digests: list[str]  # content_hash of each parsed row's answers
    encoded: list[EncodedJson]  # each parsed row's answers as written to the jsonb column
    issues: list[tuple[dict[str, Any], str]]
    max_id: int


def _parse_page(rows: list[dict[str, Any]], order: JsonbOrder) -> _Page:
    """Parse, digest and encode a page.

    No database, no HTTP: it may run in the read-ahead thread (with an `order` of its own).
    """
    parsed, issues, max_id = _parse_rows(rows)
    digests: list[str] = []
    encoded: list[EncodedJson] = []
    for item in parsed:
        digest, document = _digest_and_encode(item.answers, order)
        digests.append(digest)
        encoded.append(document)
    return _Page(parsed, digests, encoded, issues, max_id)


def _digest_and_encode(answers: dict[str, Any], order: JsonbOrder) -> tuple[str, EncodedJson]:
    """content_hash(answers), and the answers encoded for the jsonb column, from one copy."""
    ordered = order.ordered(answers)
    encoded = EncodedJson(dumps(ordered))
    for key in _VOLATILE_KEYS:
        ordered.pop(key, None)
    try:
        stable = orjson.dumps(ordered, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return _stdlib_hash(answers), encoded
    return hashlib.sha256(stable).hexdigest(), encoded


def _prepare_page(context: _PageContext, page: _Page) -> _Page:
    """Fetch any form version the page names (network, outside the transaction)."""
    for version_uid in {p.version for p in page.parsed if p.version}:
        context.ensure_version(version_uid)
    return page


def _commit_page(
    context: _PageContext,
    run: SyncRun,
    page: _Page,
    report: SyncReport,
    *,
    advance_cursor: bool,
) -> None:
    """Upsert one page on rootUuid, quarantine bad rows, and move the watermark, atomically."""
    parsed, issues, max_id = page.parsed, page.issues, page.max_id
    form = context.form
    created = updated = unchanged = 0
    with transaction.atomic():
        _commit_without_waiting()
        existing = _existing(form, [p.root_uuid for p in parsed])
        new: list[dict[str, Any]] = []
        changed: list[Submission] = []
        for item, digest, encoded in zip(parsed, page.digests, page.encoded, strict=True):
            status = item.validation_status or ""
            row = existing.get(item.root_uuid)
            if row is None:
                new.append(_new_submission(context, item, digest, encoded, status))
                continue
            same = row.kobo_id == item.kobo_id and (
                row.content_hash == digest or row.content_hash == _stdlib_hash(item.answers)
            )
            if same and row.kobo_status == status and row.deleted_at is None:
                unchanged += 1
                continue
            _apply(context, row, item, digest, status, data_changed=not same)
            changed.append(row)
        if new and context.may_hold_ids(min(row["kobo_id"] for row in new)):
            report.deleted += _tombstone_reused_ids(form, [row["kobo_id"] for row in new])
        insert_rows(Submission, new)
        Submission.objects.bulk_update(changed, _UPDATE_FIELDS, batch_size=500)
        quarantined = _quarantine(form, run, issues)
        if advance_cursor and max_id:
            # One conditional UPDATE (it locks the row): the watermark only moves forward.
            SyncCursor.objects.filter(form=form, last_kobo_id__lt=max_id).update(
                last_kobo_id=max_id
            )
        context.holds_ids_up_to(max((p.kobo_id for p in parsed), default=0))
        created, updated = len(new), len(changed)
        report.created += created
        report.updated += updated
        report.unchanged += unchanged
        report.quarantined += quarantined
        report.pages += 1
        _save_counts(run, report)
        # Every page renews the lease (in its transaction: a page that does not commit
        # proves nothing about the run being alive).
        context.lease.renew()
        if context.validate and (new or any(row.needs_validation for row in changed)):
            transaction.on_commit(queue_validation)


def _commit_without_waiting() -> None:
    """Let this page's COMMIT return before its WAL reaches the disk (PostgreSQL).

    The flush took 7-10 ms a page here, during which neither the sync nor PostgreSQL worked
    (the foreign-key checks at COMMIT still run). A crash of PostgreSQL may lose the last
    pages committed so, never part of one: a page and its watermark are lost together, and
    in order, so the next sync fetches them again. The run's outcome commits as usual, which
    flushes every page before it. LOCAL: the setting ends with the transaction (no session
    state left behind on a pooled connection).
    """
    connection = connections[router.db_for_write(Submission)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _existing(form: KoboForm, root_uuids: list[str]) -> dict[str, Submission]:
    """The form's rows with these rootUuids, by rootUuid, without their answers.

    On PostgreSQL the rows are found first by one probe of submission_unique_root per
    rootUuid (LIMIT 1 keeps the lateral subquery a probe): as one `IN` list, the planner
    took the form's rows and filtered them whenever its statistics lagged a large load, so
    each page re-read all the form's rows and a first sync slowed as it grew.
    """
    rows = Submission.objects.filter(form=form).defer("data")
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return {s.root_uuid: s for s in rows.filter(root_uuid__in=root_uuids)}
    with connection.cursor() as cursor:
        cursor.execute(_PROBE_ROOTS, [root_uuids, form.pk])
        pks = [pk for (pk,) in cursor.fetchall()]
    return {s.root_uuid: s for s in rows.filter(pk__in=pks)} if pks else {}


_PROBE_ROOTS = """
    SELECT found.id FROM unnest(%s::text[]) AS wanted(root_uuid)
    CROSS JOIN LATERAL (
        SELECT id FROM surveys_submission
        WHERE form_id = %s AND root_uuid = wanted.root_uuid LIMIT 1
    ) AS found
"""


def _quarantine(form: KoboForm, run: SyncRun, issues: list[tuple[dict[str, Any], str]]) -> int:
    """Keep bad rows with their reason; one open issue per row, however often it is re-read."""
    if not issues:
        return 0
    known = set(
        SyncIssue.objects.filter(
            form=form,
            resolved_at__isnull=True,
            kobo_id__in=[_int_or_none(raw.get("_id")) for raw, _ in issues],
        ).values_list("kobo_id", "reason")
    )
    created = SyncIssue.objects.bulk_create(
        SyncIssue(form=form, run=run, kobo_id=kobo_id, reason=reason, payload=raw)
        for raw, reason in issues
        if (kobo_id := _int_or_none(raw.get("_id"))) is None or (kobo_id, reason) not in known
    )
    return len(created)


def _new_submission(
    context: _PageContext, item: ParsedSubmission, digest: str, encoded: EncodedJson, status: str
) -> dict[str, Any]:
    """A new row's fields by attname (see insert_rows); review fields keep their defaults."""
    version = context.versions.get(item.version) if item.version else None
    return {
        "form_id": context.form.pk,
        "kobo_id": item.kobo_id,
        "root_uuid": item.root_uuid,
        "instance_id": item.instance_id,
        "version_uid": item.version or "",
        "version_id": version.pk if version is not None else None,
        "submitted_by": item.submitted_by or "",
        "submission_time": item.submission_time,
        "started_at": item.start,
        "ended_at": item.end,
        "data": encoded,
        "content_hash": digest,
        "enumerator_id": context.enumerator_pk(item),
        "location_id": context.location_pk(item),
        "kobo_status": status,
        "needs_validation": context.validate,
    }


def _tombstone_reused_ids(form: KoboForm, kobo_ids: list[int]) -> int:
    """Tombstone active rows whose _id KoBo now gives to another (new to us) interview.

    The rows we had are gone there (a reset server reuses _ids). A keyset page's new ids are
    nearly contiguous, so a range read (usually empty) beats an IN list of a thousand ids.
    """
    wanted = set(kobo_ids)
    low, high = min(wanted), max(wanted)
    active = Submission.objects.filter(form=form, deleted_at__isnull=True)
    if high - low < 4 * len(wanted):
        candidates = active.filter(kobo_id__range=(low, high))
    else:
        candidates = active.filter(kobo_id__in=sorted(wanted))
    gone = [pk for pk, kobo_id in candidates.values_list("pk", "kobo_id") if kobo_id in wanted]
    if not gone:
        return 0
    return Submission.objects.filter(pk__in=gone).update(deleted_at=timezone.now())


def _apply(
    context: _PageContext,
    row: Submission,
    item: ParsedSubmission,
    digest: str,
    status: str,
    *,
    data_changed: bool,
) -> None:
    was_deleted = row.deleted_at is not None
    row.kobo_id = item.kobo_id
    row.instance_id = item.instance_id
    row.version_uid = item.version or ""
    row.version = context.versions.get(item.version) if item.version else None
    row.submitted_by = item.submitted_by or ""
    row.submission_time = item.submission_time
    # First-seen start/end: Enketo re-stamps `end` on edit (kobo-api.md §3.2).
    row.started_at = row.started_at or item.start
    row.ended_at = row.ended_at or item.end
    row.data = item.answers
    row.content_hash = digest
    row.enumerator_id = context.enumerator_pk(item)
    row.location_id = context.location_pk(item)
    row.kobo_status = status
    row.deleted_at = None
    row.updated_at = timezone.now()
    if (data_changed or was_deleted) and context.validate:
        row.needs_validation = True
        if row.review_status in _DECIDED:
            row.changed_since_review = True


def _reconcile(context: _PageContext, run: SyncRun, report: SyncReport) -> None:
    """Scan _id + instanceID + status: refetch edited rows, tombstone vanished ones.

    The scan is keyset-paged in _id order, so each page accounts for every _id in
    (previous page's last _id, its last _id]: local rows there are compared a page at a time,
    and memory stays flat however many rows the form has.
    """
    form, client = context.form, context.client
    active = Submission.objects.filter(form=form, deleted_at__isnull=True)
    to_fetch: list[int] = []
    gone: list[int] = []
    covered = 0  # every _id up to here has been compared
    # The scan reads a page ahead; changed rows are refetched after it, when the client's
    # session is free again.
    with closing(read_ahead(client.scan_refs(form.asset_uid), _same)) as scan:
        for refs in scan:
            context.lease.renew()
            if not refs:
                continue
            high = max(ref.kobo_id for ref in refs)
            local = {
                kobo_id: (instance_id, status)
                for kobo_id, instance_id, status in active.filter(
                    kobo_id__gt=covered, kobo_id__lte=high
                ).values_list("kobo_id", "instance_id", "kobo_status")
            }
            for ref in refs:
                known = local.pop(ref.kobo_id, None)
                if (
                    known is None
                    or known[0] != ref.instance_id
                    or known[1] != (ref.validation_status or "")
                ):
                    to_fetch.append(ref.kobo_id)
            gone.extend(local)  # in the page's range, but KoBo no longer has them
            covered = max(covered, high)
    for start in range(0, len(to_fetch), settings.KOBO_PAGE_SIZE):
        _refetch(context, run, report, to_fetch[start : start + settings.KOBO_PAGE_SIZE])
    # Only a complete scan may conclude that a row is gone.
    gone.extend(active.filter(kobo_id__gt=covered).values_list("kobo_id", flat=True))
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(gone), 1000):
            report.deleted += active.filter(kobo_id__in=gone[start : start + 1000]).update(
                deleted_at=now
            )
        SyncCursor.objects.filter(form=form).update(last_reconciled_at=now)
        report.reconciled = True
        _save_counts(run, report)


def _same(refs: list[SubmissionRef]) -> list[SubmissionRef]:
    return refs


def _refetch(context: _PageContext, run: SyncRun, report: SyncReport, ids: list[int]) -> None:
    rows = context.client.get_submissions(context.form.asset_uid, ids)
    page = _prepare_page(context, _parse_page(rows, context.order))
    _commit_page(context, run, page, report, advance_cursor=False)


def _save_counts(run: SyncRun, report: SyncReport) -> None:
    for name in ("created", "updated", "unchanged", "deleted", "quarantined", "pages"):
        setattr(run, name, getattr(report, name))
    run.save(update_fields=["created", "updated", "unchanged", "deleted", "quarantined", "pages"])


def _finish(run: SyncRun, report: SyncReport, *, error: str = "") -> None:
    _save_counts(run, report)
    run.finished_at = timezone.now()
    run.status = SyncRun.Status.FAILED if error else SyncRun.Status.SUCCEEDED
    run.error = error
    run.save(update_fields=["finished_at", "status", "error"])


def _fail(run: SyncRun, report: SyncReport, exc: BaseException) -> None:
    """Record the run as failed, on a connection that still works if the error broke ours."""
    reason = failure_reason(exc)
    try:
        _finish(run, report, error=reason)
    except Exception:  # noqa: BLE001 - the original error is what propagates
        connections[run._state.db or "default"].close()
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(), error=reason
        )


def failure_reason(exc: BaseException) -> str:
    """What stopped a run, in words an operator can act on (no answers, no tokens)."""
    if isinstance(exc, KoboError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted (the process was asked to stop)."
    if isinstance(exc, SoftTimeLimitExceeded):
        return "Stopped by the task's time limit; the next run resumes from the last page."
    if isinstance(exc, DatabaseFailure):
        return f"Database error: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


VALIDATE_PENDING_TASK = "validation.tasks.validate_pending_task"


def queue_validation() -> None:
    """Ask the validation app, by task name, to check what this sync marked dirty.

    surveys must not import validation (import-linter); the task name is the contract. By
    name through the broker, so it works from any process (a management command's task
    registry holds no validation task); in eager mode it runs here, in-line. A message lost
    on the way costs minutes: validation's sweep re-queues rows left dirty.
    """
    app = current_app
    if app.conf.task_always_eager:
        task_named(VALIDATE_PENDING_TASK).apply(throw=True)
        return
    try:
        app.send_task(VALIDATE_PENDING_TASK)
    except Exception:  # noqa: BLE001 - the data is committed; the sweep will queue it
        logger.warning("could not queue validation (broker down?); the sweep will retry")
