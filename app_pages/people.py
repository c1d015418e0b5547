"""Victims and suspects: age band, sex and ethnicity, against the resident population where a
denominator exists, and how much is unknown."""

import streamlit as st

from stalking_profile import ui

flt = ui.active_filter()

st.title("Victims and suspects")
st.caption(
    ui.described(flt) + " · counted by offence (a victim of three offences counts three times); "
    "suspects over offences with a suspect identified"
)
if ui.nothing_to_show(flt):
    st.stop()
view = ui.people(flt)
if view.profiles_note:
    st.caption(view.profiles_note)

CHARACTERISTICS = (("age_band", "Age band"), ("sex", "Sex"), ("ethnicity", "Ethnicity"))
*profile_tabs, rates_tab, unknown_tab = ui.page_tabs(
    [label for _, label in CHARACTERISTICS] + ["Rates per 1,000 residents", "How much is unknown"]
)
for (characteristic, label), tab in zip(CHARACTERISTICS, profile_tabs, strict=True):
    if tab.open:
        with tab:
            ui.show_table(
                view.profiles[characteristic],
                ui.file_stem(f"victims-and-suspects-by-{characteristic.replace('_', '-')}", flt),
                labels={"group": label, "share": "Share of those known (%)"},
            )
            if characteristic == "ethnicity":
                st.caption(
                    "Ethnicity has no resident denominator here: ONS mid-year estimates give age "
                    "and sex only, so ethnicity is shown as counts and shares, not rates."
                )

if rates_tab.open:
    with rates_tab:
        st.caption(view.denominator)
        if view.rates_shown:
            ui.chart_with_table(
                view.figure,
                view.rates,
                "victims-and-suspects-per-1000-a-year",
                flt,
                "Offences in the period whose victim (or suspect) is of that sex and age band, "
                "per 1,000 residents of it in the selected districts, a year; exact Poisson "
                "intervals. Offences with an unknown age or sex are not in the rates.",
                labels={
                    "population": "Residents",
                    "rate_per_1000": "Offences per 1,000 residents a year",
                    "rate_lower": "95% interval from (per 1,000 a year)",
                    "rate_upper": "95% interval to (per 1,000 a year)",
                },
            )

if unknown_tab.open:
    with unknown_tab:
        ui.show_table(
            view.unknown,
            ui.file_stem("victims-and-suspects-unknown", flt),
            labels={
                "numerator": "Not recorded",
                "denominator": "Offences",
                "rate": "Not recorded (%)",
            },
        )
        st.caption(
            "Offences whose victim's (or suspect's) age, sex or ethnicity is not recorded, with "
            "a 95% Wilson interval: a data-quality figure, and the reason the shares in the other "
            "tabs are of those known."
        )
