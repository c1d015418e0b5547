"""Trends: monthly volumes with the rolling 12-month total, SPC, and the period comparison."""

import streamlit as st

from stalking_profile import ui

flt = ui.active_filter()

st.title("Trends")
st.caption(ui.described(flt))
if ui.nothing_to_show(flt):
    st.stop()

ui.keep_choice("spc_breaks", True)  # the toggle is drawn only when its tab is open
page = ui.trends(flt, st.session_state["spc_breaks"])
volume_tab, spc_tab, comparison_tab, funnel_tab = ui.page_tabs(
    [
        "Monthly offences",
        "Statistical process control",
        "This period against the previous equal period",
        "Districts against their size",
    ]
)
with volume_tab:
    if volume_tab.open:
        volume = page.volume
        ui.chart_with_table(
            volume.figure,
            volume.table,
            "trends-monthly-offences",
            flt,
            "Bars: offences recorded each month. Line: the rolling 12-month total (the problem profile's "
            "'rolling average' is this total). Dotted lines: counting-rule changes that break the series; dashed: law changes that do not.",
        )

with spc_tab:
    if spc_tab.open:
        st.toggle(  # read above (the page's panels are computed together), shown here
            "Recalculate limits at counting-rule changes (e.g. April 2020)", key="spc_breaks"
        )
        control = page.control
        ui.chart_with_table(control.figure, control.chart_table, "trends-spc-offences", flt)
        breaks = ", ".join(b.strftime("%B %Y") for b in control.breaks)
        st.markdown(
            f"**Latest month: {control.variation}.** "
            + (
                f"Limits are recalculated from {breaks}."
                if breaks
                else "Limits are not recalculated."
            )
            + f" Runs of {ui.settings().spc_run_length} points (NHS England's Making Data Count default since "
            "January 2024; 7 before), a setting of the deployment."
        )

with comparison_tab:
    if comparison_tab.open:
        comparison = page.comparison
        st.markdown(comparison.note)
        if comparison.compared:  # else the note alone: a table of "no data" said nothing more
            ui.show_table(comparison.display)
            st.caption(
                "\\* the change is more than chance: exact test that the two periods' counts share one "
                "Poisson rate (conditional binomial), or, where a row's months vary more than Poisson "
                "allows, the quasi-Poisson test with that overdispersion (wider intervals; phi in the "
                "CSV; a single month takes it from the 12 month-to-month changes up to it), with the "
                "false discovery rate controlled over every change the table tests (q < 0.05): "
                "DA, non-DA and both in each area, with the rows a DA choice leaves off the "
                "screen (the CSV has them). For example (not "
                "figures of this table), +12% on 37 offences is usually noise (95% interval -32% "
                "to +85%), and +92% on 2,946 is not. The CSV "
                "holds every interval, p- and q-value. "
                "'Force' is every district, whatever is selected, for comparison."
            )
            if comparison.withheld_tests_note:
                st.caption(comparison.withheld_tests_note)
            ui.table_download(
                comparison.table,
                f"{ui.file_stem('trends-period-comparison', flt)}.csv",
                "Download CSV (with p-values)",
                compared=comparison.note_in_words,
            )

with funnel_tab:
    if funnel_tab.open:
        ui.chart_with_table(
            page.funnel_figure,
            page.funnel,
            "trends-district-funnel",
            flt,
            "Each selected district's offences per 1,000 residents a year (the period's, scaled to 12 "
            "months) against its population. Inside the funnel, a district differs from the whole "
            "force's rate by no more than chance allows for its size (95% and 99.8% limits, Spiegelhalter); outside it, more "
            "than chance. Read this, not a ranking.",
            labels={"rate_per_1000": "Offences per 1,000 residents a year"},
        )
        if page.funnel_note:
            st.caption(page.funnel_note)
