"""Recommendations: the scrutiny review's recommendations, who owns them, and their dated
status and progress, beside the data they are about."""

import polars as pl
import streamlit as st

from stalking_profile import ui
from stalking_profile.access import Permission
from stalking_profile.scrutiny import tracker
from stalking_profile.ui import scrutiny as ui_scrutiny

access = ui.current_access()
store = ui.store()
demo = ui.synthetic_demo()
table = tracker.tracker(store, example=demo)

st.title("Recommendations")
st.caption(
    "Each recommendation with its dated updates. A status is shown only where the update "
    f'states one; the rest are "{tracker.NOT_STATED}", never guessed.'
)
if demo:
    st.info(tracker.EXAMPLE_SOURCE, icon=":material/menu_book:")
if table.is_empty():
    st.info(
        "No recommendations yet. Import a tracker file below (CSV: number, theme, text, owner, "
        "due_date, update_date, status, progress), or the shipped example (a police and crime "
        "commissioner's scrutiny review of 2023-24).",
        icon=":material/checklist:",
    )
    if access.allows(Permission.TRACKER) and st.button("Import the example", key="rec_example"):
        tracker.import_tracker(store, tracker.EXAMPLE, access)
        st.rerun()
    if access.allows(Permission.TRACKER):
        ui_scrutiny.tracker_import_section()
    st.stop()
themes = sorted(table["theme"].unique().to_list())
owners = sorted(table["owner"].unique().to_list())
left, right = st.columns(2)
# keyed by what they offer: a theme imported since was not chosen, and its recommendations
# vanished from every view (helper 65)
chosen_themes = left.multiselect(
    "Theme", themes, default=themes, key=f"rec_themes-{'|'.join(themes)}"
)
chosen_owners = right.multiselect(
    "Owner", owners, default=owners, key=f"rec_owners-{'|'.join(owners)}"
)
shown = table.filter(pl.col("theme").is_in(chosen_themes) & pl.col("owner").is_in(chosen_owners))
if shown.is_empty():
    st.info("No recommendation matches these choices.", icon=":material/filter_alt_off:")
    st.stop()

ui.plotly_chart(
    tracker.timeline_figure(shown, "Status over time, as stated in each update"),
    "recommendations-timeline",
)
latest = tracker.latest(shown)
ui.show_table(
    latest,
    "recommendations-latest",
    about=tracker.export_about(table, latest),
    labels={
        "number": "No.",
        "theme": "Theme",
        "owner": "Owner",
        "text": "Recommendation",
        "due_date": "Due",
        "update_date": "Latest update",
        "status": "Status as stated",
        "overdue": "Overdue",
    },
)
st.caption(
    "Overdue: the due date has passed and the latest update does not state it "
    f"{' or '.join(tracker.CLOSED_STATUSES)}. Each update says who recorded it; a change keeps "
    "the version it replaced, shown under it."
)
ui_scrutiny.recommendation_histories(shown)

if access.allows(Permission.EXPORT):
    ui.csv_download(  # every recommendation, whatever the choices above: it re-imports
        tracker.export_frame(table),
        "recommendations.csv",
        "Download the whole tracker (CSV)",
        as_written=True,
        about=tracker.export_about(table),
    )

if access.allows(Permission.TRACKER):
    ui_scrutiny.tracker_edit_section(latest["number"].to_list())
