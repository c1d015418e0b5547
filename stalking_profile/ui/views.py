"""What each page shows, typed and cached: one function per page section, taking the filter
(and the page's own choices) and filling in the settings, so a page never passes settings
along and a reader can go from a page straight to the panel it draws."""

from __future__ import annotations

from datetime import date

import streamlit as st

from stalking_profile import geography, map_panels, panels, people_panels, protection_panels
from stalking_profile.access import Access
from stalking_profile.contract import ORDER_TYPES
from stalking_profile.filters import ProfileFilter
from stalking_profile.measures.prioritisation import Weights
from stalking_profile.ui.cache import (
    Version,
    current_access,
    database_version,
    reader,
    settings,
    suppression,
    ward_geometry,
)
from stalking_profile.ui.widgets import keep_choice

WORKING = (
    "Working out the figures for this filter (the first time anyone asks for it; in "
    "publication mode, small numbers are protected across the page's tables) ..."
)


def panel_cache(max_entries: int):
    """Cache a panel builder across sessions as a shared object: panels are frozen dataclasses
    of Polars frames (immutable) and Plotly figures that nothing downstream changes (slide
    images draw a copy). `st.cache_data` would hand every rerun a fresh unpickled copy instead:
    35-90 ms a page on the demo, 470 ms for the Hotspot maps' figure (bench/browser_pages.py).
    A panel not yet cached says it is being worked out if it takes over half a second
    (Streamlit shows a spinner only then): a large force's map, or publication mode."""
    return st.cache_resource(show_spinner=WORKING, max_entries=max_entries)


def _scope() -> tuple[tuple[int, int], Access]:
    """The cache key part that differs between roles (the publication threshold, 0 when not
    suppressed) and the access the panel is read for (not hashed: panels depend on it only
    through that threshold)."""
    access = current_access()
    return suppression(access), access


@panel_cache(max_entries=128)
def _overview(
    version: Version,
    flt: ProfileFilter,
    small_denominator: int,
    run_length: int,
    rule: tuple[int, int],
    _access: Access,
) -> panels.OverviewPanel:
    return panels.overview(reader(version, _access), flt, small_denominator, run_length)


def overview(flt: ProfileFilter) -> panels.OverviewPanel:
    """The Overview: headline figures, the monthly trend and the SPC scorecard."""
    current = settings()
    return _overview(
        database_version(), flt, current.small_denominator, current.spc_run_length, *_scope()
    )


@panel_cache(max_entries=128)
def _trends(
    version: Version,
    flt: ProfileFilter,
    run_length: int,
    recalculate: bool,
    rule: tuple[int, int],
    _access: Access,
) -> panels.TrendsPage:
    return panels.trends_page(reader(version, _access), flt, run_length, recalculate)


def trends(flt: ProfileFilter, recalculate_at_breaks: bool) -> panels.TrendsPage:
    """Monthly offences with the rolling 12-month total, their XmR chart, and this period
    against the previous equal period by district (protected together in publication mode)."""
    return _trends(
        database_version(), flt, settings().spc_run_length, recalculate_at_breaks, *_scope()
    )


@panel_cache(max_entries=128)
def _outcomes(
    version: Version, flt: ProfileFilter, small: int, rule: tuple[int, int], _access: Access
) -> panels.OutcomesPanel:
    return panels.outcomes_panel(reader(version, _access), flt, small)


def outcomes(flt: ProfileFilter) -> panels.OutcomesPanel:
    """Outcome groups, rates, outcomes within 90 and 180 days and time to outcome."""
    return _outcomes(database_version(), flt, settings().small_denominator, *_scope())


@panel_cache(max_entries=128)
def _outcome_districts(
    version: Version, flt: ProfileFilter, rule: tuple[int, int], _access: Access
) -> panels.OutcomeDistricts:
    return panels.outcome_districts(reader(version, _access), flt)


def outcome_districts(flt: ProfileFilter) -> panels.OutcomeDistricts:
    """Outcome types 1-22 and open by district, as counts and as shares."""
    return _outcome_districts(database_version(), flt, *_scope())


@panel_cache(max_entries=128)
def _risk(
    version: Version, flt: ProfileFilter, small: int, rule: tuple[int, int], _access: Access
) -> panels.RiskPanel:
    return panels.risk_panel(reader(version, _access), flt, small)


def risk(flt: ProfileFilter) -> panels.RiskPanel:
    """Arrest, DASH, SASH and cyber rates, DA against non-DA, and their trends."""
    return _risk(database_version(), flt, settings().small_denominator, *_scope())


@panel_cache(max_entries=128)
def _quality(
    version: Version, flt: ProfileFilter, small: int, rule: tuple[int, int], _access: Access
) -> panels.QualityPanel:
    return panels.quality_panel(reader(version, _access), flt, small)


def quality(flt: ProfileFilter) -> panels.QualityPanel:
    """Data-quality indicators, the cyber flag by district and validation failures."""
    return _quality(database_version(), flt, settings().small_denominator, *_scope())


def _geometry(flt: ProfileFilter) -> geography.WardGeometry | None:
    return ward_geometry(database_version(), flt.districts)


@panel_cache(max_entries=128)
def _hotspots(
    version: Version,
    flt: ProfileFilter,
    measure: str,
    correct: bool,
    _geometry,
    rule: tuple[int, int],
    _access: Access,
) -> map_panels.HotspotPanel:
    return map_panels.hotspot_panel(reader(version, _access), flt, _geometry, measure, correct)


def hotspots(flt: ProfileFilter, measure: str, correct: bool) -> map_panels.HotspotPanel | None:
    """Offences and Gi* hot and cold spots by ward; None when no boundaries are loaded."""
    geometry = _geometry(flt)
    if geometry is None:
        return None
    return _hotspots(database_version(), flt, measure, correct, geometry, *_scope())


@panel_cache(max_entries=128)
def _emerging(
    version: Version,
    flt: ProfileFilter,
    first_month: date,
    _geometry,
    rule: tuple[int, int],
    _access: Access,
) -> map_panels.EmergingPanel:
    return map_panels.emerging_panel(reader(version, _access), flt, _geometry, first_month)


def emerging(flt: ProfileFilter, first_month: date) -> map_panels.EmergingPanel | None:
    """Emerging hot and cold spots by quarter from `first_month`; None without boundaries."""
    geometry = _geometry(flt)
    if geometry is None:
        return None
    return _emerging(database_version(), flt, first_month, geometry, *_scope())


@panel_cache(max_entries=128)
def _correspondence(
    version: Version,
    flt: ProfileFilter,
    layer: str | None,
    _geometry,
    rule: tuple[int, int],
    _access: Access,
) -> list[map_panels.Comparison]:
    return map_panels.correspondence_panel(reader(version, _access), flt, _geometry, layer)


def correspondence(flt: ProfileFilter, layer: str | None) -> list[map_panels.Comparison]:
    """Do hotspots line up (stalking and harassment, DA and non-DA, a comparison layer)?"""
    geometry = _geometry(flt)
    if geometry is None:
        return []
    return _correspondence(database_version(), flt, layer, geometry, *_scope())


@panel_cache(max_entries=128)
def _repeats(
    version: Version,
    flt: ProfileFilter,
    serial: tuple[int, int],
    rule: tuple[int, int],
    _access: Access,
) -> panels.RepeatsPanel:
    return panels.repeats_panel(reader(version, _access), flt, *serial)


def repeats(flt: ProfileFilter) -> panels.RepeatsPanel:
    """Repeat victims and suspects, days between a suspect's offences, serial perpetrators."""
    current = settings()
    serial = (current.serial_victims, current.serial_years)
    return _repeats(database_version(), flt, serial, *_scope())


@panel_cache(max_entries=128)
def _civil_orders(
    version: Version,
    flt: ProfileFilter,
    order_type: str,
    small: int,
    rule: tuple[int, int],
    _access: Access,
) -> protection_panels.OrdersPanel | None:
    return protection_panels.orders_panel(reader(version, _access), flt, order_type, small)


def civil_orders(flt: ProfileFilter, order_type: str) -> protection_panels.OrdersPanel | None:
    """Civil orders and breaches (None: the database predates the order tables)."""
    small = settings().small_denominator
    return _civil_orders(database_version(), flt, order_type, small, *_scope())


def chosen_order_type(flt: ProfileFilter) -> str:
    """The order type to chart: the user's choice once made (kept while the box's tab is
    closed); until then the first type with something to chart for the filter (Calderdale, or
    harassment, opened on the SPO and said none was applied for while the table listed
    restraining orders and DVPOs)."""
    keep_choice("order_type")
    if not st.session_state.get("order_type_chosen"):
        options = list(ORDER_TYPES)
        probe = civil_orders(flt, options[0])
        charted = probe.types_charted if probe is not None else []
        st.session_state["order_type"] = charted[0] if charted else options[0]
    return str(st.session_state["order_type"])


def order_type_choice() -> str:
    """The "Order type to chart" box, on `chosen_order_type`'s choice."""
    return str(
        st.selectbox(
            "Order type to chart",
            list(ORDER_TYPES),
            format_func=lambda code: ORDER_TYPES[code],
            key="order_type",
            on_change=lambda: st.session_state.update(order_type_chosen=True),
        )
    )


@panel_cache(max_entries=128)
def _victim_contact(
    version: Version, flt: ProfileFilter, small: int, rule: tuple[int, int], _access: Access
) -> protection_panels.ContactPanel | None:
    return protection_panels.contact_panel(reader(version, _access), flt, small)


def victim_contact(flt: ProfileFilter) -> protection_panels.ContactPanel | None:
    """Victims contacted as agreed (None: the database predates the contact table)."""
    return _victim_contact(database_version(), flt, settings().small_denominator, *_scope())


@panel_cache(max_entries=64)
def _prioritisation(
    version: Version,
    flt: ProfileFilter,
    lookback_months: int,
    weights: Weights,
    suspect_id: str | None,
    rule: tuple[int, int],
    _access: Access,
) -> protection_panels.PrioritisationPanel:
    gateway = reader(version, _access)
    return protection_panels.prioritisation_panel(
        gateway, flt, lookback_months, weights, suspect_id
    )


def prioritisation(
    flt: ProfileFilter, lookback_months: int, weights: Weights, suspect_id: str | None
) -> protection_panels.PrioritisationPanel:
    """Suspects ranked by RFGV score, and one suspect's history (record level)."""
    return _prioritisation(database_version(), flt, lookback_months, weights, suspect_id, *_scope())


@panel_cache(max_entries=128)
def _people(
    version: Version, flt: ProfileFilter, small: int, rule: tuple[int, int], _access: Access
) -> people_panels.PeoplePanel:
    return people_panels.people_panel(reader(version, _access), flt, small)


def people(flt: ProfileFilter) -> people_panels.PeoplePanel:
    """Victims and suspects by age band, sex and ethnicity, unknowns, rates per 1,000."""
    return _people(database_version(), flt, settings().small_denominator, *_scope())
