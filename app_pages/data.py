"""Data: what is loaded, checking and importing a force's files, boundaries, log and quarantine."""

import streamlit as st

from stalking_profile import queries, ui
from stalking_profile.access import Permission
from stalking_profile.formatting import literal

info = ui.dataset_info_or_none(ui.database_version())
synthetic = info is not None and info.is_synthetic
st.title("Data")
if info is None and ui.districts(ui.database_version()).height:
    st.caption(
        "This database holds the force's districts and no offences yet. Import an extract of "
        "offences, then any outcome histories."
    )
elif info is None:
    st.caption(
        "This database holds no offences yet. Import the force's districts first (the "
        "`districts.csv` template), then an extract of offences and any outcome histories."
    )
else:
    st.caption(
        f"{literal(info.force_name)}: {info.offences:,} offences recorded "
        f"{info.first_month:%b %Y} to {info.last_month:%b %Y}; extract date "
        f"{info.extract_date:%d %B %Y}; source: {literal(info.source)}."
    )
# lazy: the quarantine is read (and its viewing audited) when its tab is opened
check_tab, boundary_tab, log_tab, template_tab = ui.page_tabs(
    ["Check or import a file", "Ward boundaries", "Import log and quarantine", "Templates"]
)

with check_tab:
    ui.check_and_import_section(synthetic)

with boundary_tab:
    boundaries = st.file_uploader(
        "Ward boundaries (GeoJSON, TopoJSON or a zipped GeoPackage / Shapefile folder)",
        type=["geojson", "json", "topojson", "gpkg", "zip"],
        key="data_boundaries",
    )
    code_column = st.text_input(
        "Ward code column (leave empty to detect WDyyCD / AREACD)", key="data_code_column"
    )
    if boundaries is not None and st.button(
        "Load boundaries", key="data_load_boundaries", disabled=synthetic
    ):
        ui.load_boundary_upload(boundaries, code_column or None)
    if synthetic:
        st.caption("The demo uses ONS 2013 wards; load a force's boundaries into its own database.")

with log_tab:
    log = ui.import_log() if log_tab.open else None
    if log is not None and log.is_empty():
        st.caption("No files have been imported into this database.")
    elif log is not None:
        ui.show_table(log)
        if ui.current_access().allows(Permission.RECORDS):
            quarantine = ui.quarantine()
            ui.audit_view("quarantine")
            st.markdown(
                f"**Quarantine**: {queries.refused_rows(quarantine):,} refused rows, with reasons."
            )
            ui.show_table(quarantine.head(500))
            ui.record_download(
                quarantine,
                "quarantine.csv",
                "Download the quarantine (to fix and re-import)",
                "quarantine",
            )

with template_tab:
    st.markdown(
        "Templates and an example mapping for a records-system export (see `data/templates/README.md`)."
    )
    for path in ui.TEMPLATES:
        st.download_button(
            path.name,
            path.read_bytes(),
            file_name=path.name,
            on_click="ignore",
            key=f"template-{path.name}",
        )
