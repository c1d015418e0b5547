"""Small shared widgets: tables in the users' words, charts with their data, downloads,
headline tiles and the empty state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import plotly.io
import polars as pl
import pyarrow as pa
import streamlit as st
from plotly.basedatatypes import BaseFigure

from stalking_profile import exports, formatting, images, linked_figures, tables
from stalking_profile.access import AccessDenied, Permission
from stalking_profile.charts import title_of, with_text_as_written
from stalking_profile.filters import ProfileFilter
from stalking_profile.geography import SharedGeoJSON
from stalking_profile.map_panels import Comparison
from stalking_profile.operational import audit
from stalking_profile.operational.audit import Action
from stalking_profile.ui import chart_element, ward_outlines
from stalking_profile.ui.auth import session_check
from stalking_profile.ui.auth import store as operational_store
from stalking_profile.ui.cache import (
    current_access,
    database_version,
    dataset_info_or_none,
    offences_in,
)
from stalking_profile.ui.sidebar import ALL_DISTRICTS_KEY, FILTER_STATE_KEY

TOPOJSON_URL = "/app/static/topojson/"  # an empty world topology: maps draw from ward polygons only


def csv_download(
    frame: pl.DataFrame,
    file_name: str,
    label: str = "Download CSV",
    as_written: bool = False,
    compared: str = "",
    about: dict[str, Any] | None = None,
) -> None:
    """Downloads of exactly the frame shown, as CSV and as Excel, each with its provenance
    (exports.py: filter, extract date, source, marking, disclosure control), made when
    clicked and written to the audit trail then (with the file's hash); they do not rerun
    the page. Offered only to roles that may export. `as_written`: text people wrote (a
    tracker), whose numbers the CSV keeps as written (exports.csv_bytes). `compared`: the
    periods a table of changes compares, in words, where not the filter's alone. `about`:
    provenance fields in place of the page's filter and dataset, for rows that are not the
    offences' (a tracker's: scrutiny.tracker.export_about)."""
    access = current_access()
    if not access.allows(Permission.EXPORT):
        return
    stem = file_name.removesuffix(".csv")
    provenance = replace(_provenance(stem), compared=compared, **(about or {}))
    excel = "Excel (.xlsx)"
    # each button as wide as its label needs ("Download CSV (with p-values)" was cut short)
    needs = [BUTTON_PX + CHARACTER_PX * len(text) for text in (label, excel)]
    left, right = st.columns(needs, gap="small", width=max(420, sum(needs) + 16))
    for column, (kind, make, text) in zip(
        (left, right),
        (
            ("csv", partial(exports.csv_bytes, as_written=as_written), label),
            ("xlsx", partial(exports.xlsx_bytes, as_written=as_written), excel),
        ),
        strict=True,
    ):
        file = f"{stem}.{kind}"
        download(column, text, file, _made_on_click(frame, provenance, make, file), "download")


BUTTON_PX, CHARACTER_PX = 64, 8  # a download button's icon and padding; a label's character

MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "png": "image/png",
    "svg": "image/svg+xml",
    "md": "text/markdown",
}


def download(place, label: str, file_name: str, data, key_prefix: str, icon: str = "") -> None:
    """A download button (in `place`: st, a column) for a file made when clicked (`data` may
    be a function: made only while the session that drew the button is still signed in),
    typed by its suffix; it does not rerun the page."""
    place.download_button(
        label,
        data=_while_signed_in(data) if callable(data) else data,
        file_name=file_name,
        mime=MIME_TYPES[file_name.rsplit(".", 1)[-1]],
        on_click="ignore",
        icon=icon or ":material/download:",
        key=f"{key_prefix}-{file_name}",
    )


def _while_signed_in(make: Callable[[], bytes]) -> Callable[[], bytes]:
    """`make`, run only if the session that drew its button has not ended since."""
    check = session_check()

    def made() -> bytes:
        check()
        return make()

    return made


def _made_on_click(shown, provenance, make, file_name: str):
    """The download's content, made when clicked and logged then (who, what, for which
    filter, whether for publication, and the file's hash)."""
    access, current = current_access(), operational_store()

    def generate() -> bytes:
        content = make(shown, exports.exported_now(provenance))
        marked = "publication" if provenance.suppressed_below else "internal"
        detail = f"{file_name} ({marked}, sha256 {exports.digest(content)})"
        audit.record(current, Action.EXPORT, access, detail, provenance.filter_text)
        return content

    return generate


def _provenance(stem: str) -> exports.Provenance:
    """What a download from this page is: its title (from its file name), the page's filter,
    and the dataset it came from."""
    access = current_access()
    flt = st.session_state.get(FILTER_STATE_KEY)
    info = dataset_info_or_none(database_version())
    title = stem.split("_", 1)[0].replace("-", " ").capitalize()
    return exports.Provenance(
        title=title,
        filter_text=flt.describe() if flt is not None else "no filter (the whole table)",
        force_name=info.force_name if info else "no offences loaded",
        extract_date=info.extract_date if info else None,
        source=info.source if info else "",
        synthetic=bool(info and info.is_synthetic),
        suppressed_below=access.disclosure_rule[0],
        exported_by=access.username,
        exported_at=datetime.now(UTC),
        rounded_to=access.disclosure_rule[1],
        coverage=(info.coverage_warning() or "") if info else "",
    )


def record_download(
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    file_name: str,
    label: str,
    what: str,
    filter_text: str = "",
    source: str = "",
    title: str = "",
) -> None:
    """A download of record-level data (a frame, or a function giving it): offered only to
    roles that may have it, generated when clicked (not before), and written to the audit
    trail when it is. It carries the provenance block every download carries (its marking
    OFFICIAL-SENSITIVE, or the synthetic-data notice): it had none. `filter_text` and
    `source` say what it is where the page's filter and the stored data do not (a file
    checked, not imported); `title`, its title where the file name's first word does not
    (the Data quality records were all "Quality records da" or "... open": helper 93)."""
    access = current_access()
    if not access.allows(Permission.RECORDS):
        return
    current = operational_store()
    # worked out now: the click is served outside the page's run, with no session to read
    provenance = _provenance(file_name.removesuffix(".csv"))
    if filter_text:
        provenance = replace(provenance, filter_text=filter_text)
    if source:
        provenance = replace(provenance, source=source)
    if title:
        provenance = replace(provenance, title=title)

    def generate() -> bytes:
        records = frame() if callable(frame) else frame
        audit.record(
            current,
            Action.RECORDS_DOWNLOADED,
            access,
            f"{what} ({records.height:,} rows)",
            filter_text,
        )
        made = replace(provenance, exported_at=datetime.now(UTC))
        return exports.csv_bytes(tables.for_display(records), made, as_written=True)

    download(st, label, file_name, generate, "records")


@dataclass(frozen=True)
class Sent:
    """A figure as it leaves the server for the browser: its JSON (text as written, ward
    outlines by address), its revision (chart_element.revision) and the collections of
    outlines it names by address."""

    json: str
    revision: str
    outlines: tuple[SharedGeoJSON, ...]


def sent(figure: BaseFigure) -> Sent:
    """The figure as the browser is sent it, made once per figure object (encoding a map of
    7,056 wards takes 55 ms): panels' figures are shared, cached objects that nothing changes
    once built (slide images draw a copy). A map's ward outlines go by address
    (ward_outlines), written again if cleared away since."""
    made = figure.__dict__.get("_sent")
    if made is None:
        full = with_text_as_written(figure.to_dict())
        outlines = tuple(ward_outlines.by_address(full))
        text = plotly.io.to_json(full, validate=False)
        made = Sent(text, chart_element.revision(text), outlines)
        figure._sent = made
    else:
        for collection in made.outlines:
            ward_outlines.address_of(collection)
    return made


def side_by_side_maps(comparisons: list[Comparison], flt: ProfileFilter) -> None:
    """Each comparison of two ward maps (map_panels.Comparison): its title, the sentence of
    its statistics, and the two maps side by side, each with its downloads."""
    for number, comparison in enumerate(comparisons, start=1):
        st.header(comparison.title)
        st.markdown(comparison.statistics["sentence"])
        first, second = st.columns(2)
        with first:
            plotly_chart(comparison.left, f"map-compare-{number}-left", flt)
        with second:
            plotly_chart(comparison.right, f"map-compare-{number}-right", flt)


def plotly_chart(figure: BaseFigure, name: str, flt: ProfileFilter | None = None) -> None:
    """Show a Plotly figure, with downloads rendered on the server at slide size carrying the
    filter, extract date, source, marking and any synthetic-data notice (images.py), written to
    the audit trail when made. The toolbar's own PNG export is left out: it saved the chart in
    the browser, unmarked and unaudited, for any role (helper 95). `name` is unique on the page and the
    same whatever the filter: the chart's element stays on the page while it does
    (chart_element.py), and its files are named by it and `flt` (file_stem; by `name` alone
    for a chart no filter changes)."""
    stem = name if flt is None else file_stem(name, flt)
    shown = sent(figure)
    config = {
        "displaylogo": False,
        # Streamlit's, and the browser's own image export: the slide images below are the
        # marked, audited one
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud", "toImage"],
        "topojsonURL": TOPOJSON_URL,
    }
    chart_element.chart(shown.json, shown.revision, config, name)
    if not current_access().allows(Permission.EXPORT):
        return
    provenance = _provenance(stem)
    columns = st.columns(2, gap="small", width=380)
    for column, image_format in zip(columns, images.FORMATS, strict=True):
        file = f"{stem}.{image_format}"
        made = _made_on_click(figure, provenance, _image_maker(image_format), file)
        download(
            column, f"Slide image ({image_format.upper()})", file, made, "image", ":material/image:"
        )


def _image_maker(image_format: str):
    def make(figure, provenance: exports.Provenance) -> bytes:
        return images.render(images.for_slide(figure, provenance), image_format)

    return make


def headline_tile(
    column,
    row: dict,
    change: dict | None = None,
    share: dict | None = None,
    year_earlier: dict | None = None,
    outcomes_loaded: bool = True,
) -> None:
    """One headline figure as a metric tile with its definition and interval in the tooltip
    (the change on the previous period under the offences, and in its tooltip the change on
    a year earlier; the DA share under DA offences). A figure on small numbers says so on the
    tile, not only in its tooltip (helper 84: 11 offences read "+20.9%" and rates of 18.2%
    with the caution out of sight)."""
    delta = None
    if row["kind"] in ("rate", "share") and row["is_small"] and row["denominator"]:
        shown = "" if row["numerator"] is None else f"{row['numerator']:,} of "
        delta = f"{shown}{row['denominator']:,}: small numbers"
    if change is not None and change["value"] is not None:
        label = change["label"]
        # short enough for a tile (helper 46: "-100.0% per day on previous per…" was cut off;
        # the tooltip and the Headline figures table say it in full)
        wording = " like for like" if "like for like" in label else " vs previous"
        # "+28.3% a day" read as growth every day (helper 53): the rate compared is per day
        per_day = " (per day)" if label.endswith("per day") else ""
        delta = formatting.signed_percent(change["value"]) + wording + per_day
        if change["is_small"]:
            delta += " · small numbers"
    if share is not None and share["value"] is not None:
        delta = f"{formatting.percent(share['value'])} of offences"
    value = formatting.headline_value(row, outcomes_loaded)
    if not value[:1].isdigit():
        # a word in the big type was cut off in a quarter of a 1,280 px window ("suppres…",
        # helper 86): the tile shows a dash, and the word alone in its smaller line below
        value, delta = "—", value
    column.metric(
        row["label"],
        value,
        delta=delta,
        delta_color="off",
        delta_arrow="off",
        help=formatting.headline_help(row, change, share, year_earlier),
        border=True,
    )


def described(flt: ProfileFilter) -> str:
    """The filter in words (ProfileFilter.describe) for Markdown: its district codes, which
    come from the force's file, as written (a code written as a Markdown link became a link
    on every page's caption)."""
    codes = ", ".join(formatting.literal(code) for code in flt.districts)
    return flt.describe(codes or None)


def nothing_to_show(flt: ProfileFilter) -> bool:
    """Say plainly when no offence matches the filter (and return True), so a page shows a
    sentence instead of empty charts."""
    if offences_in(flt):
        return False
    st.info(
        f"No offences match this filter ({described(flt)}). Widen the period, the districts, "
        "the DA choice or the offence types in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    return True


def file_stem(name: str, flt: ProfileFilter) -> str:
    """A download's file name (without extension): what it is, the filter it shows, and
    "_publication" where small numbers are suppressed (a lead who turned publication mode on
    got the same names for both versions, so the unsuppressed file could go out by mistake:
    helper 84)."""
    marked = "_publication" if _publication() else ""
    return f"{name}_{flt.slug(st.session_state.get(ALL_DISTRICTS_KEY, ()))}{marked}"


# A closed expander's table is still sent, and the browser still reads it in: the ward map's
# 7,056 rows cost about a second of every move to the Hotspot maps page (docs/performance.md).
# Tables longer than this are sent only once their expander is opened.
LAZY_TABLE_ROWS = 100
DATA_BEHIND = "Data behind this chart"  # + ": " and the chart's title, where it has one


def chart_with_table(
    figure,
    table: pl.DataFrame,
    name: str,
    flt: ProfileFilter,
    caption: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """A chart (with its slide-image downloads) and `caption`, then the exact data it plots
    (readable without the picture) with its CSV and Excel downloads. A long table
    is sent when its expander is opened (which reruns the page; the expander stays open
    across filter changes)."""
    stem = file_stem(name, flt)
    plotly_chart(figure, name, flt)
    if caption:
        st.caption(caption)
    if _publication() and (
        gaps := linked_figures.gap_note(figure, current_access().suppress_below)
    ):
        st.caption(gaps)
    lazy = table.height > LAZY_TABLE_ROWS
    title = title_of(figure)
    data = st.expander(
        f"{DATA_BEHIND}: {formatting.literal(title)}" if title else DATA_BEHIND,
        icon=":material/table:",
        key=f"data-behind-{name}" if lazy else None,
        on_change="rerun" if lazy else "ignore",
    )
    if not lazy or data.open:
        with data:
            show_table(table, stem, labels)


def _publication() -> bool:
    """Whether this session reads in publication mode (withheld counts are then written)."""
    try:
        return current_access().publication
    except AccessDenied:
        return False


def show_table(
    frame: pl.DataFrame,
    file_stem: str | None = None,
    labels: dict[str, str] | None = None,
    empty: str = "",
    about: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """A table in the users' words (see `tables`): labelled columns, one precision per
    column; with `file_stem`, a CSV download of exactly what is shown (`about` as
    `csv_download` takes it); a `note` under it. With no rows and an `empty` message, the
    message instead (a grid of one blank row said nothing), and no note."""
    if empty and frame.is_empty():
        st.caption(empty)
        return
    table = _prepared(frame, labels, _publication())
    config: dict[str, Any] = {}
    for label, is_date, fmt in table.formats:
        column = st.column_config.DateColumn if is_date else st.column_config.NumberColumn
        config[label] = column(label, format=fmt)
    for label, width in table.widths.items():
        config[label] = st.column_config.TextColumn(label, width=width)
    st.dataframe(table.arrow, hide_index=True, column_config=config, placeholder=tables.NO_VALUE)
    if note:
        st.caption(note)
    if file_stem is not None:
        csv_download(table.shown, f"{file_stem}.csv", about=about)


def table_download(
    frame: pl.DataFrame, file_name: str, label: str = "Download CSV", compared: str = ""
) -> None:
    """Downloads of a table in the users' words, as `show_table` would write it (in
    publication mode a withheld count reads "suppressed", not blank), for a table shown
    another way (its own display frame); `compared` as csv_download takes it."""
    csv_download(_prepared(frame, None, _publication()).shown, file_name, label, compared=compared)


PAGE_TAB = "tab"  # the page address's name for the open tab (one page's tabs at a time)


def page_tabs(labels: Sequence[str]) -> Sequence[Any]:
    """A page's sections as lazy tabs: only the open tab is sent and drawn (opening another is
    a rerun), and the open tab is kept in the page address (`?tab=Scorecard`), so a bookmark or
    a colleague's link opens it. The first tab, the default, leaves the address as it is."""
    return st.tabs(list(labels), key=PAGE_TAB, on_change="rerun", bind="query-params")


def keep_choice(key: str, default: object = None) -> None:
    """Keep the choice made in the widget `key` while the widget is not drawn (its lazy tab
    closed): Streamlit forgets a widget's state when a run does not draw it, and keeps a value
    set through session state. Call before the tabs. With a `default`, make the widget with
    `key` and no default of its own; without one, the widget's own default holds until a
    choice is made."""
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    elif default is not None:
        st.session_state[key] = default


def pick_one_row(
    frame: pl.DataFrame, key: str, options: list[str], labels: list[str], label: str
) -> str | None:
    """A table whose rows the user may pick one of (the scorecard picks the chart under it),
    shown as it is, and the same choice as a list box under it (`label`; `options` and their
    `labels`, one a row): a row is picked by a click, or in the grid by Shift+Space alone,
    which a keyboard user would not guess (helper 52). A row picked sets the box; the box's
    option is returned (None: the table has no row). Sent as Arrow, made once per frame (a
    Polars frame goes through pandas on every rerun)."""
    arrow = frame.__dict__.get("_arrow_as_it_is")
    if arrow is None:
        arrow = frame.__dict__["_arrow_as_it_is"] = _as_arrow(frame)
    picked = st.dataframe(
        arrow,
        hide_index=True,
        placeholder=tables.NO_VALUE,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    rows, choice = picked.selection.rows, f"{key}_choice"
    if rows and rows[0] != st.session_state.get(f"{key}_row"):  # a row picked since
        st.session_state[f"{key}_row"] = rows[0]
        st.session_state[choice] = options[rows[0]]
    names = dict(zip(options, labels, strict=True))
    return st.selectbox(label, options, format_func=names.__getitem__, key=choice)  # None: no row


@dataclass(frozen=True)
class _Prepared:
    """A frame made ready to show: as displayed (and downloaded), as Arrow for the grid, and
    each formatted column's label, whether it is a date, and its format."""

    shown: pl.DataFrame
    arrow: pa.Table
    formats: tuple[tuple[str, bool, str], ...]
    widths: dict[str, int]  # narrowed text columns (tables.text_widths)


def _prepare(frame: pl.DataFrame, labels: dict[str, str] | None, publication: bool) -> _Prepared:
    shown = tables.for_display(frame, labels)
    marked: set[str] = set()
    if publication:
        shown, marked = tables.mark_suppressed(frame, shown, labels)
    schema = shown.schema  # built anew on each access
    formats = tuple(
        (label, schema[label] == pl.Date, fmt)
        for label, fmt in tables.display_formats(frame, labels).items()
        if label not in marked and (schema[label] == pl.Date or schema[label].is_numeric())
    )
    widths = tables.text_widths(shown)
    return _Prepared(shown, _as_arrow(tables.clipped(shown)), formats, widths)


def _prepared(frame: pl.DataFrame, labels: dict[str, str] | None, publication: bool) -> _Prepared:
    """The frame made ready to show, once per frame object, as `_shown` does for figures: a
    page's tables come from shared cached panels, the same frames on every rerun, and nothing
    changes a Polars frame in place. Preparing them again was over half of a rerun's time on
    Outcomes and Risk & flags."""
    made: dict[tuple[tuple[tuple[str, str], ...], bool], _Prepared]
    made = frame.__dict__.setdefault("_prepared_for_display", {})
    key = (tuple(sorted((labels or {}).items())), publication)
    if key not in made:
        made[key] = _prepare(frame, labels, publication)
    return made[key]


def _as_arrow(frame: pl.DataFrame) -> pa.Table:
    """The frame as an Arrow table, which st.dataframe sends as it is: given a Polars frame it
    goes through pandas on every rerun (9 times as long; nullable integers became floats).
    Text as Arrow's plain string type, as the pandas route gave it."""
    table = frame.to_arrow()
    return table.cast(
        pa.schema(
            pa.field(field.name, pa.string()) if _is_text(field.type) else field
            for field in table.schema
        )
    )


def _is_text(arrow_type: pa.DataType) -> bool:
    return pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type)


def progress_bar(label: str):
    """A Streamlit progress bar as a (fraction, message) callback."""
    bar = st.progress(0.0, text=label)
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)


def offer_pack(made_for: tuple) -> None:
    """The pack built in this session, if it was built for what the page now asks
    (`made_for`: its area, filter and publication mode), with its downloads; otherwise it is
    dropped and the page says so. A pack built before publication mode was switched on was
    still offered, unsuppressed, under the page's "small numbers are withheld"."""
    stored = st.session_state.get("pack")
    if stored is None:
        return
    pack, stem, built_for = stored
    if built_for != made_for:
        del st.session_state["pack"]
        st.info(
            f"{pack.title} was built for another area, period, DA choice or publication mode "
            "than these, so it is not offered: build the pack again.",
            icon=":material/refresh:",
        )
        return
    st.success(f"{pack.title}: built in {pack.seconds:.1f} s.")
    pack_downloads(pack, stem)


def pack_downloads(pack, stem: str) -> None:
    """The pack's PowerPoint and PDF, each logged (with its hash) when downloaded."""
    access, current = current_access(), operational_store()
    marked = "publication" if pack.publication else "internal"
    for suffix, content in (("pptx", pack.pptx), ("pdf", pack.pdf)):

        def logged(content: bytes = content, suffix: str = suffix) -> bytes:
            detail = f"{stem}.{suffix} ({marked}, sha256 {exports.digest(content)})"
            audit.record(current, Action.PACK, access, detail)
            return content

        download(st, f"Download the pack ({suffix.upper()})", f"{stem}.{suffix}", logged, "pack")
