"""Suspect history: one suspect's offences, outcomes, orders and breaches in one place (the
scrutiny review's recommendation 10). Record level: analysts only."""

import streamlit as st

from stalking_profile import ui

flt = ui.active_filter()

st.title("Suspect history")
st.caption(
    flt.describe() + " · record level (OFFICIAL-SENSITIVE): suspects by their pseudonymous keys"
)
if ui.nothing_to_show(flt):
    st.stop()
listed = ui.suspects(flt, None).most_offences
st.subheader("Suspects with the most offences")
ui.show_table(listed, ui.file_stem("suspects-most-offences", flt))
st.caption("Offences recorded in the filter; victims distinct; orders of any type and date.")

choices = listed["suspect_id"].to_list()
asked = st.query_params.get("suspect")
typed = st.text_input("Suspect key", value=asked or "", placeholder="e.g. SYN-S-LD-000123")
chosen = typed.strip() or st.selectbox("Or choose a suspect from the list", choices, index=None)
if not chosen:
    st.info("Choose a suspect to read their complete history.", icon=":material/person_search:")
    st.stop()
st.query_params["suspect"] = chosen
history = ui.suspects(flt, chosen).history
st.subheader(f"History of {chosen}")
if history is None or history.is_empty():
    st.warning(f"Nothing is recorded for the suspect key {chosen!r}.")
    st.stop()
ui.show_table(history, f"suspect-history_{chosen}")
st.caption(
    "Every offence naming the suspect, each outcome those offences were given (in order, so "
    "a changed outcome shows), every order restricting them with each step of its life, and "
    "every breach of those orders, whatever the filter's period."
)
