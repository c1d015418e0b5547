"""Outcomes: Home Office outcome types 1-22 and open by district, groups, rates, time to outcome."""

import streamlit as st

from stalking_profile import panels, ui

flt = ui.active_filter()

st.title("Outcomes")
st.caption(
    ui.described(flt) + " · each offence's latest outcome dated on or before the extract date; "
    "'(blank)' = no outcome yet"
)
if ui.nothing_to_show(flt):
    st.stop()
view = ui.outcomes(flt)
if not view.outcomes_loaded:  # every offence would read as open, every rate as 0%
    st.warning(panels.NO_OUTCOMES_NOTE, icon=":material/gavel:")
    st.stop()
ui.keep_choice("outcome_shares", False)  # the by-district tab's choices, drawn only when open
ui.keep_choice("outcome_tab")
# The tables by district are worked out (in publication mode, protected) only when opened.
rates_tab, within_tab, district_tab, groups_tab, median_tab = ui.page_tabs(
    [
        "Outcome rates",
        "Within 90 and 180 days",
        "Outcomes by district",
        "Home Office outcome groups",
        "Time from recording to outcome",
    ]
)
if rates_tab.open:
    with rates_tab:
        rates = (view.rates_figure, view.rates_table, "outcomes-rates", flt)
        ui.chart_with_table(*rates, view.provisional_note(flt), {"label": "Outcome"})

if within_tab.open:
    with within_tab:
        ui.show_table(
            view.within_table,
            ui.file_stem("outcomes-within-days", flt),
            labels={"label": "Outcome", "denominator": "Offences followed up that long"},
        )
        if within_note := view.within_note(flt):
            st.caption(f":material/warning: {within_note}")
        ui.show_table(
            view.time_to_outcome_table,
            ui.file_stem("outcomes-time-to-outcome", flt),
            labels={"median_days": "Median days to outcome (open offences counted)"},
        )
        if median_note := view.median_note(flt):
            st.caption(f":material/warning: {median_note}")
        ui.chart_with_table(
            view.within_figure,
            view.within_by_month_table,
            "outcomes-within-90-days-by-month",
            flt,
        )
        st.caption(view.follow_up_note(flt))
        st.caption(panels.OPEN_CASES_NOTE)

if district_tab.open:
    with district_tab:
        show_shares = st.toggle("Show as % of each district's offences", key="outcome_shares")
        districts = ui.outcome_districts(flt)
        tabs = st.tabs(
            list(districts.tables),
            key="outcome_tab",
            on_change="rerun",
            default=districts.opening_tab(flt),
        )
        for (name, table), tab in zip(
            districts.district_tables[show_shares].items(), tabs, strict=True
        ):
            if tab.open:
                with tab:
                    ui.show_table(
                        table,
                        ui.file_stem(f"outcomes-by-district-{name.lower().replace(' ', '-')}", flt),
                        labels={"label": "Outcome"},
                    )
        st.caption(districts.caption)

if groups_tab.open:
    with groups_tab:
        ui.chart_with_table(
            view.groups_figure, view.groups_table, "outcomes-groups", flt, view.groups_note
        )

if median_tab.open:
    with median_tab:
        ui.show_table(
            view.median_days,
            ui.file_stem("outcomes-median-days", flt),
            labels={"median_days": "Median days to outcome (offences with one)"},
        )
        st.caption(panels.MEDIAN_DAYS_NOTE.format(small=ui.settings().small_denominator))
