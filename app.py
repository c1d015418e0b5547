"""Stalking Profile: the entry script. Routes pages, frames them, owns the shared filters."""

from __future__ import annotations

import streamlit as st

from stalking_profile import ui
from stalking_profile.access import Permission
from stalking_profile.config import DEFAULT_DB_PATH, STATIC_DIR
from stalking_profile.db import DatabaseError
from stalking_profile.demo.build import ensure_database
from stalking_profile.formatting import literal
from stalking_profile.operational import OperationalError

st.set_page_config(
    page_title="Stalking Profile", page_icon=str(STATIC_DIR / "favicon.png"), layout="wide"
)

ui.guard_downloads()  # a download made when clicked goes only to the session that drew it

db_path = ui.settings().db_path
if not db_path.exists():
    if db_path.resolve() == DEFAULT_DB_PATH.resolve():
        with st.spinner("Building the demonstration database (a few seconds, first run only) ..."):
            ensure_database(db_path, progress=lambda message: None)
    else:
        st.error(f"No database at {db_path}. Check STALKING_PROFILE_DB, or import an extract.")
        st.stop()

try:
    version = ui.database_version()
    info = ui.dataset_info_or_none(version)
    district_table = ui.districts(version)
    access = ui.sign_in_gate(info)
except (DatabaseError, OperationalError) as error:
    st.error(f"The database at {db_path} cannot be read: {error}")
    st.stop()

profile_pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/trends.py", title="Trends", icon=":material/show_chart:"),
    st.Page("app_pages/outcomes.py", title="Outcomes", icon=":material/gavel:"),
    st.Page("app_pages/risk.py", title="Risk & flags", icon=":material/flag:", url_path="risk"),
    st.Page("app_pages/maps.py", title="Hotspot maps", icon=":material/map:", url_path="maps"),
    st.Page(
        "app_pages/repeats.py",
        title="Repeat victims and suspects",
        icon=":material/repeat:",
        url_path="repeats",
    ),
    st.Page(
        "app_pages/people.py",
        title="Victims and suspects",
        icon=":material/groups:",
        url_path="people",
    ),
    st.Page(
        "app_pages/orders.py",
        title="Civil orders and breaches",
        icon=":material/shield:",
        url_path="orders",
    ),
    st.Page(
        "app_pages/contact.py",
        title="Victim contact",
        icon=":material/contact_phone:",
        url_path="contact",
    ),
    st.Page(
        "app_pages/quality.py", title="Data quality", icon=":material/rule:", url_path="quality"
    ),
]
pages = {"Profile": profile_pages}
if access.allows(Permission.RECORDS):
    profile_pages.append(
        st.Page(
            "app_pages/suspects.py",
            title="Perpetrator prioritisation",
            icon=":material/person_search:",
            url_path="prioritisation",
        )
    )
if access.allows(Permission.IMPORT):
    pages["Data"] = [
        st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:", url_path="data")
    ]
if access.allows(Permission.USERS) or access.allows(Permission.AUDIT):
    pages["Administration"] = [
        st.Page(
            "app_pages/admin.py",
            title="Users and audit",
            icon=":material/admin_panel_settings:",
            url_path="admin",
        )
    ]
if access.allows(Permission.EXPORT):
    pages["Export"] = [
        st.Page(
            "app_pages/export.py",
            title="Meeting pack",
            icon=":material/slideshow:",
            url_path="export",
        )
    ]
scrutiny_pages = [
    st.Page(
        "app_pages/recommendations.py",
        title="Recommendations",
        icon=":material/checklist:",
        url_path="recommendations",
    )
]
if access.allows(Permission.REVIEW):
    scrutiny_pages.insert(
        0,
        st.Page(
            "app_pages/dip_samples.py",
            title="Dip samples",
            icon=":material/fact_check:",
            url_path="dip-samples",
        ),
    )
pages["Scrutiny"] = scrutiny_pages
pages["Reference"] = [
    st.Page("app_pages/definitions.py", title="Definitions", icon=":material/menu_book:")
]
navigation = st.navigation(pages, expanded=True)  # every page in view, never "View more"
# each page its own browser title (every tab read "Stalking Profile": WCAG 2.4.2)
st.set_page_config(page_title=f"{navigation.title} · Stalking Profile")
ui.return_to_page_asked_for(navigation, [page for group in pages.values() for page in group])
NEEDS_OFFENCES = {page.url_path for page in profile_pages} | {"dip-samples", "export"}
ui.access_sidebar(access)
ui.access_banner(access, info)

if info is None:
    st.sidebar.caption("No offences have been imported into this database yet.")
    if navigation.url_path in NEEDS_OFFENCES:
        st.title(navigation.title)
        st.info(
            "There is nothing to show yet: this database holds no offences. Import a districts "
            "file and then an extract of offences on the **Data** page.",
            icon=":material/upload_file:",
        )
        if access.allows(Permission.IMPORT):
            st.page_link(
                "app_pages/data.py", label="Go to the Data page", icon=":material/upload_file:"
            )
        st.stop()
    navigation.run()
    st.stop()

ui.synthetic_banner(info, access.signed_in)
ui.coverage_banner(info)
profile_filter = ui.filter_sidebar(info, district_table)
if profile_filter is None:  # said why: the pages of figures wait for a filter, the rest open
    if navigation.url_path not in NEEDS_OFFENCES:
        navigation.run()
    st.stop()
st.session_state[ui.FILTER_STATE_KEY] = profile_filter
st.session_state[ui.ALL_DISTRICTS_KEY] = tuple(district_table["district_code"].to_list())
# a commissioner's office sees no exact count: the whole data's offences (every type, all
# time, with a part-month no period offers) less the published totals gave a small count back
recorded = "" if access.publication else f"{info.offences:,} "
st.sidebar.caption(
    f"{literal(info.force_name)} · {recorded}offences recorded "
    f"{info.first_month:%b %Y} to {info.last_month:%b %Y} · extract {info.extract_date:%d %b %Y}"
)
navigation.run()
# in publication mode, the pages opened next for this filter are protected while this is read
ui.prepare_ahead(profile_filter)
