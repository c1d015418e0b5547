"""Streamlit glue: the only package modules that import streamlit.

- `cache`: the database connection and cached lookups, keyed by the database's version;
- `views`: one typed, cached function per page section (settings filled in here);
- `sidebar`: the shared filters, kept in the page address, and the synthetic-data banner;
- `widgets`: tables in the users' words, charts with their data, downloads, tiles;
- `uploads`: checking and importing files on the Data page;
- `auth`: the login form, the session's access context, banners and audited downloads.

Pages use `ui.<name>` for all of them.
"""

from stalking_profile.ui.auth import (
    access_banner,
    access_sidebar,
    audit_view,
    return_to_page_asked_for,
    sign_in_gate,
    store,
)
from stalking_profile.ui.cache import (
    comparison_layer_names,
    current_access,
    current_gateway,
    database_version,
    dataset_info,
    dataset_info_or_none,
    districts,
    every_quality_record,
    import_log,
    offences_in,
    quality_records,
    quarantine,
    settings,
    synthetic_demo,
)
from stalking_profile.ui.prioritisation import weights_editor
from stalking_profile.ui.sidebar import (
    ALL_DISTRICTS_KEY,
    FILTER_STATE_KEY,
    active_filter,
    coverage_banner,
    filter_sidebar,
    synthetic_banner,
)
from stalking_profile.ui.uploads import (
    TEMPLATES,
    check_and_import_section,
    check_upload,
    import_upload,
    load_boundary_upload,
)
from stalking_profile.ui.views import (
    civil_orders,
    correspondence,
    emerging,
    hotspots,
    outcome_districts,
    outcomes,
    overview,
    people,
    prioritisation,
    quality,
    repeats,
    risk,
    trends,
    victim_contact,
)
from stalking_profile.ui.widgets import (
    chart_with_table,
    csv_download,
    file_stem,
    headline_tile,
    nothing_to_show,
    pack_downloads,
    pick_one_row,
    plotly_chart,
    record_download,
    show_table,
    side_by_side_maps,
    table_download,
)

__all__ = [
    "ALL_DISTRICTS_KEY",
    "FILTER_STATE_KEY",
    "TEMPLATES",
    "access_banner",
    "access_sidebar",
    "active_filter",
    "audit_view",
    "chart_with_table",
    "check_and_import_section",
    "check_upload",
    "civil_orders",
    "comparison_layer_names",
    "correspondence",
    "coverage_banner",
    "csv_download",
    "current_access",
    "current_gateway",
    "database_version",
    "dataset_info",
    "dataset_info_or_none",
    "districts",
    "emerging",
    "every_quality_record",
    "file_stem",
    "filter_sidebar",
    "headline_tile",
    "hotspots",
    "import_log",
    "import_upload",
    "load_boundary_upload",
    "nothing_to_show",
    "offences_in",
    "outcome_districts",
    "outcomes",
    "overview",
    "pack_downloads",
    "people",
    "pick_one_row",
    "plotly_chart",
    "prioritisation",
    "quality",
    "quality_records",
    "quarantine",
    "record_download",
    "repeats",
    "return_to_page_asked_for",
    "risk",
    "settings",
    "show_table",
    "side_by_side_maps",
    "sign_in_gate",
    "store",
    "synthetic_banner",
    "synthetic_demo",
    "table_download",
    "trends",
    "victim_contact",
    "weights_editor",
]
