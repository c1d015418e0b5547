"""Checking and importing uploaded files on the Data page (validation first, nothing written
until the user asks; the database unchanged when a file is refused)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from stalking_profile.config import PROJECT_ROOT
from stalking_profile.db import DatabaseError
from stalking_profile.geography import BoundaryError
from stalking_profile.importing.boundaries import load_boundaries
from stalking_profile.importing.external import import_in_child
from stalking_profile.importing.load import (
    ImportRefused,
    read_and_validate,
    refused_rows,
)
from stalking_profile.importing.mapping import ColumnMapping, load_mapping
from stalking_profile.importing.readers import ReadError
from stalking_profile.operational.audit import Action
from stalking_profile.ui.auth import audited, record_download
from stalking_profile.ui.cache import current_access, current_gateway, settings, writable_database
from stalking_profile.ui.widgets import progress_bar, show_table


@contextmanager
def uploaded_file(upload) -> Iterator[Path]:
    """An uploaded file saved under its own name in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        yield path


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
        record_download(
            refused,
            f"refused-rows-{Path(upload.name).stem}.csv",
            "Download the refused rows with reasons",
            f"refused rows of {Path(upload.name).name}",
        )


def import_upload(upload, mapping_upload, kind: str | None) -> None:
    """Import an upload into the (non-synthetic) database in a separate process (its memory
    is given back when it ends) with a progress bar; the new version is published for every
    session when it succeeds."""
    bar = progress_bar(f"Importing {upload.name}")
    with uploaded_file(upload) as path, tempfile.TemporaryDirectory() as folder:
        mapping = None
        if mapping_upload is not None:
            mapping = Path(folder) / Path(mapping_upload.name).name
            mapping.write_bytes(mapping_upload.getvalue())
        outcome = import_in_child(current_access(), settings().db_path, path, mapping, kind, bar)
    audited(Action.IMPORT, f"{Path(upload.name).name}: {outcome.text}")()
    if outcome.ok:
        st.success(outcome.text + " Every page now shows the new data.")
    else:
        st.error(f"{upload.name} was not imported: {outcome.text}")


def load_boundary_upload(upload, code_column: str | None) -> None:
    """Load uploaded ward boundaries (all or nothing)."""
    try:
        with uploaded_file(upload) as path, writable_database() as gateway:
            report = load_boundaries(gateway.scoped(current_access()), path, code_column)
    except (BoundaryError, DatabaseError) as error:
        st.error(f"{upload.name} was not loaded: {error}. The database is unchanged.")
        return
    audited(Action.IMPORT, f"boundaries {Path(upload.name).name}: {report.text()}")()
    st.success(report.text())
