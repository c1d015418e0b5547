"""Hotspot maps: offences by ward, Gi* hot and cold spots, emerging hotspots, correspondence."""

import streamlit as st

from stalking_profile import map_panels, ui

flt = ui.active_filter()
RATES = map_panels.RATE_LABELS  # a ward's rate is the period's, not a year's
info = ui.dataset_info(ui.database_version())

st.title("Hotspot maps")
st.caption(
    ui.described(flt)
    + " · wards of the selected districts; rates per 1,000 residents in the period (not "
    "scaled to a year, as the Trends page's districts' are)"
    + (" (ONS mid-2019 estimates)" if info.is_synthetic else "")
)
if ui.nothing_to_show(flt):
    st.stop()

left, right = st.columns([1, 2])
measure = left.segmented_control(
    "Colour wards by",
    ["rate", "offences"],
    default="rate",
    required=True,
    key="map_measure",
    format_func=lambda choice: {"rate": "Rate per 1,000", "offences": "Offences"}[choice],
)
correct = right.toggle(
    "Correct hotspot significance for multiple testing (false discovery rate)",
    value=True,
    key="map_fdr",
)

view = ui.hotspots(flt, measure or "rate", correct)
if view is None:
    st.warning(
        "No ward boundaries are loaded for these districts: import them on the command line with `python -m stalking_profile boundaries FILE`."
    )
    st.stop()

# Lazy tabs: only the open tab's maps are computed and drawn (each tab is its own rerun).
map_tab, hot_tab, emerging_tab, match_tab, top_tab = ui.page_tabs(
    ["Map", "Hot and cold spots", "Emerging hotspots", "Do hotspots line up?", "Top wards"]
)
with map_tab:
    if map_tab.open:
        if view.wards_withheld_note:
            st.info(view.wards_withheld_note, icon=":material/visibility_off:")
        ui.chart_with_table(view.map_figure, view.top_wards, f"map-{measure}", flt, labels=RATES)
        for note in view.map_notes:
            st.caption(note)
with hot_tab:
    if hot_tab.open:
        if view.hotspots_withheld:
            st.info(map_panels.HOTSPOTS_WITHHELD, icon=":material/visibility_off:")
        else:
            ui.chart_with_table(
                view.hotspot_figure, view.ward_table, "map-hotspots", flt, labels=RATES
            )
            st.caption(f"{map_panels.hotspot_note(correct)} {view.population_note}")
with emerging_tab:
    too_soon = map_panels.emerging_unavailable(info.first_month, flt.end_month)
    if emerging_tab.open and too_soon:
        st.info(too_soon, icon=":material/info:")
    elif emerging_tab.open:
        emerging = ui.emerging(flt, info.first_month)
        if emerging is not None:
            if emerging.withheld:
                st.info(map_panels.EMERGING_WITHHELD, icon=":material/visibility_off:")
            ui.chart_with_table(emerging.figure, emerging.table, "map-emerging-hotspots", flt)
            for note in emerging.notes:
                st.caption(note)
with match_tab:
    if match_tab.open:
        layers = ui.comparison_layer_names(ui.database_version())
        layer = st.selectbox(
            "Compare stalking with a loaded layer",
            layers,
            index=0 if layers else None,
            key="map_layer",
            help="Ward counts loaded with `python -m stalking_profile import` (comparison) or `police-uk`.",
        )
        if ui.current_access().publication:
            st.info(map_panels.CORRESPONDENCE_WITHHELD, icon=":material/visibility_off:")
        ui.side_by_side_maps(ui.correspondence(flt, layer), flt)
with top_tab:
    if top_tab.open:
        ui.plotly_chart(view.funnel_figure, "map-funnel", flt)
        st.caption(view.top_wards_note)
        ui.show_table(view.top_wards, ui.file_stem("top-wards", flt), RATES)
