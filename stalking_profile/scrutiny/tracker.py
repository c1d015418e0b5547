"""The recommendations tracker: recommendations with owner and due date, and a dated history
of status (RAG where stated) and progress. Imported and exported as CSV with the importer's
guarantees: every row checked, refused rows reported with their row number and reason,
nothing half-written, and re-importing the same file changes nothing. Nothing recorded is
lost: a dated update changed again, or a recommendation reworded, keeps what it replaced, with
who replaced it and when (`revisions`).

The shipped example is the scrutiny review in the seeds (18 recommendations; the force's
response of July 2023 and progress of February and June 2024). Its RAG colours did not
survive into its text, so a status is recorded only where the text states one; the rest are
"not stated", never guessed.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

import plotly.graph_objects as go
import polars as pl

from stalking_profile.access import Access, Permission
from stalking_profile.formatting import literal, literal_lines, plural, shortened
from stalking_profile.importing.readers import ROW_NUMBER, RawTable, read_table
from stalking_profile.importing.validate import CONTROL, CONTROL_REASON
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action, now_text
from stalking_profile.operational.store import OperationalStore, Transaction
from stalking_profile.scrutiny.questions import TEMPLATES
from stalking_profile.tables import FORMULA_STARTS

EXAMPLE = TEMPLATES / "recommendations_example.csv"
EXAMPLE_SOURCE = (
    "The demonstration shows the shipped example: the 18 recommendations of the Dyfed-Powys "
    "Police and Crime Commissioner's review \"Is Dyfed-Powys Police effectively managing "
    "perpetrators of stalking and harassment?\" (July 2023), with the force's response and its "
    "February and June 2024 progress. They are a real review's, not the demonstration force's."
)
EXAMPLE_ATTRIBUTION = (
    "The shipped example: the Dyfed-Powys Police and Crime Commissioner's review of July 2023, "
    "not the demonstration force's recommendations."
)
COLUMNS = ("number", "theme", "text", "owner", "due_date", "update_date", "status", "progress")
OWNERS = ("force", "courts", "commissioner's office")
NOT_STATED = "not stated"
# A recommendation is overdue when its due date has passed and its latest update does not
# state one of these, in any case and with or without a full stop (the words a tracker uses
# for done; green as the scrutiny review's RAG rating defines it, "Recommendation is
# complete": a Green past its due date was flagged overdue, while drawn as complete).
CLOSED_STATUSES = ("complete", "completed", "closed", "discharged", "green")
DETAILS = ("theme", "text", "owner", "due_date")  # a recommendation's own columns
# Colour and shape for statuses as the text states them (RAG, or the words a report uses): a
# shape each, so that a status is not told by colour alone (WCAG 1.4.1; helper 52: amber and
# red differed in hue only); any other status is a sky-blue square.
RED, AMBER, GREEN = ("#D55E00", "x"), ("#E69F00", "diamond"), ("#009E73", "circle")
STATUS_MARKERS = {
    "red": RED,
    "no progress": RED,
    "amber": AMBER,
    "ongoing activity": AMBER,
    "green": GREEN,
    "complete": GREEN,
    "completed": GREEN,
    NOT_STATED: ("#BBBBBB", "square-open"),
}
OTHER_STATUS = ("#56B4E9", "square")
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
    reworded: tuple[int, ...] = ()  # recommendations whose theme, text, owner or due date changed

    def text(self) -> str:
        accepted = self.rows_read - self.refused["row_number"].n_unique()
        text = (
            f"{plural(self.rows_read, 'row')} read = {accepted:,} accepted + "
            f"{self.rows_read - accepted:,} refused; {plural(self.added, 'new update')}, "
            f"{self.changed:,} changed, {self.unchanged:,} unchanged."
        )
        if self.changed:
            text += " Each changed update's earlier version is kept in its history."
        if self.reworded:
            numbers = ", ".join(map(str, self.reworded))
            text += (
                f" The theme, wording, owner or due date of recommendation(s) {numbers} changed "
                "(the earlier ones are kept in the history): if this file is another review's, "
                "number its recommendations after this tracker's."
            )
        return text


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


def whose(table: pl.DataFrame) -> str:
    """Whose recommendations `table` (the tracker) holds, where a reader could take them for
    the force's: the shipped example's source when it holds exactly the example's
    recommendations (a demonstration pack listed a real review's 18 under the demo force's
    title); otherwise "" (a force's own tracker)."""
    example = pl.read_csv(EXAMPLE, infer_schema=False).select(
        pl.col("number").cast(pl.Int64), "text"
    )
    shown = table.select("number", "text").unique().sort("number")
    same = shown.height and shown.equals(example.unique().sort("number"))
    return EXAMPLE_ATTRIBUTION if same else ""


def export_about(table: pl.DataFrame, shown: pl.DataFrame | None = None) -> dict[str, object]:
    """What a download of the tracker `table` (every update), or of the recommendations
    `shown` of it, is, in place of the page's offence filter and dataset (exports.Provenance's
    fields): which recommendations, and whose. Its exports were headed with the sidebar's
    filter and, on the demo, "SYNTHETIC DATA" over a real review's recommendations (helper
    90)."""
    if shown is None:
        chosen = "every recommendation, with every update"
    elif set(shown["number"]) == set(table["number"]):
        chosen = "every recommendation"
    else:
        chosen = "the recommendations of the themes and owners chosen on the page"
    return {
        "filter_text": chosen,
        "data": whose(table)
        or "the force's recommendations tracker, as recorded in the operational store",
        "extract_date": None,
        "source": "the recommendations tracker",
        "synthetic": False,  # a review's words and the updates recorded, not the demo's records
        "coverage": "",
    }


MOST = 9_999  # recommendations a tracker numbers (a 23-digit number stopped the page)


def _is_number(text: str) -> bool:
    """Whether `text` is a recommendation number: ASCII digits (not "²", which isdigit
    takes), from 1 to MOST."""
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MOST


def _check(frame: pl.DataFrame, unread: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Accepted rows and refusals (row numbers count the header as row 1; `unread`: the rows
    the reader could not split into the header's fields). A second row for the same
    recommendation and update date is refused (one would overwrite the other), however its
    number is written ("01" is 1); so is a row giving a recommendation another theme, wording,
    owner or due date than its first row, and text holding a control character."""
    problems: list[tuple[object, ...]] = [
        (row["row_number"], "", shortened(row["raw_row"], 80), row["reason"])
        for row in unread.iter_rows(named=True)
    ]
    accepted = []
    first_row: dict[tuple[str, str], int] = {}  # (number, update date) -> its first row
    details: dict[str, tuple[int, tuple[str, ...]]] = {}  # number -> its first row and details
    for read in frame.iter_rows(named=True):
        # as written before a download guarded it ("- partly" came back as "'- partly": every
        # update re-imported read as changed)
        row = {k: GUARDED.sub("", v) if isinstance(v, str) else v for k, v in read.items()}
        row_number = int(row[ROW_NUMBER])
        reasons = []
        written = (row.get("number") or "").strip()
        number = str(int(written)) if _is_number(written) else written
        if not _is_number(written):
            reasons.append(
                ("number", written, f"a recommendation number (1, 2, ... up to {MOST:,})")
            )
        reasons += [
            (column, shortened(row.get(column) or "", 80), CONTROL_REASON)
            for column in COLUMNS
            if re.search(CONTROL, row.get(column) or "")
        ]
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
                    # fromisoformat also reads 20261201 and 2024-W40-1, which were stored as
                    # written and then compared and sorted as text (overdue read wrongly)
                    if not ISO_DATE.fullmatch(value):
                        raise ValueError(value)
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
        mine = tuple((row.get(column) or "").strip() for column in DETAILS)
        # compared with the first row of the number that passed its own checks
        first, theirs = details.setdefault(number, (row_number, mine)) if not reasons else (0, mine)
        differ = [c for c, a, b in zip(DETAILS, mine, theirs, strict=True) if a != b]
        if differ:
            reasons.append(
                (
                    differ[0],
                    mine[DETAILS.index(differ[0])],
                    f"recommendation {number} has another {', '.join(differ)} on row {first}: "
                    "one theme, wording, owner and due date per recommendation in a file",
                )
            )
        if reasons:
            problems += [(row_number, *reason) for reason in reasons]
        else:
            accepted.append(
                {
                    **{c: (row.get(c) or "").strip() for c in COLUMNS},
                    "number": number,
                    "row_number": row_number,
                }
            )
    refused = pl.DataFrame(
        sorted(problems, key=lambda problem: cast(int, problem[0])),
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
    an update already recorded with the same status and progress is left alone, and what a
    row changes is kept in the history (`revisions`)."""
    by.require(Permission.TRACKER)
    raw = _read(path)
    frame = raw.frame.fill_null("")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the tracker file has no column(s) {', '.join(missing)}")
    accepted, refused = _check(frame, raw.ragged)
    existing = {
        (row["number"], row["update_date"]): (row["status"], row["progress"])
        for row in store.fetch("recommendation_updates")
        if row["update_date"] is not None
    }
    added = changed = unchanged = 0
    reworded: set[int] = set()
    now = now_text()
    with store.transaction() as transaction:
        for row in accepted.iter_rows(named=True):
            number = int(row["number"])
            recommendation = {
                "number": number,
                "theme": row["theme"],
                "text": row["text"],
                "owner": row["owner"],
                "due_date": row["due_date"] or None,
            }
            if transaction.execute(
                "recommendation_keep", **recommendation, now=now, username=by.username
            ):
                reworded.add(number)
            transaction.execute("recommendation_put", **recommendation)
            before = existing.get((number, row["update_date"]))
            if before == (row["status"], row["progress"]):
                unchanged += 1
                continue
            added, changed = (added + 1, changed) if before is None else (added, changed + 1)
            _put_update(
                transaction,
                number=number,
                update_date=row["update_date"],
                status=row["status"],
                progress=row["progress"],
                now=now,
                username=by.username,
            )
    report = TrackerImport(
        frame.height + raw.ragged.height,
        added,
        changed,
        unchanged,
        refused,
        tuple(sorted(reworded)),
    )
    audit.record(store, Action.TRACKER, by, f"tracker import: {report.text()}")
    return report


def _read(path: Path | io.BytesIO) -> RawTable:
    """The tracker file through the importer's reader: any encoding and line ending (UTF-16
    and CR-only line endings read as having no columns), blank rows skipped, a row of more or
    fewer fields than the header refused on its row (one refused the whole file, in Polars'
    words). The `# Field: value` lines a download begins with are passed over (the page's own
    download was refused: helper 65), and rows are numbered as in the file."""
    data = path.read_bytes() if isinstance(path, Path) else path.getvalue()
    lines = data.split(b"\n")
    skipped = 0
    while skipped < len(lines) and lines[skipped].removeprefix(b"\xef\xbb\xbf").startswith(b"#"):
        skipped += 1
    name = Path(str(getattr(path, "name", "") or "tracker.csv")).name
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        copy.write_bytes(b"\n".join(lines[skipped:]))
        raw = read_table(copy)
    return dataclasses.replace(
        raw,
        frame=raw.frame.with_columns(pl.col(ROW_NUMBER) + skipped),
        ragged=raw.ragged.with_columns(pl.col("row_number") + skipped),
    )


# the quote a download puts before text a spreadsheet would run ("'- partly done"): taken off
GUARDED = re.compile(f"^'(?=[{re.escape(''.join(FORMULA_STARTS))}])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # the only date written to the tracker


def _put_update(transaction: Transaction, **update: object) -> None:
    """Write a dated update, keeping the version it replaces (if any) in the history."""
    transaction.execute("recommendation_update_keep", **update)
    transaction.execute("recommendation_update_put", **update)


def record_update(
    store: OperationalStore,
    number: int,
    update_date: date,
    status: str,
    progress: str,
    by: Access,
) -> str:
    """Add or change one dated update of an existing recommendation (dated today or
    before: an update dated 2031 became every timeline's "latest"). A change keeps the
    version it replaces in the history (two people updating the same date once lost the
    first's words). Returns what was done, in words."""
    by.require(Permission.TRACKER)
    status, progress = status.strip(), progress.strip()
    if not status:
        raise ValueError(f'a status as stated, or "{NOT_STATED}"')
    if update_date > date.today():
        raise ValueError(f"the update is dated {update_date:%d %B %Y}, after today")
    rows = store.fetch("recommendation_updates")
    if number not in {row["number"] for row in rows}:
        raise ValueError(f"there is no recommendation {number}")
    when = update_date.isoformat()
    before = next(
        (row for row in rows if row["number"] == number and row["update_date"] == when), None
    )
    name = f"the {update_date:%d %B %Y} update of recommendation {number}"
    if before is not None and (before["status"], before["progress"]) == (status, progress):
        return f"Nothing changed: {name} already says this."
    with store.transaction() as transaction:
        _put_update(
            transaction,
            number=number,
            update_date=when,
            status=status,
            progress=progress,
            now=now_text(),
            username=by.username,
        )
    audit.record(store, Action.TRACKER, by, f"recommendation {number} {update_date}: {status}")
    if before is None:
        return f"Recorded {name}."
    return (
        f"Changed {name}; the version it replaces ({before['status']}, recorded by "
        f"{before['recorded_by']} at {before['recorded_at']}) is kept in its history."
    )


def set_due_date(store: OperationalStore, number: int, due: date | None, by: Access) -> str:
    """Set (or, with None, clear) the due date of an existing recommendation; the date it
    replaces is kept in the history (`revisions`). Due dates came only from a tracker file, so
    the Overdue column was blank on every recommendation recorded in the app (helper 90).
    Returns what was done, in words."""
    by.require(Permission.TRACKER)
    current = next(
        (row for row in store.fetch("recommendation_updates") if row["number"] == number), None
    )
    if current is None:
        raise ValueError(f"there is no recommendation {number}")
    when = due.isoformat() if due else None
    if (current["due_date"] or None) == when:
        return f"Nothing changed: recommendation {number} is already {_due(when)}."
    recommendation = {
        "number": number,
        "theme": current["theme"],
        "text": current["text"],
        "owner": current["owner"],
        "due_date": when,
    }
    with store.transaction() as transaction:
        transaction.execute(
            "recommendation_keep", **recommendation, now=now_text(), username=by.username
        )
        transaction.execute("recommendation_put", **recommendation)
    audit.record(store, Action.TRACKER, by, f"recommendation {number}: {_due(when)}")
    return f"Recommendation {number} is now {_due(when)} ({_due(current['due_date'])} before)."


REVISION_SCHEMA = {
    "number": pl.Int64,
    "update_date": pl.String,
    "revision": pl.Int64,
    "status": pl.String,
    "progress": pl.String,
    "recorded_at": pl.String,
    "recorded_by": pl.String,
    "replaced_at": pl.String,
    "replaced_by": pl.String,
}
WORDING_SCHEMA = {
    "number": pl.Int64,
    "revision": pl.Int64,
    "theme": pl.String,
    "text": pl.String,
    "owner": pl.String,
    "due_date": pl.String,
    "replaced_at": pl.String,
    "replaced_by": pl.String,
}


def revisions(store: OperationalStore) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What changes replaced, oldest first: the earlier versions of dated updates (number,
    update_date, revision, status, progress, who recorded it and when, who replaced it and
    when), and the earlier theme, wording, owner and due date of recommendations."""
    return (
        store.frame("recommendation_update_revisions", REVISION_SCHEMA),
        store.frame("recommendation_revisions", WORDING_SCHEMA),
    )


def history_markdown(
    history: pl.DataFrame, earlier_updates: pl.DataFrame, earlier_wordings: pl.DataFrame
) -> str:
    """One recommendation's record in words (Markdown): its wording, owner and due date; each
    dated update with who recorded it and when, and the versions a change replaced; the
    wordings a change replaced. `history` is the recommendation's rows of `tracker`; the others
    are `revisions`, any recommendations'."""
    first = _as_written(history.row(0, named=True))
    number = first["number"]
    lines = [first["text"], "", f"Owner: {first['owner']}; {_due(first['due_date'])}."]
    replaced = earlier_updates.filter(pl.col("number") == number)
    for row in history.filter(pl.col("update_date").is_not_null()).iter_rows(named=True):
        lines += [
            "",
            f"**{row['update_date']} · {literal(row['status'])}** (recorded by "
            f"{literal(row['recorded_by'])}, {row['recorded_at']})",
            "",
            literal_lines(row["progress"]) or "(no progress text)",
        ]
        for old in replaced.filter(pl.col("update_date") == row["update_date"]).iter_rows(
            named=True
        ):
            old = _as_written(old)
            lines += [
                "",
                f"> Earlier version {old['revision']}: **{old['status']}** (recorded by "
                f"{old['recorded_by']}, {old['recorded_at']}; replaced by {old['replaced_by']}, "
                f"{old['replaced_at']}): {old['progress'] or '(no progress text)'}",
            ]
    for old in earlier_wordings.filter(pl.col("number") == number).iter_rows(named=True):
        old = _as_written(old)
        lines += [
            "",
            f"> Earlier wording {old['revision']} (replaced by {old['replaced_by']}, "
            f"{old['replaced_at']}): {old['theme']}; owner {old['owner']}; "
            f"{_due(old['due_date'])}: {old['text']}",
        ]
    return "\n".join(lines)


def _as_written(row: dict) -> dict:
    """A stored row's texts as Markdown shows them as written (`formatting.literal`)."""
    return {k: literal(v) if isinstance(v, str) else v for k, v in row.items()}


def _due(due_date: str | None) -> str:
    return f"due {due_date}" if due_date else "no due date"


def latest(table: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """Each recommendation with its latest dated update (number, theme, owner, text,
    due_date, update_date, status, overdue); one without any update keeps nulls there.
    `overdue` (as of `today`, the date it is run by default): the due date is before today and
    the latest update does not state it done (CLOSED_STATUSES); null without a due date."""
    today = today or date.today()
    return (
        table.sort(["number", "update_date"], nulls_last=False)
        .group_by("number", maintain_order=True)
        .last()
        .with_columns(
            overdue=pl.when(pl.col("due_date").is_null() | (pl.col("due_date") == ""))
            .then(None)
            .otherwise(
                (pl.col("due_date") < today.isoformat())
                & ~pl.col("status")
                .str.to_lowercase()
                .str.strip_chars(" .!")
                .fill_null("")
                .is_in(CLOSED_STATUSES)
            )
        )
        .select("number", "theme", "owner", "text", "due_date", "update_date", "status", "overdue")
    )


def export_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The tracker in the import format (so an export re-imports unchanged)."""
    return table.filter(pl.col("update_date").is_not_null()).select(
        *(pl.col(c).cast(pl.String).fill_null("") for c in COLUMNS)
    )


ROW_LABEL_CHARACTERS = 45  # a recommendation's row label: its number and theme, cut to this


def _row(number: object, theme: object) -> str:
    return shortened(f"{number}. {theme}", ROW_LABEL_CHARACTERS)


def timeline_figure(table: pl.DataFrame, title: str) -> go.Figure:
    """Status over time: one row per recommendation, one marker per dated update, coloured by
    the status as stated (grey where the text states none) and shaped by it (STATUS_MARKERS)."""
    updates = table.filter(pl.col("update_date").is_not_null())
    figure = go.Figure()
    for status, part in updates.group_by("status", maintain_order=True):
        name = str(status[0])
        colour, symbol = STATUS_MARKERS.get(name.lower(), OTHER_STATUS)
        figure.add_trace(
            go.Scatter(
                x=part["update_date"].to_list(),
                y=[_row(n, theme) for n, theme in zip(part["number"], part["theme"], strict=True)],
                mode="markers",
                name=name,
                marker={
                    "size": 14,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"width": 1, "color": "#333333"},  # 3:1 against white (1.4.11)
                },
                # the status is text a user typed: data, never part of the template (a "%{...}"
                # in it was read as a placeholder)
                customdata=[
                    [f"{n}. {theme}", progress, name]
                    for n, theme, progress in zip(
                        part["number"],
                        part["theme"],
                        part["progress"].str.slice(0, 200),
                        strict=True,
                    )
                ],
                hovertemplate="%{customdata[0]}<br>%{x}: %{customdata[2]}<br>%{customdata[1]}"
                "<extra></extra>",
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
