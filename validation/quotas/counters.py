"""The progress counters (validation.ProgressCount): whether they are kept, rebuild, compaction.

PostgreSQL keeps them by trigger (migration 0018; the SQL is there, as it ran): each update or
delete statement on surveys_submission adds its change per stratum as new rows, and each
insert of an already checked interview a row of +1, never updating a shared row, so a sync
page and a validation batch writing the same stratum do not wait on (or deadlock with) each
other. Those rows pile up until `compact` folds them into one per stratum; the quota task
does it every 15 minutes, and round progress sums whatever is there meanwhile.

An interview counts while it is active, checked and placed: deleted_at IS NULL, NOT
needs_validation, location_id IS NOT NULL (COUNTED below; the trigger's condition too).
"""

from django.db import connection, transaction

TABLE = "validation_progresscount"
STRATUM = (
    "form_id, location_id, enumerator_id, respondent_sex, respondent_citizenship, "
    "review_status, is_eligible"
)
COUNTED = "deleted_at IS NULL AND NOT needs_validation AND location_id IS NOT NULL"


def enabled() -> bool:
    """Counters exist on PostgreSQL only; elsewhere round progress aggregates the interviews."""
    return connection.vendor == "postgresql"


def rebuild() -> int:
    """Recount every stratum from the interviews; returns the strata written.

    Holds writes to the interviews back (SHARE lock) until done, so that none is missed or
    counted twice; reads go on. For repair after a restore or a disabled trigger.
    """
    if not enabled():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE surveys_submission IN SHARE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (constants only)
        cursor.execute(
            f"INSERT INTO {TABLE} ({STRATUM}, n) "  # noqa: S608
            f"SELECT {STRATUM}, count(*) FROM surveys_submission WHERE {COUNTED} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        return int(cursor.rowcount)


def compact() -> int:
    """Fold the change rows into one row per stratum (dropping zeros); returns rows left.

    One statement: what it deletes it re-adds summed, in the same transaction. Rows another
    transaction adds meanwhile are not in its snapshot and stay as they are.
    """
    if not enabled():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} RETURNING {STRATUM}, n) "  # noqa: S608
            f"INSERT INTO {TABLE} ({STRATUM}, n) SELECT {STRATUM}, sum(n) FROM gone "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0"
        )
        return int(cursor.rowcount)
