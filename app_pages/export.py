"""Export: a meeting pack (PowerPoint and PDF) for the force or a district, for the sidebar's
period and DA choice."""

import streamlit as st

from stalking_profile import ui
from stalking_profile.filters import DOMESTIC_CHOICES
from stalking_profile.images import ImageRenderingError
from stalking_profile.pack.build import build, pack_area, pack_filter
from stalking_profile.scrutiny import tracker

flt = ui.active_filter()
access = ui.current_access()
districts = ui.districts(ui.database_version())
names = {
    "force": "Force",
    **dict(zip(districts["district_code"], districts["district_name"], strict=True)),
}

st.title("Meeting pack")
st.caption(
    "A meeting pack: headline figures with their changes and intervals, key findings in words, "
    "the trend with SPC, DA against non-DA, outcomes, risk and flags, the ward map and "
    "data-quality caveats; definitions in the speaker notes. Native, editable PowerPoint "
    "charts; a PDF of the same content."
)
if st.session_state.get("pack_area_follows") != flt.districts:  # the sidebar's changed
    st.session_state["pack_area_follows"] = flt.districts
    st.session_state["pack_area"] = pack_area(flt.districts, list(names))
if access.publication:  # a district's pack beside the force's gives withheld counts back
    st.session_state["pack_area"] = "force"
area = st.selectbox(
    "Area",
    ["force"] if access.publication else list(names),
    format_func=lambda code: names[code],
    key="pack_area",
    help=(
        "The whole force in publication mode (each district's rows are on the pages: the "
        "Trends page's district table)."
        if access.publication
        else "The force or one district: the sidebar's district where it selects one."
    ),
)
st.markdown(
    f"**Period and DA:** {flt.describe().split(', ')[-1]}, "
    f"{DOMESTIC_CHOICES[flt.domestic]} "
    "(change them in the sidebar)."
)
if 1 < len(flt.districts) < len(names) - 1:
    st.info(
        f"The sidebar selects {len(flt.districts)} districts; a pack covers the force or one "
        "district, chosen above."
    )
if flt.offence_types != ("stalking",):  # the sidebar's offence type is not the pack's
    st.info("A meeting pack is a stalking problem profile: it counts stalking offences only.")
if access.publication:
    st.info(
        "Publication mode is on: small numbers are withheld in every figure, chart and sentence "
        "of the pack, with the counts that would give them back."
    )
if st.button("Build the pack", type="primary", key="pack_build"):
    with st.spinner("Building the pack (charts are rendered on the server) ..."):
        gateway = ui.current_gateway()
        pack_flt, area_name = pack_filter(
            gateway,
            area or "force",
            flt.start_month,
            flt.end_month,
            flt.domestic,
            access.publication,
        )
        recommendations = tracker.tracker(ui.store(), example=False)
        try:
            pack = build(gateway, pack_flt, area_name, access, recommendations)
            # the files named for what they hold: its area, period and DA choice
            title = pack.title.lower().replace(": ", "-").replace(" ", "-")
            made_for = (area, flt, access.publication)
            st.session_state["pack"] = pack, ui.file_stem(title, pack_flt), made_for
        except ImageRenderingError as error:
            st.error(
                f"The pack could not be built: {error}. The server draws its charts with "
                "Chromium, which `bash scripts/start` installs."
            )
ui.offer_pack((area, flt, access.publication))
