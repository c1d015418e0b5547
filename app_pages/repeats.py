"""Repeats: repeat victims and suspects, days between a suspect's offences, serial perpetrators."""

import streamlit as st

from stalking_profile import panels, ui

flt = ui.active_filter()

st.title("Repeat victims and suspects")
st.caption(ui.described(flt) + " · victims and suspects by their pseudonymous keys in the extract")
if ui.nothing_to_show(flt):
    st.stop()
view = ui.repeats(flt)

settings = ui.settings()
period_tab, within_tab, gaps_tab, serial_tab = ui.page_tabs(
    [
        "In the period",
        "Within 12 months",
        "Days between a suspect's offences",
        "Serial perpetrators",
    ]
)
if period_tab.open:
    with period_tab:
        ui.show_table(
            view.summary,
            ui.file_stem("repeats-in-period", flt),
            labels={
                "repeat_victim_share": "Repeat victims (% of victims)",
                "repeat_suspect_share": "Offences by a repeat suspect (% of those with a suspect)",
            },
        )
        st.caption(
            "A repeat victim (or suspect) has two or more offences recorded in the period in the "
            "districts chosen: one offence in each of two districts repeats for both together, "
            "not for either alone. The share of offences involving a repeat suspect is over "
            "offences with a suspect "
            "identified. Within DA only DA offences count, so a victim of one DA and one non-DA "
            "offence repeats only in all."
        )

if within_tab.open:
    with within_tab:
        ui.chart_with_table(
            view.figure,
            view.monthly,
            "repeats-within-12-months",
            flt,
            "Each month's offences whose victim (or suspect) had another offence of the filter "
            "(its offence types, DA choice and districts) in the 365 days before, whenever "
            "recorded. Open markers: months whose 365 days reach back before the data start, "
            f"which read low. {view.lookback_note}".strip(),
            labels={
                "repeat_victim_share": "Offences with a repeat victim (% of those with a victim)",
                "repeat_suspect_share": "Offences with a repeat suspect (% of those with a suspect)",
            },
        )

if gaps_tab.open:
    with gaps_tab:
        ui.show_table(
            view.gaps,
            ui.file_stem("repeats-days-between", flt),
            labels={"median_days": "Median days between offences"},
        )
        if caution := view.gaps_caution(settings.small_denominator):
            st.caption(f":material/warning: {caution}")
        st.caption(panels.DAYS_BETWEEN_NOTE)

if serial_tab.open:
    with serial_tab:
        ui.show_table(view.serial, ui.file_stem("repeats-serial", flt))
        st.caption(
            f"A serial perpetrator has {settings.serial_victims} or more victims within "
            f"{settings.serial_years} years up to the period's end, or for a longer period "
            f"within any {settings.serial_years} years of it (by default the definition of MATAC, Multi-Agency "
            "Tasking and Coordination for serial domestic abuse perpetrators; a setting of the "
            "deployment). Where the "
            "window starts before the data (the column 'Whole window within the data' reads "
            "no), earlier victims are not seen."
        )
