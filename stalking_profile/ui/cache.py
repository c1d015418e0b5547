"""Cached access to the database: one read-only connection per file version, the dataset's
description, and the small cached lookups pages share. Every cache key holds the database's
version (path and modification time), so a rebuilt or re-imported file is never served stale."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl
import streamlit as st

from stalking_profile import geography, prepared, queries, snapshots
from stalking_profile.access import Access, AccessDenied, Permission
from stalking_profile.config import Settings
from stalking_profile.db import Gateway, connect
from stalking_profile.filters import ProfileFilter, apply_domestic
from stalking_profile.queries import DatasetInfo

Version = tuple[str, float]  # database path and modification time


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


def database_version() -> Version:
    """The published version of the database file (path and modification time): part of every
    cache key, so a session's next run after an import publishes reads the new version."""
    return snapshots.version(settings().db_path)


@st.cache_resource(show_spinner=False, max_entries=2)
def gateway(version: Version) -> Gateway:
    """One read-only connection to the database file (per file version)."""
    return connect(version[0], read_only=True)


ACCESS_KEY = "access"


def current_access() -> Access:
    """Who this session reads for: set by app.py (login, or the open demo) before any page
    runs. A page run without it is refused, never served as someone."""
    access = st.session_state.get(ACCESS_KEY)
    if not isinstance(access, Access):
        raise AccessDenied("no access context: sign in first")
    return access


def reader(version: Version, access: Access) -> Gateway:
    """The database version's connection, read on behalf of `access` (record-level queries
    refused and panels suppressed as the role requires)."""
    return gateway(version).scoped(access)


def suppression(access: Access) -> tuple[int, int]:
    """The disclosure rule a role's figures are read under: (threshold, rounding base), or
    (0, 0) when not suppressed."""
    return access.disclosure_rule


def current_gateway() -> Gateway:
    return reader(database_version(), current_access())


@st.cache_resource(show_spinner=False)
def preparer() -> prepared.Preparer:
    """The server's one preparer of publication mode's pages (`prepared.Preparer`)."""
    return prepared.Preparer()


def prepare_ahead(flt: ProfileFilter) -> None:
    """Once a page has been drawn for the filter, in publication mode: the other pages'
    protection for it worked out in the background, so the page opened next finds it done
    (`prepared`). Nothing outside publication mode, once asked for the filter, or with
    `STALKING_PROFILE_PREPARE_AHEAD=0`."""
    if settings().prepare_ahead:
        preparer().ask(current_gateway(), flt, settings().small_denominator)


@st.cache_data(show_spinner=False)
def dataset_info(version: Version) -> DatasetInfo:
    return queries.dataset_info(gateway(version))


def dataset_info_or_none(version: Version) -> DatasetInfo | None:
    """What the database holds, or None when it holds no offences yet (a new force database
    before its first extract: only the Data and Definitions pages have anything to show)."""
    try:
        return dataset_info(version)
    except LookupError:
        return None


def synthetic_demo() -> bool:
    """Whether the dashboard serves the synthetic demo (not a force's own records): only the
    demo loads the shipped example recommendations."""
    info = dataset_info_or_none(database_version())
    return info is not None and info.is_synthetic


# Shared, not copied: cache_data unpickles its value on each call (the districts on every rerun
# of every page), and a Polars frame is not changed in place.
@st.cache_resource(show_spinner=False, max_entries=16)
def districts(version: Version) -> pl.DataFrame:
    return queries.districts(gateway(version))


@st.cache_data(show_spinner=False, max_entries=256)
def _offences_in(version: Version, flt: ProfileFilter) -> int:
    # The number, not the count frame, is cached: a cached frame is unpickled on every rerun
    # of every filtered page (6 ms of a 40 ms Overview rerun).
    counts = apply_domestic(queries.offence_counts(gateway(version), flt), flt.domestic)
    return int(counts["offences"].sum()) if counts.height else 0


def offences_in(flt: ProfileFilter) -> int:
    """Offences recorded that match the filter (cached per database version and filter)."""
    return _offences_in(database_version(), flt)


@st.cache_resource(show_spinner="Preparing ward boundaries ...", max_entries=4)
def force_wards(version: Version) -> geography.ForceWards | None:
    """The force's wards, what every choice of districts' map is cut from (None if the
    database holds no boundaries)."""
    frame = geography.ward_geodataframe(gateway(version))
    return None if frame.empty else geography.ForceWards(frame)


@st.cache_resource(show_spinner="Preparing ward boundaries ...", max_entries=32)
def ward_geometry(version: Version, districts: tuple[str, ...]) -> geography.WardGeometry | None:
    """Ward boundaries, display geometry and contiguity for a set of districts (None if the
    database holds no boundaries for them)."""
    try:
        return geography.ward_geometry(gateway(version), districts, force_wards(version))
    except geography.NoBoundaries:
        return None


@st.cache_data(show_spinner=False)
def comparison_layer_names(version: Version) -> list[str]:
    """Names of the comparison layers loaded, the demo's DA layer first."""
    return (
        queries.comparison_layers(gateway(version))["layer"].unique(maintain_order=True).to_list()
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _quality_records(
    version: Version, flt: ProfileFilter, indicator: str, may_see_records: bool, _access: Access
) -> queries.RecordList:
    return queries.quality_records(reader(version, _access), flt, indicator)


def quality_records(flt: ProfileFilter, indicator: str) -> queries.RecordList:
    """The newest records behind a data-quality indicator and how many match (cached per
    filter; refused, before the cache is consulted, for roles that may not see records)."""
    access = current_access()
    access.require(Permission.RECORDS)
    return _quality_records(database_version(), flt, indicator, True, access)


def every_quality_record(flt: ProfileFilter, indicator: str) -> Callable[[], pl.DataFrame]:
    """A function giving every record behind the indicator (for a download, read when it is
    clicked: outside the page's run, so the session's version and access are taken now)."""
    access = current_access()
    access.require(Permission.RECORDS)
    version = database_version()
    return lambda: queries.quality_records(reader(version, access), flt, indicator, None).records


@contextmanager
def writable_database() -> Iterator[Gateway]:
    """A read-write gateway on a new version of the database, published when the block ends
    without error (snapshots.writing): other sessions keep reading the published version
    meanwhile and move to the new one on their next run."""
    with snapshots.writing(settings().db_path) as writer:
        yield writer


def import_log() -> pl.DataFrame:
    """The import log, newest first."""
    return current_gateway().query("import_log")


def quarantine() -> pl.DataFrame:
    """Every quarantined row with its reason."""
    return current_gateway().query("quarantine", import_id=None)
