"""Data quality: missing risk assessments, open cases, unmapped offences, contradictions."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.access import Permission
from stalking_profile.measures.quality import indicators_for

flt = ui.active_filter()

st.title("Data quality")
st.caption(ui.described(flt) + " · the shares of records with each problem, with 95% intervals")
if ui.nothing_to_show(flt):
    st.stop()
view = ui.quality(flt)

ui.keep_choice("quality_indicator")  # the drill-down's choice, drawn only when its tab is open
# The records behind an indicator are read, and their viewing audited, only when opened.
indicators_tab, cyber_tab, imports_tab, records_tab = ui.page_tabs(
    [
        "Indicators",
        "Cyber-enabled flag by district",
        "Records failing validation, by import",
        "Check the records behind an indicator",
    ]
)
if indicators_tab.open:
    with indicators_tab:
        ui.chart_with_table(
            view.figure,
            view.indicators_table,
            "quality-indicators",
            flt,
            labels={"label": "Indicator"},
        )

if cyber_tab.open:
    with cyber_tab:
        ui.chart_with_table(
            view.cyber_figure, view.cyber_by_district, "quality-cyber-by-district", flt
        )

if imports_tab.open:
    with imports_tab:
        if view.imports.is_empty():
            st.caption(
                "No files have been imported into this database (the demo data are generated, "
                "not imported)."
            )
        else:
            ui.show_table(view.imports)

if records_tab.open:
    with records_tab:
        access = ui.current_access()
        if access.withdrawn_in_publication(Permission.RECORDS):
            st.caption(
                "Record-level lists are withdrawn in publication mode: switch it off in the "
                "sidebar to see them."
            )
            st.stop()
        if not access.allows(Permission.RECORDS):
            st.caption(
                "Record-level lists are for analysts: this role sees the aggregate figures in "
                "the other tabs."
            )
            st.stop()
        st.warning(
            "Record-level list: OFFICIAL-SENSITIVE for a force's own data. Share only with those "
            "who may see it.",
            icon=":material/lock:",
        )
        labels = {ind.key: ind.label for ind in indicators_for(flt.domestic, flt.offence_types)}
        chosen = st.selectbox(
            "Indicator", list(labels), format_func=lambda key: labels[key], key="quality_indicator"
        )
        indicator = chosen or next(iter(labels))
        shown = ui.quality_records(flt, indicator)
        ui.audit_view(f"quality records: {labels[indicator]}", flt.describe())
        st.caption(shown.caption)
        ui.show_table(shown.records)
        ui.record_download(
            ui.every_quality_record(flt, indicator),
            ui.file_stem(f"quality-records-{indicator}", flt) + ".csv",
            "Download these records (CSV)",
            f"quality records: {labels[indicator]}",
            flt.describe(),
            title=f"Quality records: {labels[indicator]}",
        )
