"""Checking and importing uploaded files on the Data page (validation first, nothing written
until the user asks; the database unchanged when a file is refused)."""

from __future__ import annotations

import contextlib
import ctypes
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from stalking_profile.config import PROJECT_ROOT
from stalking_profile.contract import IMPORT_KINDS
from stalking_profile.db import DatabaseError
from stalking_profile.formatting import literal
from stalking_profile.geography import BoundaryError
from stalking_profile.importing.boundaries import load_boundaries
from stalking_profile.importing.boundary_reader import read_boundaries_safely
from stalking_profile.importing.check import CheckReport
from stalking_profile.importing.external import check_in_child, import_in_child
from stalking_profile.operational.audit import Action
from stalking_profile.ui.auth import audited
from stalking_profile.ui.cache import current_access, settings, writable_database
from stalking_profile.ui.widgets import progress_bar, record_download, show_table


@contextmanager
def uploaded_file(upload) -> Iterator[Path]:
    """An uploaded file saved under its own name in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        upload.seek(0)
        with path.open("wb") as saved:
            shutil.copyfileobj(upload, saved, length=1 << 20)  # in chunks: no second copy
        yield path


TEMPLATES = sorted((PROJECT_ROOT / "data" / "templates").glob("*.*"))


CHECKED_KEY = "_data_page_check"


def _check_in_child(upload, mapping_upload, kind: str | None):
    """Check the saved upload in a child process; its outcome, the first 500 refused rows and
    all of them as Parquet bytes (compact, read into a table only if downloaded)."""
    with uploaded_file(upload) as path, tempfile.TemporaryDirectory() as folder:
        mapping = _saved_mapping(mapping_upload, Path(folder))
        outcome = check_in_child(
            current_access(), settings().db_path, path, Path(folder), mapping, kind
        )
        has_refused = outcome.report is not None and outcome.refused_rows.exists()
        shown = pl.read_parquet(outcome.refused_rows, n_rows=500) if has_refused else None
        everything = (
            outcome.refused_rows.read_bytes() if shown is not None and shown.height else b""
        )
    give_memory_back()
    return outcome, shown, everything


def check_upload(upload, mapping_upload, kind: str | None) -> CheckReport | None:
    """Validate an upload without writing (in a child process: a large file never grows the
    dashboard's memory) and show what would be accepted and refused: green only when every
    row would be accepted, a warning when some would be refused, an error when most or all
    would. Returns the check's report (None when the file is refused outright)."""
    key = (upload.file_id, getattr(mapping_upload, "file_id", None), kind)
    checked = st.session_state.get(CHECKED_KEY)
    if checked is None or checked[0] != key:  # each file is checked once, not on every run
        with st.spinner(
            f"Checking {upload.name}: reading and validating every row", show_time=True
        ):
            checked = (key, *_check_in_child(upload, mapping_upload, kind))
        st.session_state[CHECKED_KEY] = checked
    _, outcome, shown, everything = checked
    if outcome.report is None:
        st.error(f"{literal(upload.name)} cannot be imported: {literal(outcome.error)}.")
        return None
    report = outcome.report
    message = literal(report.text())
    if report.refused == 0:
        st.success(message)
    elif report.accepted == 0:
        st.error(f"{message} Nothing would be imported: check the file and its mapping.")
    elif report.refused > report.accepted:
        st.error(f"{message} Most rows would be refused: check the file and its mapping first.")
    else:
        st.warning(f"{message} The refused rows would be quarantined with their reasons.")
    for note in report.warnings:
        st.caption(literal(note))
    if report.unused_columns:
        st.caption(f"Columns not used: {literal(', '.join(report.unused_columns))}")
    if shown is not None and shown.height:
        show_table(shown)
        record_download(
            lambda: pl.read_parquet(io.BytesIO(everything)),  # read only when clicked
            f"refused-rows-{Path(upload.name).stem}.csv",
            "Download the refused rows with reasons",
            f"refused rows of {Path(upload.name).name}",
            filter_text="none: every row the check refused",
            source=f"the check of {Path(upload.name).name} (not imported)",
        )
    return report


def _saved_mapping(mapping_upload, folder: Path) -> Path | None:
    if mapping_upload is None:
        return None
    mapping = folder / Path(mapping_upload.name).name
    mapping.write_bytes(mapping_upload.getvalue())
    return mapping


def give_memory_back() -> None:
    """Ask the C allocator to return freed memory to the system (glibc keeps it otherwise,
    and a large upload would leave the dashboard's process big)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def forget_upload(upload) -> None:
    """Drop an imported file from the server's upload store now (Streamlit keeps every upload
    in memory until its session ends or the user removes it from the widget)."""
    context = get_script_run_ctx()
    if context is not None and isinstance(context.uploaded_file_mgr, MemoryUploadedFileManager):
        context.uploaded_file_mgr.remove_file(session_id=context.session_id, file_id=upload.file_id)


def import_upload(
    upload, mapping_upload, kind: str | None, whole_extract: bool = False
) -> tuple[str, list[str]] | None:
    """Import an upload into the (non-synthetic) database in a separate process (its memory
    is given back when it ends) with a progress bar; the new version is published for every
    session when it succeeds; `whole_extract` removes the stored offences it leaves out. Returns the report to show (its summary and its refused rows'
    lines), or None (the error shown)."""
    bar = progress_bar(f"Importing {upload.name}")
    with uploaded_file(upload) as path, tempfile.TemporaryDirectory() as folder:
        mapping = _saved_mapping(mapping_upload, Path(folder))
        outcome = import_in_child(
            current_access(), settings().db_path, path, mapping, kind, bar, whole_extract
        )
    audited(Action.IMPORT, outcome.for_audit(Path(upload.name).name))()
    st.session_state.pop(CHECKED_KEY, None)
    if outcome.ok:
        forget_upload(upload)
    give_memory_back()
    if outcome.ok:
        summary, refused = outcome.parts()
        # one line each (a Markdown line break), not run together in one paragraph
        lines = [*map(literal, summary.splitlines())]
        if outcome.changed:  # not after "already imported ... nothing changed" (helper 64)
            lines.append("Every page now shows the new data.")
        return "  \n".join(lines), refused
    st.error(f"{literal(upload.name)} was not imported: {literal(outcome.text)}")
    return None


def load_boundary_upload(upload, code_column: str | None) -> None:
    """Load uploaded ward boundaries (all or nothing)."""
    try:
        with uploaded_file(upload) as path:
            # read (in a child process with limits) before the database is held for writing
            read = read_boundaries_safely(path, code_column)
            with writable_database() as gateway:
                report = load_boundaries(
                    gateway.scoped(current_access()), path, code_column, boundaries=read
                )
    except (BoundaryError, DatabaseError) as error:
        st.error(
            f"{literal(upload.name)} was not loaded: {literal(str(error))}. The database is unchanged."
        )
        return
    audited(Action.IMPORT, f"boundaries {Path(upload.name).name}: {report.text()}")()
    st.success(literal(report.text()))


def check_and_import_section(synthetic: bool) -> None:
    """The Data page's first tab: upload a file (and a mapping), see the check, import it."""
    upload = st.file_uploader(
        "Records file (CSV, Parquet or Excel)",
        type=["csv", "txt", "tsv", "parquet", "xlsx"],
        key=f"data_file_{st.session_state.get('data_round', 0)}",
    )
    mapping = st.file_uploader("Column mapping (TOML, optional)", type=["toml"], key="data_mapping")
    kind = st.selectbox("The file holds", ["detect", *IMPORT_KINDS], key="data_kind")
    chosen_kind = None if kind == "detect" else kind
    if upload is not None:
        checked = check_upload(upload, mapping, chosen_kind)
        if checked is not None and checked.absent and checked.whole_refused:
            st.caption(
                "As the force's whole extract it would be refused: "
                f"{literal(checked.whole_refused)}."
            )
        whole_extract = (
            checked is not None
            and checked.accepted > 0
            and checked.absent > 0
            and not checked.whole_refused
            and not synthetic
            and st.checkbox(
                "This file is the force's whole extract: remove the "
                + (
                    "stored offence"
                    if checked.absent == 1
                    else f"{checked.absent:,} stored offences"
                )
                + " it does not hold",
                key="data_whole_extract",
                help="Tick when the file is a complete extract of the force's offences and "
                "offences missing from it were deleted or merged in the records system. "
                "Leave it clear for a file of some offences only (a month, a district).",
            )
        )
        if synthetic:
            st.info(
                "This database is the synthetic demonstration force: records are not imported "
                "into it, so that real and synthetic data never mix. Import into a force "
                "database on the command line (`python -m stalking_profile import FILE --db "
                "force.duckdb`) and start the dashboard on it with "
                "`STALKING_PROFILE_DB=force.duckdb`."
            )
        elif (
            checked is not None  # no button for a file refused outright
            and checked.accepted > 0  # nor for one with no row to import
            and st.button("Import the accepted rows", type="primary", key="data_import")
        ):
            report = import_upload(upload, mapping, chosen_kind, whole_extract)
            if report is not None:
                # A new uploader on the next run: the imported file leaves the server's memory.
                st.session_state["data_round"] = st.session_state.get("data_round", 0) + 1
                st.session_state["data_imported"] = report
                st.rerun()
    if imported := st.session_state.pop("data_imported", None):
        summary, refused = imported
        if not refused:
            st.success(summary)
            return
        # some rows refused: a warning with one line a row, as the check gives them
        st.warning(summary + " The refused rows are quarantined with their reasons:")
        st.markdown("\n".join(f"- {literal(line)}" for line in refused))
