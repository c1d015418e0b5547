"""Dip samples: draw a reproducible sample of offences, record the panel's answers per case,
and compare the sample's findings with the same measures on every offence."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.scrutiny import questions, reviews
from stalking_profile.ui import scrutiny

flt = ui.active_filter()
access = ui.current_access()
sets = {question_set.key: question_set for question_set in questions.question_sets(ui.store())}

st.title("Dip samples")
st.caption(
    "Case audits as a quality-assurance panel runs them: a random sample of offences for the "
    "filter, stratified by district and DA, re-drawable from its seed; answers kept with "
    "who changed what, when."
)
draw_tab, review_tab, summary_tab, sets_tab = st.tabs(
    ["Draw a sample", "Review cases", "Summary", "Question sets"]
)
with draw_tab:
    scrutiny.draw_section(flt, sets)
with sets_tab:
    scrutiny.question_sets_section(sets)

chosen = scrutiny.chosen_sample()
if chosen is None:
    for tab in (review_tab, summary_tab):
        with tab:
            st.info("No dip sample yet: draw one on the first tab.")
    st.stop()
sample, offences = chosen
question_set = sets.get(sample.set_key) or next(iter(sets.values()))
recorded = reviews.answers(ui.store(), sample, access)
with review_tab:
    scrutiny.review_section(sample, question_set, recorded)
with summary_tab:
    scrutiny.summary_section(sample, question_set, recorded, offences)
