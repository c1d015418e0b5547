"""Perpetrator prioritisation (recommendation 11) and a suspect's complete history
(recommendation 10). Record level: analysts only."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.formatting import literal

flt = ui.active_filter()

st.title("Perpetrator prioritisation")
st.caption(
    ui.described(flt) + " · record level (OFFICIAL-SENSITIVE): suspects by their pseudonymous keys"
)
if ui.nothing_to_show(flt):
    st.stop()
months, weights = ui.weights_editor()
asked = st.query_params.get("suspect")
view = ui.prioritisation(flt, months, weights, asked)
st.header("Suspects ranked by recency, frequency, gravity and victims")
if view.before_records:
    st.warning(view.before_records, icon=":material/history_toggle_off:")
st.caption(
    f"Offences recorded {view.window_start:%d %b %Y} to {view.window_end:%d %b %Y} (the "
    f"{months} months to the period's end, whatever its start; days since counted to "
    f"{view.window_end:%d %b %Y}) in the filter's districts, offence types and DA choice; "
    f"gravity by {weights.gravity_basis}. Each factor is 0-100 against the suspects "
    f"ranked; the score is their weighted mean (the sum is under 'Why'). "
    f"{view.suspects:,} suspects, the first {view.ranked.height:,} shown."
)
ui.audit_view("perpetrator prioritisation: ranked suspects", flt.describe())  # then shown
ui.show_table(view.ranked)
ui.record_download(
    view.ranked,
    f"{ui.file_stem('prioritisation', flt)}.csv",
    f"Download the {view.ranked.height:,} suspects shown (CSV)",  # not every suspect ranked
    "perpetrator prioritisation: ranked suspects",
    flt.describe(),
)

st.header("A suspect's history")
choices = view.ranked["suspect_id"].to_list()
typed = st.text_input("Suspect key", value=asked or "", placeholder="e.g. SYN-S-LD-000123")
chosen = typed.strip() or st.selectbox("Or choose from the ranked list", choices, index=None)
if not chosen:
    st.info("Choose a suspect to read their complete history.", icon=":material/person_search:")
    st.stop()
if chosen != asked:
    st.query_params["suspect"] = chosen
    view = ui.prioritisation(flt, months, weights, chosen)
history = view.history
st.markdown(f"**{literal(chosen)}**")  # as typed: the address is anyone's to write
if view.history_note:
    st.info(view.history_note, icon=":material/upgrade:")
    st.stop()
if history is None or history.is_empty():
    also = f" Did you mean {' or '.join(view.did_you_mean)}?" if view.did_you_mean else ""
    if view.did_you_mean:  # suspect keys are records: shown, so audited (helper 74)
        ui.audit_view(f"suspect keys like {chosen}: {', '.join(view.did_you_mean)}")
    st.warning(f"Nothing is recorded for the suspect key “{literal(chosen)}”.{literal(also)}")
    st.stop()
ui.audit_view(f"suspect history: {chosen}")  # recorded before the records are shown
ui.show_table(history)
ui.record_download(
    history,
    f"suspect-history_{chosen}.csv",
    "Download the history (CSV)",
    f"suspect history: {chosen}",
)
st.caption(
    "Every offence naming the suspect, each outcome those offences were given (in order, so "
    "a changed outcome shows), every order restricting them with each step of its life, and "
    "every breach of those orders, whatever the filter's period."
)
