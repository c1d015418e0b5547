"""Overview: the headline figures for the filter, what changed, and the SPC scorecard."""

import streamlit as st

from stalking_profile import formatting, panels, ui

flt = ui.active_filter()
view = ui.overview(flt)

st.title("Overview")
# what the change compares: the equal period before, like for like, or nothing
st.caption(f"{ui.described(flt)} · {view.comparison}")

by_key = {row["indicator"]: row for row in view.headline.iter_rows(named=True)}
tiles = list(formatting.headline_tiles(view.headline).iter_rows(named=True))
for row_of_tiles in [tiles[:4], tiles[4:]]:
    for column, tile in zip(st.columns(4), row_of_tiles, strict=False):
        ui.headline_tile(
            column,
            tile,
            by_key["change"] if tile["indicator"] == "offences" else None,
            by_key.get("domestic_share") if tile["indicator"] == "da_offences" else None,
            by_key.get("change_year_earlier") if tile["indicator"] == "offences" else None,
            view.outcomes_loaded,
        )
if view.change_warning:
    st.caption(f":material/warning: {view.change_warning}")
if view.outcomes_note:
    st.caption(f":material/schedule: {view.outcomes_note}")
if ui.nothing_to_show(flt):
    st.stop()
if not view.outcomes_loaded:
    st.warning(panels.NO_OUTCOMES_NOTE, icon=":material/gavel:")

st.info(
    "**Outcome 1–8 rate** counts outcomes 1, 1A, 2, 2A, 3, 3A, 4, 6, 7 and 8 — charges and "
    "summonses, cautions, offences taken into consideration, penalty notices, cannabis/khat "
    "warnings and community resolutions — **without outcome 5 (offender died)**, as West "
    "Yorkshire's 2022 problem profile did. Outcomes are each offence's latest as at the extract "
    "date, and offences still open stay in the denominator: a period of recent offences reads "
    "low until they close. The Outcomes page gives how many are open, and rates within 90 and "
    "180 days that compare periods fairly.",
    icon=":material/info:",
)

ui.keep_choice("scorecard_choice")  # the scorecard's chart, drawn only when its tab is open
trend_tab, headline_tab, scorecard_tab = ui.page_tabs(
    ["Monthly offences", "Headline figures", "Scorecard"]
)
if trend_tab.open:
    with trend_tab:
        ui.chart_with_table(view.trend_figure, view.trend_table, "overview-monthly-offences", flt)

if headline_tab.open:
    with headline_tab:
        ui.show_table(view.headline_table, ui.file_stem("overview-headline-figures", flt))

if scorecard_tab.open:
    with scorecard_tab:
        st.caption(view.scorecard_caption(ui.settings().spc_run_length))
        if view.scorecard_note:
            st.caption(view.scorecard_note)
        key = ui.pick_one_row(
            view.scorecard_table,
            "scorecard",
            view.scorecard["indicator"].to_list(),
            view.scorecard["label"].to_list(),
            "Indicator to chart",
        )
        if key is not None:
            ui.plotly_chart(view.scorecard_charts[key], f"overview-spc-{key}", flt)
