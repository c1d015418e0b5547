"""Overview: the headline figures for the filter, with their definitions and uncertainty."""

import streamlit as st

from stalking_profile import charts, formatting, measures, ui
from stalking_profile.filters import apply_domestic

flt = ui.active_filter()
version = ui.database_version()
counts = ui.offence_counts(version, flt)
previous = ui.offence_counts(version, flt.previous())
headline = measures.headline_indicators(
    counts, previous, flt.domestic, ui.settings().small_denominator
)

st.title("Overview")
st.caption(flt.describe() + " · change against the previous equal-length period")

tiles = list(headline.filter(headline["indicator"] != "change").iter_rows(named=True))
change = headline.filter(headline["indicator"] == "change").row(0, named=True)
for row_of_tiles in [tiles[:4], tiles[4:]]:
    for column, tile in zip(st.columns(4), row_of_tiles, strict=False):
        ui.headline_tile(column, tile, change if tile["indicator"] == "offences" else None)

st.info(
    "**Outcome 1–8 rate** counts outcomes 1, 1A, 2, 2A, 3, 3A, 4, 6, 7 and 8 — charges and "
    "summonses, cautions, offences taken into consideration, penalty notices, cannabis/khat "
    "warnings and community resolutions — **without outcome 5 (offender died)**, as the 2022 "
    "problem profile did (154 of 5,668 DA stalking offences = 2.7%). Outcomes are each offence's "
    "latest as at the extract date; open offences stay in the denominator.",
    icon=":material/info:",
)

trend_counts = apply_domestic(ui.offence_counts(version, flt, lookback_months=11), flt.domestic)
series = measures.rolling_12m_series(trend_counts, flt)
ui.plotly_chart(
    charts.monthly_trend_figure(
        series, "Offences per month and rolling 12-month total", flt.domestic
    ),
    "overview-monthly-offences",
)

st.subheader("Headline figures")
table = formatting.headline_table(headline)
st.dataframe(table, hide_index=True)
ui.csv_download(table, "overview-headline-figures.csv")
