"""Risk & flags: arrest, DASH, SASH and cyber-enabled rates, DA vs non-DA, and their trends."""

import polars as pl
import streamlit as st

from stalking_profile import ui
from stalking_profile.measures.risk import FLAGS

flt = ui.active_filter()
view = ui.panel("risk_panel", flt, small_denominator=ui.settings_options()["small_denominator"])

st.title("Risk & flags")
st.caption(
    flt.describe() + " · rates over offences recorded in the period, with 95% Wilson intervals"
)

force = view.rates.filter(pl.col("district_code") == "Force")
ui.chart_with_table(
    view.figure,
    force.select(
        "label", "category", "numerator", "denominator", "rate", "lower", "upper", "is_small"
    ),
    "risk-rates",
    flt,
)

st.subheader("DA against non-DA")
ui.show_table(
    view.comparison.select(
        "label",
        "district_code",
        "da_rate",
        "non_da_rate",
        "difference_points",
        "p_value",
        "significant",
        "da_denominator",
        "non_da_denominator",
    )
)
st.caption(
    "Two-proportion z-test: *significant* means the DA / non-DA gap is more than noise (p < 0.05)."
)
ui.csv_download(view.comparison, f"{ui.file_stem('risk-da-comparison', flt)}.csv")

st.subheader("By district")
ui.show_table(view.rates)
ui.csv_download(view.rates, f"{ui.file_stem('risk-by-district', flt)}.csv")

st.subheader("DASH risk level")
ui.chart_with_table(view.dash_figure, view.dash_mix, "risk-dash-levels", flt)

st.subheader("Over time")
flag = st.selectbox("Flag", options=list(FLAGS), format_func=FLAGS.get, key="risk_trend_flag")
ui.chart_with_table(view.trend_figures[flag], view.trends[flag], f"risk-trend-{flag}", flt)
