"""Risk & flags: arrest, DASH, SASH and cyber-enabled rates, DA vs non-DA, and their trends."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.measures.risk import FLAGS

flt = ui.active_filter()

st.title("Risk & flags")
st.caption(
    ui.described(flt) + " · rates over offences recorded in the period, with 95% Wilson intervals"
)
if ui.nothing_to_show(flt):
    st.stop()
view = ui.risk(flt)
LABELS = {"label": "Flag"}

ui.keep_choice("risk_trend_flag")  # the flag charted over time, drawn only when its tab is open
rates_tab, da_tab, district_tab, dash_tab, time_tab = ui.page_tabs(
    ["Rates", "DA against non-DA", "By district", "DASH risk level", "Over time"]
)
if rates_tab.open:
    with rates_tab:
        ui.chart_with_table(view.figure, view.selection_table, "risk-rates", flt, labels=LABELS)

if da_tab.open:
    with da_tab:
        if flt.domestic != "all":
            st.caption(
                "This table compares DA with non-DA offences, so it holds both whatever the DA "
                "choice; the other tabs follow it."
            )
        ui.show_table(
            view.comparison_table,
            ui.file_stem("risk-da-comparison", flt),
            labels=LABELS,
        )
        st.caption(
            "Each gap is tested with the two-proportion z-test, or the mid-p exact test where an "
            "expected count is under 5; 'more than chance' means q < 0.05, the false discovery "
            "rate controlled over every test in the table (Benjamini-Hochberg), so one table of "
            "many tests does not find gaps by luck. The interval is Newcombe's for a difference "
            "of proportions. 'Force' is every district, whatever is selected, for comparison."
        )

if district_tab.open:
    with district_tab:
        ui.show_table(view.rates, ui.file_stem("risk-by-district", flt), labels=LABELS)

if dash_tab.open:
    with dash_tab:
        ui.chart_with_table(
            view.dash_figure, view.dash_mix, "risk-dash-levels", flt, labels={"rate": "Share (%)"}
        )

if time_tab.open:
    with time_tab:
        flag = st.selectbox(
            "Flag", options=list(FLAGS), format_func=lambda key: FLAGS[key], key="risk_trend_flag"
        )
        if flag is not None:
            ui.chart_with_table(
                view.trend_figures[flag], view.trends[flag], f"risk-trend-{flag}", flt
            )
