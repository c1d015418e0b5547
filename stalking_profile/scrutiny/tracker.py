"""The recommendations tracker: recommendations with owner and due date, and a dated history
of status (RAG where stated) and progress. Imported and exported as CSV with the importer's
guarantees: every row checked, refused rows reported with their row number and reason,
nothing half-written, and re-importing the same file changes nothing.

The shipped example is the scrutiny review in the seeds (18 recommendations; the force's
response of July 2023 and progress of February and June 2024). Its RAG colours did not
survive into its text, so a status is recorded only where the text states one; the rest are
"not stated", never guessed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from stalking_profile.access import Access, Permission
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore
from stalking_profile.scrutiny.questions import TEMPLATES

EXAMPLE = TEMPLATES / "recommendations_example.csv"
EXAMPLE_SOURCE = (
    "The demonstration shows the shipped example: the 18 recommendations of the Dyfed-Powys "
    "Police and Crime Commissioner's review \"Is Dyfed-Powys Police effectively managing "
    "perpetrators of stalking and harassment?\" (July 2023), with the force's response and its "
    "February and June 2024 progress. They are a real review's, not the demonstration force's."
)
COLUMNS = ("number", "theme", "text", "owner", "due_date", "update_date", "status", "progress")
OWNERS = ("force", "courts", "commissioner's office")
NOT_STATED = "not stated"
# Colours for statuses as the text states them (RAG, or the words a report uses).
STATUS_COLOURS = {
    "red": "#D55E00",
    "no progress": "#D55E00",
    "amber": "#E69F00",
    "ongoing activity": "#E69F00",
    "green": "#009E73",
    "complete": "#009E73",
    "completed": "#009E73",
    NOT_STATED: "#BBBBBB",
}
SCHEMA = {
    "number": pl.Int64,
    "theme": pl.String,
    "text": pl.String,
    "owner": pl.String,
    "due_date": pl.String,
    "update_date": pl.String,
    "status": pl.String,
    "progress": pl.String,
    "recorded_at": pl.String,
    "recorded_by": pl.String,
}


@dataclass(frozen=True)
class TrackerImport:
    """What an import of a tracker file did: rows read = accepted + refused, always."""

    rows_read: int
    added: int
    changed: int
    unchanged: int
    refused: pl.DataFrame  # row_number, column_name, value, reason

    def text(self) -> str:
        accepted = self.rows_read - self.refused["row_number"].n_unique()
        return (
            f"{self.rows_read:,} rows read = {accepted:,} accepted + "
            f"{self.rows_read - accepted:,} refused; {self.added:,} new updates, "
            f"{self.changed:,} changed, {self.unchanged:,} unchanged."
        )


def tracker(store: OperationalStore, example: bool = False) -> pl.DataFrame:
    """Every recommendation with each dated update (aggregate: open to every role); with
    `example` (the synthetic demo only), the shipped example is loaded the first time the
    tracker is empty - never into a force's store unless someone imports it (the Dip samples
    page once loaded another force's review into a force's tracker: asked by default)."""
    table = store.frame("recommendation_updates", SCHEMA)
    if table.is_empty() and example:
        import_tracker(store, EXAMPLE, Access.command_line("example data"))
        table = store.frame("recommendation_updates", SCHEMA)
    return table


MOST = 9_999  # recommendations a tracker numbers (a 23-digit number stopped the page)


def _is_number(text: str) -> bool:
    """Whether `text` is a recommendation number: ASCII digits (not "²", which isdigit
    takes), from 1 to MOST."""
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MOST


def _check(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Accepted rows and refusals (row numbers count the header as row 1). A second row for
    the same recommendation and update date is refused: one would overwrite the other."""
    problems = []
    accepted = []
    first_row: dict[tuple[str, str], int] = {}  # (number, update date) -> its first row
    for index, row in enumerate(frame.iter_rows(named=True)):
        row_number = index + 2
        reasons = []
        number = (row.get("number") or "").strip()
        if not _is_number(number):
            reasons.append(
                ("number", number, f"a recommendation number (1, 2, ... up to {MOST:,})")
            )
        for column in ("theme", "text"):
            if not (row.get(column) or "").strip():
                reasons.append((column, "", f"a {column} is required"))
        owner = (row.get("owner") or "").strip()
        if owner not in OWNERS:
            reasons.append(("owner", owner, f"the owner is one of {', '.join(OWNERS)}"))
        for column in ("due_date", "update_date"):
            value = (row.get(column) or "").strip()
            if value or column == "update_date":
                try:
                    when = date.fromisoformat(value)
                except ValueError:
                    reasons.append((column, value, "a date as YYYY-MM-DD"))
                    continue
                if column == "update_date" and when > date.today():
                    reasons.append((column, value, "an update dated today or before"))
        if not (row.get("status") or "").strip():
            reasons.append(("status", "", f'a status as stated, or "{NOT_STATED}"'))
        update = (row.get("update_date") or "").strip()
        earlier = first_row.setdefault((number, update), row_number)
        if earlier != row_number and number and update:
            reasons.append(
                (
                    "update_date",
                    update,
                    f"recommendation {number} already has an update of {update} on row "
                    f"{earlier}: one row per recommendation and date",
                )
            )
        if reasons:
            problems += [(row_number, *reason) for reason in reasons]
        else:
            accepted.append(
                {**{c: (row.get(c) or "").strip() for c in COLUMNS}, "row_number": row_number}
            )
    refused = pl.DataFrame(
        problems,
        schema={
            "row_number": pl.Int64,
            "column_name": pl.String,
            "value": pl.String,
            "reason": pl.String,
        },
        orient="row",
    )
    return pl.DataFrame(
        accepted, schema={**dict.fromkeys(COLUMNS, pl.String), "row_number": pl.Int64}
    ), refused


def import_tracker(store: OperationalStore, path: Path | io.BytesIO, by: Access) -> TrackerImport:
    """Import a tracker CSV (columns: number, theme, text, owner, due_date, update_date, status,
    progress): every row checked; the accepted rows written in one transaction, or none;
    an update already recorded with the same status and progress is left alone."""
    by.require(Permission.TRACKER)
    try:
        frame = pl.read_csv(path, infer_schema=False).fill_null("")
    except pl.exceptions.PolarsError as error:
        raise ValueError(f"the tracker file cannot be read as CSV: {error}") from error
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the tracker file has no column(s) {', '.join(missing)}")
    accepted, refused = _check(frame)
    existing = {
        (row["number"], row["update_date"]): (row["status"], row["progress"])
        for row in store.fetch("recommendation_updates")
        if row["update_date"] is not None
    }
    added = changed = unchanged = 0
    with store.transaction() as transaction:
        for row in accepted.iter_rows(named=True):
            number = int(row["number"])
            transaction.execute(
                "recommendation_put",
                number=number,
                theme=row["theme"],
                text=row["text"],
                owner=row["owner"],
                due_date=row["due_date"] or None,
            )
            before = existing.get((number, row["update_date"]))
            if before == (row["status"], row["progress"]):
                unchanged += 1
                continue
            added, changed = (added + 1, changed) if before is None else (added, changed + 1)
            transaction.execute(
                "recommendation_update_put",
                number=number,
                update_date=row["update_date"],
                status=row["status"],
                progress=row["progress"],
                now=now_text(),
                username=by.username,
            )
    report = TrackerImport(frame.height, added, changed, unchanged, refused)
    audit.record(store, Action.TRACKER, by, f"tracker import: {report.text()}")
    return report


def record_update(
    store: OperationalStore,
    number: int,
    update_date: date,
    status: str,
    progress: str,
    by: Access,
) -> None:
    """Add or change one dated update of an existing recommendation (dated today or
    before: an update dated 2031 became every timeline's "latest")."""
    by.require(Permission.TRACKER)
    if not status.strip():
        raise ValueError(f'a status as stated, or "{NOT_STATED}"')
    if update_date > date.today():
        raise ValueError(f"the update is dated {update_date:%d %B %Y}, after today")
    known = {row["number"] for row in store.fetch("recommendation_updates")}
    if number not in known:
        raise ValueError(f"there is no recommendation {number}")
    store.execute(
        "recommendation_update_put",
        number=number,
        update_date=update_date.isoformat(),
        status=status.strip(),
        progress=progress.strip(),
        now=now_text(),
        username=by.username,
    )
    audit.record(store, Action.TRACKER, by, f"recommendation {number} {update_date}: {status}")


def latest(table: pl.DataFrame) -> pl.DataFrame:
    """Each recommendation with its latest dated update (number, theme, owner, text,
    update_date, status); one without any update keeps nulls there."""
    return (
        table.sort(["number", "update_date"], nulls_last=False)
        .group_by("number", maintain_order=True)
        .last()
        .select("number", "theme", "owner", "text", "update_date", "status")
    )


def export_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The tracker in the import format (so an export re-imports unchanged)."""
    return table.filter(pl.col("update_date").is_not_null()).select(
        *(pl.col(c).cast(pl.String).fill_null("") for c in COLUMNS)
    )


ROW_LABEL_CHARACTERS = 45  # a recommendation's row label: its number and theme, cut to this


def _row(number: object, theme: object) -> str:
    label = f"{number}. {theme}"
    if len(label) <= ROW_LABEL_CHARACTERS:
        return label
    return label[: ROW_LABEL_CHARACTERS - 1].rstrip() + "…"


def timeline_figure(table: pl.DataFrame, title: str) -> go.Figure:
    """Status over time: one row per recommendation, one marker per dated update, coloured by
    the status as stated (grey where the text states none)."""
    updates = table.filter(pl.col("update_date").is_not_null())
    figure = go.Figure()
    for status, part in updates.group_by("status", maintain_order=True):
        name = str(status[0])
        figure.add_trace(
            go.Scatter(
                x=part["update_date"].to_list(),
                y=[_row(n, theme) for n, theme in zip(part["number"], part["theme"], strict=True)],
                mode="markers",
                name=name,
                marker={
                    "size": 14,
                    "color": STATUS_COLOURS.get(name.lower(), "#56B4E9"),
                    "symbol": "square",
                },
                customdata=[
                    [f"{n}. {theme}", progress]
                    for n, theme, progress in zip(
                        part["number"],
                        part["theme"],
                        part["progress"].str.slice(0, 200),
                        strict=True,
                    )
                ],
                hovertemplate="%{customdata[0]}<br>%{x}: "
                + name
                + "<br>%{customdata[1]}<extra></extra>",
            )
        )
    order = [
        _row(n, theme)
        for n, theme in updates.select("number", "theme").unique().sort("number").iter_rows()
    ]
    figure.update_layout(
        title=title,
        yaxis={
            "categoryorder": "array",
            "categoryarray": order[::-1],
            "title": None,
            "automargin": True,  # the labels were cut at the left edge
        },
        xaxis={"title": "Update", "type": "date"},
        height=max(320, 28 * len(order) + 140),
        legend={"title": "Status as stated"},
        margin={"l": 10, "r": 10, "t": 70, "b": 40},
    )
    return figure
