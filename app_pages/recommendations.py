"""Recommendations: the scrutiny review's recommendations, who owns them, and their dated
status and progress, beside the data they are about."""

from datetime import date

import polars as pl
import streamlit as st

from stalking_profile import ui
from stalking_profile.access import Permission
from stalking_profile.scrutiny import tracker

access = ui.current_access()
store = ui.store()
table = tracker.tracker(store)

st.title("Recommendations")
st.caption(
    "Each recommendation with its dated updates. A status is shown only where the update "
    f'states one; the rest are "{tracker.NOT_STATED}", never guessed.'
)
themes = sorted(table["theme"].unique().to_list())
owners = sorted(table["owner"].unique().to_list())
left, right = st.columns(2)
chosen_themes = left.multiselect("Theme", themes, default=themes, key="rec_themes")
chosen_owners = right.multiselect("Owner", owners, default=owners, key="rec_owners")
shown = table.filter(pl.col("theme").is_in(chosen_themes) & pl.col("owner").is_in(chosen_owners))
if shown.is_empty():
    st.info("No recommendation matches these choices.", icon=":material/filter_alt_off:")
    st.stop()

ui.plotly_chart(
    tracker.timeline_figure(shown, "Status over time, as stated in each update"),
    "recommendations-timeline",
)
latest = (
    shown.sort(["number", "update_date"], nulls_last=False)
    .group_by("number", maintain_order=True)
    .last()
    .select("number", "theme", "owner", "text", "update_date", "status")
)
ui.show_table(
    latest,
    "recommendations-latest",
    labels={
        "number": "No.",
        "theme": "Theme",
        "owner": "Owner",
        "text": "Recommendation",
        "update_date": "Latest update",
        "status": "Status as stated",
    },
)
for number, history in shown.group_by("number", maintain_order=True):
    first = history.row(0, named=True)
    with st.expander(f"{number[0]}. {first['theme']} ({first['owner']}): {first['text'][:90]}…"):
        st.markdown(first["text"])
        for row in history.filter(pl.col("update_date").is_not_null()).iter_rows(named=True):
            st.markdown(f"**{row['update_date']} · {row['status']}**")
            st.markdown(row["progress"] or "(no progress text)")

if access.allows(Permission.EXPORT):
    ui.csv_download(
        tracker.export_frame(shown), "recommendations.csv", "Download the tracker (CSV)"
    )

if access.allows(Permission.TRACKER):
    st.subheader("Record an update")
    with st.form("tracker_update", clear_on_submit=True):
        number = st.selectbox("Recommendation", latest["number"].to_list(), key="rec_number")
        when = st.date_input("Date of the update", date.today(), key="rec_date")
        status = st.text_input(
            "Status as stated (Red, Amber, Green, Complete, ... or not stated)",
            tracker.NOT_STATED,
            key="rec_status",
        )
        progress = st.text_area("Progress", key="rec_progress")
        if st.form_submit_button("Record the update"):
            try:
                tracker.record_update(store, int(number), when, status, progress, access)
                st.success(f"Recorded the {when:%d %B %Y} update of recommendation {number}.")
            except ValueError as error:
                st.error(f"Not recorded: {error}.")
    upload = st.file_uploader(
        "Import a tracker file (CSV: number, theme, text, owner, due_date, update_date, status, "
        "progress)",
        type=["csv"],
        key="rec_upload",
    )
    if upload is not None and st.button("Import the tracker file", key="rec_import"):
        try:
            report = tracker.import_tracker(store, upload, access)
        except ValueError as error:
            st.error(f"{upload.name} was not imported: {error}.")
        else:
            (st.success if report.refused.is_empty() else st.warning)(report.text())
            if report.refused.height:
                ui.show_table(report.refused)
