"""The audit trail: append-only, in the operational store. Who, when, what, and the filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import polars as pl

from stalking_profile.access import Access
from stalking_profile.operational.store import OperationalStore


class Action(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login failed"
    LOGOUT = "logout"
    ACCESS_REFUSED = "access refused"
    SESSION_EXPIRED = "session expired"
    RECORDS_VIEWED = "records viewed"
    RECORDS_DOWNLOADED = "records downloaded"
    IMPORT = "import"
    EXPORT = "export"
    PACK = "pack"
    USER_ADDED = "user added"
    USER_CHANGED = "user changed"
    SETTING_CHANGED = "setting changed"
    SAMPLE_DRAWN = "dip sample drawn"
    REVIEW = "review answer"
    QUESTION_SET = "question set saved"
    TRACKER = "tracker update"


def now_text() -> str:
    """The current UTC time as the store keeps it (ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(
    store: OperationalStore,
    action: Action,
    who: Access | str | None,
    detail: str = "",
    filter_text: str = "",
    outcome: str = "ok",
) -> None:
    """Append one event to the audit trail."""
    username, role = (who.username, who.role.value) if isinstance(who, Access) else (who, None)
    store.execute(
        "audit_insert",
        at=now_text(),
        username=username,
        role=role,
        action=action.value,
        detail=detail,
        filter=filter_text,
        outcome=outcome,
    )


AUDIT_SCHEMA = {
    "event_id": pl.Int64,
    "at": pl.String,
    "username": pl.String,
    "role": pl.String,
    "action": pl.String,
    "detail": pl.String,
    "filter": pl.String,
    "outcome": pl.String,
}


PAGE_EVENTS = 5000  # the newest events the Users and audit page shows


def for_the_page(store: OperationalStore, access: Access, days: int) -> tuple[pl.DataFrame, str]:
    """The newest PAGE_EVENTS events of the last `days` days (events), and what the page says
    of them: that there are more where there are, and the command that gives every one (the
    page stopped at 5,000 in silence, its caption reading "5,000 events": helper 74)."""
    # "result": a table's column named "outcome" is a Home Office outcome code, which tables
    # hide in favour of its label; the trail's ok / refused / started was dropped with it
    trail = events(store, access, days=days, max_rows=PAGE_EVENTS + 1).rename({"outcome": "result"})
    if trail.height <= PAGE_EVENTS:
        return (
            trail,
            f"{trail.height:,} events, newest first (append-only: nothing can be changed).",
        )
    return trail.head(PAGE_EVENTS), (
        f"The newest {PAGE_EVENTS:,} events of the last {days} days, newest first; there are "
        f"more. Every one: `python -m stalking_profile audit --days {days} --csv FILE` on the "
        "server (append-only: nothing can be changed)."
    )


def export_about(days: int) -> dict[str, object]:
    """What a download of the trail as the page shows it is, in place of the page's offence
    filter and dataset (exports.Provenance's fields): it had been headed with the sidebar's
    offence filter and extract (helper 95)."""
    return {
        "filter_text": f"the audit trail's events of the last {days} days",
        "data": "the dashboard's audit trail, as recorded in the operational store",
        "extract_date": None,
        "source": "the audit trail",
        "synthetic": False,  # who did what, when: real events, on the demo too
        "coverage": "",
    }


def events(
    store: OperationalStore, access: Access, days: int = 90, max_rows: int = PAGE_EVENTS
) -> pl.DataFrame:
    """The audit trail of the last `days` days, newest first (administrators only). To one
    who may not read records, the detail of a record-level event (RECORD_LEVEL: crime
    references, suspect keys, a reviewer's answers) reads RECORD_DETAIL_WITHHELD: who did
    what, and when, is the trail's, the records are not (an administrator had read them)."""
    from stalking_profile.access import Permission

    access.require(Permission.AUDIT)
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    trail = store.frame("audit_events", AUDIT_SCHEMA, since=since, max_rows=max_rows)
    if access.allows(Permission.RECORDS):
        return trail
    return trail.with_columns(
        pl.when(pl.col("action").is_in(sorted(action.value for action in RECORD_LEVEL)))
        .then(pl.lit(RECORD_DETAIL_WITHHELD))
        .otherwise(pl.col("detail"))
        .alias("detail")
    )


# The events whose detail names records: what they were is withheld from a reader of the trail
# who may not read records.
RECORD_LEVEL = frozenset({Action.RECORDS_VIEWED, Action.RECORDS_DOWNLOADED, Action.REVIEW})
# no role of the dashboard reads both the trail and records (helper 65 looked for who changed
# a case's answer): the server's command gives the detail to whoever runs it there
RECORD_DETAIL_WITHHELD = (
    "(record level, not shown on a page: `python -m stalking_profile audit` on the server gives it)"
)
