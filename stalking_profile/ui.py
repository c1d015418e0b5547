"""Streamlit glue: the only package module that imports streamlit.

Cached access to the database (one read-only connection per process, a cursor per query),
cached measure inputs keyed by the filter, the shared filter sidebar and small shared widgets.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from stalking_profile import formatting, geography, map_panels, panels, queries, tables
from stalking_profile.config import PROJECT_ROOT, Settings
from stalking_profile.db import Gateway, connect
from stalking_profile.filters import (
    DOMESTIC_CHOICES,
    ProfileFilter,
    add_months,
    default_filter,
    latest_complete_month,
)
from stalking_profile.geography import BoundaryError
from stalking_profile.importing.boundaries import load_boundaries
from stalking_profile.importing.load import (
    ImportRefused,
    import_file,
    read_and_validate,
    refused_rows,
)
from stalking_profile.importing.mapping import ColumnMapping, load_mapping
from stalking_profile.importing.readers import ReadError
from stalking_profile.queries import DatasetInfo

FILTER_STATE_KEY = "profile_filter"
TOPOJSON_URL = "/app/static/topojson/"  # an empty world topology: maps draw from ward polygons only

ALL_DISTRICTS_KEY = "all_districts"
MAP_PANELS = ("quality_panel", "hotspot_panel", "emerging_panel", "correspondence_panel")
PANELS = (
    "overview",
    "trends_volume",
    "trends_spc",
    "trends_comparison",
    "outcomes_panel",
    "risk_panel",
    "quality_panel",
)


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


def database_version() -> tuple[str, float]:
    """Path and modification time of the database file: part of every cache key, so that a
    rebuilt or re-imported database is never served from stale caches."""
    path = settings().db_path
    return (str(path), path.stat().st_mtime if path.exists() else 0.0)


@st.cache_resource(show_spinner=False)
def gateway(version: tuple[str, float]) -> Gateway:
    """One read-only connection to the database file (per file version)."""
    return connect(version[0], read_only=True)


def current_gateway() -> Gateway:
    return gateway(database_version())


@st.cache_data(show_spinner=False)
def dataset_info(version: tuple[str, float]) -> DatasetInfo:
    return queries.dataset_info(gateway(version))


def dataset_info_or_none(version: tuple[str, float]) -> DatasetInfo | None:
    """What the database holds, or None when it holds no offences yet (a new force database
    before its first extract: only the Data and Definitions pages have anything to show)."""
    try:
        return dataset_info(version)
    except LookupError:
        return None


@st.cache_data(show_spinner=False)
def districts(version: tuple[str, float]) -> pl.DataFrame:
    return queries.districts(gateway(version))


@st.cache_data(show_spinner=False)
def outcome_types(version: tuple[str, float]) -> pl.DataFrame:
    return queries.outcome_types(gateway(version))


@st.cache_data(show_spinner=False, max_entries=256)
def offence_counts(
    version: tuple[str, float], flt: ProfileFilter, lookback_months: int = 0
) -> pl.DataFrame:
    """Count frame for a filter (cached per database version, filter and look-back)."""
    return queries.offence_counts(gateway(version), flt, lookback_months)


def month_options(info: DatasetInfo) -> list[str]:
    """Every month a period can start or end in, as 'YYYY-MM': from the first recorded month
    to the later of the last recorded month and the extract's latest complete month (an
    extract's outcomes run past its last recorded offence, so the default period may end in
    months with no offence recorded yet)."""
    last = max(info.last_month, latest_complete_month(info.extract_date))
    months: list[str] = []
    month = info.first_month
    while month <= last:
        months.append(month.strftime("%Y-%m"))
        month = add_months(month, 1)
    return months


def _month_label(option: str) -> str:
    return _month_from_option(option).strftime("%b %Y")


def _month_from_option(option: str) -> date:
    year, month = option.split("-")
    return date(int(year), int(month), 1)


PERIOD_CHOICES: dict[str, str] = {"12m": "12 months to", "custom": "From ... to ..."}


def _period(info: DatasetInfo, default: ProfileFilter) -> tuple[date, date] | None:
    """The period widgets: "12 months to <month>" (the problem profile's period, default) or
    any From / To months; None (after saying why) when the period ends before it starts."""
    options = month_options(info)
    default_end = default.end_month.strftime("%Y-%m")
    kind = st.segmented_control(
        "Period (month recorded)",
        options=list(PERIOD_CHOICES),
        default="custom" if "from" in st.query_params else "12m",
        format_func=PERIOD_CHOICES.get,
        required=True,
        key="period",
        bind="query-params",
        help="Offences are counted by the month they were recorded. Default: the latest 12 "
        "complete months.",
    )
    if kind == "custom":
        start = st.selectbox(
            "From",
            options=options,
            index=options.index(default.start_month.strftime("%Y-%m")),
            format_func=_month_label,
            key="from",
            bind="query-params",
        )
    end = st.selectbox(
        "12 months to" if kind != "custom" else "To",
        options=options,
        index=options.index(default_end),
        format_func=_month_label,
        key="to",
        bind="query-params",
    )
    end_month = _month_from_option(end)
    if kind != "custom":
        return max(info.first_month, add_months(end_month, -11)), end_month
    start_month = _month_from_option(start)
    if end_month < start_month:
        st.info(
            "The period ends before it starts: choose a 'To' month on or after the 'From' month."
        )
        return None
    return start_month, end_month


def filter_sidebar(info: DatasetInfo, district_table: pl.DataFrame) -> ProfileFilter | None:
    """The global filters, kept in the page address so a view can be bookmarked and shared.

    Returns None (after saying why) when the choices select nothing.
    """
    codes = tuple(district_table["district_code"].to_list())
    names = dict(zip(codes, district_table["district_name"].to_list(), strict=True))
    default = default_filter(info.first_month, info.extract_date, codes)
    with st.sidebar:
        st.header("Filters")
        period = _period(info, default)
        chosen = st.multiselect(
            "Districts",
            options=list(codes),
            default=list(codes),
            format_func=lambda code: f"{code} {names[code]}",
            key="district",
            bind="query-params",
        )
        domestic = st.segmented_control(
            "Domestic abuse",
            options=list(DOMESTIC_CHOICES),
            default="all",
            format_func=DOMESTIC_CHOICES.get,
            required=True,
            key="da",
            bind="query-params",
        )
        types = st.segmented_control(
            "Offence type",
            options=["stalking", "harassment"],
            selection_mode="multi",
            default=["stalking"],
            format_func=str.capitalize,
            key="type",
            bind="query-params",
        )
    if period is None:
        return None
    if not chosen or not types:
        st.info("Choose at least one district and one offence type in the sidebar.")
        return None
    return ProfileFilter(
        start_month=period[0],
        end_month=period[1],
        districts=tuple(code for code in codes if code in chosen),
        domestic=domestic or "all",
        offence_types=tuple(t for t in ("stalking", "harassment") if t in types),
    )


def synthetic_banner(info: DatasetInfo) -> None:
    """Say plainly, on every page, when the data are the synthetic demonstration force."""
    if info.is_synthetic:
        st.warning(
            "**Demonstration data — synthetic records.** No row describes a real person or crime. "
            f"{info.force_name}; extract date {info.extract_date:%d %B %Y}.",
            icon=":material/science:",
        )


def csv_download(frame: pl.DataFrame, file_name: str, label: str = "Download CSV") -> None:
    """A download button for exactly the frame shown; it does not rerun the page."""
    st.download_button(
        label,
        data=frame.write_csv(),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"download-{file_name}",
    )


def plotly_chart(figure, file_stem: str) -> None:
    """Show a Plotly figure with the toolbar's PNG export named and sized for a slide."""
    st.plotly_chart(
        figure,
        key=f"chart-{file_stem}",
        theme=None,  # the house theme (charts.apply_theme): Streamlit's grey axis text is 3.7:1
        config={
            "displaylogo": False,
            "topojsonURL": TOPOJSON_URL,
            "toImageButtonOptions": {
                "format": "png",
                "filename": file_stem,
                "width": 1600,
                "height": 900,
                "scale": 1,
            },
        },
    )


def settings_options() -> dict[str, int]:
    """Settings that measures need, as plain values."""
    current = settings()
    return {"small_denominator": current.small_denominator, "run_length": current.spc_run_length}


def active_filter() -> ProfileFilter:
    """The filter set by the sidebar in app.py for this run."""
    return st.session_state[FILTER_STATE_KEY]


def headline_tile(column, row: dict, change: dict | None = None, share: dict | None = None) -> None:
    """One headline figure as a metric tile with its definition and interval in the tooltip
    (the change on the previous period under the offences; the DA share under DA offences)."""
    delta = None
    if change is not None and change["value"] is not None:
        delta = formatting.signed_percent(change["value"]) + " on previous period"
    if share is not None and share["value"] is not None:
        delta = f"{formatting.percent(share['value'])} of offences"
    column.metric(
        row["label"],
        formatting.headline_value(row),
        delta=delta,
        delta_color="off",
        delta_arrow="off",
        help=formatting.headline_help(row, change or share),
        border=True,
    )


def offences_in(flt: ProfileFilter) -> int:
    """Offences recorded that match the filter."""
    counts = offence_counts(database_version(), flt)
    return int(counts["offences"].sum()) if counts.height else 0


def nothing_to_show(flt: ProfileFilter) -> bool:
    """Say plainly when no offence matches the filter (and return True), so a page shows a
    sentence instead of empty charts."""
    if offences_in(flt):
        return False
    st.info(
        f"No offences match this filter ({flt.describe()}). Widen the period, the districts, "
        "the DA choice or the offence types in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    return True


@st.cache_data(show_spinner=False, max_entries=256)
def _panel(name: str, version: tuple[str, float], flt: ProfileFilter, options: tuple) -> object:
    if name not in PANELS:
        raise KeyError(f"unknown panel {name!r}")
    return getattr(panels, name)(gateway(version), flt, **dict(options))


def panel(name: str, flt: ProfileFilter, **options: object) -> object:
    """A page section's frames and figures for the filter, cached per database version."""
    return _panel(name, database_version(), flt, tuple(sorted(options.items())))


def file_stem(name: str, flt: ProfileFilter) -> str:
    """A download's file name (without extension): what it is and the filter it shows."""
    return f"{name}_{flt.slug(st.session_state.get(ALL_DISTRICTS_KEY, ()))}"


def chart_with_table(
    figure,
    table: pl.DataFrame,
    name: str,
    flt: ProfileFilter,
    caption: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """A chart, then the exact data it plots (readable without the picture) with a CSV
    download, and a PNG download from the chart's toolbar sized for a slide."""
    stem = file_stem(name, flt)
    plotly_chart(figure, stem)
    if caption:
        st.caption(caption)
    with st.expander("Data behind this chart", icon=":material/table:"):
        show_table(table, stem, labels)


VARIATION_ICONS: dict[str, str] = {
    "common cause": "○ common cause",
    "special cause - improving": "● special cause: improving",
    "special cause - concerning": "▲ special cause: concerning",
    "special cause - high": "↑ special cause: higher",
    "special cause - low": "↓ special cause: lower",
    "too few points": "too few points",
}


def scorecard_table(card: pl.DataFrame) -> pl.DataFrame:
    """The scorecard as shown: formatted values and the Making Data Count variation icon."""
    return formatting.scorecard_display(card, VARIATION_ICONS)


def show_table(
    frame: pl.DataFrame, file_stem: str | None = None, labels: dict[str, str] | None = None
) -> None:
    """A table in the users' words (see `tables`): labelled columns, one precision per
    column; with `file_stem`, a CSV download of exactly what is shown."""
    shown = tables.for_display(frame, labels)
    config: dict[str, object] = {}
    for label, fmt in tables.display_formats(frame, labels).items():
        dtype = shown.schema[label]
        if dtype == pl.Date:
            config[label] = st.column_config.DateColumn(label, format=fmt)
        elif dtype.is_numeric():
            config[label] = st.column_config.NumberColumn(label, format=fmt)
    st.dataframe(shown, hide_index=True, column_config=config)
    if file_stem is not None:
        csv_download(shown, f"{file_stem}.csv")


@st.cache_resource(show_spinner="Preparing ward boundaries ...", max_entries=32)
def ward_geometry(
    version: tuple[str, float], districts: tuple[str, ...]
) -> geography.WardGeometry | None:
    """Ward boundaries, display geometry and contiguity for a set of districts (None if the
    database holds no boundaries for them)."""
    try:
        return geography.ward_geometry(gateway(version), districts)
    except LookupError:
        return None


@st.cache_data(show_spinner=False, max_entries=128)
def _map_panel(
    name: str, version: tuple[str, float], flt: ProfileFilter, options: tuple, _geometry
) -> object:
    if name not in MAP_PANELS:
        raise KeyError(f"unknown map panel {name!r}")
    return getattr(map_panels, name)(gateway(version), flt, _geometry, **dict(options))


def map_panel(name: str, flt: ProfileFilter, **options: object) -> object | None:
    """A map section for the filter, or None when no ward boundaries are loaded."""
    version = database_version()
    geometry = ward_geometry(version, flt.districts)
    if geometry is None:
        return None
    return _map_panel(name, version, flt, tuple(sorted(options.items())), geometry)


@st.cache_data(show_spinner=False)
def comparison_layer_names(version: tuple[str, float]) -> list[str]:
    """Names of the comparison layers loaded, the demo's DA layer first."""
    return (
        queries.comparison_layers(gateway(version))["layer"].unique(maintain_order=True).to_list()
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _quality_records(
    version: tuple[str, float], flt: ProfileFilter, indicator: str
) -> pl.DataFrame:
    return queries.quality_records(gateway(version), flt, indicator)


def quality_records(flt: ProfileFilter, indicator: str) -> pl.DataFrame:
    """The records behind a data-quality indicator (cached per filter)."""
    return _quality_records(database_version(), flt, indicator)


@contextmanager
def uploaded_file(upload) -> Iterator[Path]:
    """An uploaded file saved under its own name in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        yield path


@contextmanager
def writable_database() -> Iterator[Gateway]:
    """A read-write connection for an import: the cached read-only connection is closed first
    (DuckDB allows one configuration per file in a process) and every cache is dropped after,
    so that all pages show the new data."""
    version = database_version()
    gateway(version).close()
    gateway.clear()
    writer = connect(version[0], read_only=False)
    try:
        yield writer
    finally:
        writer.close()
        st.cache_data.clear()
        st.cache_resource.clear()


def progress_bar(label: str):
    """A Streamlit progress bar as a (fraction, message) callback."""
    bar = st.progress(0.0, text=label)
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)


def import_log() -> pl.DataFrame:
    """The import log, newest first."""
    return current_gateway().query("import_log")


def quarantine() -> pl.DataFrame:
    """Every quarantined row with its reason."""
    return current_gateway().query("quarantine", import_id=None)


TEMPLATES = sorted((PROJECT_ROOT / "data" / "templates").glob("*.*"))


def _mapping(upload) -> ColumnMapping:
    if upload is None:
        return ColumnMapping()
    with uploaded_file(upload) as path:
        return load_mapping(path)


def check_upload(upload, mapping_upload, kind: str | None) -> None:
    """Validate an upload without writing and show what would be accepted and refused: green
    only when every row would be accepted, a warning when some would be refused, an error when
    most or all would."""
    try:
        mapping = _mapping(mapping_upload)
        with uploaded_file(upload) as path:
            raw, validated, unused = read_and_validate(current_gateway(), path, kind, mapping)
    except (ImportRefused, ReadError) as error:
        st.error(f"{upload.name} cannot be imported: {error}")
        return
    refused = refused_rows(raw, validated)
    accepted, refused_count = validated.accepted.height, validated.rows_rejected + raw.ragged.height
    message = (
        f"{upload.name}: {validated.kind}; {raw.rows_read:,} rows read = {accepted:,} would be "
        f"accepted + {refused_count:,} refused."
    )
    if refused_count == 0:
        st.success(message)
    elif accepted == 0:
        st.error(f"{message} Nothing would be imported: check the file and its mapping.")
    elif refused_count > accepted:
        st.error(f"{message} Most rows would be refused: check the file and its mapping first.")
    else:
        st.warning(f"{message} The refused rows would be quarantined with their reasons.")
    for note in validated.warnings:
        st.caption(note)
    if unused:
        st.caption(f"Columns not used: {', '.join(unused)}")
    if refused.height:
        show_table(refused.head(500))
        csv_download(
            tables.for_display(refused),
            f"refused-rows-{Path(upload.name).stem}.csv",
            "Download the refused rows with reasons",
        )


def import_upload(upload, mapping_upload, kind: str | None) -> None:
    """Import an upload into the (non-synthetic) database with a progress bar."""
    try:
        mapping = _mapping(mapping_upload)
        with uploaded_file(upload) as path, writable_database() as gateway:
            report = import_file(
                gateway, path, kind, mapping, progress=progress_bar(f"Importing {upload.name}")
            )
    except (ImportRefused, ReadError) as error:
        st.error(f"{upload.name} was not imported: {error}. The database is unchanged.")
        return
    st.success(report.text())


def load_boundary_upload(upload, code_column: str | None) -> None:
    """Load uploaded ward boundaries (all or nothing)."""
    try:
        with uploaded_file(upload) as path, writable_database() as gateway:
            report = load_boundaries(gateway, path, code_column)
    except BoundaryError as error:
        st.error(f"{upload.name} was not loaded: {error}. The database is unchanged.")
        return
    st.success(report.text())
