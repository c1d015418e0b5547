"""Victim contact: were victims updated as often as their Victim Contact Agreement said?"""

import streamlit as st

from stalking_profile import ui

flt = ui.active_filter()

st.title("Victim contact")
st.caption(
    ui.described(flt)
    + " · offences recorded in the period; contact kept is over those with a Victim Contact "
    "Agreement"
)
if ui.nothing_to_show(flt):
    st.stop()
view = ui.victim_contact(flt)
if view is None or view.data_start is None:
    st.info(
        "No Victim Contact Agreements are recorded. Import them on the Data page (the contacts "
        "template: each offence's agreed interval and every contact).",
        icon=":material/upload_file:",
    )
    st.stop()
if flt.start_month < view.data_start <= flt.end_month:  # (a period before it: said below)
    st.warning(
        f"Contact agreements are recorded from {view.data_start:%B %Y}: earlier months of the "
        "period are left out, not counted as missed.",
        icon=":material/event_busy:",
    )
if view.provisional_from is not None and view.provisional_from <= flt.end_month:
    st.info(
        f"Offences recorded from {view.provisional_from:%B %Y} are left out: their agreed "
        "intervals had not all run out by the extract date, so they could only read as kept.",
        icon=":material/hourglass_top:",
    )
if view.monthly.is_empty():
    st.info(view.why_empty(flt))
    st.stop()

district_tab, month_tab = ui.page_tabs(["Contact kept, by district", "Contact kept, by month"])
if district_tab.open:
    with district_tab:
        ui.show_table(
            view.by_district_table,
            ui.file_stem("victim-contact-by-district", flt),
            labels={
                "rate": "Contact kept (%)",
                "lower": "Kept: 95% interval from (%)",
                "upper": "Kept: 95% interval to (%)",
                "is_small": "Kept: small numbers",  # beside "Told: small numbers"
            },
        )
        st.caption(view.told_note)

if month_tab.open:
    with month_tab:
        ui.chart_with_table(
            view.figure,
            view.monthly,
            "victim-contact-by-month",
            flt,
            "Kept: no stretch between recording, each contact and the outcome (or, while open, "
            "the extract date) was longer than the interval agreed. An open offence whose next "
            "update is not yet due counts as kept so far. A contact after the outcome is not "
            "read here, so an offence whose outcome came within the interval counts as kept even "
            "with no contact at all: Told the outcome, in the table by district, says whether "
            "the victim heard of it. 95% Wilson intervals.",
        )
        st.caption(
            "Offences with an agreement (%) is a data-quality figure: offences with no agreement "
            "recorded are outside the rate, so a low share makes the rate less representative."
        )
